/**
 * The templates the risk console offers under "add a rule from a template": each template of
 * rules/templates.ts with the fields its parameters need (as form fields, in ja/en), plus one
 * combination the issue names ("new device + amount ≥ ¥10,000 → challenge"). A parameter comes
 * in as text from a form and is read here; a bad value is refused beside its field.
 */
import type { Bi } from '../../views/i18n.ts';
import { REJECT_REASONS, type RejectReason, type Rule } from './rules/rule-set.ts';
import * as T from './rules/templates.ts';

export type ParamKind = 'number' | 'list' | 'currency' | 'reason';

export interface TemplateParam {
  name: string;
  kind: ParamKind;
  label: Bi;
  hint?: Bi;
  /** Shown in the field; a field left empty takes the template's default (none: required). */
  initial?: string;
  optional?: boolean;
}

export interface ConsoleTemplate {
  key: string;
  label: Bi;
  params: TemplateParam[];
  build(p: Record<string, string>): Rule;
}

type Read = { ok: true; values: Record<string, string> } | { ok: false; errors: Record<string, Bi> };

const num = (v: string | undefined) => (v === undefined || v.trim() === '' ? undefined : Number(v.trim().replaceAll(',', '')));
const list = (v: string | undefined) =>
  (v ?? '')
    .split(/[\s,、]+/)
    .map((s) => s.trim())
    .filter(Boolean);
const reason = (v: string | undefined) => (v && (REJECT_REASONS as readonly string[]).includes(v) ? (v as RejectReason) : undefined);

const AMOUNT: TemplateParam = { name: 'amount', kind: 'number', label: { ja: '金額', en: 'Amount' }, hint: { ja: '円（通貨を指定したときはその通貨の金額）', en: 'In yen (or in the currency, when one is given)' }, initial: '10000' };
const CURRENCY: TemplateParam = { name: 'currency', kind: 'currency', label: { ja: '通貨（任意、ISO 4217 数字）', en: 'Currency (optional, ISO 4217 numeric)' }, hint: { ja: '空欄なら円換算額で比べます', en: 'Empty: compares the amount in yen' }, optional: true };
const MERCHANTS: TemplateParam = { name: 'merchantIds', kind: 'list', label: { ja: '加盟店 ID（カンマ区切り）', en: 'Merchant IDs (comma-separated)' } };
const REASON: TemplateParam = { name: 'reasonCode', kind: 'reason', label: { ja: '拒否理由コード', en: 'Reject reason code' }, initial: '11' };

