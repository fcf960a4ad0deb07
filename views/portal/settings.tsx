/**
 * The member's settings pages (src/portal/settings-routes.tsx): the personal message, the
 * password, the e-mail address and the data-sharing choice. One language at a time (the shell's
 * switch), each field's problem beside it in that language and read out by the live region.
 * Every form posts without JavaScript; htmx swaps main#portal (PORTAL_HX).
 */
import type { Child } from 'hono/jsx';
import type { Bi, Lang } from '../i18n.ts';
import { Tel } from '../phone.tsx';
import { announceErrors, CsrfField, ErrorSummary, Field } from './fields.tsx';
import { PORTAL_HX, PortalShell, type PortalIssuer } from './shell.tsx';

export type MessageError = 'empty' | 'too_long' | 'url' | 'phone' | 'member_id' | 'control';
export type NewPasswordError = 'empty' | 'too_short' | 'too_long' | 'common' | 'contains_member_id' | 'same';
export type AddressError = 'empty' | 'format' | 'same';
export type CodeError = 'empty' | 'format' | 'wrong';

/** What every settings page gets: the shell's parts. */
export interface SettingsBase {
  lang: Lang;
  issuer: PortalIssuer;
  path: string;
  member: { loginId: string };
  csrf?: string;
}

const W = {
  back: { ja: '会員ページのホームへ戻る', en: 'Back to the member portal' },
  current: { ja: '現在のパスワード', en: 'Current password' },
  currentHint: { ja: '本人確認のため、いまお使いのパスワードを入力してください。', en: 'To confirm it is you, enter the password you use now.' },
  currentError: {
    empty: { ja: '現在のパスワードを入力してください。', en: 'Enter your current password.' },
    wrong: { ja: '現在のパスワードが正しくありません。', en: 'That is not your current password.' },
  },
  remaining: (n: number): Bi => ({
    ja: `あと${n}回間違えると、ご登録がロックされます。`,
    en: `After ${n} more wrong ${n === 1 ? 'entry' : 'entries'} your registration will be locked.`,
  }),
  // The personal message
  messageTitle: { ja: 'パーソナルメッセージ', en: 'Personal message' },
  messageIntro: {
    ja: '本人認証の画面に表示される、あなただけが知っている言葉です。この言葉が表示されていれば、その画面はカード会社のものです。表示されない、または違う言葉のときは、パスワードや確認コードを入力しないでください。',
    en: 'Words only you know, shown on the 3-D Secure authentication page. When you see them, the page is your card issuer’s. If they are missing or different, do not enter your password or a code.',
  },
  messageNow: { ja: '現在のメッセージ', en: 'Your message now' },
  messageNone: { ja: 'まだ設定されていません。', en: 'Not set yet.' },
  provisional: {
    ja: 'これはカード会社が設定した仮のメッセージです。ご自身のメッセージを設定してください。',
    en: 'This message was set by the card company — please set your own.',
  },
  messageLabel: { ja: '新しいメッセージ（40文字以内）', en: 'New message (up to 40 characters)' },
  messageHint: {
    ja: '全角・半角どちらでも使えます。URL、電話番号、会員IDは使えません。',
    en: 'Any characters. No web address, phone number or member ID.',
  },
  messageSubmit: { ja: 'メッセージを保存する', en: 'Save my message' },
  messageSaved: { ja: 'パーソナルメッセージを保存しました。次回の本人認証から表示されます。', en: 'Your personal message was saved. The next authentication shows it.' },
  messageError: {
    empty: { ja: 'メッセージを入力してください。', en: 'Enter a message.' },
    too_long: { ja: 'メッセージは40文字以内にしてください。', en: 'Use at most 40 characters.' },
    url: { ja: 'URLやウェブサイトのアドレスは使えません。', en: 'Do not use a web address.' },
    phone: { ja: '電話番号は使えません。', en: 'Do not use a phone number.' },
    member_id: { ja: '会員IDは使えません。', en: 'Do not use your member ID.' },
    control: { ja: '使えない文字が含まれています。', en: 'The message contains a character that cannot be used.' },
  } satisfies Record<MessageError, Bi>,
  // The password
  passwordTitle: { ja: 'パスワードの変更', en: 'Change your password' },
  passwordIntro: {
    ja: '変更すると、ほかの端末やブラウザでのログインは終了します。確認のメールをお送りします。',
    en: 'Changing it signs you out on your other devices and browsers. We send you a mail to confirm.',
  },
  newPassword: { ja: '新しいパスワード', en: 'New password' },
  newPasswordHint: {
    ja: '8文字以上。よく使われるパスワードや会員IDを含むものは使えません。',
    en: 'At least 8 characters; not a common password, and not containing your member ID.',
  },
  confirmation: { ja: '新しいパスワード（確認）', en: 'New password again' },
  passwordSubmit: { ja: 'パスワードを変更する', en: 'Change my password' },
  passwordDone: { ja: 'パスワードを変更しました。確認のメールをお送りしました。', en: 'Your password was changed. We sent you a mail to confirm.' },
  passwordError: {
    empty: { ja: '新しいパスワードを入力してください。', en: 'Enter a new password.' },
    too_short: { ja: 'パスワードは8文字以上にしてください。', en: 'Use at least 8 characters.' },
    too_long: { ja: 'パスワードは128文字以内にしてください。', en: 'Use at most 128 characters.' },
    common: { ja: 'よく使われていて推測されやすいパスワードです。別のものにしてください。', en: 'This password is common and easy to guess. Choose another.' },
    contains_member_id: { ja: '会員IDを含まないパスワードにしてください。', en: 'Do not use your member ID in the password.' },
    same: { ja: '現在のパスワードと違うものにしてください。', en: 'Choose a password different from your current one.' },
  } satisfies Record<NewPasswordError, Bi>,
  confirmationError: {
    empty: { ja: '確認のため、もう一度入力してください。', en: 'Enter the new password again.' },
    mismatch: { ja: '1回目と同じパスワードを入力してください。', en: 'This does not match the first entry.' },
  },
  // The e-mail address
  emailTitle: { ja: 'メールアドレスの変更', en: 'Change your e-mail address' },
  emailIntro: {
    ja: '新しいアドレスに確認コードをお送りします。コードを入力すると変更が完了し、これまでのアドレスにお知らせをお送りします。',
    en: 'We mail a code to the new address. Entering it completes the change, and we tell your previous address.',
  },
  emailNow: { ja: '現在のメールアドレス', en: 'Your address now' },
  emailNone: { ja: '登録されていません。', en: 'None registered.' },
  emailLabel: { ja: '新しいメールアドレス', en: 'New e-mail address' },
  emailSubmit: { ja: '確認コードを送信する', en: 'Send me a code' },
  emailError: {
    empty: { ja: '新しいメールアドレスを入力してください。', en: 'Enter the new address.' },
    format: { ja: 'メールアドレスの形式が正しくありません（例: name@example.jp）。', en: 'This is not an e-mail address (e.g. name@example.jp).' },
    same: { ja: '現在と同じメールアドレスです。', en: 'This is your address already.' },
  } satisfies Record<AddressError, Bi>,
  codeSentTo: (to: string): Bi => ({ ja: `${to} に確認コードをお送りしました。`, en: `We mailed a code to ${to}.` }),
  codeLabel: { ja: '確認コード（6桁）', en: 'Code (6 digits)' },
  codeSubmit: { ja: '変更を完了する', en: 'Complete the change' },
  codeResend: { ja: '確認コードを再送信', en: 'Send the code again' },
  codeCancel: { ja: '変更をやめる', en: 'Cancel the change' },
  codeError: {
    empty: { ja: '確認コードを入力してください。', en: 'Enter the code.' },
    format: { ja: '確認コードは6桁の数字で入力してください。', en: 'The code is 6 digits.' },
    wrong: { ja: '確認コードが正しくありません。', en: 'That code is not right.' },
  } satisfies Record<CodeError, Bi>,
  codeRemaining: (n: number): Bi => ({ ja: `あと${n}回間違えると、この変更は無効になります。`, en: `After ${n} more wrong ${n === 1 ? 'code' : 'codes'} this change stops working.` }),
  resent: { ja: '新しい確認コードをお送りしました。', en: 'We mailed a new code.' },
  cooldown: (s: number): Bi => ({ ja: `再送信は${s}秒後からできます。`, en: `You can ask again in ${s} seconds.` }),
  sendLimit: { ja: 'これ以上は再送信できません。最初からやり直してください。', en: 'No more codes can be sent. Please start again.' },
  sendFailed: { ja: '確認コードを送信できませんでした。時間をおいてもう一度お試しください。', en: 'The code could not be sent. Please try again later.' },
  tooManyStarts: { ja: '短い時間に何度も変更が行われました。しばらくしてからお試しください。', en: 'Too many changes in a short time. Please try again later.' },
  codeTooMany: { ja: '確認コードを規定の回数以上間違えたため、この変更は無効になりました。最初からやり直してください。', en: 'The code was entered wrongly too many times, so this change stopped. Please start again.' },
  codeClosed: { ja: 'この変更は有効期限が切れたか、終了しています。最初からやり直してください。', en: 'This change has expired or ended. Please start again.' },
  cancelled: { ja: 'メールアドレスの変更をやめました。', en: 'The change was cancelled.' },
  emailDone: (to: string): Bi => ({ ja: `メールアドレスを ${to} に変更しました。`, en: `Your e-mail address is now ${to}.` }),
  // Data sharing
  sharingTitle: { ja: '不正検知サービスへの情報提供', en: 'Sharing with the fraud-detection service' },
  sharingWhat: {
    ja: '本人認証のとき、カード会社は不正利用を見つけるため、取引の情報（加盟店、金額、日時）とお使いの端末の情報（ブラウザの種類や設定など）を、外部の不正検知サービスに提供しています。氏名やカード番号がわかる形では提供しません。',
    en: 'During 3-D Secure, your card issuer shares the details of the purchase (merchant, amount, time) and of your device (browser type and settings) with an external fraud-detection service, to spot misuse. Not in a form that shows your name or card number.',
  },
  sharingChange: {
    ja: '提供を停止しても、カード会社自身による不正利用のチェックは続きます。外部サービスの分析が使えないため、確認コードの入力を求められることが増える場合があります。いつでも再開できます。',
    en: 'If you stop it, your card issuer’s own checks still run. Without the external analysis you may be asked for a code more often. You can turn it back on at any time.',
  },
  sharingOn: { ja: '現在: 情報を提供しています。', en: 'Now: your data is shared.' },
  sharingOff: { ja: '現在: 情報の提供を停止しています。', en: 'Now: sharing is stopped.' },
  sharingStop: { ja: '情報の提供を停止する', en: 'Stop sharing' },
  sharingStart: { ja: '情報の提供を再開する', en: 'Share again' },
  sharingStopped: { ja: '情報の提供を停止しました。', en: 'Sharing is stopped.' },
  sharingStarted: { ja: '情報の提供を再開しました。', en: 'Sharing is on again.' },
  // Locked
  lockedTitle: { ja: 'ご登録がロックされました', en: 'Your registration is locked' },
  locked: {
    ja: 'パスワードを規定の回数以上間違えたため、本人認証のご登録をロックしました。解除はカード会社へお電話ください。',
    en: 'The password was entered wrongly too many times, so your 3-D Secure registration is locked. Please call your card issuer to unlock it.',
  },
} as const;

