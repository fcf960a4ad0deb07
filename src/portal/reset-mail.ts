/**
 * The texts of the password reset's mails and SMS, Japanese first, then English (a mail cannot
 * switch language). Each names the issuer and its helpdesk phone, and says what to do when the
 * cardholder did not ask for it. Pure: the caller sends them.
 */
import { localTime } from '../clock.ts';
import type { IssuerSettings } from '../issuers/settings.ts';

type Issuer = Pick<IssuerSettings, 'name' | 'helpdesk' | 'sms' | 'timeZone'>;

export interface MailText {
  subject: string;
  body: string;
}

const RULE = '――――――――――――――――――――';

function helpdesk(issuer: Issuer, lang: 'ja' | 'en'): string {
  const hours = issuer.helpdesk.hours[lang];
  return hours ? `${issuer.helpdesk.phone}（${hours}）` : issuer.helpdesk.phone;
}

/** The mail with the single-use link. */
export function resetLinkMail(issuer: Issuer, link: string, ttlMinutes: number): MailText {
  const ja = [
    `${issuer.name.ja} 本人認証サービス（3-Dセキュア）`,
    '',
    '本人認証パスワードの再設定のご依頼を受け付けました。',
    `${ttlMinutes}分以内に次のリンクを開き、ご登録の携帯電話番号にSMSでお送りする確認コードと、新しいパスワードを入力してください。リンクは一度だけお使いいただけます。`,
    '',
    link,
    '',
    'お心当たりのない場合は、このメールを破棄してください。パスワードは変更されません。',
    `ご不安な場合は ${issuer.name.ja}（${helpdesk(issuer, 'ja')}）へお電話ください。`,
    'カード会社がパスワードや確認コードをおたずねすることはありません。',
  ];
  const en = [
    `${issuer.name.en} — 3-D Secure`,
    '',
    'We received a request to reset your 3-D Secure password.',
    `Within ${ttlMinutes} minutes, open the link below and enter the code we send by SMS to your registered mobile phone, and your new password. The link works once.`,
    '',
    link,
    '',
    'If you did not ask for this, ignore this mail: your password stays as it is.',
    `If you are worried, call ${issuer.name.en} on ${helpdesk(issuer, 'en')}.`,
    'Your card issuer never asks for your password or a code.',
  ];
  return {
    subject: `【${issuer.name.ja}】パスワード再設定のご案内 / Password reset`,
    body: [...ja, '', RULE, '', ...en, ''].join('\n'),
  };
}

/** The notice after the password changed. */
export function passwordChangedMail(issuer: Issuer, at: number): MailText {
  const when = `${localTime(at, issuer.timeZone)} (${issuer.timeZone})`;
  const ja = [
    `${issuer.name.ja} 本人認証サービス（3-Dセキュア）`,
    '',
    `${when} に本人認証パスワードが変更されました。`,
    '',
    `お心当たりのない場合は、すぐに ${issuer.name.ja}（${helpdesk(issuer, 'ja')}）へお電話ください。`,
  ];
  const en = [
    `${issuer.name.en} — 3-D Secure`,
    '',
    `Your 3-D Secure password was changed at ${when}.`,
    '',
    `If this was not you, call ${issuer.name.en} on ${helpdesk(issuer, 'en')} at once.`,
  ];
  return {
    subject: `【${issuer.name.ja}】パスワードが変更されました / Your password was changed`,
    body: [...ja, '', RULE, '', ...en, ''].join('\n'),
  };
}

/** The SMS with the code (short: one or two segments). */
export function resetCodeSms(issuer: Issuer, code: string, ttlMinutes: number): string {
  return `【${issuer.sms.name.ja}】パスワード再設定の確認コード：${code}（${ttlMinutes}分有効）。他人に教えないでください。 ${issuer.sms.name.en} password reset code: ${code}`;
}
