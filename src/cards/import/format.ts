/**
 * The card file's format: one header row naming the columns (English names, or the Japanese ones
 * beside them), then one card per row. The README's "Card data files" section documents it for
 * issuers; this is the one place the names, what is required and the accepted values live.
 */
import type { CardStatus } from '../../db/schema.ts';

export interface ColumnSpec {
  /** The column's name in the header (and in error reports). */
  name: ColumnName;
  /** The same column under its Japanese name (core systems in Japan often write those). */
  ja: string;
  required: boolean;
  en: string;
  jaDescription: string;
}

export const COLUMN_NAMES = [
  'customer_number',
  'name',
  'name_kana',
  'birth_date',
  'phone',
  'phone_provisional',
  'email',
  'pan',
  'expiry',
  'brand',
  'status',
  'replaces_pan',
  'corporate',
  'pin',
  'pin_hash',
  'personal_message',
] as const;

export type ColumnName = (typeof COLUMN_NAMES)[number];

/** The longest personal message a file may give (characters). */
export const PERSONAL_MESSAGE_MAX = 40;

export const COLUMNS: readonly ColumnSpec[] = [
  { name: 'customer_number', ja: '顧客番号', required: true, en: "The issuer's customer number (1-40 letters, digits, - or _)", jaDescription: '顧客番号（英数字・-・_ 1〜40 文字）' },
  { name: 'name', ja: '氏名', required: true, en: 'Name in kanji, as the issuer holds it (at most 100 characters)', jaDescription: '氏名（漢字、100 文字まで）' },
  { name: 'name_kana', ja: '氏名カナ', required: false, en: 'Name in katakana (full-width, spaces allowed)', jaDescription: '氏名カナ（全角カタカナ、空白可）' },
  { name: 'birth_date', ja: '生年月日', required: false, en: 'Birth date, YYYY-MM-DD (or YYYY/MM/DD)', jaDescription: '生年月日（YYYY-MM-DD または YYYY/MM/DD）' },
  { name: 'phone', ja: '電話番号', required: false, en: 'Phone on file: E.164 (+819012345678) or a Japanese number (090-1234-5678)', jaDescription: '登録電話番号（E.164 形式 +819012345678、または 090-1234-5678）' },
  { name: 'phone_provisional', ja: '電話番号仮登録', required: false, en: 'The phone is only a placeholder, never texted: 1/0, true/false, yes/no (default 0)', jaDescription: '電話番号が仮のもの（SMS を送らない）: 1/0（既定 0）' },
  { name: 'email', ja: 'メールアドレス', required: false, en: 'E-mail address on file', jaDescription: '登録メールアドレス' },
  { name: 'pan', ja: 'カード番号', required: true, en: 'Card number, 12-19 digits (spaces and hyphens ignored)', jaDescription: 'カード番号（12〜19 桁、空白・ハイフンは無視）' },
  { name: 'expiry', ja: '有効期限', required: true, en: 'Expiry, YYMM (as in 3-D Secure) or MM/YY', jaDescription: '有効期限（YYMM または MM/YY）' },
  { name: 'brand', ja: 'ブランド', required: false, en: "jcb, visa or mastercard; empty: the card's BIN range's", jaDescription: 'ブランド（jcb・visa・mastercard、空欄なら BIN 範囲から）' },
  { name: 'status', ja: '状態', required: false, en: 'active, lost, stolen, blocked or closed (default active)', jaDescription: '状態（active・lost・stolen・blocked・closed、既定 active）' },
  { name: 'replaces_pan', ja: '旧カード番号', required: false, en: 'On reissue: the card number this card replaces', jaDescription: '再発行の場合、置き換える旧カード番号' },
  { name: 'corporate', ja: '法人カード', required: false, en: 'Corporate card (registers with card number + card PIN): 1/0 (default 0)', jaDescription: '法人カード（カード番号と暗証番号で登録）: 1/0（既定 0）' },
  { name: 'pin', ja: '暗証番号', required: false, en: 'Corporate card PIN, 4 digits: hashed on import (PBKDF2), never stored as given', jaDescription: '法人カードの暗証番号（4 桁、取り込み時にハッシュ化）' },
  { name: 'pin_hash', ja: '暗証番号ハッシュ', required: false, en: 'Or the PIN as the core system hashed it, "scheme$…", stored as given', jaDescription: '基幹システムでハッシュ化した暗証番号（"方式$…"、そのまま保存）' },
  {
    name: 'personal_message',
    ja: '仮メッセージ',
    required: false,
    en: `The issuer's provisional personal message for the card's registration (at most ${PERSONAL_MESSAGE_MAX} characters): set on registered cards whose message is empty or still provisional, never over the cardholder's own`,
    jaDescription: `本人認証の仮メッセージ（${PERSONAL_MESSAGE_MAX} 文字まで）。登録済みのカードで、メッセージが未設定または仮のものの場合のみ設定（会員が設定したメッセージは上書きしない）`,
  },
];

/** Header cell (English or Japanese, any case, surrounding spaces ignored) → column. */
const BY_HEADER = new Map<string, ColumnName>(COLUMNS.flatMap((c) => [[c.name, c.name], [c.ja, c.name]] as [string, ColumnName][]));

export function columnOfHeader(cell: string): ColumnName | undefined {
  return BY_HEADER.get(cell.trim().toLowerCase()) ?? BY_HEADER.get(cell.trim());
}

/** The statuses a file may give, and the card status each one sets. */
export const FILE_STATUSES = { active: 'active', lost: 'blocked_lost', stolen: 'blocked_stolen', blocked: 'blocked', closed: 'closed' } as const satisfies Record<string, Exclude<CardStatus, 'replaced'>>;
export type FileStatus = keyof typeof FILE_STATUSES;

/** A card status as the file (and the export) writes it. */
export function fileStatusOf(status: CardStatus): FileStatus | 'replaced' {
  if (status === 'blocked_lost') return 'lost';
  if (status === 'blocked_stolen') return 'stolen';
  return status;
}

/** 1/0, true/false, yes/no, y/n, on/off (any case); empty is false. */
export function parseFlag(value: string): boolean | undefined {
  const v = value.trim().toLowerCase();
  if (v === '' || v === '0' || v === 'false' || v === 'no' || v === 'n' || v === 'off') return false;
  if (v === '1' || v === 'true' || v === 'yes' || v === 'y' || v === 'on') return true;
  return undefined;
}

/**
 * The header row of a file in this format, English names (what the examples write): the card and
 * cardholder columns. `personal_message` is optional and left out; a file that has it adds it.
 */
export const HEADER_ROW = COLUMN_NAMES.filter((c) => c !== 'personal_message').join(',');
