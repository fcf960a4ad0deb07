/**
 * Sessions of staff (console) and members (portal), kept in the database so that every process and isolate agrees: 15 minutes
 * idle, 12 hours at most (NIST SP 800-63B AAL2 asks for 30 min / 12 h; a console that can
 * change who may sign in gets the shorter idle time). The cookie holds a 256-bit random token;
 * the row's id is its SHA-256, so a copy of the database holds no usable session.
 */
import { and, eq, lt, or } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { sessions } from '../db/schema.ts';
import { bytesToBase64url, hmacHex, sha256Hex, timingSafeEqual } from '../encoding.ts';

export const IDLE_MS = 15 * 60 * 1000;
export const ABSOLUTE_MS = 12 * 60 * 60 * 1000;
/** `__Host-`: Secure, no Domain, Path=/ — the browser refuses it from any other host or over plain http. */
export const SESSION_COOKIE = '__Host-mamori-staff';

export interface StaffSession {
  id: string;
  staffId: number;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
}

/** Who a session is for: a member (portal, src/portal/member-session.ts) or a staff member (console). */
export type SessionSubject = 'member' | 'staff';

/** A session of either kind: the row as the middleware needs it. */
export interface SubjectSession {
  id: string;
  subjectId: number;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
}

/** A fresh session for the subject: the cookie's random token, and the row stored under its SHA-256. */
export async function openSession(db: Database, type: SessionSubject, subjectId: number, now: number): Promise<{ token: string; session: SubjectSession }> {
  const token = bytesToBase64url(crypto.getRandomValues(new Uint8Array(32)));
  const session = { id: await sha256Hex(token), subjectId, createdAt: now, lastSeenAt: now, expiresAt: now + ABSOLUTE_MS };
  await db.insert(sessions).values({ ...session, subjectType: type });
  return { token, session };
}

/**
 * The live session of this kind behind a cookie's token, its idle time restarted; undefined (and
 * the row gone) when idle for 15 minutes or past its 12 hours.
 */
export async function resumeSubjectSession(db: Database, type: SessionSubject, token: string | undefined, now: number): Promise<SubjectSession | undefined> {
  if (!token || !/^[\w-]{43}$/.test(token)) return undefined;
  const id = await sha256Hex(token);
  const row = await db.select().from(sessions).where(and(eq(sessions.id, id), eq(sessions.subjectType, type))).get();
  if (!row) return undefined;
  if (now - row.lastSeenAt >= IDLE_MS || now >= row.expiresAt) {
    await db.delete(sessions).where(eq(sessions.id, id));
    return undefined;
  }
  await db.update(sessions).set({ lastSeenAt: now }).where(eq(sessions.id, id));
  return { id, subjectId: row.subjectId, createdAt: row.createdAt, lastSeenAt: now, expiresAt: row.expiresAt };
}

const asStaff = ({ subjectId, ...rest }: SubjectSession): StaffSession => ({ ...rest, staffId: subjectId });

export async function createSession(db: Database, staffId: number, now: number): Promise<{ token: string; session: StaffSession }> {
  const { token, session } = await openSession(db, 'staff', staffId, now);
  return { token, session: asStaff(session) };
}

/** The live staff session behind a cookie's token (resumeSubjectSession). */
export async function resumeSession(db: Database, token: string | undefined, now: number): Promise<StaffSession | undefined> {
  const session = await resumeSubjectSession(db, 'staff', token, now);
  return session && asStaff(session);
}

export async function endSession(db: Database, id: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.id, id));
}

/** Every session of a person: sign-out everywhere after a reset, a disable or a role change. */
export async function endAllSessions(db: Database, staffId: number, type: SessionSubject = 'staff'): Promise<void> {
  await db.delete(sessions).where(and(eq(sessions.subjectType, type), eq(sessions.subjectId, staffId)));
}

/** Housekeeping: rows of sessions nobody can resume any more. */
export async function purgeStaleSessions(db: Database, now: number): Promise<void> {
  await db.delete(sessions).where(or(lt(sessions.lastSeenAt, now - IDLE_MS), lt(sessions.expiresAt, now)));
}

// ─── The per-session CSRF token ─────────────────────────────────────────────────

/** The token every form of a session carries: an HMAC of the session's id, so it needs no storage. */
export function csrfTokenFor(key: CryptoKey, session: Pick<StaffSession, 'id'>, type: SessionSubject = 'staff'): Promise<string> {
  return hmacHex(key, `${type}-csrf:${session.id}`);
}

export async function csrfTokenValid(key: CryptoKey, session: Pick<StaffSession, 'id'>, typed: unknown, type: SessionSubject = 'staff'): Promise<boolean> {
  return typeof typed === 'string' && timingSafeEqual(typed, await csrfTokenFor(key, session, type));
}
