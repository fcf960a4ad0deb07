/**
 * The ways a cardholder proves themselves on the challenge page, plugged into the challenge flow
 * as strategies (as Kratos plugs login methods), and looked up by id everywhere: the id is what
 * the ACS's decision stores as the transaction's `challengeMethod`.
 *
 * A new method (e.g. a passkey) is its own file exporting a `ChallengeStrategy` and one
 * `registerStrategy(...)` line below; nothing else changes. A decision that cannot use any strategy
 * (not registered, no phone) is guidance, an outcome of the flow (guidance.ts), not a strategy.
 */
import type { AuthenticationHow } from '../acs/authentication-value.ts';
import type { AppDeps } from '../deps.ts';
import type { SendResult } from '../flow/send.ts';
import type { AuthenticationType } from '../protocol/codes.ts';
import type { ChallengeContext } from './context.ts';
import type { Messages } from './messages.ts';
import { passwordStrategy } from './strategy-password.ts';
import { smsOtpStrategy } from './strategy-sms-otp.ts';

/** A text of the page's catalogue that is a plain string (not a function of arguments). */
export type TextKey = { [K in keyof Messages]: Messages[K] extends string ? K : never }[keyof Messages];

/** What checking an entry found: proved now; proved already by a concurrent twin of this entry; or not. */
export type Verdict = 'proved' | 'proved_before' | 'wrong';

/**
 * What a strategy may use: the database and clock, the configuration, the keys, the log and the
 * SMS gateway (sending a code needs all of these, flow/send.ts; checking one needs fewer).
 */
export type StrategyDeps = Pick<AppDeps, 'db' | 'clock' | 'config' | 'keys' | 'log' | 'sms'>;

export interface ChallengeStrategy {
  id: string;
  /** authenticationType in the ARes and RReq (2.2.0; 2.3.1's authenticationMethod is derived from it). */
  authenticationType: AuthenticationType;
  /** What the authentication value records as how the cardholder was authenticated. */
  authenticationValueHow: AuthenticationHow;
  /**
   * Whether the strategy cannot work without the SMS provider: while no SMS can be sent (the
   * breaker is open) the ACS answers U rather than offer a challenge with it (acs/decide.ts).
   */
  needsSms?: boolean;
  /** The secret field the page shows: a one-time code (sent, with resend) or a password. */
  secret: 'code' | 'password';
  /** The page's texts for this method: the introduction and the one message for every wrong entry. */
  texts: { intro: TextKey; wrong: TextKey };
  /**
   * The typed secret as it is checked, or the text to show beside the field when it cannot be an
   * answer at all (empty, malformed): such an entry is not counted as an attempt.
   */
  readSecret(raw: string): { ok: true; value: string } | { ok: false; error: TextKey };
  /** When the challenge starts; a code strategy sends its first code and says what happened. */
  begin(deps: StrategyDeps, ctx: ChallengeContext): Promise<SendResult | undefined>;
  /** "Send again", for strategies that send something. */
  resend?(deps: StrategyDeps, ctx: ChallengeContext): Promise<SendResult>;
  /** Whether a code really went out in this flow (the page says so only then). */
  codeSent?(deps: StrategyDeps, ctx: ChallengeContext): Promise<boolean>;
  /**
   * Whether `secret` proves the member, given whether the typed member ID matched and the attempt
   * may be checked. Does the same work either way, so the answer takes the same time.
   */
  verify(deps: StrategyDeps, ctx: ChallengeContext, secret: string, checkable: boolean): Promise<Verdict>;
}

export const STRATEGIES: Record<string, ChallengeStrategy> = {};

export function registerStrategy(strategy: ChallengeStrategy): void {
  STRATEGIES[strategy.id] = strategy;
}

/** The strategy behind a transaction's challengeMethod; undefined for guidance (or nothing). */
export function strategyFor(method: string | null | undefined): ChallengeStrategy | undefined {
  return method ? STRATEGIES[method] : undefined;
}

/**
 * authenticationType for an ARes C and its RReq. Guidance tells the cardholder to register for
 * the issuer's dynamic method (SMS OTP), so it announces that one.
 */
export function authenticationTypeFor(method: string | null | undefined): AuthenticationType {
  return strategyFor(method)?.authenticationType ?? GUIDANCE_AUTHENTICATION_TYPE;
}

const GUIDANCE_AUTHENTICATION_TYPE: AuthenticationType = '02';

registerStrategy(smsOtpStrategy);
registerStrategy(passwordStrategy);
