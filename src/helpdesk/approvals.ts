/**
 * Four eyes (maker-checker): per issuer, a helpdesk action may wait for a second person. Filing
 * writes a pending `staff_requests` row that expires after the issuer's TTL; a different person
 * with `requests.decide` approves or rejects it; the requester may withdraw it. Every state move
 * is one guarded UPDATE … WHERE state = 'pending' (and, to approve, not expired and not the
 * requester's own), so of two concurrent decisions exactly one wins, and an approval carries the
 * action out exactly once: the move first, then `applyAction`. Expiry is lazy: a pending row past
 * its time is moved to expired whenever the queue is read or a decision is tried.
 */
import { and, desc, eq, gt, inArray, lte, ne, sql, type SQL } from 'drizzle-orm';
import type { Bi } from '../../views/i18n.ts';
import { appendAudit } from '../admin/audit-log.ts';
import { auditLog, staff, staffRequests, type ApprovalState } from '../db/schema.ts';
import type { AppDeps } from '../deps.ts';
import type { Issuer } from '../issuers/issuer-store.ts';
import { maskPhone } from '../messaging/phone-mask.ts';
import { applyAction, loadTarget, parseTargetRef, readPayload, type Actor, type ActionTarget, type ApplyResult, type Payload } from './actions.ts';
import { needsApproval, type HelpdeskAction } from './catalogue.ts';

export type StaffRequest = typeof staffRequests.$inferSelect;

/** Whether this issuer wants a second person for the action (its policy, else the catalogue's default). */
export function approvalRequired(issuer: Pick<Issuer, 'approvalPolicy'>, action: HelpdeskAction): boolean {
  return needsApproval(issuer.approvalPolicy ?? {}, action);
}

/** A payload as pages and the audit log show it: phone numbers masked. */
export function maskedPayload(payload: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(payload).map(([k, v]) => [k, k === 'phone' && typeof v === 'string' ? maskPhone(v) : v]));
}

export type FileResult = { ok: true; request: StaffRequest } | { ok: false; why: 'already_pending'; request: StaffRequest };

/** Files a request instead of applying the action; one pending request per action and target at a time. */
export async function fileRequest(
  deps: AppDeps,
  input: { issuer: Pick<Issuer, 'id' | 'approvalTtlMinutes'>; action: HelpdeskAction; target: ActionTarget; payload: Payload; reason: string; requester: Actor; httpRequestId?: string | null },
): Promise<FileResult> {
  const now = deps.clock.now();
  await expireDue(deps, eq(staffRequests.target, input.target.ref));
  const waiting = await deps.db
    .select()
    .from(staffRequests)
    .where(and(eq(staffRequests.target, input.target.ref), eq(staffRequests.action, input.action), eq(staffRequests.state, 'pending')))
    .get();
  if (waiting) return { ok: false, why: 'already_pending', request: waiting };
  const [request] = await deps.db
    .insert(staffRequests)
    .values({
      issuerId: input.issuer.id,
      action: input.action,
      target: input.target.ref,
      payload: JSON.stringify(input.payload),
      reason: input.reason,
      requestedBy: input.requester.id,
      requestedAt: now,
      expiresAt: now + input.issuer.approvalTtlMinutes * 60_000,
    })
    .returning();
  await appendAudit(deps.db, {
    at: now,
    actor: { type: 'staff', id: input.requester.id, name: input.requester.name },
    issuerId: input.issuer.id,
    action: 'helpdesk.request',
    target: input.target.ref,
    detail: { requestId: request.id, action: input.action, reason: input.reason, payload: maskedPayload(input.payload), expiresAt: request.expiresAt },
    requestId: input.httpRequestId ?? null,
  });
  return { ok: true, request };
}

/** Moves pending requests past their time to expired (audited, by the system); `where` narrows which are looked at. */
export async function expireDue(deps: AppDeps, where?: SQL): Promise<void> {
  const now = deps.clock.now();
  const expired = await deps.db
    .update(staffRequests)
    .set({ state: 'expired', decidedAt: now })
    .where(and(eq(staffRequests.state, 'pending'), lte(staffRequests.expiresAt, now), where))
    .returning();
  for (const r of expired) {
    await appendAudit(deps.db, {
      at: now,
      actor: { type: 'system', name: 'four-eyes' },
      issuerId: r.issuerId,
      action: 'helpdesk.expire',
      target: r.target,
      detail: { requestId: r.id, action: r.action, expiresAt: r.expiresAt },
    });
  }
}

