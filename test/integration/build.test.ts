/**
 * The production build (`npm run build`, `npm run start:prod`): the esbuild bundle of the Node
 * entry, started with plain `node` (no TypeScript loader) in production mode on a fresh embedded
 * database, answers /healthz and a frictionless AReq, records the AReq, and stops on SIGTERM; the
 * built card import (`node dist/cards.mjs import FILE`) loads cards into it from another folder with
 * its worker threads built too, and the running server answers the new card at once.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createClient } from '@libsql/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/sqld.mjs';
import { HEADER_ROW } from '../../src/cards/import/format.ts';
import { withLuhnDigit } from '../../src/cards/pan.ts';
import { generateSecret } from '../../src/config.ts';
import { browserAReq } from '../../src/sandbox/areq-builder.ts';
import { demoPan } from '../../src/sandbox/demo-issuer.ts';

// Inside the checkout, so the bundle finds node_modules for its external packages; one per run.
const OUT = `dist/test-build-${process.pid}`;

describe('npm run build + start:prod', { timeout: 90_000 }, () => {
  let dir: string;
  let child: ChildProcess;
  let baseUrl: string;
  let stderr = '';
  let env: Record<string, string>;

  beforeAll(async () => {
    const built = spawnSync(process.execPath, ['scripts/build.mjs', '--outdir', OUT], { encoding: 'utf8' });
    expect(built.stderr).toBe('');
    expect(built.status).toBe(0);

    dir = mkdtempSync(join(tmpdir(), 'mamori-build-'));
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    const { NODE_OPTIONS: _n, ...inherited } = process.env; // no loader may sneak in through NODE_OPTIONS
    env = {
        ...(inherited as Record<string, string>),
        NODE_ENV: 'production',
        DEMO_DATA: 'true',
        PORT: String(port),
        HOST: '127.0.0.1',
        PUBLIC_URL: 'https://acs.build-test.invalid',
        DATABASE_URL: `file:${join(dir, 'mamori.db')}`,
        LOG_LEVEL: 'warn',
        PAN_LOOKUP_KEY: generateSecret(),
        PAN_ENCRYPTION_KEY: generateSecret(),
        AUTH_VALUE_KEY: generateSecret(),
        SESSION_SECRET: generateSecret(),
    };
    child = spawn(process.execPath, [join(OUT, 'node.mjs')], {
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr!.on('data', (chunk) => (stderr += chunk));
    // Waits for the port (not a clock): the loop ends when the server answers or exits.
    for (;;) {
      if (child.exitCode !== null) throw new Error(`built server exited with ${child.exitCode}: ${stderr}`);
      try {
        if ((await fetch(`${baseUrl}/healthz`)).ok) break;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }, 90_000);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
    }
    rmSync(OUT, { recursive: true, force: true });
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it('bundles the server as one JavaScript file with its packages left external', () => {
    const bundle = readFileSync(join(OUT, 'node.mjs'), 'utf8');
    expect(existsSync(join(OUT, 'node.mjs.map'))).toBe(true);
    expect(bundle).toMatch(/from "@libsql\/client"/);
    expect(bundle).not.toMatch(/from "tsx/);
    expect(existsSync('static/vendor/htmx.min.js')).toBe(true);
  });

  it('answers /healthz with the database', async () => {
    const res = await fetch(`${baseUrl}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok' });
  });

  it('answers a frictionless AReq and records it before the ARes leaves', async () => {
    const areq = browserAReq({ pan: demoPan('jcb', 1), purchaseAmount: '1200' });
    const res = await fetch(`${baseUrl}/3ds/areq`, { method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(areq) });
    expect(res.status).toBe(200);
    const ares = await res.json();
    expect(ares).toMatchObject({ messageType: 'ARes', transStatus: 'Y', threeDSServerTransID: areq.threeDSServerTransID });

    const client = createClient({ url: `file:${join(dir, 'mamori.db')}` });
    try {
      const row = await client.execute({ sql: 'SELECT trans_status FROM transactions WHERE acs_trans_id = ?', args: [ares.acsTransID] });
      expect(row.rows.map((r) => r.trans_status)).toEqual(['Y']);
    } finally {
      client.close();
    }
  });

  it('imports cards with the built tool, from another folder, beside the running server', async () => {
    expect(existsSync(join(OUT, 'prepare-worker.mjs'))).toBe(true);
    expect(existsSync(join(OUT, 'checkpoint-worker.mjs'))).toBe(true);
    const pan = withLuhnDigit(demoPan('jcb', 1).slice(0, 8) + '0777777');
    const file = join(dir, 'cards.csv');
    writeFileSync(file, `${HEADER_ROW}\nB1,山田 太郎,ヤマダ タロウ,1980-04-01,090-1234-5678,0,,${pan},3012,,active,,0,,\n`);
    // cwd outside the checkout: the tool finds drizzle/ and its workers beside itself, not through tsx.
    const run = spawnSync(process.execPath, [resolve(OUT, 'cards.mjs'), 'import', file], { env, cwd: dir, encoding: 'utf8' });
    expect(run.stderr).not.toMatch(/error|cannot|failed/i); // its progress lines only
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/imported \w+ .*: 1 rows, 1 inserted, 0 updated, 0 unchanged, 0 rejected/);
    const areq = browserAReq({ pan, purchaseAmount: '1200' });
    const res = await fetch(`${baseUrl}/3ds/areq`, { method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(areq) });
    expect(await res.json()).toMatchObject({ messageType: 'ARes', threeDSServerTransID: areq.threeDSServerTransID });
  });

  it('stops cleanly on SIGTERM', async () => {
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).toBe('');
  });
});
