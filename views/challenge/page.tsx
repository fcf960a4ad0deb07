/**
 * The challenge page inside the merchant's iframe. One responsive page for every EMV window size
 * (250×400 up to full screen). htmx swaps #challenge in place; without JavaScript every form
 * still posts and the server answers with the whole page.
 */
import type { Child } from 'hono/jsx';
import type { FinalPost } from '../../src/challenge/finish.ts';
import type { Lang, Messages } from '../../src/challenge/messages.ts';
import { Page } from '../layout.tsx';

export interface Branding {
  issuerName: string;
  issuerLogo: string;
  brand: 'jcb' | 'visa' | 'mastercard';
  /** Image path for the scheme's mark, when the issuer configured one (the artwork is the scheme's). */
  brandMark?: string;
}

const BRAND_NAMES = { jcb: 'J/Secure', visa: 'Visa Secure', mastercard: 'Mastercard Identity Check' } as const;

export interface Purchase {
  merchant: string;
  amount: string;
  date: string;
  last4: string;
}

export function ChallengeShell(props: { lang: Lang; t: Messages; branding: Branding; windowSize?: string; children: Child }) {
  const { t, branding } = props;
  return (
    <Page title={`${t.title} — ${branding.issuerName}`} lang={props.lang} framed scripts={['/static/js/challenge.js']}>
      <div class={`challenge size-${props.windowSize ?? '05'}`}>
        <header class="branding">
          <img class="issuer-logo" src={branding.issuerLogo} alt={`${branding.issuerName} logo`} height="32" />
          {branding.brandMark ? (
            <img class="brand-mark" src={branding.brandMark} alt={BRAND_NAMES[branding.brand]} height="32" />
          ) : (
            <span class={`brand-mark text-mark ${branding.brand}`}>{BRAND_NAMES[branding.brand]}</span>
          )}
        </header>
        {props.children}
      </div>
    </Page>
  );
}

export function PurchaseSummary({ t, purchase }: { t: Messages; purchase: Purchase }) {
  return (
    <dl class="purchase">
      <div>
        <dt>{t.merchant}</dt>
        <dd>{purchase.merchant}</dd>
      </div>
      <div>
        <dt>{t.amount}</dt>
        <dd class="amount">{purchase.amount}</dd>
      </div>
      {purchase.date && (
        <div>
          <dt>{t.date}</dt>
          <dd>{purchase.date}</dd>
        </div>
      )}
      <div>
        <dt>{t.card}</dt>
        <dd>{t.cardEnding(purchase.last4)}</dd>
      </div>
    </dl>
  );
}

export interface FormProps {
  t: Messages;
  method: 'sms_otp' | 'password';
  state: string;
  personalMessage?: string | null;
  memberId?: string;
  phoneMasked?: string;
  /** Shown at the top of the form and announced to screen readers. */
  error?: string;
  notice?: string;
  remaining?: number;
  issuerPhone: string;
}

