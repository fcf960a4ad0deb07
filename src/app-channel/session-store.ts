/**
 * The app channel's secure-channel state (`app_sessions`), one row per app challenge, keyed by
 * acsTransID: the session key (sealed, never in the clear), the JWE enc the SDK chose, both
 * counters, the rendering the ARes announced, and what the last CRes offered. This module is the
 * only writer of the table.
 *
 * Every change is one statement, so that two CReqs racing for the same counter cannot both win:
 * the counter moves only from the value the CReq carried (`UPDATE … WHERE sdk_counter = ?`).
 * The row is written in the AReq's group commit (`insertSessionStatement`) and deleted in the
 * batch that ends the transaction (`deleteSessionStatement`, src/acs/end-transaction.ts).
 */
import type { InStatement } from '@libsql/client';
import { and, eq, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { appSessions } from '../db/schema.ts';
import type { JweEnc } from './crypto.ts';

export type AppSession = typeof appSessions.$inferSelect;

/** The counters are one byte each: after 255 the channel must stop (spec §6.2.4). */
export const MAX_COUNTER = 255;

export interface NewAppSession {
  acsTransID: string;
  sdkTransID: string;
  /** sealSessionKey's output. */
  keyCipher: string;
  rendering: Record<string, string>;
  /** sdkMaxTimeout, minutes. */
  sdkMaxTimeout: number;
  now: number;
}

/**
 * The row for an app challenge, as a statement of the AReq's group commit: it applies only where
 * the transaction row went in with it (a twin AReq that lost the race stores no session of its own).
 */
export function insertSessionStatement(s: NewAppSession): InStatement {
  return {
    sql:
      'INSERT INTO app_sessions (acs_trans_id, sdk_trans_id, key_cipher, rendering, sdk_max_timeout, created_at, updated_at) ' +
      'SELECT ?, ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM transactions WHERE acs_trans_id = ?)',
    args: [s.acsTransID, s.sdkTransID, s.keyCipher, JSON.stringify(s.rendering), s.sdkMaxTimeout, s.now, s.now, s.acsTransID],
  };
}

export async function loadSession(db: Database, acsTransID: string): Promise<AppSession | undefined> {
  const [row] = await db.select().from(appSessions).where(eq(appSessions.acsTransID, acsTransID)).limit(1);
  return row;
}

/**
 * Accepts the CReq that carried `sdkCounter`: moves the counter on by one, and records `enc` if
 * none is recorded yet (the first CReq chooses it; every CRes answers with it). Returns the row as
 * it is now, or undefined when the counter was not `sdkCounter` (a replay, a skipped counter, or a
 * concurrent CReq that won), the counter would wrap, or the session is gone. The caller compares
 * the returned `enc` with the CReq's.
 */
export async function acceptCReqCounter(db: Database, acsTransID: string, sdkCounter: number, enc: JweEnc, now: number): Promise<AppSession | undefined> {
  if (!Number.isInteger(sdkCounter) || sdkCounter < 0 || sdkCounter >= MAX_COUNTER) return undefined;
  const [row] = await db
    .update(appSessions)
    .set({ sdkCounter: sql`${appSessions.sdkCounter} + 1`, enc: sql`coalesce(${appSessions.enc}, ${enc})`, updatedAt: now })
    .where(and(eq(appSessions.acsTransID, acsTransID), eq(appSessions.sdkCounter, sdkCounter)))
    .returning();
  return row;
}

/**
 * The acsCounterAtoS for the next CRes, taken atomically (the stored counter moves on). Undefined
 * when the session is gone or the counter is spent. A final CRes is sent after the transaction
 * ended and its row was deleted: take its counter before ending (or use `session.acsCounter` of
 * the row loaded for this CReq, which no other CReq can change meanwhile: the SDK waits).
 */
export async function takeAcsCounter(db: Database, acsTransID: string, now: number): Promise<number | undefined> {
  const [row] = await db
    .update(appSessions)
    .set({ acsCounter: sql`${appSessions.acsCounter} + 1`, updatedAt: now })
    .where(and(eq(appSessions.acsTransID, acsTransID), sql`${appSessions.acsCounter} < ${MAX_COUNTER}`))
    .returning({ next: appSessions.acsCounter });
  return row ? row.next - 1 : undefined;
}

/** Records the JWE enc once; returns the enc stored afterwards (an earlier one wins). */
export async function setEncOnce(db: Database, acsTransID: string, enc: JweEnc, now: number): Promise<JweEnc | undefined> {
  const [row] = await db
    .update(appSessions)
    .set({ enc: sql`coalesce(${appSessions.enc}, ${enc})`, updatedAt: now })
    .where(eq(appSessions.acsTransID, acsTransID))
    .returning({ enc: appSessions.enc });
  return (row?.enc ?? undefined) as JweEnc | undefined;
}

/** What the CRes just sent offered (its UI type, the select options and what each stands for). */
export async function storeUi(db: Database, acsTransID: string, ui: Record<string, unknown>, now: number): Promise<void> {
  await db.update(appSessions).set({ ui, updatedAt: now }).where(eq(appSessions.acsTransID, acsTransID));
}

/** The session's end, as a statement of the batch that ends the transaction, applied only where `onlyIf` holds. */
export function deleteSessionStatement(db: Database, acsTransID: string, onlyIf: SQL) {
  return db.delete(appSessions).where(and(eq(appSessions.acsTransID, acsTransID), onlyIf));
}

/** Deletes the session at once (e.g. after an unrecoverable channel error). */
export async function deleteSession(db: Database, acsTransID: string): Promise<void> {
  await db.delete(appSessions).where(eq(appSessions.acsTransID, acsTransID));
}
