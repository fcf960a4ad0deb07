/**
 * One AReq's signals (rules/signals.ts), computed once: from the AReq (purchase, requestor and
 * browser fields), the card on file (registration, phone change, card status and age, opt-out),
 * the 3DS Method's data (device key), and the card's history (history.ts: one batch of indexed
 * reads). Also what the AReq will add to that history (the keyed device and IP-prefix hashes, the
 * merchant), written with the AReq's row.
 *
 * A value that cannot be known is null: no 3DS Method and no browser fields → device.newDevice
 * unknown; not registered → the member's signals unknown.
 */
import type { CardOnFile } from '../cards/card-store.ts';
import type { IssuerSettings } from '../issuers/settings.ts';
import type { Keys } from '../keys.ts';
import type { Database } from '../db/client.ts';
import { requestorChallengeInd, type AReq } from '../protocol/areq.ts';
import { authsInLastDay, authsInLastHour, DAY_MS, failedChallengesInLastDay, readHistory, readMethodData, seenHash, type SeenValues } from './history.ts';
import { deviceKey, ipPrefix, toHome, zoneOffsetMinutes, type BrowserProperties, type Signals } from './rules/signals.ts';

export interface AReqSignals {
  signals: Signals;
  /** What this AReq adds to the card's history (card_seen values). */
  seen: SeenValues;
  /** The 3DS Method's data as stored (for the RiskInput's browserSeen). */
  browserSeen: Record<string, unknown> | undefined;
}

type Fields = Record<string, unknown>;

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const num = (v: unknown): number | null => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : null;
};
const days = (from: number | null | undefined, now: number) => (from == null ? null : Math.floor((now - from) / DAY_MS));

export async function signalsFromAReq(
  deps: { db: Database; keys: Keys },
  args: { areq: AReq; cardOnFile: CardOnFile; issuer: IssuerSettings; now: number },
): Promise<AReqSignals> {
  const { areq, cardOnFile, issuer, now } = args;
  const a = areq as unknown as Fields;
  const { card, cardholder, member } = cardOnFile;

  const methodCompleted = str(a.threeDSCompInd);
  const methodId = methodCompleted === 'Y' ? (str(a.threeDSMethodId) ?? areq.threeDSServerTransID) : undefined;

  // The merchant is known to the AReq: its value does not wait for the reads.
  const merchant = str(a.acquirerMerchantID) ?? str(a.merchantName);
  const ip = str(a.browserIP);
  const prefix = ip ? ipPrefix(ip) : null;

  // The device key: what the 3DS Method observed itself (first, one read by primary key), over the
  // browser fields the 3DS Server relayed in the AReq; the same browser gives the same key either way.
  const methodRow = methodId ? await readMethodData(deps.db, methodId, now) : undefined;
  const browserSeen = methodRow ? (JSON.parse(methodRow) as Record<string, unknown>) : undefined;
  const key = deviceKey({ ...browserPropsFromAReq(a), ...definedOnly(browserPropsFromMethod(browserSeen)) });
  const seen: SeenValues = {
    device: key ? await seenHash(deps.keys, card.id, 'device', key) : null,
    ip: prefix ? await seenHash(deps.keys, card.id, 'ip', prefix) : null,
    merchant,
  };
  const history = await readHistory(deps.db, { cardId: card.id, memberId: member?.id ?? null, values: seen, now });

  const exponent = num(a.purchaseExponent) ?? 0;
  const amount = num(a.purchaseAmount);
  const currency = str(a.purchaseCurrency);
  const hasAmount = amount !== null && currency !== null;
  const ind = requestorChallengeInd(areq)[0];
  const authInfo = (a.threeDSRequestorAuthenticationInfo ?? {}) as Fields;
  const priorInfo = (a.threeDSRequestorPriorAuthenticationInfo ?? {}) as Fields;
  const tz = num(a.browserTZ) ?? num(browserSeen?.timeZoneOffset);
  const state = history.state;

  const signals: Signals = {
    'purchase.amount': hasAmount ? amount : null,
    // The same arithmetic as simple-rules.ts (rules/risk-input.ts), so thresholds compare as they did.
    'purchase.amountMajor': hasAmount ? amount / 10 ** exponent : null,
    'purchase.amountHome': hasAmount ? toHome(amount, currency, exponent, issuer.risk.currencyRates) : null,
    'purchase.currency': currency,
    'purchase.messageCategory': str(a.messageCategory),
    'purchase.mcc': str(a.mcc),
    'purchase.merchantName': str(a.merchantName),
    'purchase.acquirerMerchantId': str(a.acquirerMerchantID),
    'purchase.acquirerBin': str(a.acquirerBIN),
    'purchase.merchantCountry': str(a.merchantCountryCode),
    'purchase.transType': str(a.transType),
    'purchase.recurring': a.threeDSRequestorAuthenticationInd === '02' || str(a.recurringFrequency) !== null,
    'purchase.instalments': num(a.purchaseInstalData),
    'purchase.threeRIInd': str(a.threeRIInd),
    'purchase.challengeInd': str(a.threeDSRequestorChallengeInd) ?? (Array.isArray(a.threeDSRequestorChallengeInd) ? ind : null),
    'purchase.requestorAuthMethod': str(authInfo.threeDSReqAuthMethod),
    'purchase.priorAuthMethod': str(priorInfo.threeDSReqPriorAuthMethod),
    'purchase.whitelistStatus': str(a.whiteListStatus),

    'cardholder.registered': member !== null && member.status !== 'provisional',
    'cardholder.provisional': member ? member.status === 'provisional' : null,
    'cardholder.authMethod': member?.authMethod ?? null,
    'cardholder.daysSinceRegistration': member ? days(member.createdAt, now) : null,
    'cardholder.daysSincePhoneChange': member ? days(member.phoneChangedAt, now) : null,
    'cardholder.dataSharingOptOut': cardholder.dataSharingOptOut,
    'card.status': card.status,
    'card.ageDays': days(card.createdAt, now),

    'device.channel': str(a.deviceChannel),
    'device.methodCompleted': methodCompleted === null ? null : methodCompleted === 'Y',
    'device.newDevice': seen.device === null ? null : !history.seen.device,
    'device.tzMismatch': tz === null ? null : tz !== -zoneOffsetNow(issuer.timeZone, now),
    'device.browserLanguage': str(a.browserLanguage) ?? str(browserSeen?.language) ?? firstString(browserSeen?.languages),
    'device.newIpPrefix': seen.ip === null ? null : !history.seen.ip,

    // This AReq included where the name says so.
    'history.auths1h': authsInLastHour(state, now) + 1,
    'history.auths24h': authsInLastDay(state, now) + 1,
    'history.merchants24h': history.merchants24h + (merchant !== null && !history.seen.merchant24h ? 1 : 0),
    'history.consecutiveFrictionless': state?.consecutiveFrictionless ?? 0,
    'history.frictionlessAmountHome': state?.frictionlessAmountHome ?? 0,
    'history.failedChallenges24h': failedChallengesInLastDay(state, now),
    'history.lockouts30d': member ? (member.lockedAt !== null && now - member.lockedAt < 30 * DAY_MS ? 1 : 0) : null,
    'history.notMe90d': history.notMe90d,
  };
  return { signals, seen, browserSeen };
}

