import { raw } from 'hono/html';
import type { Child } from 'hono/jsx';
import type { Bi, Lang } from './i18n.ts';

const HTMX_CONFIG = JSON.stringify({
  includeIndicatorStyles: false,
  allowEval: false,
  // Settling copies the old element's attributes onto the new one; a style attribute (even an
  // empty one the browser left) would be refused by the CSP, so style is not among them.
  attributesToSettle: ['class', 'width', 'height'],
  responseHandling: [
    { code: '204', swap: false },
    { code: '[2345]..', swap: true, error: false },
  ],
});

export interface PageProps {
  title: string;
  lang?: Lang;
  /** Pages shown inside a merchant's iframe get a compact body. */
  framed?: boolean;
  /** htmx on this page (it only enhances: every form works without it). */
  htmx?: boolean;
  scripts?: string[];
  children?: Child;
}

/**
 * The one page shell: every page, framed or not, error pages included, is a `Page`. Every asset
 * comes from our own origin (no CDN), no inline script or style, so the strict CSP holds everywhere.
 */
export function Page({ title, lang = 'ja', framed = false, htmx = true, scripts = [], children }: PageProps) {
  return (
    <>
      {raw('<!DOCTYPE html>')}
      <html lang={lang}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light" />
        {/* htmx would inject an inline <style> (forbidden by the CSP); and a wrong code answers 400 with a page to show. */}
        <meta name="htmx-config" content={HTMX_CONFIG} />
        <title>{title}</title>
        <link rel="stylesheet" href="/static/css/app.css" />
        <link rel="icon" href="/static/img/favicon.svg" type="image/svg+xml" />
        {htmx && <script src="/static/vendor/htmx.min.js" defer></script>}
        {scripts.map((src) => (
          <script src={src} defer></script>
        ))}
      </head>
      <body class={framed ? 'framed' : 'site'}>{children}</body>
      </html>
    </>
  );
}

/** Who runs this appliance, as the site header names it. */
export interface SiteInfo {
  issuerName: Bi;
  /** The install's (first) issuer's helpline, as cardholders dial it. */
  issuerPhone: string;
}

/**
 * A page of the appliance's own site (landing, portal, admin, errors): the Page shell with the
 * site header (Mamori and the issuer's name, a link home) and the footer around a main column.
 */
export function SitePage(props: { title: Bi; site: SiteInfo; htmx?: boolean; children?: Child }) {
  return (
    <Page title={`${props.title.ja} / ${props.title.en}`} htmx={props.htmx}>
      <SiteHeader site={props.site} />
      <main class="container">{props.children}</main>
      <footer class="container muted">
        <small>Mamori — EMV 3-D Secure 2.2.0 / 2.3.1</small>
      </footer>
    </Page>
  );
}

export function SiteHeader({ site }: { site: SiteInfo }) {
  return (
    <header class="masthead">
      <img src="/static/img/mamori.svg" alt="" width="40" height="40" />
      <div>
        <p class="brand">
          <a href="/" class="home-link">
            Mamori 守り
          </a>
        </p>
        <p class="muted">
          {site.issuerName.ja} / <span lang="en">{site.issuerName.en}</span>
        </p>
      </div>
    </header>
  );
}

/** A text in both languages (views/i18n.ts): Japanese first, English beneath in a smaller voice. */
export function Bilingual({ ja, en }: Bi<Child>) {
  return (
    <>
      <span lang="ja">{ja}</span>
      <span class="en" lang="en">
        {en}
      </span>
    </>
  );
}
