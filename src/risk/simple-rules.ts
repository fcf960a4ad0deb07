/**
 * The first risk function: an amount threshold per currency, the requestor's challenge
 * preference, and a per-card velocity count, with the thresholds and the limit of the card's
 * issuer (from the input). Each rule that fires names itself in `reasons`;
 * any of them means a challenge. The score only summarises for the transaction trail.
 * The full rule engine is a later issue; it replaces this behind the same `RiskProvider` interface.
 */
import type { RiskAssessment, RiskInput, RiskProvider } from './provider.ts';

export function simpleRiskProvider(): RiskProvider {
  return { name: 'simple-rules', assess: async (input) => assessSimple(input) };
}

export function assessSimple(input: RiskInput): RiskAssessment {
  const fired: { reason: string; score: number }[] = [];
  const { challengeThresholds, velocityLimitPerHour } = input.issuer;

  if (input.velocityLastHour > velocityLimitPerHour) {
    fired.push({ reason: `velocity: ${input.velocityLastHour} authentications for this card in the last hour`, score: 50 });
  }
  if (input.purchaseAmount !== undefined && input.purchaseCurrency) {
    const threshold = challengeThresholds[input.purchaseCurrency];
    const major = input.purchaseAmount / 10 ** (input.purchaseExponent ?? 0);
    if (threshold !== undefined && major >= threshold) {
      fired.push({ reason: `amount ${major} at or above the challenge threshold ${threshold} for currency ${input.purchaseCurrency}`, score: 40 });
    }
  }
  const ind = input.threeDSRequestorChallengeInd;
  // A mandate means nothing for 3RI, where no cardholder is present to be challenged.
  if (ind === '04' && input.deviceChannel !== '03') fired.push({ reason: 'requestor mandated a challenge (04)', score: 0 });
  if (ind === '03') fired.push({ reason: 'requestor prefers a challenge (03)', score: 10 });

  const score = Math.min(100, 10 + fired.reduce((sum, f) => sum + f.score, 0));
  if (fired.length > 0) return { decision: 'challenge', score, reasons: fired.map((f) => f.reason) };

  const noChallengeAsked = ind === '02' || ind === '05' || ind === '06' || ind === '07';
  const reasons = [input.threeDSCompInd === 'Y' && input.browserSeen ? 'low risk; device seen by the 3DS Method' : 'low risk'];
  if (noChallengeAsked) reasons.push(`requestor asked for no challenge (${ind})`);
  return { decision: 'frictionless', score, reasons, exemptionRequested: noChallengeAsked };
}
