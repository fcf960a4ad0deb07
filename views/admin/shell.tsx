/**
 * The staff console's frame: the one page shell (views/layout.tsx) with the console's header
 * (who is signed in, for which issuer, in which role), its navigation, a language switch and
 * sign-out. One language at a time: Japanese unless the person switched to English.
 */
import type { Child } from 'hono/jsx';
import type { Bi, Lang } from '../i18n.ts';
import { Page } from '../layout.tsx';
import { dateTimeFormat } from '../../src/intl.ts';

/** Picks the text of the page's language. */
export const say = (lang: Lang) => (text: Bi<string>) => text[lang];

export type RoleName = 'platform_admin' | 'issuer_admin' | 'helpdesk' | 'auditor';

export const ROLE_LABEL: Record<RoleName, Bi> = {
  platform_admin: { ja: 'プラットフォーム管理者', en: 'Platform administrator' },
  issuer_admin: { ja: 'カード会社管理者', en: 'Issuer administrator' },
  helpdesk: { ja: 'ヘルプデスク', en: 'Helpdesk' },
  auditor: { ja: '監査担当', en: 'Auditor' },
};

export interface SignedIn {
  username: string;
  displayName: string;
  role: RoleName;
  /** The issuer's name, or null for a platform administrator. */
  issuer: Bi | null;
  csrf: string;
  nav: { href: string; label: Bi; current?: boolean }[];
}

export interface ShellProps {
  lang: Lang;
  title: Bi;
  /** Who runs this install, named in the header before anyone signs in. */
  site: Bi;
  /** The path of this page, for the language switch. */
  path: string;
  me?: SignedIn;
  children?: Child;
}

export function AdminShell({ lang, title, site, path, me, children }: ShellProps) {
  const t = say(lang);
  const other: Lang = lang === 'ja' ? 'en' : 'ja';
  return (
    <Page title={`${t(title)} — ${t({ ja: 'Mamori 管理画面', en: 'Mamori console' })}`} lang={lang}>
      <link rel="stylesheet" href="/static/css/admin.css" />
      <a class="skip-link" href="#main">
        {t({ ja: '本文へ移動', en: 'Skip to content' })}
      </a>
      <header class="masthead admin-masthead">
        <img src="/static/img/mamori.svg" alt="" width="32" height="32" />
        <p class="brand">
          <a href="/" class="home-link">
            Mamori
          </a>{' '}
          <a href="/admin" class="home-link">
            {t({ ja: '管理画面', en: 'console' })}
          </a>
        </p>
        <p class="who">
          <span>{me ? (me.issuer ? t(me.issuer) : t({ ja: '全カード会社', en: 'All issuers' })) : t(site)}</span>
          {me && (
            <span>
              {me.displayName} ({me.username}) · {t(ROLE_LABEL[me.role])}
            </span>
          )}
        </p>
        <div class="admin-tools">
          <a href={`${path}${path.includes('?') ? '&' : '?'}lang=${other}`} lang={other} hreflang={other}>
            {other === 'en' ? 'English' : '日本語'}
          </a>
          {me && (
            <form method="post" action="/admin/sign-out">
              <input type="hidden" name="_csrf" value={me.csrf} />
              <button type="submit" class="secondary">
                {t({ ja: 'サインアウト', en: 'Sign out' })}
              </button>
            </form>
          )}
        </div>
      </header>
      {me && me.nav.length > 1 && (
        <nav class="admin-nav" aria-label={t({ ja: '管理メニュー', en: 'Console menu' })}>
          <ul>
            {me.nav.map((item) => (
              <li>
                <a href={item.href} aria-current={item.current ? 'page' : undefined}>
                  {t(item.label)}
                </a>
              </li>
            ))}
          </ul>
        </nav>
      )}
      <main id="main" class="container admin">
        {children}
      </main>
      <footer class="container admin muted">
        <small>Mamori — {t({ ja: '操作はすべて監査ログに記録されます', en: 'Every action is recorded in the audit log' })}</small>
      </footer>
    </Page>
  );
}

/** A form field with its label, hint and error tied to the input (aria-describedby). */
export function Field(props: {
  id: string;
  label: string;
  hint?: string;
  error?: string;
  children: (aria: { id: string; 'aria-describedby'?: string; 'aria-invalid'?: 'true' }) => Child;
}) {
  const described = [props.hint ? `${props.id}-hint` : '', props.error ? `${props.id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      {props.hint && (
        <p class="hint" id={`${props.id}-hint`}>
          {props.hint}
        </p>
      )}
      {props.children({ id: props.id, ...(described ? { 'aria-describedby': described } : {}), ...(props.error ? { 'aria-invalid': 'true' as const } : {}) })}
      {props.error && (
        <p class="field-error" id={`${props.id}-error`}>
          {props.error}
        </p>
      )}
    </div>
  );
}

/** The fresh TOTP code a sensitive action asks for. */
export function StepUpField({ lang, error, id = 'step-up' }: { lang: Lang; error?: string; id?: string }) {
  const t = say(lang);
  return (
    <Field
      id={id}
      label={t({ ja: '確認コード（認証アプリの6桁）', en: 'Confirmation code (6 digits from your authenticator)' })}
      hint={t({ ja: 'この操作には、いま表示されている新しいコードが必要です。', en: 'This action needs the code your authenticator shows now.' })}
      error={error}
    >
      {(aria) => <input {...aria} name="code" type="text" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" maxlength={6} required />}
    </Field>
  );
}

/** A status line that screen readers announce (kept in the page, so it survives swaps). */
export function Notice({ kind, children }: { kind: 'success' | 'alert'; children?: Child }) {
  return kind === 'alert' ? (
    <div class="alert" role="alert">
      {children}
    </div>
  ) : (
    <div class="success" role="status">
      {children}
    </div>
  );
}

export function Csrf({ token }: { token: string }) {
  return <input type="hidden" name="_csrf" value={token} />;
}

export function formatTime(ms: number | null | undefined, lang: Lang, timeZone = 'Asia/Tokyo'): string {
  if (ms === null || ms === undefined) return '—';
  return dateTimeFormat(lang === 'ja' ? 'ja-JP' : 'en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(new Date(ms));
}
