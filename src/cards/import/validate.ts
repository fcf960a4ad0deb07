/**
 * One row of a card file checked on its own and against the rows before it: pure, no I/O. What
 * needs the database (is the PAN on file under another customer, is the replaced card on file) is
 * apply.ts's. Every refusal has a stable code, the column it is about, and a message in Japanese
 * and English for the error report; no message ever holds a card number (at most its last 4).
 */
import type { Brand, CardStatus } from '../../db/schema.ts';
import { BRAND_IDS } from '../../protocol/brands.ts';
import { findBinRange, type BinRange } from '../bin-ranges.ts';
import { luhnValid } from '../pan.ts';
import { FILE_STATUSES, parseFlag, PERSONAL_MESSAGE_MAX, type ColumnName } from './format.ts';

export interface ValidRow {
  line: number;
  customerRef: string;
  name: string;
  nameKana: string | null;
  birthDate: string | null;
  phone: string | null;
  phoneProvisional: boolean;
  email: string | null;
  pan: string;
  /** YYMM. */
  expiry: string;
  brand: Brand;
  status: Exclude<CardStatus, 'replaced'>;
  replacesPan: string | null;
  corporate: boolean;
  pin: string | null;
  pinHash: string | null;
  /** The issuer's provisional personal message for the registration (apply.ts: registered cards only). */
  personalMessage?: string | null;
}

export type RejectionCode =
  | 'column_count'
  | 'required'
  | 'customer_number_format'
  | 'name_too_long'
  | 'name_kana_format'
  | 'birth_date_format'
  | 'birth_date_invalid'
  | 'phone_format'
  | 'flag_format'
  | 'email_format'
  | 'pan_format'
  | 'pan_luhn'
  | 'pan_unknown_range'
  | 'pan_duplicate'
  | 'expiry_format'
  | 'expired'
  | 'brand_unknown'
  | 'brand_mismatch'
  | 'status_unknown'
  | 'replaces_format'
  | 'replaces_self'
  | 'replaces_unknown'
  | 'replaces_other_customer'
  | 'already_replaced'
  | 'pan_other_customer'
  | 'pin_not_corporate'
  | 'pin_format'
  | 'pin_both'
  | 'pin_hash_format'
  | 'pin_required'
  | 'personal_message_too_long';

export interface Rejection {
  line: number;
  field: ColumnName | null;
  code: RejectionCode;
  messageJa: string;
  messageEn: string;
}

