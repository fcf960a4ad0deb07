/**
 * Staff sessions, kept in the database so that every process and isolate agrees: 15 minutes
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

export async function createSession(db: Database, staffId: number, now: number): Promise<{ token: string; session: StaffSession }> {
  const token = bytesToBase64url(crypto.getRandomValues(new Uint8Array(32)));
  const session = { id: await sha256Hex(token), staffId, createdAt: now, lastSeenAt: now, expiresAt: now + ABSOLUTE_MS };
  await db.insert(sessions).values({ ...session, subjectType: 'staff', subjectId: staffId });
  return { token, session };
}

/**
 * The live session behind a cookie's token, its idle time restarted; undefined (and the row
 * gone) when idle for 15 minutes or past its 12 hours.
 */
export async function resumeSession(db: Database, token: string | undefined, now: number): Promise<StaffSession | undefined> {
  if (!token || !/^[\w-]{43}$/.test(token)) return undefined;
  const id = await sha256Hex(token);
  const row = await db.select().from(sessions).where(and(eq(sessions.id, id), eq(sessions.subjectType, 'staff'))).get();
  if (!row) return undefined;
  if (now - row.lastSeenAt >= IDLE_MS || now >= row.expiresAt) {
    await db.delete(sessions).where(eq(sessions.id, id));
    return undefined;
  }
  await db.update(sessions).set({ lastSeenAt: now }).where(eq(sessions.id, id));
  return { id, staffId: row.subjectId, createdAt: row.createdAt, lastSeenAt: now, expiresAt: row.expiresAt };
}

export async function endSession(db: Database, id: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.id, id));
}

/** Every session of a person: sign-out everywhere after a reset, a disable or a role change. */
export async function endAllSessions(db: Database, staffId: number): Promise<void> {
  await db.delete(sessions).where(and(eq(sessions.subjectType, 'staff'), eq(sessions.subjectId, staffId)));
}

/** Housekeeping: rows of sessions nobody can resume any more. */
export async function purgeStaleSessions(db: Database, now: number): Promise<void> {
  await db.delete(sessions).where(and(eq(sessions.subjectType, 'staff'), or(lt(sessions.lastSeenAt, now - IDLE_MS), lt(sessions.expiresAt, now))));
}

// ─── The per-session CSRF token ─────────────────────────────────────────────────

/** The token every form of a session carries: an HMAC of the session's id, so it needs no storage. */
export function csrfTokenFor(key: CryptoKey, session: StaffSession): Promise<string> {
  return hmacHex(key, `staff-csrf:${session.id}`);
}

export async function csrfTokenValid(key: CryptoKey, session: StaffSession, typed: unknown): Promise<boolean> {
  return typeof typed === 'string' && timingSafeEqual(typed, await csrfTokenFor(key, session));
}
