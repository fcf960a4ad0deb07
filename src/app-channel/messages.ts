/**
 * Every word the app channel's UI says (CRes native elements and the HTML page), Japanese and
 * English, in one catalogue. The SDK draws native UIs with its own field limits: labels ≤ 45
 * characters, why/expand texts ≤ 256, the info text ≤ 350 (ui.ts clips what could grow).
 * Purchase labels, error texts and the personal message's words are the browser challenge's
 * (views/challenge/messages.ts), so both transports say the same thing.
 */
import type { Bi } from '../../views/i18n.ts';

const ja = {
  header: 'ご本人確認',
  introCode: 'お支払いを続けるため、SMSで届いたワンタイムパスワードを入力してください。',
  introPassword: 'お支払いを続けるため、本人認証パスワードを入力してください。',
  codeLabel: 'ワンタイムパスワード（6桁）',
  passwordLabel: '本人認証パスワード',
  submit: '認証する',
  resend: 'ワンタイムパスワードを再送信',
  wrongCode: 'ワンタイムパスワードが正しくありません。',
  wrongPassword: 'パスワードが正しくありません。',
  whyLabel: 'この画面について',
  whyText: 'カードの不正利用を防ぐため、カード会社がご本人確認を行っています。パーソナルメッセージがご登録のものと違う場合は、何も入力せずにキャンセルしてください。',
  expandLabel: 'お困りの場合',
  expandText: (phone: string) => `SMSが届かないときは「ワンタイムパスワードを再送信」を押してください。ご不明な点はカード会社（${phone}）へお問い合わせください。`,
  expandTextPassword: (phone: string) => `パスワードをお忘れの場合は会員ページで再設定できます。ご不明な点はカード会社（${phone}）へお問い合わせください。`,
  // Single-select (02): is this purchase the cardholder's?
  confirmLabel: 'このお支払いに心当たりはありますか',
  confirmYes: 'はい、私のお支払いです',
  confirmNo: 'いいえ、心当たりがありません',
  next: '次へ',
  // Multi-select (03): the cardholder ticks what they checked.
  checkLabel: '確認した項目をすべて選んでください',
  checkMerchant: (merchant: string) => `ご利用先：${merchant}`,
  checkAmount: (amount: string) => `ご利用金額：${amount}`,
  checkAll: 'すべての項目をご確認のうえ、選択してください。',
  chooseOne: 'どちらかを選んでください。',
  // The HTML page.
  htmlTitle: '本人認証',
};

export type AppWords = typeof ja;

export const APP_WORDS: Bi<AppWords> = {
  ja,
  en: {
    header: "Let's make sure it's you",
    introCode: 'To continue with this payment, enter the one-time password we sent you by SMS.',
    introPassword: 'To continue with this payment, enter your 3-D Secure password.',
    codeLabel: 'One-time password (6 digits)',
    passwordLabel: '3-D Secure password',
    submit: 'Submit',
    resend: 'Resend one-time password',
    wrongCode: 'The one-time password is not correct.',
    wrongPassword: 'The password is not correct.',
    whyLabel: 'Why am I seeing this?',
    whyText: 'Your card issuer checks it is you to protect your card from misuse. If the personal message is not the one you registered, enter nothing and cancel.',
    expandLabel: 'Need help?',
    expandText: (phone: string) => `If the SMS does not arrive, press "Resend one-time password". For anything else, call your card issuer (${phone}).`,
    expandTextPassword: (phone: string) => `If you forgot your password, reset it in the member portal. For anything else, call your card issuer (${phone}).`,
    confirmLabel: 'Do you recognise this payment?',
    confirmYes: 'Yes, this is my payment',
    confirmNo: 'No, I do not recognise it',
    next: 'Next',
    checkLabel: 'Select every item you have checked',
    checkMerchant: (merchant: string) => `Merchant: ${merchant}`,
    checkAmount: (amount: string) => `Amount: ${amount}`,
    checkAll: 'Please check every item and select it.',
    chooseOne: 'Please choose one.',
    htmlTitle: 'Authentication',
  },
} satisfies Bi<AppWords>;
