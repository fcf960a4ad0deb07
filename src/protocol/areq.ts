/**
 * AReq: the authentication request a Directory Server sends to the ACS.
 *
 * One schema per version (AReq220, AReq231). Each is a field table (formats of every
 * element the ACS knows) plus presence rules that depend on deviceChannel (01 APP,
 * 02 BRW, 03 3RI), messageCategory (01 PA, 02 NPA) and other elements. Elements the
 * ACS does not know are dropped without complaint (Req 207/209), and so are elements
 * that do not apply to the channel (a 3RI AReq carrying browser fields).
 *
 * `parseAReq` runs the whole intake of spec §5.9.2 and answers with an AReq or an Erro.
 */
import { z } from 'zod';
import { buildErro, type AcsErro } from './errors.ts';
import {
  code, country, countryNotExcluded, currency, currencyNotExcluded, date, dateTimeMinutes, dateTimeSeconds,
  digits, email, httpsUrl, ip, jsonObject, messageExtensions, numericInRange, optional, phone,
  required, text, url, uuid, yearMonth, type MessageExtension,
} from './formats.ts';
import { currencyExponent } from './iso.ts';
import {
  EVEN_WITH_FORMAT_ERRORS, checkPresence, isPresent, oneOf, type JsonObject, type PresenceRule,
} from './presence.ts';
import { erroFor, erroFromIssues, readMessage } from './validation.ts';
import type { MessageVersion } from './versions.ts';

// --- nested objects --------------------------------------------------------------------

const acctInfo = z.object({
  chAccAgeInd: optional(code('01-05')),
  chAccChange: optional(date),
  chAccChangeInd: optional(code('01-04')),
  chAccDate: optional(date),
  chAccPwChange: optional(date),
  chAccPwChangeInd: optional(code('01-05')),
  chAccReqID: optional(text(64)),
  nbPurchaseAccount: optional(digits(1, 4)),
  paymentAccAge: optional(date),
  paymentAccInd: optional(code('01-05')),
  provisionAttemptsDay: optional(digits(1, 3)),
  shipAddressUsage: optional(date),
  shipAddressUsageInd: optional(code('01-04')),
  shipNameIndicator: optional(code('01', '02')),
  suspiciousAccActivity: optional(code('01', '02')),
  txnActivityDay: optional(digits(1, 3)),
  txnActivityYear: optional(digits(1, 3)),
});

const merchantRiskIndicator = z.object({
  deliveryEmailAddress: optional(email),
  deliveryTimeframe: optional(code('01-04')),
  giftCardAmount: optional(digits(1, 15)),
  giftCardCount: optional(digits(2, 2)),
  giftCardCurr: optional(currencyNotExcluded),
  preOrderDate: optional(date),
  preOrderPurchaseInd: optional(code('01', '02')),
  reorderItemsInd: optional(code('01', '02')),
  shipIndicator: optional(code('01-09')),
  transChar: optional(z.array(code('01', '02')).max(2)),
});

const authenticationInfo = (methods: string) =>
  z.object({
    threeDSReqAuthData: optional(text(20000)),
    threeDSReqAuthMethod: optional(code(methods, '80-99')),
    threeDSReqAuthTimestamp: optional(dateTimeMinutes),
  });

const priorAuthenticationInfo = z.object({
  threeDSReqPriorAuthData: optional(text(2048)),
  threeDSReqPriorAuthMethod: optional(code('01-04', '80-99')),
  threeDSReqPriorAuthTimestamp: optional(dateTimeMinutes),
  threeDSReqPriorRef: optional(text(36)),
});

/**
 * deviceRenderOptions per version: 2.2.0 knows UI types 01–05 (sdkInterface optional there), 2.3.1
 * adds 06 HTML OOB and 07 Information, requires sdkInterface, and adds sdkAuthenticationType.
 */