/** Code → the two messages (a `{x}` is filled from the rejection's parameters). */
export const REJECTION_MESSAGES: Record<RejectionCode, { ja: string; en: string }> = {
  column_count: { ja: '列の数がヘッダー行と異なります（{found} 列、ヘッダーは {expected} 列）。', en: 'The row has {found} fields; the header has {expected}.' },
  required: { ja: '{column} は必須です。', en: '{column} is required.' },
  customer_number_format: { ja: '顧客番号は英数字・-・_ の 1〜40 文字で指定してください。', en: 'The customer number must be 1-40 letters, digits, - or _.' },
  name_too_long: { ja: '氏名は 100 文字以内で指定してください。', en: 'The name must be at most 100 characters.' },
  name_kana_format: { ja: '氏名カナは全角カタカナで指定してください。', en: 'The kana name must be full-width katakana.' },
  birth_date_format: { ja: '生年月日は YYYY-MM-DD の形式で指定してください。', en: 'The birth date must be YYYY-MM-DD.' },
  birth_date_invalid: { ja: '生年月日が正しい日付ではありません（1900 年以降、今日以前）。', en: 'The birth date is not a real date from 1900 to today.' },
  phone_format: { ja: '電話番号は E.164 形式（+819012345678）または 090-1234-5678 の形式で指定してください。', en: 'The phone must be E.164 (+819012345678) or a Japanese number (090-1234-5678).' },
  flag_format: { ja: '{column} は 1 または 0 で指定してください。', en: '{column} must be 1 or 0.' },
  email_format: { ja: 'メールアドレスの形式が正しくありません。', en: 'The e-mail address is not valid.' },
  pan_format: { ja: 'カード番号は 12〜19 桁の数字で指定してください。', en: 'The card number must be 12 to 19 digits.' },
  pan_luhn: { ja: 'カード番号のチェックディジットが正しくありません（末尾 {last4}）。', en: 'The card number fails the Luhn check (ending {last4}).' },
  pan_unknown_range: { ja: 'カード番号（末尾 {last4}）はこのカード会社の有効な BIN 範囲にありません。', en: "The card number (ending {last4}) is in none of this issuer's enabled BIN ranges." },
  pan_duplicate: { ja: 'カード番号（末尾 {last4}）は {first} 行目と重複しています。', en: 'The card number (ending {last4}) repeats line {first}.' },
  expiry_format: { ja: '有効期限は YYMM または MM/YY の形式で指定してください。', en: 'The expiry must be YYMM or MM/YY.' },
  expired: { ja: '有効期限が過ぎています（状態が active のカード）。', en: 'The card has expired (an active card).' },
  brand_unknown: { ja: 'ブランドは jcb・visa・mastercard のいずれかです。', en: 'The brand must be jcb, visa or mastercard.' },
  brand_mismatch: { ja: 'ブランド {brand} が BIN 範囲のブランド {rangeBrand} と一致しません。', en: "The brand {brand} does not match the BIN range's brand {rangeBrand}." },
  status_unknown: { ja: '状態は active・lost・stolen・blocked・closed のいずれかです。', en: 'The status must be active, lost, stolen, blocked or closed.' },
  replaces_format: { ja: '旧カード番号は 12〜19 桁の正しいカード番号で指定してください。', en: 'The replaced card number must be a valid 12 to 19 digit card number.' },
  replaces_self: { ja: '旧カード番号がカード番号と同じです。', en: 'The replaced card number is the card number itself.' },
  replaces_unknown: { ja: '旧カード番号（末尾 {last4}）は登録がなく、ファイルのこれより前の行にもありません。', en: 'The replaced card (ending {last4}) is neither on file nor on an earlier line.' },
  replaces_other_customer: { ja: '旧カード番号（末尾 {last4}）は別の顧客番号のカードです。', en: 'The replaced card (ending {last4}) belongs to another customer number.' },
  already_replaced: { ja: '旧カード番号（末尾 {last4}）は既に別のカードに置き換えられています。', en: 'The replaced card (ending {last4}) has already been replaced.' },
  pan_other_customer: { ja: 'カード番号（末尾 {last4}）は別の顧客番号で登録されています。', en: 'The card number (ending {last4}) is on file for another customer number.' },
  pin_not_corporate: { ja: '暗証番号は法人カード（corporate = 1）にのみ指定できます。', en: 'A PIN is only for corporate cards (corporate = 1).' },
  pin_format: { ja: '暗証番号は 4 桁の数字で指定してください。', en: 'The PIN must be 4 digits.' },
  pin_both: { ja: '暗証番号と暗証番号ハッシュは、どちらか一方だけを指定してください。', en: 'Give either the PIN or its hash, not both.' },
  pin_hash_format: { ja: '暗証番号ハッシュは "方式$値" の形式で指定してください。', en: 'The PIN hash must be "scheme$value".' },
  pin_required: { ja: '新しい法人カードには暗証番号（または暗証番号ハッシュ）が必要です。', en: 'A new corporate card needs its PIN (or PIN hash).' },
  personal_message_too_long: { ja: '仮メッセージは {max} 文字以内で指定してください。', en: 'The personal message must be at most {max} characters.' },
};

export function rejection(line: number, field: ColumnName | null, code: RejectionCode, params: Record<string, string | number> = {}): Rejection {
  const fill = (text: string) => text.replace(/\{(\w+)\}/g, (_, k: string) => String(params[k] ?? ''));
  const m = REJECTION_MESSAGES[code];
  return { line, field, code, messageJa: fill(m.ja), messageEn: fill(m.en) };
}

