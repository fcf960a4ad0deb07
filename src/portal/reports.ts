/**
 * A cardholder's "this was not me": an authentication in their history, or a change to their
 * registration (from the notification mail's link). Reports are filed by src/portal/reports.ts,
 * closed by src/helpdesk/reports.ts (the helpdesk's queue, /admin/reports, with a note).
 *
 * @example
 *   const r = await fileReport(deps, { member, kind: 'transaction', acsTransID, note: '' })
 *   r.created // false when this authentication was reported already
 */
import { and, eq } from 'drizzle-orm';
import { appendAudit } from '../admin/audit-log.ts';
import { memberReports, type MemberReportKind } from '../db/schema.ts';
import type { AppDeps } from '../deps.ts';

export type ReportedChange = 'password' | 'phone' | 'email' | 'personal_message';

export interface ReportInput {
  member: { id: number; loginId: string; issuerId: number };
  kind: MemberReportKind;
  /** The authentication reported (kind transaction): the caller checked it is the member's. */
  acsTransID?: string;
  /** What changed (kind account_change). */
  change?: ReportedChange;
  /** The cardholder's own words (at most 500 characters). */
  note?: string;
  requestId?: string | null;
}

export type ReportResult = { created: true; id: number } | { created: false; id: number };

/** Files the report (once per authentication) and audits it with the member as actor. */
export async function fileReport(deps: Pick<AppDeps, 'db' | 'clock'>, input: ReportInput): Promise<ReportResult> {
  const now = deps.clock.now();
  const [row] = await deps.db
    .insert(memberReports)
    .values({
      issuerId: input.member.issuerId,
      memberId: input.member.id,
      kind: input.kind,
      acsTransID: input.acsTransID ?? null,
      change: input.change ?? null,
      note: (input.note ?? '').slice(0, 500),
      createdAt: now,
    })
    .onConflictDoNothing()
    .returning({ id: memberReports.id });
  if (!row) {
    const existing = await deps.db
      .select({ id: memberReports.id })
      .from(memberReports)
      .where(and(eq(memberReports.memberId, input.member.id), eq(memberReports.acsTransID, input.acsTransID ?? '')))
      .get();
    return { created: false, id: existing?.id ?? 0 };
  }
  await appendAudit(deps.db, {
    at: now,
    actor: { type: 'member', id: input.member.id, name: input.member.loginId },
    issuerId: input.member.issuerId,
    action: input.kind === 'transaction' ? 'member.report.transaction' : 'member.report.change',
    target: input.acsTransID ? `transaction:${input.acsTransID}` : `member:${input.member.id}`,
    detail: { reportId: row.id, change: input.change ?? null },
    requestId: input.requestId ?? null,
  });
  return { created: true, id: row.id };
}