const deviceRenderOptions220 = z.object({
  sdkInterface: optional(code('01', '02', '03')),
  sdkUiType: required(z.array(code('01-05')).min(1).max(5)),
});
const deviceRenderOptions231 = z.object({
  sdkInterface: required(code('01', '02', '03')),
  sdkUiType: required(z.array(code('01-07')).min(1).max(7)),
  sdkAuthenticationType: optional(z.array(code('01-99')).max(99)),
});

// P-256 (SEC 2 secp256r1): y² = x³ − 3x + b over GF(p).
const P256_P = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn;
const P256_B = 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn;

function coordinate(b64url: unknown): bigint | undefined {
  // 32 bytes are exactly 43 base64url characters; the last one carries 4 bits and two zero bits (A, E, I, …, 8).
  if (typeof b64url !== 'string' || !/^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/.test(b64url)) return undefined;
  const bin = atob(b64url.replace(/-/g, '+').replace(/_/g, '/') + '=');
  let n = 0n;
  for (let i = 0; i < bin.length; i++) n = (n << 8n) | BigInt(bin.charCodeAt(i));
  return n;
}

const mod = (n: bigint) => ((n % P256_P) + P256_P) % P256_P;

/**
 * sdkEphemPubKey must be an EC P-256 JWK whose point is on the curve (spec §6.2.3.2): checked here,
 * synchronously, so that an off-curve key is the AReq's Erro 203 like any other bad field. Other
 * members (kid, use) occur in real SDKs and are kept as sent (the signed content echoes them).
 */
export function isP256PublicJwk(jwk: Record<string, unknown>): boolean {
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || 'd' in jwk) return false;
  const x = coordinate(jwk.x);
  const y = coordinate(jwk.y);
  if (x === undefined || y === undefined || x >= P256_P || y >= P256_P) return false;
  return mod(y * y) === mod(x * x * x - 3n * x + P256_B);
}

const sdkEphemPubKey = jsonObject(256).refine(isP256PublicJwk, 'not an EC P-256 public key on the curve');

/** deviceInfo: the DS's base64url of the SDK's device data (a padded form is tolerated). */
const deviceInfo = z.string().max(64000).regex(/^[A-Za-z0-9_-]+={0,2}$/);

/** An object the ACS only stores or passes on; the digest gives no member formats. */
const opaqueObject = jsonObject(64000);

// --- AReq 2.2.0 --------------------------------------------------------------------------

