/**
 * The app channel's HTML UI (acsUiType 05): one self-contained document the EMV 3DS SDK shows in
 * its web view. The SDK blocks every request, so CSS is inline and there are no images; the form
 * "submits" by navigating to `HTTPS://EMV3DS/challenge?…` (GET), which the SDK turns into the
 * next CReq's challengeHTMLDataEntry (`secret=…&action=submit` or `action=resend`). Usable from
 * 250 px wide, 44-px targets, the error beside the field (aria-describedby), one live region.
 */
import type { Lang } from '../i18n.ts';

export interface HtmlChallengeProps {
  lang: Lang;
  title: string;
  issuerName: string;
  header: string;
  intro: string;
  purchase: { label: string; value: string }[];
  personalMessage?: { label: string; text: string };
  sentTo?: string;
  secret: { kind: 'code' | 'password'; label: string };
  error?: string;
  remaining?: string;
  notice?: string;
  submit: string;
  resend?: string;
  why: { label: string; text: string };
}

/** The action the SDK intercepts (Req 160–165); its case is the spec's. */
export const HTML_ACTION = 'HTTPS://EMV3DS/challenge';

const CSS = `
*{box-sizing:border-box}
body{margin:0;padding:12px;font:16px/1.5 system-ui,-apple-system,"Hiragino Sans","Noto Sans JP",sans-serif;color:#1a1a1a;background:#fff;min-width:0}
main{max-width:32rem;margin:0 auto}
h1{font-size:1.25rem;margin:.25rem 0 .5rem}
.issuer{font-weight:600;color:#333;margin:0}
dl{display:grid;grid-template-columns:auto 1fr;gap:.25rem .75rem;margin:.75rem 0;word-break:break-word}
dt{color:#555}dd{margin:0}
.message{border-left:4px solid #2a6df4;padding:.25rem .5rem;background:#f3f6fd}
label{display:block;font-weight:600;margin-top:.75rem}
input{width:100%;min-height:44px;font-size:1.125rem;padding:.5rem;border:1px solid #767676;border-radius:4px}
.error{color:#b00020;margin:.25rem 0}
button{display:block;width:100%;min-height:44px;margin-top:.75rem;font-size:1rem;border-radius:4px;border:1px solid #1f4fb3}
.primary{background:#1f4fb3;color:#fff}
.secondary{background:#fff;color:#1f4fb3}
details{margin-top:1rem}summary{min-height:44px;display:flex;align-items:center;cursor:pointer}
`;

function Page(p: HtmlChallengeProps) {
  const field = p.secret.kind;
  const described = [p.error ? 'secret-error' : '', p.remaining ? 'secret-remaining' : ''].filter(Boolean).join(' ') || undefined;
  return (
    <html lang={p.lang}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{p.title}</title>
        <style>{CSS}</style>
      </head>
      <body>
        <main>
          <p class="issuer">{p.issuerName}</p>
          <h1>{p.header}</h1>
          <div role="status" aria-live="polite">
            {p.notice ? <p>{p.notice}</p> : null}
          </div>
          <p>{p.intro}</p>
          {p.sentTo ? <p>{p.sentTo}</p> : null}
          <dl>
            {p.purchase.map((line) => (
              <>
                <dt>{line.label}</dt>
                <dd>{line.value}</dd>
              </>
            ))}
          </dl>
          {p.personalMessage ? (
            <p class="message">
              {p.personalMessage.label}: {p.personalMessage.text}
            </p>
          ) : null}
          <form method="get" action={HTML_ACTION}>
            <label for="secret">{p.secret.label}</label>
            <input
              id="secret"
              name="secret"
              type={field === 'code' ? 'text' : 'password'}
              inputmode={field === 'code' ? 'numeric' : undefined}
              autocomplete={field === 'code' ? 'one-time-code' : 'current-password'}
              maxlength={field === 'code' ? 6 : 45}
              aria-invalid={p.error ? 'true' : undefined}
              aria-describedby={described}
            />
            {p.error ? (
              <p class="error" id="secret-error">
                {p.error}
              </p>
            ) : null}
            {p.remaining ? <p id="secret-remaining">{p.remaining}</p> : null}
            <button class="primary" type="submit" name="action" value="submit">
              {p.submit}
            </button>
            {p.resend ? (
              <button class="secondary" type="submit" name="action" value="resend" formnovalidate>
                {p.resend}
              </button>
            ) : null}
          </form>
          <details>
            <summary>{p.why.label}</summary>
            <p>{p.why.text}</p>
          </details>
        </main>
      </body>
    </html>
  );
}

/** The whole document as text (what acsHTML carries, base64url-encoded by the caller). */
export function renderHtmlChallenge(props: HtmlChallengeProps): string {
  const html = (<Page {...props} />).toString();
  if (typeof html !== 'string') throw new Error('the HTML challenge must render synchronously');
  return `<!doctype html>${html}`;
}
