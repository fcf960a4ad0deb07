/**
 * The challenge's SMS OTP: the flow kernel's send step (flow/send.ts: send slot, delivery policy,
 * breaker, windows, delivery) with the challenge's own text in the card's issuer's name and under
 * its sender ID and limits, card BIN and transaction, and what the page says when no code went out.
 */
import { sendCode, type SendDeps, type SendResult } from '../flow/send.ts';
import type { ChallengeContext } from './context.ts';
import { formatAmount } from './format.ts';
import { MESSAGES, type Messages } from './messages.ts';

export type { SendRefusal, SendResult } from '../flow/send.ts';

/** Sends a code for this challenge (first page or resend); the result says whether one went out. */
export async function sendOtpFor(deps: SendDeps, ctx: ChallengeContext): Promise<SendResult> {
  if (!ctx.flow || !ctx.member) return { outcome: 'failed', refusal: 'provisional' };
  const { txn, lang, issuer } = ctx;
  const amount = formatAmount(txn.purchaseAmount, txn.purchaseCurrency, txn.purchaseExponent, lang);
  return sendCode(deps, ctx.flow, ctx.member, {
    clientIp: ctx.clientIp,
    bin: binOf(ctx),
    acsTransID: txn.acsTransID,
    issuer,
    compose: (code, minutes) => MESSAGES[lang].sms(issuer.sms.name[lang], code, txn.merchantName ?? '', amount, minutes),
  });
}

/**
 * What the challenge page says when no code went out: wait for the cooldown, the per-challenge
 * maximum, or the reason a send was refused (a provider failure keeps the "press Resend" text; a
 * refusal says why and gives the issuer's phone number).
 */
export function sendFailureText(t: Messages, result: SendResult, issuerPhone: string): string {
  switch (result.outcome) {
    case 'cooldown':
      return t.resendWait(result.retryInSeconds ?? 0);
    case 'limit':
      return t.resendLimit;
    case 'closed':
      return t.expired;
    default:
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
}

/** The card's first six digits, from the stored AReq (kept masked as first 6 + last 4). */
function binOf(ctx: ChallengeContext): string | undefined {
  const masked = typeof ctx.areq.acctNumber === 'string' ? ctx.areq.acctNumber : '';
  return /^\d{6}/.test(masked) ? masked.slice(0, 6) : undefined;
}