/** Member ID + one-time password (or legacy password), resend, submit, cancel and help. */
export function ChallengeForm(p: FormProps) {
  const { t } = p;
  const isOtp = p.method === 'sms_otp';
  const hx = { 'hx-target': '#challenge', 'hx-select': '#challenge', 'hx-swap': 'outerHTML', 'hx-disabled-elt': 'find button' };
  return (
    <main id="challenge" class="challenge-main">
      <h1>{t.heading}</h1>
      <p>{isOtp ? t.intro : t.introPassword}</p>
      {p.personalMessage && (
        <section class="personal-message" aria-labelledby="pm-label">
          <p id="pm-label" class="label">{t.personalMessage}</p>
          <p class="message">{p.personalMessage}</p>
          <p class="hint">{t.personalMessageHint}</p>
        </section>
      )}
      <div id="status" role="status" aria-live="assertive" aria-atomic="true">
        {p.error && (
          <div class="alert">
            <p>{p.error}</p>
            {p.remaining !== undefined && p.remaining > 0 && <p>{t.remaining(p.remaining)}</p>}
          </div>
        )}
        {!p.error && p.notice && <p class="success">{p.notice}</p>}
      </div>
      {isOtp && p.phoneMasked && <p class="sent-to">{t.sentTo(p.phoneMasked)}</p>}
      <form method="post" action="/3ds/challenge/submit" hx-post="/3ds/challenge/submit" {...hx} novalidate>
        <input type="hidden" name="state" value={p.state} />
        <label for="memberId">{t.memberId}</label>
        <input
          id="memberId"
          name="memberId"
          type="text"
          autocomplete="username"
          autocapitalize="none"
          spellcheck={false}
          required
          maxlength={64}
          value={p.memberId ?? ''}
          autofocus={!p.memberId}
          aria-invalid={p.error ? 'true' : undefined}
          aria-describedby={p.error ? 'status' : undefined}
        />
        {isOtp ? (
          <>
            <label for="secret">{t.otp}</label>
            <input
              id="secret"
              name="secret"
              type="text"
              inputmode="numeric"
              pattern="[0-9]*"
              autocomplete="one-time-code"
              maxlength={6}
              required
              autofocus={!!p.memberId}
              aria-invalid={p.error ? 'true' : undefined}
            />
          </>
        ) : (
          <>
            <label for="secret">{t.password}</label>
            <input id="secret" name="secret" type="password" autocomplete="current-password" maxlength={128} required autofocus={!!p.memberId} aria-invalid={p.error ? 'true' : undefined} />
          </>
        )}
        <button type="submit" class="primary">
          {t.submit}
        </button>
      </form>
      <div class="secondary-actions">
        {isOtp && (
          <form method="post" action="/3ds/challenge/resend" hx-post="/3ds/challenge/resend" {...hx}>
            <input type="hidden" name="state" value={p.state} />
            <button type="submit" class="secondary">
              {t.resend}
            </button>
          </form>
        )}
        <form method="post" action="/3ds/challenge/cancel" hx-post="/3ds/challenge/cancel" {...hx}>
          <input type="hidden" name="state" value={p.state} />
          <button type="submit" class="secondary">
            {t.cancel}
          </button>
        </form>
        <LanguageSwitch t={t} state={p.state} />
      </div>
      <Help t={t} issuerPhone={p.issuerPhone} otp={isOtp} />
    </main>
  );
}

function LanguageSwitch({ t, state }: { t: Messages; state: string }) {
  return (
    // A whole-page post: the document's lang changes with it.
    <form method="post" action="/3ds/challenge/language">
      <input type="hidden" name="state" value={state} />
      <button type="submit" class="link" lang={t.switchLanguage === 'English' ? 'en' : 'ja'}>
        {t.switchLanguage}
      </button>
    </form>
  );
}

export function Help({ t, issuerPhone, otp = false }: { t: Messages; issuerPhone: string; otp?: boolean }) {
  return (
    <details class="help">
      <summary>{t.helpSummary}</summary>
      <p>{t.helpWhy}</p>
      {otp && <p>{t.helpNoCode}</p>}
      <p>{t.helpCall(issuerPhone)}</p>
    </details>
  );
}

/**
 * An ending: a heading, what to do, and the form that takes the cardholder back to the shop
 * with the final CRes. `auto` posts it at once (success, cancel); otherwise the cardholder reads
 * the message first and presses the button.
 */
export function Ending(props: { heading: string; text?: string; post?: FinalPost; auto: boolean; t: Messages; issuerPhone?: string }) {
  const { t, post } = props;
  return (
    <main id="challenge" class="challenge-main ending">
      <h1>{props.heading}</h1>
      <div role="status" aria-live="assertive">
        {props.text && <p>{props.text}</p>}
        {post && props.auto && <p class="muted">{t.continueToShop}</p>}
      </div>
      {post && (
        <form method="post" action={post.notificationURL} data-autosubmit={props.auto ? 'true' : undefined} id="cres-form">
          <input type="hidden" name="cres" value={post.cres} />
          {post.threeDSSessionData !== undefined && <input type="hidden" name="threeDSSessionData" value={post.threeDSSessionData} />}
          {props.auto ? (
            <noscript>
              <button type="submit" class="primary">
                {t.returnToShop}
              </button>
            </noscript>
          ) : (
            <button type="submit" class="primary">
              {t.returnToShop}
            </button>
          )}
        </form>
      )}
      {props.issuerPhone && <Help t={t} issuerPhone={props.issuerPhone} />}
    </main>
  );
}