/** What a row is checked against: the issuer's enabled ranges and today. */
export interface RowContext {
  ranges: BinRange[];
  /** Epoch ms: for expiry and birth dates. */
  now: number;
}

/** What the rows before this one said (the file's earlier lines): PAN → line, and whether that row was valid. */
export type EarlierRows = Map<string, { line: number; valid: boolean }>;

const CUSTOMER_REF = /^[A-Za-z0-9_-]{1,40}$/;
// Full-width katakana, the long-vowel mark, middle dot and spaces (half- or full-width).
const KANA = /^[\u30A0-\u30FF\u3000 ]+$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const E164 = /^\+[1-9]\d{7,14}$/;
const PIN_HASH = /^[A-Za-z0-9][A-Za-z0-9_.-]*\$\S+$/;

/**
 * Checks one record (its fields by column). The first problem found is the row's rejection;
 * `earlier` is read, not changed (the caller records the row once it knows it counts).
 */
export function validateRow(line: number, get: (c: ColumnName) => string, ctx: RowContext, earlier: EarlierRows): { ok: true; row: ValidRow } | { ok: false; rejection: Rejection } {
  const refuse = (field: ColumnName | null, code: RejectionCode, params?: Record<string, string | number>) => ({ ok: false as const, rejection: rejection(line, field, code, params) });
  const customerRef = get('customer_number').trim();
  if (!customerRef) return refuse('customer_number', 'required', { column: 'customer_number' });
  if (!CUSTOMER_REF.test(customerRef)) return refuse('customer_number', 'customer_number_format');
  const name = get('name').trim();
  if (!name) return refuse('name', 'required', { column: 'name' });
  if ([...name].length > 100) return refuse('name', 'name_too_long');
  const nameKana = get('name_kana').trim() || null;
  if (nameKana && !KANA.test(nameKana)) return refuse('name_kana', 'name_kana_format');

  let birthDate: string | null = null;
  const birthText = get('birth_date').trim();
  if (birthText) {
    const m = /^(\d{4})[-/](\d{2})[-/](\d{2})$/.exec(birthText);
    if (!m) return refuse('birth_date', 'birth_date_format');
    birthDate = `${m[1]}-${m[2]}-${m[3]}`;
    const at = Date.UTC(+m[1], +m[2] - 1, +m[3]);
    const d = new Date(at);
    if (d.getUTCFullYear() !== +m[1] || d.getUTCMonth() !== +m[2] - 1 || d.getUTCDate() !== +m[3] || +m[1] < 1900 || at > ctx.now) return refuse('birth_date', 'birth_date_invalid');
  }

  const phoneText = get('phone').trim();
  const phone = phoneText ? (normalizePhone(phoneText) ?? null) : null;
  if (phoneText && !phone) return refuse('phone', 'phone_format');
  const phoneProvisional = parseFlag(get('phone_provisional'));
  if (phoneProvisional === undefined) return refuse('phone_provisional', 'flag_format', { column: 'phone_provisional' });
  const email = get('email').trim() || null;
  if (email && (!EMAIL.test(email) || email.length > 254)) return refuse('email', 'email_format');

  const panText = get('pan');
  const pan = panText.replace(/[\s-]/g, '');
  if (!pan) return refuse('pan', 'required', { column: 'pan' });
  if (!/^\d{12,19}$/.test(pan)) return refuse('pan', 'pan_format');
  const last4 = pan.slice(-4);
  if (!luhnValid(pan)) return refuse('pan', 'pan_luhn', { last4 });
  const first = earlier.get(pan);
  if (first) return refuse('pan', 'pan_duplicate', { last4, first: first.line });
  const range = findBinRange(ctx.ranges, pan);
  if (!range) return refuse('pan', 'pan_unknown_range', { last4 });

  const expiryText = get('expiry').trim();
  if (!expiryText) return refuse('expiry', 'required', { column: 'expiry' });
  const expiry = normalizeExpiry(expiryText);
  if (!expiry) return refuse('expiry', 'expiry_format');

  const brandText = get('brand').trim().toLowerCase();
  if (brandText && !BRAND_IDS.includes(brandText as Brand)) return refuse('brand', 'brand_unknown');
  if (brandText && brandText !== range.brand) return refuse('brand', 'brand_mismatch', { brand: brandText, rangeBrand: range.brand });

  const statusText = get('status').trim().toLowerCase() || 'active';
  if (!Object.hasOwn(FILE_STATUSES, statusText)) return refuse('status', 'status_unknown');
  const status = FILE_STATUSES[statusText as keyof typeof FILE_STATUSES];
  if (status === 'active' && expired(expiry, ctx.now)) return refuse('expiry', 'expired');

  const replacesText = get('replaces_pan').replace(/[\s-]/g, '');
  const replacesPan = replacesText || null;
  if (replacesPan) {
    if (!/^\d{12,19}$/.test(replacesPan) || !luhnValid(replacesPan)) return refuse('replaces_pan', 'replaces_format');
    if (replacesPan === pan) return refuse('replaces_pan', 'replaces_self');
  }

  const corporate = parseFlag(get('corporate'));
  if (corporate === undefined) return refuse('corporate', 'flag_format', { column: 'corporate' });
  const pin = get('pin').trim() || null;
  const pinHash = get('pin_hash').trim() || null;
  if (pin && pinHash) return refuse('pin', 'pin_both');
  if ((pin || pinHash) && !corporate) return refuse(pin ? 'pin' : 'pin_hash', 'pin_not_corporate');
  if (pin && !/^\d{4}$/.test(pin)) return refuse('pin', 'pin_format');
  if (pinHash && (!PIN_HASH.test(pinHash) || pinHash.length > 512)) return refuse('pin_hash', 'pin_hash_format');
  const personalMessage = get('personal_message').trim() || null;
  if (personalMessage && [...personalMessage].length > PERSONAL_MESSAGE_MAX) return refuse('personal_message', 'personal_message_too_long', { max: PERSONAL_MESSAGE_MAX });

  return {
    ok: true,
    row: { line, customerRef, name, nameKana, birthDate, phone, phoneProvisional, email, pan, expiry, brand: range.brand, status, replacesPan, corporate, pin, pinHash, personalMessage },
  };
}