const fields220 = {
  // message and transaction identity
  messageType: required(z.literal('AReq')),
  messageVersion: required(z.literal('2.2.0')),
  messageCategory: required(code('01', '02', '80-99')),
  deviceChannel: required(code('01', '02', '03', '80-99')),
  threeDSServerTransID: required(uuid),
  threeDSServerRefNumber: required(text(32)),
  threeDSServerOperatorID: optional(text(32)),
  threeDSServerURL: required(url(2048)),
  threeDSRequestorID: required(text(35)),
  threeDSRequestorName: required(text(40)),
  threeDSRequestorURL: required(url(2048)),
  // added by the DS before forwarding to the ACS
  dsReferenceNumber: optional(text(32)),
  dsTransID: optional(uuid),
  dsURL: optional(url(2048)),
  messageExtension: optional(messageExtensions(10)),

  // card and cardholder
  acctNumber: required(digits(13, 19)),
  acctType: optional(code('01', '02', '03', '80-99')),
  acctID: optional(text(64)),
  acctInfo: optional(acctInfo),
  cardExpiryDate: optional(yearMonth),
  cardholderName: optional(text(45, 2)),
  email: optional(email),
  homePhone: optional(phone),
  mobilePhone: optional(phone),
  workPhone: optional(phone),
  billAddrCity: optional(text(50)),
  billAddrCountry: optional(countryNotExcluded),
  billAddrLine1: optional(text(50)),
  billAddrLine2: optional(text(50)),
  billAddrLine3: optional(text(50)),
  billAddrPostCode: optional(text(16)),
  billAddrState: optional(text(3)),
  shipAddrCity: optional(text(50)),
  shipAddrCountry: optional(countryNotExcluded),
  shipAddrLine1: optional(text(50)),
  shipAddrLine2: optional(text(50)),
  shipAddrLine3: optional(text(50)),
  shipAddrPostCode: optional(text(16)),
  shipAddrState: optional(text(3)),
  addrMatch: optional(z.enum(['Y', 'N'])),

  // merchant and purchase
  acquirerBIN: optional(text(11)),
  acquirerMerchantID: optional(text(35)),
  mcc: optional(digits(4, 4)),
  merchantCountryCode: optional(country),
  merchantName: optional(text(40)),
  merchantRiskIndicator: optional(merchantRiskIndicator),
  purchaseAmount: optional(digits(1, 48)),
  purchaseCurrency: optional(currency),
  purchaseExponent: optional(digits(1, 1)),
  purchaseDate: optional(dateTimeSeconds),
  purchaseInstalData: optional(numericInRange(1, 3, 2, 999)),
  recurringExpiry: optional(date),
  recurringFrequency: optional(digits(1, 4)),
  transType: optional(code('01', '03', '10', '11', '28')),
  payTokenInd: optional(z.literal(true)),
  payTokenSource: optional(code('01', '02', '80-99')),

  // 3DS Requestor preferences
  threeDSRequestorAuthenticationInd: optional(code('01-06', '80-99')),
  threeDSRequestorAuthenticationInfo: optional(authenticationInfo('01-08')),
  threeDSRequestorChallengeInd: optional(code('01-09', '80-99')),
  threeDSRequestorPriorAuthenticationInfo: optional(priorAuthenticationInfo),
  threeDSRequestorDecReqInd: optional(z.enum(['Y', 'N'])),
  threeDSRequestorDecMaxTime: optional(numericInRange(5, 5, 1, 10080)),
  threeDSReqAuthMethodInd: optional(code('01', '02', '03', '80-99')),
  threeRIInd: optional(code('01-11', '80-99')),
  whiteListStatus: optional(z.enum(['Y', 'N', 'E', 'P', 'R', 'U'])),
  whiteListStatusSource: optional(code('01', '02', '03', '80-99')),

  // browser channel
  browserAcceptHeader: optional(text(2048)),
  browserIP: optional(ip),
  browserJavaEnabled: optional(z.boolean()),
  browserJavascriptEnabled: optional(z.boolean()),
  browserLanguage: optional(text(8)),
  browserColorDepth: optional(z.enum(['1', '4', '8', '15', '16', '24', '32', '48'])),
  browserScreenHeight: optional(digits(1, 6)),
  browserScreenWidth: optional(digits(1, 6)),
  browserTZ: optional(z.string().regex(/^[+-]?\d{1,4}$/)),
  browserUserAgent: optional(text(2048)),
  notificationURL: optional(url(256)),
  threeDSCompInd: optional(z.enum(['Y', 'N', 'U'])),

  // app channel (the DS has decrypted sdkEncData into deviceInfo)
  deviceInfo: optional(deviceInfo),
  deviceRenderOptions: optional(deviceRenderOptions220),
  sdkAppID: optional(uuid),
  sdkEncData: optional(text(64000)),
  sdkEphemPubKey: optional(sdkEphemPubKey),
  sdkMaxTimeout: optional(numericInRange(2, 2, 5, 99)),
  sdkReferenceNumber: optional(text(32)),
  sdkTransID: optional(uuid),
};

// --- AReq 2.3.1: the 2.2.0 table with the changes of digest §2.5 ------------------------

// whiteListStatus(-Source) became trustListStatus(-Source); threeDSReqAuthMethodInd was removed.
const { whiteListStatus, whiteListStatusSource, threeDSReqAuthMethodInd, ...kept220 } = fields220;

