/**
 * The console's request plumbing: its language, the signed-in person, CSRF (Hono's `csrf` for
 * the Origin check, plus a per-session token in every form), and the permission each route needs.
 */
import type { Context, HonoRequest, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { csrf } from 'hono/csrf';
import { HTTPException } from 'hono/http-exception';
import { z } from 'zod';
import type { Lang } from '../../views/i18n.ts';
import type { AppEnv } from '../deps.ts';
import { validated } from '../http/validate.ts';
import type { Principal } from './roles.ts';
import { csrfTokenFor, csrfTokenValid, resumeSession, SESSION_COOKIE, type StaffSession } from './sessions.ts';
import { staffById, type StaffRow } from './staff-store.ts';

export type AdminEnv = {
  Variables: AppEnv['Variables'] & {
    lang: Lang;
    me: StaffRow;
    session: StaffSession;
    /** This session's form token, for every form on the page. */
    csrf: string;
    /** Who runs this install (its first issuer), for the header of pages before sign-in. */
    site: { ja: string; en: string };
  };
};
export type AdminContext = Context<AdminEnv>;

const LANG_COOKIE = '__Host-mamori-lang';

/** Japanese unless the person chose English (`?lang=en`, remembered in a cookie). */
export function chooseLanguage(c: AdminContext): void {
  const asked = c.req.query('lang');
  if (asked === 'ja' || asked === 'en') {
    setCookie(c, LANG_COOKIE, asked, { path: '/', secure: true, httpOnly: true, sameSite: 'Lax', maxAge: 365 * 86400 });
  }
  c.set('lang', asked === 'ja' || asked === 'en' ? asked : getCookie(c, LANG_COOKIE) === 'en' ? 'en' : 'ja');
}

// The origin browsers reach this appliance on (PUBLIC_URL) is the only one whose forms are accepted.
const originGuard = csrf({ origin: (origin, c) => origin === new URL((c as AdminContext).get('deps').config.PUBLIC_URL).origin });

/** Hono's Origin / Sec-Fetch-Site check (`hono/csrf`) for state-changing requests, as a yes or no. */
export async function originAllowed(c: AdminContext): Promise<boolean> {
  try {
    await originGuard(c, async () => {});
    return true;
  } catch (error) {
    if (error instanceof HTTPException && error.status === 403) return false;
    throw error;
  }
}

/** A console form's session token (htmx may send it as the X-CSRF-Token header instead). */
const TokenForm = z.object({ _csrf: z.string().max(256).optional() });

/**
 * The signed-in person, or a redirect to the sign-in page. A POST must also carry the session's
 * form token (`_csrf`, or `X-CSRF-Token` for htmx), else it is refused.
 */
export function requireStaff(refused: (c: AdminContext) => Response | Promise<Response>): MiddlewareHandler<AdminEnv> {
  // A token that is not one string (or a body that cannot be read) is refused like a wrong one.
  // Run from inside this guard, so typed as the console's middleware.
  const tokenForm = validated('form', TokenForm, (c) => refused(c as unknown as AdminContext)) as unknown as MiddlewareHandler<AdminEnv>;
  return async (c, next) => {
    const deps = c.get('deps');
    const now = deps.clock.now();
    const session = await resumeSession(deps.db, getCookie(c, SESSION_COOKIE), now);
    const me = session && (await staffById(deps.db, session.staffId));
    if (!session || !me || me.status !== 'active') return toSignIn(c, !!getCookie(c, SESSION_COOKIE));
    c.set('session', session);
    c.set('me', me);
    c.set('csrf', await csrfTokenFor(deps.keys.session, session));
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') {
      const refusal = await tokenForm(c, async () => {});
      if (refusal) return refusal;
      const typed = (c.req as HonoRequest<string, { form: z.output<typeof TokenForm> }>).valid('form')._csrf ?? c.req.header('x-csrf-token');
      if (!(await csrfTokenValid(deps.keys.session, session, typed))) return refused(c);
    }
    await next();
  };
}

/** To the sign-in page, and back here afterwards; a cookie that no longer works means the session ended. */
function toSignIn(c: AdminContext, ended: boolean): Response {
  const next = c.req.method === 'GET' ? c.req.path : '/admin';
  if (ended) deleteCookie(c, SESSION_COOKIE, { path: '/', secure: true });
  const to = `/admin/sign-in?next=${encodeURIComponent(next)}${ended ? '&expired=1' : ''}`;
  if (c.req.header('hx-request')) {
    c.header('HX-Redirect', to);
    return c.body(null, 204);
  }
  return c.redirect(to, 303);
}

export function principal(me: StaffRow): Principal {
  return { id: me.id, role: me.role, issuerId: me.issuerId };
}

/** Only a path inside the console may be a "next" page after sign-in (no open redirect). */
export function safeNext(next: string | undefined): string {
  return next && /^\/admin(\/[\w\-/.]*)?(\?[\w\-=&%.]*)?$/.test(next) && !next.startsWith('/admin/sign-') ? next : '/admin';
}
