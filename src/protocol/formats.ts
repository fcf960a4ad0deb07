/**
 * zod building blocks for EMV 3DS data elements: the formats of Annex A (UUIDs, URLs,
 * dates, code lists, ISO codes...) and the two inclusion wrappers every message uses.
 *
 * How a failure becomes an Erro code (see validation.ts): an issue whose input is
 * absent is a missing element (201); an issue carrying `params.errorCode` uses that
 * code (304 for ISO codes); every other issue is a format failure (203).
 */
import { z } from 'zod';
import { isExcludedCountry, isExcludedCurrency, isValidCountry, isValidCurrency } from './iso.ts';

/** Absent, "", null, [] and {} all count as "missing" (Annex A.1). */
export function isMissing(value: unknown): boolean {
  if (value === undefined || value === null || value === '') return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'object') return Object.keys(value).length === 0;
  return false;
}

/** A required element. "", null, [] and {} are turned into absence, so they report 201 rather than 203. */
export function required<T extends z.ZodType>(format: T) {
  return z.preprocess((v) => (isMissing(v) ? undefined : v), format);
}

/**
 * An optional (or conditional) element. An empty object or array is taken as absent
 * (Visa's test suite sends `threeDSRequestorPriorAuthenticationInfo: {}`), while ""
 * and null still fail the format: an optional element sent empty is a 203 (Req 309).
 */
export function optional<T extends z.ZodType>(format: T) {
  return z.preprocess((v) => (isEmptyContainer(v) ? undefined : v), format.optional());
}

function isEmptyContainer(v: unknown): boolean {
  return typeof v === 'object' && v !== null && isMissing(v);
}

/** The issue params that make an issue a 304 instead of a 203. */
export const ISO_INVALID = { params: { errorCode: '304' } } as const;

// --- strings -------------------------------------------------------------------------

export const text = (max: number, min = 1) => z.string().min(min).max(max);

export const digits = (min: number, max: number) => z.string().regex(new RegExp(`^\\d{${min},${max}}$`));

/** A numeric string of min..max digits whose value lies in [low, high], e.g. sdkMaxTimeout "05".."99". */
export const numericInRange = (minDigits: number, maxDigits: number, low: number, high: number) =>
  digits(minDigits, maxDigits).refine((v) => Number(v) >= low && Number(v) <= high, 'out of range');

/**
 * A code from a code list. Arguments are codes or inclusive ranges of two-digit codes:
 * `code('01-09', '80-99')`.
 */
export function code(...codes: string[]) {
  const allowed = new Set<string>();
  for (const c of codes) {
    const range = /^(\d+)-(\d+)$/.exec(c);
    if (!range) {
      allowed.add(c);
      continue;
    }
    for (let n = Number(range[1]); n <= Number(range[2]); n++) allowed.add(String(n).padStart(range[1].length, '0'));
  }
  return z.string().refine((v) => allowed.has(v), 'not a valid code');
}

/** Transaction IDs: 8-4-4-4-12 hex. Any UUID version is accepted (2.3.1.1; Mir's DS sends version 5). */
export const uuid = z.string().regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/);

export function isUuid(value: unknown): value is string {
  return uuid.safeParse(value).success;
}

/** An absolute http(s) URL. */
export const url = (max: number) => text(max).refine((v) => hasScheme(v, ['http:', 'https:']), 'not an http(s) URL');

/**
 * 2.3.1 requires HTTPS for threeDSRequestorURL, notificationURL and acsURL. Plain http is let
 * through for loopback hosts only, which browsers treat as secure too: a sandbox on one machine.
 */
export const httpsUrl = (max: number) => text(max).refine((v) => hasScheme(v, ['https:']) || isLoopbackHttp(v), 'not an https URL');

function isLoopbackHttp(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  } catch {
    return false;
  }
}

