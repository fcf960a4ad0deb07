/**
 * The ways a cardholder proves themselves on the challenge page, plugged into the challenge flow
 * as strategies (as Kratos plugs login methods): each knows how to begin (send a code) and how
 * to check what was typed. A new method (e.g. a passkey) is a new entry here.
 */
import { verifyPassword } from '../members/password.ts';
import type { AppDeps } from '../deps.ts';
import type { ChallengeContext } from './context.ts';
import { consumeOtp } from './otp.ts';
import { sendOtp, type SendOutcome } from './send-otp.ts';

export interface ChallengeStrategy {
  method: 'sms_otp' | 'password';
  /** authenticationType in ARes/RReq: 02 dynamic (OTP), 01 static. */
  authenticationType: '01' | '02';
  /** When the challenge starts. */
  begin(deps: AppDeps, ctx: ChallengeContext): Promise<SendOutcome | undefined>;
  /**
   * Whether `secret` proves the member, given whether the typed member ID matched. Does the same
   * work whether or not the ID matched, so the answer takes the same time.
   */
  verify(deps: AppDeps, ctx: ChallengeContext, secret: string, idMatches: boolean): Promise<boolean>;
}

export const STRATEGIES: Record<ChallengeStrategy['method'], ChallengeStrategy> = {
  sms_otp: {
    method: 'sms_otp',
    authenticationType: '02',
    begin: (deps, ctx) => sendOtp(deps, ctx),
    verify: (deps, ctx, secret, idMatches) => consumeOtp(deps, ctx.txn.acsTransID, secret.trim(), idMatches),
  },
  password: {
    method: 'password',
    authenticationType: '01',
    begin: async () => undefined,
    verify: async (_deps, ctx, secret, idMatches) => {
      const ok = await verifyPassword(secret, ctx.member?.passwordHash);
      return ok && idMatches;
    },
  },
};