const fields231 = {
  ...kept220,
  messageVersion: required(z.literal('2.3.1')),
  messageExtension: optional(messageExtensions(15)),
  threeDSRequestorURL: required(httpsUrl(2048)),
  notificationURL: optional(httpsUrl(256)),
  acquirerCountryCode: required(country),
  acquirerCountryCodeSource: required(code('01', '02', '80-99')),

  // preferences: several may now be given, in order of preference
  threeDSRequestorAuthenticationInd: optional(code('01-10', '80-99')),
  threeDSRequestorAuthenticationInfo: optional(z.array(authenticationInfo('01-09')).max(3)),
  threeDSRequestorChallengeInd: optional(z.array(code('01-14', '80-99')).max(2)),
  threeDSRequestorPriorAuthenticationInfo: optional(z.array(priorAuthenticationInfo).max(3)),
  threeDSRequestorDecReqInd: optional(z.enum(['Y', 'N', 'F', 'B'])),
  threeRIInd: optional(code('01-19', '80-99')),
  trustListStatus: optional(z.enum(['Y', 'N', 'E', 'P', 'R', 'U'])),
  trustListStatusSource: optional(code('01', '02', '03', '80-99')),

  // browser channel
  acceptLanguage: optional(z.array(text(100)).max(99)),
  browserLanguage: optional(text(35)),
  browserColorDepth: optional(numericInRange(1, 2, 1, 99)),
  threeDSMethodId: optional(uuid),
  threeDSRequestorSpcSupport: optional(z.literal('Y')),
  payeeOrigin: optional(url(2048)),
  spcIncompInd: optional(digits(2, 2)),
  deviceId: optional(text(64)),
  userId: optional(text(254)),

  // app channel
  deviceRenderOptions: optional(deviceRenderOptions231),
  appIp: optional(ip),
  sdkType: optional(code('01', '02', '80-99')),
  defaultSdkType: optional(opaqueObject),
  splitSdkType: optional(opaqueObject),
  sdkServerSignedContent: optional(text(64000)),
  sdkSignatureTimestamp: optional(dateTimeSeconds),

  // new purchase, card and risk data
  recurringAmount: optional(digits(1, 48)),
  recurringCurrency: optional(currency),
  recurringExponent: optional(digits(1, 1)),
  recurringDate: optional(date),
  recurringInd: optional(opaqueObject),
  cardSecurityCode: optional(digits(3, 4)),
  cardSecurityCodeStatus: optional(z.enum(['Y', 'N', 'U'])),
  cardSecurityCodeStatusSource: optional(code('01', '02', '80-99')),
  deviceBindingStatus: optional(digits(2, 2)),
  deviceBindingStatusSource: optional(code('01', '02', '03', '80-99')),
  payTokenInfo: optional(text(64000)),
  multiTransaction: optional(opaqueObject),
  sellerInfo: optional(z.array(opaqueObject).max(50)),
  taxId: optional(text(45)),
  broadInfo: optional(opaqueObject),
};

// --- presence rules ------------------------------------------------------------------------

const isApp = (m: JsonObject) => m.deviceChannel === '01';
const isBrowser = (m: JsonObject) => m.deviceChannel === '02';
const isThreeRI = (m: JsonObject) => m.deviceChannel === '03';
const isPayment = (m: JsonObject) => m.messageCategory === '01';
const isNonPayment = (m: JsonObject) => m.messageCategory === '02';
/** threeDSRequestorAuthenticationInd counts only where it applies (not 3RI); threeRIInd only for 3RI. */
const authInd = (m: JsonObject) => (isThreeRI(m) ? undefined : m.threeDSRequestorAuthenticationInd);
const riInd = (m: JsonObject) => (isThreeRI(m) ? m.threeRIInd : undefined);

