/**
 * Staff accounts: the only module that writes `staff`, `staff_enrolments` and
 * `staff_recovery_codes`. Counters, locks and "a TOTP step is used once" are single guarded
 * UPDATEs, so they hold with any number of processes on one database.
 */
import { and, asc, eq, isNull, lt, lte, or, sql } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { staff, staffEnrolments, staffRecoveryCodes, type StaffRole } from '../db/schema.ts';
import { bytesToBase64url, sha256Hex } from '../encoding.ts';

export type StaffRow = typeof staff.$inferSelect;

export const ENROLMENT_TTL_MS = 24 * 60 * 60 * 1000;
export const MAX_FAILED_SIGN_INS = 5;
export const LOCK_MS = 15 * 60 * 1000;

export const USERNAME_PATTERN = /^[a-z0-9][a-z0-9._-]{2,31}$/;

export function normaliseUsername(typed: string): string {
  return typed.trim().toLowerCase();
}

export async function staffById(db: Database, id: number): Promise<StaffRow | undefined> {
  return db.select().from(staff).where(eq(staff.id, id)).get();
}

export async function staffByUsername(db: Database, username: string): Promise<StaffRow | undefined> {
  return db.select().from(staff).where(eq(staff.username, normaliseUsername(username))).get();
}

/** Everyone, or one issuer's staff; platform administrators belong to no issuer. */
export async function listStaff(db: Database, issuerId: number | null): Promise<StaffRow[]> {
  const q = db.select().from(staff);
  return (issuerId === null ? q : q.where(eq(staff.issuerId, issuerId))).orderBy(asc(staff.username));
}

export async function insertStaff(
  db: Database,
  values: { username: string; displayName: string; role: StaffRole; issuerId: number | null },
  now: number,
): Promise<StaffRow | undefined> {
  const [row] = await db
    .insert(staff)
    .values({ ...values, username: normaliseUsername(values.username), status: 'invited', createdAt: now, updatedAt: now })
    .onConflictDoNothing({ target: staff.username })
    .returning();
  return row;
}

export async function setStaff(db: Database, id: number, values: Partial<Pick<StaffRow, 'role' | 'status' | 'displayName'>>, now: number): Promise<void> {
  await db.update(staff).set({ ...values, updatedAt: now }).where(eq(staff.id, id));
}

// ─── Enrolment ──────────────────────────────────────────────────────────────────

/**
 * A new one-time enrolment link for a staff member (valid 24 h); earlier unused links of the same
 * person stop working. Returns the token: only its SHA-256 is stored.
 */
export async function issueEnrolment(db: Database, staffId: number, now: number): Promise<string> {
  const token = bytesToBase64url(crypto.getRandomValues(new Uint8Array(32)));
  await db.update(staffEnrolments).set({ expiresAt: now }).where(and(eq(staffEnrolments.staffId, staffId), isNull(staffEnrolments.usedAt)));
  await db.insert(staffEnrolments).values({ id: await sha256Hex(token), staffId, expiresAt: now + ENROLMENT_TTL_MS, createdAt: now });
  return token;
}

export type Enrolment = typeof staffEnrolments.$inferSelect;

/** The open enrolment behind a token, with its staff member; undefined when used, expired or unknown. */
export async function openEnrolment(db: Database, token: string, now: number): Promise<{ enrolment: Enrolment; member: StaffRow } | undefined> {
  if (!/^[\w-]{43}$/.test(token)) return undefined;
  const enrolment = await db.select().from(staffEnrolments).where(eq(staffEnrolments.id, await sha256Hex(token))).get();
  if (!enrolment || enrolment.usedAt !== null || enrolment.expiresAt <= now) return undefined;
  const member = await staffById(db, enrolment.staffId);
  if (!member || member.status === 'disabled') return undefined;
  return { enrolment, member };
}

/** Step 1 of enrolment: the chosen password; credentials of an earlier enrolment stop working. */
export async function setEnrolmentPassword(db: Database, enrolment: Enrolment, passwordHash: string, pendingTotpCipher: string, now: number): Promise<void> {
  await db.batch([
    db
      .update(staff)
      .set({ passwordHash, totpSecretCipher: null, lastTotpStep: null, status: 'invited', updatedAt: now })
      .where(eq(staff.id, enrolment.staffId)),
    db.update(staffEnrolments).set({ passwordSetAt: now, pendingTotpCipher }).where(eq(staffEnrolments.id, enrolment.id)),
  ]);
}

/**
 * Step 2: a code confirmed the authenticator. The secret becomes the account's, the step is
 * spent, the recovery codes are replaced, the link is used up and the account is active, in
 * one batch. False when the link was used meanwhile (a second tab).
 */
