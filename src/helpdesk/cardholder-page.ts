/**
 * Everything the cardholder page shows, read in a few indexed queries and masked here, so the
 * view never holds a card number or a full phone number or e-mail address: the person, their
 * cards (with reissue links), the registration of each card account, the cards' recent
 * transactions, four-eyes requests waiting on them, and the staff actions on them from the audit
 * log. `actionLinks` says which helpdesk actions make sense for what is on the page.
 */
import { listMemberReports, type ReportView } from './reports.ts';
import { and, asc, desc, eq, gt, inArray, ne } from 'drizzle-orm';
import type { Bi } from '../../views/i18n.ts';
import type { Database } from '../db/client.ts';
import {
  auditLog,
  cardholders,
  cards,
  members,
  staff,
  staffRequests,
  transactions,
  type ApprovalState,
  type AuthMethod,
  type Brand,
  type CardStatus,
  type ChallengeMethod,
  type HelpdeskAction,
  type LockCause,
  type MemberStatus,
  type PhoneStatus,
} from '../db/schema.ts';
import { maskPhone } from '../messaging/phone-mask.ts';
import { actionPath, actionSpec, HELPDESK_ACTIONS, type TargetKind } from './catalogue.ts';
import { maskedPan, maskEmail, ownerIssuer, scopeCondition, type LookupScope } from './lookup.ts';

export const RECENT_TRANSACTIONS = 20;
export const AUDIT_ROWS = 50;

export interface HolderView {
  id: number;
  issuerId: number;
  name: string;
  nameKana: string | null;
  customerRef: string;
  birthDate: string | null;
  phone: string;
  phoneProvisional: boolean;
  email: string;
  dataSharingOptOut: boolean;
  dataSharingChangedAt: number | null;
}

export interface CardView {
  id: number;
  accountId: number;
  pan: string;
  brand: Brand;
  /** YYMM. */
  expiry: string;
  status: CardStatus;
  corporate: boolean;
  replacedBy: { id: number; pan: string } | null;
  replaces: { id: number; pan: string }[];
}

export interface RegistrationView {
  id: number;
  accountId: number;
  /** The cards of its account (a card and its reissues), masked. */
  cards: string[];
  loginId: string;
  status: MemberStatus;
  authMethod: AuthMethod;
  hasPassword: boolean;
  phone: string;
  phoneStatus: PhoneStatus;
  email: string;
  personalMessage: string | null;
  failedAttempts: number;
  lockedAt: number | null;
  lockCause: LockCause | null;
  termsAcceptedAt: number | null;
  createdAt: number;
}

export interface TransactionView {
  acsTransID: string;
  at: number;
  pan: string;
  merchant: string | null;
  amount: { value: string | null; currency: string | null; exponent: number | null };
  transStatus: string;
  reason: string | null;
  finalTransStatus: string | null;
  finalReason: string | null;
  challengeMethod: ChallengeMethod | null;
}

export interface RequestView {
  id: number;
  action: HelpdeskAction;
  /** The action's name on pages (catalogue.ts). */
  label: Bi;
  target: string;
  requestedBy: string;
  requestedAt: number;
  expiresAt: number;
  state: ApprovalState;
}

export interface AuditView {
  id: number;
  at: number;
  actor: string;
  action: string;
  target: string;
  detail: string;
}

export interface CardholderPageData {
  holder: HolderView;
  cards: CardView[];
  registrations: RegistrationView[];
  transactions: TransactionView[];
  requests: RequestView[];
  /** The cardholder's own "this was not me" reports from the portal (src/portal/reports.ts). */
  reports: ReportView[];
  audit: AuditView[];
}

/** The audit targets that are this cardholder's: the person, its registrations, its cards. */
export function targetsOf(data: Pick<CardholderPageData, 'holder' | 'cards' | 'registrations'>): string[] {
  return [`cardholder:${data.holder.id}`, ...data.registrations.map((r) => `member:${r.id}`), ...data.cards.map((c) => `card:${c.id}`)];
}

