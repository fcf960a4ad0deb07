/**
 * The portal's OTP phone (/portal/phone: register, change, replace a provisional number; phone.ts)
 * and the authentication method (/portal/method: from the static password to SMS codes). Signed-in
 * pages only; every POST carries the session's form token (requireMember) and comes from this
 * origin (the portal's middleware). Each step answers with the whole page, which htmx swaps.
 */
import { Hono, type Context } from 'hono';
import { MethodPage } from '../../views/portal/method.tsx';
import { PhonePage, type PhonePageProps } from '../../views/portal/phone.tsx';
import { appendAudit } from '../admin/audit-log.ts';
import type { AppEnv } from '../deps.ts';
import type { SendResult } from '../flow/send.ts';
import { clientIp } from '../http/client-ip.ts';
import { switchToSms } from '../members/store.ts';
import { maskPhone } from '../messaging/phone-mask.ts';
import { BRANDS } from '../protocol/brands.ts';
import { memberActor, pageIssuer, portalMember, redirect, requireMember, safePortalNext, signOutMember, type PortalContext, type PortalEnv } from './http.ts';
import { checkProofCode, codeDestination, completePhoneChange, findAnyPhoneFlow, findPhoneFlow, phoneContext, sendPhoneCode, startPhoneChange, type CodeResult, type PhoneContext } from './phone.ts';

type Status = 200 | 400 | 403 | 429 | 503;
type Answer = Response | Promise<Response>;

/** The person's address for the per-IP SMS window (one rule for the app: http/client-ip.ts). */
const ipOf = (c: PortalContext) => clientIp(c as unknown as Context<AppEnv>);

/** The form's fields as strings (requireMember already read the body; Hono keeps it). */
async function formOf(c: PortalContext): Promise<Record<string, string | undefined>> {
  const body = await c.req.parseBody();
  return Object.fromEntries(Object.entries(body).map(([k, v]) => [k, typeof v === 'string' ? v : undefined]));
}

/** Where to go once the phone is set (a registration's next step), only ever a portal page. */
function nextOf(raw: string | undefined): string | undefined {
  return raw ? safePortalNext(raw) : undefined;
}

const sendStatus = (send: SendResult): Status => (send.outcome === 'sent' || send.outcome === 'closed' ? 200 : send.outcome === 'failed' ? 503 : 429);

async function context(c: PortalContext): Promise<PhoneContext> {
  return phoneContext(c.get('deps'), c.get('member')!, c.get('issuer'));
}

function page(c: PortalContext, ctx: PhoneContext, props: Partial<PhonePageProps>, status: Status = 200): Answer {
  const next = props.next;
  return c.html(
    <PhonePage
      lang={c.get('lang')}
      issuer={pageIssuer(ctx.issuer)}
      path={`/portal/phone${next ? `?next=${encodeURIComponent(next)}` : ''}`}
      member={{ loginId: ctx.member.loginId }}
      csrf={c.get('csrf')}
      situation={ctx.situation}
      current={maskPhone(ctx.member.phone)}
      proof={ctx.proof}
      step={ctx.mode === 'phone_call' ? 'call' : 'start'}
      {...props}
    />,
    status,
  );
}

/** A code step's answer as the page shows it. */
function codeAnswer(c: PortalContext, ctx: PhoneContext, stage: 'proof' | 'verify', flowId: string, to: string, r: CodeResult, next: string | undefined): Answer {
  switch (r.kind) {
    case 'empty':
    case 'format':
      return page(c, ctx, { step: stage, flow: flowId, to, errors: { code: r.kind }, next }, 400);
    case 'wrong':
      return page(c, ctx, { step: stage, flow: flowId, to, errors: { code: 'wrong' }, remaining: r.remaining, next }, 400);
    case 'too_many':
      return page(c, ctx, { step: 'failed', next }, 400);
    case 'closed':
      return page(c, ctx, { step: 'start', send: { outcome: 'closed' }, next }, 400);
    case 'call':
      return page(c, ctx, { step: 'call', next });
    case 'sent':
      return page(c, ctx, { step: 'verify', flow: r.flow.id, to: r.to, send: r.send, next }, sendStatus(r.send));
    case 'done':
      return page(c, ctx, { step: 'done', to: r.to, notice: r.notice, next });
  }
}

