/**
 * The portal's registration pages (registration.ts): /portal/register (the card), …/account (member
 * ID, password, mail address), …/email (the mailed code), …/done, and the cancel. Every step
 * names its flow in the URL (?flow=) and must come from the browser that started it (the
 * registration cookie); every POST is Origin-checked by the portal's plumbing (http.ts).
 * Registration, re-registration, the 本登録 of a provisional member, a second card and a reissued
 * card all go through these pages.
 */
import { Hono, type Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import {
  AccountStepPage,
  CardStepPage,
  ClosedPage,
  DonePage,
  EmailStepPage,
  LockedPage,
  LoginIdStatus,
  type AccountStepProps,
  type SendNotice,
} from '../../views/portal/registration.tsx';
import type { AppEnv } from '../deps.ts';
import { clientIp } from '../http/client-ip.ts';
import { issuerSettings } from '../issuers/settings.ts';
import { pageIssuer, redirect, signInMember, type PortalContext, type PortalEnv } from './http.ts';
import {
  browserTokenValid,
  cancelRegistration,
  chooseAccount,
  confirmCode,
  findRegistration,
  loginIdFromTyped,
  loginIdProblem,
  newBrowserToken,
  registeredMember,
  registrationIssuer,
  REGISTRATION_COOKIE,
  sendRegistrationCode,
  startRegistration,
  verifyCard,
  type OpenRegistration,
  type SendOutcome,
} from './registration.ts';

const BASE = '/portal/register';

/** This browser's registration token: the cookie's, or a fresh one (set now, for the browser's session). */
function browserToken(c: PortalContext): string {
  const held = getCookie(c, REGISTRATION_COOKIE);
  if (browserTokenValid(held)) return held;
  const token = newBrowserToken();
  setCookie(c, REGISTRATION_COOKIE, token, { path: '/', secure: true, httpOnly: true, sameSite: 'Lax' });
  return token;
}

/**
 * What every page of the registration shows: the card's issuer once the card is known, and for the
 * language switch the step's own page (a GET of it shows the same step, whichever POST answered).
 */
async function common(c: PortalContext, reg?: OpenRegistration) {
  const issuer = reg ? await registrationIssuer(c.get('deps'), reg, c.get('issuer')) : c.get('issuer');
  const member = c.get('member');
  const path = reg ? stepPath(reg) : BASE;
  return { lang: c.get('lang'), issuer: pageIssuer(issuer), path, member: member && { loginId: member.loginId }, csrf: c.get('csrf') };
}

/** Where a flow in this state goes on. */
function stepPath(reg: OpenRegistration): string {
  const step = { started: '', card_verified: '/account', email_sent: '/email', completed: '/done' }[reg.flow.state as string] ?? '';
  return `${BASE}${step}?flow=${reg.flow.id}`;
}

async function form(c: PortalContext): Promise<Record<string, string>> {
  const body = (c.req.header('content-type') ?? '').includes('form') ? await c.req.parseBody() : {};
  // Only short text fields: anything else (a file, an overlong value) is as if not sent.
  return Object.fromEntries(Object.entries(body).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1].length <= 1024));
}

function sendNotice(send: SendOutcome): { send: SendNotice; retryInSeconds?: number } {
  if (send.outcome === 'cooldown') return { send: 'cooldown', retryInSeconds: send.retryInSeconds };
  return { send: send.outcome === 'closed' ? 'failed' : send.outcome };
}

