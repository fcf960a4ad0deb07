/**
 * The helpdesk's queue of cardholders' "this was not me" reports (filed by src/portal/reports.ts):
 * open ones of the person's issuer (a platform administrator's: every issuer's), newest first,
 * each with what staff need to call the cardholder back (member ID, masked card, the reported
 * authentication or change, links to the trail and the cardholder page), and the close with a
 * note (audited with before → after).
 *
 * @example
 *   const rows = await listReports(db, [issuerId], 'open')
 *   const r = await closeReport(deps, { report: rows[0], staff: { id, name }, note: 'called back' })
 */
import { and, count, desc, eq, inArray, type SQL } from 'drizzle-orm';
import { appendAudit } from '../admin/audit-log.ts';
import type { Database } from '../db/client.ts';
import { cardAccounts, cards, memberReports, members, staff, transactions, type MemberReportKind, type MemberReportState } from '../db/schema.ts';
import type { AppDeps } from '../deps.ts';

/** Which issuers' reports a person reads: theirs, or 'all' for a platform administrator. */
export type ReportScope = number[] | 'all';

export interface ReportView {
  id: number;
  issuerId: number;
  kind: MemberReportKind;
  state: MemberReportState;
  createdAt: number;
  note: string;
  /** What changed (kind account_change): password, phone, email, personal_message. */
  change: string | null;
  /** Null when the registration was removed since. */
  member: { id: number; loginId: string } | null;
  cardholderId: number | null;
  /** first6******last4 of the reported authentication's card, or of the account's current card. */
  card: string | null;
  transaction: {
    acsTransID: string;
    createdAt: number;
    merchantName: string | null;
    purchaseAmount: string | null;
    purchaseCurrency: string | null;
    purchaseExponent: number | null;
    transStatus: string;
    finalTransStatus: string | null;
  } | null;
  /** The reported authentication id even when its row is gone. */
  acsTransID: string | null;
  closedAt: number | null;
  closedBy: string | null;
  closeNote: string | null;
}

/** How many rows a queue page shows. */
export const QUEUE_LIMIT = 100;

export async function listReports(db: Database, scope: ReportScope, state: MemberReportState, limit = QUEUE_LIMIT): Promise<ReportView[]> {
  return select(db, and(scopeCondition(scope), eq(memberReports.state, state)), limit);
}

/** The reports of these registrations (a cardholder page's members), newest first, open and closed. */
export async function listMemberReports(db: Database, scope: ReportScope, memberIds: number[], limit = 20): Promise<ReportView[]> {
  if (memberIds.length === 0) return [];
  return select(db, and(scopeCondition(scope), inArray(memberReports.memberId, memberIds)), limit);
}

/** A report, or undefined when it does not exist or lies outside the scope (the same answer). */
export async function findReport(db: Database, scope: ReportScope, id: number): Promise<ReportView | undefined> {
  if (!Number.isSafeInteger(id) || id <= 0) return undefined;
  const [row] = await select(db, and(scopeCondition(scope), eq(memberReports.id, id)), 1);
  return row;
}

/** The open reports waiting, for the console's menu (member_reports_issuer_state answers it). */
export async function openReportCount(db: Database, scope: ReportScope): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(memberReports)
    .where(and(scopeCondition(scope), eq(memberReports.state, 'open')));
  return row?.n ?? 0;
}

export type CloseResult = { ok: true } | { ok: false; why: 'closed_already' };

/** Closes an open report with the staff member's note; the first close wins and is audited. */
export async function closeReport(
  deps: Pick<AppDeps, 'db' | 'clock'>,
  input: { report: ReportView; staff: { id: number; name: string }; note: string; requestId?: string | null },
): Promise<CloseResult> {
  const now = deps.clock.now();
  const moved = await deps.db
    .update(memberReports)
    .set({ state: 'closed', closedAt: now, closedBy: input.staff.id, closeNote: input.note })
    .where(and(eq(memberReports.id, input.report.id), eq(memberReports.state, 'open')))
    .returning({ id: memberReports.id });
  if (moved.length === 0) return { ok: false, why: 'closed_already' };
  await appendAudit(deps.db, {
    at: now,
    actor: { type: 'staff', id: input.staff.id, name: input.staff.name },
    issuerId: input.report.issuerId,
    action: 'staff.report.close',
    target: `report:${input.report.id}`,
    detail: { before: { state: 'open' }, after: { state: 'closed', note: input.note }, kind: input.report.kind, acsTransID: input.report.acsTransID, memberId: input.report.member?.id ?? null },
    requestId: input.requestId ?? null,
  });
  return { ok: true };
}

