/**
 * A signed-in member for portal tests, without going through the sign-in page: a member session
 * opened as signInMember opens it (admin/sessions.ts), the `__Host-` cookie that carries it, and the
 * session's form token for POSTs.
 *
 * @example
 *   const s = await memberSession(t.deps, memberId)
 *   await t.app.request('/portal/phone', { headers: { cookie: s.cookie } })
 */
import { eq } from 'drizzle-orm';
import { csrfTokenFor, openSession } from '../../src/admin/sessions.ts';
import { members } from '../../src/db/schema.ts';
import type { AppDeps } from '../../src/deps.ts';
import { MEMBER_COOKIE } from '../../src/portal/http.ts';

export interface MemberSession {
  /** The request header: `__Host-mamori-member=<token>`. */
  cookie: string;
  /** The cookie's value (a browser test sets it with context.addCookies). */
  token: string;
  /** The form token every POST of this session carries (`_csrf`). */
  csrf: string;
}

export async function memberSession(deps: Pick<AppDeps, 'db' | 'clock' | 'keys'>, memberId: number): Promise<MemberSession> {
  const { token, session } = await openSession(deps.db, 'member', memberId, deps.clock.now());
  return { cookie: `${MEMBER_COOKIE}=${token}`, token, csrf: await csrfTokenFor(deps.keys.session, session, 'member') };
}

/** A member's row id by member ID (the demo members are seeded by login ID). */
export async function memberIdOf(deps: Pick<AppDeps, 'db'>, loginId: string): Promise<number> {
  const row = await deps.db.select({ id: members.id }).from(members).where(eq(members.loginId, loginId)).get();
  if (!row) throw new Error(`no member ${loginId}`);
  return row.id;
}
