/**
 * What can be done to a staff account, each with its audit row (before and after): the console's
 * routes and `npm run staff` both call these. Whether the caller may do it is the caller's check
 * (roles.ts); these only keep the account consistent.
 */
import type { AppDeps } from '../deps.ts';
import { appendAudit, type AuditActor } from './audit-log.ts';
import { endAllSessions } from './sessions.ts';
import { clearCredentials, insertStaff, isLocked, issueEnrolment, setStaff, unlockStaff, type StaffRole, type StaffRow } from './staff-store.ts';

type Deps = Pick<AppDeps, 'db' | 'clock' | 'config'>;

export interface ActingAs {
  actor: AuditActor;
  requestId?: string | null;
}

/** The link a new or reset account enrols with. */
export function enrolmentLink(config: AppDeps['config'], token: string): string {
  return `${config.PUBLIC_URL}/admin/enrol/${token}`;
}

export async function inviteStaff(
  deps: Deps,
  by: ActingAs,
  input: { username: string; displayName: string; role: StaffRole; issuerId: number | null },
): Promise<{ ok: true; staff: StaffRow; link: string } | { ok: false; reason: 'username_taken' }> {
  const now = deps.clock.now();
  const row = await insertStaff(deps.db, input, now);
  if (!row) return { ok: false, reason: 'username_taken' };
  const token = await issueEnrolment(deps.db, row.id, now);
  await audit(deps, by, row, 'staff.invite', undefined, { username: row.username, displayName: row.displayName, role: row.role, issuerId: row.issuerId });
  return { ok: true, staff: row, link: enrolmentLink(deps.config, token) };
}

export async function disableStaff(deps: Deps, by: ActingAs, target: StaffRow): Promise<void> {
  await setStaff(deps.db, target.id, { status: 'disabled' }, deps.clock.now());
  await endAllSessions(deps.db, target.id);
  await audit(deps, by, target, 'staff.disable', { status: target.status }, { status: 'disabled' });
}

/** Back to active, or to invited when the person never finished enrolling. */
export async function enableStaff(deps: Deps, by: ActingAs, target: StaffRow): Promise<void> {
  const status = target.totpSecretCipher ? 'active' : 'invited';
  await setStaff(deps.db, target.id, { status }, deps.clock.now());
  await audit(deps, by, target, 'staff.enable', { status: target.status }, { status });
}

export async function unlockStaffAccount(deps: Deps, by: ActingAs, target: StaffRow): Promise<void> {
  const now = deps.clock.now();
  await unlockStaff(deps.db, target.id, now);
  await audit(deps, by, target, 'staff.unlock', { locked: isLocked(target, now), failedAttempts: target.failedAttempts }, { locked: false, failedAttempts: 0 });
}

/** Password, TOTP and recovery codes gone, every session ended; returns the new enrolment link. */
export async function resetSignIn(deps: Deps, by: ActingAs, target: StaffRow): Promise<string> {
  const now = deps.clock.now();
  await clearCredentials(deps.db, target.id, now);
  await endAllSessions(deps.db, target.id);
  const token = await issueEnrolment(deps.db, target.id, now);
  await audit(deps, by, target, 'staff.reset', { status: target.status, enrolled: !!target.totpSecretCipher }, { status: 'invited', enrolled: false });
  return enrolmentLink(deps.config, token);
}

/** A new role takes effect at the next sign-in: the person's sessions end now. */
export async function changeRole(deps: Deps, by: ActingAs, target: StaffRow, role: StaffRole): Promise<void> {
  await setStaff(deps.db, target.id, { role }, deps.clock.now());
  await endAllSessions(deps.db, target.id);
  await audit(deps, by, target, 'staff.role', { role: target.role }, { role });
}

function audit(deps: Deps, by: ActingAs, target: StaffRow, action: string, before: unknown, after: unknown) {
  return appendAudit(deps.db, {
    at: deps.clock.now(),
    actor: by.actor,
    issuerId: target.issuerId,
    action,
    target: `staff:${target.id}`,
    detail: { username: target.username, ...(before === undefined ? {} : { before }), after },
    requestId: by.requestId ?? null,
  });
}
