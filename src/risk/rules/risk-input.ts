/**
 * The signals today's RiskInput (src/risk/provider.ts) already carries. This is the mapping the
 * default rule set is proved against (test/unit/risk-default.test.ts): the wiring step must feed the
 * rule engine at least these values, computed this way, for the default set to decide as
 * simple-rules.ts does. Everything RiskInput does not carry stays unknown.
 */
import type { RiskInput } from '../provider.ts';
import { toHome, type RateTable, type Signals } from './signals.ts';

export function signalsFromRiskInput(input: RiskInput, rates: RateTable = {}): Signals {
  const hasAmount = input.purchaseAmount !== undefined && !!input.purchaseCurrency;
  const exponent = input.purchaseExponent ?? 0;
  return {
    'device.channel': input.deviceChannel,
    'purchase.messageCategory': input.messageCategory,
    'purchase.amount': hasAmount ? input.purchaseAmount : null,
    // The same arithmetic as simple-rules.ts, so thresholds compare exactly as they did.
    'purchase.amountMajor': hasAmount ? input.purchaseAmount! / 10 ** exponent : null,
    'purchase.amountHome': hasAmount ? toHome(input.purchaseAmount!, input.purchaseCurrency!, exponent, rates) : null,
    'purchase.currency': input.purchaseCurrency || null,
    'purchase.challengeInd': input.threeDSRequestorChallengeInd ?? null,
    'purchase.threeRIInd': input.threeRIInd ?? null,
    'purchase.merchantCountry': input.merchantCountryCode ?? null,
    'purchase.mcc': input.mcc ?? null,
    'history.auths1h': input.velocityLastHour,
    'device.methodCompleted': input.threeDSCompInd === undefined ? null : input.threeDSCompInd === 'Y',
  };
}