export function registrationRoutes(): Hono<PortalEnv> {
  const routes = new Hono<PortalEnv>();

  /** The same page for an unknown, foreign, expired or ended flow (and once, for too many wrong codes). */
  const closed = async (c: PortalContext, tooMany = false) => c.html(ClosedPage({ ...(await common(c)), tooMany }), 404);

  /** This browser's open registration named by ?flow=, in one of `states`. */
  const open = async (c: PortalContext, states: string[]): Promise<OpenRegistration | Response> => {
    const reg = await findRegistration(c.get('deps'), c.req.query('flow'), getCookie(c, REGISTRATION_COOKIE));
    if (!reg) return closed(c);
    if (!states.includes(reg.flow.state)) return redirect(c, stepPath(reg));
    return reg;
  };

  // ─── Step 1: the card ─────────────────────────────────────────────────────────

  routes.get(BASE, async (c) => {
    const deps = c.get('deps');
    const token = browserToken(c);
    const flowId = c.req.query('flow');
    if (flowId) {
      const reg = await findRegistration(deps, flowId, token);
      if (!reg) return closed(c);
      if (reg.flow.state !== 'started') return redirect(c, stepPath(reg));
      return c.html(CardStepPage({ ...(await common(c, reg)), flowId: reg.flow.id, proof: c.get('issuer').policies.registrationProof }));
    }
    // A new registration (Kratos's browser flow): the flow first, then its page at its own URL.
    const flow = await startRegistration(deps, token);
    const issuer = c.req.query('issuer') && !c.get('hostClaimed') ? `&issuer=${encodeURIComponent(c.get('issuer').code)}` : '';
    return c.redirect(`${BASE}?flow=${flow.id}${issuer}`, 303);
  });

  routes.post(BASE, async (c) => {
    const reg = await open(c, ['started']);
    if (reg instanceof Response) return reg;
    const input = await form(c);
    const pageProof = c.get('issuer').policies.registrationProof;
    const result = await verifyCard(c.get('deps'), reg, input, { pageIssuer: c.get('issuer'), hostClaimed: c.get('hostClaimed'), clientIp: clientIp(c as unknown as Context<AppEnv>) });
    const page = async (extra: Partial<Parameters<typeof CardStepPage>[0]>) => ({ ...(await common(c, reg)), flowId: reg.flow.id, proof: pageProof, ...extra });
    switch (result.kind) {
      case 'verified':
        return redirect(c, `${BASE}/account?flow=${reg.flow.id}`);
      case 'fields':
        return c.html(CardStepPage(await page({ errors: result.errors, values: { pan: input.pan, expiry: input.expiry } })), 400);
      case 'unconfirmed':
        return c.html(CardStepPage(await page({ unconfirmed: { paused: result.paused } })), 400);
      case 'locked':
        return c.html(LockedPage(await common(c, reg)), 403);
      case 'closed':
        return closed(c);
    }
  });

  // ─── Step 2: member ID, password, address ─────────────────────────────────────

  const accountPage = async (c: PortalContext, reg: OpenRegistration, extra: Partial<AccountStepProps> = {}) => {
    const card = reg.data.card!;
    return AccountStepPage({
      ...(await common(c, reg)),
      // Also shown while the code is out (to change the address): the switch stays on this step.
      path: `${BASE}/account?flow=${reg.flow.id}`,
      flowId: reg.flow.id,
      card: { brand: card.brand, last4: card.last4, kind: card.kind, previousLoginId: card.previousLoginId, reissued: card.reissued },
      values: { loginId: reg.data.account?.loginId, email: reg.data.account?.email },
      ...extra,
    });
  };

  routes.get(`${BASE}/account`, async (c) => {
    const reg = await open(c, ['card_verified', 'email_sent']);
    if (reg instanceof Response) return reg;
    return c.html(await accountPage(c, reg));
  });

  routes.post(`${BASE}/account`, async (c) => {
    const reg = await open(c, ['card_verified', 'email_sent']);
    if (reg instanceof Response) return reg;
    const input = await form(c);
    const result = await chooseAccount(c.get('deps'), reg, input);
    if (result.kind === 'closed') return closed(c);
    if (result.kind === 'fields') return c.html(await accountPage(c, reg, { errors: result.errors, values: { loginId: input.loginId, email: input.email } }), 400);
    const notice = sendNotice(result.send);
    return redirect(c, `${BASE}/email?flow=${reg.flow.id}&send=${notice.send}${notice.retryInSeconds !== undefined ? `&retry=${notice.retryInSeconds}` : ''}`);
  });

  // The availability check on leaving the field (htmx): "taken", or nothing about anyone else.
  routes.post(`${BASE}/account/check`, async (c) => {
    const reg = await findRegistration(c.get('deps'), c.req.query('flow'), getCookie(c, REGISTRATION_COOKIE));
    if (!reg || !reg.data.card) return c.html(<LoginIdStatus lang={c.get('lang')} />, 404);
    const loginId = loginIdFromTyped((await form(c)).loginId);
    if (!loginId) return c.html(<LoginIdStatus lang={c.get('lang')} />);
    const problem = await loginIdProblem(c.get('deps'), reg, loginId);
    return c.html(<LoginIdStatus lang={c.get('lang')} problem={problem} free={!problem} />);
  });

  // ─── Step 3: the mailed code ──────────────────────────────────────────────────

  const emailPage = async (c: PortalContext, reg: OpenRegistration, extra: Partial<Parameters<typeof EmailStepPage>[0]> = {}) =>
    EmailStepPage({ ...(await common(c, reg)), flowId: reg.flow.id, email: reg.data.account!.email, ...extra });

  routes.get(`${BASE}/email`, async (c) => {
    const reg = await open(c, ['email_sent']);
    if (reg instanceof Response) return reg;
    const send = c.req.query('send') as SendNotice | undefined;
    const known: SendNotice[] = ['sent', 'kept', 'cooldown', 'limit', 'failed'];
    const retry = Number(c.req.query('retry'));
    return c.html(await emailPage(c, reg, { send: send && known.includes(send) ? send : undefined, retryInSeconds: Number.isFinite(retry) ? retry : undefined }));
  });

  routes.post(`${BASE}/email`, async (c) => {
    const reg = await open(c, ['email_sent']);
    if (reg instanceof Response) return reg;
    const deps = c.get('deps');
    const result = await confirmCode(deps, reg, { code: (await form(c)).code, requestId: c.get('requestId') });
    switch (result.kind) {
      case 'done': {
        const card = reg.data.card!;
        await signInMember(c, { id: result.memberId, loginId: reg.data.account!.loginId, issuerId: card.issuerId }, 'registration');
        return redirect(c, `${BASE}/done?flow=${reg.flow.id}`);
      }
      case 'fields':
        return c.html(await emailPage(c, reg, { error: result.code }), 400);
      case 'wrong':
        return c.html(await emailPage(c, reg, { error: 'wrong', remaining: result.remaining }), 400);
      case 'not_sent':
        return c.html(await emailPage(c, reg, { send: 'not_sent' }), 400);
      case 'taken':
        return c.html(await accountPage(c, reg, { errors: { loginId: 'taken' } }), 409);
      case 'too_many':
        return closed(c, true);
      case 'closed':
        return closed(c);
    }
  });

  routes.post(`${BASE}/email/resend`, async (c) => {
    const reg = await open(c, ['email_sent']);
    if (reg instanceof Response) return reg;
    const notice = sendNotice(await sendRegistrationCode(c.get('deps'), reg));
    const status = notice.send === 'cooldown' || notice.send === 'limit' ? 429 : 200;
    return c.html(await emailPage(c, reg, notice), status);
  });

  // ─── Done, and cancel ─────────────────────────────────────────────────────────

  routes.get(`${BASE}/done`, async (c) => {
    const deps = c.get('deps');
    const reg = await findRegistration(deps, c.req.query('flow'), getCookie(c, REGISTRATION_COOKIE), false);
    const member = reg && (await registeredMember(deps, reg));
    if (!reg || !member) return closed(c);
    const card = reg.data.card!;
    const issuer = await issuerSettings(deps, card.issuerId);
    return c.html(
      DonePage({
        ...(await common(c, reg)),
        loginId: member.loginId,
        kind: card.kind,
        previousLoginId: card.previousLoginId,
        reissue: card.reissued && card.kind !== 'new' ? issuer.policies.reissue : undefined,
      }),
    );
  });

  routes.post(`${BASE}/cancel`, async (c) => {
    const reg = await findRegistration(c.get('deps'), c.req.query('flow'), getCookie(c, REGISTRATION_COOKIE));
    if (reg) await cancelRegistration(c.get('deps'), reg);
    return redirect(c, '/portal');
  });

  return routes;
}
