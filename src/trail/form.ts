/**
 * The trail's search form: its fields as they arrive (a GET query, or a POST body when a full
 * card number is typed), read into TrailFilters with an error beside each field that is not
 * right (a malformed date, a range that ends before it starts, a BIN that is not 6 digits).
 * Times are typed in the issuer's time zone.
 */
import { z } from 'zod';
import type { Bi } from '../../views/i18n.ts';
import { luhnValid } from '../cards/pan.ts';
import type { ChallengeMethod } from '../db/schema.ts';
import { BRAND_IDS, type Brand } from '../protocol/brands.ts';
import type { TrailFilters } from './search.ts';
import { zonedToEpoch } from '../intl.ts';

// Every field is optional text; what it must look like is checked below, with a message beside it.
const text = (max: number) => z.string().trim().max(max).optional().catch(undefined);

export const filterFields = {
  from: text(20),
  to: text(20),
  transStatus: text(2),
  transStatusReason: text(2),
  finalStatus: text(4),
  brand: text(20),
  merchant: text(100),
  merchantMatch: text(10),
  acsTransID: text(64),
  threeDSServerTransID: text(64),
  dsTransID: text(64),
  first6: text(6),
  last4: text(4),
  method: text(30),
};

export const FilterForm = z.object(filterFields);
export type FilterFormValues = z.output<typeof FilterForm>;

/** The POST form: the filters, a full card number (never echoed) or the hash of one searched before, and the page cursor. */
export const PanSearchForm = z.object({
  ...filterFields,
  pan: z.string().max(40).optional().catch(undefined),
  panHash: z.string().regex(/^[0-9a-f]{64}$/).optional().catch(undefined),
  after: z.string().max(200).optional().catch(undefined),
});

export type FieldErrors = Partial<Record<keyof FilterFormValues | 'pan', Bi>>;

export const TRANS_STATUSES = ['Y', 'N', 'U', 'A', 'C', 'R', 'I', 'D'] as const;
export const FINAL_STATUSES = ['Y', 'N', 'U', 'none'] as const;
export const CHALLENGE_METHODS: ChallengeMethod[] = ['sms_otp', 'password', 'guidance_register', 'guidance_phone'];

const DATETIME = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}))?$/;
const ID = /^[0-9A-Za-z-]{1,64}$/;

/**
 * Reads the form into filters. `from` is inclusive; `to` includes the minute (or day) typed.
 * Errors name the field; a search with any error is not run.
 */
export function readFilters(form: FilterFormValues, timeZone: string): { filters: TrailFilters; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const filters: TrailFilters = {};

  const from = form.from ? parseTime(form.from, timeZone, 'start') : undefined;
  const to = form.to ? parseTime(form.to, timeZone, 'end') : undefined;
  if (from === null) errors.from = { ja: '日時の形式が正しくありません（例: 2026-12-01T09:00）。', en: 'Not a date and time (e.g. 2026-12-01T09:00).' };
  else filters.from = from;
  if (to === null) errors.to = { ja: '日時の形式が正しくありません（例: 2026-12-01T18:00）。', en: 'Not a date and time (e.g. 2026-12-01T18:00).' };
  else filters.to = to;
  if (typeof from === 'number' && typeof to === 'number' && to <= from) {
    errors.to = { ja: '終了は開始より後の日時にしてください。', en: 'The end must be after the start.' };
  }

  if (form.transStatus) {
    if ((TRANS_STATUSES as readonly string[]).includes(form.transStatus)) filters.transStatus = form.transStatus;
    else errors.transStatus = { ja: '一覧から選んでください。', en: 'Choose one from the list.' };
  }
  if (form.transStatusReason) {
    if (/^\d{2}$/.test(form.transStatusReason)) filters.transStatusReason = form.transStatusReason;
    else errors.transStatusReason = { ja: '理由コードは2桁の数字です（例: 19）。', en: 'A reason code is two digits (e.g. 19).' };
  }
  if (form.finalStatus) {
    if ((FINAL_STATUSES as readonly string[]).includes(form.finalStatus)) filters.finalStatus = form.finalStatus;
    else errors.finalStatus = { ja: '一覧から選んでください。', en: 'Choose one from the list.' };
  }
  if (form.brand) {
    if ((BRAND_IDS as readonly string[]).includes(form.brand)) filters.brand = form.brand as Brand;
    else errors.brand = { ja: '一覧から選んでください。', en: 'Choose one from the list.' };
  }
  if (form.method) {
    if ((CHALLENGE_METHODS as string[]).includes(form.method)) filters.challengeMethod = form.method as ChallengeMethod;
    else errors.method = { ja: '一覧から選んでください。', en: 'Choose one from the list.' };
  }
  if (form.merchant) filters.merchant = { text: form.merchant, match: form.merchantMatch === 'contains' ? 'contains' : 'prefix' };
  for (const key of ['acsTransID', 'threeDSServerTransID', 'dsTransID'] as const) {
    const value = form[key];
    if (!value) continue;
    if (ID.test(value)) filters[key] = value.toLowerCase();
    else errors[key] = { ja: '取引IDの形式ではありません（英数字とハイフン）。', en: 'Not a transaction ID (letters, digits and hyphens).' };
  }
  if (form.first6) {
    if (/^\d{6}$/.test(form.first6)) filters.panFirst6 = form.first6;
    else errors.first6 = { ja: '先頭6桁の数字を入力してください。', en: 'Type the first 6 digits.' };
  }
  if (form.last4) {
    if (/^\d{4}$/.test(form.last4)) filters.panLast4 = form.last4;
    else errors.last4 = { ja: '末尾4桁の数字を入力してください。', en: 'Type the last 4 digits.' };
  }
  return { filters, errors };
}

/** A full card number as typed (spaces and hyphens allowed), or an error for the field. */
export function readPan(typed: string): { ok: true; pan: string } | { ok: false; error: Bi } {
  const pan = typed.replace(/[\s-]/g, '');
  if (/^\d{12,19}$/.test(pan) && luhnValid(pan)) return { ok: true, pan };
  return { ok: false, error: { ja: 'カード番号が正しくありません（12〜19桁）。', en: 'That is not a card number (12 to 19 digits).' } };
}

/** The filters as query parameters, for the next-page link and the export form (never a PAN). */
export function filterParams(form: FilterFormValues): [string, string][] {
  return (Object.keys(filterFields) as (keyof FilterFormValues)[]).flatMap((k) => (form[k] ? [[k, form[k]!] as [string, string]] : []));
}

/** "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM" in the zone; the end of a range covers the whole minute (or day) typed. */
function parseTime(value: string, timeZone: string, edge: 'start' | 'end'): number | null {
  const m = DATETIME.exec(value);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const hasTime = m[4] !== undefined;
  const [h, mi] = hasTime ? [Number(m[4]), Number(m[5])] : [0, 0];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59) return null;
  const check = new Date(Date.UTC(y, mo - 1, d));
  if (check.getUTCMonth() !== mo - 1) return null; // 2026-02-30
  const at = zonedToEpoch(y, mo, d, h, mi, timeZone);
  if (edge === 'start') return at;
  return hasTime ? at + 60_000 : zonedToEpoch(y, mo, d + 1, 0, 0, timeZone);
}
