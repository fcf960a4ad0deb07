/**
 * The portal's sign-in, sign-out, the home page, terms, forgot ID, forgot password (H: portal-account).
 *
 * Answers: a failed sign-in is 400 with the one failure page, 429 with the same page when the
 * address is over its limit (sign-in.ts); forgot ID / password answer 200 with the same words
 * whatever was found, 429 over a limit, 400 for a field left empty or malformed (nothing counted).
 */
import { Hono, type Context } from 'hono';
import { desc, eq } from 'drizzle-orm';
import { HomePage, type HomeView } from '../../views/portal/home.tsx';
import { ForgotIdPage, ForgotPasswordPage, type ForgotIdProps } from '../../views/portal/recovery.tsx';
import { SignInPage, type SignInNotice } from '../../views/portal/sign-in.tsx';
import { TermsPage } from '../../views/portal/terms.tsx';
import { appendAudit } from '../admin/audit-log.ts';
import { localTime } from '../clock.ts';
import { cardholders, cards } from '../db/schema.ts';
import type { AppEnv } from '../deps.ts';
import { normaliseEntry } from '../flow/entry.ts';
import { clientIp } from '../http/client-ip.ts';
import { acceptTerms } from '../members/store.ts';
import { maskPhone } from '../messaging/phone-mask.ts';
import { maskMail } from '../messaging/send-mail.ts';
import { memberActor, pageIssuer, redirect, requireMember, safePortalNext, signInMember, signOutMember, type PortalContext, type PortalEnv, type PortalMember } from './http.ts';
import { forgotId, forgotPassword, readForgotId } from './recovery.ts';
import { passwordSignIn } from './sign-in.ts';

/** A form field as a string of at most `max` characters ('' when missing or a file). */
function field(form: Record<string, unknown>, name: string, max: number): string {
  const v = form[name];
  return typeof v === 'string' ? v.slice(0, max) : '';
}

async function formOf(c: PortalContext): Promise<Record<string, unknown>> {
  return (c.req.header('content-type') ?? '').match(/form/) ? ((await c.req.parseBody()) as Record<string, unknown>) : {};
}

/** This page's path and query, for the language switch. */
const here = (c: PortalContext) => {
  const url = new URL(c.req.url);
  return url.pathname + url.search;
};

function where(c: PortalContext) {
  return { issuer: c.get('issuer'), hostClaimed: c.get('hostClaimed'), ip: clientIp(c as unknown as Context<AppEnv>), requestId: c.get('requestId') };
}

function signInPage(c: PortalContext, o: { next?: string; memberId?: string; errors?: { memberId?: boolean; password?: boolean }; failed?: boolean; notice?: SignInNotice }, status: 200 | 400 | 429 = 200) {
  return c.html(SignInPage({ lang: c.get('lang'), issuer: pageIssuer(c.get('issuer')), path: here(c), ...o }), status);
}

