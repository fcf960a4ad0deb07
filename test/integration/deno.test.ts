/**
 * The same app on Deno: the README's Deno command (`npm run start:deno`) serves /healthz and
 * the landing page from an embedded libSQL file, with the migrations applied on start; SIGTERM
 * to npm stops Deno too (the port is free afterwards); and without DATABASE_URL, Deno keeps a
 * database file of its own, apart from Node's.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/sqld.mjs';
import { alive, descendants, eventually, killGroup, listening } from '../support/processes.ts';

const started: ChildProcess[] = [];
afterEach(() => {
  for (const child of started.splice(0)) {
    for (const pid of descendants(child.pid!)) killGroup(pid);
    killGroup(child.pid);
  }
});

/** Starts a command in a group of its own (for the clean-up) and waits until /healthz answers. */
async function startDeno(command: string, args: string[], options: { cwd?: string; env: Record<string, string> }) {
  const port = await freePort();
  const env: Record<string, string | undefined> = { ...process.env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...options.env };
  if (!options.env.DATABASE_URL) delete env.DATABASE_URL;
  const child = spawn(command, args, { cwd: options.cwd, env, stdio: 'ignore', detached: true });
  started.push(child);
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  const base = `http://127.0.0.1:${port}`;
  const up = await eventually(async () => (await fetch(`${base}/healthz`).catch(() => undefined))?.ok === true, 60_000);
  expect(up, 'Deno answers /healthz').toBe(true);
  return { child, port, base, exited };
}

describe('Deno entry', () => {
  it('serves /healthz and / on an embedded database, and SIGTERM to npm frees the port', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mamori-deno-'));
    const { child, port, base, exited } = await startDeno('npm', ['run', '--silent', 'start:deno'], { env: { DATABASE_URL: `file:${join(dir, 'mamori.db')}` } });
    const health = await fetch(`${base}/healthz`);
    expect(await health.json()).toEqual({ status: 'ok' });
    expect(await (await fetch(`${base}/`)).text()).toContain('本人認証サービス');

    // Only npm gets the signal, as from `kill` or a process manager: everything below it must stop.
    const below = descendants(child.pid!);
    expect(below.length).toBeGreaterThan(0);
    process.kill(child.pid!, 'SIGTERM');
    expect(await eventually(async () => !(await listening(port)), 15_000), 'the port is free').toBe(true);
    expect(await eventually(() => below.every((pid) => !alive(pid)), 15_000), 'no process of the tree is left').toBe(true);
    expect(await exited).not.toBeNull();
  }, 120_000);

  it('keeps its own database file by default, apart from Node’s data/mamori.db', async () => {
    // A working directory like a checkout's (migrations and static files), with no data/ yet.
    const cwd = mkdtempSync(join(tmpdir(), 'mamori-deno-cwd-'));
    for (const dir of ['drizzle', 'static']) symlinkSync(resolve(dir), join(cwd, dir));
    const { child, port } = await startDeno(process.execPath, [resolve('scripts/start-deno.mjs')], { cwd, env: {} });
    expect(existsSync(join(cwd, 'data/deno/mamori.db'))).toBe(true);
    expect(existsSync(join(cwd, 'data/deno/secrets.json'))).toBe(true);
    expect(existsSync(join(cwd, 'data/mamori.db'))).toBe(false);
    process.kill(child.pid!, 'SIGINT');
    expect(await eventually(async () => !(await listening(port)), 15_000), 'SIGINT frees the port too').toBe(true);
  }, 120_000);
});