function scopeCondition(scope: ReportScope): SQL | undefined {
  return scope === 'all' ? undefined : inArray(memberReports.issuerId, scope);
}

async function select(db: Database, where: SQL | undefined, limit: number): Promise<ReportView[]> {
  const rows = await db
    .select({
      report: memberReports,
      loginId: members.loginId,
      cardAccountId: members.cardAccountId,
      cardholderId: cardAccounts.cardholderId,
      txn: {
        acsTransID: transactions.acsTransID,
        createdAt: transactions.createdAt,
        merchantName: transactions.merchantName,
        purchaseAmount: transactions.purchaseAmount,
        purchaseCurrency: transactions.purchaseCurrency,
        purchaseExponent: transactions.purchaseExponent,
        transStatus: transactions.transStatus,
        finalTransStatus: transactions.finalTransStatus,
        panFirst6: transactions.panFirst6,
        panLast4: transactions.panLast4,
      },
      closedBy: staff.username,
    })
    .from(memberReports)
    .leftJoin(members, eq(members.id, memberReports.memberId))
    .leftJoin(cardAccounts, eq(cardAccounts.id, members.cardAccountId))
    .leftJoin(transactions, eq(transactions.acsTransID, memberReports.acsTransID))
    .leftJoin(staff, eq(staff.id, memberReports.closedBy))
    .where(where)
    .orderBy(desc(memberReports.createdAt), desc(memberReports.id))
    .limit(limit);
  // A change report names the account's card: its active one, else its newest.
  const accounts = [...new Set(rows.filter((r) => !r.txn?.acsTransID && r.cardAccountId !== null).map((r) => r.cardAccountId!))];
  const accountCards = accounts.length
    ? await db.select({ accountId: cards.accountId, status: cards.status, panFirst6: cards.panFirst6, panLast4: cards.panLast4, id: cards.id }).from(cards).where(inArray(cards.accountId, accounts))
    : [];
  const cardOf = (accountId: number) =>
    accountCards
      .filter((c) => c.accountId === accountId)
      .sort((a, b) => Number(b.status === 'active') - Number(a.status === 'active') || b.id - a.id)[0];
  return rows.map(({ report, loginId, cardAccountId, cardholderId, txn, closedBy }) => {
    const fromAccount = cardAccountId !== null ? cardOf(cardAccountId) : undefined;
    const card = txn?.acsTransID ? mask(txn.panFirst6, txn.panLast4) : fromAccount ? mask(fromAccount.panFirst6, fromAccount.panLast4) : null;
    return {
      id: report.id,
      issuerId: report.issuerId,
      kind: report.kind,
      state: report.state,
      createdAt: report.createdAt,
      note: report.note,
      change: report.change,
      member: loginId !== null ? { id: report.memberId, loginId } : null,
      cardholderId,
      card,
      transaction: txn?.acsTransID
        ? {
            acsTransID: txn.acsTransID,
            createdAt: txn.createdAt!,
            merchantName: txn.merchantName,
            purchaseAmount: txn.purchaseAmount,
            purchaseCurrency: txn.purchaseCurrency,
            purchaseExponent: txn.purchaseExponent,
            transStatus: txn.transStatus!,
            finalTransStatus: txn.finalTransStatus,
          }
        : null,
      acsTransID: report.acsTransID,
      closedAt: report.closedAt,
      closedBy,
      closeNote: report.closeNote,
    };
  });
}

function mask(first6: string | null, last4: string | null): string | null {
  return last4 ? `${first6 ?? ''}******${last4}` : null;
}