const t = (lang: Lang, b: Bi) => b[lang];

function Back({ lang }: { lang: Lang }) {
  return (
    <p>
      <a href="/portal">{t(lang, W.back)}</a>
    </p>
  );
}

function Notice({ lang, text, tone = 'success' }: { lang: Lang; text?: Bi; tone?: 'success' | 'alert' | 'notice' }) {
  if (!text) return null;
  return (
    <div class={tone} id="settings-notice">
      <p>{text[lang]}</p>
    </div>
  );
}

function Shell(p: SettingsBase & { title: Bi; announce?: string; children: Child }) {
  return (
    <PortalShell lang={p.lang} issuer={p.issuer} title={p.title} path={p.path} member={p.member} csrf={p.csrf} announce={p.announce}>
      <h1>{t(p.lang, p.title)}</h1>
      {p.children}
      <Back lang={p.lang} />
    </PortalShell>
  );
}

/** The current-password field of the password and e-mail forms. */
function CurrentField({ lang, error, remaining }: { lang: Lang; error?: 'empty' | 'wrong'; remaining?: number }) {
  const text = error ? (error === 'wrong' && remaining ? joinBi(W.currentError.wrong, W.remaining(remaining)) : W.currentError[error]) : undefined;
  return <Field lang={lang} name="current" type="password" label={W.current} hint={W.currentHint} error={text} autocomplete="current-password" />;
}

