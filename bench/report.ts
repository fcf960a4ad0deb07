/** The benchmark's results: the JSON shape written to bench/results/, and its Markdown table. */
import type { LoadResult } from './load.ts';

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

export interface BenchReport {
  date: string;
  quick: boolean;
  machine: { cores: number; cpu: string; memoryGb: number; node: string; os: string; loadBefore: number };
  settings: { connections: number; durationS: number; warmupS: number; logLevel: string; nodeEnv: string; /** A published N-rule set (bench/risk-rules.ts); absent: the engine's defaults. */ rules?: number };
  imports: { label: string; cards: number; seconds: number; cardsPerSecond: number; serverPeakRssMb?: number }[];
  scenarios: ScenarioReport[];
  ratios?: { frictionlessToHealthz?: number; scaleToFrictionless?: number };
  serverPeakHwmMb?: number;
}

const n0 = (x: number) => Math.round(x).toLocaleString('en-US');
const ms = (x: number) => x.toFixed(x < 10 ? 2 : 1);

export function markdownReport(r: BenchReport): string {
  const lines = [
    `Machine: ${r.machine.cores} cores (${r.machine.cpu}), ${r.machine.memoryGb} GB, Node ${r.machine.node}, ${r.machine.os}; load average ${r.machine.loadBefore} before the run. ` +
      `Server: NODE_ENV=${r.settings.nodeEnv}, LOG_LEVEL=${r.settings.logLevel}, embedded libSQL file, ` +
      `risk rules: ${r.settings.rules === undefined ? "the engine's defaults" : `a published ${r.settings.rules}-rule set`}. ` +
      `Load: autocannon on 127.0.0.1, ${r.settings.connections} connections, ${r.settings.durationS} s per scenario after ${r.settings.warmupS} s of warm-up` +
      `${r.quick ? ' (quick run)' : ''}; ${r.date.slice(0, 10)}.`,
    '',
    '| scenario | requests/s | p50 ms | p99 ms | max ms | errors | non-2xx | peak RSS MB | server CPU (ms/request) | answers | stored |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|',
  ];
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
  if (r.serverPeakHwmMb !== undefined) lines.push(`- Server peak RSS (VmHWM, highest of its processes): **${n0(r.serverPeakHwmMb)} MB** (target < 250 MB).`);
  return lines.join('\n') + '\n';
}

function tally(t: Record<string, number> | undefined): string {
  if (!t) return '';
  return Object.entries(t)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k}: ${n0(v)}`)
    .join(', ');
}
