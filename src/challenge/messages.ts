/**
 * Everything the challenge says, for src/: the page's words (views/challenge/messages.ts, where the
 * pages read them) plus the OTP SMS, which is built here because it must fit one SMS segment.
 */
import { CHALLENGE_WORDS, type ChallengeWords } from '../../views/challenge/messages.ts';
import type { Bi, Lang } from '../../views/i18n.ts';

export { languageFor, type Lang } from '../../views/i18n.ts';

/** The parts of an OTP SMS; `amount` is already formatted for the language (format.ts). */
export interface OtpSmsParts {
  issuer: string;
  code: string;
  merchant: string;
  amount: string;
  minutes: number;
}

/** One segment: 70 UCS-2 units for Japanese, 160 GSM-7 septets for English. */
export const SMS_SEGMENT_LIMIT: Bi<number> = { ja: 70, en: 160 };

/**
 * The OTP SMS, always in ONE segment (a two-part SMS costs double and may arrive out of order).
 * The code, the validity and the warning are never cut; the amount stays unless it alone would
 * not fit (an absurd amount); the merchant, then the issuer's name, are shortened to fit.
 */
export function otpSms(lang: Lang, parts: OtpSmsParts): string {
  const limit = SMS_SEGMENT_LIMIT[lang];
  const clean = lang === 'en' ? toGsm7 : (s: string) => s.replace(/\s+/g, ' ').trim();
  const issuer = clean(parts.issuer);
  // A merchant name English SMS cannot spell (e.g. in Japanese) is left out rather than shown in part.
  const merchant = lang === 'en' && gsm7Length(plain(parts.merchant)) === Infinity ? '' : clean(parts.merchant);
  const amount = clean(parts.amount);
  const size = lang === 'en' ? gsm7Length : (s: string) => s.length;
  const build = lang === 'en' ? enSms : jaSms;
  for (const withAmount of [true, false]) {
    const text = (i: string, m: string) => build({ issuer: i, merchant: m, amount: withAmount ? amount : '', code: parts.code, minutes: parts.minutes });
    if (size(text('', '')) > limit) continue;
    const whole = text(issuer, merchant);
    if (size(whole) <= limit) return whole;
    // Too long: the issuer's name keeps up to ISSUER_ROOM (it says who sends), the merchant gets the rest.
    let room = Math.min(size(issuer), ISSUER_ROOM[lang]);
    while (room > 0 && size(text(clip(issuer, room, lang), '')) > limit) room--;
    const i = clip(issuer, room, lang);
    const m = clip(merchant, limit - size(text(i, '')) - MERCHANT_SEPARATOR[lang], lang);
    const result = text(i, m);
    if (size(result) <= limit) return result;
  }
  throw new Error('the OTP SMS cannot fit one segment'); // unreachable: the bare text is short
}

/** Units the issuer's name may keep when the text must be shortened (the issuer's SMS name, e.g. SMS_ISSUER_NAME, sets a short one). */
const ISSUER_ROOM: Bi<number> = { ja: 12, en: 24 };
/** What a merchant name adds beside itself: a space (ja), " at " (en). */
const MERCHANT_SEPARATOR: Bi<number> = { ja: 1, en: 4 };

function jaSms(p: OtpSmsParts): string {
  const head = p.issuer ? `【${p.issuer}】` : '';
  const purchase = p.amount ? `${p.merchant ? `${p.merchant} ` : ''}${p.amount}のお支払い。` : '';
  return `${head}ワンタイムパスワード：${p.code}\n${purchase}有効${p.minutes}分。誰にも教えないでください`;
}

function enSms(p: OtpSmsParts): string {
  const head = p.issuer ? `[${p.issuer}] ` : '';
  const purchase = p.amount ? `For your payment of ${p.amount}${p.merchant ? ` at ${p.merchant}` : ''}. ` : '';
  return `${head}One-time password: ${p.code}\n${purchase}Valid ${p.minutes} min. Never share this code with anyone.`;
}

/** Shortens to at most `room` units (an ellipsis marks the cut), never splitting a character. */
function clip(s: string, room: number, lang: Lang): string {
  const size = lang === 'en' ? gsm7Length : (x: string) => x.length;
  if (size(s) <= room) return s;
  const mark = lang === 'en' ? '...' : '…';
  const chars = Array.from(s);
  while (chars.length > 0 && size(chars.join('') + mark) > room) chars.pop();
  return chars.length > 0 ? chars.join('').trimEnd() + mark : '';
}

// GSM 03.38: the basic set (one septet) and the extension set (escape + one septet).
const GSM7_BASIC = new Set(
  Array.from('@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà'),
);
const GSM7_EXTENDED = new Set(Array.from('^{}\\[~]|€'));

/** Septets the text takes in GSM-7 (Infinity when a character is not in the alphabet). */
export function gsm7Length(s: string): number {
  let n = 0;
  for (const ch of s) n += GSM7_BASIC.has(ch) ? 1 : GSM7_EXTENDED.has(ch) ? 2 : Infinity;
  return n;
}

/** Full-width forms and no-break spaces as their plain forms (NFKC), whitespace collapsed. */
function plain(s: string): string {
  return s.normalize('NFKC').replace(/\s+/g, ' ').trim();
}

/** Makes text GSM-7, so that an English SMS is never sent as UCS-2 (70 characters): what the alphabet lacks is dropped. */
function toGsm7(s: string): string {
  return Array.from(plain(s))
    .filter((ch) => GSM7_BASIC.has(ch) || GSM7_EXTENDED.has(ch))
    .join('')
    .replace(/ {2,}/g, ' ')
    .trim();
}

type Sms = { sms: (issuer: string, code: string, merchant: string, amount: string, minutes: number) => string };

/** The words per language, with `sms(...)` for the OTP text (one segment, see otpSms). */
export const MESSAGES: Bi<ChallengeWords & Sms> = {
  ja: { ...CHALLENGE_WORDS.ja, sms: (issuer, code, merchant, amount, minutes) => otpSms('ja', { issuer, code, merchant, amount, minutes }) },
  en: { ...CHALLENGE_WORDS.en, sms: (issuer, code, merchant, amount, minutes) => otpSms('en', { issuer, code, merchant, amount, minutes }) },
};

export type Messages = ChallengeWords & Sms;