const MERCHANT = ['acquirerBIN', 'acquirerMerchantID', 'mcc', 'merchantCountryCode', 'merchantName'];
const PURCHASE = ['purchaseAmount', 'purchaseCurrency', 'purchaseDate', 'purchaseExponent'];
const BROWSER_IF_JAVASCRIPT = ['browserColorDepth', 'browserJavaEnabled', 'browserScreenHeight', 'browserScreenWidth', 'browserTZ'];
const APP = ['sdkAppID', 'sdkEphemPubKey', 'sdkMaxTimeout', 'sdkReferenceNumber', 'sdkTransID', 'deviceRenderOptions'];

/** Rules both versions share. */
const commonRules: PresenceRule[] = [
  { elements: MERCHANT, requiredIf: isPayment },
  { elements: ['threeDSRequestorAuthenticationInd'], requiredIf: (m) => isBrowser(m) || isApp(m) },
  { elements: ['threeRIInd'], requiredIf: isThreeRI },
  { elements: APP, requiredIf: isApp },
  { elements: ['purchaseInstalData'], requiredIf: (m) => authInd(m) === '03' || riInd(m) === '02' },
  { elements: ['recurringExpiry', 'recurringFrequency'], requiredIf: (m) => oneOf(authInd(m), ['02', '03']) || oneOf(riInd(m), ['01', '02']) },
  { elements: ['shipAddrCountry'], requiredIf: (m) => isPresent(m.shipAddrState) },
  { elements: ['payTokenSource'], requiredIf: (m) => m.payTokenInd === true, onlyThen: true },
];

const rules220: PresenceRule[] = [
  ...commonRules,
  {
    elements: PURCHASE,
    requiredIf: (m) =>
      isPayment(m) ||
      (isNonPayment(m) && (oneOf(authInd(m), ['02', '03']) || oneOf(riInd(m), ['01', '02', '06', '07', '08', '09', '11']))),
  },
  {
    elements: ['browserAcceptHeader', 'browserJavascriptEnabled', 'browserLanguage', 'browserUserAgent', 'notificationURL', 'threeDSCompInd'],
    requiredIf: isBrowser,
  },
  { elements: BROWSER_IF_JAVASCRIPT, requiredIf: (m) => isBrowser(m) && m.browserJavascriptEnabled === true },
  { elements: ['threeDSRequestorDecMaxTime'], requiredIf: (m) => m.threeDSRequestorDecReqInd === 'Y', onlyThen: true },
  { elements: ['whiteListStatusSource'], requiredIf: (m) => isPresent(m.whiteListStatus), onlyThen: true },
];

const rules231: PresenceRule[] = [
  ...commonRules,
  {
    elements: PURCHASE,
    requiredIf: (m) =>
      isPayment(m) ||
      (isNonPayment(m) &&
        (oneOf(authInd(m), ['02', '03', '07', '08', '09']) || oneOf(riInd(m), ['01', '02', '06', '07', '08', '09', '11', '15']))),
  },
  {
    elements: ['acceptLanguage', 'browserAcceptHeader', 'browserJavascriptEnabled', 'browserUserAgent', 'notificationURL', 'threeDSCompInd'],
    requiredIf: isBrowser,
  },
  { elements: [...BROWSER_IF_JAVASCRIPT, 'browserLanguage'], requiredIf: (m) => isBrowser(m) && m.browserJavascriptEnabled === true },
  { elements: ['threeDSRequestorDecMaxTime'], requiredIf: (m) => oneOf(m.threeDSRequestorDecReqInd, ['Y', 'F', 'B']), onlyThen: true },
  { elements: ['trustListStatusSource'], requiredIf: (m) => isPresent(m.trustListStatus), onlyThen: true },
  { elements: ['cardSecurityCodeStatusSource'], requiredIf: (m) => isPresent(m.cardSecurityCodeStatus), onlyThen: true },
  { elements: ['deviceBindingStatusSource'], requiredIf: (m) => isPresent(m.deviceBindingStatus), onlyThen: true },
  // 2.3.1 app: which SDK (01 default, 02 split); a split SDK describes itself.
  { elements: ['sdkType'], requiredIf: isApp },
  { elements: ['splitSdkType'], requiredIf: (m) => isApp(m) && m.sdkType === '02' },
];