const joinBi = (...parts: Bi[]): Bi => ({ ja: parts.map((p) => p.ja).join(' '), en: parts.map((p) => p.en).join(' ') });

// ─── The personal message ───────────────────────────────────────────────────────

export interface MessagePageProps extends SettingsBase {
  message: string | null;
  provisional: boolean;
  /** What was typed (shown again with its problem). */
  typed?: string;
  error?: MessageError;
  saved?: boolean;
}

export function MessagePage(p: MessagePageProps) {
  const error = p.error ? W.messageError[p.error] : undefined;
  const announce = error ? announceErrors(p.lang, [error]) : p.saved ? t(p.lang, W.messageSaved) : undefined;
  return (
    <Shell {...p} title={W.messageTitle} announce={announce}>
      <p>{t(p.lang, W.messageIntro)}</p>
      <Notice lang={p.lang} text={p.saved ? W.messageSaved : undefined} />
      <h2>{t(p.lang, W.messageNow)}</h2>
      {p.message ? (
        <p class="personal-message" id="current-message">
          {p.message}
        </p>
      ) : (
        <p class="muted">{t(p.lang, W.messageNone)}</p>
      )}
      {p.message && p.provisional && (
        <p class="notice" id="provisional-note">
          {t(p.lang, W.provisional)}
        </p>
      )}
      <ErrorSummary lang={p.lang} errors={[error]} />
      <form method="post" action="/portal/message" {...PORTAL_HX} class="settings-form" novalidate>
        <CsrfField token={p.csrf} />
        <Field lang={p.lang} name="message" label={W.messageLabel} hint={W.messageHint} error={error} value={p.typed} autocomplete="off" maxlength={80} />
        <button type="submit">{t(p.lang, W.messageSubmit)}</button>
      </form>
    </Shell>
  );
}