// The zone's offset, as rules/signals.ts timeZoneMismatch computes it, kept per quarter hour: Intl
// builds a formatter per call, a cost the hot AReq should not pay (offsets change at most at a
// quarter-hour boundary).
const QUARTER_HOUR_MS = 15 * 60 * 1000;
const offsets = new Map<string, number>();
function zoneOffsetNow(timeZone: string, now: number): number {
  const slot = Math.floor(now / QUARTER_HOUR_MS);
  const key = `${timeZone}|${slot}`;
  let offset = offsets.get(key);
  if (offset === undefined) {
    if (offsets.size > 100) offsets.clear();
    offset = zoneOffsetMinutes(timeZone, slot * QUARTER_HOUR_MS);
    offsets.set(key, offset);
  }
  return offset;
}

function browserPropsFromAReq(a: Fields): BrowserProperties {
  return {
    screenWidth: str(a.browserScreenWidth) ?? undefined,
    screenHeight: str(a.browserScreenHeight) ?? undefined,
    colorDepth: str(a.browserColorDepth) ?? undefined,
    timeZoneOffset: str(a.browserTZ) ?? undefined,
    language: str(a.browserLanguage) ?? undefined,
    userAgent: str(a.browserUserAgent) ?? undefined,
  };
}

/** The 3DS Method's collected properties (src/acs/method.tsx: screen, colour depth, offset, languages, and the request's user agent). */
function browserPropsFromMethod(data: Fields | undefined): BrowserProperties {
  if (!data) return {};
  const n = (v: unknown) => (typeof v === 'number' || typeof v === 'string' ? v : undefined);
  return {
    screenWidth: n(data.screenWidth),
    screenHeight: n(data.screenHeight),
    colorDepth: n(data.colorDepth),
    timeZoneOffset: n(data.timeZoneOffset),
    language: str(data.language) ?? firstString(data.languages) ?? undefined,
    userAgent: str(data.userAgent) ?? undefined,
  };
}

function firstString(v: unknown): string | null {
  return Array.isArray(v) && typeof v[0] === 'string' ? v[0] : null;
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