export const CONSOLE_TEMPLATES: readonly ConsoleTemplate[] = [
  {
    key: 'new-device-amount',
    label: { ja: '新しい端末 かつ 金額以上 → 認証画面', en: 'New device and amount ≥ … → challenge' },
    params: [{ ...AMOUNT }],
    build: (p) => {
      const amount = num(p.amount)!;
      const shown = T.formatAmount(amount);
      return {
        id: `new-device-amount-${amount}`,
        name: { ja: `新しい端末で ${shown}以上`, en: `new device and amount ≥ ${shown}` },
        enabled: true,
        when: { all: [{ signal: 'device.newDevice', op: 'eq', value: true }, { signal: 'purchase.amountHome', op: 'gte', value: amount }] },
        then: { decide: 'challenge' },
      };
    },
  },
  { key: 'amount', label: { ja: '金額以上 → 認証画面', en: 'Amount threshold → challenge' }, params: [AMOUNT, CURRENCY], build: (p) => T.amountThreshold({ amount: num(p.amount)!, currency: p.currency?.trim() || undefined }) },
  { key: 'merchant-allow', label: { ja: '加盟店許可リスト（−30）', en: 'Merchant allow list (−30)' }, params: [MERCHANTS], build: (p) => T.merchantAllowList({ merchantIds: list(p.merchantIds) }) },
  { key: 'merchant-deny', label: { ja: '加盟店拒否リスト → 拒否', en: 'Merchant deny list → reject' }, params: [MERCHANTS, REASON], build: (p) => T.merchantDenyList({ merchantIds: list(p.merchantIds), reasonCode: reason(p.reasonCode) }) },
  { key: 'merchant-watch', label: { ja: '加盟店監視リスト（+30）', en: 'Merchant watch list (+30)' }, params: [MERCHANTS], build: (p) => T.merchantWatchList({ merchantIds: list(p.merchantIds) }) },
  {
    key: 'country-watch',
    label: { ja: '国の監視リスト（+30）', en: 'Country watch list (+30)' },
    params: [{ name: 'countries', kind: 'list', label: { ja: '国コード（ISO 3166 数字、カンマ区切り）', en: 'Countries (ISO 3166 numeric, comma-separated)' } }],
    build: (p) => T.countryWatchList({ countries: list(p.countries) }),
  },
  { key: 'velocity', label: { ja: '1 時間の認証回数（+40）', en: 'Velocity in 1 h (+40)' }, params: [{ name: 'limit', kind: 'number', label: { ja: '上限回数', en: 'Limit' }, initial: '5' }], build: (p) => T.velocity({ limit: num(p.limit)! }) },
  { key: 'new-device', label: { ja: '新しい端末（+20）', en: 'New device (+20)' }, params: [], build: () => T.newDevice() },
  { key: 'recent-phone-change', label: { ja: '最近の電話番号変更（+40）', en: 'Recent phone change (+40)' }, params: [{ name: 'days', kind: 'number', label: { ja: '日数', en: 'Days' }, initial: '7' }], build: (p) => T.recentPhoneChange({ days: num(p.days) }) },
  { key: 'max-consecutive-frictionless', label: { ja: '認証画面なしの連続回数 → 認証画面', en: 'Frictionless in a row → challenge' }, params: [{ name: 'max', kind: 'number', label: { ja: '回数', en: 'Count' }, initial: '5' }], build: (p) => T.maxConsecutiveFrictionless({ max: num(p.max) }) },
  { key: 'cumulative-frictionless-spend', label: { ja: '認証画面なしの累計額 → 認証画面', en: 'Frictionless spend → challenge' }, params: [{ ...AMOUNT, initial: '15000', hint: { ja: '円', en: 'In yen' } }], build: (p) => T.cumulativeFrictionlessSpend({ amount: num(p.amount) }) },
  {
    key: '3ri',
    label: { ja: '受け付けない 3RI 区分 → 拒否 21', en: '3RI indicator not accepted → reject 21' },
    params: [{ name: 'allowed', kind: 'list', label: { ja: '受け付ける 3RI 区分（カンマ区切り）', en: 'Accepted 3RI indicators (comma-separated)' }, initial: '01, 02' }],
    build: (p) => T.threeRIHandling({ allowed: list(p.allowed) }),
  },
  { key: 'data-only', label: { ja: 'データ共有のみ (06) → 認証画面なしを禁止', en: 'Data only (06) → no frictionless' }, params: [], build: () => T.dataOnly() },
  { key: 'requestor-mandate', label: { ja: '加盟店の認証必須 (04) → 認証画面', en: 'Requestor mandate (04) → challenge' }, params: [], build: () => T.requestorMandate() },
  { key: 'requestor-preference', label: { ja: '加盟店の認証希望 (03) → 認証画面', en: 'Requestor preference (03) → challenge' }, params: [], build: () => T.requestorPreference() },
  { key: 'provider-unavailable', label: { ja: '外部サービス応答なし → 認証画面', en: 'Provider unavailable → challenge' }, params: [], build: () => T.providerUnavailable() },
  { key: 'provider-score', label: { ja: '外部スコア以上 → 拒否', en: 'Provider score ≥ … → reject' }, params: [{ name: 'from', kind: 'number', label: { ja: 'スコア', en: 'Score' }, initial: '80' }, REASON], build: (p) => T.providerScore({ from: num(p.from), reasonCode: reason(p.reasonCode) }) },
];

export function templateByKey(key: string): ConsoleTemplate | undefined {
  return CONSOLE_TEMPLATES.find((t) => t.key === key);
}

/** Reads a template's fields from a form (`${key}.${param}`), each problem beside its field. */
export function readTemplateParams(template: ConsoleTemplate, form: Record<string, string>): Read {
  const values: Record<string, string> = {};
  const errors: Record<string, Bi> = {};
  for (const p of template.params) {
    const raw = (form[`${template.key}.${p.name}`] ?? '').trim();
    values[p.name] = raw;
    if (raw === '') {
      if (!p.optional && p.initial === undefined) errors[p.name] = { ja: '入力してください。', en: 'Required.' };
      else if (!p.optional) values[p.name] = p.initial!;
      continue;
    }
    if (p.kind === 'number' && !Number.isFinite(num(raw))) errors[p.name] = { ja: '数字で入力してください。', en: 'Enter a number.' };
    if (p.kind === 'currency' && !/^\d{3}$/.test(raw)) errors[p.name] = { ja: '3 桁の数字で入力してください（例: 840）。', en: 'Three digits (e.g. 840).' };
    if (p.kind === 'reason' && !reason(raw)) errors[p.name] = { ja: `${REJECT_REASONS.join(', ')} のいずれかです。`, en: `One of ${REJECT_REASONS.join(', ')}.` };
    if (p.kind === 'list' && list(raw).length === 0) errors[p.name] = { ja: '1 つ以上入力してください。', en: 'At least one value.' };
  }
  return Object.keys(errors).length ? { ok: false, errors } : { ok: true, values };
}