export function phoneRoutes(): Hono<PortalEnv> {
  const routes = new Hono<PortalEnv>();
  for (const path of ['/portal/phone', '/portal/phone/*', '/portal/method']) routes.use(path, requireMember());

  routes.get('/portal/phone', async (c) => {
    const ctx = await context(c);
    return page(c, ctx, { step: ctx.mode === 'phone_call' ? 'call' : ctx.member.status === 'locked' ? 'locked' : 'start', next: nextOf(c.req.query('next')) });
  });

  routes.post('/portal/phone', async (c) => {
    const ctx = await context(c);
    const form = await formOf(c);
    const next = nextOf(form.next);
    const r = await startPhoneChange(c.get('deps'), ctx, { phone: form.phone, password: form.password, clientIp: ipOf(c), requestId: c.get('requestId') });
    switch (r.kind) {
      case 'call':
        return page(c, ctx, { step: 'call', next });
      case 'locked':
        // Locked on the challenge's counter: this session ends too (the helpdesk unlocks).
        await signOutMember(c);
        return page(c, ctx, { step: 'locked', member: undefined, csrf: undefined }, 403);
      case 'fields':
        return page(c, ctx, { step: 'start', phoneTyped: form.phone, errors: { phone: r.phone, password: r.password }, remaining: r.remaining, next }, 400);
      case 'sent':
        return page(c, ctx, { step: r.stage, flow: r.flow.id, to: r.to, send: r.send, next }, sendStatus(r.send));
    }
  });

  routes.post('/portal/phone/proof', async (c) => {
    const deps = c.get('deps');
    const ctx = await context(c);
    const form = await formOf(c);
    const flow = await findPhoneFlow(deps, ctx, 'proof', form.flow);
    if (!flow) return redirect(c, '/portal/phone');
    const r = await checkProofCode(deps, ctx, flow, form.code, ipOf(c));
    return codeAnswer(c, ctx, 'proof', flow.id, maskPhone(codeDestination(ctx, 'proof', flow)), r, nextOf(form.next));
  });

  routes.post('/portal/phone/verify', async (c) => {
    const deps = c.get('deps');
    const ctx = await context(c);
    const form = await formOf(c);
    const flow = await findPhoneFlow(deps, ctx, 'verify', form.flow);
    if (!flow) return redirect(c, '/portal/phone');
    const r = await completePhoneChange(deps, ctx, flow, form.code, c.get('requestId'));
    // After the change the page describes the member as they are now.
    const now = r.kind === 'done' ? await phoneContext(deps, (await portalMember(c, ctx.member.id))!, ctx.issuer) : ctx;
    return codeAnswer(c, now, 'verify', flow.id, maskPhone(codeDestination(ctx, 'verify', flow)), r, nextOf(form.next));
  });

  routes.post('/portal/phone/resend', async (c) => {
    const deps = c.get('deps');
    const ctx = await context(c);
    const form = await formOf(c);
    const next = nextOf(form.next);
    const found = await findAnyPhoneFlow(deps, ctx, form.flow);
    if (!found) return redirect(c, '/portal/phone');
    if (ctx.mode === 'phone_call') return page(c, ctx, { step: 'call', next });
    const send = await sendPhoneCode(deps, ctx, found.stage, found.flow, ipOf(c));
    const to = maskPhone(codeDestination(ctx, found.stage, found.flow));
    if (send.outcome === 'closed') return page(c, ctx, { step: 'start', send, next }, 400);
    return page(c, ctx, { step: found.stage, flow: found.flow.id, to, send, next }, sendStatus(send));
  });

  routes.get('/portal/method', async (c) => methodPage(c, await context(c)));

  routes.post('/portal/method', async (c) => {
    const deps = c.get('deps');
    const ctx = await context(c);
    const member = ctx.member;
    if (member.authMethod !== 'password') return methodPage(c, ctx);
    // Only to a phone the challenge can text (the same rule as the ACS's usableMethod).
    const switched = ctx.situation === 'verified' && (await switchToSms(deps.db, deps.clock, member.id));
    if (!switched) return methodPage(c, ctx, { failed: true }, 400);
    await appendAudit(deps.db, {
      at: deps.clock.now(),
      actor: memberActor(member),
      issuerId: ctx.issuer.id,
      action: 'member.method_change',
      target: `member:${member.id}`,
      detail: { before: { authMethod: 'password' }, after: { authMethod: 'sms_otp' }, phone: maskPhone(member.phone) },
      requestId: c.get('requestId'),
    });
    return methodPage(c, await phoneContext(deps, (await portalMember(c, member.id))!, ctx.issuer), { switched: true });
  });

  return routes;
}

function methodPage(c: PortalContext, ctx: PhoneContext, extra: { switched?: boolean; failed?: boolean } = {}, status: Status = 200): Answer {
  return c.html(
    <MethodPage
      lang={c.get('lang')}
      issuer={pageIssuer(ctx.issuer)}
      path="/portal/method"
      member={{ loginId: ctx.member.loginId }}
      csrf={c.get('csrf')}
      method={ctx.member.authMethod}
      phone={ctx.situation === 'verified' ? maskPhone(ctx.member.phone) : ''}
      noStaticPassword={!!ctx.brand && !BRANDS[ctx.brand].staticPassword}
      {...extra}
    />,
    status,
  );
}
