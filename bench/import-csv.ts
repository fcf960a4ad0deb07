/**
 * The CSV import on a live appliance: the production build (`npm run build`: dist/node.mjs, as
 * bench/server.ts starts it) answers AReqs offered at a steady rate (open loop, bench/open-loop.ts:
 * a stall delays every AReq due during it, as it would a Directory Server's) while the built tool
 * `node dist/cards.mjs import` loads a generated file of N rows (default 1,000,000) into the same
 * embedded database (with --tsx: the sources through tsx, as `npm start` and `npm run cards` run). Reports the
 * import's wall time and rows/s, and the AReqs' latency (p50/p99/max) and errors during it.
 * The file has no plain PINs (PBKDF2 is slow on purpose): every row is a new card of the demo
 * issuer's JCB or Mastercard range, with kanji and kana names.
 *
 * @example
 *   npx tsx bench/import-csv.ts [--rows 1000000] [--rate 200] [--batch N] [--out NAME] [--profile DIR] [--tsx] [--keep]
 *   (--profile: the import's CPU profiles, main thread and worker, written to DIR by node --cpu-prof;
 *   --keep: leave the file and the database in their temporary folder, which is otherwise removed)
 */
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { HEADER_ROW } from '../src/cards/import/format.ts';
import { withLuhnDigit } from '../src/cards/pan.ts';
import { generateSecret, type Secrets } from '../src/config.ts';
import { areqSource } from './areq-source.ts';
import { importCards } from './import-cards.ts';
import { runOpenLoop } from './open-loop.ts';
import { startBenchServer } from './server.ts';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i++) {
  const value = process.argv[i + 1];
  args.set(process.argv[i].replace(/^--/, ''), value === undefined || value.startsWith('--') ? '' : (i++, value));
}
const rows = Number(args.get('rows') ?? 1_000_000);
const rate = Number(args.get('rate') ?? 200);
const out = args.get('out') ?? 'import-csv';
const batch = args.get('batch'); // default: the CLI's (DEFAULT_BATCH_ROWS)
const profile = args.get('profile');
const tsx = args.has('tsx');
const keep = args.has('keep');
const AREQ_CARDS = 10_000;

if (!tsx) {
  const built = spawnSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
  if (built.status !== 0) throw new Error('npm run build failed');
}

