/**
 * The signals the risk rules can read: one registry of stable dotted names, each with its type,
 * a Japanese and an English label and, where it has one, a unit. Rules (conditions.ts) may only
 * name signals listed here, and only with operators that fit the signal's type.
 *
 * Signals are computed once per AReq by the caller (a later step: from the AReq, the 3DS Method's
 * data and the appliance's history). Only small pure helpers live here: the amount in the home
 * currency, the canonical device key and the IP prefix. A signal that could not be computed is
 * null (or absent): rules treat it as unknown, never as false.
 */
import ipaddr from 'ipaddr.js';
import { zoneOffsetMs } from '../../intl.ts';

export type SignalType = 'number' | 'string' | 'boolean' | 'string[]';

export interface SignalDef {
  type: SignalType;
  label: { ja: string; en: string };
  unit?: { ja: string; en: string };
  /** For a string signal with a closed code list: the only values a rule may compare it with. */
  values?: readonly string[];
}

const DAYS = { ja: '日', en: 'days' };
const COUNT = { ja: '件', en: 'count' };
const YEN = { ja: '円', en: 'JPY' };

/** The issuer's home currency (ISO 4217 numeric): JPY. `purchase.amountHome` is in it. */
export const HOME_CURRENCY = '392';

export const SIGNALS = {
  // Purchase
  'purchase.amount': { type: 'number', label: { ja: '金額 (最小通貨単位)', en: 'amount (minor units)' }, unit: { ja: '最小通貨単位', en: 'minor units' } },
  'purchase.amountMajor': { type: 'number', label: { ja: '金額 (取引通貨)', en: 'amount (purchase currency)' } },
  'purchase.amountHome': { type: 'number', label: { ja: '金額 (円換算)', en: 'amount in JPY' }, unit: YEN },
  'purchase.currency': { type: 'string', label: { ja: '通貨 (ISO 4217 数字)', en: 'currency (ISO 4217 numeric)' } },
  'purchase.messageCategory': { type: 'string', label: { ja: 'メッセージ区分', en: 'message category' }, values: ['01', '02'] },
  'purchase.mcc': { type: 'string', label: { ja: '業種コード (MCC)', en: 'merchant category code' } },
  'purchase.merchantName': { type: 'string', label: { ja: '加盟店名', en: 'merchant name' } },
  'purchase.acquirerMerchantId': { type: 'string', label: { ja: '加盟店 ID (アクワイアラ)', en: 'acquirer merchant ID' } },
  'purchase.acquirerBin': { type: 'string', label: { ja: 'アクワイアラ BIN', en: 'acquirer BIN' } },
  'purchase.merchantCountry': { type: 'string', label: { ja: '加盟店の国 (ISO 3166 数字)', en: 'merchant country (ISO 3166 numeric)' } },
  'purchase.transType': { type: 'string', label: { ja: '取引種別', en: 'transaction type' }, values: ['01', '03', '10', '11', '28'] },
  'purchase.recurring': { type: 'boolean', label: { ja: '継続課金', en: 'recurring payment' } },
  'purchase.instalments': { type: 'number', label: { ja: '分割回数', en: 'number of instalments' }, unit: COUNT },
  'purchase.threeRIInd': { type: 'string', label: { ja: '3RI 区分', en: '3RI indicator' } },
  'purchase.challengeInd': { type: 'string', label: { ja: '加盟店の認証要否指定', en: 'requestor challenge indicator' } },
  'purchase.requestorAuthMethod': { type: 'string', label: { ja: '加盟店でのログイン方法', en: 'requestor authentication method' } },
  'purchase.priorAuthMethod': { type: 'string', label: { ja: '前回の認証方法', en: 'prior authentication method' } },
  'purchase.whitelistStatus': { type: 'string', label: { ja: 'ホワイトリスト状態', en: 'whitelist status' }, values: ['Y', 'N', 'E', 'P', 'R', 'U'] },

  // Cardholder and card
  'cardholder.registered': { type: 'boolean', label: { ja: '本人認証サービス登録済み', en: 'registered' } },
  'cardholder.provisional': { type: 'boolean', label: { ja: '仮登録', en: 'provisional registration' } },
  'cardholder.authMethod': { type: 'string', label: { ja: '認証方法', en: 'authentication method' }, values: ['sms_otp', 'password'] },
  'cardholder.daysSinceRegistration': { type: 'number', label: { ja: '登録からの日数', en: 'days since registration' }, unit: DAYS },
  'cardholder.daysSincePhoneChange': { type: 'number', label: { ja: '電話番号変更からの日数', en: 'days since phone change' }, unit: DAYS },
  'cardholder.dataSharingOptOut': { type: 'boolean', label: { ja: '情報共有の停止', en: 'data-sharing opt-out' } },
  'card.status': { type: 'string', label: { ja: 'カードの状態', en: 'card status' }, values: ['active', 'blocked_lost', 'blocked_stolen', 'blocked', 'closed', 'replaced'] },
  'card.ageDays': { type: 'number', label: { ja: 'カード発行からの日数', en: 'card age' }, unit: DAYS },

  // Device and channel
  'device.channel': { type: 'string', label: { ja: 'チャネル', en: 'device channel' }, values: ['01', '02', '03'] },
  'device.methodCompleted': { type: 'boolean', label: { ja: '3DS Method 完了', en: '3DS Method completed' } },
  'device.newDevice': { type: 'boolean', label: { ja: 'このカードで初めての端末', en: 'new device for this card' } },
  'device.tzMismatch': { type: 'boolean', label: { ja: 'タイムゾーンが発行国と不一致', en: "time zone differs from the issuer's country" } },
  'device.browserLanguage': { type: 'string', label: { ja: 'ブラウザの言語', en: 'browser language' } },
  'device.newIpPrefix': { type: 'boolean', label: { ja: 'このカードで初めての IP 帯', en: 'new IP prefix for this card' } },

  // History (per card, this AReq included where it says so)
  'history.auths1h': { type: 'number', label: { ja: '1 時間の認証回数 (今回を含む)', en: 'authentications in 1 h (this one included)' }, unit: COUNT },
  'history.auths24h': { type: 'number', label: { ja: '24 時間の認証回数 (今回を含む)', en: 'authentications in 24 h (this one included)' }, unit: COUNT },
  'history.merchants24h': { type: 'number', label: { ja: '24 時間の加盟店数 (今回を含む)', en: 'distinct merchants in 24 h (this one included)' }, unit: COUNT },
  'history.consecutiveFrictionless': { type: 'number', label: { ja: '前回の認証画面以降の認証画面なし回数', en: 'consecutive frictionless since the last challenge' }, unit: COUNT },
  'history.frictionlessAmountHome': { type: 'number', label: { ja: '前回の認証画面以降の認証画面なし累計額', en: 'frictionless amount since the last challenge' }, unit: YEN },
  'history.failedChallenges24h': { type: 'number', label: { ja: '24 時間の認証失敗・中断', en: 'failed or abandoned challenges in 24 h' }, unit: COUNT },
  'history.lockouts30d': { type: 'number', label: { ja: '30 日のロック回数', en: 'lockouts in 30 days' }, unit: COUNT },
  'history.notMe90d': { type: 'number', label: { ja: '90 日の「身に覚えがない」報告', en: '"not me" reports in 90 days' }, unit: COUNT },

  // External fraud-detection provider
  'provider.score': { type: 'number', label: { ja: '外部スコア', en: 'provider score' } },
  'provider.available': { type: 'boolean', label: { ja: '外部サービス応答あり', en: 'provider available' } },
  'provider.reasons': { type: 'string[]', label: { ja: '外部サービスの理由コード', en: 'provider reason codes' } },
} as const satisfies Record<string, SignalDef>;

