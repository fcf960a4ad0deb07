/**
 * The member portal's request plumbing (every route under /portal): which card issuer the page is
 * for, its language, the maintenance window, the Origin check on every POST, and the member's
 * session with its form token. Routes read `c.get('issuer')`, `c.get('lang')`, and after
 * `requireMember()` `c.get('member')`.
 *
 * The issuer comes from the host name (issuers' portal_hosts); on a host no issuer claims, from
 * `?issuer=CODE` (the challenge's guidance links carry it; remembered in a cookie), else the
 * install's first issuer. A member of another issuer than a claimed host's is not signed in there:
 * no page of one issuer shows another's data.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { csrf } from 'hono/csrf';
import { eq } from 'drizzle-orm';
import type { Lang } from '../../views/i18n.ts';
import type { PortalIssuer } from '../../views/portal/shell.tsx';
import { MaintenancePage } from '../../views/portal/maintenance.tsx';
import { appendAudit } from '../admin/audit-log.ts';
import { csrfTokenFor, csrfTokenValid, endSession, openSession, resumeSubjectSession, type SubjectSession } from '../admin/sessions.ts';
import { members } from '../db/schema.ts';
import type { AppEnv } from '../deps.ts';
import { portalMemberById, type PortalMemberRow } from './sign-in.ts';
import { inMaintenance, issuerSettings, issuerSettingsForHost, listIssuerSettings, type IssuerSettings } from '../issuers/settings.ts';

/** `__Host-`: Secure, no Domain, Path=/ — the browser refuses it from any other host or over plain http. */
export const MEMBER_COOKIE = '__Host-mamori-member';
const LANG_COOKIE = '__Host-mamori-lang';
const ISSUER_COOKIE = '__Host-mamori-portal-issuer';

/** The signed-in member as the portal's pages need it. */
export type PortalMember = PortalMemberRow;

export type PortalEnv = {
  Variables: AppEnv['Variables'] & {
    lang: Lang;
    /** The card issuer this page is for (by host, ?issuer=, or the install's first). */
    issuer: IssuerSettings;
    /** Whether the host name is one an issuer claimed (then only its members sign in here). */
    hostClaimed: boolean;
    /** Set by requireMember (and by the portal middleware when a session cookie is good). */
    member?: PortalMember;
    session?: SubjectSession;
    /** This session's form token, for every form on a signed-in page. */
    csrf?: string;
  };
};
export type PortalContext = Context<PortalEnv>;

/** The issuer as the shell shows it. */
export const pageIssuer = (s: IssuerSettings): PortalIssuer => ({ name: s.name, logo: s.logo, phone: s.helpdesk.phone, hours: s.helpdesk.hours });

/**
 * The portal's middleware, in order: never cached; language; issuer; maintenance page; the Origin
 * check on POST; the member's session when its cookie is good (not required: see requireMember).
 */
export function portalContext(): MiddlewareHandler<PortalEnv> {
  const originGuard = csrf({ origin: (origin, c) => origin === new URL((c as PortalContext).get('deps').config.PUBLIC_URL).origin });
  return async (c, next) => {
    const deps = c.get('deps');
    c.header('Cache-Control', 'no-store');
    chooseLanguage(c);
    await chooseIssuer(c);
    if (inMaintenance(c.get('issuer'), deps.clock.now())) {
      c.header('Retry-After', '3600');
      return c.html(MaintenancePage({ lang: c.get('lang'), issuer: pageIssuer(c.get('issuer')), window: c.get('issuer').maintenanceWindow!, path: c.req.path }), 503);
    }
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') {
      // Throws Hono's 403 for a form posted from another origin.
      await originGuard(c, async () => {});
    }
    await resumeMember(c);
    await next();
  };
}

/**
 * The signed-in member, or a redirect to the sign-in page (and back here afterwards). A POST must
 * carry the session's form token (`_csrf`, or `X-CSRF-Token` for htmx). Until the member accepted
 * the 3-D Secure terms, every page but the terms page sends them there (JCB: enrolment completes
 * with the terms at first sign-in).
 */
export function requireMember(options: { terms?: boolean } = {}): MiddlewareHandler<PortalEnv> {
  const needsTerms = options.terms ?? true;
  return async (c, next) => {
    const member = c.get('member');
    const session = c.get('session');
    if (!member || !session) return toSignIn(c);
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') {
      const form = (c.req.header('content-type') ?? '').match(/form/) ? await c.req.parseBody() : {};
      const typed = typeof form._csrf === 'string' ? form._csrf : c.req.header('x-csrf-token');
      if (!(await csrfTokenValid(c.get('deps').keys.session, session, typed, 'member'))) return c.text('Forbidden', 403);
    }
    if (needsTerms && member.termsAcceptedAt === null) return redirect(c, '/portal/terms');
    await next();
  };
}

/** Answers a redirect as htmx expects it (HX-Redirect) or as a plain 303. */
export function redirect(c: PortalContext, to: string): Response {
  if (c.req.header('hx-request')) {
    c.header('HX-Redirect', to);
    return c.body(null, 204);
  }
  return c.redirect(to, 303);
}

