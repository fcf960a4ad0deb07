/**
 * What GET /metrics reports, in the Prometheus text format (version 0.0.4, which OpenMetrics
 * scrapers read too). Counters and histograms are sums of stats_hourly rows (one GROUP BY over the
 * aggregates, never a scan of transactions), so every process and isolate reports the same
 * totals: they live in the database. Gauges are read at scrape time (SMS breaker, due timers).
 */
import { and, count, isNull, lte, sql } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { issuers, timers } from '../db/schema.ts';
import type { AppDeps } from '../deps.ts';
import { breakerView, readBreaker } from '../messaging/breaker.ts';
import { INF, LATENCY_BUCKETS_MS, splitLabel, type StatMetric } from './stats.ts';

export interface StatTotal {
  issuerId: number;
  metric: string;
  label: string;
  count: number;
  sum: number;
}

export interface Gauges {
  /** 0 closed, 1 half-open, 2 open. */
  smsBreaker: number;
  timersDue: number;
}

/** Totals per (issuer, metric, label) since the first row. */
export async function statTotals(db: Database): Promise<StatTotal[]> {
  const rows = await db.all<{ issuer_id: number; metric: string; label: string; n: number; s: number }>(
    sql`SELECT issuer_id, metric, label, sum(count) AS n, sum(sum) AS s FROM stats_hourly GROUP BY issuer_id, metric, label`,
  );
  return rows.map((r) => ({ issuerId: Number(r.issuer_id), metric: r.metric, label: r.label, count: Number(r.n), sum: Number(r.s) }));
}

export async function readGauges(deps: Pick<AppDeps, 'db' | 'clock' | 'config' | 'log'>): Promise<Gauges> {
  const now = deps.clock.now();
  const view = breakerView(await readBreaker(deps), now, deps);
  const [{ due }] = await deps.db.select({ due: count() }).from(timers).where(and(isNull(timers.doneAt), lte(timers.dueAt, now)));
  return { smsBreaker: view.state === 'open' ? 2 : view.state === 'half_open' ? 1 : 0, timersDue: due };
}

/** Issuer ids to the codes the labels carry; 0 (no issuer known) is "none". */
export async function issuerCodes(db: Database): Promise<Map<number, string>> {
  const rows = await db.select({ id: issuers.id, code: issuers.code }).from(issuers);
  return new Map([[0, 'none'], ...rows.map((r) => [r.id, r.code] as [number, string])]);
}

interface Family {
  name: string;
  help: string;
  type: 'counter' | 'histogram' | 'gauge';
  lines: string[];
}

/** The exposition text (pure: totals, codes and gauges in, text out). */
export function renderMetrics(totals: StatTotal[], codes: Map<number, string>, gauges: Gauges): string {
  const issuerOf = (id: number) => codes.get(id) ?? `id-${id}`;
  const of = (metric: StatMetric) => totals.filter((t) => t.metric === metric);
  // In the 0.0.4 text format a counter's family is named as its samples are, _total included.
  const counter = (name: string, help: string, metric: StatMetric, labels: (t: StatTotal) => Record<string, string>): Family => ({
    name: `${name}_total`,
    help,
    type: 'counter',
    lines: of(metric).map((t) => `${name}_total${fmt({ issuer: issuerOf(t.issuerId), ...labels(t) })} ${t.count}`),
  });

  const families: Family[] = [
    counter('mamori_areq', 'AReqs answered with an ARes, by outcome (transStatus) and message version.', 'areq', (t) => {
      const [outcome, version] = splitLabel(t.label);
      return { outcome, version };
    }),
    counter('mamori_challenges', 'Challenges ended, by result (succeeded, failed, timed_out, cancelled).', 'challenge', (t) => ({ result: t.label })),
    counter('mamori_lockouts', 'Registrations locked after too many wrong entries.', 'lockout', () => ({})),
    counter('mamori_sms', 'SMS send attempts, by result (sent, failed at the provider, refused by the policy or breaker).', 'sms', (t) => ({ result: t.label })),
    counter('mamori_rreq', 'RReq delivery attempts, by result (delivered, retry, failed).', 'rreq', (t) => ({ result: t.label })),
    counter('mamori_erro', 'Erro messages the ACS sent, by errorCode.', 'erro', (t) => ({ code: t.label })),
    histogram('mamori_ares_latency_ms', 'Time from the AReq arriving to its ARes being ready, in ms.', groupBy(of('ares_ms'), (t) => ({ issuer: issuerOf(t.issuerId) }), (t) => t.label)),
    histogram(
      'mamori_challenge_step_latency_ms',
      'Time from a challenge request arriving to its page being ready, in ms, by step.',
      groupBy(of('challenge_ms'), (t) => ({ step: splitLabel(t.label)[0] }), (t) => splitLabel(t.label)[1]),
    ),
    { name: 'mamori_sms_breaker_state', help: 'The SMS circuit breaker: 0 closed, 1 half-open, 2 open.', type: 'gauge', lines: [`mamori_sms_breaker_state ${gauges.smsBreaker}`] },
    { name: 'mamori_timers_due', help: 'Timers due and not yet done (CReq and challenge timeouts, RReq deliveries).', type: 'gauge', lines: [`mamori_timers_due ${gauges.timersDue}`] },
  ];
  return families.map((f) => [`# HELP ${f.name} ${f.help}`, `# TYPE ${f.name} ${f.type}`, ...f.lines].join('\n')).join('\n') + '\n';
}

/** Per series (its labels): the count in each bucket and the sum. */
type Series = Map<string, { labels: Record<string, string>; buckets: Map<string, number>; sum: number }>;

function groupBy(rows: StatTotal[], labels: (t: StatTotal) => Record<string, string>, bucket: (t: StatTotal) => string): Series {
  const series: Series = new Map();
  for (const t of rows) {
    const l = labels(t);
    const key = fmt(l);
    const s = series.get(key) ?? { labels: l, buckets: new Map(), sum: 0 };
    const b = bucket(t);
    s.buckets.set(b, (s.buckets.get(b) ?? 0) + t.count);
    s.sum += t.sum;
    series.set(key, s);
  }
  return series;
}

/** Prometheus buckets are cumulative: each `le` counts every observation up to its bound. */
function histogram(name: string, help: string, series: Series): Family {
  const lines: string[] = [];
  for (const s of series.values()) {
    let running = 0;
    for (const bound of [...LATENCY_BUCKETS_MS.map(String), INF]) {
      running += s.buckets.get(bound) ?? 0;
      lines.push(`${name}_bucket${fmt({ ...s.labels, le: bound })} ${running}`);
    }
    lines.push(`${name}_sum${fmt(s.labels)} ${s.sum}`, `${name}_count${fmt(s.labels)} ${running}`);
  }
  return { name, help, type: 'histogram', lines };
}

function fmt(labels: Record<string, string>): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}
