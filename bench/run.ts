/**
 * `npm run bench`: the appliance's load and scale benchmark (issue 7).
 *
 * Builds the production server (`npm run build`, scripts/build.mjs) and starts it as
 * `npm run start:prod` does (production mode, fresh embedded libSQL file, demo issuer), imports
 * enrolled bench cards with bench/import-cards.ts, starts the naive prototype (bench/prototype.ts:
 * the same cards, its own file) beside it, and drives them with autocannon on 127.0.0.1 at 50
 * connections, each scenario for a fixed time after a short warm-up:
 *   1. GET /healthz: bare Hono on the prototype, then Mamori's (which asks the database);
 *   2. frictionless AReqs (distinct, valid 2.2.0 browser AReqs) over 10,000 cards: prototype, Mamori;
 *   3. the same AReqs on a single connection, for the latency of an AReq when nothing queues;
 *   4. an open-loop offered load of 500 AReqs/s (bench/open-loop.ts): prototype, Mamori;
 *   5. AReqs answered C, each followed by its CReq rendering the challenge page;
 *   6. whole challenges (bench/challenge-flow.ts): AReq C, CReq and first page, the right SMS code
 *      submitted, final CRes and the RReq to a Directory Server in the bench;
 *   7. scenario 2 again after importing 1,000,000 more cards (the import is timed, with progress;
 *      the server is stopped for it and started again on the same database).
 * The server's RSS is sampled every 50 ms throughout (peak per scenario).
 * After each AReq scenario the database is asked what was stored, so the table shows that every
 * ARes that left was recorded. Writes bench/results/latest.json and latest.md (quick runs:
 * quick.json and quick.md; runs with --only: partial.json and partial.md) and prints the table.
 *
 *   npm run bench                       # full run: 20 s per scenario, 1,000,000 cards
 *   npm run bench -- --quick            # a few seconds per scenario, 20,000 cards (CI)
 *   npm run bench -- --profile          # also write the server's V8 CPU profile into bench/results/profiles/
 *   options: --duration S  --warmup S  --connections N  --cards N (scenario 2)  --scale-cards N (scenario 4)
 *            --log-level info|warn|…  --only healthz,frictionless,single,offered,challenge,flow,scale  --keep (keep the database)
 *            --rate N (offered load, AReqs/s; default 500)  --flow-users N (virtual cardholders; default 200)
 *            --no-prototype (Mamori alone)  --tsx (run the TypeScript sources as `npm start` does, not the build)
 *            --server-log FILE (the server's log lines there, not in server.log in the bench's folder)
 *            --heap-mb N (start the server with node --max-old-space-size=N, as an operator may, to bound its RSS)
 *            --rules N (publish an N-rule set for the bench issuer first: bench/risk-rules.ts; default: the engine's defaults)
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@libsql/client';
import type { Request } from 'autocannon';
import { generateSecret, type Secrets } from '../src/config.ts';
import { encodeJsonBase64Url } from '../src/protocol/base64url.ts';
import { areqSource, type AReqSource } from './areq-source.ts';
import { importCards, progressLine } from './import-cards.ts';
import { runChallengeFlow, rreqReceiver } from './challenge-flow.ts';
import { runLoad, Samples, type Latency } from './load.ts';
import { runOpenLoop } from './open-loop.ts';
import { publishBenchRules } from './risk-rules.ts';
import { browserAReq } from '../src/sandbox/areq-builder.ts';
import { benchPan, MAX_BENCH_CARDS } from './cards.ts';
import { markdownReport, type BenchReport, type ScenarioReport } from './report.ts';
import { startBenchServer, startPrototype, type BenchServer } from './server.ts';

const args = parseArgs(process.argv.slice(2));
const quick = args.has('quick');
const settings = {
  quick,
  durationS: Number(args.get('duration') ?? (quick ? 3 : 20)),
  warmupS: Number(args.get('warmup') ?? (quick ? 1 : 3)),
  connections: Number(args.get('connections') ?? 50),
  cards: Number(args.get('cards') ?? 10_000),
  scaleCards: Number(args.get('scale-cards') ?? (quick ? 20_000 : 1_000_000)),
  logLevel: args.get('log-level') ?? 'info',
  profile: args.has('profile'),
  only: args.get('only')?.split(',') ?? ['healthz', 'frictionless', 'single', 'offered', 'challenge', 'flow', 'scale'],
  rules: args.has('rules') ? Number(args.get('rules')) : undefined,
  rate: Number(args.get('rate') ?? 500),
  flowUsers: Number(args.get('flow-users') ?? 200),
  prototype: !args.has('no-prototype'),
  tsx: args.has('tsx'),
  heapMb: args.has('heap-mb') ? Number(args.get('heap-mb')) : undefined,
};
/** Pre-generated AReqs per second of run: far above what two cores can answer. */
const POOL_RATE = 15_000;
const JSON_UTF8 = { 'content-type': 'application/json; charset=utf-8' };
const RESULTS = new URL('./results/', import.meta.url).pathname;
let lastKind = 'AReq';

