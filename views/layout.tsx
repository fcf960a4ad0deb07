import { raw } from 'hono/html';
import type { Child } from 'hono/jsx';

const HTMX_CONFIG = JSON.stringify({
  includeIndicatorStyles: false,
  allowEval: false,
  responseHandling: [
    { code: '204', swap: false },
    { code: '[2345]..', swap: true, error: false },
  ],
});

export interface PageProps {
  title: string;
  lang?: 'ja' | 'en';
  /** Pages shown inside a merchant's iframe get a compact body. */
  framed?: boolean;
  /** htmx on this page (it only enhances: every form works without it). */
  htmx?: boolean;
  scripts?: string[];
  children?: Child;
}

/**
 * The one page shell. Every asset comes from our own origin (no CDN), no inline script or
 * style, so the strict CSP holds everywhere.
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

/** Text in both languages: Japanese first, English beneath in a smaller voice. */
export function Bilingual({ ja, en }: { ja: Child; en: Child }) {
  return (
    <>
      <span lang="ja">{ja}</span>
      <span class="en" lang="en">
        {en}
      </span>
    </>
  );
}