// ─── The password ───────────────────────────────────────────────────────────────

export interface PasswordPageProps extends SettingsBase {
  errors?: { current?: 'empty' | 'wrong'; password?: NewPasswordError; confirmation?: 'empty' | 'mismatch' };
  remaining?: number;
  done?: boolean;
}

export function PasswordPage(p: PasswordPageProps) {
  const e = p.errors ?? {};
  const currentErr = e.current ? (e.current === 'wrong' && p.remaining ? joinBi(W.currentError.wrong, W.remaining(p.remaining)) : W.currentError[e.current]) : undefined;
  const passwordErr = e.password ? W.passwordError[e.password] : undefined;
  const confirmationErr = e.confirmation ? W.confirmationError[e.confirmation] : undefined;
  const errors = [currentErr, passwordErr, confirmationErr];
  const announce = p.done ? t(p.lang, W.passwordDone) : announceErrors(p.lang, errors) || undefined;
  return (
    <Shell {...p} title={W.passwordTitle} announce={announce}>
      {p.done ? (
        <Notice lang={p.lang} text={W.passwordDone} />
      ) : (
        <>
          <p>{t(p.lang, W.passwordIntro)}</p>
          <ErrorSummary lang={p.lang} errors={errors} />
          <form method="post" action="/portal/password" {...PORTAL_HX} class="settings-form" novalidate>
            <CsrfField token={p.csrf} />
            <CurrentField lang={p.lang} error={e.current} remaining={p.remaining} />
            <Field lang={p.lang} name="password" type="password" label={W.newPassword} hint={W.newPasswordHint} error={passwordErr} autocomplete="new-password" />
            <Field lang={p.lang} name="confirmation" type="password" label={W.confirmation} error={confirmationErr} autocomplete="new-password" />
            <button type="submit">{t(p.lang, W.passwordSubmit)}</button>
          </form>
        </>
      )}
    </Shell>
  );
}