/** A request with who filed and who decided it, as the queue and its page show it. */
export interface RequestView extends StaffRequest {
  requesterName: string;
  deciderName: string | null;
}

async function withNames(deps: AppDeps, rows: StaffRequest[]): Promise<RequestView[]> {
  const ids = [...new Set(rows.flatMap((r) => [r.requestedBy, ...(r.decidedBy ? [r.decidedBy] : [])]))];
  const names = new Map(ids.length ? (await deps.db.select({ id: staff.id, username: staff.username }).from(staff).where(inArray(staff.id, ids))).map((s) => [s.id, s.username]) : []);
  return rows.map((r) => ({ ...r, requesterName: names.get(r.requestedBy) ?? `staff:${r.requestedBy}`, deciderName: r.decidedBy ? (names.get(r.decidedBy) ?? `staff:${r.decidedBy}`) : null }));
}

/** The queue of these issuers (null: every issuer): pending first, oldest first; then the recently decided. */
export async function listRequests(deps: AppDeps, issuerIds: number[] | null, recent = 20): Promise<{ pending: RequestView[]; decided: RequestView[] }> {
  const scope = issuerIds === null ? undefined : inArray(staffRequests.issuerId, issuerIds.length ? issuerIds : [-1]);
  await expireDue(deps, scope);
  const pending = await deps.db.select().from(staffRequests).where(and(scope, eq(staffRequests.state, 'pending'))).orderBy(staffRequests.requestedAt, staffRequests.id);
  const decided = await deps.db.select().from(staffRequests).where(and(scope, ne(staffRequests.state, 'pending'))).orderBy(desc(staffRequests.decidedAt), desc(staffRequests.id)).limit(recent);
  return { pending: await withNames(deps, pending), decided: await withNames(deps, decided) };
}

export async function findRequest(deps: AppDeps, id: number): Promise<RequestView | undefined> {
  await expireDue(deps, eq(staffRequests.id, id));
  const row = await deps.db.select().from(staffRequests).where(eq(staffRequests.id, id)).get();
  return row && (await withNames(deps, [row]))[0];
}

export type DecideResult =
  | { ok: true; state: 'approved'; applied: ApplyResult }
  | { ok: true; state: 'rejected' | 'withdrawn' }
  | { ok: false; why: 'own_request' | 'not_own_request' | 'expired' | 'not_pending' };

/**
 * Approves (and then carries out) or rejects a pending request; the requester can never decide
 * their own. Refused on an expired request, which is then marked expired.
 */
