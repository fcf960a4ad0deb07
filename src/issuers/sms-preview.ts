/**
 * The OTP SMS as an issuer's cardholders will get it, for the settings page: the same text the
 * challenge sends (challenge/messages.ts otpSms, always one segment), with a sample purchase,
 * its length against the segment's room, and whether the issuer's name had to be shortened.
 */
import { gsm7Length, otpSms, SMS_SEGMENT_LIMIT } from '../challenge/messages.ts';
import { formatAmount } from '../challenge/format.ts';
import type { Bi, Lang } from '../../views/i18n.ts';

export interface SmsPreviewText {
  text: string;
  /** UCS-2 units (Japanese) or GSM-7 septets (English). */
  length: number;
  limit: number;
  segments: number;
  /** The issuer's name did not fit whole and was shortened. */
  nameShortened: boolean;
}

const SAMPLE_MERCHANT: Bi = { ja: 'サンプルストア', en: 'Sample Store' };

export function smsPreview(names: Bi, minutes: number): Bi<SmsPreviewText> {
  const one = (lang: Lang): SmsPreviewText => {
    const name = names[lang].replace(/\s+/g, ' ').trim();
    const text = otpSms(lang, { issuer: name, code: '123456', merchant: SAMPLE_MERCHANT[lang], amount: formatAmount('12345', '392', 0, lang), minutes });
    const length = lang === 'en' ? gsm7Length(text) : text.length;
    const limit = SMS_SEGMENT_LIMIT[lang];
    return { text, length, limit, segments: Math.max(1, Math.ceil(length / limit)), nameShortened: name !== '' && !text.includes(name) };
  };
  return { ja: one('ja'), en: one('en') };
}
