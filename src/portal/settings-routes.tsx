/**
 * The portal's personal message, password, e-mail, data sharing and change-report pages
 * (settings.ts, settings-email.ts, change-report.ts). Every page but the report link's needs a
 * signed-in member who accepted the terms; every POST carries the session's form token (checked by
 * requireMember) and comes from this origin (the portal's middleware). Answers that check a
 * password take the same time whatever happened (flow/pace.ts).
 */
import { and, eq, gte } from 'drizzle-orm';
import { Hono } from 'hono';
import { setCookie } from 'hono/cookie';
import { ChangeReportDonePage, ChangeReportInvalidPage, ChangeReportPage } from '../../views/portal/change-report.tsx';
import { DataSharingPage, EmailPage, LockedPage, MessagePage, PasswordPage, type EmailPageProps, type SettingsBase } from '../../views/portal/settings.tsx';
import { csrfTokenFor, endAllSessions, openSession } from '../admin/sessions.ts';
import { localTime } from '../clock.ts';
import { memberReports } from '../db/schema.ts';
import { ANSWER_FLOOR_MS, atLeast } from '../flow/pace.ts';
import { issuerSettings } from '../issuers/settings.ts';
import { CHANGE_REPORT_PATH, readChangeReport } from './change-report.ts';
import { MEMBER_COOKIE, pageIssuer, portalMember, requireMember, type PortalContext, type PortalEnv, type PortalMember } from './http.ts';
import { fileReport } from './reports.ts';
import { changeDataSharing, changeMemberPassword, changePersonalMessage, dataSharingOf, maskMail } from './settings.ts';
import { cancelOpen, confirmEmailChange, openEmailChange, resendWaitSeconds, sendEmailCode, startEmailChange } from './settings-email.ts';

type C = PortalContext;

function base(c: C): SettingsBase {
  return { lang: c.get('lang'), issuer: pageIssuer(c.get('issuer')), path: c.req.path, member: { loginId: c.get('member')!.loginId }, csrf: c.get('csrf') };
}

