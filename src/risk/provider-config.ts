/**
 * An issuer's external fraud-detection provider settings (issuers.risk_provider, read as
 * settings.risk.provider): where to POST, which header carries the credential (by the name of a
 * RISK_PROVIDER_SECRETS entry, never the value), which fields are shared, where the score and
 * reasons are in the answer, the timeout and retries.
 *
 * Only fields on SHAREABLE_FIELDS can ever be sent: the card number, the cardholder's name,
 * e-mail, phones and addresses are not on it, whatever the issuer types.
 *
 * @example
 *   const read = providerConfigOf(settings, config) // { ok: true, config } | { ok: false, errors } | null
 */
import { z } from 'zod';
import type { Config } from '../config.ts';
import type { IssuerSettings } from '../issuers/settings.ts';
import type { Bi } from '../../views/i18n.ts';
import { SIGNALS, type SignalName } from './rules/signals.ts';

export interface ShareableField {
  /** Where the value comes from: the AReq as received, or the signals the engine computed. */
  source: 'areq' | 'signal';
  label: Bi;
  /** Part of the fields shared when the issuer does not choose (`fields` left out). */
  byDefault: boolean;
}

/** AReq fields that may be shared. Nothing that names or reaches the cardholder, and never the card number. */
const AREQ_FIELDS: Record<string, Omit<ShareableField, 'source'>> = {
  acsTransID: { label: { ja: 'ACS 取引 ID', en: 'ACS transaction ID' }, byDefault: true },
  dsTransID: { label: { ja: 'DS 取引 ID', en: 'DS transaction ID' }, byDefault: false },
  threeDSServerTransID: { label: { ja: '3DS サーバー取引 ID', en: '3DS Server transaction ID' }, byDefault: false },
  messageVersion: { label: { ja: 'メッセージバージョン', en: 'message version' }, byDefault: false },
  messageCategory: { label: { ja: 'メッセージ区分', en: 'message category' }, byDefault: true },
  deviceChannel: { label: { ja: 'チャネル', en: 'device channel' }, byDefault: true },
  transType: { label: { ja: '取引種別', en: 'transaction type' }, byDefault: true },
  purchaseAmount: { label: { ja: '金額 (最小通貨単位)', en: 'purchase amount (minor units)' }, byDefault: true },
  purchaseCurrency: { label: { ja: '通貨', en: 'purchase currency' }, byDefault: true },
  purchaseExponent: { label: { ja: '通貨の小数桁', en: 'currency exponent' }, byDefault: true },
  purchaseDate: { label: { ja: '購入日時 (UTC)', en: 'purchase date (UTC)' }, byDefault: true },
  merchantName: { label: { ja: '加盟店名', en: 'merchant name' }, byDefault: true },
  mcc: { label: { ja: '業種コード (MCC)', en: 'merchant category code' }, byDefault: true },
  merchantCountryCode: { label: { ja: '加盟店の国', en: 'merchant country' }, byDefault: true },
  acquirerBIN: { label: { ja: 'アクワイアラ BIN', en: 'acquirer BIN' }, byDefault: true },
  acquirerMerchantID: { label: { ja: '加盟店 ID (アクワイアラ)', en: 'acquirer merchant ID' }, byDefault: true },
  threeRIInd: { label: { ja: '3RI 区分', en: '3RI indicator' }, byDefault: false },
  threeDSRequestorChallengeInd: { label: { ja: '加盟店の認証要否指定', en: 'requestor challenge indicator' }, byDefault: false },
  threeDSCompInd: { label: { ja: '3DS Method 完了', en: '3DS Method completion' }, byDefault: false },
  browserIP: { label: { ja: 'ブラウザの IP アドレス', en: 'browser IP address' }, byDefault: false },
  browserUserAgent: { label: { ja: 'ブラウザの User-Agent', en: 'browser user agent' }, byDefault: false },
  browserAcceptHeader: { label: { ja: 'ブラウザの Accept ヘッダー', en: 'browser Accept header' }, byDefault: false },
  browserLanguage: { label: { ja: 'ブラウザの言語', en: 'browser language' }, byDefault: false },
  browserTZ: { label: { ja: 'ブラウザのタイムゾーン', en: 'browser time zone' }, byDefault: false },
  browserScreenHeight: { label: { ja: '画面の高さ', en: 'screen height' }, byDefault: false },
  browserScreenWidth: { label: { ja: '画面の幅', en: 'screen width' }, byDefault: false },
  browserColorDepth: { label: { ja: '色深度', en: 'colour depth' }, byDefault: false },
  browserJavaEnabled: { label: { ja: 'Java 有効', en: 'Java enabled' }, byDefault: false },
  browserJavascriptEnabled: { label: { ja: 'JavaScript 有効', en: 'JavaScript enabled' }, byDefault: false },
};