// ─── The e-mail address ─────────────────────────────────────────────────────────

export type EmailNotice = 'resent' | 'cooldown' | 'limit' | 'send_failed' | 'too_many_starts' | 'code_too_many' | 'closed' | 'cancelled';

export interface EmailPageProps extends SettingsBase {
  currentAddress: string | null;
  /** An open change: the code form for this (masked) address. */
  pending?: { to: string };
  typed?: string;
  errors?: { current?: 'empty' | 'wrong'; email?: AddressError; code?: CodeError };
  remaining?: number;
  notice?: EmailNotice;
  retryInSeconds?: number;
  /** The change is done: the new address. */
  done?: string;
}

function emailNoticeText(p: EmailPageProps): { text: Bi; tone: 'success' | 'alert' } | undefined {
  switch (p.notice) {
    case 'resent':
      return { text: W.resent, tone: 'success' };
    case 'cancelled':
      return { text: W.cancelled, tone: 'success' };
    case 'cooldown':
      return { text: W.cooldown(p.retryInSeconds ?? 0), tone: 'alert' };
    case 'limit':
      return { text: W.sendLimit, tone: 'alert' };
    case 'send_failed':
      return { text: W.sendFailed, tone: 'alert' };
    case 'too_many_starts':
      return { text: W.tooManyStarts, tone: 'alert' };
    case 'code_too_many':
      return { text: W.codeTooMany, tone: 'alert' };
    case 'closed':
      return { text: W.codeClosed, tone: 'alert' };
    default:
      return undefined;
  }
}

