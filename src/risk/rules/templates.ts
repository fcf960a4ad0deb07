/**
 * Ready-made rules: each template is a function of its parameters returning one rule, with a
 * stable id and a ja/en name the explanations read ("新しい端末 +20"). Every template takes
 * `effect` (to score instead of decide, or the other way round), `id` and `enabled` overrides.
 * The order of rules in a set is the caller's: put allow lists and decisions where they should win.
 *
 * `defaultRuleSet` reproduces today's simple-rules.ts decisions (proved by a property test), so
 * switching the provider to the rule engine changes no decision until an issuer edits its rules.
 */
import { CURRENCIES } from '../../protocol/iso.ts';
import type { Condition } from './conditions.ts';
import { DEFAULT_BANDS, type Effect, type RejectReason, type Rule, type RuleSet } from './rule-set.ts';
import { HOME_CURRENCY } from './signals.ts';

export interface TemplateOptions {
  id?: string;
  enabled?: boolean;
  effect?: Effect;
}

function rule(id: string, name: { ja: string; en: string }, when: Condition, then: Effect, options: TemplateOptions): Rule {
  return { id: options.id ?? id, name, enabled: options.enabled ?? true, when, then: options.effect ?? then };
}

const CHALLENGE: Effect = { decide: 'challenge' };
const reject = (reasonCode: RejectReason = '11'): Effect => ({ decide: 'reject', reasonCode });

/** "¥30,000" for the home currency, "USD 100" for others (the code when ISO has no alpha for it). */
export function formatAmount(amount: number, currency: string = HOME_CURRENCY): string {
  const [whole, fraction] = String(amount).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',') + (fraction ? `.${fraction}` : '');
  if (currency === HOME_CURRENCY) return `¥${grouped}`;
  return `${CURRENCIES[currency]?.[0] ?? currency} ${grouped}`;
}

/**
 * Amount at or above a threshold → challenge. With `currency`, in that currency's major units
 * (only purchases in it match, as the issuer's per-currency thresholds do today); without, the
 * amount converted to yen (`purchase.amountHome`), whatever the purchase currency.
 */
export function amountThreshold(params: { amount: number; currency?: string } & TemplateOptions): Rule {
  const { amount, currency } = params;
  const shown = formatAmount(amount, currency ?? HOME_CURRENCY);
  const name = { ja: `金額 ${shown}以上`, en: `amount ≥ ${shown}` };
  if (currency === undefined) return rule(`amount-home-${amount}`, name, { signal: 'purchase.amountHome', op: 'gte', value: amount }, CHALLENGE, params);
  return rule(
    `amount-${currency}-${amount}`,
    name,
    { all: [{ signal: 'purchase.currency', op: 'eq', value: currency }, { signal: 'purchase.amountMajor', op: 'gte', value: amount }] },
    CHALLENGE,
    params,
  );
}

/** Acquirer merchant IDs the issuer trusts → score −30. */
export function merchantAllowList(params: { merchantIds: string[] } & TemplateOptions): Rule {
  return rule('merchant-allow', { ja: '加盟店許可リスト', en: 'merchant allow list' }, { signal: 'purchase.acquirerMerchantId', op: 'in', value: params.merchantIds }, { score: -30 }, params);
}

/** Acquirer merchant IDs the issuer refuses → reject (default reason 11, suspected fraud). */
export function merchantDenyList(params: { merchantIds: string[]; reasonCode?: RejectReason } & TemplateOptions): Rule {
  return rule('merchant-deny', { ja: '加盟店拒否リスト', en: 'merchant deny list' }, { signal: 'purchase.acquirerMerchantId', op: 'in', value: params.merchantIds }, reject(params.reasonCode), params);
}

/** Acquirer merchant IDs under watch → +30. */
export function merchantWatchList(params: { merchantIds: string[] } & TemplateOptions): Rule {
  return rule('merchant-watch', { ja: '加盟店監視リスト', en: 'merchant watch list' }, { signal: 'purchase.acquirerMerchantId', op: 'in', value: params.merchantIds }, { score: 30 }, params);
}

/** Merchant countries (ISO 3166 numeric) under watch → +30. */
export function countryWatchList(params: { countries: string[] } & TemplateOptions): Rule {
  return rule('country-watch', { ja: '監視対象の国の加盟店', en: 'merchant country on watch list' }, { signal: 'purchase.merchantCountry', op: 'in', value: params.countries }, { score: 30 }, params);
}

/** More than `limit` authentications for the card in the last hour (this one included) → +40. */
export function velocity(params: { limit: number } & TemplateOptions): Rule {
  const { limit } = params;
  return rule(`velocity-1h-${limit}`, { ja: `1 時間に ${limit} 回超の認証`, en: `more than ${limit} authentications in 1 h` }, { signal: 'history.auths1h', op: 'gt', value: limit }, { score: 40 }, params);
}

/** A device key not seen before for this card → +20. */
export function newDevice(params: TemplateOptions = {}): Rule {
  return rule('new-device', { ja: '新しい端末', en: 'new device for this card' }, { signal: 'device.newDevice', op: 'eq', value: true }, { score: 20 }, params);
}

