/** How purchase details appear on the page: exactly the AReq's values, in the cardholder's language. */
import { CURRENCIES } from '../protocol/iso.ts';
import type { Lang } from './messages.ts';

/** purchaseAmount is in minor units; the exponent says where the decimal point goes (JPY has none). */
export function formatAmount(amount: string | null, currency: string | null, exponent: number | null, lang: Lang): string {
  if (!amount || !currency) return '';
  const exp = exponent ?? 0;
  const value = Number(amount) / 10 ** exp;
  const alpha = CURRENCIES[currency]?.[0];
  if (!alpha) return `${value.toFixed(exp)} (${currency})`;
  return new Intl.NumberFormat(lang === 'ja' ? 'ja-JP' : 'en-US', {
    style: 'currency',
    currency: alpha,
    minimumFractionDigits: exp,
    maximumFractionDigits: exp,
  }).format(value);
}

/** purchaseDate is YYYYMMDDHHMMSS in UTC; cardholders in Japan read it in JST. */
export function formatPurchaseDate(purchaseDate: string | undefined, lang: Lang): string {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(purchaseDate ?? '');
  if (!m) return '';
  const utc = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
  const fmt = new Intl.DateTimeFormat(lang === 'ja' ? 'ja-JP' : 'en-GB', {
    timeZone: 'Asia/Tokyo',
    year: 'numeric',
    month: lang === 'ja' ? 'long' : 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  });
  return `${fmt.format(utc)} JST`;
}

/** +819011110001 → 090-****-0001; other numbers keep only their last 4 digits. */
export function maskPhone(e164: string | null): string {
  if (!e164) return '';
  const jp = /^\+81(\d{1,2})(\d+)(\d{4})$/.exec(e164);
  if (jp) return `0${jp[1]}-****-${jp[3]}`;
  return `****${e164.slice(-4)}`;
}
