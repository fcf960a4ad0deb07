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
import { and, eq, exists, inArray, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { preparedPerDatabase } from '../db/prepared.ts';
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

const transactionById = preparedPerDatabase((db) =>
  db.select().from(transactions).where(eq(transactions.acsTransID, sql.placeholder('acsTransID'))).limit(1).prepare(),
);

export function findTransaction(db: Database, acsTransID: string): Promise<Transaction | undefined> {
  return transactionById(db).get({ acsTransID });
}

/**
 * Moves a transaction to `to` if it is in one of the states TRANSITIONS allows to reach it,
 * applying `patch` in the same statement. Returns whether this call made the move.
 *
 * `onlyFrom` narrows the move to one of those sources (the CReq timer may expire only a
 * transaction still waiting for its first CReq); it can never allow a move the table forbids.
 */
export async function transition(
  db: Database,
  acsTransID: string,
  to: TransactionState,
  now: number,
  patch: TransactionPatch = {},
  onlyFrom?: TransactionState,
): Promise<boolean> {
  return (await transitionStatement(db, acsTransID, to, now, patch, onlyFrom)).length === 1;
}

export type TransactionPatch = Partial<Omit<Transaction, 'acsTransID' | 'state'>>;

/**
 * The move of `transition` as one statement, for a caller that batches it with what must happen
 * together with it (`db.batch`: one database transaction, see end-transaction.ts). It returns the
 * moved row's acsTransID, or nothing when another request got there first.
 */
export function transitionStatement(db: Database, acsTransID: string, to: TransactionState, now: number, patch: TransactionPatch = {}, onlyFrom?: TransactionState) {
  const from = sourcesOf(to).filter((state) => onlyFrom === undefined || state === onlyFrom);
  if (from.length === 0) throw new Error(`no transaction may move from ${onlyFrom} to ${to}`);
  return db
    .update(transactions)
    .set({ ...patch, state: to, updatedAt: now })
    .where(and(eq(transactions.acsTransID, acsTransID), inArray(transactions.state, from)))
    .returning({ acsTransID: transactions.acsTransID });
}

/**
 * "The transaction is in `state`", as a condition for the other statements of a batch that moves
 * it there: they see the move of the statement before them, so they apply exactly when the
 * transaction reached that state (by this batch, or by an earlier one that did the same work).
 */
export function transactionIsIn(db: Database, acsTransID: string, state: TransactionState): SQL {
  return exists(
    db
      .select({ one: sql`1` })
      .from(transactions)
      .where(and(eq(transactions.acsTransID, acsTransID), eq(transactions.state, state))),
  );
}

/** One more authentication cycle on the challenge page (the RReq's interactionCounter). */
export async function countInteraction(db: Database, acsTransID: string): Promise<void> {
  await db.update(transactions).set({ interactionCounter: sql`${transactions.interactionCounter} + 1` }).where(eq(transactions.acsTransID, acsTransID));
}

/** Appends a message (PAN already masked by the caller) to the transaction's trail. */
export function recordMessage(db: Database, acsTransID: string, direction: 'in' | 'out', messageType: string, body: unknown, now: number) {
  return db.insert(transactionMessages).values({ acsTransID, direction, messageType, body: typeof body === 'string' ? body : JSON.stringify(body), createdAt: now });
}