/**
 * E.164 as given, or a Japanese domestic number (0 and 9 or 10 more digits, hyphens, spaces or
 * parentheses allowed: 090-1234-5678, 03-1234-5678) turned into +81…; undefined when neither.
 * Domestic numbers are accepted because core systems in Japan mostly hold them that way.
 */
export function normalizePhone(text: string): string | undefined {
  const compact = text.replace(/[\s()-]/g, '');
  if (E164.test(compact)) return compact;
  if (/^0[1-9]\d{8,9}$/.test(compact)) return `+81${compact.slice(1)}`;
  return undefined;
}

/** YYMM, or MM/YY (also M/YY), as YYMM; undefined when it is neither or the month is not 01-12. */
export function normalizeExpiry(text: string): string | undefined {
  let yy: string;
  let mm: string;
  const slash = /^(\d{1,2})\/(\d{2})$/.exec(text);
  if (slash) {
    mm = slash[1].padStart(2, '0');
    yy = slash[2];
  } else if (/^\d{4}$/.test(text)) {
    yy = text.slice(0, 2);
    mm = text.slice(2);
  } else return undefined;
  if (+mm < 1 || +mm > 12) return undefined;
  return yy + mm;
}

/** A card is good through the last day of its expiry month (years 20YY). */
function expired(expiry: string, now: number): boolean {
  const firstOfNextMonth = Date.UTC(2000 + +expiry.slice(0, 2), +expiry.slice(2), 1);
  return now >= firstOfNextMonth;
}