/** Elements that belong to some channels only: elsewhere they are dropped, not rejected. */
const CHANNEL_ONLY: ReadonlyArray<{ channels: readonly string[]; elements: readonly string[] }> = [
  {
    channels: ['02'],
    elements: [
      'acceptLanguage', 'browserAcceptHeader', 'browserColorDepth', 'browserIP', 'browserJavaEnabled',
      'browserJavascriptEnabled', 'browserLanguage', 'browserScreenHeight', 'browserScreenWidth', 'browserTZ',
      'browserUserAgent', 'notificationURL', 'threeDSCompInd', 'threeDSMethodId', 'threeDSRequestorSpcSupport',
      'payeeOrigin', 'spcIncompInd', 'deviceId', 'userId',
    ],
  },
  {
    channels: ['01'],
    elements: [
      'deviceInfo', 'deviceRenderOptions', 'sdkAppID', 'sdkEncData', 'sdkEphemPubKey', 'sdkMaxTimeout',
      'sdkReferenceNumber', 'sdkTransID', 'appIp', 'sdkType', 'defaultSdkType', 'splitSdkType',
      'sdkServerSignedContent', 'sdkSignatureTimestamp',
    ],
  },
  {
    channels: ['01', '02'],
    elements: [
      'addrMatch', 'threeDSReqAuthMethodInd', 'threeDSRequestorAuthenticationInd',
      'threeDSRequestorAuthenticationInfo', 'threeDSRequestorChallengeInd',
    ],
  },
  { channels: ['03'], elements: ['threeRIInd'] },
];

/** purchaseExponent (and 2.3.1 recurringExponent) must be the minor-unit exponent of the currency: 304 if not. */
function checkExponents(m: JsonObject, ctx: z.RefinementCtx): void {
  for (const [currencyElement, exponentElement] of [['purchaseCurrency', 'purchaseExponent'], ['recurringCurrency', 'recurringExponent']]) {
    const currencyCode = m[currencyElement];
    const expected = typeof currencyCode === 'string' ? currencyExponent(currencyCode) : undefined;
    const exponent = m[exponentElement];
    if (expected !== undefined && typeof exponent === 'string' && exponent !== String(expected)) {
      ctx.addIssue({ code: 'custom', path: [exponentElement], message: `exponent of ${currencyCode} is ${expected}`, params: { errorCode: '304' } });
    }
  }
}

/**
 * Drops elements that do not apply to the AReq's deviceChannel, and objects left empty
 * once their unknown members were dropped.
 */
function keepApplicable<T extends object>(areq: T): T {
  const kept = Object.fromEntries(Object.entries(areq).filter(([, value]) => isPresent(value)));
  const channel = String(kept.deviceChannel);
  if (!['01', '02', '03'].includes(channel)) return kept as T; // a DS-specific channel: keep all
  for (const { channels, elements } of CHANNEL_ONLY) {
    if (!channels.includes(channel)) for (const element of elements) delete kept[element];
  }
  return kept as T;
}

/** A field table plus its presence rules; unknown and not-applicable elements are dropped from the result. */
function areqSchema<Fields extends z.ZodRawShape>(fields: Fields, rules: readonly PresenceRule[]) {
  return z
    .object(fields)
    .superRefine((m, ctx) => {
      checkPresence(rules, m, ctx);
      checkExponents(m, ctx);
    }, EVEN_WITH_FORMAT_ERRORS)
    .transform(keepApplicable);
}

export const AReq220 = areqSchema(fields220, rules220);
export const AReq231 = areqSchema(fields231, rules231);

/** The DS adds these before forwarding; the ARes must echo them. */
const DS_ADDITIONS: PresenceRule = { elements: ['dsTransID', 'dsReferenceNumber'], requiredIf: () => true };

