/**
 * The challenge page inside the merchant's iframe. One responsive page for every EMV window size
 * (250×400 up to full screen), laid out as EMV's small-window template: the header (issuer and
 * scheme), the purchase in short, then the action; the code input and the submit button are on
 * the first screen of every size, the personal message (with what to do if it is not theirs)
 * right beneath them.
 *
 * htmx swaps `main#challenge` in place; the one live region (#announce) sits outside it, so it is
 * the same element for the whole challenge and only its text changes (hx-select-oob). Without
 * JavaScript every form still posts and the server answers with the whole page, scrolled to the
 * answer (the form's action ends in #answer).
 */
import type { Child } from 'hono/jsx';
import type { Lang } from '../i18n.ts';
import { Page } from '../layout.tsx';
import { Tel, WithTel } from '../phone.tsx';
import type { ChallengeWords } from './messages.ts';

type T = ChallengeWords;

export interface Branding {
  /** The card's issuer's name in the page's language (its settings, src/issuers/), always shown as text. */
  issuerName: string;
  /** The issuer's logo; the default one (ISSUER_LOGO's) is a name-less mark, so it never contradicts the name. */
  issuerLogo: string;
  brand: 'jcb' | 'visa' | 'mastercard';
  /** The scheme's programme name (J/Secure, Visa Secure, …): the mark's text, or its alt text. */
  brandName: string;
  /** Image path for the scheme's mark, when the issuer configured one (the artwork is the scheme's). */
  brandMark?: string;
}

export interface Purchase {
  merchant: string;
  amount: string;
  date: string;
  last4: string;
}

/** The page's frame: header, the live region, and the swapped part (children). */
export function ChallengeShell(props: { lang: Lang; t: T; branding: Branding; windowSize?: string; announce?: string; children: Child }) {
  const { t, branding } = props;
  return (
    <Page title={`${t.title} — ${branding.issuerName}`} lang={props.lang} framed scripts={['/static/js/challenge.js']}>
      <div class={`challenge size-${props.windowSize ?? '05'}`}>
        <header class="branding">
          <p class="issuer">
            <img class="issuer-logo" src={branding.issuerLogo} alt="" height="28" />
            <span class="issuer-name">{branding.issuerName}</span>
          </p>
          {branding.brandMark ? (
            <img class="brand-mark" src={branding.brandMark} alt={branding.brandName} height="28" />
          ) : (
            <span class={`brand-mark text-mark ${branding.brand}`}>{branding.brandName}</span>
          )}
        </header>
        <Announce text={props.announce} />
        {props.children}
      </div>
    </Page>
  );
}

/**
 * The one live region: outside the swapped part, so it survives every answer. Each answer's
 * response carries its new text and htmx swaps only the inside (hx-select-oob="#announce:innerHTML").
 */
function Announce({ text }: { text?: string }) {
  return (
    <p id="announce" class="visually-hidden" role="status" aria-live="polite" aria-atomic="true">
      {text ?? ''}
    </p>
  );
}

/** What every form on the page sends with htmx: the swapped part, and the live region's text. */
const HX = {
  'hx-target': '#challenge',
  'hx-select': '#challenge',
  'hx-swap': 'outerHTML',
  'hx-select-oob': '#announce:innerHTML',
  'hx-disabled-elt': 'find button',
} as const;

/** The purchase in short: merchant and amount on one line, date and card beneath (labels for screen readers). */
export function PurchaseSummary({ t, purchase }: { t: T; purchase: Purchase }) {
  return (
    <section class="purchase" aria-label={t.purchaseLabel}>
      <dl>
        <div class="merchant">
          <dt>{t.merchant}</dt>
          <dd>{purchase.merchant}</dd>
        </div>
        <div class="amount">
          <dt>{t.amount}</dt>
          <dd>{purchase.amount}</dd>
        </div>
        {purchase.date && (
          <div class="date">
            <dt>{t.date}</dt>
            <dd>{purchase.date}</dd>
          </div>
        )}
        <div class="card">
          <dt>{t.card}</dt>
          <dd>{t.cardEnding(purchase.last4)}</dd>
        </div>
      </dl>
    </section>
  );
}

export interface FieldErrors {
  memberId?: string;
  secret?: string;
}

export interface FormProps {
  t: T;
  /** The secret the strategy checks: a one-time code it sent (with resend), or a password. */
  secret: 'code' | 'password';
  /** The strategy's introduction (what to enter). */
  intro: string;
  state: string;
  purchase: Purchase;
  personalMessage?: string | null;
  memberId?: string;
  /** The masked number the code went to; shown only when `codeSent`. */
  phoneMasked?: string;
  /** True only when a code really went out in this flow: otherwise the page never says one did. */
  codeSent: boolean;
  /** A form-level answer (wrong code, refused send): shown above the fields and announced. */
  error?: string;
  /** Answers beside each field (empty, malformed), tied to it with aria-describedby. */
  fieldErrors?: FieldErrors;
  notice?: string;
  remaining?: number;
  issuerPhone: string;
}