export function EmailPage(p: EmailPageProps) {
  const e = p.errors ?? {};
  const currentErr = e.current ? (e.current === 'wrong' && p.remaining ? joinBi(W.currentError.wrong, W.remaining(p.remaining)) : W.currentError[e.current]) : undefined;
  const emailErr = e.email ? W.emailError[e.email] : undefined;
  const codeErr = e.code ? (e.code === 'wrong' && p.remaining ? joinBi(W.codeError.wrong, W.codeRemaining(p.remaining)) : W.codeError[e.code]) : undefined;
  const errors = [currentErr, emailErr, codeErr];
  const notice = emailNoticeText(p);
  const done = p.done ? W.emailDone(p.done) : undefined;
  const announce = announceErrors(p.lang, errors) || (done ? t(p.lang, done) : notice ? t(p.lang, notice.text) : p.pending && !p.errors ? t(p.lang, W.codeSentTo(p.pending.to)) : undefined);
  return (
    <Shell {...p} title={W.emailTitle} announce={announce}>
      <Notice lang={p.lang} text={done} />
      {notice && <Notice lang={p.lang} text={notice.text} tone={notice.tone} />}
      <p>
        {t(p.lang, W.emailNow)}: <span id="current-address">{p.currentAddress ?? t(p.lang, W.emailNone)}</span>
      </p>
      <ErrorSummary lang={p.lang} errors={errors} />
      {p.pending ? (
        <>
          <p id="code-sent-to">{t(p.lang, W.codeSentTo(p.pending.to))}</p>
          <form method="post" action="/portal/email/confirm" {...PORTAL_HX} class="settings-form" novalidate>
            <CsrfField token={p.csrf} />
            <Field lang={p.lang} name="code" label={W.codeLabel} error={codeErr} inputmode="numeric" autocomplete="one-time-code" maxlength={12} />
            <button type="submit">{t(p.lang, W.codeSubmit)}</button>
          </form>
          <div class="secondary-actions">
            <form method="post" action="/portal/email/resend" {...PORTAL_HX}>
              <CsrfField token={p.csrf} />
              <button type="submit" class="secondary">
                {t(p.lang, W.codeResend)}
              </button>
            </form>
            <form method="post" action="/portal/email/cancel" {...PORTAL_HX}>
              <CsrfField token={p.csrf} />
              <button type="submit" class="secondary">
                {t(p.lang, W.codeCancel)}
              </button>
            </form>
          </div>
        </>
      ) : (
        !p.done && (
          <>
            <p>{t(p.lang, W.emailIntro)}</p>
            <form method="post" action="/portal/email" {...PORTAL_HX} class="settings-form" novalidate>
              <CsrfField token={p.csrf} />
              <CurrentField lang={p.lang} error={e.current} remaining={p.remaining} />
              <Field lang={p.lang} name="email" type="email" label={W.emailLabel} error={emailErr} value={p.typed} autocomplete="email" inputmode="email" maxlength={254} />
              <button type="submit">{t(p.lang, W.emailSubmit)}</button>
            </form>
          </>
        )
      )}
    </Shell>
  );
}

// ─── Data sharing ───────────────────────────────────────────────────────────────

export interface DataSharingPageProps extends SettingsBase {
  optOut: boolean;
  /** Just changed: say so. */
  changed?: boolean;
}

export function DataSharingPage(p: DataSharingPageProps) {
  const said = p.changed ? (p.optOut ? W.sharingStopped : W.sharingStarted) : undefined;
  return (
    <Shell {...p} title={W.sharingTitle} announce={said ? t(p.lang, said) : undefined}>
      <Notice lang={p.lang} text={said} />
      <p>{t(p.lang, W.sharingWhat)}</p>
      <p>{t(p.lang, W.sharingChange)}</p>
      <p class="notice" id="sharing-state">
        {t(p.lang, p.optOut ? W.sharingOff : W.sharingOn)}
      </p>
      <form method="post" action="/portal/data-sharing" {...PORTAL_HX} class="settings-form">
        <CsrfField token={p.csrf} />
        <input type="hidden" name="optOut" value={p.optOut ? 'off' : 'on'} />
        <button type="submit" class={p.optOut ? undefined : 'secondary'}>
          {t(p.lang, p.optOut ? W.sharingStart : W.sharingStop)}
        </button>
      </form>
    </Shell>
  );
}

// ─── Locked ─────────────────────────────────────────────────────────────────────

/** After the wrong password that locked the registration (the session has ended: no menu). */
export function LockedPage(p: Omit<SettingsBase, 'member' | 'csrf'>) {
  return (
    <PortalShell lang={p.lang} issuer={p.issuer} title={W.lockedTitle} path={p.path} announce={t(p.lang, W.lockedTitle)}>
      <h1>{t(p.lang, W.lockedTitle)}</h1>
      <p class="alert">{t(p.lang, W.locked)}</p>
      <p>
        {t(p.lang, p.issuer.name)} <Tel phone={p.issuer.phone} />
        {t(p.lang, p.issuer.hours) ? ` (${t(p.lang, p.issuer.hours)})` : ''}
      </p>
    </PortalShell>
  );
}
