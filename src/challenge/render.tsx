/**
 * How the challenge pages are rendered from a loaded flow: the form, the ending, and the plain
 * "cannot continue" page. Routes decide what happened; this module decides what the cardholder sees,
 * in the card's issuer's name, logo and scheme marks, with its helpdesk phone.
 */
import type { Context } from 'hono';
import { BRANDS } from '../protocol/brands.ts';
import {
  ChallengeForm,
  ChallengeShell,
  Ending,
  endingAnnouncement,
  formAnnouncement,
  type Branding,
  type EndingProps,
  type FieldErrors,
} from '../../views/challenge/page.tsx';
import { recordMessage, type Transaction } from '../acs/transactions.ts';
import type { AppDeps, AppEnv } from '../deps.ts';
import { issuerSettings, type IssuerSettings } from '../issuers/settings.ts';
import { maskPhone } from '../messaging/phone-mask.ts';
import type { ChallengeContext } from './context.ts';
import { recordEvent } from './events.ts';
import { finalCResOf, finalPost, type FinalPost } from './finish.ts';
import { guidanceOf } from './guidance.ts';
import { formatAmount, formatPurchaseDate } from './format.ts';
import { MESSAGES, type Lang, type Messages } from './messages.ts';
import { signState } from './state-token.ts';
import { CHALLENGE_IDLE_MS } from './store.ts';
import { strategyFor } from './strategies.ts';

type C = Context<AppEnv>;

/** The page's header: the issuer's name and logo, and the card's scheme (its mark, when the issuer set one). */
export function brandingFor(issuer: IssuerSettings, txn: Pick<Transaction, 'brand'> | undefined, lang: Lang): Branding {
  const brand = txn?.brand ?? 'jcb';
  return {
    issuerName: issuer.name[lang],
    issuerLogo: issuer.logo,
    brand,
    brandName: BRANDS[brand].programme,
    brandMark: txn ? issuer.brandMarks[brand] : undefined,
  };
}

function purchaseOf(ctx: ChallengeContext) {
  return {
    merchant: ctx.txn.merchantName ?? '',
    amount: formatAmount(ctx.txn.purchaseAmount, ctx.txn.purchaseCurrency, ctx.txn.purchaseExponent, ctx.lang),
    date: formatPurchaseDate(ctx.areq.purchaseDate as string | undefined, ctx.lang),
    last4: ctx.txn.panLast4,
  };
}

export interface FormOptions {
  /** A form-level answer (wrong code, refused send): shown above the fields and announced. */
  error?: string;
  /** Answers beside each field (empty member ID, malformed code), tied to it with aria-describedby. */
  fieldErrors?: FieldErrors;
  notice?: string;
  remaining?: number;
  memberId?: string;
  /** True only when a code really went out in this flow; the page never says one was sent otherwise. */
  codeSent?: boolean;
  status?: 200 | 400 | 429 | 503;
}

export async function renderForm(c: C, ctx: ChallengeContext, o: FormOptions) {
  const deps = c.get('deps');
  const t = MESSAGES[ctx.lang];
  const strategy = strategyFor(ctx.challenge?.method ?? ctx.txn.challengeMethod);
  if (!strategy) return cannotContinue(c, ctx.lang, { issuer: ctx.issuer, txn: ctx.txn });
  const state = await signState(
    deps.keys.session,
    { acsTransID: ctx.txn.acsTransID, lang: ctx.lang, issuerId: ctx.issuer.id, threeDSSessionData: ctx.threeDSSessionData },
    deps.clock.now() + CHALLENGE_IDLE_MS,
  );
  const windowSize = ctx.challenge?.challengeWindowSize ?? undefined;
  const form = {
    t,
    secret: strategy.secret,
    intro: t[strategy.texts.intro],
    state,
    purchase: purchaseOf(ctx),
    personalMessage: ctx.member?.personalMessage,
    memberId: o.memberId,
    phoneMasked: maskPhone(ctx.member?.phone),
    codeSent: o.codeSent === true,
    error: o.error,
    fieldErrors: o.fieldErrors,
    notice: o.notice,
    remaining: o.remaining,
    issuerPhone: ctx.issuer.helpdesk.phone,
  };
  // A wrong entry is a normal page for the cardholder; the status code tells tests and logs.
  return c.html(
    <ChallengeShell lang={ctx.lang} t={t} branding={brandingFor(ctx.issuer, ctx.txn, ctx.lang)} windowSize={windowSize} announce={formAnnouncement(form)}>
      <ChallengeForm {...form} />
    </ChallengeShell>,
    o.status ?? 200,
  );
}

/** The portal pages a guidance ending sends the cardholder to (the phone page signs them in first). */
export type PortalPage = '/portal/register' | '/portal/phone';