function hasScheme(value: string, schemes: string[]): boolean {
  try {
    return schemes.includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

export const email = text(254).regex(/^[^\s@]+@[^\s@]+$/);

/** IPv4 dotted quad or IPv6 text form. */
export const ip = text(45).refine(isIpAddress, 'not an IP address');

function isIpAddress(v: string): boolean {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(v)) return v.split('.').every((part) => Number(part) <= 255);
  return v.includes(':') && /^[0-9A-Fa-f:.]+$/.test(v) && !v.includes(':::');
}

// --- dates (all UTC) ------------------------------------------------------------------

/** YYYYMMDD, a real calendar date. */
export const date = z.string().refine((v) => /^\d{8}$/.test(v) && isDate(v.slice(0, 4), v.slice(4, 6), v.slice(6, 8)), 'not a YYYYMMDD date');

/** YYYYMMDDHHMM */
export const dateTimeMinutes = z.string().refine((v) => /^\d{12}$/.test(v) && isDateTime(v), 'not a YYYYMMDDHHMM date-time');

/** YYYYMMDDHHMMSS */
export const dateTimeSeconds = z.string().refine((v) => /^\d{14}$/.test(v) && isDateTime(v), 'not a YYYYMMDDHHMMSS date-time');

/** YYMM, e.g. cardExpiryDate. */
export const yearMonth = z.string().regex(/^\d{2}(0[1-9]|1[0-2])$/);

function isDate(year: string, month: string, day: string): boolean {
  const d = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  return d.getUTCFullYear() === Number(year) && d.getUTCMonth() === Number(month) - 1 && d.getUTCDate() === Number(day);
}

function isDateTime(v: string): boolean {
  const [hh, mm, ss] = [v.slice(8, 10), v.slice(10, 12), v.slice(12, 14) || '00'];
  return isDate(v.slice(0, 4), v.slice(4, 6), v.slice(6, 8)) && Number(hh) < 24 && Number(mm) < 60 && Number(ss) < 60;
}

// --- ISO codes --------------------------------------------------------------------------

/** An ISO 4217 numeric currency, not one EMV 3DS excludes: a wrong value is a 304. */
export const currency = digits(3, 3).refine(isValidCurrency, ISO_INVALID);

/** An ISO 3166-1 numeric country, not one EMV 3DS excludes: a wrong value is a 304. */
export const country = digits(3, 3).refine(isValidCountry, ISO_INVALID);

/**
 * Risk-data codes (billing/shipping country, gift card currency) are checked for shape
 * and for the excluded values only: the Visa test suite sends unassigned codes there, and
 * failing an authentication over a stale ISO table entry in risk data helps no one.
 */
export const currencyNotExcluded = digits(3, 3).refine((v) => !isExcludedCurrency(v), ISO_INVALID);
export const countryNotExcluded = digits(3, 3).refine((v) => !isExcludedCountry(v), ISO_INVALID);

// --- JSON values ----------------------------------------------------------------------

/** Any JSON object whose serialised form fits in `max` characters. */
export const jsonObject = (max: number) =>
  z.record(z.string(), z.unknown()).refine((v) => serialisedLength(v) <= max, `longer than ${max} characters`);

/** Any JSON value (but not null) whose serialised form fits in `max` characters. */
export const jsonValue = (max: number) =>
  z.custom<NonNullable<unknown>>((v) => v !== undefined && v !== null && serialisedLength(v) <= max);

function serialisedLength(value: unknown): number {
  try {
    return JSON.stringify(value)?.length ?? Infinity;
  } catch {
    return Infinity; // too deep to serialise: certainly too long
  }
}

// --- objects shared by several messages -----------------------------------------------

/** Phone numbers: country code and subscriber number. */
export const phone = z.object({
  cc: required(digits(1, 3)),
  subscriber: required(digits(1, 15)),
});

/** A message extension. The ACS recognises none, so any critical one leads to Erro 202. */
export const messageExtensionItem = z.object({
  name: required(text(64)),
  id: required(text(64)),
  criticalityIndicator: required(z.boolean()),
  data: required(jsonValue(8059)),
});
export type MessageExtension = z.infer<typeof messageExtensionItem>;

/** messageExtension: at most 10 entries in 2.2.0, 15 in 2.3.1. */
export const messageExtensions = (max: number) => z.array(messageExtensionItem).max(max);

/** acsRenderingType (app channel): how the ACS renders its UI. */
export const acsRenderingType = z.object({
  acsInterface: required(code('01', '02')),
  acsUiTemplate: required(code('01-05')),
});