export async function decideRequest(
  deps: AppDeps,
  input: { request: StaffRequest; decision: 'approve' | 'reject'; decider: Actor; note: string; httpRequestId?: string | null },
): Promise<DecideResult> {
  const { request, decider } = input;
  if (request.requestedBy === decider.id) return { ok: false, why: 'own_request' };
  const now = deps.clock.now();
  const state: ApprovalState = input.decision === 'approve' ? 'approved' : 'rejected';
  const moved = await deps.db
    .update(staffRequests)
    .set({ state, decidedBy: decider.id, decidedAt: now, decisionNote: input.note || null })
    .where(and(eq(staffRequests.id, request.id), eq(staffRequests.state, 'pending'), gt(staffRequests.expiresAt, now), ne(staffRequests.requestedBy, decider.id)))
    .returning();
  if (moved.length !== 1) {
    await expireDue(deps, eq(staffRequests.id, request.id));
    const now2 = await deps.db.select({ state: staffRequests.state }).from(staffRequests).where(eq(staffRequests.id, request.id)).get();
    return { ok: false, why: now2?.state === 'expired' ? 'expired' : 'not_pending' };
  }
  const requester = await deps.db.select({ id: staff.id, username: staff.username }).from(staff).where(eq(staff.id, request.requestedBy)).get();
  const requestedBy = { id: request.requestedBy, name: requester?.username ?? `staff:${request.requestedBy}` };
  const base = { requestId: request.id, action: request.action, note: input.note, requestedBy };

  if (state === 'rejected') {
    await audit(deps, decider, request, 'helpdesk.reject', base, input.httpRequestId);
    return { ok: true, state };
  }
  // Approved: carry it out once, on the target as it is now.
  const ref = parseTargetRef(request.target);
  const target = ref && (await loadTarget(deps.db, ref.kind, ref.id));
  const payload = readPayload(request.action, safeJson(request.payload));
  const applied: ApplyResult =
    target && payload
      ? await applyAction(deps, { action: request.action, target, payload, reason: request.reason, actor: decider, request: { id: request.id, requestedBy }, httpRequestId: input.httpRequestId })
      : { ok: false, why: { ja: '対象が見つかりません（削除された可能性があります）。', en: 'The target is gone (it may have been removed).' } };
  await audit(deps, decider, request, 'helpdesk.approve', { ...base, applied: applied.ok, ...(applied.ok ? { auditId: applied.auditId } : { notApplied: applied.why }) }, input.httpRequestId);
  return { ok: true, state, applied };
}

/** The requester takes their own pending request back. */
export async function withdrawRequest(deps: AppDeps, input: { request: StaffRequest; requester: Actor; httpRequestId?: string | null }): Promise<DecideResult> {
  if (input.request.requestedBy !== input.requester.id) return { ok: false, why: 'not_own_request' };
  const now = deps.clock.now();
  const moved = await deps.db
    .update(staffRequests)
    .set({ state: 'withdrawn', decidedBy: input.requester.id, decidedAt: now })
    .where(and(eq(staffRequests.id, input.request.id), eq(staffRequests.state, 'pending'), eq(staffRequests.requestedBy, input.requester.id), gt(staffRequests.expiresAt, now)))
    .returning();
  if (moved.length !== 1) {
    await expireDue(deps, eq(staffRequests.id, input.request.id));
    return { ok: false, why: 'not_pending' };
  }
  await audit(deps, input.requester, input.request, 'helpdesk.withdraw', { requestId: input.request.id, action: input.request.action }, input.httpRequestId);
  return { ok: true, state: 'withdrawn' };
}

function audit(deps: AppDeps, actor: Actor, request: StaffRequest, action: string, detail: Record<string, unknown>, requestId?: string | null) {
  return appendAudit(deps.db, { at: deps.clock.now(), actor: { type: 'staff', id: actor.id, name: actor.name }, issuerId: request.issuerId, action, target: request.target, detail, requestId: requestId ?? null });
}

export function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The action's own audit row that carried out this request, if it was carried out. */
export function appliedRow(deps: AppDeps, request: StaffRequest) {
  return deps.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.target, request.target), eq(auditLog.action, `helpdesk.${request.action}`), sql`json_extract(${auditLog.detail}, '$.requestId') = ${request.id}`))
    .get();
}

/** The approval's own audit row: whether it was carried out, and if not, why. */
export async function decisionRow(deps: AppDeps, request: StaffRequest): Promise<{ applied: boolean; notApplied?: Bi } | undefined> {
  const row = await deps.db
    .select({ detail: auditLog.detail })
    .from(auditLog)
    .where(and(eq(auditLog.target, request.target), eq(auditLog.action, 'helpdesk.approve'), sql`json_extract(${auditLog.detail}, '$.requestId') = ${request.id}`))
    .get();
  return row ? (safeJson(row.detail) as { applied: boolean; notApplied?: Bi }) : undefined;
}

/** Every request on these targets, newest first (the cardholder page lists them). */
export async function requestsOn(deps: AppDeps, targets: string[]): Promise<RequestView[]> {
  if (targets.length === 0) return [];
  await expireDue(deps, inArray(staffRequests.target, targets));
  return withNames(deps, await deps.db.select().from(staffRequests).where(inArray(staffRequests.target, targets)).orderBy(desc(staffRequests.requestedAt)));
}