export function accountRoutes(): Hono<PortalEnv> {
  const routes = new Hono<PortalEnv>();

  // Home: the member's registration when signed in, else the sign-in page.
  routes.get('/portal', async (c) => {
    const member = c.get('member');
    if (!member) return signInPage(c, {});
    if (member.termsAcceptedAt === null) return redirect(c, '/portal/terms');
    return c.html(HomePage({ lang: c.get('lang'), issuer: pageIssuer(c.get('issuer')), path: here(c), member, csrf: c.get('csrf'), view: await homeView(c, member) }));
  });

  routes.get('/portal/sign-in', (c) => {
    const next = safePortalNext(c.req.query('next'));
    if (c.get('member')) return redirect(c, next);
    const notice: SignInNotice | undefined = c.req.query('signed_out') ? 'signed_out' : c.req.query('expired') ? 'expired' : undefined;
    return signInPage(c, { next, notice });
  });

  routes.post('/portal/sign-in', async (c) => {
    const form = await formOf(c);
    const typedId = field(form, 'memberId', 256);
    const password = field(form, 'password', 1024);
    const next = safePortalNext(field(form, 'next', 512) || undefined);
    // Nothing to check: said beside the field, not an attempt.
    if (!normaliseEntry(typedId) || !password) {
      return signInPage(c, { next, memberId: typedId, errors: { memberId: !normaliseEntry(typedId), password: !password } }, 400);
    }
    const result = await passwordSignIn(c.get('deps'), { typedId, password, ...where(c) });
    if (!result.ok) return signInPage(c, { next, memberId: typedId, failed: true }, result.reason === 'throttled' ? 429 : 400);
    await signInMember(c, result.member, 'password');
    // JCB's rule: the first sign-in completes enrolment with the terms.
    if (result.member.termsAcceptedAt === null) return redirect(c, `/portal/terms${next === '/portal' ? '' : `?next=${encodeURIComponent(next)}`}`);
    return redirect(c, next);
  });

  routes.post('/portal/sign-out', requireMember({ terms: false }), async (c) => {
    await signOutMember(c);
    return redirect(c, '/portal/sign-in?signed_out=1');
  });

  routes.get('/portal/terms', requireMember({ terms: false }), (c) => {
    const member = c.get('member')!;
    const acceptedAt = member.termsAcceptedAt === null ? undefined : localTime(member.termsAcceptedAt, c.get('issuer').timeZone).slice(0, 16);
    const next = safePortalNext(c.req.query('next'));
    return c.html(TermsPage({ lang: c.get('lang'), issuer: pageIssuer(c.get('issuer')), path: here(c), member, csrf: c.get('csrf'), acceptedAt, next: next === '/portal' ? undefined : next }));
  });

  routes.post('/portal/terms', requireMember({ terms: false }), async (c) => {
    const deps = c.get('deps');
    const member = c.get('member')!;
    const next = safePortalNext(field(await formOf(c), 'next', 512) || undefined);
    if (member.termsAcceptedAt === null && (await acceptTerms(deps.db, deps.clock, member.id))) {
      await appendAudit(deps.db, {
        at: deps.clock.now(),
        actor: memberActor(member),
        issuerId: member.issuerId,
        action: 'member.terms_accept',
        target: `member:${member.id}`,
        detail: {},
        requestId: c.get('requestId'),
      });
    }
    return redirect(c, next);
  });

  routes.get('/portal/forgot-id', (c) => c.html(ForgotIdPage({ lang: c.get('lang'), issuer: pageIssuer(c.get('issuer')), path: here(c), proof: c.get('issuer').policies.registrationProof })));

  routes.post('/portal/forgot-id', async (c) => {
    const form = await formOf(c);
    const typed = { pan: field(form, 'pan', 64), expiry: field(form, 'expiry', 16), proof: field(form, 'proof', 64), pin: field(form, 'pin', 64) };
    const proof = c.get('issuer').policies.registrationProof;
    const page = (o: Partial<ForgotIdProps>, status: 200 | 400 | 429) =>
      c.html(ForgotIdPage({ lang: c.get('lang'), issuer: pageIssuer(c.get('issuer')), path: here(c), proof, ...o }), status);
    const read = readForgotId(typed, proof);
    // The card number is never echoed back into the page.
    if (!read.ok) return page({ errors: read.errors, values: { expiry: typed.expiry, proof: typed.proof } }, 400);
    const result = await forgotId(c.get('deps'), where(c), read);
    return result.kind === 'throttled' ? page({ throttled: true }, 429) : page({ done: true }, 200);
  });

  routes.get('/portal/forgot-password', (c) => c.html(ForgotPasswordPage({ lang: c.get('lang'), issuer: pageIssuer(c.get('issuer')), path: here(c) })));

  routes.post('/portal/forgot-password', async (c) => {
    const typedId = field(await formOf(c), 'memberId', 256);
    const base = { lang: c.get('lang'), issuer: pageIssuer(c.get('issuer')), path: here(c) };
    if (!normaliseEntry(typedId)) return c.html(ForgotPasswordPage({ ...base, error: 'empty' }), 400);
    const result = await forgotPassword(c.get('deps'), where(c), typedId);
    return result.kind === 'throttled' ? c.html(ForgotPasswordPage({ ...base, throttled: true }), 429) : c.html(ForgotPasswordPage({ ...base, done: true }));
  });

  return routes;
}

/** What the home page shows of the member's card and registration. */
async function homeView(c: PortalContext, member: PortalMember): Promise<HomeView> {
  const deps = c.get('deps');
  const issuer = c.get('issuer');
  const accountCards = await deps.db
    .select({ brand: cards.brand, last4: cards.panLast4, status: cards.status })
    .from(cards)
    .where(eq(cards.accountId, member.cardAccountId))
    .orderBy(desc(cards.id));
  const current = accountCards.find((k) => k.status !== 'replaced');
  const reissued = !!current && accountCards.some((k) => k.status === 'replaced');
  const holder = await deps.db.select({ optOut: cardholders.dataSharingOptOut }).from(cardholders).where(eq(cardholders.id, member.cardholderId)).get();
  let reissue: HomeView['reissue'];
  if (reissued && issuer.policies.reissue === 'reregister_phone' && member.phoneStatus === 'none') reissue = { kind: 'reregister_phone', last4: current!.last4 };
  else if (reissued && issuer.policies.reissue === 'continue') reissue = { kind: 'continued', last4: current!.last4 };
  return {
    card: current && { brand: current.brand, last4: current.last4 },
    status: member.status,
    authMethod: member.authMethod,
    phone: { masked: maskPhone(member.phone), status: member.phoneStatus },
    provisionalPhone: issuer.policies.provisionalPhone,
    personalMessage: member.personalMessage,
    personalMessageProvisional: member.personalMessageProvisional,
    email: member.email ? { masked: maskMail(member.email), verified: member.emailVerifiedAt !== null } : null,
    dataSharingOptOut: holder?.optOut ?? false,
    reissue,
  };
}
