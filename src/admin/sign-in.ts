/**
 * Staff sign-in: username + password + a TOTP code (or one recovery code), and the step-up code
 * sensitive actions ask for. Every failure looks the same from outside: the same answer, the same
 * work (a password hash is checked even for an unknown name) and at least the same time; the
 * audit log keeps the real reason for the auditors.
 */
import type { AppDeps } from '../deps.ts';
import { atLeast } from '../flow/pace.ts';
import { verifyPassword } from '../members/password.ts';
import { appendAudit } from './audit-log.ts';
import { looksLikeRecoveryCode, normalisePassword, recoveryCodeHash } from './credentials.ts';
import { countFailure, isLocked, spendRecoveryCode, spendTotpStep, staffByUsername, type StaffRow } from './staff-store.ts';
import { decryptTotpSecret, totpStepFor } from './totp.ts';

/** Longer than the slowest path (two PBKDF2 runs on a busy machine would not fit 400 ms). */
export const SIGN_IN_FLOOR_MS = 800;

/** A PBKDF2 hash of a random password: unknown usernames are checked against it, so they cost the same. */
const DUMMY_HASH = 'pbkdf2-sha256$6x100000$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

export type SignInFailure = 'unknown_user' | 'not_enrolled' | 'disabled' | 'locked' | 'bad_password' | 'bad_code' | 'code_reused';

export type SignInResult = { ok: true; staff: StaffRow; via: 'totp' | 'recovery_code' } | { ok: false; reason: SignInFailure; staff?: StaffRow };

type Deps = Pick<AppDeps, 'db' | 'clock' | 'config' | 'keys'>;

export function signIn(deps: Deps, input: { username: string; password: string; code: string; requestId?: string }): Promise<SignInResult> {
  return atLeast(SIGN_IN_FLOOR_MS, async () => {
    const result = await attempt(deps, input);
    await audit(deps, input, result);
    return result;
  });
}

async function attempt(deps: Deps, input: { username: string; password: string; code: string }): Promise<SignInResult> {
  const now = deps.clock.now();
  const row = await staffByUsername(deps.db, input.username.slice(0, 64));
  // Always the full password check, whoever it is.
  const passwordOk = await verifyPassword(normalisePassword(input.password), row?.passwordHash ?? DUMMY_HASH);
  if (!row) return { ok: false, reason: 'unknown_user' };
  if (row.status === 'disabled') return { ok: false, reason: 'disabled', staff: row };
  if (row.status !== 'active' || !row.passwordHash || !row.totpSecretCipher) return { ok: false, reason: 'not_enrolled', staff: row };
  if (isLocked(row, now)) return { ok: false, reason: 'locked', staff: row };

  const code = input.code.trim().replace(/\s/g, '');
  if (!passwordOk) return fail(deps, row, 'bad_password', now);
  if (/^\d{6}$/.test(code)) {
    const step = totpStepFor(await decryptTotpSecret(deps.config.secrets.PAN_ENCRYPTION_KEY, row.totpSecretCipher), code, now);
    if (step === null) return fail(deps, row, 'bad_code', now);
    if (!(await spendTotpStep(deps.db, row.id, step, now, true))) return fail(deps, row, 'code_reused', now);
    return { ok: true, staff: row, via: 'totp' };
  }
  if (looksLikeRecoveryCode(code) && (await spendRecoveryCode(deps.db, row.id, await recoveryCodeHash(deps.keys.session, code), now))) {
    return { ok: true, staff: row, via: 'recovery_code' };
  }
  return fail(deps, row, 'bad_code', now);
}

async function fail(deps: Deps, row: StaffRow, reason: SignInFailure, now: number): Promise<SignInResult> {
  const locked = await countFailure(deps.db, row.id, now);
  if (locked) {
    await appendAudit(deps.db, {
      at: now,
      actor: { type: 'system', name: 'sign-in' },
      issuerId: row.issuerId,
      action: 'staff.locked',
      target: `staff:${row.id}`,
      detail: { username: row.username, minutes: 15 },
    });
  }
  return { ok: false, reason, staff: row };
}

async function audit(deps: Deps, input: { username: string; requestId?: string }, result: SignInResult): Promise<void> {
  const who = result.staff;
  await appendAudit(deps.db, {
    at: deps.clock.now(),
    actor: who ? { type: 'staff', id: who.id, name: who.username } : { type: 'system', name: 'sign-in' },
    issuerId: who?.issuerId ?? null,
    action: result.ok ? 'staff.sign_in' : 'staff.sign_in_failed',
    target: who ? `staff:${who.id}` : null,
    detail: result.ok ? { via: result.via } : { reason: result.reason, ...(who ? {} : { username: input.username.slice(0, 64) }) },
    requestId: input.requestId ?? null,
  });
}

/**
 * A fresh TOTP code for a sensitive action (staff and role changes, issuer settings, exports).
 * A wrong one counts towards the lock like a failed sign-in; each code works once.
 */
export async function checkStepUp(deps: Deps, row: StaffRow, typed: string | undefined): Promise<boolean> {
  return atLeast(SIGN_IN_FLOOR_MS / 2, async () => {
    const now = deps.clock.now();
    const code = (typed ?? '').trim();
    if (!row.totpSecretCipher || isLocked(row, now)) return false;
    const step = totpStepFor(await decryptTotpSecret(deps.config.secrets.PAN_ENCRYPTION_KEY, row.totpSecretCipher), code, now);
    if (step !== null && (await spendTotpStep(deps.db, row.id, step, now, false))) return true;
    await countFailure(deps.db, row.id, now);
    return false;
  });
}
