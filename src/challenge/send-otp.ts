/**
 * Sending a one-time password: a send slot is claimed atomically on the challenge row (cooldown
 * and a maximum per challenge), a fresh code is issued, and the SMS goes through the gateway.
 */
import { and, eq, isNull, lte, lt, or, sql } from 'drizzle-orm';
import { challenges, outboundLog } from '../db/schema.ts';
import type { AppDeps } from '../deps.ts';
import type { ChallengeContext } from './context.ts';
import { formatAmount } from './format.ts';
import { MESSAGES } from './messages.ts';
import { issueOtp } from './otp.ts';

export type SendOutcome = 'sent' | 'cooldown' | 'limit' | 'failed';

export async function sendOtp(deps: AppDeps, ctx: ChallengeContext): Promise<SendOutcome> {
  const { db, clock, config } = deps;
  const challenge = ctx.challenge;
  const phone = ctx.member?.phone;
  if (!challenge || !phone) return 'failed';
  const now = clock.now();

  const slot = await db
    .update(challenges)
    .set({ sendCount: sql`${challenges.sendCount} + 1`, lastSentAt: now })
    .where(
      and(
        eq(challenges.id, challenge.id),
        lt(challenges.sendCount, config.OTP_MAX_SENDS),
        or(isNull(challenges.lastSentAt), lte(challenges.lastSentAt, now - config.OTP_RESEND_COOLDOWN_SECONDS * 1000)),
      ),
    )
    .returning({ sendCount: challenges.sendCount });
  if (slot.length === 0) {
    const [row] = await db.select({ sendCount: challenges.sendCount }).from(challenges).where(eq(challenges.id, challenge.id));
    return row.sendCount >= config.OTP_MAX_SENDS ? 'limit' : 'cooldown';
  }

  const code = await issueOtp(deps, ctx.txn.acsTransID);
  const t = MESSAGES[ctx.lang];
  const amount = formatAmount(ctx.txn.purchaseAmount, ctx.txn.purchaseCurrency, ctx.txn.purchaseExponent, ctx.lang);
  const issuer = ctx.lang === 'ja' ? config.ISSUER_NAME : config.ISSUER_NAME_EN;
  const body = t.sms(issuer, code, ctx.txn.merchantName ?? '', amount, Math.round(config.OTP_TTL_SECONDS / 60));

  let result;
  try {
    result = await deps.sms.send({ to: phone, body, acsTransID: ctx.txn.acsTransID, otpCode: code });
  } catch (error) {
    result = { ok: false as const, error: String(error), transient: true };
  }
  await db.insert(outboundLog).values({
    channel: 'sms',
    acsTransID: ctx.txn.acsTransID,
    recipient: `****${phone.slice(-4)}`,
    provider: deps.sms.name,
    status: result.ok ? 'sent' : 'failed',
    detail: result.ok ? result.providerMessageId : result.error.slice(0, 500),
    createdAt: clock.now(),
  });
  if (!result.ok) deps.log.warn('otp sms failed', { acsTransID: ctx.txn.acsTransID, provider: deps.sms.name, error: result.error });
  return result.ok ? 'sent' : 'failed';
}

/** Seconds until the next send is allowed (0 when it is). */
export function cooldownLeft(deps: AppDeps, lastSentAt: number | null): number {
  if (lastSentAt === null) return 0;
  return Math.max(0, Math.ceil((lastSentAt + deps.config.OTP_RESEND_COOLDOWN_SECONDS * 1000 - deps.clock.now()) / 1000));
}
