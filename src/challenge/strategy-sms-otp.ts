/** SMS OTP: a 6-digit code sent to the member's verified phone, single use, bound to the flow. */
import { CODE_PATTERN, codeWasSent, consumeCode } from '../flow/codes.ts';
import { normaliseEntry } from '../flow/entry.ts';
import { sendOtpFor } from './send-otp.ts';
import type { ChallengeStrategy } from './strategies.ts';

export const smsOtpStrategy: ChallengeStrategy = {
  id: 'sms_otp',
  authenticationType: '02',
  authenticationValueHow: 'sms_otp',
  needsSms: true,
  secret: 'code',
  texts: { intro: 'intro', wrong: 'failed' },
  readSecret(raw) {
    const value = normaliseEntry(raw);
    if (!value) return { ok: false, error: 'otpEmpty' };
    return CODE_PATTERN.test(value) ? { ok: true, value } : { ok: false, error: 'otpFormat' };
  },
  begin: (deps, ctx) => sendOtpFor(deps, ctx),
  resend: (deps, ctx) => sendOtpFor(deps, ctx),
  codeSent: async (deps, ctx) => !!ctx.flow && (await codeWasSent(deps.db, ctx.flow.id)),
  async verify(deps, ctx, secret, checkable) {
    if (!ctx.flow) return 'wrong';
    const check = await consumeCode(deps, ctx.flow.id, secret, checkable);
    return check === 'consumed' ? 'proved' : check === 'consumed_before' ? 'proved_before' : 'wrong';
  },
};
