/**
 * One-time passwords: 6 digits from a CSPRNG, stored only as a keyed hash bound to the
 * acsTransID, single use, expiring. A new code replaces the previous one.
 */
import { and, eq, gt, isNull } from 'drizzle-orm';
import { otps } from '../db/schema.ts';
import type { AppDeps } from '../deps.ts';
import { hmacHex } from '../encoding.ts';

/** 000000–999999 without modulo bias: values past the last whole million are drawn again. */
export function generateOtp(): string {
  const limit = Math.floor(2 ** 32 / 1_000_000) * 1_000_000;
  const buf = new Uint32Array(1);
  do crypto.getRandomValues(buf);
  while (buf[0] >= limit);
  return String(buf[0] % 1_000_000).padStart(6, '0');
}

function otpHash(deps: AppDeps, acsTransID: string, code: string): Promise<string> {
  return hmacHex(deps.keys.session, `otp|${acsTransID}|${code}`);
}

/** Makes a fresh code for the transaction and retires any earlier one; returns the code to send. */
export async function issueOtp(deps: AppDeps, acsTransID: string): Promise<string> {
  const now = deps.clock.now();
  const code = generateOtp();
  await deps.db.batch([
    deps.db.update(otps).set({ usedAt: now }).where(and(eq(otps.acsTransID, acsTransID), isNull(otps.usedAt))),
    deps.db.insert(otps).values({
      acsTransID,
      codeHash: await otpHash(deps, acsTransID, code),
      expiresAt: now + deps.config.OTP_TTL_SECONDS * 1000,
      createdAt: now,
    }),
  ]);
  return code;
}

/**
 * Uses the code if it is the live one: one guarded UPDATE, so two concurrent submits of the same
 * code cannot both succeed. `apply` false does the same work without consuming (wrong member ID).
 */
export async function consumeOtp(deps: AppDeps, acsTransID: string, code: string, apply = true): Promise<boolean> {
  const now = deps.clock.now();
  const codeHash = await otpHash(deps, acsTransID, /^\d{6}$/.test(code) ? code : 'invalid');
  const live = and(eq(otps.acsTransID, acsTransID), eq(otps.codeHash, codeHash), isNull(otps.usedAt), gt(otps.expiresAt, now));
  if (!apply) {
    await deps.db.select({ id: otps.id }).from(otps).where(live);
    return false;
  }
  const used = await deps.db.update(otps).set({ usedAt: now }).where(live).returning({ id: otps.id });
  return used.length === 1;
}
