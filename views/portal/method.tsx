/**
 * The authentication method page (/portal/method): SMS one-time codes are the method; a member on
 * the legacy static password is told why to switch and switches here (a verified OTP phone
 * first). Mastercard needs an OTP phone; going back to a static password is not offered.
 */
import type { Bi, Lang } from '../i18n.ts';
import { CsrfField } from './fields.tsx';
import { PORTAL_HX, PortalShell, type PortalIssuer } from './shell.tsx';

export interface MethodPageProps {
  lang: Lang;
  issuer: PortalIssuer;
  path: string;
  member: { loginId: string };
  csrf?: string;
  method: 'sms_otp' | 'password';
  /** A verified OTP phone the challenge can text, masked ('' when none). */
  phone: string;
  /** The card's scheme cannot use a static password (Mastercard Identity Check). */
  noStaticPassword: boolean;
  /** Just switched. */
  switched?: boolean;
  /** The switch did not apply (the phone changed meanwhile). */
  failed?: boolean;
}

const T = {
  title: { ja: '本人認証の方法', en: 'How you confirm purchases' },
  sms: { ja: 'SMS認証（ワンタイムパスワード）をご利用中です。', en: 'You use SMS one-time codes.' },
  smsTo: (to: string): Bi => ({ ja: `確認コードは ${to} にお送りします。`, en: `Codes go to ${to}.` }),
  willSendTo: (to: string): Bi => ({ ja: `切り替えると、確認コードは ${to} にお送りします。`, en: `Once switched, codes go to ${to}.` }),
  password: { ja: '従来の固定パスワードをご利用中です。', en: 'You use the legacy static password.' },
  why: {
    ja: '固定パスワードは、盗み見やフィッシングで知られると何度でも悪用されます。SMSでお送りする確認コードは毎回ちがい、一度しか使えないため、より安全です。SMS認証への切り替えをおすすめします。',
    en: 'A static password, once seen or phished, can be used again and again. A code sent by SMS is new each time and works once, so it is safer. We recommend switching to SMS codes.',
  },
  mastercard: {
    ja: 'Mastercardの本人認証（Mastercard Identity Check）では固定パスワードは使えません。携帯電話番号の登録が必要です。',
    en: 'Mastercard Identity Check does not accept a static password: an OTP phone is required.',
  },
  needPhone: { ja: '切り替えるには、先に認証用の携帯電話番号を登録してください。', en: 'To switch, first register your OTP phone.' },
  toPhone: { ja: '携帯電話番号を登録する', en: 'Register my phone' },
  changePhone: { ja: '携帯電話番号を変更する', en: 'Change my phone' },
  switch: { ja: 'SMS認証に切り替える', en: 'Switch to SMS codes' },
  switched: { ja: 'SMS認証に切り替えました。次回のお買い物から確認コードをお送りします。', en: 'Switched to SMS codes. Your next purchase will ask for a code.' },
  failed: { ja: '切り替えられませんでした。携帯電話番号をご確認ください。', en: 'The switch did not go through. Please check your phone number.' },
  noWayBack: {
    ja: 'カード会社各社は固定パスワードを順次廃止しているため、固定パスワードへ戻すことはできません。',
    en: 'Card companies are phasing out static passwords, so switching back to one is not offered.',
  },
  toHome: { ja: '会員メニューへ', en: 'To the member menu' },
} satisfies Record<string, Bi | ((s: string) => Bi)>;

export function MethodPage(p: MethodPageProps) {
  const t = (b: Bi) => b[p.lang];
  const announce = p.switched ? t(T.switched) : p.failed ? t(T.failed) : '';
  return (
    <PortalShell lang={p.lang} issuer={p.issuer} title={T.title} path={p.path} member={p.member} csrf={p.csrf} announce={announce}>
      <h1>{t(T.title)}</h1>
      {p.switched && (
        <p class="success" id="method-status">
          {t(T.switched)}
        </p>
      )}
      {p.failed && (
        <p class="alert" id="method-status">
          {t(T.failed)}
        </p>
      )}
      {p.method === 'sms_otp' ? (
        <>
          <p id="method-current">{t(T.sms)}</p>
          {p.phone ? <p>{t(T.smsTo(p.phone))}</p> : <p class="notice">{t(T.needPhone)}</p>}
          <p>
            <a class="button secondary" href="/portal/phone">
              {t(p.phone ? T.changePhone : T.toPhone)}
            </a>
          </p>
        </>
      ) : (
        <>
          <p id="method-current">{t(T.password)}</p>
          <p class="notice">{t(T.why)}</p>
          {p.noStaticPassword && <p class="alert">{t(T.mastercard)}</p>}
          {p.phone ? (
            <form method="post" action="/portal/method" hx-post="/portal/method" {...PORTAL_HX}>
              <CsrfField token={p.csrf} />
              <p>{t(T.willSendTo(p.phone))}</p>
              <p>
                <button type="submit">{t(T.switch)}</button>
              </p>
            </form>
          ) : (
            <>
              <p>{t(T.needPhone)}</p>
              <p>
                <a class="button" href={`/portal/phone?next=${encodeURIComponent('/portal/method')}`}>
                  {t(T.toPhone)}
                </a>
              </p>
            </>
          )}
        </>
      )}
      {p.noStaticPassword && p.method === 'sms_otp' && <p class="muted">{t(T.mastercard)}</p>}
      <p class="muted">{t(T.noWayBack)}</p>
      <p>
        <a href="/portal">{t(T.toHome)}</a>
      </p>
    </PortalShell>
  );
}