const dir = mkdtempSync(join(tmpdir(), 'mamori-bench-csv-'));
const secrets: Secrets = { PAN_LOOKUP_KEY: generateSecret(), PAN_ENCRYPTION_KEY: generateSecret(), AUTH_VALUE_KEY: generateSecret(), SESSION_SECRET: generateSecret() };
const loadBefore = loadavg()[0];
const log = (line: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
log(`import-csv bench: ${rows.toLocaleString('en-US')} rows, AReqs at ${rate}/s, ${cpus().length} cores, load ${loadavg()[0].toFixed(2)}, in ${dir}`);

// The file: card i in the demo JCB range (even i) or Mastercard range (odd i), BINs of its own.
const file = join(dir, 'cards.csv');
await new Promise<void>((resolve, reject) => {
  const out = createWriteStream(file);
  out.on('error', reject);
  out.write(HEADER_ROW + '\n');
  let i = 0;
  const write = () => {
    while (i < rows) {
      const bin = i % 2 === 0 ? '35699960' : '55999960';
      const pan = withLuhnDigit(bin + String(Math.floor(i / 2)).padStart(7, '0'));
      const line = `B${String(i).padStart(8, '0')},山田 太郎${i % 1000},ヤマダ タロウ,1980-04-01,+8190${String(i).padStart(8, '0')},0,,${pan},3012,,active,,0,,\n`;
      i++;
      if (!out.write(line)) return void out.once('drain', write);
    }
    out.end(resolve);
  };
  write();
});
log(`file: ${(statSync(file).size / 2 ** 20).toFixed(0)} MB`);

const server = await startBenchServer({ dir, secrets, logLevel: 'warn', built: !tsx, env: { VELOCITY_LIMIT_PER_HOUR: '10000' } });
let exitCode = 0;
try {
  // Cards the AReqs are for (enrolled, as bench/run.ts does).
  await importCards({ databaseFile: server.databaseFile, secrets, start: 0, count: AREQ_CARDS });
  const source = areqSource({ cards: AREQ_CARDS, purchaseAmount: '1200', pool: rate * 600 });
  const statuses: Record<string, number> = {};
  const areqLoad = (durationS: number, stopWhen?: Promise<unknown>) =>
    runOpenLoop({
      url: server.baseUrl,
      path: '/3ds/areq',
      rate,
      durationS,
      stopWhen,
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: () => source.next().body,
      onResponse: (status) => (statuses[status] = (statuses[status] ?? 0) + 1),
      onLatency: (dueMs, ms) => {
        const s = Math.floor(dueMs / 1000);
        worst[s] = Math.max(worst[s] ?? 0, ms);
      },
    });
  /** The slowest AReq due in each second of the import: where the stalls were. */
  let worst: number[] = [];
  await areqLoad(3); // steady state first
  for (const k of Object.keys(statuses)) delete statuses[k];
  worst = [];

  const began = performance.now();
  const cli = spawn(process.execPath, [...(profile ? ['--cpu-prof', '--cpu-prof-dir', profile] : []), ...(tsx ? ['--import', 'tsx', 'src/cards/cards-cli.ts'] : ['dist/cards.mjs']), 'import', file, ...(batch ? ['--batch', batch] : [])], {
    env: { ...process.env, ...secrets, NODE_ENV: 'production', PUBLIC_URL: 'https://acs.bench.invalid', DATABASE_URL: `file:${server.databaseFile}` },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  cli.stdout.on('data', (d) => (stdout += d));
  const exited = new Promise<number>((resolve) => cli.on('exit', (c) => resolve(c ?? -1)));
  // AReqs at a constant rate whatever the server does (open loop), for as long as the import runs.
  const during = areqLoad(3600, exited);
  const code = await exited;
  const seconds = (performance.now() - began) / 1000;
  const result = await during;
  const summary = stdout.split('\n')[0];
  const report = {
    // The 1-minute load average before and after: the machine may be shared with other work.
    machine: { cores: cpus().length, model: cpus()[0]?.model, node: process.version, loadBefore, loadAfter: loadavg()[0] },
    rows,
    importExit: code,
    importSeconds: seconds,
    rowsPerSecond: rows / seconds,
    cli: summary,
    areq: {
      offeredPerSecond: rate,
      offered: result.sent + result.dropped,
      answered: result.completed,
      p50: result.latencyMs.p50,
      p99: result.latencyMs.p99,
      max: result.latencyMs.max,
      errors: result.errors,
      errorKinds: result.errorKinds,
      dropped: result.dropped,
      non2xx: result.non2xx,
      statuses,
      worstPerSecond: worst.map((ms) => Math.round(ms)),
    },
  };
  log(summary);
  log(
    `load ${loadBefore.toFixed(2)} → ${loadavg()[0].toFixed(2)}; import: ${rows.toLocaleString('en-US')} rows in ${seconds.toFixed(1)} s (${Math.round(report.rowsPerSecond).toLocaleString('en-US')} rows/s, exit ${code}); ` +
      `AReqs during it (open loop, ${rate}/s, latency from the moment each was due): ${report.areq.answered} answered of ${report.areq.offered} offered, p50 ${report.areq.p50.toFixed(1)} ms, p99 ${report.areq.p99.toFixed(1)} ms, max ${report.areq.max.toFixed(1)} ms, errors ${result.errors}, dropped ${result.dropped}, non-2xx ${result.non2xx}`,
  );
  const results = new URL('./results/', import.meta.url).pathname;
  mkdirSync(results, { recursive: true });
  writeFileSync(join(results, `${out}.json`), JSON.stringify(report, null, 2) + '\n');
  if (code !== 0) exitCode = 1;
} finally {
  await server.stop();
  // The file and the database are about 1 GB at 1M rows: gone unless asked to stay (--keep).
  if (keep) log(`kept ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
}
process.exit(exitCode);