async function form(c: C): Promise<Record<string, string>> {
  const body = await c.req.parseBody();
  return Object.fromEntries(Object.entries(body).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

/** After the wrong password that locked the member: their sessions have ended, the cookie goes too. */
function locked(c: C) {
  setCookie(c, MEMBER_COOKIE, '', { path: '/', secure: true, httpOnly: true, sameSite: 'Lax', maxAge: 0 });
  return c.html(LockedPage({ lang: c.get('lang'), issuer: pageIssuer(c.get('issuer')), path: c.req.path }), 403);
}

/**
 * Ends every session of the member and opens a new one for this browser: the others are signed
 * out (a password change), and this one's token changes too (so does its form token).
 */
async function rotateSession(c: C, member: PortalMember): Promise<void> {
  const deps = c.get('deps');
  await endAllSessions(deps.db, member.id, 'member');
  const { token, session } = await openSession(deps.db, 'member', member.id, deps.clock.now());
  setCookie(c, MEMBER_COOKIE, token, { path: '/', secure: true, httpOnly: true, sameSite: 'Lax' });
  c.set('session', session);
  c.set('csrf', await csrfTokenFor(deps.keys.session, session, 'member'));
}

export function settingsRoutes(): Hono<PortalEnv> {
  const routes = new Hono<PortalEnv>();
  const signedIn = requireMember();

  // ─── The personal message ─────────────────────────────────────────────────
  const messagePage = (c: C, extra: Partial<Parameters<typeof MessagePage>[0]> = {}, status: 200 | 400 = 200) => {
    const member = c.get('member')!;
    return c.html(MessagePage({ ...base(c), message: member.personalMessage, provisional: member.personalMessageProvisional, ...extra }), status);
  };
  routes.get('/portal/message', signedIn, (c) => messagePage(c));
  routes.post('/portal/message', signedIn, async (c) => {
    const deps = c.get('deps');
    const member = c.get('member')!;
    const { message } = await form(c);
    const result = await changePersonalMessage(deps, member, c.get('issuer'), message, c.get('requestId'));
    if (result.kind === 'problem') return messagePage(c, { typed: message, error: result.problem }, 400);
    const saved = (await portalMember(c, member.id))!;
    c.set('member', saved);
    return messagePage(c, { saved: true });
  });

  // ─── The password ─────────────────────────────────────────────────────────
  routes.get('/portal/password', signedIn, (c) => c.html(PasswordPage(base(c))));
  routes.post('/portal/password', signedIn, async (c) => {
    const deps = c.get('deps');
    const member = c.get('member')!;
    const body = await form(c);
    return atLeast(ANSWER_FLOOR_MS, async () => {
      const result = await changeMemberPassword(deps, member, c.get('issuer'), { ...body, requestId: c.get('requestId') });
      switch (result.kind) {
        case 'done':
          await rotateSession(c, member);
          return c.html(PasswordPage({ ...base(c), done: true }));
        case 'locked':
          return locked(c);
        case 'wrong':
          return c.html(PasswordPage({ ...base(c), errors: { current: 'wrong' }, remaining: result.remaining }), 400);
        case 'fields':
          return c.html(PasswordPage({ ...base(c), errors: result }), 400);
      }
    });
  });

  // ─── The e-mail address ───────────────────────────────────────────────────
  const emailPage = async (c: C, extra: Partial<EmailPageProps> = {}, status: 200 | 400 | 429 | 503 = 200) => {
    const member = c.get('member')!;
    const open = extra.done ? undefined : await openEmailChange(c.get('deps'), member.id);
    const currentAddress = extra.done ?? member.email;
    return c.html(EmailPage({ ...base(c), currentAddress, pending: open ? { to: maskMail(open.email) } : undefined, ...extra }), status);
  };
  routes.get('/portal/email', signedIn, (c) => emailPage(c));
  routes.post('/portal/email', signedIn, async (c) => {
    const deps = c.get('deps');
    const member = c.get('member')!;
    const body = await form(c);
    return atLeast(ANSWER_FLOOR_MS, async () => {
      const result = await startEmailChange(deps, member, c.get('issuer'), { current: body.current, email: body.email, requestId: c.get('requestId') });
      switch (result.kind) {
        case 'sent':
          return emailPage(c);
        case 'locked':
          return locked(c);
        case 'wrong':
          return emailPage(c, { typed: body.email, errors: { current: 'wrong' }, remaining: result.remaining }, 400);
        case 'fields':
          return emailPage(c, { typed: body.email, errors: { current: result.current, email: result.email } }, 400);
        case 'too_many':
          return emailPage(c, { typed: body.email, notice: 'too_many_starts' }, 429);
        case 'send_failed':
          return emailPage(c, { typed: body.email, notice: 'send_failed' }, 503);
      }
    });
  });
  routes.post('/portal/email/confirm', signedIn, async (c) => {
    const deps = c.get('deps');
    const member = c.get('member')!;
    const body = await form(c);
    const open = await openEmailChange(deps, member.id);
    if (!open) return emailPage(c, { notice: 'closed' }, 400);
    const result = await confirmEmailChange(deps, member, c.get('issuer'), open, { code: body.code, requestId: c.get('requestId') });
    switch (result.kind) {
      case 'done':
        return emailPage(c, { done: result.email });
      case 'fields':
        return emailPage(c, { errors: { code: result.code } }, 400);
      case 'wrong':
        return emailPage(c, { errors: { code: 'wrong' }, remaining: result.remaining }, 400);
      case 'too_many':
        return emailPage(c, { notice: 'code_too_many' }, 400);
      case 'closed':
        return emailPage(c, { notice: 'closed' }, 400);
    }
  });
  routes.post('/portal/email/resend', signedIn, async (c) => {
    const deps = c.get('deps');
    const member = c.get('member')!;
    const open = await openEmailChange(deps, member.id);
    if (!open) return emailPage(c, { notice: 'closed' }, 400);
    const outcome = await sendEmailCode(deps, member, c.get('issuer'), open.flow, open.email);
    switch (outcome) {
      case 'sent':
        return emailPage(c, { notice: 'resent' });
      case 'cooldown':
        return emailPage(c, { notice: 'cooldown', retryInSeconds: resendWaitSeconds(c.get('issuer'), open.flow, deps.clock.now()) }, 429);
      case 'limit':
        return emailPage(c, { notice: 'limit' }, 429);
      case 'closed':
        return emailPage(c, { notice: 'closed' }, 400);
      default:
        return emailPage(c, { notice: 'send_failed' }, 503);
    }
  });
  routes.post('/portal/email/cancel', signedIn, async (c) => {
    await cancelOpen(c.get('deps'), c.get('member')!.id);
    return emailPage(c, { notice: 'cancelled' });
  });

  // ─── Data sharing ─────────────────────────────────────────────────────────
  routes.get('/portal/data-sharing', signedIn, async (c) => {
    const { optOut } = await dataSharingOf(c.get('deps'), c.get('member')!.cardholderId);
    return c.html(DataSharingPage({ ...base(c), optOut }));
  });
  routes.post('/portal/data-sharing', signedIn, async (c) => {
    const deps = c.get('deps');
    const member = c.get('member')!;
    const { optOut } = await form(c);
    if (optOut !== 'on' && optOut !== 'off') return c.text('Bad Request', 400);
    const changed = await changeDataSharing(deps, member, optOut === 'on', c.get('requestId'));
    const now = await dataSharingOf(deps, member.cardholderId);
    return c.html(DataSharingPage({ ...base(c), optOut: now.optOut, changed }));
  });

  // ─── The notice mail's "not me" link (no sign-in: the token is the credential) ───
  const openReport = async (c: C) => {
    const deps = c.get('deps');
    const statement = await readChangeReport(deps, c.req.param('token') ?? '');
    const member = statement && (await portalMember(c, statement.memberId));
    if (!statement || !member) {
      return { page: c.html(ChangeReportInvalidPage({ lang: c.get('lang'), issuer: pageIssuer(c.get('issuer')), path: c.req.path }), 404) };
    }
    const issuer = await issuerSettings(deps, member.issuerId);
    return { statement, member, issuer };
  };
  routes.get(`${CHANGE_REPORT_PATH}/:token`, async (c) => {
    const open = await openReport(c);
    if ('page' in open) return open.page;
    const { statement, issuer } = open;
    const when = `${localTime(statement.at, issuer.timeZone)} (${issuer.timeZone})`;
    return c.html(ChangeReportPage({ lang: c.get('lang'), issuer: pageIssuer(issuer), path: c.req.path, change: statement.change, when, action: c.req.path }));
  });
  routes.post(`${CHANGE_REPORT_PATH}/:token`, async (c) => {
    const deps = c.get('deps');
    const open = await openReport(c);
    if ('page' in open) return open.page;
    const { statement, member, issuer } = open;
    // Once per change: a report of this kind filed since the change covers it.
    const earlier = await deps.db
      .select({ id: memberReports.id })
      .from(memberReports)
      .where(
        and(
          eq(memberReports.memberId, member.id),
          eq(memberReports.kind, 'account_change'),
          eq(memberReports.change, statement.change),
          gte(memberReports.createdAt, statement.at),
        ),
      )
      .get();
    if (!earlier) {
      await fileReport(deps, { member: { id: member.id, loginId: member.loginId, issuerId: member.issuerId }, kind: 'account_change', change: statement.change, requestId: c.get('requestId') });
    }
    return c.html(ChangeReportDonePage({ lang: c.get('lang'), issuer: pageIssuer(issuer), path: c.req.path, already: !!earlier }));
  });

  return routes;
}
