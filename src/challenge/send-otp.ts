/**
 * Sending a one-time password. In order, each step able to stop the send:
 *
 * 1. a send slot is claimed atomically on the challenge row (cooldown, maximum per challenge);
 * 2. the delivery policy (messaging/policy.ts): never a provisional number, only allowed
 *    countries; then the circuit breaker must accept sends; then the per-phone, per-IP and per-BIN
 *    windows are counted (one atomic UPSERT each);
 * 3. the breaker lets this send through (or makes it the probe);
 * 4. a fresh code is issued and the SMS goes out with retries (messaging/deliver.ts).
 *
 * A refusal leaves the earlier code valid, is recorded in the outbound log, and tells the page
 * what to say (`sendFailureText`). Nothing here throws for a provider or policy problem.
 */
import { and, eq, isNull, lte, lt, or, sql } from 'drizzle-orm';
import { challenges } from '../db/schema.ts';
import type { AppDeps } from '../deps.ts';
import { acquireSend, breakerView, readBreaker } from '../messaging/breaker.ts';
import { deliverSms, maskNumber, recordRefusal } from '../messaging/deliver.ts';
import { checkDestination, countSend, type SmsRefusal } from '../messaging/policy.ts';
import type { ChallengeContext } from './context.ts';
import { formatAmount } from './format.ts';
import { MESSAGES, type Messages } from './messages.ts';
import { issueOtp } from './otp.ts';

export type SendOutcome = 'sent' | 'cooldown' | 'limit' | 'failed';

/** Why a send ended `failed`: refused by the policy, by the breaker, or the provider failed. */
export type SendRefusal = SmsRefusal | 'unavailable' | 'provider';

export interface SendResult {
  outcome: SendOutcome;
  refusal?: SendRefusal;
}

/** The outcome only, as the challenge strategies use it. */
export async function sendOtp(deps: AppDeps, ctx: ChallengeContext): Promise<SendOutcome> {
  return (await sendOtpFor(deps, ctx)).outcome;
}

export async function sendOtpFor(deps: AppDeps, ctx: ChallengeContext): Promise<SendResult> {
  const { db, clock, config } = deps;
  const challenge = ctx.challenge;
  const member = ctx.member;
  const phone = member?.phone;
  if (!challenge || !member || !phone) return { outcome: 'failed', refusal: 'provisional' };
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
    return { outcome: row.sendCount >= config.OTP_MAX_SENDS ? 'limit' : 'cooldown' };
  }

  const acsTransID = ctx.txn.acsTransID;
  const refuse = async (refusal: SendRefusal, detail: string): Promise<SendResult> => {
    await recordRefusal(deps, { to: phone, acsTransID }, refusal, detail);
    deps.log.warn('otp sms refused', { acsTransID, refusal, detail, to: maskNumber(phone) });
    return { outcome: 'failed', refusal };
  };

  const destination = await checkDestination(deps, { phone, phoneStatus: member.phoneStatus, cardholderId: member.cardholderId });
  if (!destination.ok) return refuse(destination.refusal, destination.detail);
  // An open breaker refuses before anything is counted.
  if (breakerView(await readBreaker(deps), clock.now(), deps).sends === 'no') return refuse('unavailable', 'circuit breaker open');
  const counted = await countSend(deps, { phone, clientIp: ctx.clientIp, bin: binOf(ctx) });
  if (!counted.ok) return refuse(counted.refusal, counted.detail);
  const permit = await acquireSend(deps);
  if (!permit.ok) return refuse('unavailable', 'circuit breaker open (another send is the probe)');

  const code = await issueOtp(deps, acsTransID);
  const t = MESSAGES[ctx.lang];
  const amount = formatAmount(ctx.txn.purchaseAmount, ctx.txn.purchaseCurrency, ctx.txn.purchaseExponent, ctx.lang);
  const issuer = ctx.lang === 'ja' ? (config.SMS_ISSUER_NAME ?? config.ISSUER_NAME) : (config.SMS_ISSUER_NAME_EN ?? config.ISSUER_NAME_EN);
  const body = t.sms(issuer, code, ctx.txn.merchantName ?? '', amount, Math.round(config.OTP_TTL_SECONDS / 60));

  const delivery = await deliverSms(deps, { to: phone, body, acsTransID, otpCode: code }, { probe: permit.probe });
  return delivery.kind === 'sent' ? { outcome: 'sent' } : { outcome: 'failed', refusal: 'provider' };
}

/**
 * What the challenge page says when no code went out. A provider failure keeps the familiar
 * "press Resend" text; a refusal says why and gives the issuer's phone number.
 */
export function sendFailureText(t: Messages, result: SendResult, issuerPhone: string): string {
  switch (result.refusal) {
    case 'provisional':
      return t.smsProvisional(issuerPhone);
    case 'not_allowed':
      return t.smsNotAllowed(issuerPhone);
    case 'rate_limited':
      return t.smsRateLimited(issuerPhone);
    case 'unavailable':
      return t.smsUnavailable(issuerPhone);
    default:
      return t.smsFailed;
  }
}

/** Seconds until the next send is allowed (0 when it is). */
export function cooldownLeft(deps: AppDeps, lastSentAt: number | null): number {
  if (lastSentAt === null) return 0;
  return Math.max(0, Math.ceil((lastSentAt + deps.config.OTP_RESEND_COOLDOWN_SECONDS * 1000 - deps.clock.now()) / 1000));
}

/** The card's first six digits, from the stored AReq (kept masked as first 6 + last 4). */
function binOf(ctx: ChallengeContext): string | undefined {
  const masked = typeof ctx.areq.acctNumber === 'string' ? ctx.areq.acctNumber : '';
  return /^\d{6}/.test(masked) ? masked.slice(0, 6) : undefined;
}
