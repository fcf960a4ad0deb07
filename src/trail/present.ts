/** How the trail names what it shows: the masked card number and the codes staff read. */
import type { Bi } from '../../views/i18n.ts';
import type { TrailRow } from './search.ts';

/** first6******last4; rows from before first6 was kept show ******last4 only. */
export function maskedPan(row: Pick<TrailRow, 'panFirst6' | 'panLast4'>): string {
  return `${row.panFirst6 ?? ''}******${row.panLast4}`;
}

export const TRANS_STATUS_LABEL: Record<string, Bi> = {
  Y: { ja: 'Y 認証成功', en: 'Y authenticated' },
  N: { ja: 'N 認証失敗', en: 'N not authenticated' },
  U: { ja: 'U 認証不可', en: 'U could not authenticate' },
  A: { ja: 'A 試行', en: 'A attempted' },
  C: { ja: 'C チャレンジ', en: 'C challenge' },
  R: { ja: 'R 拒否', en: 'R rejected' },
  I: { ja: 'I 情報のみ', en: 'I informational' },
  D: { ja: 'D 分離型チャレンジ', en: 'D decoupled' },
  none: { ja: '最終結果なし', en: 'No final status' },
};

export const METHOD_LABEL: Record<string, Bi> = {
  sms_otp: { ja: 'SMSワンタイムパスワード', en: 'SMS one-time code' },
  password: { ja: '固定パスワード', en: 'Static password' },
  guidance_register: { ja: '登録の案内', en: 'Registration guidance' },
  guidance_phone: { ja: '電話番号登録の案内', en: 'Phone guidance' },
};

export const BRAND_LABEL: Record<string, Bi> = {
  jcb: { ja: 'JCB', en: 'JCB' },
  visa: { ja: 'Visa', en: 'Visa' },
  mastercard: { ja: 'Mastercard', en: 'Mastercard' },
};

export const EVENT_LABEL: Record<string, Bi> = {
  page: { ja: '画面表示', en: 'Page shown' },
  wrong_entry: { ja: '誤入力', en: 'Wrong entry' },
  resend: { ja: '再送信', en: 'Resend' },
  sms_refused: { ja: 'SMS送信不可', en: 'SMS not sent' },
  locked: { ja: 'ロック', en: 'Locked' },
  cancelled: { ja: 'キャンセル', en: 'Cancelled' },
  timed_out: { ja: 'タイムアウト', en: 'Timed out' },
  succeeded: { ja: '認証成功', en: 'Succeeded' },
  failed: { ja: '認証失敗', en: 'Failed' },
};
