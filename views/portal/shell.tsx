/**
 * The member portal's one page shell (src/portal/): the card issuer's logo and name on top, a
 * language switch (Japanese unless the cardholder chose English), the signed-in member's menu, the
 * one live region, and the swapped main. Phone-first: one column, 44-px targets.
 *
 * htmx swaps `main#portal` in place; the live region (#announce) sits outside it, so it is the same
 * element for the whole visit and only its text changes (hx-select-oob), as on the challenge. Every
 * form works without JavaScript: it posts, and the server answers with the whole page.
 */
import type { Child } from 'hono/jsx';
import type { Bi, Lang } from '../i18n.ts';
import { Page } from '../layout.tsx';
import { Tel } from '../phone.tsx';

/** The card issuer as the portal's pages show it. */
export interface PortalIssuer {
  name: Bi;
  logo: string;
  phone: string;
  hours: Bi;
}

/** The attributes every portal form carries for htmx: swap main, carry the live region's text. */
export const PORTAL_HX = {
  'hx-target': '#portal',
  'hx-select': '#portal',
  'hx-swap': 'outerHTML',
  'hx-select-oob': '#announce:innerHTML',
  'hx-disabled-elt': 'find button',
} as const;

const W = {
  portal: { ja: '本人認証サービス 会員ページ', en: '3-D Secure member portal' },
  menu: { ja: '会員メニュー', en: 'Member menu' },
  home: { ja: 'ホーム', en: 'Home' },
  history: { ja: 'ご利用履歴', en: 'My authentications' },
  signOut: { ja: 'ログアウト', en: 'Sign out' },
  signedInAs: { ja: 'ログイン中の会員ID', en: 'Signed in as' },
  switchTo: { ja: 'English', en: '日本語' },
  help: { ja: 'お問い合わせ', en: 'Help' },
} satisfies Record<string, Bi>;

export interface PortalShellProps {
  lang: Lang;
  issuer: PortalIssuer;
  title: Bi;
  /** This page's path (and query), for the language switch. */
  path: string;
  /** The signed-in member: shows the menu and the sign-out form. */
  member?: { loginId: string };
  /** This session's form token (signed-in pages). */
  csrf?: string;
  /** Text for the live region (an error summary, "sent", "saved"). */
  announce?: string;
  children?: Child;
}

export function PortalShell(p: PortalShellProps) {
  const t = (b: Bi) => b[p.lang];
  const other: Lang = p.lang === 'ja' ? 'en' : 'ja';
  const switchHref = `${p.path.replace(/([?&])lang=(ja|en)&?/, '$1').replace(/[?&]$/, '')}${p.path.includes('?') && !/[?&]lang=(ja|en)$/.test(p.path) ? '&' : '?'}lang=${other}`;
  return (
    <Page title={`${t(p.title)} — ${t(p.issuer.name)}`} lang={p.lang}>
      <header class="masthead portal-masthead">
        <img src={p.issuer.logo} alt="" width="40" height="40" />
        <div>
          <p class="brand">{t(p.issuer.name)}</p>
          <p class="muted">{t(W.portal)}</p>
        </div>
        <p class="portal-lang">
          <a href={switchHref} lang={other} hreflang={other}>
            {W.switchTo[p.lang]}
          </a>
        </p>
      </header>
      {p.member && (
        <nav class="portal-nav container" aria-label={t(W.menu)}>
          <a href="/portal">{t(W.home)}</a>
          <a href="/portal/history">{t(W.history)}</a>
          <form method="post" action="/portal/sign-out">
            <input type="hidden" name="_csrf" value={p.csrf ?? ''} />
            <button type="submit" class="secondary">
              {t(W.signOut)}
            </button>
          </form>
        </nav>
      )}
      <p id="announce" class="visually-hidden" role="status" aria-live="polite" aria-atomic="true">
        {p.announce ?? ''}
      </p>
      <main id="portal" class="container">
        {p.member && (
          <p class="muted small">
            {t(W.signedInAs)}: {p.member.loginId}
          </p>
        )}
        {p.children}
      </main>
      <footer class="container muted">
        <p>
          {t(W.help)}: {t(p.issuer.name)} <Tel phone={p.issuer.phone} />
          {t(p.issuer.hours) ? ` (${t(p.issuer.hours)})` : ''}
        </p>
      </footer>
    </Page>
  );
}
