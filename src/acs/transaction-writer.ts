/**
 * The AReq's one durable write: its transaction row (and, for a challenge, the 30-second CReq
 * timer), recorded with group commit (src/db/group-commit.ts). The AReqs that reach this point in
 * the same event-loop turn share one database transaction; each caller learns its outcome only
 * after that transaction has committed, so no ARes ever leaves before its row is durable. If the
 * transaction fails, every AReq in it fails (authenticate answers each with Erro 403).
 *
 * `recordTransaction` resolves `true` when the row was stored, `false` when a transaction with the
 * same (threeDSServerTransID, dsTransID) already existed or was stored earlier in the same batch:
 * the caller then replays that one's ARes. A CReq timer is only armed for a row that was stored.
 *
 * The SQL is built here rather than by Drizzle's query builder: one multi-row INSERT per batch,
 * with the column list taken from the schema once, costs a fraction of building one Drizzle insert
 * of 30-odd columns per AReq. Values follow Drizzle's rules (column defaults, driver mapping).
 */
import type { Client, InStatement, InValue } from '@libsql/client';
import { getTableColumns, getTableName, is, SQL } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { groupCommit } from '../db/group-commit.ts';
import { clientOf } from '../db/statements.ts';
import { statsHourly, timers, transactions } from '../db/schema.ts';
import { hourStart, type StatIncrement } from '../insight/stats.ts';
import { historyBatchStatements, type HistoryUpdate } from '../risk/history.ts';

export interface NewTransaction {
  row: typeof transactions.$inferInsert;
  /** Arm the CReq timer (kind creq_timeout) due at this time, in the same transaction. */
  creqTimeoutAt?: number;
  /** What this AReq adds to the running aggregates (outcome, ARes latency), counted only if its row is stored. */
  stats?: StatIncrement[];
  /** What the AReq adds to its card's risk history (src/risk/history.ts), written with the batch's others, only if this row is stored. */
  history?: HistoryUpdate;
  /** More statements for the same commit (the app channel's); each applies only where this row is stored. */
  alongside?: InStatement[];
}

const writers = new WeakMap<Database, (txn: NewTransaction) => Promise<boolean>>();

/** Stores the transaction (group commit); true once committed, false when its IDs were already taken. */
export function recordTransaction(db: Database, txn: NewTransaction): Promise<boolean> {
  let write = writers.get(db);
  if (!write) {
    const client = clientOf(db);
    write = groupCommit((batch: NewTransaction[]) => commitBatch(client, batch));
    writers.set(db, write);
  }
  return write(txn);
}

async function commitBatch(client: Client, batch: NewTransaction[]): Promise<boolean[]> {
  const statements: InStatement[] = [insertTransactions(batch.map((t) => t.row))];
  const due = batch.filter((t) => t.creqTimeoutAt !== undefined);
  if (due.length > 0) statements.push(armCreqTimers(due));
  const counted = batch.filter((t) => t.stats && t.stats.length > 0);
  if (counted.length > 0) statements.push(countStats(counted));
  const history = batch.flatMap((t) => (t.history ? [{ acsTransID: t.row.acsTransID, update: t.history }] : []));
  if (history.length > 0) statements.push(...historyBatchStatements(history));
  for (const t of batch) if (t.alongside) statements.push(...t.alongside);
  const [inserted] = await client.batch(statements, 'write');
  const stored = new Set(inserted.rows.map((r) => r[0] as string));
  return batch.map((t) => stored.has(t.row.acsTransID));
}

// ─── SQL ────────────────────────────────────────────────────────────────────────

const TRANSACTION_COLUMNS = Object.entries(getTableColumns(transactions));
const TRANSACTIONS = getTableName(transactions);
const TIMERS = getTableName(timers);
const sqlCache = new Map<number, string>();

/** INSERT … VALUES (…), (…) ON CONFLICT DO NOTHING RETURNING acs_trans_id: the losers of a race return nothing. */
function insertTransactions(rows: (typeof transactions.$inferInsert)[]): InStatement {
  let sql = sqlCache.get(rows.length);
  if (!sql) {
    const tuple = `(${TRANSACTION_COLUMNS.map(() => '?').join(', ')})`;
    sql =
      `INSERT INTO "${TRANSACTIONS}" (${TRANSACTION_COLUMNS.map(([, c]) => `"${c.name}"`).join(', ')}) ` +
      `VALUES ${rows.map(() => tuple).join(', ')} ON CONFLICT DO NOTHING RETURNING "${transactions.acsTransID.name}"`;
    if (sqlCache.size < 512) sqlCache.set(rows.length, sql);
  }
  const args: InValue[] = [];
  for (const row of rows) {
    for (const [key, column] of TRANSACTION_COLUMNS) {
      let value = (row as Record<string, unknown>)[key];
      if (value === undefined) value = column.default !== undefined && !is(column.default, SQL) ? column.default : (column.defaultFn?.() ?? null);
      args.push(value === null ? null : (column.mapToDriverValue(value) as InValue));
    }
  }
  return { sql, args };
}

/** The CReq timers of the batch, each only if its transaction row exists (a loser of a race gets none). */
function armCreqTimers(due: NewTransaction[]): InStatement {
  const values = due.map(() => '(?, ?, ?, ?)').join(', ');
  return {
    sql:
      `INSERT INTO "${TIMERS}" ("${timers.kind.name}", "${timers.subject.name}", "${timers.dueAt.name}", "${timers.createdAt.name}") ` +
      `SELECT v.column1, v.column2, v.column3, v.column4 FROM (VALUES ${values}) AS v ` +
      `WHERE EXISTS (SELECT 1 FROM "${TRANSACTIONS}" t WHERE t."${transactions.acsTransID.name}" = v.column2) ON CONFLICT DO NOTHING`,
    args: due.flatMap((t) => ['creq_timeout', t.row.acsTransID, t.creqTimeoutAt!, t.row.createdAt]),
  };
}

/**
 * The batch's increments as one UPSERT: summed per (issuer, hour, metric, label) in SQL, and only
 * for the AReqs whose row is stored (a replay's twin counts nothing). One statement per commit
 * keeps the AReq's hot path at three statements whatever the batch's size.
 */
function countStats(counted: NewTransaction[]): InStatement {
  const args: InValue[] = [];
  const tuples: string[] = [];
  for (const t of counted) {
    for (const inc of t.stats!) {
      tuples.push('(?, ?, ?, ?, ?, ?, ?)');
      args.push(t.row.acsTransID, inc.issuerId ?? 0, hourStart(inc.at), inc.metric, inc.label ?? '', inc.count ?? 1, inc.sum ?? 0);
    }
  }
  const S = getTableName(statsHourly);
  return {
    sql:
      `INSERT INTO "${S}" (issuer_id, hour, metric, label, count, sum) ` +
      `SELECT v.column2, v.column3, v.column4, v.column5, sum(v.column6), sum(v.column7) FROM (VALUES ${tuples.join(', ')}) AS v ` +
      `WHERE EXISTS (SELECT 1 FROM "${TRANSACTIONS}" t WHERE t."${transactions.acsTransID.name}" = v.column1) ` +
      `GROUP BY v.column2, v.column3, v.column4, v.column5 ` +
      `ON CONFLICT (issuer_id, hour, metric, label) DO UPDATE SET count = count + excluded.count, sum = sum + excluded.sum`,
    args,
  };
}
