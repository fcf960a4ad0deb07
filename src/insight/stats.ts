/**
 * Running aggregates (stats_hourly): one row per issuer, hour, metric and label, incremented by
 * UPSERT with the event it counts, so the dashboard and /metrics read a few hundred rows instead
 * of scanning transactions. Every writer of these rows goes through this module.
 *
 * @example
 *   await countStat(db, { issuerId: 1, at: now, metric: 'lockout' });
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Database } from '../db/client.ts';

export const HOUR_MS = 3_600_000;

/** What is counted; the label narrows it (an outcome, a status, a latency bucket). */
export type StatMetric =
  /** label: transStatus|messageVersion, e.g. "Y|2.2.0" (areqLabel) */
  | 'areq'
  /** label: the histogram bucket's upper bound in ms ("+Inf" for the last); sum: the latencies */
  | 'ares_ms'
  /** label: succeeded | failed | timed_out | cancelled */
  | 'challenge'
  | 'lockout'
  /** label: sent | failed | refused (the provider's status; refused: the policy or breaker stopped it) */
  | 'sms'
  /** label: delivered | retry | failed */
  | 'rreq'
  /** label: the errorCode of an Erro the ACS sent */
  | 'erro'
  /** label: step|bucket, e.g. "submit|25" (challengeLatencyLabel); sum: the latencies */
  | 'challenge_ms';

export interface StatIncrement {
  /** null or unknown: 0, "no issuer" (an Erro before the card was known). */
  issuerId: number | null | undefined;
  at: number;
  metric: StatMetric;
  label?: string;
  /** How many to add (default 1). */
  count?: number;
  /** Added to `sum` (latencies in ms). */
  sum?: number;
}

export function hourStart(at: number): number {
  return Math.floor(at / HOUR_MS) * HOUR_MS;
}

/** The UPSERT for one increment, for a caller's db.batch (a Drizzle batch item). */
export function statStatement(db: Pick<Database, 'run'>, inc: StatIncrement) {
  return db.run(sql`INSERT INTO stats_hourly (issuer_id, hour, metric, label, count, sum)
    VALUES (${inc.issuerId ?? 0}, ${hourStart(inc.at)}, ${inc.metric}, ${inc.label ?? ''}, ${inc.count ?? 1}, ${inc.sum ?? 0})
    ON CONFLICT (issuer_id, hour, metric, label) DO UPDATE SET count = count + excluded.count, sum = sum + excluded.sum`);
}

/** Counts one event on its own (when there is no batch to join). */
export async function countStat(db: Pick<Database, 'run'>, inc: StatIncrement): Promise<void> {
  await statStatement(db, inc);
}

/** A transaction's issuer in SQL: its own, or (rows from before issuers) the install's first one. */
const issuerOfTransaction = (acsTransID: string) =>
  sql`(SELECT coalesce(t.issuer_id, (SELECT min(id) FROM issuers), 0) FROM transactions t WHERE t.acs_trans_id = ${acsTransID})`;

/**
 * The UPSERT for an increment of a transaction's issuer, found in SQL (the caller knows only the
 * acsTransID: an SMS, an RReq, an ending); issuer 0 when there is no such transaction. With
 * `onlyIf`, nothing is counted unless it holds (a condition on the batch's earlier statements).
 */
export function transactionStatStatement(db: Pick<Database, 'run'>, acsTransID: string | null | undefined, inc: Omit<StatIncrement, 'issuerId'> & { issuerId?: number | null }, onlyIf?: SQL) {
  const issuer = inc.issuerId != null ? sql`${inc.issuerId}` : acsTransID ? sql`coalesce(${issuerOfTransaction(acsTransID)}, 0)` : sql`0`;
  return db.run(sql`INSERT INTO stats_hourly (issuer_id, hour, metric, label, count, sum)
    SELECT ${issuer}, ${hourStart(inc.at)}, ${inc.metric}, ${inc.label ?? ''}, ${inc.count ?? 1}, ${inc.sum ?? 0}
    WHERE ${onlyIf ?? sql`1`}
    ON CONFLICT (issuer_id, hour, metric, label) DO UPDATE SET count = count + excluded.count, sum = sum + excluded.sum`);
}

/**
 * "The statement just before this one changed exactly one row" (SQLite's changes()), for counting
 * an event only when the batch's guarded move before it happened: a repeat that moves nothing
 * (a retried timer) counts nothing.
 */
export const previousStatementChangedARow: SQL = sql`changes() = 1`;

// ─── Latency histograms ─────────────────────────────────────────────────────────

/** Upper bounds (ms, inclusive) of the latency histograms' buckets; beyond the last: "+Inf". */
export const LATENCY_BUCKETS_MS = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500] as const;
export const INF = '+Inf';

/** The bucket label an observation falls in: the smallest bound it does not exceed. */
export function latencyBucket(ms: number): string {
  for (const bound of LATENCY_BUCKETS_MS) if (ms <= bound) return String(bound);
  return INF;
}

/** The histogram's increment for one observation (sum kept in whole ms). */
export function latencyIncrement(metric: 'ares_ms', issuerId: number | null | undefined, at: number, ms: number): StatIncrement {
  return { issuerId, at, metric, label: latencyBucket(ms), sum: Math.round(ms) };
}

/** The 'areq' label: the outcome and the message version in one column ("Y|2.2.0"). */
export function areqLabel(transStatus: string, messageVersion: string): string {
  return `${transStatus}|${messageVersion}`;
}

export function splitLabel(label: string): [string, string] {
  const at = label.indexOf('|');
  return at < 0 ? [label, ''] : [label.slice(0, at), label.slice(at + 1)];
}

/** The 'challenge_ms' label: the challenge step and its latency bucket ("submit|25"). */
export function challengeLatencyLabel(step: string, ms: number): string {
  return `${step}|${latencyBucket(ms)}`;
}
