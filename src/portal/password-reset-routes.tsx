/**
 * The member's password reset pages (password-reset.ts): the mailed link's page, its form and the
 * code's resend. Members have no session here: the link's token (in the path) is the credential,
 * and every POST must come from this origin (hono/csrf's Origin / Sec-Fetch-Site check). The pages
 * get the strict headers of every non-challenge page (not frameable) and are never cached.
 */
import { Hono, type Context } from 'hono';
import { csrf } from 'hono/csrf';
import { z } from 'zod';
import { InvalidLinkPage, CallIssuerPage, ResetDonePage, ResetFormPage, type ResetFormProps, type ResetIssuer, type SendNotice } from '../../views/portal/password-reset.tsx';
import type { AppEnv } from '../deps.ts';
import type { SendResult } from '../flow/send.ts';
import { clientIp } from '../http/client-ip.ts';
import { validated } from '../http/validate.ts';
import { issuerSettings, type IssuerSettings } from '../issuers/settings.ts';
import { maskPhone } from '../messaging/phone-mask.ts';
import { completePasswordReset, openReset, RESET_PATH, resetCodeSent, sendResetCode, type OpenReset } from './password-reset.ts';

type C = Context<AppEnv>;

const ResetForm = z.object({
  code: z.string().max(64).optional(),
  password: z.string().max(1024).optional(),
  confirmation: z.string().max(1024).optional(),
});

const pageIssuer = (s: IssuerSettings): ResetIssuer => ({ name: s.name, logo: s.logo, phone: s.helpdesk.phone, hours: s.helpdesk.hours });

function html(c: C, body: Parameters<C['html']>[0], status: 200 | 400 | 404 | 429 = 200) {
  c.header('Cache-Control', 'no-store');
  return c.html(body, status);
}

async function invalid(c: C, tooMany = false) {
  const first = await issuerSettings(c.get('deps'), null);
  return html(c, InvalidLinkPage({ issuer: pageIssuer(first), tooMany }), 404);
}

function sendNotice(result: SendResult): Pick<ResetFormProps, 'send' | 'retryInSeconds'> {
  const send: SendNotice = result.outcome === 'closed' ? 'failed' : result.outcome;
  return { send, retryInSeconds: result.retryInSeconds };
}

async function formProps(c: C, reset: OpenReset, token: string): Promise<ResetFormProps> {
  return {
    issuer: pageIssuer(reset.issuer),
    action: `${RESET_PATH}/${token}`,
    memberId: reset.member.loginId,
    phoneMasked: maskPhone(reset.member.phone),
    codeSent: await resetCodeSent(c.get('deps'), reset),
  };
}

export function passwordResetRoutes(): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  // Only this appliance's own pages may post here (no session, so no form token: the Origin is the check).
  routes.use(`${RESET_PATH}/*`, csrf({ origin: (origin, c) => origin === new URL((c as C).get('deps').config.PUBLIC_URL).origin }));

  routes.get(`${RESET_PATH}/:token`, async (c) => {
    const deps = c.get('deps');
    const token = c.req.param('token');
    const reset = await openReset(deps, token);
    if (!reset) return invalid(c);
    if (!reset.canReceiveCode) return html(c, CallIssuerPage({ issuer: pageIssuer(reset.issuer) }));
    // The first visit sends the code; a reload does not (the resend button does, within its limits),
    // nor does a HEAD (a mail scanner checking the link).
    let failed: Pick<ResetFormProps, 'send'> = {};
    if (reset.flow.sendCount === 0 && c.req.method === 'GET') {
      const sent = await sendResetCode(deps, reset, clientIp(c));
      if (sent.outcome !== 'sent') failed = { send: 'failed' };
    }
    return html(c, ResetFormPage({ ...(await formProps(c, reset, token)), ...failed }));
  });

  routes.post(
    `${RESET_PATH}/:token`,
    validated('form', ResetForm, async (c) => {
      const reset = await openReset(c.get('deps'), c.req.param('token') ?? '');
      if (!reset || !reset.canReceiveCode) return invalid(c);
      return html(c, ResetFormPage({ ...(await formProps(c, reset, c.req.param('token') ?? '')), errors: { code: 'format' } }), 400);
    }),
    async (c) => {
      const deps = c.get('deps');
      const token = c.req.param('token');
      const reset = await openReset(deps, token);
      if (!reset) return invalid(c);
      if (!reset.canReceiveCode) return html(c, CallIssuerPage({ issuer: pageIssuer(reset.issuer) }));
      const form = c.req.valid('form');
      const result = await completePasswordReset(deps, reset, { ...form, requestId: c.get('requestId') });
      switch (result.kind) {
        case 'done':
          return html(c, ResetDonePage({ issuer: pageIssuer(reset.issuer) }));
        case 'closed':
          return invalid(c);
        case 'too_many':
          return invalid(c, true);
        case 'wrong_code':
          return html(c, ResetFormPage({ ...(await formProps(c, reset, token)), errors: { code: 'wrong' }, remaining: result.remaining }), 400);
        case 'fields':
          return html(c, ResetFormPage({ ...(await formProps(c, reset, token)), errors: result }), 400);
      }
    },
  );

  routes.post(`${RESET_PATH}/:token/resend`, async (c) => {
    const deps = c.get('deps');
    const token = c.req.param('token');
    const reset = await openReset(deps, token);
    if (!reset) return invalid(c);
    if (!reset.canReceiveCode) return html(c, CallIssuerPage({ issuer: pageIssuer(reset.issuer) }));
    const sent = await sendResetCode(deps, reset, clientIp(c));
    const status = sent.outcome === 'cooldown' || sent.outcome === 'limit' ? 429 : 200;
    return html(c, ResetFormPage({ ...(await formProps(c, reset, token)), ...sendNotice(sent) }), status);
  });

  return routes;
}