/** The text the live region reads after this answer (empty on a first page). */
export function formAnnouncement(p: Pick<FormProps, 't' | 'error' | 'fieldErrors' | 'notice' | 'remaining'>): string {
  const { t } = p;
  const fields = [p.fieldErrors?.memberId, p.fieldErrors?.secret].filter(Boolean);
  if (p.error) return [p.error, p.remaining ? t.remaining(p.remaining) : '', ...fields].filter(Boolean).join(' ');
  if (fields.length) return [t.fixFields, ...fields].join(' ');
  return p.notice ?? '';
}

/** Member ID + one-time password (or legacy password), submit, then resend, cancel, language and help. */
export function ChallengeForm(p: FormProps) {
  const { t } = p;
  const isOtp = p.secret === 'code';
  const waiting = isOtp && !p.codeSent;
  // The personal message follows the action, so that the fields fit the first screen at every size.
  const message = p.personalMessage ? <PersonalMessage t={t} message={p.personalMessage} issuerPhone={p.issuerPhone} /> : null;
  return (
    <main id="challenge" class="challenge-main">
      <h1>{t.heading}</h1>
      <PurchaseSummary t={t} purchase={p.purchase} />
      <p class="intro">{p.intro}</p>
      {isOtp && p.codeSent && p.phoneMasked && <p class="sent-to">{t.sentTo(p.phoneMasked)}</p>}
      <Answer {...p} waiting={waiting} />
      {waiting ? <SendForm t={t} state={p.state} /> : <EntryForm {...p} isOtp={isOtp} />}
      {message}
      <div class="secondary-actions">
        {isOtp && !waiting && <ResendForm t={t} state={p.state} />}
        <CancelForm t={t} state={p.state} />
        <LanguageSwitch t={t} state={p.state} />
      </div>
      <Help t={t} issuerPhone={p.issuerPhone} otp={isOtp} />
    </main>
  );
}

/** The visible answer, kept right above the fields (and scrolled to after each answer). */
function Answer(p: FormProps & { waiting: boolean }) {
  const { t } = p;
  const hasFieldErrors = !!(p.fieldErrors?.memberId || p.fieldErrors?.secret);
  if (p.error) {
    return (
      <div id="answer" class="alert">
        <p>
          <WithTel text={p.error} phone={p.issuerPhone} />
        </p>
        {p.remaining !== undefined && p.remaining > 0 && <p>{t.remaining(p.remaining)}</p>}
        {p.waiting && !p.error.includes(p.issuerPhone) && (
          <p>
            <WithTel text={t.noCodeHint(p.issuerPhone)} phone={p.issuerPhone} />
          </p>
        )}
      </div>
    );
  }
  if (p.waiting) {
    return (
      <div id="answer" class="alert">
        <p>{t.noCodeSent}</p>
        <p>
          <WithTel text={t.noCodeHint(p.issuerPhone)} phone={p.issuerPhone} />
        </p>
      </div>
    );
  }
  if (hasFieldErrors) {
    return (
      <div id="answer" class="alert">
        <p>{t.fixFields}</p>
      </div>
    );
  }
  if (p.notice) {
    return (
      <p id="answer" class="success">
        {p.notice}
      </p>
    );
  }
  return null;
}

function EntryForm(p: FormProps & { isOtp: boolean }) {
  const { t } = p;
  const fe = p.fieldErrors ?? {};
  // A form-level error (wrong code) concerns both fields; a field error only its own.
  const describe = (field: keyof FieldErrors) => [fe[field] ? `${field}-error` : '', p.error ? 'answer' : ''].filter(Boolean).join(' ') || undefined;
  const invalid = (field: keyof FieldErrors) => (fe[field] || p.error ? 'true' : undefined);
  const firstInvalid: keyof FieldErrors | undefined = fe.memberId ? 'memberId' : fe.secret ? 'secret' : undefined;
  const focusSecret = firstInvalid ? firstInvalid === 'secret' : !!p.memberId;
  return (
    <form method="post" action="/3ds/challenge/submit#answer" hx-post="/3ds/challenge/submit" {...HX} novalidate class="entry">
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
        autofocus={!focusSecret}
        aria-invalid={invalid('memberId')}
        aria-describedby={describe('memberId')}
      />
      {fe.memberId && (
        <p id="memberId-error" class="field-error">
          {fe.memberId}
        </p>
      )}
      <label for="secret">{p.isOtp ? t.otp : t.password}</label>
      {p.isOtp ? (
        <input
          id="secret"
          name="secret"
          type="text"
          inputmode="numeric"
          autocomplete="one-time-code"
          maxlength={16}
          required
          autofocus={focusSecret}
          aria-invalid={invalid('secret')}
          aria-describedby={describe('secret')}
        />
      ) : (
        <input
          id="secret"
          name="secret"
          type="password"
          autocomplete="current-password"
          maxlength={128}
          required
          autofocus={focusSecret}
          aria-invalid={invalid('secret')}
          aria-describedby={describe('secret')}
        />
      )}
      {fe.secret && (
        <p id="secret-error" class="field-error">
          {fe.secret}
        </p>
      )}
      <button type="submit" class="primary">
        {t.submit}
      </button>
    </form>
  );
}

