/** The benchmark's results: the JSON shape written to bench/results/, and its Markdown table. */
import type { ChallengeFlowResult } from './challenge-flow.ts';
import type { Latency, LoadResult } from './load.ts';
import type { OpenLoopResult } from './open-loop.ts';

export interface ScenarioReport {
  id: string;
  title: string;
  /** Enrolled bench cards in the database during the run. */
  cards: number;
  load: LoadResult;
  /** Highest VmRSS sampled (every 50 ms) during the run, MB. */
  peakRssMb: number;
  /** The server process's VmHWM at the end of the run (its peak since start), MB. */
  hwmMb: number;
  /** The server's resident memory by kind when the run ended, and the size of the database's WAL (MB). */
  memoryAtEnd: { anonMb: number; fileMb: number; shmemMb: number; walMb: number };
  /** CPU time of the server per second of run (1.0 = one core busy). */
  serverCpuCores: number;
  /** The same for the load generator (this process). */
  clientCpuCores: number;
  /** What the client received, by kind (ARes by transStatus, Erro by code, challenge pages). */
  answers?: Record<string, number>;
  /** What the database holds from the run (includes the few requests in flight when the clock stopped). */
  stored?: Record<string, number>;
  /** AReqs made during the run because the pre-generated pool ran out (0 = none). */
  areqsMadeLate?: number;
}

/** An open-loop offered load (bench/open-loop.ts) and what the server used meanwhile. */
export interface OfferedReport extends OpenLoopResult {
  server: 'prototype' | 'mamori';
  serverCpuCores: number;
  peakRssMb: number;
  hwmMb: number;
  answers: Record<string, number>;
  /** The AReqs' own times in the server, from its request log (whole ms; Mamori only). */
  inServerMs?: Latency;
}

/** Whole challenges (bench/challenge-flow.ts) and what the server used meanwhile. */
export interface ChallengeFlowReport extends ChallengeFlowResult {
  serverCpuCores: number;
  serverCpuMsPerChallenge: number;
  peakRssMb: number;
  hwmMb: number;
}

export interface BenchReport {
  date: string;
  quick: boolean;
  machine: { cores: number; cpu: string; memoryGb: number; node: string; os: string; loadBefore: number };
  settings: {
    connections: number;
    durationS: number;
    warmupS: number;
    logLevel: string;
    nodeEnv: string;
    /** A published N-rule set (bench/risk-rules.ts); absent: the engine's defaults. */
    rules?: number;
    /** What ran the server: the build (node dist/node.mjs) or tsx. */
    server?: string;
  };
  imports: { label: string; cards: number; seconds: number; cardsPerSecond: number; serverPeakRssMb?: number }[];
  scenarios: ScenarioReport[];
  offered: OfferedReport[];
  challengeFlow?: ChallengeFlowReport;
  ratios?: {
    frictionlessToHealthz?: number;
    scaleToFrictionless?: number;
    frictionlessToPrototype?: number;
    healthzToBareHono?: number;
    challengesToFrictionless?: number;
    challengeCpuToFrictionless?: number;
  };
  /** Mamori's VmHWM (its peak since start), and the highest VmRSS sampled every 50 ms, over every scenario. */
  serverPeakHwmMb?: number;
  serverPeakRssMb?: number;
}

const n0 = (x: number) => Math.round(x).toLocaleString('en-US');
const ms = (x: number) => x.toFixed(x < 10 ? 2 : 1);

const cpuMs = (s: ScenarioReport) => (s.load.rps > 0 ? (1000 * s.serverCpuCores) / s.load.rps : undefined);
const ratio = (x?: number) => (x === undefined ? '–' : `**${x.toFixed(2)}**`);

export function markdownReport(r: BenchReport): string {
  return [header(r), sideBySide(r), offeredLoad(r), challengePath(r), allScenarios(r)].filter(Boolean).join('\n');
}

function header(r: BenchReport): string {
  return (
    `Machine: ${r.machine.cores} cores (${r.machine.cpu}), ${r.machine.memoryGb} GB, Node ${r.machine.node}, ${r.machine.os}; load average ${r.machine.loadBefore} before the run. ` +
    `Server: ${r.settings.server ?? 'tsx src/entry/node.ts'}, NODE_ENV=${r.settings.nodeEnv}, LOG_LEVEL=${r.settings.logLevel}, embedded libSQL file, ` +
    `risk rules: ${r.settings.rules === undefined ? "the engine's defaults" : `a published ${r.settings.rules}-rule set`}. ` +
    `Load: autocannon on 127.0.0.1, ${r.settings.connections} connections, ${r.settings.durationS} s per scenario after ${r.settings.warmupS} s of warm-up` +
    `${r.quick ? ' (quick run)' : ''}; ${r.date.slice(0, 10)}.\n`
  );
}

