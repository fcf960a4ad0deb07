/**
 * Running aggregates (stats_hourly): one row per issuer, hour, metric and label, incremented by
 * UPSERT with the event it counts, so the dashboard and /metrics read a few hundred rows instead
 * of scanning transactions. Every writer of these rows goes through this module.
 *
 * @example
 *   await countStat(db, { issuerId: 1, at: now, metric: 'lockout' });
 */
import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.ts';

export const HOUR_MS = 3_600_000;

/** What is counted; the label narrows it (an outcome, a status, a latency bucket). */
export type StatMetric =
  /** label: transStatus, or transStatus/reason */
  | 'areq'
  /** label: the histogram bucket's upper bound in ms; sum: the latencies */
  | 'ares_ms'
  /** label: succeeded | failed | timed_out | cancelled */
  | 'challenge'
  | 'lockout'
  /** label: sent | failed | refused (the provider's status) */
  | 'sms'
  /** label: delivered | retry | failed */
  | 'rreq'
  /** label: the errorCode */
  | 'erro'
  /** label: the step (page, submit, resend); sum: the latencies */
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
