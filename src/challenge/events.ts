/**
 * The challenge's steps that are not protocol messages (transaction_events), for the transaction
 * trail (src/trail/): pages shown, wrong entries, resends, refused SMS, the lock and the ending.
 * The detail is small JSON the trail shows as it is: never a PAN, a code, a password or a phone
 * number (a refused SMS names its refusal, not its recipient; the outbound log has that, masked).
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { transactionEvents, type TransactionEventKind } from '../db/schema.ts';

export type EventDetail = Record<string, string | number | boolean | null | undefined>;

/** Records one step of a challenge. */
export async function recordEvent(db: Database, acsTransID: string, kind: TransactionEventKind, at: number, detail: EventDetail = {}): Promise<void> {
  await db.insert(transactionEvents).values({ acsTransID, kind, at, detail: JSON.stringify(detail) });
}

/**
 * The same as a statement of a batch, applied only where `onlyIf` holds: the ending of a
 * challenge is recorded in the database transaction that ends it (acs/end-transaction.ts), so a
 * lost race records nothing and a won one cannot lose its event.
 */
export function eventStatement(db: Database, acsTransID: string, kind: TransactionEventKind, at: number, detail: EventDetail, onlyIf: SQL) {
  return db.run(
    sql`INSERT INTO ${transactionEvents} (acs_trans_id, kind, detail, at) SELECT ${acsTransID}, ${kind}, ${JSON.stringify(detail)}, ${at} WHERE ${onlyIf}`,
  );
}