/** Phone number changed less than `days` (7) days ago, a known account-takeover sign → +40. */
export function recentPhoneChange(params: { days?: number } & TemplateOptions = {}): Rule {
  const days = params.days ?? 7;
  return rule('recent-phone-change', { ja: `電話番号変更から ${days} 日未満`, en: `phone changed less than ${days} days ago` }, { signal: 'cardholder.daysSincePhoneChange', op: 'lt', value: days }, { score: 40 }, params);
}

/** PSD2 low-value rule, count: `max` (5) frictionless authentications since the last challenge → challenge. */
export function maxConsecutiveFrictionless(params: { max?: number } & TemplateOptions = {}): Rule {
  const max = params.max ?? 5;
  return rule('max-consecutive-frictionless', { ja: `認証画面なしが連続 ${max} 回`, en: `${max} frictionless in a row` }, { signal: 'history.consecutiveFrictionless', op: 'gte', value: max }, CHALLENGE, params);
}

/** PSD2 low-value rule, amount: frictionless spend since the last challenge ≥ `amount` yen (¥15,000 ≈ €100) → challenge. */
export function cumulativeFrictionlessSpend(params: { amount?: number } & TemplateOptions = {}): Rule {
  const amount = params.amount ?? 15_000;
  const shown = formatAmount(amount);
  return rule('cumulative-frictionless-spend', { ja: `認証画面なしの累計 ${shown}以上`, en: `frictionless spend ≥ ${shown}` }, { signal: 'history.frictionlessAmountHome', op: 'gte', value: amount }, CHALLENGE, params);
}

/**
 * 3RI (no cardholder present) with a threeRIInd the issuer does not accept → reject 21
 * ("3RI transaction not supported"). A 3RI is never challenged whatever the rules say: decide.ts
 * answers a challenge outcome on 3RI with N/15.
 */
export function threeRIHandling(params: { allowed: string[] } & TemplateOptions): Rule {
  return rule(
    '3ri-not-allowed',
    { ja: '受け付けない 3RI 区分', en: '3RI indicator not accepted' },
    { all: [{ signal: 'device.channel', op: 'eq', value: '03' }, { signal: 'purchase.threeRIInd', op: 'not_in', value: params.allowed }] },
    reject('21'),
    params,
  );
}

/** Data-only requests (challenge indicator 06): never frictionless (I where the message allows it). */
export function dataOnly(params: TemplateOptions = {}): Rule {
  return rule('data-only', { ja: 'データ共有のみ (06)', en: 'data share only (06)' }, { signal: 'purchase.challengeInd', op: 'eq', value: '06' }, { decide: 'no_frictionless' }, params);
}

/** The requestor mandates a challenge (04) → challenge; not for 3RI, where nobody can be challenged. */
export function requestorMandate(params: TemplateOptions = {}): Rule {
  return rule(
    'requestor-mandate',
    { ja: '加盟店が認証を必須と指定 (04)', en: 'requestor mandated a challenge (04)' },
    { all: [{ signal: 'purchase.challengeInd', op: 'eq', value: '04' }, { signal: 'device.channel', op: 'ne', value: '03' }] },
    CHALLENGE,
    params,
  );
}

/** The requestor prefers a challenge (03) → challenge (today's behaviour). */
export function requestorPreference(params: TemplateOptions = {}): Rule {
  return rule('requestor-preference', { ja: '加盟店が認証を希望 (03)', en: 'requestor prefers a challenge (03)' }, { signal: 'purchase.challengeInd', op: 'eq', value: '03' }, CHALLENGE, params);
}

/** The fraud-detection provider failed or timed out → challenge (never fail open). */
export function providerUnavailable(params: TemplateOptions = {}): Rule {
  return rule('provider-unavailable', { ja: '外部サービス応答なし', en: 'provider unavailable' }, { signal: 'provider.available', op: 'eq', value: false }, CHALLENGE, params);
}

/** Provider score ≥ `from` (80) → reject, suspected fraud. */
export function providerScore(params: { from?: number; reasonCode?: RejectReason } & TemplateOptions = {}): Rule {
  const from = params.from ?? 80;
  return rule(`provider-score-${from}`, { ja: `外部スコア ${from} 以上`, en: `provider score ≥ ${from}` }, { signal: 'provider.score', op: 'gte', value: from }, reject(params.reasonCode), params);
}

/**
 * Today's simple-rules.ts as a rule set: velocity over the issuer's hourly limit, an amount at or
 * above its threshold for the purchase currency, the requestor's mandate (04, not on 3RI) or
 * preference (03) each mean a challenge; otherwise frictionless. Every rule decides, so the score
 * stays 0 and the bands never come into play.
 */
export function defaultRuleSet(issuerThresholds: Record<string, number>, velocityLimit: number): RuleSet {
  const amounts = Object.entries(issuerThresholds)
    .filter(([currency]) => /^\d{3}$/.test(currency))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([currency, amount]) => amountThreshold({ amount, currency }));
  return {
    version: 0,
    bands: { ...DEFAULT_BANDS },
    rules: [velocity({ limit: velocityLimit, effect: CHALLENGE }), ...amounts, requestorMandate(), requestorPreference()],
  };
}