/** When no code went out, the action is to ask for one again (the answer above says when). */
function SendForm({ t, state }: { t: T; state: string }) {
  return (
    <form method="post" action="/3ds/challenge/resend#answer" hx-post="/3ds/challenge/resend" {...HX}>
      <input type="hidden" name="state" value={state} />
      <button type="submit" class="primary">
        {t.resend}
      </button>
    </form>
  );
}

function ResendForm({ t, state }: { t: T; state: string }) {
  return (
    <form method="post" action="/3ds/challenge/resend#answer" hx-post="/3ds/challenge/resend" {...HX}>
      <input type="hidden" name="state" value={state} />
      <button type="submit" class="secondary">
        {t.resend}
      </button>
    </form>
  );
}

function CancelForm({ t, state }: { t: T; state: string }) {
  return (
    <form method="post" action="/3ds/challenge/cancel" hx-post="/3ds/challenge/cancel" {...HX}>
      <input type="hidden" name="state" value={state} />
      <button type="submit" class="secondary">
        {t.cancel}
      </button>
    </form>
  );
}

/** The cardholder's own words, and what to do when they are not. */
function PersonalMessage({ t, message, issuerPhone }: { t: T; message: string; issuerPhone: string }) {
  return (
    <section class="personal-message" aria-labelledby="pm-label">
      <p>
        <span id="pm-label" class="label">
          {t.personalMessage}
        </span>
        <span class="message">{message}</span>
      </p>
      <p class="hint">{t.personalMessageHint}</p>
      <p class="hint mismatch">
        <WithTel text={t.personalMessageMismatch(issuerPhone)} phone={issuerPhone} />
      </p>
    </section>
  );
}

function LanguageSwitch({ t, state }: { t: T; state: string }) {
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

export function Help({ t, issuerPhone, otp = false }: { t: T; issuerPhone: string; otp?: boolean }) {
  return (
    <details class="help">
      <summary>{t.helpSummary}</summary>
      <p>{t.helpWhy}</p>
      {otp && <p>{t.helpNoCode}</p>}
      <p>
        <WithTel text={t.helpCall(issuerPhone)} phone={issuerPhone} />
      </p>
    </details>
  );
}

/** What an ending's form needs to take the cardholder back to the shop with the final CRes (or Erro). */
export interface EndingPost {
  notificationURL: string;
  cres: string;
  threeDSSessionData?: string;
}

export interface EndingProps {
  t: T;
  heading: string;
  text?: string;
  post?: EndingPost;
  /** Post at once (success, cancel); otherwise the cardholder reads the message and presses the button. */
  auto: boolean;
  /** The issuer's phone, in the main text as a tel: link (endings the cardholder must act on). */
  issuerPhone?: string;
  /** Where to register (guidance endings): the portal's address, shown and linked. */
  portalUrl?: string;
}

/** The text the live region reads when the challenge ends. */
export function endingAnnouncement(p: Pick<EndingProps, 'heading' | 'text' | 'auto' | 't' | 'post'>): string {
  return [p.heading, p.text, p.post && p.auto ? p.t.continueToShop : ''].filter(Boolean).join(' ');
}

/** An ending: a heading, what to do (with the phone and the portal as links), and the way back to the shop. */
export function Ending(props: EndingProps) {
  const { t, post } = props;
  const phone = props.issuerPhone;
  return (
    <main id="challenge" class="challenge-main ending">
      <h1 id="answer">{props.heading}</h1>
      {props.text && <p>{phone ? <WithTel text={props.text} phone={phone} /> : props.text}</p>}
      {props.portalUrl && (
        <p class="portal">
          {t.portalAddress}
          <a href={props.portalUrl} target="_blank" rel="noopener">
            {props.portalUrl}
          </a>
        </p>
      )}
      {phone && props.text && !props.text.includes(phone) && (
        <p class="call">
          {t.callIssuer}
          <Tel phone={phone} />
        </p>
      )}
      {post && props.auto && <p class="muted">{t.continueToShop}</p>}
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
      {phone && <Help t={t} issuerPhone={phone} />}
    </main>
  );
}