/** Signals the engine computed that are shared by default: facts about the purchase and device, none about the person. */
const DEFAULT_SIGNALS: ReadonlySet<SignalName> = new Set<SignalName>([
  'purchase.amountHome',
  'device.newDevice',
  'device.newIpPrefix',
  'device.tzMismatch',
  'history.auths1h',
  'history.auths24h',
  'history.merchants24h',
]);

/** The provider's own answer is not sent back to it; the opt-out flag is always false when anything is sent. */
const UNSHAREABLE_SIGNALS = (name: string) => name.startsWith('provider.') || name === 'cardholder.dataSharingOptOut';

export const SHAREABLE_FIELDS: Readonly<Record<string, ShareableField>> = {
  ...Object.fromEntries(Object.entries(AREQ_FIELDS).map(([name, f]) => [name, { ...f, source: 'areq' as const }])),
  ...Object.fromEntries(
    (Object.keys(SIGNALS) as SignalName[])
      .filter((name) => !UNSHAREABLE_SIGNALS(name))
      .map((name) => [name, { source: 'signal' as const, label: SIGNALS[name].label, byDefault: DEFAULT_SIGNALS.has(name) }]),
  ),
};

export const DEFAULT_FIELDS: readonly string[] = Object.entries(SHAREABLE_FIELDS)
  .filter(([, f]) => f.byDefault)
  .map(([name]) => name);

/** Named here so a mistaken choice gets a precise refusal rather than "unknown field". */
const NEVER_SHARED = /^(acctNumber|acctID|acctInfo|acctType|cardExpiryDate|cardholderName|email|homePhone|mobilePhone|workPhone|(bill|ship)Addr\w*|deviceInfo|sdkEncData|sdkEphemPubKey|pan|cardholder\.dataSharingOptOut|provider\.\w+)$/;

const dottedPath = z.string().regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, 'must be a dotted path such as score or result.score');

const fieldName = z.string().superRefine((name, ctx) => {
  if (Object.hasOwn(SHAREABLE_FIELDS, name)) return;
  ctx.addIssue({
    code: 'custom',
    message: NEVER_SHARED.test(name) ? `"${name}" is never shared with the provider` : `"${name}" is not a field that can be shared (see the README's table)`,
  });
});

export function providerConfigSchema(production: boolean) {
  return z
    .object({
      enabled: z.boolean().default(true),
      url: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }),
      /** The header the credential goes in. */
      authHeader: z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'must be a header name such as Authorization').default('Authorization'),
      /** A RISK_PROVIDER_SECRETS entry's name; the header's value stays in the environment. Null: no header. */
      secretEnv: z.string().regex(/^[A-Z][A-Z0-9_]{0,63}$/, 'must be a name in RISK_PROVIDER_SECRETS (A–Z, 0–9, _)').nullable().default(null),
      fields: z
        .array(fieldName)
        .min(1, 'choose at least one field')
        .max(Object.keys(SHAREABLE_FIELDS).length)
        .refine((f) => new Set(f).size === f.length, 'lists a field twice')
        .default([...DEFAULT_FIELDS]),
      scorePath: dottedPath.default('score'),
      reasonsPath: dottedPath.nullable().default('reasons'),
      // The AReq waits for the provider: every attempt is bounded, and there are few.
      timeoutMs: z.number().int().min(50, 'must be at least 50').max(5000, 'must be at most 5000').default(300),
      retries: z.number().int().min(0).max(2, 'must be at most 2').default(0),
    })
    .strict()
    .superRefine((c, ctx) => {
      if (production && !c.url.startsWith('https://')) ctx.addIssue({ code: 'custom', path: ['url'], message: 'must be https in production' });
    });
}

export type ProviderConfig = z.output<ReturnType<typeof providerConfigSchema>>;
export type ProviderConfigInput = z.input<ReturnType<typeof providerConfigSchema>>;

export interface ConfigProblem {
  /** The setting's name (e.g. "fields.2"), or "" for the whole object. */
  path: string;
  message: string;
}

export type ProviderConfigRead = { ok: true; config: ProviderConfig } | { ok: false; errors: ConfigProblem[] };

export function parseProviderConfig(raw: unknown, production: boolean): ProviderConfigRead {
  const result = providerConfigSchema(production).safeParse(raw);
  if (result.success) return { ok: true, config: result.data };
  return { ok: false, errors: result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) };
}

// Settings are re-read every few seconds (issuers/settings.ts) and each read makes new objects, so
// caching by the raw object parses each issuer's provider settings once per settings read.
const parsed = new WeakMap<object, ProviderConfigRead>();

/** The issuer's provider settings, validated; null when it has none. */
export function providerConfigOf(issuer: Pick<IssuerSettings, 'risk'>, config: Pick<Config, 'NODE_ENV'>): ProviderConfigRead | null {
  const raw = issuer.risk.provider;
  if (!raw) return null;
  let read = parsed.get(raw);
  if (!read) {
    read = parseProviderConfig(raw, config.NODE_ENV === 'production');
    parsed.set(raw, read);
  }
  return read;
}