/**
 * A page of the card's issuer's member portal: on the issuer's own portal host when it has one,
 * else on this install with `?issuer=` (the portal then shows that issuer's pages).
 */
export function portalLink(publicUrl: string, issuer: Pick<IssuerSettings, 'code' | 'portalHosts'>, page: PortalPage): string {
  const host = issuer.portalHosts[0];
  return host ? `https://${host}${page}` : `${publicUrl}${page}?issuer=${encodeURIComponent(issuer.code)}`;
}

/** Which ending the transaction reached, in the cardholder's words; undefined when none we can name. */
function endingOf(deps: AppDeps, ctx: ChallengeContext, t: Messages): Omit<EndingProps, 't' | 'post'> | undefined {
  const txn = ctx.txn;
  const phone = ctx.issuer.helpdesk.phone;
  const portalUrl = (page: PortalPage) => portalLink(deps.config.PUBLIC_URL, ctx.issuer, page);
  if (txn.finalTransStatus === 'Y') return { heading: t.successHeading, auto: true };
  if (txn.state === 'cancelled' || txn.challengeCancel === '01') return { heading: t.cancelledHeading, auto: true };
  if (txn.finalTransStatusReason === '19') return { heading: t.lockedHeading, text: t.locked(phone), auto: false, issuerPhone: phone };
  if (guidanceOf(txn) === 'register_phone') {
    // A provisional number is registered but cannot receive codes; say so, not "no number".
    return ctx.member?.phoneStatus === 'provisional'
      ? { heading: t.phoneProvisionalHeading, text: t.phoneProvisional(phone), auto: false, issuerPhone: phone, portalUrl: portalUrl('/portal/phone') }
      : { heading: t.phoneHeading, text: t.phone(phone), auto: false, issuerPhone: phone, portalUrl: portalUrl('/portal/phone') };
  }
  if (txn.finalTransStatusReason === '13') return { heading: t.registerHeading, text: t.register, auto: false, issuerPhone: phone, portalUrl: portalUrl('/portal/register') };
  if (txn.finalTransStatusReason === '14') return { heading: t.expiredHeading, text: t.expired, auto: false, issuerPhone: phone };
  return undefined;
}

/** The page for a transaction that has ended, whoever ended it. */
export async function renderEnded(c: C, ctx: ChallengeContext) {
  const deps = c.get('deps');
  const t = MESSAGES[ctx.lang];
  const post = finalPost(ctx.txn, ctx.threeDSSessionData);
  const ending = endingOf(deps, ctx, t);
  if (!ending) return cannotContinue(c, ctx.lang, { issuer: ctx.issuer, txn: ctx.txn });
  // The trail: the ending page, and the final CRes it carries each time one is sent through the browser.
  const now = deps.clock.now();
  await recordEvent(deps.db, ctx.txn.acsTransID, 'page', now, { page: 'ending', transStatus: ctx.txn.finalTransStatus, lang: ctx.lang });
  if (post) await recordMessage(deps.db, ctx.txn.acsTransID, 'out', 'CRes', finalCResOf(ctx.txn), now);
  const props = { ...ending, t, post };
  return c.html(
    <ChallengeShell
      lang={ctx.lang}
      t={t}
      branding={brandingFor(ctx.issuer, ctx.txn, ctx.lang)}
      windowSize={ctx.challenge?.challengeWindowSize ?? undefined}
      announce={endingAnnouncement(props)}
    >
      <Ending {...props} />
    </ChallengeShell>,
  );
}

export interface CannotContinueOptions {
  /** The card's issuer, when the transaction is known; the install's first issuer otherwise. */
  issuer?: IssuerSettings;
  /** The transaction, for its scheme's mark. */
  txn?: Pick<Transaction, 'brand'>;
  /** The Erro to post back to the shop. */
  post?: FinalPost;
  /** The appliance cannot answer right now (e.g. the database missed its deadline): try again shortly. */
  reason?: 'unavailable';
}

/** The plain "this purchase cannot continue" page, with the Erro post back to the shop when there is one. */
export async function cannotContinue(c: C, lang: Lang, o: CannotContinueOptions = {}) {
  const { post, reason } = o;
  const issuer = o.issuer ?? (await issuerSettings(c.get('deps'), null));
  const t = MESSAGES[lang];
  const phone = issuer.helpdesk.phone;
  const props: EndingProps =
    reason === 'unavailable'
      ? { t, heading: t.unavailableHeading, text: t.unavailable, post, auto: false, issuerPhone: phone }
      : { t, heading: t.cannotContinueHeading, text: t.cannotContinue, post, auto: false, issuerPhone: phone };
  return c.html(
    <ChallengeShell lang={lang} t={t} branding={brandingFor(issuer, o.txn, lang)} announce={endingAnnouncement(props)}>
      <Ending {...props} />
    </ChallengeShell>,
    reason === 'unavailable' ? 503 : 400,
  );
}
