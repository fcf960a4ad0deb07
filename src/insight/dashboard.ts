/**
 * The dashboard's figures for one issuer and window, from stats_hourly only: one query for the
 * window's totals per metric and label, one for the AReqs per period and outcome (the periods
 * passed in as a VALUES list, so day boundaries in the issuer's time zone cost nothing extra).
 * What the figures mean (rates, percentiles) is derived in plain functions below.
 */
import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { periodsOf, type Period, type Window } from './calendar.ts';
import { INF, LATENCY_BUCKETS_MS } from './stats.ts';

/** transStatus values in the order the charts show them. */
export const OUTCOMES = ['Y', 'A', 'I', 'C', 'N', 'R', 'U'] as const;
/** Answered without a challenge and not refused: authenticated (Y), attempted (A), informational (I). */
const FRICTIONLESS = new Set(['Y', 'A', 'I']);
export const CHALLENGE_RESULTS = ['succeeded', 'failed', 'timed_out', 'cancelled'] as const;
export const SMS_RESULTS = ['sent', 'failed', 'refused'] as const;

export interface LatencyBucket {
  /** The bucket's upper bound in ms, or "+Inf". */
  bound: string;
  count: number;
}

export interface DashboardFigures {
  window: Window;
  start: number;
  end: number;
  periods: (Period & { byOutcome: Record<string, number> })[];
  /** The outcomes the window has (Y, C and N always, so the table keeps its shape). */
  outcomes: string[];
  areqs: number;
  byOutcome: Record<string, number>;
  /** Shares of all AReqs, 0..1; null without AReqs. */
  frictionlessRate: number | null;
  challengeRate: number | null;
  challenges: Record<(typeof CHALLENGE_RESULTS)[number], number>;
  challengesEnded: number;
  /** Timed out or cancelled. */
  abandoned: number;
  lockouts: number;
  sms: Record<(typeof SMS_RESULTS)[number], number>;
  latency: { buckets: LatencyBucket[]; count: number; sumMs: number; p50: string | null; p95: string | null; p99: string | null };
}

interface Total {
  metric: string;
  label: string;
  n: number;
  s: number;
}

export async function dashboardFigures(db: Database, issuerId: number, window: Window, now: number, timeZone: string): Promise<DashboardFigures> {
  const periods = periodsOf(window, now, timeZone);
  const start = periods[0].start;
  const end = periods[periods.length - 1].end;
  const [totals, series] = await Promise.all([
    db.all<Total>(sql`SELECT metric, label, sum(count) AS n, sum(sum) AS s FROM stats_hourly
      WHERE issuer_id = ${issuerId} AND hour >= ${start} AND hour < ${end} AND metric IN ('areq', 'ares_ms', 'challenge', 'lockout', 'sms')
      GROUP BY metric, label`),
    db.all<{ start: number; outcome: string; n: number }>(sql`SELECT p.column1 AS start, substr(s.label, 1, instr(s.label || '|', '|') - 1) AS outcome, sum(s.count) AS n
      FROM (VALUES ${sql.join(periods.map((p) => sql`(${p.start}, ${p.end})`), sql`, `)}) AS p
      JOIN stats_hourly s ON s.issuer_id = ${issuerId} AND s.metric = 'areq' AND s.hour >= p.column1 AND s.hour < p.column2
      GROUP BY 1, 2`),
  ]);
  return figuresFrom(window, periods, totals.map((t) => ({ ...t, n: Number(t.n), s: Number(t.s) })), series.map((r) => ({ start: Number(r.start), outcome: r.outcome, n: Number(r.n) })));
}

/** The figures from the rows (pure). */
export function figuresFrom(window: Window, periods: Period[], totals: Total[], series: { start: number; outcome: string; n: number }[]): DashboardFigures {
  const sumOf = (metric: string, label?: string) => totals.filter((t) => t.metric === metric && (label === undefined || t.label === label)).reduce((a, t) => a + t.n, 0);
  const byOutcome: Record<string, number> = {};
  for (const t of totals) if (t.metric === 'areq') byOutcome[outcomeOf(t.label)] = (byOutcome[outcomeOf(t.label)] ?? 0) + t.n;
  const areqs = sumOf('areq');
  const outcomes = OUTCOMES.filter((o) => (byOutcome[o] ?? 0) > 0 || o === 'Y' || o === 'C' || o === 'N');
  const frictionless = Object.entries(byOutcome).filter(([o]) => FRICTIONLESS.has(o)).reduce((a, [, n]) => a + n, 0);
  const challenges = Object.fromEntries(CHALLENGE_RESULTS.map((r) => [r, sumOf('challenge', r)])) as DashboardFigures['challenges'];
  const buckets = [...LATENCY_BUCKETS_MS.map(String), INF].map((bound) => ({ bound, count: sumOf('ares_ms', bound) }));
  const count = buckets.reduce((a, b) => a + b.count, 0);
  return {
    window,
    start: periods[0].start,
    end: periods[periods.length - 1].end,
    periods: periods.map((p) => ({
      ...p,
      byOutcome: Object.fromEntries(series.filter((r) => r.start === p.start).map((r) => [r.outcome, r.n])),
    })),
    outcomes,
    areqs,
    byOutcome,
    frictionlessRate: areqs ? frictionless / areqs : null,
    challengeRate: areqs ? (byOutcome.C ?? 0) / areqs : null,
    challenges,
    challengesEnded: CHALLENGE_RESULTS.reduce((a, r) => a + challenges[r], 0),
    abandoned: challenges.timed_out + challenges.cancelled,
    lockouts: sumOf('lockout'),
    sms: Object.fromEntries(SMS_RESULTS.map((r) => [r, sumOf('sms', r)])) as DashboardFigures['sms'],
    latency: {
      buckets,
      count,
      sumMs: totals.filter((t) => t.metric === 'ares_ms').reduce((a, t) => a + t.s, 0),
      p50: percentileBucket(buckets, 0.5),
      p95: percentileBucket(buckets, 0.95),
      p99: percentileBucket(buckets, 0.99),
    },
  };
}

function outcomeOf(label: string): string {
  const at = label.indexOf('|');
  return at < 0 ? label : label.slice(0, at);
}

/**
 * The bucket a percentile falls in (its upper bound, "+Inf" beyond the last): a histogram knows
 * no more than that, so the page says "≤ 25 ms", not a made-up 23.4.
 */
export function percentileBucket(buckets: LatencyBucket[], p: number): string | null {
  const total = buckets.reduce((a, b) => a + b.count, 0);
  if (total === 0) return null;
  const rank = Math.ceil(p * total);
  let running = 0;
  for (const b of buckets) {
    running += b.count;
    if (running >= rank) return b.bound;
  }
  return INF;
}
