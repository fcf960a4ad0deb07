/**
 * The appliance under test: the production build (`built`: dist/node.mjs, as `npm run start:prod`
 * runs it) or src/entry/node.ts as `npm start` runs it, in its own
 * process on a loopback port with a fresh embedded database; and the naive prototype
 * (bench/prototype.ts) the same way. Plus what the benchmark watches from outside: resident
 * memory (VmRSS, VmHWM) and CPU time from /proc.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { freePort } from '../scripts/sqld.mjs';
import type { Secrets } from '../src/config.ts';

export interface BenchServer {
  baseUrl: string;
  pid: number;
  databaseFile: string;
  /** The file its log lines (stdout) go to; none for the prototype, which logs nothing. */
  logFile?: string;
  /** The highest VmRSS sampled since the last call (MB), and the process's VmHWM (MB). */
  takePeakRss(): { peakRssMb: number; hwmMb: number };
  /** CPU seconds (user + system) the server has used so far. */
  cpuSeconds(): number;
  /** Where the resident memory is now (MB): anonymous (heaps), file-backed (code), shared (SQLite's WAL index); and the WAL's size. */
  memoryBreakdown(): { anonMb: number; fileMb: number; shmemMb: number; walMb: number };
  stop(): Promise<void>;
}

export interface BenchServerOptions {
  dir: string;
  secrets: Secrets;
  logLevel: string;
  /** Write a V8 CPU profile of the server into this folder when it stops. */
  cpuProfileDir?: string;
  /** The file for the server's log lines (stdout); default: server.log in `dir` (the offered-load scenario reads its AReq times there). */
  logFile?: string;
  env?: Record<string, string>;
  /** Run the production build (dist/node.mjs, made by the caller with scripts/build.mjs) instead of the TypeScript sources through tsx (`npm start`). */
  built?: boolean;
  /** V8's old-space limit for the server in MB (node --max-old-space-size), as an operator may set it to bound RSS. */
  heapMb?: number;
}

/** Where `npm run build` puts the server (scripts/build.mjs). */
export const BUILT_SERVER = 'dist/node.mjs';
const PROTOTYPE_BUILD = 'dist/bench-prototype.mjs';

const SAMPLE_MS = 50;
const CLOCK_TICKS = 100; // USER_HZ on Linux

export async function startBenchServer(options: BenchServerOptions): Promise<BenchServer> {
  const port = await freePort();
  const databaseFile = join(options.dir, 'mamori.db');
  const entry = options.built ? [BUILT_SERVER] : ['--import', 'tsx', 'src/entry/node.ts'];
  const heap = options.heapMb ? [`--max-old-space-size=${options.heapMb}`] : [];
  return startWatched([...heap, ...(options.cpuProfileDir ? ['--cpu-prof', '--cpu-prof-dir', options.cpuProfileDir] : []), ...entry], port, databaseFile, {
    // Production mode, as an issuer runs it: no sandbox, no timing headers, HSTS. The demo
    // issuer (BIN ranges) is seeded explicitly; PUBLIC_URL only names the acsURL.
    NODE_ENV: 'production',
    DEMO_DATA: 'true',
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_URL: 'https://acs.bench.invalid',
    DATABASE_URL: `file:${databaseFile}`,
    LOG_LEVEL: options.logLevel,
    ...options.secrets,
    ...options.env,
  }, options.logFile ?? join(options.dir, 'server.log'));
}

/**
 * The naive prototype (bench/prototype.ts) on its own database file in `dir`, with bench cards
 * 0…cards-1: bundled like Mamori's build and run by plain node (or through tsx with `tsx`), so
 * both run the same way and their RSS compares.
 */
export async function startPrototype(options: { dir: string; panLookupKey: string; cards: number; cpuProfileDir?: string; tsx?: boolean }): Promise<BenchServer> {
  const port = await freePort();
  const databaseFile = join(options.dir, 'prototype.db');
  const profile = options.cpuProfileDir ? ['--cpu-prof', '--cpu-prof-dir', options.cpuProfileDir, '--cpu-prof-name', `prototype-${Date.now()}.cpuprofile`] : [];
  let entry = ['--import', 'tsx', 'bench/prototype.ts'];
  if (!options.tsx) {
    // Inside the checkout (dist/), so its external packages resolve from node_modules.
    await build({ entryPoints: ['bench/prototype.ts'], outfile: PROTOTYPE_BUILD, bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', logLevel: 'warning' });
    entry = [PROTOTYPE_BUILD];
  }
  return startWatched([...profile, ...entry], port, databaseFile, {
    NODE_ENV: 'production',
    PORT: String(port),
    HOST: '127.0.0.1',
    DATABASE_URL: `file:${databaseFile}`,
    PAN_LOOKUP_KEY: options.panLookupKey,
    CARDS: String(options.cards),
  });
}

async function startWatched(nodeArgs: string[], port: number, databaseFile: string, env: Record<string, string>, logFile?: string): Promise<BenchServer> {
  const baseUrl = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(process.execPath, nodeArgs, {
    env: { ...process.env, ...env },
    // Log lines go to a file, as an operator's would (the prototype's nowhere); errors stay visible.
    stdio: ['ignore', logFile ? openSync(logFile, 'w') : 'ignore', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with code ${child.exitCode}`);
    try {
      if ((await fetch(`${baseUrl}/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('server did not start within 60 s');
    await new Promise((r) => setTimeout(r, 100));
  }

  const pid = child.pid!;
  let peak = 0;
  const sample = () => {
    const rss = statusKb(pid, 'VmRSS');
    if (rss > peak) peak = rss;
  };
  const sampler = setInterval(sample, SAMPLE_MS);
  sample();

  return {
    baseUrl,
    pid,
    databaseFile,
    logFile,
    takePeakRss() {
      sample();
      const result = { peakRssMb: peak / 1024, hwmMb: statusKb(pid, 'VmHWM') / 1024 };
      peak = statusKb(pid, 'VmRSS');
      return result;
    },
    cpuSeconds() {
      // /proc/<pid>/stat: fields 14 and 15 (utime, stime) in clock ticks, after the command name.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
    },
    memoryBreakdown() {
      let walMb = 0;
      try {
        walMb = statSync(`${databaseFile}-wal`).size / 2 ** 20;
      } catch {
        // no WAL right now
      }
      return { anonMb: statusKb(pid, 'RssAnon') / 1024, fileMb: statusKb(pid, 'RssFile') / 1024, shmemMb: statusKb(pid, 'RssShmem') / 1024, walMb };
    },
    async stop() {
      clearInterval(sampler);
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

function statusKb(pid: number, field: string): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}