export type SignalName = keyof typeof SIGNALS;

type ValueOf<T extends SignalType> = T extends 'number' ? number : T extends 'string' ? string : T extends 'boolean' ? boolean : readonly string[];
export type SignalValue<N extends SignalName> = ValueOf<(typeof SIGNALS)[N]['type']>;

/** One AReq's signals. null or absent: unknown (not computed, not sent, not applicable). */
export type Signals = { [N in SignalName]?: SignalValue<N> | null };

export const SIGNAL_NAMES = Object.keys(SIGNALS) as SignalName[];

export function isSignalName(name: unknown): name is SignalName {
  return typeof name === 'string' && Object.hasOwn(SIGNALS, name);
}

export function signalDef(name: SignalName): SignalDef {
  return SIGNALS[name];
}

/** A signal's value when it has the registry's type, else null: a rule never sees a wrong type. */
export function signalValue(signals: Signals, name: SignalName): number | string | boolean | readonly string[] | null {
  const value: unknown = (signals as Record<string, unknown>)[name];
  switch (SIGNALS[name].type) {
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? value : null;
    case 'string':
      return typeof value === 'string' ? value : null;
    case 'boolean':
      return typeof value === 'boolean' ? value : null;
    case 'string[]':
      return Array.isArray(value) && value.every((v) => typeof v === 'string') ? value : null;
  }
}

/** Home-currency (JPY) units for one major unit of each currency, by ISO 4217 numeric code. */
export type RateTable = Readonly<Record<string, number>>;

/**
 * An amount in minor units of `currency` (with the message's exponent) in whole yen, or null when
 * the table has no rate for the currency or the amount is not a usable number.
 *
 * @example toHome(12345, '840', 2, { '840': 150 }) // 18518 (USD 123.45 at ¥150)
 */
export function toHome(amount: number, currency: string, exponent: number, rates: RateTable): number | null {
  if (!Number.isFinite(amount) || amount < 0 || !Number.isInteger(exponent) || exponent < 0 || exponent > 9) return null;
  const rate = currency === HOME_CURRENCY ? 1 : Object.hasOwn(rates, currency) ? rates[currency] : undefined;
  if (rate === undefined || !Number.isFinite(rate) || rate <= 0) return null;
  return Math.round((amount / 10 ** exponent) * rate);
}