/** The page's data, or undefined when there is no such cardholder in this scope (answered alike). */
export async function loadCardholderPage(db: Database, scope: LookupScope, id: number, now: number): Promise<CardholderPageData | undefined> {
  const holderRow = await db.select().from(cardholders).where(and(eq(cardholders.id, id), scopeCondition(scope))).get();
  if (!holderRow) return undefined;
  const cardRows = await db.select().from(cards).where(eq(cards.cardholderId, id)).orderBy(asc(cards.accountId), asc(cards.id));
  const accountIds = [...new Set(cardRows.map((c) => c.accountId))];
  const memberRows = accountIds.length ? await db.select().from(members).where(inArray(members.cardAccountId, accountIds)).orderBy(asc(members.id)) : [];
  const panOf = new Map(cardRows.map((c) => [c.id, maskedPan(c.panFirst6, c.panLast4)]));
  // Reissue links stay inside one account (a card and the cards that reissue it).
  const sameAccount = (a: number, b: number) => cardRows.find((c) => c.id === a)?.accountId === cardRows.find((c) => c.id === b)?.accountId;

  const cardViews: CardView[] = cardRows.map((c) => ({
    id: c.id,
    accountId: c.accountId,
    pan: panOf.get(c.id)!,
    brand: c.brand,
    expiry: c.expiry,
    status: c.status,
    corporate: c.corporate,
    replacedBy: c.replacedByCardId !== null && panOf.has(c.replacedByCardId) && sameAccount(c.id, c.replacedByCardId) ? { id: c.replacedByCardId, pan: panOf.get(c.replacedByCardId)! } : null,
    replaces: cardRows.filter((o) => o.replacedByCardId === c.id && o.accountId === c.accountId).map((o) => ({ id: o.id, pan: panOf.get(o.id)! })),
  }));

  const registrations: RegistrationView[] = memberRows.map((m) => ({
    id: m.id,
    accountId: m.cardAccountId,
    cards: cardRows.filter((c) => c.accountId === m.cardAccountId).map((c) => panOf.get(c.id)!),
    loginId: m.loginId,
    status: m.status,
    authMethod: m.authMethod,
    hasPassword: m.passwordHash !== null,
    phone: maskPhone(m.phone),
    phoneStatus: m.phoneStatus,
    email: maskEmail(m.email),
    personalMessage: m.personalMessage,
    failedAttempts: m.failedAttempts,
    lockedAt: m.lockedAt,
    lockCause: m.lockCause,
    termsAcceptedAt: m.termsAcceptedAt,
    createdAt: m.createdAt,
  }));

  const cardIds = cardRows.map((c) => c.id);
  const txRows = cardIds.length
    ? await db.select().from(transactions).where(inArray(transactions.cardId, cardIds)).orderBy(desc(transactions.createdAt), desc(transactions.acsTransID)).limit(RECENT_TRANSACTIONS)
    : [];

  const holder: HolderView = {
    id: holderRow.id,
    issuerId: ownerIssuer(holderRow.issuerId, scope.firstIssuerId),
    name: holderRow.name,
    nameKana: holderRow.nameKana,
    customerRef: holderRow.customerRef,
    birthDate: holderRow.birthDate,
    phone: maskPhone(holderRow.phoneOnFile),
    phoneProvisional: holderRow.phoneProvisional,
    email: maskEmail(holderRow.email),
    dataSharingOptOut: holderRow.dataSharingOptOut,
    dataSharingChangedAt: holderRow.dataSharingChangedAt,
  };
  const targets = targetsOf({ holder, cards: cardViews, registrations });

  const requestRows = await db
    .select({ id: staffRequests.id, action: staffRequests.action, target: staffRequests.target, requestedBy: staff.username, requestedAt: staffRequests.requestedAt, expiresAt: staffRequests.expiresAt, state: staffRequests.state })
    .from(staffRequests)
    .innerJoin(staff, eq(staff.id, staffRequests.requestedBy))
    .where(and(inArray(staffRequests.target, targets), eq(staffRequests.state, 'pending'), gt(staffRequests.expiresAt, now)))
    .orderBy(desc(staffRequests.requestedAt));

  // The holder is in scope already, so its registrations' reports are this issuer's.
  const reports = registrations.length ? await listMemberReports(db, 'all', registrations.map((r) => r.id)) : [];

  // Looking at the page is audited too, but the list is of what was done to the data.
  const auditRows = await db
    .select()
    .from(auditLog)
    .where(and(inArray(auditLog.target, targets), ne(auditLog.action, 'cardholder.view')))
    .orderBy(desc(auditLog.id))
    .limit(AUDIT_ROWS);

  return {
    holder,
    cards: cardViews,
    registrations,
    transactions: txRows.map((t) => ({
      acsTransID: t.acsTransID,
      at: t.createdAt,
      pan: t.panFirst6 ? maskedPan(t.panFirst6, t.panLast4) : `******${t.panLast4}`,
      merchant: t.merchantName,
      amount: { value: t.purchaseAmount, currency: t.purchaseCurrency, exponent: t.purchaseExponent },
      transStatus: t.transStatus,
      reason: t.transStatusReason,
      finalTransStatus: t.finalTransStatus,
      finalReason: t.finalTransStatusReason,
      challengeMethod: t.challengeMethod,
    })),
    requests: requestRows.map((r) => ({ ...r, label: actionSpec(r.action)?.label ?? { ja: r.action, en: r.action } })),
    reports,
    audit: auditRows.map((a) => ({ id: a.id, at: a.at, actor: a.actorName ?? a.actorType, action: a.action, target: a.target ?? '', detail: a.detail })),
  };
}

export interface ActionLink {
  action: HelpdeskAction;
  href: string;
  label: Bi;
}

/** The helpdesk actions that make sense for each thing on the page, as links to their forms. */
export interface ActionLinks {
  holder: ActionLink[];
  cards: Map<number, ActionLink[]>;
  registrations: Map<number, ActionLink[]>;
}

export function actionLinks(data: Pick<CardholderPageData, 'holder' | 'cards' | 'registrations'>): ActionLinks {
  const links = (target: TargetKind, id: number, allowed: (action: HelpdeskAction) => boolean): ActionLink[] =>
    HELPDESK_ACTIONS.filter((a) => a.target === target && allowed(a.id)).map((a) => ({ action: a.id, href: actionPath(a.id, target, id), label: a.label }));
  return {
    holder: links('cardholder', data.holder.id, () => true),
    cards: new Map(data.cards.map((c) => [c.id, links('card', c.id, (a) => a !== 'block_card' || c.status === 'active')])),
    registrations: new Map(
      data.registrations.map((r) => [
        r.id,
        links('member', r.id, (a) => {
          switch (a) {
            case 'unlock':
              return r.status === 'locked';
            case 'switch_to_sms':
              return r.authMethod === 'password';
            case 'send_password_reset':
              return r.hasPassword;
            case 'mark_phone_provisional':
              return r.phoneStatus === 'verified';
            default:
              return true;
          }
        }),
      ]),
    ),
  };
}