function toSignIn(c: PortalContext): Response {
  const ended = !!getCookie(c, MEMBER_COOKIE);
  if (ended) deleteCookie(c, MEMBER_COOKIE, { path: '/', secure: true });
  const next = c.req.method === 'GET' ? c.req.path : '/portal';
  return redirect(c, `/portal/sign-in?next=${encodeURIComponent(next)}${ended ? '&expired=1' : ''}`);
}

/** Only a path inside the portal may be a "next" page after sign-in (no open redirect). */
export function safePortalNext(next: string | undefined): string {
  return next && /^\/portal(\/[\w\-/.]*)?(\?[\w\-=&%.]*)?$/.test(next) && !next.startsWith('/portal/sign-') ? next : '/portal';
}

/** Japanese unless the cardholder chose English (`?lang=en`, remembered in a cookie). */
function chooseLanguage(c: PortalContext): void {
  const asked = c.req.query('lang');
  if (asked === 'ja' || asked === 'en') {
    setCookie(c, LANG_COOKIE, asked, { path: '/', secure: true, httpOnly: true, sameSite: 'Lax', maxAge: 365 * 86400 });
  }
  c.set('lang', asked === 'ja' || asked === 'en' ? asked : getCookie(c, LANG_COOKIE) === 'en' ? 'en' : 'ja');
}

async function chooseIssuer(c: PortalContext): Promise<void> {
  const deps = c.get('deps');
  const host = (c.req.header('host') ?? '').replace(/:\d+$/, '').toLowerCase();
  const all = await listIssuerSettings(deps);
  const claimed = all.find((s) => s.portalHosts.includes(host));
  c.set('hostClaimed', !!claimed);
  if (claimed) return void c.set('issuer', claimed);
  const asked = c.req.query('issuer');
  const byCode = (code: string | undefined) => (code ? all.find((s) => s.code === code) : undefined);
  const chosen = byCode(asked);
  if (chosen) setCookie(c, ISSUER_COOKIE, chosen.code, { path: '/', secure: true, httpOnly: true, sameSite: 'Lax' });
  c.set('issuer', chosen ?? byCode(getCookie(c, ISSUER_COOKIE)) ?? (await issuerSettingsForHost(deps, host)));
}

/** The member of a good session cookie, of this page's issuer when the host is claimed. */
async function resumeMember(c: PortalContext): Promise<void> {
  const deps = c.get('deps');
  const session = await resumeSubjectSession(deps.db, 'member', getCookie(c, MEMBER_COOKIE), deps.clock.now());
  if (!session) return;
  const member = await portalMember(c, session.subjectId);
  if (!member || (c.get('hostClaimed') && member.issuerId !== c.get('issuer').id)) return;
  c.set('session', session);
  c.set('member', member);
  c.set('csrf', await csrfTokenFor(deps.keys.session, session, 'member'));
  // Signed in: the pages are the member's issuer's.
  if (!c.get('hostClaimed')) c.set('issuer', await issuerSettings(deps, member.issuerId));
}

/** A member with its cardholder and issuer (sign-in.ts reads it the same way for the sign-in). */
export function portalMember(c: PortalContext, memberId: number): Promise<PortalMember | undefined> {
  return portalMemberById(c.get('deps'), memberId);
}

// ─── Signing a member in and out ────────────────────────────────────────────────

/**
 * Starts the member's session (after a good password, or at the end of a registration): any
 * earlier session of this browser ends, the cookie is set, the sign-in time noted and audited.
 */
export async function signInMember(c: PortalContext, member: Pick<PortalMember, 'id' | 'loginId' | 'issuerId'>, how: 'password' | 'registration'): Promise<void> {
  const deps = c.get('deps');
  const now = deps.clock.now();
  const previous = c.get('session');
  if (previous) await endSession(deps.db, previous.id);
  const { token, session } = await openSession(deps.db, 'member', member.id, now);
  setCookie(c, MEMBER_COOKIE, token, { path: '/', secure: true, httpOnly: true, sameSite: 'Lax' });
  await deps.db.update(members).set({ lastSignInAt: now }).where(eq(members.id, member.id));
  await appendAudit(deps.db, {
    at: now,
    actor: { type: 'member', id: member.id, name: member.loginId },
    issuerId: member.issuerId,
    action: 'member.sign_in',
    target: `member:${member.id}`,
    detail: { how },
    requestId: c.get('requestId'),
  });
  c.set('session', session);
  c.set('csrf', await csrfTokenFor(deps.keys.session, session, 'member'));
}

/** Ends this browser's session (sign-out); audited when someone was signed in. */
export async function signOutMember(c: PortalContext): Promise<void> {
  const deps = c.get('deps');
  const session = c.get('session');
  const member = c.get('member');
  deleteCookie(c, MEMBER_COOKIE, { path: '/', secure: true });
  if (!session) return;
  await endSession(deps.db, session.id);
  if (member) {
    await appendAudit(deps.db, {
      at: deps.clock.now(),
      actor: { type: 'member', id: member.id, name: member.loginId },
      issuerId: member.issuerId,
      action: 'member.sign_out',
      target: `member:${member.id}`,
      detail: {},
      requestId: c.get('requestId'),
    });
  }
}

/** The actor of an audit row for the signed-in member. */
export function memberActor(member: Pick<PortalMember, 'id' | 'loginId'>) {
  return { type: 'member' as const, id: member.id, name: member.loginId };
}
