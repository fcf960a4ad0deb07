/**
 * The first risk function: an amount threshold per currency, the requestor's challenge
 * preference, and a per-card velocity count. The full rule engine is a later issue;
 * it replaces this behind the same `RiskProvider` interface.
 */
import type { Config } from '../config.ts';
import type { RiskAssessment, RiskInput, RiskProvider } from './provider.ts';

export function simpleRiskProvider(config: Pick<Config, 'CHALLENGE_THRESHOLDS' | 'VELOCITY_LIMIT_PER_HOUR'>): RiskProvider {
  return { name: 'simple-rules', assess: async (input) => assessSimple(input, config) };
}

export function assessSimple(
  input: RiskInput,
  config: Pick<Config, 'CHALLENGE_THRESHOLDS' | 'VELOCITY_LIMIT_PER_HOUR'>,
): RiskAssessment {
  const reasons: string[] = [];
  let score = 10;

  if (input.velocityLastHour > config.VELOCITY_LIMIT_PER_HOUR) {
    score += 50;
    reasons.push(`velocity: ${input.velocityLastHour} authentications for this card in the last hour`);
  }
  if (input.purchaseAmount !== undefined && input.purchaseCurrency) {
    const threshold = config.CHALLENGE_THRESHOLDS[input.purchaseCurrency];
    const major = input.purchaseAmount / 10 ** (input.purchaseExponent ?? 0);
    if (threshold !== undefined && major >= threshold) {
      score += 40;
      reasons.push(`amount ${major} at or above the challenge threshold ${threshold} for currency ${input.purchaseCurrency}`);
    }
  }
  if (input.threeDSCompInd === 'Y' && input.browserSeen) score -= 5;

  const ind = input.threeDSRequestorChallengeInd;
  // A mandate means nothing for 3RI, where no cardholder is present to be challenged.
  if (ind === '04' && input.deviceChannel !== '03') return { decision: 'challenge', score, reasons: [...reasons, 'requestor mandated a challenge (04)'] };
  if (ind === '03') {
    score += 10;
    reasons.push('requestor prefers a challenge (03)');
  }
  const noChallengeAsked = ind === '02' || ind === '05' || ind === '06' || ind === '07';

  if (score >= 50) return { decision: 'challenge', score, reasons };
  if (ind === '03') return { decision: 'challenge', score, reasons };
  if (noChallengeAsked) reasons.push(`requestor asked for no challenge (${ind})`);
  return { decision: 'frictionless', score, reasons: reasons.length ? reasons : ['low risk'], exemptionRequested: noChallengeAsked };
}
