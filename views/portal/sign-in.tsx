/**
 * The portal's sign-in page (also the portal's home page when nobody is signed in): member ID and
 * password, the one failure message (the same for every reason), and the ways on for a cardholder
 * who has no registration yet or forgot their ID or password.
 */
import type { Bi, Lang } from '../i18n.ts';
import { announceErrors, ErrorSummary, Field } from './fields.tsx';
import { PORTAL_HX, PortalShell, type PortalIssuer } from './shell.tsx';

export type SignInNotice = 'signed_out' | 'expired';

export const SIGN_IN_WORDS = {
  title: { ja: 'ログイン', en: 'Sign in' },
  heading: { ja: '会員ページにログイン', en: 'Sign in to the member portal' },
  intro: {
    ja: '本人認証サービス（3-Dセキュア）にご登録の会員IDとパスワードを入力してください。',
    en: 'Enter the member ID and password of your 3-D Secure registration.',
  },
  memberId: { ja: '会員ID', en: 'Member ID' },
  password: { ja: 'パスワード', en: 'Password' },
  submit: { ja: 'ログイン', en: 'Sign in' },
  memberIdEmpty: { ja: '会員IDを入力してください。', en: 'Enter your member ID.' },
  passwordEmpty: { ja: 'パスワードを入力してください。', en: 'Enter your password.' },
  failed: {
    ja: '会員IDまたはパスワードが正しくないか、現在この会員IDではログインできません。',
    en: 'The member ID or password is not right, or this member ID cannot sign in now.',
  },
  lockRule: {
    ja: 'パスワードを規定の回数以上続けて間違えると、会員IDがロックされ、ネットショッピングでの本人認証もできなくなります。ロックされた場合は、カード会社へお電話ください。',
    en: 'After repeated wrong entries the member ID is locked, for online purchases too. If it is locked, please call your card issuer.',
  },
  provisionalRule: {
    ja: 'カード会社による仮登録の方、まだご登録のない方は、「カードを登録する」から本登録してください。',
    en: 'If your card issuer registered you provisionally, or you have not registered yet, register your card first.',
  },
  signedOut: { ja: 'ログアウトしました。', en: 'You signed out.' },
  expired: {
    ja: '一定時間操作がなかったため、ログアウトしました。もう一度ログインしてください。',
    en: 'You were signed out after a while without activity. Please sign in again.',
  },
  other: { ja: 'その他のお手続き', en: 'Other errands' },
  register: { ja: 'カードを登録する（新規登録・本登録）', en: 'Register a card (new or provisional registration)' },
  forgotId: { ja: '会員IDをお忘れの方', en: 'Forgot your member ID?' },
  forgotPassword: { ja: 'パスワードをお忘れの方', en: 'Forgot your password?' },
} satisfies Record<string, Bi>;

const W = SIGN_IN_WORDS;

export interface SignInPageProps {
  lang: Lang;
  issuer: PortalIssuer;
  path: string;
  /** The page to go to afterwards (already checked: safePortalNext). */
  next?: string;
  /** The member ID as typed (shown again after a failure). */
  memberId?: string;
  errors?: { memberId?: boolean; password?: boolean };
  /** The one failure message. */
  failed?: boolean;
  notice?: SignInNotice;
}

export function SignInPage(p: SignInPageProps) {
  const t = (b: Bi) => b[p.lang];
  const fieldErrors = [p.errors?.memberId ? W.memberIdEmpty : undefined, p.errors?.password ? W.passwordEmpty : undefined];
  const noticeText = p.notice === 'signed_out' ? W.signedOut : p.notice === 'expired' ? W.expired : undefined;
  const announce = p.failed ? t(W.failed) : announceErrors(p.lang, fieldErrors) || (noticeText ? t(noticeText) : '');
  return (
    <PortalShell lang={p.lang} issuer={p.issuer} title={W.title} path={p.path} announce={announce}>
      <h1>{t(W.heading)}</h1>
      {noticeText && !p.failed && (
        <p class="notice" id="sign-in-notice">
          {t(noticeText)}
        </p>
      )}
      {p.failed && (
        <div class="alert" id="sign-in-failed">
          <p>{t(W.failed)}</p>
        </div>
      )}
      <ErrorSummary lang={p.lang} errors={fieldErrors} />
      <p>{t(W.intro)}</p>
      <form method="post" action="/portal/sign-in" class="portal-form" {...PORTAL_HX}>
        {p.next && p.next !== '/portal' && <input type="hidden" name="next" value={p.next} />}
        <Field lang={p.lang} name="memberId" label={W.memberId} value={p.memberId} autocomplete="username" maxlength={64} error={p.errors?.memberId ? W.memberIdEmpty : undefined} />
        <Field lang={p.lang} name="password" type="password" label={W.password} autocomplete="current-password" maxlength={128} error={p.errors?.password ? W.passwordEmpty : undefined} />
        <button type="submit" class="primary">
          {t(W.submit)}
        </button>
      </form>
      <p class="muted small">{t(W.lockRule)}</p>
      <p class="muted small">{t(W.provisionalRule)}</p>
      <h2>{t(W.other)}</h2>
      <ul class="portal-links">
        <li>
          <a href="/portal/register">{t(W.register)}</a>
        </li>
        <li>
          <a href="/portal/forgot-id">{t(W.forgotId)}</a>
        </li>
        <li>
          <a href="/portal/forgot-password">{t(W.forgotPassword)}</a>
        </li>
      </ul>
    </PortalShell>
  );
}