/** The browser properties a device key is made of (from the AReq's browser fields or the 3DS Method). */
export interface BrowserProperties {
  screenWidth?: number | string;
  screenHeight?: number | string;
  colorDepth?: number | string;
  /** browserTZ: minutes from local time to UTC (getTimezoneOffset), -540 for Japan. */
  timeZoneOffset?: number | string;
  language?: string;
  userAgent?: string;
}

/**
 * The canonical device-key string: the same browser gives the same string across visits and
 * version upgrades (the user agent counts only by browser and OS family; the screen by its two
 * sides in either orientation). The caller hashes it (WebCrypto is async) with the card's salt.
 * null when neither the screen nor the user agent is known: such a key would be shared by every
 * device that sends nothing.
 *
 * @example deviceKey({ screenWidth: 390, screenHeight: 844, colorDepth: 24, timeZoneOffset: -540, language: 'ja-JP', userAgent: '… iPhone … Safari/604.1' })
 *   // 'v1|844x390|24|-540|ja-jp|safari/ios'
 */
export function deviceKey(props: BrowserProperties): string | null {
  const w = int(props.screenWidth);
  const h = int(props.screenHeight);
  const ua = props.userAgent?.trim() || undefined;
  if ((w === undefined || h === undefined) && ua === undefined) return null;
  const screen = w !== undefined && h !== undefined ? `${Math.max(w, h)}x${Math.min(w, h)}` : '?';
  const depth = int(props.colorDepth) ?? '?';
  const tz = int(props.timeZoneOffset) ?? '?';
  const language = props.language?.trim().toLowerCase().replaceAll('_', '-').replaceAll('|', '') || '?';
  const family = ua === undefined ? '?' : `${browserFamily(ua)}/${osFamily(ua)}`;
  return ['v1', screen, depth, tz, language, family].join('|');
}

function int(value: number | string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isInteger(n) ? n : undefined;
}

/** Browser family from a user agent; order matters (Edge and Opera also say Chrome, Chrome also says Safari). */
export function browserFamily(ua: string): string {
  if (/Edg(e|A|iOS)?\//.test(ua)) return 'edge';
  if (/OPR\/|Opera/.test(ua)) return 'opera';
  if (/SamsungBrowser\//.test(ua)) return 'samsung';
  if (/Firefox\/|FxiOS\//.test(ua)) return 'firefox';
  if (/Chrome\/|CriOS\/|Chromium\//.test(ua)) return 'chrome';
  if (/Safari\//.test(ua)) return 'safari';
  return 'other';
}

export function osFamily(ua: string): string {
  if (/iPhone|iPad|iPod/.test(ua)) return 'ios';
  if (/Android/.test(ua)) return 'android';
  if (/Windows/.test(ua)) return 'windows';
  if (/Mac OS X|Macintosh/.test(ua)) return 'macos';
  if (/CrOS/.test(ua)) return 'chromeos';
  if (/Linux/.test(ua)) return 'linux';
  return 'other';
}

/**
 * The network an IP address belongs to, as the rules compare it: the /24 of an IPv4 address, the
 * /48 of an IPv6 one (an IPv4-mapped IPv6 address counts as IPv4). null for anything else.
 *
 * @example ipPrefix('203.0.113.77') // '203.0.113.0/24';  ipPrefix('2001:db8:1234:5678::1') // '2001:db8:1234::/48'
 */
export function ipPrefix(ip: string): string | null {
  // Only dotted quads: ipaddr.js also reads classful shorthands ("1.2.3"), which no browser IP is.
  if (!ipaddr.IPv4.isValidFourPartDecimal(ip) && !ipaddr.IPv6.isValid(ip)) return null;
  let addr = ipaddr.parse(ip);
  if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress()) addr = (addr as ipaddr.IPv6).toIPv4Address();
  if (addr.kind() === 'ipv4') {
    const [a, b, c] = (addr as ipaddr.IPv4).octets;
    return `${a}.${b}.${c}.0/24`;
  }
  const parts = (addr as ipaddr.IPv6).parts;
  return `${new ipaddr.IPv6([parts[0], parts[1], parts[2], 0, 0, 0, 0, 0]).toString()}/48`;
}

/**
 * Whether the browser's time-zone offset (browserTZ, minutes as getTimezoneOffset gives them)
 * differs from the issuer's time zone at that instant. Pure: Intl's zone data, no clock.
 */
export function timeZoneMismatch(browserTZ: number, timeZone: string, at: number): boolean {
  return browserTZ !== -zoneOffsetMinutes(timeZone, at);
}

/** Minutes a zone is ahead of UTC at an instant (Asia/Tokyo: 540). */
export function zoneOffsetMinutes(timeZone: string, at: number): number {
  return Math.round(zoneOffsetMs(at, timeZone) / 60_000);
}