const dir = mkdtempSync(join(tmpdir(), 'mamori-bench-'));
const secrets: Secrets = { PAN_LOOKUP_KEY: generateSecret(), PAN_ENCRYPTION_KEY: generateSecret(), AUTH_VALUE_KEY: generateSecret(), SESSION_SECRET: generateSecret() };
const profileDir = settings.profile ? join(RESULTS, 'profiles') : undefined;
if (profileDir) mkdirSync(profileDir, { recursive: true });

log(`mamori bench${quick ? ' (quick)' : ''}: ${cpus().length} cores, Node ${process.version}, load average ${loadavg()[0].toFixed(2)}, database in ${dir}`);
if (!settings.tsx) {
  // The production build, as `npm run build` makes it: the bench measures what production runs.
  const built = spawnSync(process.execPath, ['scripts/build.mjs'], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  if (built.status !== 0) throw new Error('npm run build failed');
  log(built.stdout.trim());
}
// The Directory Server the appliance sends its RReqs to (every brand), answering RRes.
const ds = await rreqReceiver();
const serverOptions = {
  built: !settings.tsx,
  dir,
  secrets,
  logLevel: settings.logLevel,
  cpuProfileDir: profileDir,
  logFile: args.get('server-log'),
  heapMb: settings.heapMb,
  // Random cards from a pool of 10,000 get several AReqs an hour under this load; the velocity
  // rule still runs on every AReq, its limit is only raised so that they stay frictionless.
  // The SMS limits per phone, per client address (every bench request comes from 127.0.0.1) and
  // per BIN are raised the same way, so that every challenge sends its code.
  env: {
    VELOCITY_LIMIT_PER_HOUR: '10000',
    SMS_LIMIT_PER_PHONE: '1000/1h',
    SMS_LIMIT_PER_IP: '10000000/1h',
    SMS_LIMIT_PER_BIN: '10000000/1h',
    DS_URL_JCB: ds.url,
    DS_URL_VISA: ds.url,
    DS_URL_MASTERCARD: ds.url,
  },
};
let server = await startBenchServer(serverOptions);
const report: BenchReport = {
  date: new Date().toISOString(),
  quick,
  machine: {
    cores: cpus().length,
    cpu: cpus()[0]?.model ?? 'unknown',
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    os: `${process.platform} ${release()}`,
    // Other work on the machine competes for the same cores: the 1-minute load average before the run.
    loadBefore: Number(loadavg()[0].toFixed(2)),
  },
  settings: {
    connections: settings.connections,
    durationS: settings.durationS,
    warmupS: settings.warmupS,
    logLevel: settings.logLevel,
    nodeEnv: 'production',
    rules: settings.rules,
    server: (settings.tsx ? 'tsx src/entry/node.ts (npm start)' : 'node dist/node.mjs (npm run build, npm run start:prod)') + (settings.heapMb ? `, --max-old-space-size=${settings.heapMb}` : ''),
  },
  imports: [],
  scenarios: [],
  offered: [],
};
let prototype: BenchServer | undefined;

try {
  server.takePeakRss();
  report.imports.push(await importBenchCards('initial', 0, settings.cards));
  if (settings.rules !== undefined) {
    // The first issuer is made on the appliance's first read of the issuer settings: one AReq for a
    // card not on file does it without assessing anything (so no rule set is read and kept yet).
    const notOnFile = browserAReq({ pan: benchPan(MAX_BENCH_CARDS - 1), purchaseAmount: '1200' });
    await fetch(`${server.baseUrl}/3ds/areq`, { method: 'POST', headers: JSON_UTF8, body: JSON.stringify(notOnFile) });
    const issuers = await publishBenchRules(join(dir, 'mamori.db'), settings.rules);
    log(`published a ${settings.rules}-rule set for ${issuers} issuer${issuers === 1 ? '' : 's'}`);
  }

  const withPrototype = settings.prototype && ['healthz', 'frictionless', 'offered'].some((s) => settings.only.includes(s));
  if (withPrototype) {
    prototype = await startPrototype({ dir, panLookupKey: secrets.PAN_LOOKUP_KEY, cards: settings.cards, cpuProfileDir: profileDir, tsx: settings.tsx });
    log(`prototype (bench/prototype.ts) listening on ${prototype.baseUrl}`);
  }
  const healthz = () => ({ requests: [{ method: 'GET', path: '/healthz' }], tally: {} });
  if (settings.only.includes('healthz')) {
    if (prototype) await scenario('prototype-healthz', 'prototype: GET /healthz (bare Hono)', 0, healthz, { on: prototype });
    await scenario('healthz', 'GET /healthz', 0, healthz);
  }
  if (settings.only.includes('frictionless')) {
    if (prototype) await scenario('prototype-frictionless', `prototype: frictionless AReq, ${fmt(settings.cards)} cards`, settings.cards, (pool) => frictionless(settings.cards, pool), { on: prototype });
    await scenario('frictionless', `frictionless AReq, ${fmt(settings.cards)} cards`, settings.cards, (pool) => frictionless(settings.cards, pool));
  }
  if (settings.only.includes('single')) {
    // One connection: the time an AReq takes when nothing queues (at 50 connections each AReq
    // waits for the ones ahead of it: latency ≈ 50 / throughput).
    await scenario('frictionless-single', `frictionless AReq, 1 connection, ${fmt(settings.cards)} cards`, settings.cards, (pool) => frictionless(settings.cards, pool), { connections: 1 });
  }
  if (settings.only.includes('offered')) {
    if (prototype) await offered('prototype', prototype);
    await offered('mamori', server);
  }
  if (prototype) {
    await prototype.stop();
    prototype = undefined;
  }
  if (settings.only.includes('challenge')) {
    await scenario('challenge', `AReq → C + CReq → challenge page, ${fmt(settings.cards)} cards`, settings.cards, (pool) => challenge(settings.cards, pool), { kindOfLastResponse: areqCreqKind });
  }
  if (settings.only.includes('flow')) await challengeFlow();
  if (settings.only.includes('scale')) {
    // The large import runs with the appliance stopped, then it starts again on the same database.
    // (Imported into a running appliance, the sweeper's statements meet SQLITE_BUSY and a pooled
    // connection can be left reading an old snapshot: see the README's benchmark notes.)
    log('stopping the server for the import');
    await server.stop();
    report.imports.push(await importBenchCards('scale (appliance stopped)', settings.cards, settings.scaleCards, false));
    server = await startBenchServer(serverOptions);
    const total = settings.cards + settings.scaleCards;
    await scenario('frictionless-scale', `frictionless AReq, ${fmt(total)} cards`, total, (pool) => frictionless(total, pool));
  }
  const find = (id: string) => report.scenarios.find((s) => s.id === id);
  const healthzRun = find('healthz');
  const frictionlessRun = find('frictionless');
  const scaleRun = find('frictionless-scale');
  const rate = (a?: ScenarioReport, b?: ScenarioReport) => (a && b ? a.load.rps / b.load.rps : undefined);
  const flow = report.challengeFlow;
  report.ratios = {
    frictionlessToHealthz: rate(frictionlessRun, healthzRun),
    scaleToFrictionless: rate(scaleRun, frictionlessRun),
    frictionlessToPrototype: rate(frictionlessRun, find('prototype-frictionless')),
    healthzToBareHono: rate(healthzRun, find('prototype-healthz')),
    challengesToFrictionless: flow && frictionlessRun ? flow.completedPerSecond / frictionlessRun.load.rps : undefined,
    // Capacity by CPU: frictionless CPU per AReq over CPU per completed challenge (not bounded by the users' pace).
    challengeCpuToFrictionless: flow && frictionlessRun && flow.serverCpuMsPerChallenge > 0 ? cpuMsPerRequest(frictionlessRun) / flow.serverCpuMsPerChallenge : undefined,
  };
} finally {
  await prototype?.stop();
  await server.stop();
  await ds.close();
  const mamoriRuns = [...report.scenarios.filter((s) => !s.id.startsWith('prototype')), ...report.offered.filter((o) => o.server === 'mamori'), ...(report.challengeFlow ? [report.challengeFlow] : [])];
  report.serverPeakHwmMb = mamoriRuns.reduce((m, s) => Math.max(m, s.hwmMb), 0);
  report.serverPeakRssMb = mamoriRuns.reduce((m, s) => Math.max(m, s.peakRssMb), 0);
  if (!args.has('keep')) rmSync(dir, { recursive: true, force: true });
  else log(`database kept in ${dir}`);
}

mkdirSync(RESULTS, { recursive: true });
// Only a full run replaces latest.*, the results the README quotes; a run of some scenarios writes partial.*.
const name = args.get('out') ?? (quick ? 'quick' : args.has('only') ? 'partial' : 'latest');
const markdown = markdownReport(report);
writeFileSync(join(RESULTS, `${name}.json`), JSON.stringify(report, null, 2) + '\n');
writeFileSync(join(RESULTS, `${name}.md`), markdown);
console.log('\n' + markdown);
log(`wrote bench/results/${name}.json and ${name}.md`);

// ─── scenarios ──────────────────────────────────────────────────────────────────

type Build = (pool: number) => { requests: Request[]; source?: AReqSource; tally: Tally };

async function scenario(
  id: string,
  title: string,
  cards: number,
  build: Build,
  { kindOfLastResponse, connections = settings.connections, on }: { kindOfLastResponse?: () => string; connections?: number; on?: BenchServer } = {},
): Promise<void> {
  const target = on ?? server;
  log(`${title}: warm-up ${settings.warmupS} s, then ${settings.durationS} s at ${connections} connection${connections === 1 ? '' : 's'}`);
  const pool = POOL_RATE * settings.durationS;
  if (settings.warmupS > 0) {
    await runLoad({ url: target.baseUrl, connections, durationS: settings.warmupS, requests: build(POOL_RATE * settings.warmupS).requests });
  }
  const run = build(pool);
  await new Promise((r) => setTimeout(r, 250)); // let the warm-up's last answers land before the clock starts
  target.takePeakRss();
  const since = Date.now();
  const cpu0 = target.cpuSeconds();
  const client0 = process.cpuUsage();
  const load = await runLoad({ url: target.baseUrl, connections, durationS: settings.durationS, requests: run.requests, kindOfLastResponse });
  const serverCpu = (target.cpuSeconds() - cpu0) / load.durationS;
  const clientUsage = process.cpuUsage(client0);
  const rss = target.takePeakRss();
  const memory = target.memoryBreakdown();
  const stored = id === 'healthz' || target !== server ? undefined : await storedSince(target.databaseFile, since);
  const entry: ScenarioReport = {
    id,
    title,
    cards,
    load,
    peakRssMb: rss.peakRssMb,
    hwmMb: rss.hwmMb,
    memoryAtEnd: memory,
    serverCpuCores: serverCpu,
    clientCpuCores: (clientUsage.user + clientUsage.system) / 1e6 / load.durationS,
    answers: Object.keys(run.tally).length ? run.tally : undefined,
    stored,
    areqsMadeLate: run.source?.madeLate,
  };
  report.scenarios.push(entry);
  log(
    `  ${fmt(Math.round(load.rps))} req/s, p50 ${load.latencyMs.p50.toFixed(2)} ms, p99 ${load.latencyMs.p99.toFixed(2)} ms, max ${load.latencyMs.max.toFixed(1)} ms, ` +
      `errors ${load.errors}, non-2xx ${load.non2xx}, peak RSS ${rss.peakRssMb.toFixed(0)} MB (at end: anon ${memory.anonMb.toFixed(0)}, file ${memory.fileMb.toFixed(0)}, shmem ${memory.shmemMb.toFixed(0)}; WAL ${memory.walMb.toFixed(0)} MB), server CPU ${(100 * serverCpu).toFixed(0)}%` +
      (entry.answers ? `, answers ${JSON.stringify(entry.answers)}` : '') +
      (stored ? `, stored ${JSON.stringify(stored)}` : ''),
  );
}

/** Server CPU milliseconds per completed request of a closed-loop run. */
function cpuMsPerRequest(s: ScenarioReport): number {
  return s.load.rps > 0 ? (1000 * s.serverCpuCores) / s.load.rps : 0;
}

/** An open-loop constant rate of frictionless AReqs (bench/open-loop.ts) against one server. */
async function offered(name: 'prototype' | 'mamori', target: BenchServer) {
  const source = areqSource({ cards: settings.cards, purchaseAmount: '1200', pool: Math.ceil(settings.rate * settings.durationS) });
  const tally: Tally = {};
  log(`${name}: frictionless AReqs offered at ${fmt(settings.rate)}/s (open loop) for ${settings.durationS} s`);
  target.takePeakRss();
  const since = Date.now();
  const cpu0 = target.cpuSeconds();
  const logFrom = target.logFile ? statSync(target.logFile).size : 0;
  const result = await runOpenLoop({
    url: target.baseUrl,
    path: '/3ds/areq',
    rate: settings.rate,
    durationS: settings.durationS,
    headers: JSON_UTF8,
    body: () => source.next().body,
    onResponse: (status, body) => void countAnswer(tally, status, body),
  });
  const serverCpuCores = (target.cpuSeconds() - cpu0) / result.durationS;
  const rss = target.takePeakRss();
  await untilAnswered(target, since, result.sent);
  const inServerMs = target.logFile ? areqTimesInLog(target.logFile, logFrom) : undefined;
  report.offered.push({ server: name, ...result, serverCpuCores, peakRssMb: rss.peakRssMb, hwmMb: rss.hwmMb, answers: tally, inServerMs });
  const l = result.latencyMs;
  const own = inServerMs?.count ? `; in the server (its request log) p50 ${inServerMs.p50} ms, p99 ${inServerMs.p99} ms, max ${inServerMs.max} ms` : '';
  log(`  ${fmt(Math.round(result.rps))}/s answered (${fmt(result.dropped)} dropped), p50 ${l.p50.toFixed(2)} ms, p99 ${l.p99.toFixed(2)} ms, max ${l.max.toFixed(1)} ms, errors ${result.errors}, most in flight ${result.maxInFlight}, peak RSS ${rss.peakRssMb.toFixed(0)} MB, answers ${JSON.stringify(tally)}${own}`);
}

/**
 * The AReqs' own times in the server, from its request log (`ms` on each `POST /3ds/areq` line
 * written since byte `from`: from the first middleware to the answer, whole milliseconds). Beside
 * the open loop's latencies (from when each AReq was due) it tells time spent handling an AReq
 * from time spent waiting for the server to get to it.
 */
function areqTimesInLog(file: string, from: number): Latency {
  const samples = new Samples();
  const text = readFileSync(file).subarray(from).toString('utf8');
  for (const line of text.split('\n')) {
    if (!line.includes('"/3ds/areq"')) continue;
    try {
      const entry = JSON.parse(line) as { path?: string; ms?: number };
      if (entry.path === '/3ds/areq' && typeof entry.ms === 'number') samples.add(entry.ms);
    } catch {
      // a line cut at the end of the file
    }
  }
  return samples.summary();
}

/**
 * Waits until the server has recorded every AReq it was sent since `since` (it still answers the
 * ones a client gave up on, and the next scenario must not inherit that work): until the count
 * reaches `sent`, stops growing for 2 s, or a minute passes. Both servers keep `transactions.created_at` in ms.
 */
async function untilAnswered(target: BenchServer, since: number, sent: number) {
  const client = createClient({ url: `file:${target.databaseFile}` });
  try {
    let last = -1;
    let still = 0;
    for (let i = 0; i < 120 && still < 4; i++) {
      const n = Number((await client.execute({ sql: 'SELECT count(*) AS n FROM transactions WHERE created_at >= ?', args: [since] })).rows[0].n);
      if (n >= sent) return;
      still = n === last ? still + 1 : 0;
      last = n;
      await new Promise((r) => setTimeout(r, 500));
    }
  } finally {
    client.close();
  }
}

/** Whole challenges (bench/challenge-flow.ts), with the server's CPU and RSS meanwhile. */
async function challengeFlow() {
  const users = settings.flowUsers;
  log(`whole challenges (AReq C, CReq, SMS code, submit, final CRes, RReq): ${users} cardholders, warm-up ${settings.warmupS} s, then ${settings.durationS} s`);
  // Enough AReqs for far more challenges than two cores can complete.
  const pool = () => areqSource({ cards: settings.cards, purchaseAmount: '50000', pool: 3000 * Math.max(settings.durationS, settings.warmupS) });
  const options = { url: server.baseUrl, users, databaseFile: server.databaseFile, rreqs: ds.rreqs };
  if (settings.warmupS > 0) await runChallengeFlow({ ...options, durationS: settings.warmupS, source: pool() });
  const source = pool();
  server.takePeakRss();
  const cpu0 = server.cpuSeconds();
  const result = await runChallengeFlow({ ...options, durationS: settings.durationS, source });
  const serverCpuCores = (server.cpuSeconds() - cpu0) / result.durationS;
  const rss = server.takePeakRss();
  const serverCpuMsPerChallenge = result.completed > 0 ? (1000 * serverCpuCores * result.durationS) / result.completed : 0;
  report.challengeFlow = { ...result, serverCpuCores, serverCpuMsPerChallenge, peakRssMb: rss.peakRssMb, hwmMb: rss.hwmMb };
  const st = result.byStep;
  log(
    `  ${result.completedPerSecond.toFixed(1)} challenges/s completed (${result.completed}), failed ${JSON.stringify(result.failed)}, server CPU ${(100 * serverCpuCores).toFixed(0)}% (${serverCpuMsPerChallenge.toFixed(2)} ms/challenge), ` +
      `p99 AReq ${st.AReq.p99.toFixed(1)} / CReq ${st.CReq.p99.toFixed(1)} / submit ${st.submit.p99.toFixed(1)} ms, peak RSS ${rss.peakRssMb.toFixed(0)} MB`,
  );
}

type Tally = Record<string, number>;

/** Counts an AReq's answer by what it is: ARes by transStatus, Erro by errorCode. */
function countAnswer(tally: Tally, status: number, body: string): string | undefined {
  let key: string;
  let transStatus: string | undefined;
  if (status !== 200) key = `HTTP ${status}`;
  else if (body.startsWith('{"messageType":"ARes"')) {
    const at = body.indexOf('"transStatus":"');
    transStatus = at < 0 ? '?' : body[at + 15];
    key = `ARes ${transStatus}`;
  } else {
    const m = /"errorCode":"(\d+)"/.exec(body);
    key = `Erro ${m ? m[1] : '?'}`;
  }
  tally[key] = (tally[key] ?? 0) + 1;
  return transStatus;
}

function frictionless(cards: number, pool: number) {
  const source = areqSource({ cards, purchaseAmount: '1200', pool });
  const tally: Tally = {};
  const requests: Request[] = [
    {
      method: 'POST',
      path: '/3ds/areq',
      headers: JSON_UTF8,
      setupRequest: (req) => ({ ...req, body: source.next().body }),
      onResponse: (status, body) => void countAnswer(tally, status, body),
    },
  ];
  return { requests, source, tally };
}

/** Which request of the challenge sequence answered last (for latencies per kind). */
function areqCreqKind() {
  return lastKind;
}

function challenge(cards: number, pool: number) {
  // Half as many AReqs as a frictionless run: every second request is a CReq.
  const source = areqSource({ cards, purchaseAmount: '50000', pool: Math.ceil(pool / 2) });
  const tally: Tally = {};
  const requests: Request[] = [
    {
      method: 'POST',
      path: '/3ds/areq',
      headers: JSON_UTF8,
      setupRequest: (req, context) => {
        const areq = source.next();
        context.threeDSServerTransID = areq.threeDSServerTransID;
        return { ...req, body: areq.body };
      },
      onResponse: (status, body, context, headers) => {
        lastKind = 'AReq';
        if (countAnswer(tally, status, body) === 'C') context.acsTransID = headers['x-response-id'];
      },
    },
    {
      method: 'POST',
      path: '/3ds/challenge',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      setupRequest: (req, context) => {
        if (typeof context.acsTransID !== 'string') return null; // not challenged: start over with a new AReq
        const creq = { messageType: 'CReq', messageVersion: '2.2.0', threeDSServerTransID: context.threeDSServerTransID, acsTransID: context.acsTransID, challengeWindowSize: '05' };
        return { ...req, body: `creq=${encodeJsonBase64Url(creq)}` };
      },
      onResponse: (status, body) => {
        lastKind = 'CReq';
        // The first page of an SMS OTP challenge: the form with its signed state.
        const key = status === 200 && body.includes('name="state"') ? 'challenge page' : `CReq answered ${status}`;
        tally[key] = (tally[key] ?? 0) + 1;
      },
    },
  ];
  return { requests, source, tally };
}

// ─── cards, database ────────────────────────────────────────────────────────────

async function importBenchCards(label: string, start: number, count: number, serverRunning = true) {
  log(`importing ${fmt(count)} cards (${label})`);
  const progress = progressLine(`  import`);
  const rssBefore = serverRunning ? server.takePeakRss().peakRssMb : undefined;
  const result = await importCards({ databaseFile: join(dir, 'mamori.db'), secrets, start, count, onProgress: progress.update });
  progress.end();
  const rss = serverRunning ? Math.max(rssBefore!, server.takePeakRss().peakRssMb) : undefined;
  log(`  ${fmt(result.cards)} cards in ${(result.ms / 1000).toFixed(1)} s (${fmt(Math.round(result.cardsPerSecond))} cards/s)`);
  return { label, cards: result.cards, seconds: result.ms / 1000, cardsPerSecond: result.cardsPerSecond, serverPeakRssMb: rss };
}

/** What the appliance recorded since `since`: transactions by transStatus, and challenges started. */
async function storedSince(databaseFile: string, since: number): Promise<Record<string, number>> {
  const client = createClient({ url: `file:${databaseFile}` });
  try {
    await client.execute('PRAGMA busy_timeout = 10000');
    const out: Record<string, number> = {};
    const txns = await client.execute({ sql: 'SELECT trans_status AS s, count(*) AS n FROM transactions WHERE created_at >= ? GROUP BY trans_status', args: [since] });
    for (const row of txns.rows) out[`transactions ${row.s}`] = Number(row.n);
    // Which rule set decided them (0: the engine's defaults; --rules publishes version 1).
    const versions = await client.execute({ sql: 'SELECT risk_version AS v, count(*) AS n FROM transactions WHERE created_at >= ? GROUP BY risk_version', args: [since] });
    for (const row of versions.rows) out[`rule set v${row.v ?? '–'}`] = Number(row.n);
    const started = await client.execute({ sql: 'SELECT count(*) AS n FROM challenges WHERE created_at >= ?', args: [since] });
    if (Number(started.rows[0].n) > 0) out['challenges started'] = Number(started.rows[0].n);
    return out;
  } finally {
    client.close();
  }
}

// ─── helpers ────────────────────────────────────────────────────────────────────

function parseArgs(argv: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i].replace(/^--/, '');
    const value = argv[i + 1] && !argv[i + 1].startsWith('--') ? argv[++i] : 'true';
    out.set(key, value);
  }
  return out;
}

function fmt(n: number): string {
  return n.toLocaleString('en-US');
}

function log(line: string) {
  process.stderr.write(line + '\n');
}