export async function completeEnrolment(
  db: Database,
  enrolment: Enrolment,
  totpStep: number,
  recoveryCodeHashes: string[],
  now: number,
): Promise<boolean> {
  const claimed = await db
    .update(staffEnrolments)
    .set({ usedAt: now })
    .where(and(eq(staffEnrolments.id, enrolment.id), isNull(staffEnrolments.usedAt)))
    .returning({ id: staffEnrolments.id });
  if (claimed.length === 0) return false;
  await db.batch([
    db
      .update(staff)
      .set({ totpSecretCipher: enrolment.pendingTotpCipher, lastTotpStep: totpStep, status: 'active', failedAttempts: 0, lockedUntil: null, lastSignInAt: now, updatedAt: now })
      .where(eq(staff.id, enrolment.staffId)),
    db.delete(staffRecoveryCodes).where(eq(staffRecoveryCodes.staffId, enrolment.staffId)),
    db.insert(staffRecoveryCodes).values(recoveryCodeHashes.map((codeHash) => ({ staffId: enrolment.staffId, codeHash, createdAt: now }))),
  ]);
  return true;
}

/** A reset: credentials gone, the person must enrol again (a new link is issued by the caller). */
export async function clearCredentials(db: Database, id: number, now: number): Promise<void> {
  await db.batch([
    db.update(staff).set({ passwordHash: null, totpSecretCipher: null, lastTotpStep: null, status: 'invited', failedAttempts: 0, lockedUntil: null, updatedAt: now }).where(eq(staff.id, id)),
    db.delete(staffRecoveryCodes).where(eq(staffRecoveryCodes.staffId, id)),
  ]);
}

// ─── Sign-in counters ───────────────────────────────────────────────────────────

export function isLocked(row: Pick<StaffRow, 'lockedUntil'>, now: number): boolean {
  return row.lockedUntil !== null && row.lockedUntil > now;
}

/**
 * Counts a failed sign-in (or step-up code) unless the account is locked already; the fifth locks
 * it for 15 minutes and starts the count again. Returns whether this failure locked it.
 */
export async function countFailure(db: Database, id: number, now: number): Promise<boolean> {
  const [row] = await db
    .update(staff)
    .set({
      failedAttempts: sql`CASE WHEN ${staff.failedAttempts} + 1 >= ${MAX_FAILED_SIGN_INS} THEN 0 ELSE ${staff.failedAttempts} + 1 END`,
      lockedUntil: sql`CASE WHEN ${staff.failedAttempts} + 1 >= ${MAX_FAILED_SIGN_INS} THEN ${now + LOCK_MS} ELSE ${staff.lockedUntil} END`,
    })
    .where(and(eq(staff.id, id), or(isNull(staff.lockedUntil), lte(staff.lockedUntil, now))))
    .returning({ lockedUntil: staff.lockedUntil });
  return !!row && row.lockedUntil !== null && row.lockedUntil > now;
}

/**
 * Spends a TOTP step: succeeds only for an active, unlocked account whose last accepted step is
 * older, so a code works once. `signIn` also clears the failure count and stamps the sign-in.
 */
export async function spendTotpStep(db: Database, id: number, step: number, now: number, signIn: boolean): Promise<boolean> {
  const rows = await db
    .update(staff)
    .set({ lastTotpStep: step, ...(signIn ? { failedAttempts: 0, lastSignInAt: now } : {}) })
    .where(
      and(
        eq(staff.id, id),
        eq(staff.status, 'active'),
        or(isNull(staff.lockedUntil), lte(staff.lockedUntil, now)),
        or(isNull(staff.lastTotpStep), lt(staff.lastTotpStep, step)),
      ),
    )
    .returning({ id: staff.id });
  return rows.length === 1;
}

/** Spends a recovery code (once), then signs in like a TOTP code would. */
export async function spendRecoveryCode(db: Database, id: number, codeHash: string, now: number): Promise<boolean> {
  const account = await db
    .select({ id: staff.id })
    .from(staff)
    .where(and(eq(staff.id, id), eq(staff.status, 'active'), or(isNull(staff.lockedUntil), lte(staff.lockedUntil, now))))
    .get();
  if (!account) return false;
  const used = await db
    .update(staffRecoveryCodes)
    .set({ usedAt: now })
    .where(and(eq(staffRecoveryCodes.staffId, id), eq(staffRecoveryCodes.codeHash, codeHash), isNull(staffRecoveryCodes.usedAt)))
    .returning({ id: staffRecoveryCodes.id });
  if (used.length === 0) return false;
  await db.update(staff).set({ failedAttempts: 0, lastSignInAt: now }).where(eq(staff.id, id));
  return true;
}

export async function recoveryCodesLeft(db: Database, id: number): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)` })
    .from(staffRecoveryCodes)
    .where(and(eq(staffRecoveryCodes.staffId, id), isNull(staffRecoveryCodes.usedAt)));
  return Number(row?.n ?? 0);
}

export async function unlockStaff(db: Database, id: number, now: number): Promise<void> {
  await db.update(staff).set({ failedAttempts: 0, lockedUntil: null, updatedAt: now }).where(eq(staff.id, id));
}

export type { StaffRole };
