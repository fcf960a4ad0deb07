/**
 * Transaction rows and their state machine. Every move is one guarded UPDATE
 * (`… WHERE state IN (allowed sources)`), so of two concurrent requests only one can move a
 * transaction; the other sees `false` and must not act.
 *
 *   ares_sent ─┬─> challenge_started ─┬─> completed ──┐
 *              │                      ├─> failed ─────┤
 *              │                      ├─> cancelled ──┼─> rreq_delivered
 *              └──────────────────────┴─> expired ────┘
 */
import { and, eq, inArray } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { transactionMessages, transactions, type TransactionState } from '../db/schema.ts';

export type Transaction = typeof transactions.$inferSelect;

export const TRANSITIONS: Record<TransactionState, TransactionState[]> = {
  ares_sent: ['challenge_started', 'expired', 'failed'],
  challenge_started: ['completed', 'failed', 'cancelled', 'expired'],
  completed: ['rreq_delivered'],
  failed: ['rreq_delivered'],
  cancelled: ['rreq_delivered'],
  expired: ['rreq_delivered'],
  rreq_delivered: [],
};

/** The states a transaction may enter `to` from. */
export function sourcesOf(to: TransactionState): TransactionState[] {
  return (Object.keys(TRANSITIONS) as TransactionState[]).filter((from) => TRANSITIONS[from].includes(to));
}

export async function findTransaction(db: Database, acsTransID: string): Promise<Transaction | undefined> {
  const [row] = await db.select().from(transactions).where(eq(transactions.acsTransID, acsTransID)).limit(1);
  return row;
}

/**
 * Moves a transaction to `to` if it is in one of the states allowed to reach it, applying `patch`
 * in the same statement. Returns whether this call made the move.
 */
export async function transition(
  db: Database,
  acsTransID: string,
  to: TransactionState,
  now: number,
  patch: Partial<Omit<Transaction, 'acsTransID' | 'state'>> = {},
  from: TransactionState[] = sourcesOf(to),
): Promise<boolean> {
  const moved = await db
    .update(transactions)
    .set({ ...patch, state: to, updatedAt: now })
    .where(and(eq(transactions.acsTransID, acsTransID), inArray(transactions.state, from)))
    .returning({ acsTransID: transactions.acsTransID });
  return moved.length === 1;
}

/** Appends a message (PAN already masked by the caller) to the transaction's trail. */
export function recordMessage(db: Database, acsTransID: string, direction: 'in' | 'out', messageType: string, body: unknown, now: number) {
  return db.insert(transactionMessages).values({ acsTransID, direction, messageType, body: typeof body === 'string' ? body : JSON.stringify(body), createdAt: now });
}
