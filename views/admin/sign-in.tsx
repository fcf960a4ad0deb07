/** Staff sign-in and enrolment pages (no session yet). */
import { raw } from 'hono/html';
import type { Bi, Lang } from '../i18n.ts';
import { AdminShell, Field, Notice, say } from './shell.tsx';

export function SignInPage(props: { lang: Lang; path: string; site: Bi; next: string; username?: string; failed?: boolean; signedOut?: boolean; expired?: boolean }) {
  const t = say(props.lang);
  return (
    <AdminShell lang={props.lang} path={props.path} site={props.site} title={{ ja: 'サインイン', en: 'Sign in' }}>
      <div class="narrow">
        <h1>{t({ ja: 'スタッフのサインイン', en: 'Staff sign-in' })}</h1>
        {props.failed && (
          <Notice kind="alert">
            {t({
              ja: 'サインインできませんでした。ユーザー名・パスワード・コードをご確認ください。5回続けて失敗すると15分間ロックされます（管理者が解除できます）。',
              en: 'Sign-in failed. Check your username, password and code. After 5 failures in a row the account is locked for 15 minutes (an administrator can unlock it).',
            })}
          </Notice>
        )}
        {props.signedOut && <Notice kind="success">{t({ ja: 'サインアウトしました。', en: 'You are signed out.' })}</Notice>}
        {props.expired && (
          <Notice kind="success">{t({ ja: '一定時間操作がなかったため、サインアウトしました。', en: 'You were signed out after a period without activity.' })}</Notice>
        )}
        <form method="post" action="/admin/sign-in" class="stack">
          <input type="hidden" name="next" value={props.next} />
          <Field id="username" label={t({ ja: 'ユーザー名', en: 'Username' })}>
            {(aria) => <input {...aria} name="username" type="text" autocomplete="username" autocapitalize="none" spellcheck={false} required value={props.username ?? ''} />}
          </Field>
          <Field id="password" label={t({ ja: 'パスワード', en: 'Password' })}>
            {(aria) => <input {...aria} name="password" type="password" autocomplete="current-password" required />}
          </Field>
          <Field
            id="code"
            label={t({ ja: '確認コード', en: 'Code' })}
            hint={t({ ja: '認証アプリの6桁のコード、または回復コード（例: k7m2q-9xw4d）', en: 'The 6 digits from your authenticator app, or a recovery code (e.g. k7m2q-9xw4d)' })}
          >
            {(aria) => <input {...aria} name="code" type="text" autocomplete="one-time-code" autocapitalize="none" spellcheck={false} required maxlength={20} />}
          </Field>
          <button type="submit" class="primary">
            {t({ ja: 'サインイン', en: 'Sign in' })}
          </button>
        </form>
        <p class="muted small">
          {t({
            ja: 'アカウントは管理者が発行します。コードが使えなくなったときは、管理者に再登録を依頼してください。',
            en: 'Accounts are created by an administrator. If you can no longer produce a code, ask an administrator to reset your sign-in.',
          })}
        </p>
      </div>
    </AdminShell>
  );
}

export function EnrolInvalidPage({ lang, path, site }: { lang: Lang; path: string; site: Bi }) {
  const t = say(lang);
  return (
    <AdminShell lang={lang} path={path} site={site} title={{ ja: '登録リンク', en: 'Enrolment link' }}>
      <div class="narrow">
        <h1>{t({ ja: 'この登録リンクは使えません', en: 'This enrolment link cannot be used' })}</h1>
        <p>
          {t({
            ja: '登録リンクは一度だけ、発行から24時間以内に使えます。管理者に新しいリンクの発行を依頼してください。',
            en: 'An enrolment link works once, within 24 hours of being issued. Ask an administrator for a new one.',
          })}
        </p>
        <p>
          <a href="/admin/sign-in">{t({ ja: 'サインインへ', en: 'Go to sign-in' })}</a>
        </p>
      </div>
    </AdminShell>
  );
}

export type PasswordError = 'too_short' | 'too_long' | 'common' | 'contains_username' | 'mismatch';

