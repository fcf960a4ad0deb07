/** How purchase details appear on the page and in the SMS: exactly the AReq's values, in the cardholder's language. */
import type { Lang } from '../../views/i18n.ts';
import { dateTimeFormat, numberFormat } from '../intl.ts';
import { CURRENCIES } from '../protocol/iso.ts';

/**
 * purchaseAmount is in minor units (up to 48 digits); the exponent says where the decimal point
 * goes (JPY has none). Formatted from the digits as a decimal string, never through a float, so
 * a large amount is shown exactly as the merchant sent it.
 */
export function formatAmount(amount: string | null, currency: string | null, exponent: number | null, lang: Lang): string {
  if (!amount || !currency || !/^\d+$/.test(amount)) return '';
  const exp = exponent ?? 0;
  const digits = amount.replace(/^0+(?=\d)/, '').padStart(exp + 1, '0');
  const decimal = exp > 0 ? `${digits.slice(0, -exp)}.${digits.slice(-exp)}` : digits;
  const alpha = CURRENCIES[currency]?.[0];
  if (!alpha) return `${decimal} (${currency})`;
  const fmt = numberFormat(lang === 'ja' ? 'ja-JP' : 'en-US', {
    style: 'currency',
    currency: alpha,
    minimumFractionDigits: exp,
    maximumFractionDigits: exp,
  });
  // A decimal string keeps every digit (Intl.NumberFormat v3); the cast is for older lib typings.
  return fmt.format(decimal as unknown as number);
}

/** purchaseDate is YYYYMMDDHHMMSS in UTC; cardholders in Japan read it in Japan time. */
export function formatPurchaseDate(purchaseDate: string | undefined, lang: Lang): string {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(purchaseDate ?? '');
  if (!m) return '';
  const utc = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
  const fmt = dateTimeFormat(lang === 'ja' ? 'ja-JP' : 'en-GB', {
    timeZone: 'Asia/Tokyo',
    year: 'numeric',
    month: lang === 'ja' ? 'long' : 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  });
  return lang === 'ja' ? `${fmt.format(utc)}（日本時間）` : `${fmt.format(utc)} (Japan time)`;
}
