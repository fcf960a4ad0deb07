/**
 * `npx tsx bench/insight.ts`: the dashboard, /metrics and the transaction trail over 1,000,000
 * transactions (issue 13's target: each under 200 ms).
 *
 * Seeds a fresh embedded libSQL file with two issuers and N transactions spread over the last 30
 * days (70 % / 30 % between the issuers; outcomes Y 70 %, C 20 %, N 7 %, R 2 %, U 1 %; two
 * message versions; 50 merchants), with the stats_hourly rows the live path would have written
 * for them (AReqs by outcome and version, ARes latency buckets, challenge results, SMS sends).
 * Then times, each run several times: the dashboard's queries (src/insight/dashboard.ts) for 24 h,
 * 7 d and 30 d per issuer, /metrics' totals (src/insight/metrics.ts), and trail searches
 * (src/trail/search.ts searchTrail): the newest page, a status filter, a merchant prefix, the
 * second page by cursor. Writes bench/results/insight.json and insight.md and prints the table.
 * Not part of CI: it takes minutes.
 *
 *   npx tsx bench/insight.ts                   # 1,000,000 transactions, 15 runs per query
 *   npx tsx bench/insight.ts --rows 100000 --runs 5
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { createClient, type InValue } from '@libsql/client';
import { generateSecret, parseConfig } from '../src/config.ts';
import { createDatabase, tuneEmbeddedDatabase } from '../src/db/client.ts';
import { migrateDatabase } from '../src/db/migrate.ts';
import { WINDOWS } from '../src/insight/calendar.ts';
import { dashboardFigures } from '../src/insight/dashboard.ts';
import { issuerCodes, renderMetrics, statTotals } from '../src/insight/metrics.ts';
import { areqLabel, hourStart, latencyBucket } from '../src/insight/stats.ts';
import { ensureFirstIssuer, insertIssuer, issuerFieldsFromConfig } from '../src/issuers/issuer-store.ts';
import { searchTrail } from '../src/trail/search.ts';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i].replace(/^--/, ''), process.argv[i + 1] ?? '');
const ROWS = Number(args.get('rows') ?? 1_000_000);
const RUNS = Number(args.get('runs') ?? 15);
const DAY = 86_400_000;
const RESULTS = new URL('./results/', import.meta.url).pathname;

// A deterministic generator, so two runs seed the same data.
let seed = 13;
const rand = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
const pick = <T>(weighted: [T, number][]): T => {
  let r = rand();
  for (const [v, w] of weighted) if ((r -= w) < 0) return v;
  return weighted[weighted.length - 1][0];
};

const dir = mkdtempSync(join(tmpdir(), 'mamori-bench-insight-'));
const client = createClient({ url: `file:${join(dir, 'insight.db')}` });
await tuneEmbeddedDatabase(client);
const db = createDatabase(client);
await migrateDatabase(db);
const now = Date.UTC(2026, 11, 1, 3, 30, 0);
const config = parseConfig({ NODE_ENV: 'test', PAN_LOOKUP_KEY: generateSecret(), PAN_ENCRYPTION_KEY: generateSecret(), AUTH_VALUE_KEY: generateSecret(), SESSION_SECRET: generateSecret() });
const first = await ensureFirstIssuer({ db, config, clock: { now: () => now } });
const second = await insertIssuer(db, { ...issuerFieldsFromConfig(config), code: 'kita', nameJa: 'きたぐにカード', nameEn: 'Kitaguni Card' }, now);

// ─── Seeding ────────────────────────────────────────────────────────────────────
const COLUMNS = [
  'acs_trans_id', 'three_ds_server_trans_id', 'ds_trans_id', 'message_version', 'device_channel', 'message_category', 'areq_digest', 'card_id', 'issuer_id',
  'pan_hash', 'pan_cipher', 'pan_first6', 'pan_last4', 'brand', 'purchase_amount', 'purchase_currency', 'merchant_name', 'trans_status', 'trans_status_reason',
  'final_trans_status', 'challenge_method', 'state', 'areq', 'ares', 'created_at', 'updated_at',
];
const PER_STATEMENT = Math.floor(30_000 / COLUMNS.length);
const MERCHANTS = Array.from({ length: 50 }, (_, i) => `Shop ${String.fromCharCode(65 + (i % 26))}${i} 株式会社`);
const stats = new Map<string, number[]>();
const count = (issuerId: number, at: number, metric: string, label: string, sum = 0) => {
  const key = `${issuerId}\u0000${hourStart(at)}\u0000${metric}\u0000${label}`;
  const s = stats.get(key);
  if (s) {
    s[0]++;
    s[1] += sum;
  } else stats.set(key, [1, sum]);
};

const seedStart = performance.now();
let tx = await client.transaction('write');
for (let done = 0; done < ROWS; ) {
  const n = Math.min(PER_STATEMENT, ROWS - done);
  const values: InValue[] = [];
  for (let i = 0; i < n; i++) {
    const k = done + i;
    const issuerId = rand() < 0.7 ? first.id : second.id;
    const at = now - Math.floor(rand() * 30 * DAY);
    const status = pick<string>([['Y', 0.7], ['C', 0.2], ['N', 0.07], ['R', 0.02], ['U', 0.01]]);
    const version = rand() < 0.6 ? '2.2.0' : '2.3.1';
    const final = status === 'C' ? pick<string>([['Y', 0.85], ['N', 0.15]]) : null;
    const last4 = String(k % 10_000).padStart(4, '0');
    const brand = issuerId === second.id ? 'visa' : rand() < 0.5 ? 'jcb' : 'mastercard';
    const id = crypto.randomUUID();
    values.push(
      id, crypto.randomUUID(), crypto.randomUUID(), version, '02', '01', 'x'.repeat(64), (k % 200_000) + 1, issuerId,
      `h${k % 200_000}`, 'c'.repeat(60), '356999', last4, brand, String(1000 + (k % 90_000)), '392', MERCHANTS[k % 50], status,
      status === 'N' ? '01' : status === 'R' ? '10' : status === 'U' ? '03' : null, final, status === 'C' ? 'sms_otp' : null,
      status === 'C' ? (final === 'Y' ? 'rreq_delivered' : 'failed') : 'ares_sent', `{"messageType":"AReq","acctNumber":"356999******${last4}"}`, `{"messageType":"ARes","transStatus":"${status}"}`, at, at,
    );
    count(issuerId, at, 'areq', areqLabel(status, version));
    const ms = Math.exp(1.5 + rand() * 2.5); // 4 ms to 55 ms, a long-ish tail
    count(issuerId, at, 'ares_ms', latencyBucket(ms), Math.round(ms));
    if (status === 'C') {
      count(issuerId, at, 'challenge', final === 'Y' ? 'succeeded' : pick([['failed', 0.4], ['timed_out', 0.4], ['cancelled', 0.2]]));
      count(issuerId, at, 'sms', rand() < 0.98 ? 'sent' : 'failed');
    }
  }
  const tuple = `(${COLUMNS.map(() => '?').join(',')})`;
  await tx.execute({ sql: `INSERT INTO transactions (${COLUMNS.join(',')}) VALUES ${Array.from({ length: n }, () => tuple).join(',')}`, args: values });
  done += n;
  if (done % 100_000 < PER_STATEMENT) {
    await tx.commit();
    tx = await client.transaction('write');
    process.stdout.write(`\rseeded ${done.toLocaleString('en-US')} transactions`);
  }
}
await tx.commit();
const statRows = [...stats.entries()].map(([key, [n, sum]]) => [...key.split('\u0000'), n, sum]);
tx = await client.transaction('write');
for (let i = 0; i < statRows.length; i += 4000) {
  const chunk = statRows.slice(i, i + 4000);
  await tx.execute({
    sql: `INSERT INTO stats_hourly (issuer_id, hour, metric, label, count, sum) VALUES ${chunk.map(() => '(?,?,?,?,?,?)').join(',')}`,
    args: chunk.flatMap(([issuer, hour, metric, label, n, sum]) => [Number(issuer), Number(hour), metric, label, n, sum] as InValue[]),
  });
}
await tx.commit();
await client.execute('ANALYZE');
const seedSeconds = (performance.now() - seedStart) / 1000;
console.log(`\rseeded ${ROWS.toLocaleString('en-US')} transactions and ${statRows.length.toLocaleString('en-US')} stats rows in ${seedSeconds.toFixed(1)} s`);

// ─── Timing ─────────────────────────────────────────────────────────────────────
interface Timed {
  query: string;
  medianMs: number;
  maxMs: number;
  rows: number;
}
const results: Timed[] = [];
async function time(query: string, run: () => Promise<number>) {
  await run(); // warm the page cache and the statement cache
  const ms: number[] = [];
  let rows = 0;
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    rows = await run();
    ms.push(performance.now() - start);
  }
  ms.sort((a, b) => a - b);
  const r = { query, medianMs: ms[Math.floor(ms.length / 2)], maxMs: ms[ms.length - 1], rows };
  results.push(r);
  console.log(`${query.padEnd(58)} median ${r.medianMs.toFixed(1).padStart(7)} ms   max ${r.maxMs.toFixed(1).padStart(7)} ms`);
}

for (const issuer of [first, second]) {
  for (const window of WINDOWS) {
    await time(`dashboard ${window}, issuer ${issuer.code}`, async () => (await dashboardFigures(db, issuer.id, window, now, issuer.timeZone)).areqs);
  }
}
await time('/metrics totals and text', async () => {
  const totals = await statTotals(db);
  renderMetrics(totals, await issuerCodes(db), { smsBreaker: 0, timersDue: 0 });
  return totals.length;
});
const scope = { issuerIds: [first.id] };
await time('trail: newest 50 of an issuer', async () => (await searchTrail(db, scope, {}, { limit: 50 })).rows.length);
await time('trail: transStatus N, last 7 days', async () => (await searchTrail(db, scope, { transStatus: 'N', from: now - 7 * DAY }, { limit: 50 })).rows.length);
await time('trail: merchant prefix "Shop C2", last 30 days', async () => (await searchTrail(db, scope, { merchant: { text: 'Shop C2', match: 'prefix' }, from: now - 30 * DAY }, { limit: 50 })).rows.length);
await time('trail: last four 0042', async () => (await searchTrail(db, scope, { panLast4: '0042' }, { limit: 50 })).rows.length);
const page1 = await searchTrail(db, scope, { brand: 'jcb' }, { limit: 50 });
await time('trail: brand jcb, second page by cursor', async () => (await searchTrail(db, scope, { brand: 'jcb' }, { after: page1.next, limit: 50 })).rows.length);
await time('trail: platform (all issuers), newest 50', async () => (await searchTrail(db, { issuerIds: 'all' }, {}, { limit: 50 })).rows.length);

const report = {
  date: new Date().toISOString(),
  machine: { cores: cpus().length, cpu: cpus()[0]?.model ?? '', memoryGb: Math.round(totalmem() / 2 ** 30), node: process.version, os: release() },
  transactions: ROWS,
  statsRows: statRows.length,
  seedSeconds,
  runs: RUNS,
  results,
};
const md = [
  `Machine: ${report.machine.cores} cores (${report.machine.cpu}), ${report.machine.memoryGb} GB, Node ${report.machine.node}; embedded libSQL file; ${report.date.slice(0, 10)}.`,
  `${ROWS.toLocaleString('en-US')} transactions over 30 days, 2 issuers, ${statRows.length.toLocaleString('en-US')} stats_hourly rows (seeded in ${seedSeconds.toFixed(0)} s); ${RUNS} timed runs per query after one warm-up. Target: < 200 ms each.`,
  '',
  'rows: the AReqs a dashboard window counts, the series /metrics reports, the rows a trail page returns.',
  '',
  '| query | median ms | max ms | rows |',
  '|---|---:|---:|---:|',
  ...results.map((r) => `| ${r.query} | ${r.medianMs.toFixed(1)} | ${r.maxMs.toFixed(1)} | ${r.rows} |`),
  '',
].join('\n');
writeFileSync(join(RESULTS, 'insight.json'), JSON.stringify(report, null, 2) + '\n');
writeFileSync(join(RESULTS, 'insight.md'), md);
console.log(`\n${md}`);
client.close();
rmSync(dir, { recursive: true, force: true });