/** Prototype and Mamori measured in the same run: the table issue 17 asks for. */
function sideBySide(r: BenchReport): string | undefined {
  const pairs: [string, string, string, string][] = [
    ['GET /healthz (bare Hono on the prototype)', 'prototype-healthz', 'healthz', '≥ 0.30'],
    ['frictionless AReq', 'prototype-frictionless', 'frictionless', '≥ 1.50'],
  ];
  const rows = pairs
    .map(([label, p, m, target]) => [label, r.scenarios.find((s) => s.id === p), r.scenarios.find((s) => s.id === m), target] as const)
    .filter(([, p, m]) => p && m);
  if (!rows.length) return undefined;
  const lines = [
    `Side by side, same run, ${r.settings.connections} connections (prototype: bench/prototype.ts; ratio: Mamori's throughput / the prototype's):`,
    '',
    '| scenario | prototype req/s | Mamori req/s | ratio | target | prototype CPU ms/req | Mamori CPU ms/req | prototype p99 ms | Mamori p99 ms | prototype peak RSS MB | Mamori peak RSS MB |',
    '|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const [label, p, m, target] of rows) {
    lines.push(
      `| ${label} | ${n0(p!.load.rps)} | ${n0(m!.load.rps)} | ${ratio(m!.load.rps / p!.load.rps)} | ${target} | ${fix(cpuMs(p!))} | ${fix(cpuMs(m!))} | ${ms(p!.load.latencyMs.p99)} | ${ms(m!.load.latencyMs.p99)} | ${n0(p!.peakRssMb)} | ${n0(m!.peakRssMb)} |`,
    );
  }
  return lines.join('\n') + '\n';
}

/** Latency at a constant offered rate (open loop), and at the throughput limit (the 50-connection closed loop). */
function offeredLoad(r: BenchReport): string | undefined {
  if (!r.offered.length) return undefined;
  const lines = [
    'Frictionless AReq latency at an offered load (open loop: sent at a constant rate, each counted from when it was due) and at the throughput limit (autocannon, closed loop):',
    '',
    '| server | load | answered/s | p50 ms | p99 ms | max ms | in the server p50 / p99 / max ms | errors | server CPU | peak RSS MB |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const name of ['prototype', 'mamori'] as const) {
    const label = name === 'mamori' ? 'Mamori' : 'prototype';
    for (const o of r.offered.filter((x) => x.server === name)) {
      const l = o.latencyMs;
      const own = o.inServerMs?.count ? `${o.inServerMs.p50} / ${o.inServerMs.p99} / ${o.inServerMs.max}` : '–';
      lines.push(`| ${label} | ${n0(o.offeredRate)}/s offered | ${n0(o.rps)} | ${ms(l.p50)} | ${ms(l.p99)} | ${ms(l.max)} | ${own} | ${o.errors + o.non2xx}${o.dropped ? ` (+${n0(o.dropped)} not sent: ${n0(2 * o.offeredRate)} waiting)` : ''} | ${(100 * o.serverCpuCores).toFixed(0)}% | ${n0(o.peakRssMb)} |`);
    }
    const limit = r.scenarios.find((s) => s.id === (name === 'mamori' ? 'frictionless' : 'prototype-frictionless'));
    if (limit) {
      const l = limit.load.latencyMs;
      lines.push(`| ${label} | limit (${r.settings.connections} connections) | ${n0(limit.load.rps)} | ${ms(l.p50)} | ${ms(l.p99)} | ${ms(l.max)} | – | ${limit.load.errors + limit.load.timeouts + limit.load.non2xx} | ${(100 * limit.serverCpuCores).toFixed(0)}% | ${n0(limit.peakRssMb)} |`);
    }
  }
  const m = r.offered.find((o) => o.server === 'mamori');
  if (m) {
    lines.push('', `- Mamori at ${n0(m.offeredRate)}/s: p99 **${ms(m.latencyMs.p99)} ms** (target < 10), max **${ms(m.latencyMs.max)} ms** (target < 50).`);
    if (m.inServerMs?.count) lines.push(`- "In the server" is each AReq's own time from its request log (first middleware to the answer, whole ms); the rest of the open loop's latency is time the AReq waited before the server got to it.`);
  }
  return lines.join('\n') + '\n';
}