/** The same schemas for an AReq as it must reach the ACS: with the DS additions. */
const FROM_DS = {
  '2.2.0': areqSchema(fields220, [...rules220, DS_ADDITIONS]),
  '2.3.1': areqSchema(fields231, [...rules231, DS_ADDITIONS]),
} as const;

export const AREQ_SCHEMAS = { '2.2.0': AReq220, '2.3.1': AReq231 } as const;

export type AReq220 = z.infer<typeof AReq220>;
export type AReq231 = z.infer<typeof AReq231>;
export type AReq = AReq220 | AReq231;

// --- parseAReq ---------------------------------------------------------------------------

export interface ParseAReqOptions {
  /** Currencies this ACS or its DS refuses on top of the spec's exclusions; a match is a 304. */
  excludedCurrencies?: readonly string[];
  /** Message extension IDs the ACS understands. A critical extension not listed here is a 202. */
  recognisedExtensions?: readonly string[];
  /**
   * Require dsTransID and dsReferenceNumber, which the DS adds before forwarding. Off by
   * default so that AReqs captured on the 3DS Server side (the reference samples) parse;
   * the ACS endpoint should turn it on, since the ARes must echo both.
   */
  requireDsFields?: boolean;
}

export type ParseAReqResult = { ok: true; areq: AReq; messageVersion: MessageVersion } | { ok: false; erro: AcsErro };

/**
 * Validates an AReq body as received by the ACS and returns the typed AReq, or the Erro
 * to answer with. Checks, in order: JSON object with messageType AReq (101), duplicate
 * keys (204), messageVersion (102), required elements (201), formats and conditions
 * (203), critical extensions (202), ISO codes (304). Never throws.
 *
 * @example
 * const result = parseAReq(await c.req.text(), { requireDsFields: true });
 * if (!result.ok) return c.json(result.erro);
 */
export function parseAReq(body: string, opts: ParseAReqOptions = {}): ParseAReqResult {
  try {
    const read = readMessage(body, 'AReq');
    if (!read.ok) return read;
    const { message, messageVersion } = read;

    const schema = (opts.requireDsFields ? FROM_DS : AREQ_SCHEMAS)[messageVersion];
    const parsed = schema.safeParse(message, { reportInput: true });
    if (!parsed.success) return { ok: false, erro: erroFromIssues(parsed.error.issues, message, 'AReq') };
    const areq = parsed.data;

    const critical = unrecognisedCriticalExtensions(areq.messageExtension, opts.recognisedExtensions ?? []);
    if (critical.length > 0) return { ok: false, erro: erroFor(message, 'AReq', '202', critical.join(',')) };

    const excluded = ['purchaseCurrency', 'recurringCurrency'].filter((e) => {
      const value = message[e];
      return typeof value === 'string' && (opts.excludedCurrencies ?? []).includes(value);
    });
    if (excluded.length > 0) return { ok: false, erro: erroFor(message, 'AReq', '304', excluded.join(',')) };

    return { ok: true, areq, messageVersion };
  } catch {
    // Only pathological input can get here (e.g. nesting too deep for the runtime's stack).
    return { ok: false, erro: buildErro({ errorCode: '101', errorDetail: 'Message could not be validated', errorMessageType: 'AReq' }) };
  }
}

function unrecognisedCriticalExtensions(extensions: MessageExtension[] | undefined, recognised: readonly string[]): string[] {
  return (extensions ?? []).filter((x) => x.criticalityIndicator && !recognised.includes(x.id)).map((x) => x.id);
}

/**
 * The 3DS Requestor's challenge preferences in order, the same way for both versions:
 * 2.2.0 sends one code, 2.3.1 up to two; absent means 01 (no preference).
 */
export function requestorChallengeInd(areq: AReq): string[] {
  const ind = areq.threeDSRequestorChallengeInd;
  if (ind === undefined) return ['01'];
  return Array.isArray(ind) ? ind : [ind];
}
