/**
 * The challenge's words: the OTP SMS fits one segment for every issuer name, merchant and amount
 * the appliance accepts (counted by Twilio's segment calculator, not by our own arithmetic), the
 * amount and date are shown exactly and in Japan time, and the page's words use one term.
 */
import fc from 'fast-check';
import { SegmentedMessage } from 'sms-segments-calculator';
import { describe, expect, it } from 'vitest';
import { formatAmount, formatPurchaseDate } from '../../../src/challenge/format.ts';
import { MESSAGES, otpSms } from '../../../src/challenge/messages.ts';
import { maskPhone } from '../../../src/messaging/phone-mask.ts';
import { CHALLENGE_WORDS } from '../../../views/challenge/messages.ts';
import { seeded } from '../../support/property.ts';

// Config allows ISSUER_NAME up to 60 characters, AReq merchantName up to 40, OTP_TTL 60..600 s.
const name = (max: number) =>
  fc.string({ unit: fc.constantFrom(...'まもり銀行カード株式会社ＡＢＣabc XYZ-&・ー𠮷😀é€'), minLength: 1, maxLength: max });
const code = fc.stringMatching(/^\d{6}$/);
const minutes = fc.integer({ min: 1, max: 10 });
// Amounts a purchase has (up to 12 digits of yen, or cents of dollars and euros).
const purchase = fc.record({ digits: fc.bigInt({ min: 1n, max: 999_999_999_999n }).map(String), currency: fc.constantFrom(['392', 0], ['840', 2], ['978', 2]) });

describe('the OTP SMS', () => {
  it('is one UCS-2 segment in Japanese, with the code, the validity and the amount', () => {
    fc.assert(
      fc.property(name(60), name(40), code, minutes, purchase, (issuer, merchant, otp, m, p) => {
        const amount = formatAmount(p.digits, p.currency[0] as string, p.currency[1] as number, 'ja');
        const text = otpSms('ja', { issuer, code: otp, merchant, amount, minutes: m });
        const sms = new SegmentedMessage(text);
        expect(sms.segmentsCount, text).toBe(1);
        expect(text.length).toBeLessThanOrEqual(70);
        expect(text).toContain(`ワンタイムパスワード：${otp}`);
        expect(text).toContain(`有効${m}分`);
        expect(text).toContain(amount);
        expect(text).toContain('誰にも教えないでください');
      }),
      seeded(500),
    );
  });

  it('is one GSM-7 segment in English, whatever script the names are in', () => {
    fc.assert(
      fc.property(name(60), name(40), code, minutes, purchase, (issuer, merchant, otp, m, p) => {
        const amount = formatAmount(p.digits, p.currency[0] as string, p.currency[1] as number, 'en');
        const text = otpSms('en', { issuer, code: otp, merchant, amount, minutes: m });
        const sms = new SegmentedMessage(text);
        expect(sms.encodingName, text).toBe('GSM-7');
        expect(sms.segmentsCount, text).toBe(1);
        expect(text).toContain(`One-time password: ${otp}`);
        expect(text).toContain(amount);
        expect(text).toContain('Never share this code');
      }),
      seeded(500),
    );
  });

  it('keeps the default issuer and the demo merchant whole', () => {
    const amount = formatAmount('45000', '392', 0, 'ja');
    const text = MESSAGES.ja.sms('まもり銀行カード', '809284', 'まもりストア', amount, 5);
    expect(text).toContain('【まもり銀行カード】');
    expect(text).toContain('まもりストア ￥45,000のお支払い');
    expect(text).not.toContain('…');
    expect(new SegmentedMessage(text).segmentsCount).toBe(1);
  });

  it('shortens a long merchant name with a mark, never splitting a character', () => {
    const merchant = '😀'.repeat(40);
    const text = otpSms('ja', { issuer: 'まもり銀行カード', code: '123456', merchant, amount: '￥1,000', minutes: 5 });
    expect(text).toMatch(/😀…/);
    expect(text).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
    expect(text.length).toBeLessThanOrEqual(70);
  });
});

describe('purchase details', () => {
  it('shows every digit of an amount, however long', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[1-9]\d{0,47}$/), fc.constantFrom(['392', 0], ['840', 2]), (digits, [currency, exp]) => {
        const shown = formatAmount(digits, currency as string, exp as number, 'en');
        expect(shown.replace(/\D/g, '')).toBe(digits.padStart((exp as number) + 1, '0'));
      }),
      seeded(300),
    );
    expect(formatAmount('5', '840', 2, 'en')).toBe('$0.05');
  });

  it('gives the date in Japan time, in words', () => {
    expect(formatPurchaseDate('20261201215000', 'ja')).toBe('2026年12月2日 06:50（日本時間）');
    expect(formatPurchaseDate('20261201215000', 'en')).toBe('2 Dec 2026, 06:50 (Japan time)');
  });

  it('masks a phone number one way everywhere', () => {
    expect(maskPhone('+819011110001')).toBe('090-****-0001');
    expect(maskPhone('+14155550100')).toBe('****0100');
    expect(maskPhone(null)).toBe('');
  });
});

describe('the page words', () => {
  const texts = (lang: 'ja' | 'en') =>
    Object.values(CHALLENGE_WORDS[lang]).map((v) => (typeof v === 'function' ? (v as (...a: unknown[]) => string)('0120-000-000', 3) : v));

  it('use one term for the code and plain wording', () => {
    for (const text of texts('ja')) {
      expect(text).not.toMatch(/コードを|規定回数|あらためてお買い物|JST/);
    }
    for (const text of texts('en')) expect(text).not.toMatch(/Resend code|JST/);
  });

  it('exist in both languages', () => {
    expect(Object.keys(CHALLENGE_WORDS.en).sort()).toEqual(Object.keys(CHALLENGE_WORDS.ja).sort());
  });
});