const PASSWORD_ERRORS: Record<PasswordError, { ja: string; en: string }> = {
  too_short: { ja: '12文字以上にしてください。', en: 'Use at least 12 characters.' },
  too_long: { ja: '128文字以内にしてください。', en: 'Use at most 128 characters.' },
  common: { ja: 'よく使われるパスワードです。別のものにしてください。', en: 'This password is too common. Choose another.' },
  contains_username: { ja: 'ユーザー名を含まないパスワードにしてください。', en: 'Choose a password that does not contain your username.' },
  mismatch: { ja: '確認用の入力が一致しません。', en: 'The two entries do not match.' },
};

export function EnrolPasswordPage(props: { lang: Lang; path: string; site: Bi; action: string; username: string; displayName: string; error?: PasswordError }) {
  const t = say(props.lang);
  const mismatch = props.error === 'mismatch';
  const passwordError = props.error && !mismatch ? t(PASSWORD_ERRORS[props.error]) : undefined;
  return (
    <AdminShell lang={props.lang} path={props.path} site={props.site} title={{ ja: 'アカウントの登録', en: 'Set up your account' }}>
      <div class="narrow">
        <h1>{t({ ja: 'アカウントの登録（1/3）パスワード', en: 'Set up your account (1 of 3): password' })}</h1>
        <p>
          {props.displayName} ({props.username})
        </p>
        <form method="post" action={props.action} class="stack">
          <input type="text" name="username" autocomplete="username" value={props.username} hidden />
          <Field
            id="new-password"
            label={t({ ja: '新しいパスワード', en: 'New password' })}
            hint={t({ ja: '12文字以上。文字の種類の決まりはありません。長い文やパスワード管理ソフトの生成したものがおすすめです。', en: 'At least 12 characters, any characters you like. A long phrase or one made by a password manager works best.' })}
            error={passwordError}
          >
            {(aria) => <input {...aria} name="password" type="password" autocomplete="new-password" minlength={12} maxlength={128} required />}
          </Field>
          <Field id="confirm-password" label={t({ ja: 'もう一度入力', en: 'Type it again' })} error={mismatch ? t(PASSWORD_ERRORS.mismatch) : undefined}>
            {(aria) => <input {...aria} name="confirm" type="password" autocomplete="new-password" required />}
          </Field>
          <button type="submit" class="primary">
            {t({ ja: '次へ', en: 'Next' })}
          </button>
        </form>
      </div>
    </AdminShell>
  );
}

export function EnrolTotpPage(props: { lang: Lang; path: string; site: Bi; action: string; username: string; secret: string; qrSvg: string; error?: boolean }) {
  const t = say(props.lang);
  const grouped = props.secret.match(/.{1,4}/g)!.join(' ');
  return (
    <AdminShell lang={props.lang} path={props.path} site={props.site} title={{ ja: 'アカウントの登録', en: 'Set up your account' }}>
      <div class="narrow">
        <h1>{t({ ja: 'アカウントの登録（2/3）認証アプリ', en: 'Set up your account (2 of 3): authenticator app' })}</h1>
        <p>
          {t({
            ja: '認証アプリ（Google Authenticator、Microsoft Authenticator など）でQRコードを読み取るか、下のキーを入力してください。',
            en: 'Scan the QR code with an authenticator app (Google Authenticator, Microsoft Authenticator, …) or type the key below into it.',
          })}
        </p>
        <figure class="qr">{raw(props.qrSvg)}</figure>
        <p>
          {t({ ja: 'キー', en: 'Key' })}: <code id="totp-secret" data-secret={props.secret}>{grouped}</code>
        </p>
        <form method="post" action={props.action} class="stack">
          <Field
            id="confirm-code"
            label={t({ ja: 'アプリに表示された6桁のコード', en: 'The 6-digit code the app shows' })}
            error={props.error ? t({ ja: 'コードが正しくありません。アプリに表示されている新しいコードを入力してください。', en: 'That code is not right. Type the code the app shows now.' }) : undefined}
          >
            {(aria) => <input {...aria} name="code" type="text" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" maxlength={6} required />}
          </Field>
          <button type="submit" class="primary">
            {t({ ja: '確認する', en: 'Confirm' })}
          </button>
        </form>
      </div>
    </AdminShell>
  );
}
