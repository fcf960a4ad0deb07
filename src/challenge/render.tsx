/**
 * How the challenge pages are rendered from a loaded flow: the form, the ending, and the plain
 * "cannot continue" page. Routes decide what happened; this module decides what the cardholder sees.
 */
import type { Context } from 'hono';
import { ChallengeForm, ChallengeShell, Ending, PurchaseSummary, type Branding } from '../../views/challenge/page.tsx';
import type { Transaction } from '../acs/transactions.ts';
import type { AppDeps, AppEnv } from '../deps.ts';
import type { ChallengeContext } from './context.ts';
import { finalPost, type FinalPost } from './finish.ts';
import { formatAmount, formatPurchaseDate, maskPhone } from './format.ts';
import { MESSAGES, type Lang } from './messages.ts';
import { signState } from './state-token.ts';

type C = Context<AppEnv>;

export function brandingFor(deps: AppDeps, txn: Transaction): Branding {
  const { config } = deps;
  const marks = { jcb: config.BRAND_MARK_JCB, visa: config.BRAND_MARK_VISA, mastercard: config.BRAND_MARK_MASTERCARD };
  return { issuerName: config.ISSUER_NAME, issuerLogo: config.ISSUER_LOGO, brand: txn.brand, brandMark: marks[txn.brand] };
}

function purchaseOf(ctx: ChallengeContext) {
  return {
    merchant: ctx.txn.merchantName ?? '',
    amount: formatAmount(ctx.txn.purchaseAmount, ctx.txn.purchaseCurrency, ctx.txn.purchaseExponent, ctx.lang),
    date: formatPurchaseDate(ctx.areq.purchaseDate as string | undefined, ctx.lang),
    last4: ctx.txn.panLast4,
  };
}

export async function renderForm(
  c: C,
  ctx: ChallengeContext,
  o: { error?: string; notice?: string; remaining?: number; memberId?: string; status?: 200 | 400 | 429 | 503 },
) {
  const deps = c.get('deps');
  const t = MESSAGES[ctx.lang];
  const state = await signState(deps.keys.session, { acsTransID: ctx.txn.acsTransID, lang: ctx.lang, threeDSSessionData: ctx.threeDSSessionData });
  const method = ctx.challenge?.method === 'password' ? 'password' : 'sms_otp';
  // A wrong entry is a normal page for the cardholder; the status code tells tests and logs.
  return c.html(
    <ChallengeShell lang={ctx.lang} t={t} branding={brandingFor(deps, ctx.txn)} windowSize={ctx.challenge?.challengeWindowSize ?? undefined}>
      <PurchaseSummary t={t} purchase={purchaseOf(ctx)} />
      <ChallengeForm
        t={t}
        method={method}
        state={state}
        personalMessage={ctx.member?.personalMessage}
        memberId={o.memberId}
        phoneMasked={maskPhone(ctx.member?.phone ?? null)}
        error={o.error}
        notice={o.notice}
        remaining={o.remaining}
        issuerPhone={deps.config.ISSUER_PHONE}
      />
    </ChallengeShell>,
    o.status ?? 200,
  );
}

/** The page for a transaction that has ended, whoever ended it. */
export async function renderEnded(c: C, ctx: ChallengeContext) {
  const deps = c.get('deps');
  const t = MESSAGES[ctx.lang];
  const txn = ctx.txn;
  const post = finalPost(txn, ctx.threeDSSessionData);
  const phone = deps.config.ISSUER_PHONE;
  let ending: { heading: string; text?: string; auto: boolean };
  if (txn.finalTransStatus === 'Y') ending = { heading: t.successHeading, auto: true };
  else if (txn.state === 'cancelled' || txn.challengeCancel === '01') ending = { heading: t.cancelledHeading, auto: true };
  else if (txn.finalTransStatusReason === '19') ending = { heading: t.lockedHeading, text: t.locked(phone), auto: false };
  else if (txn.finalTransStatusReason === '13' && txn.challengeMethod === 'guidance_phone') ending = { heading: t.phoneHeading, text: t.phone(phone), auto: false };
  else if (txn.finalTransStatusReason === '13') ending = { heading: t.registerHeading, text: t.register, auto: false };
  else if (txn.finalTransStatusReason === '14') ending = { heading: t.expiredHeading, text: t.expired, auto: false };
  else return cannotContinue(c, ctx.lang, undefined, brandingFor(deps, txn));
  return c.html(
    <ChallengeShell lang={ctx.lang} t={t} branding={brandingFor(deps, txn)} windowSize={ctx.challenge?.challengeWindowSize ?? undefined}>
      <PurchaseSummary t={t} purchase={purchaseOf(ctx)} />
      <Ending t={t} heading={ending.heading} text={ending.text} post={post} auto={ending.auto} issuerPhone={ending.auto ? undefined : phone} />
    </ChallengeShell>,
  );
}

/** The plain "this purchase cannot continue" page, with the Erro post back to the shop when there is one. */
export async function cannotContinue(c: C, lang: Lang, post?: FinalPost, branding?: Branding) {
  const deps = c.get('deps');
  const t = MESSAGES[lang];
  const brand = branding ?? { issuerName: deps.config.ISSUER_NAME, issuerLogo: deps.config.ISSUER_LOGO, brand: 'jcb' as const };
  return c.html(
    <ChallengeShell lang={lang} t={t} branding={{ ...brand, brandMark: branding?.brandMark }}>
      <Ending t={t} heading={t.cannotContinueHeading} text={t.cannotContinue} post={post} auto={false} issuerPhone={deps.config.ISSUER_PHONE} />
    </ChallengeShell>,
    400,
  );
}

