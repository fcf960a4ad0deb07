/**
 * One-time codes of a flow: 6 digits from a CSPRNG, stored only as a keyed hash bound to the flow
 * id, single use, expiring. A stored code is a code that went out: the row is written only after
 * the delivery succeeded, and it retires the flow's earlier codes; a failed delivery stores
 * nothing and leaves the earlier code valid.
 *
 * A retired code gets its expiry set to now; `usedAt` is set only by a correct entry, so a code
 * with `usedAt` is one that was answered right (a repeat of it is not a wrong code).
 */
import { and, eq, gt, isNotNull, isNull } from 'drizzle-orm';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/client.ts';
import { otps } from '../db/schema.ts';
import { hmacHex } from '../encoding.ts';
import type { Keys } from '../keys.ts';

export interface CodeDeps {
  db: Database;
  clock: Clock;
  keys: Pick<Keys, 'session'>;
}

/** What consuming a code found: the live code (now used), the code a correct entry already used, or neither. */
export type CodeCheck = 'consumed' | 'consumed_before' | 'wrong';

/** A well-formed code, as the cardholder must type it (after `normaliseEntry`). */
export const CODE_PATTERN = /^\d{6}$/;

/** 000000–999999 without modulo bias: values past the last whole million are drawn again. */
export function generateCode(): string {
  const limit = Math.floor(2 ** 32 / 1_000_000) * 1_000_000;
  const buf = new Uint32Array(1);
  do crypto.getRandomValues(buf);
  while (buf[0] >= limit);
  return String(buf[0] % 1_000_000).padStart(6, '0');
}

function codeHash(deps: CodeDeps, flowId: string, code: string): Promise<string> {
  return hmacHex(deps.keys.session, `otp|${flowId}|${code}`);
}

/**
 * Makes a fresh code for the flow and hands it to `deliver`; only when that reports it sent is
 * the code stored (and the earlier ones retired). Returns the code when it went out.
 */
export async function issueCode(deps: CodeDeps, flowId: string, ttlMs: number, deliver: (code: string) => Promise<boolean>): Promise<string | undefined> {
  const code = generateCode();
  if (!(await deliver(code))) return undefined;
  const now = deps.clock.now();
  await deps.db.batch([
    deps.db.update(otps).set({ expiresAt: now }).where(and(eq(otps.flowId, flowId), isNull(otps.usedAt), gt(otps.expiresAt, now))),
    deps.db.insert(otps).values({ flowId, codeHash: await codeHash(deps, flowId, code), expiresAt: now + ttlMs, createdAt: now }),
  ]);
  return code;
}

/**
 * Uses the code if it is the flow's live one: one guarded UPDATE, so of two concurrent entries of
 * the right code exactly one consumes it (the other learns `consumed_before`). `apply` false does
 * the same work without consuming (the member ID was wrong, or the attempt is over the limit).
 */
export async function consumeCode(deps: CodeDeps, flowId: string, code: string, apply = true): Promise<CodeCheck> {
  const now = deps.clock.now();
  const hash = await codeHash(deps, flowId, CODE_PATTERN.test(code) ? code : 'invalid');
  const mine = and(eq(otps.flowId, flowId), eq(otps.codeHash, hash));
  if (!apply) {
    await deps.db.select({ id: otps.id }).from(otps).where(and(mine, isNull(otps.usedAt), gt(otps.expiresAt, now)));
    return 'wrong';
  }
  const used = await deps.db.update(otps).set({ usedAt: now }).where(and(mine, isNull(otps.usedAt), gt(otps.expiresAt, now))).returning({ id: otps.id });
  if (used.length === 1) return 'consumed';
  const before = await deps.db.select({ id: otps.id }).from(otps).where(and(mine, isNotNull(otps.usedAt))).get();
  return before ? 'consumed_before' : 'wrong';
}

/** Whether any code went out in this flow (the page must never say one was sent when none was). */
export async function codeWasSent(db: Database, flowId: string): Promise<boolean> {
  return (await db.$count(otps, eq(otps.flowId, flowId))) > 0;
}