/** Whole challenges against frictionless AReqs. */
function challengePath(r: BenchReport): string | undefined {
  const f = r.challengeFlow;
  if (!f) return undefined;
  const st = f.byStep;
  const fails = Object.keys(f.failed).length ? tally(f.failed) : 'none';
  return [
    `The challenge path (bench/challenge-flow.ts): ${f.users} cardholders in a loop, AReq (C) → CReq and first page (the SMS code is sent) → submit of the right code → final CRes, with the RReq answered by a Directory Server in the bench:`,
    '',
    '| completed challenges/s | / frictionless AReqs/s | CPU capacity / frictionless | server CPU ms per challenge | AReq p50 / p99 ms | CReq p50 / p99 ms | submit p50 / p99 ms | whole challenge p50 / p99 ms | failed | peak RSS MB |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|',
    `| ${f.completedPerSecond.toFixed(1)} | ${ratio(r.ratios?.challengesToFrictionless)} | ${ratio(r.ratios?.challengeCpuToFrictionless)} | ${f.serverCpuMsPerChallenge.toFixed(2)} | ${ms(st.AReq.p50)} / ${ms(st.AReq.p99)} | ${ms(st.CReq.p50)} / ${ms(st.CReq.p99)} | ${ms(st.submit.p50)} / ${ms(st.submit.p99)} | ${ms(st.challenge.p50)} / ${ms(st.challenge.p99)} | ${fails} | ${n0(f.peakRssMb)} |`,
    '',
    `- Target: completed challenges ≥ 0.5× frictionless AReqs/s. Every submit is answered after the appliance's pace floor (the same time for every answer), so ${f.users} cardholders complete at most about ${n0(f.users / 0.45)}/s whatever the server: "CPU capacity" (frictionless CPU per AReq / CPU per completed challenge) is the ratio the floor does not limit.`,
    '',
  ].join('\n');
}

function allScenarios(r: BenchReport): string {
  const lines = [
    ...(r.scenarios.length ? ['Every scenario (autocannon, closed loop):', ''] : []),
    '| scenario | requests/s | p50 ms | p99 ms | max ms | errors | non-2xx | peak RSS MB | server CPU (ms/request) | answers | stored |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|',
  ].slice(r.scenarios.length ? 0 : 2);
  for (const s of r.scenarios) {
    const l = s.load;
    lines.push(
      `| ${s.title} | ${n0(l.rps)} | ${ms(l.latencyMs.p50)} | ${ms(l.latencyMs.p99)} | ${ms(l.latencyMs.max)} | ${l.errors + l.timeouts} | ${l.non2xx} | ${n0(s.peakRssMb)} | ${(100 * s.serverCpuCores).toFixed(0)}% (${l.rps > 0 ? ((1000 * s.serverCpuCores) / l.rps).toFixed(2) : '–'}) | ${tally(s.answers)} | ${tally(s.stored)} |`,
    );
    if (l.byKind) {
      for (const [kind, k] of Object.entries(l.byKind)) {
        lines.push(`| &nbsp;&nbsp;↳ ${kind} | ${n0(k.count / l.durationS)} | ${ms(k.p50)} | ${ms(k.p99)} | ${ms(k.max)} | | | | | | |`);
      }
    }
  }
  lines.push('');
  const f = r.ratios?.frictionlessToHealthz;
  const sc = r.ratios?.scaleToFrictionless;
  if (f !== undefined) lines.push(`- Frictionless AReq / \`/healthz\` throughput, same run: **${f.toFixed(3)}** (target ≥ 0.10).`);
  if (sc !== undefined) lines.push(`- Frictionless throughput with the large card set / with 10,000 cards: **${sc.toFixed(3)}** (target ≥ 0.90).`);
  for (const i of r.imports) {
    const rss = i.serverPeakRssMb !== undefined ? `; server RSS meanwhile ≤ ${n0(i.serverPeakRssMb)} MB` : '';
    lines.push(`- Import (${i.label}): ${n0(i.cards)} cards in **${i.seconds.toFixed(1)} s** (${n0(i.cardsPerSecond)} cards/s${rss}).`);
  }
  if (r.serverPeakHwmMb !== undefined) {
    lines.push(`- Mamori's peak RSS over the whole run: **${n0(r.serverPeakRssMb ?? 0)} MB** sampled every 50 ms, VmHWM **${n0(r.serverPeakHwmMb)} MB** (target < 150 MB).`);
  }
  return lines.join('\n') + '\n';
}

function fix(x: number | undefined): string {
  return x === undefined ? '–' : x.toFixed(2);
}

function tally(t: Record<string, number> | undefined): string {
  if (!t) return '';
  return Object.entries(t)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k}: ${n0(v)}`)
    .join(', ');
}
