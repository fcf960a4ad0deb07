/**
 * The ACS's decision for one AReq: a pure function of the card on file, the member, the request
 * and the risk assessment. No I/O here, so every branch is a unit test.
 *
 * Order matters and follows the card's life: unknown → blocked → expired → not registered →
 * locked → risk → (for a challenge whose strategy needs SMS) whether SMS can be sent at all. Where the requestor
 * asks for a challenge the cardholder cannot take (no usable method), the challenge page explains
 * what to do instead (`guidance_*`) on the browser channel; the app channel (01) is challenged with
 * the same strategies, and declines N/13 where only guidance would be left.
 */
import type { CardOnFile } from '../cards/card-store.ts';
import { strategyFor } from '../challenge/strategies.ts';
import type { ChallengeMethod } from '../db/schema.ts';
import { BRANDS } from '../protocol/brands.ts';
import type { RiskAssessment } from '../risk/provider.ts';

export type Decision =
  | { transStatus: 'Y'; how: 'frictionless' }
  | { transStatus: 'I' }
  | { transStatus: 'C'; method: ChallengeMethod; mandated: boolean }
  | { transStatus: 'N' | 'R' | 'U'; reason: string };

export interface DecisionInput {
  deviceChannel: '01' | '02' | '03';
  messageCategory: '01' | '02';
  cardOnFile: CardOnFile | undefined;
  /** Today in the issuer's time zone as YYMM, for the expiry check. */
  currentYYMM: string;
  threeDSRequestorChallengeInd?: string;
  provisionalPolicy: 'challenge' | 'reject';
  /** undefined when the risk provider failed: never fail open. */
  risk: RiskAssessment | undefined;
  /**
   * False while no SMS can be sent (the SMS circuit breaker is open, messaging/breaker.ts): a
   * challenge whose strategy needs SMS (`needsSms`, e.g. SMS OTP) is answered U instead. Nothing
   * else depends on it.
   */
  smsAvailable?: boolean;
  /** transStatusReason for that U (issuer-configurable; default 22, ACS technical issue). */
  smsUnavailableReason?: string;
}

/** The ways this cardholder can prove themselves on a challenge page, best first. */
export function usableMethod(cardOnFile: CardOnFile): ChallengeMethod {
  const { member, card, cardholder } = cardOnFile;
  if (!member || member.status === 'provisional') return 'guidance_register';
  // The issuer's provisional flag is about the number it imported; a number confirmed since by a
  // code read back (portal) or by the helpdesk has a phoneChangedAt and is the cardholder's own.
  const confirmed = member.phoneChangedAt != null;
  const phoneUsable = member.phone !== null && member.phoneStatus === 'verified' && (confirmed || !cardholder.phoneProvisional);
  if (member.authMethod === 'sms_otp') return phoneUsable ? 'sms_otp' : 'guidance_phone';
  // Legacy static password: only where the scheme allows one (not Mastercard Identity Check).
  if (!BRANDS[card.brand].staticPassword) return phoneUsable ? 'sms_otp' : 'guidance_phone';
  return member.hasPassword ? 'password' : phoneUsable ? 'sms_otp' : 'guidance_register';
}

export function decide(input: DecisionInput): Decision {
  const { cardOnFile, deviceChannel } = input;
  const browser = deviceChannel === '02';
  const ind = input.threeDSRequestorChallengeInd;

  if (!cardOnFile) return { transStatus: 'N', reason: '08' }; // no card record
  const { card, member } = cardOnFile;
  // Lost and stolen cards are both "stolen card" (10) to the scheme; blocked and closed, "not permitted" (12).
  if (card.status === 'blocked_stolen' || card.status === 'blocked_lost') return { transStatus: 'R', reason: '10' };
  if (card.status === 'blocked' || card.status === 'closed') return { transStatus: 'R', reason: '12' };
  if (card.status === 'replaced') return { transStatus: 'N', reason: '06' }; // old number after reissue
  if (card.expiry < input.currentYYMM) return { transStatus: 'N', reason: '05' }; // expired card

  const method = usableMethod(cardOnFile);
  if (method === 'guidance_register') {
    // Not registered for 3-D Secure: guide them to register, or decline, as the issuer chooses.
    return browser && input.provisionalPolicy === 'challenge' && ind !== '06'
      ? { transStatus: 'C', method, mandated: ind === '04' }
      : { transStatus: 'N', reason: '13' };
  }
  if (member!.status === 'locked') return { transStatus: 'N', reason: '19' }; // locked after wrong entries

  const risk = input.risk;
  // A rule may name the reason (e.g. 21, 3RI not supported); suspected fraud (11) otherwise.
  if (risk?.decision === 'reject') return { transStatus: 'R', reason: risk.reasonCode ?? '11' };

  // 06: the requestor only shares data; no challenge may follow (spec: C not allowed).
  if (ind === '06') return { transStatus: 'I' };
  // The engine gives I only where the message allows it (src/risk/engine.ts informationalAllowed).
  if (risk?.decision === 'informational') return { transStatus: 'I' };

  const wantsChallenge = !risk || risk.decision === 'challenge';
  if (!wantsChallenge) return { transStatus: 'Y', how: 'frictionless' };

  // A challenge is due (by risk, by the requestor's mandate, or because risk could not be assessed).
  if (deviceChannel === '03') {
    // 3RI cannot be challenged.
    return risk ? { transStatus: 'N', reason: '15' } : { transStatus: 'U', reason: '22' };
  }
  // The app (SDK) channel takes the same strategies as the browser; the guidance pages (register a
  // phone) exist only in the browser, so an app cardholder without a usable method is declined
  // as not enrolled (13), as an unregistered card is. Whether the SDK can render what we offer and
  // whether we can sign is settled when the challenge is prepared (app-channel/ares.ts: U/03).
  if (!browser && !strategyFor(method)) return { transStatus: 'N', reason: '13' };
  // A strategy that needs the SMS provider cannot be offered without it (never fail open).
  if (strategyFor(method)?.needsSms && input.smsAvailable === false) return { transStatus: 'U', reason: input.smsUnavailableReason ?? '22' };
  return { transStatus: 'C', method, mandated: ind === '04' };
}
