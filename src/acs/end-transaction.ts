/**
 * How a transaction reaches its final outcome (completed, failed, cancelled, expired): the move
 * through the state machine, its RReq job, and whatever the caller ends with it (a challenge's
 * flow and inactivity timer) go in one `db.batch`, which libSQL runs as one database transaction.
 * A failure at any point leaves all of it or none of it: never a final transaction without its
 * RReq, and never a timer cancelled that was still the one to end a transaction left open.
 *
 * The statements after the move apply only where the transaction is then in its final state
 * (`transactionIsIn`): an ending that lost the race to another one changes nothing, and one that
 * repeats an ending already made (a retried timer) only does again what is already done.
 *
 * @example
 *   const moved = await endTransaction(db, acsTransID, 'expired', now, { patch: { finalTransStatus: 'N' }, onlyFrom: 'ares_sent' });
 */
import type { SQL } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import { deleteSessionStatement } from '../app-channel/session-store.ts';
import type { Database } from '../db/client.ts';
import type { TransactionState } from '../db/schema.ts';
import { previousStatementChangedARow, transactionStatStatement } from '../insight/stats.ts';
import { challengeEndStatement } from '../risk/history.ts';
import { queueRReqStatement } from './rreq.ts';
import { cancelTimerStatement } from './timers.ts';
import { transactionIsIn, transitionStatement, type TransactionPatch } from './transactions.ts';

/** The states a transaction ends in, before its RReq is delivered. */
export type FinalState = Extract<TransactionState, 'completed' | 'failed' | 'cancelled' | 'expired'>;

export interface EndOptions {
  /** The final outcome's fields (finalTransStatus, reason, ECI…), written by the move itself. */
  patch: TransactionPatch;
  /** Only from this state (see `transition`). */
  onlyFrom?: TransactionState;
  /** What ends together with the transaction: statements that apply only where `reached` holds. */
  alongside?: (reached: SQL) => BatchItem<'sqlite'>[];
}

/** How each ending counts among the challenges' results (an expiry is an abandonment: timed out). */
const CHALLENGE_RESULT: Record<FinalState, string> = { completed: 'succeeded', failed: 'failed', cancelled: 'cancelled', expired: 'timed_out' };

/** Ends the transaction in `to` if its state machine allows it; whether this call made the move. */
export async function endTransaction(db: Database, acsTransID: string, to: FinalState, now: number, options: EndOptions): Promise<boolean> {
  const reached = transactionIsIn(db, acsTransID, to);
  const [moved] = await db.batch([
    transitionStatement(db, acsTransID, to, now, options.patch, options.onlyFrom),
    // Right after the move, so changes() is the move's: counted once, by the call that made it.
    transactionStatStatement(db, acsTransID, { at: now, metric: 'challenge', label: CHALLENGE_RESULT[to] }, previousStatementChangedARow),
    ...(options.alongside?.(reached) ?? []),
    // The card's risk history: a failed or abandoned challenge, or its last successful one.
    challengeEndStatement(db, acsTransID, to, now, reached),
    // The CReq timer has nothing left to guard (a started challenge cancelled it already).
    cancelTimerStatement(db, 'creq_timeout', acsTransID, now, reached),
    queueRReqStatement(db, acsTransID, now, reached),
    // An app challenge's session key has nothing left to protect (spec: clear the keys at the end).
    deleteSessionStatement(db, acsTransID, reached),
  ]);
  return moved.length === 1;
}
