/**
 * `npm run dev:worker` as a developer runs it: sqld, migrations, `wrangler dev` (workerd). The
 * Worker's scheduled handler fires on its own every few seconds, so an RReq the sandbox DS
 * refuses ("fails twice") is sent again until the DS answers; and SIGTERM to npm stops wrangler,
 * workerd and sqld, leaving both ports free.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@libsql/client';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/sqld.mjs';
import { browserAReq } from '../../src/sandbox/areq-builder.ts';
import { demoCard } from '../../src/sandbox/demo-issuer.ts';
import { alive, descendants, eventually, killGroup, listening } from '../support/processes.ts';

const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((clean) => clean()));

describe('npm run dev:worker', () => {
  it('sweeps due timers on its own, and SIGTERM stops every process it started', async () => {
    const [port, sqldPort] = [await freePort(), await freePort()];
    const dir = mkdtempSync(join(tmpdir(), 'mamori-dev-worker-'));
    const output: string[] = [];
    const npm = spawn('npm', ['run', '--silent', 'dev:worker'], {
      env: { ...process.env, PORT: String(port), SQLD_PORT: String(sqldPort), SQLD_DB_PATH: join(dir, 'sqld'), DEV_WORKER_SWEEP_SECONDS: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    npm.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    npm.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    const exited = new Promise<number | null>((done) => npm.once('exit', (code) => done(code)));
    cleanups.push(() => {
      for (const pid of descendants(npm.pid!)) killGroup(pid);
      killGroup(npm.pid);
    });
    // On a failure, the assertion shows the end of what dev:worker printed.
    const printed = () => `\n${output.join('').slice(-3000)}`;
    const base = `http://127.0.0.1:${port}`;
    const up = await eventually(async () => (await fetch(`${base}/healthz`).catch(() => undefined))?.ok === true, 120_000);
    expect(up, `workerd answers /healthz${printed()}`).toBe(true);

    // A challenge whose CReq never comes; the sandbox DS fails its first two RReqs.
    const areq = browserAReq({ pan: demoCard('visa-otp').pan, purchaseAmount: '99000', dsURL: `http://localhost:${port}/sandbox/ds/rreq?mode=fail-twice` });
    const ares = (await (await fetch(`${base}/3ds/areq`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(areq) })).json()) as Record<string, string>;
    expect(ares.transStatus).toBe('C');
    const db = createClient({ url: `http://127.0.0.1:${sqldPort}` });
    cleanups.push(() => db.close());
    // Each timer is made due at once instead of after its 30 s or 10 s; the sweep that runs it is dev:worker's own.
    const makeDue = (kind: string) => db.execute({ sql: 'update timers set due_at = 0 where kind = ? and subject = ? and done_at is null', args: [kind, ares.acsTransID] });
    const exchange = async () =>
      (await (await fetch(`${base}/sandbox/exchange/${areq.threeDSServerTransID}`)).json()) as { messages: { messageType: string }[]; state: string };
    const count = (type: string) => async () => (await exchange()).messages.filter((m) => m.messageType === type).length;
    const reaches = async (check: () => Promise<number>, n: number) => eventually(async () => (await check()) >= n, 30_000);

    await makeDue('creq_timeout');
    expect(await reaches(count('HTTP 500'), 1), `the CReq timeout ran and its RReq was refused${printed()}`).toBe(true);
    await makeDue('rreq_delivery');
    expect(await reaches(count('HTTP 500'), 2), `the RReq was sent again${printed()}`).toBe(true);
    await makeDue('rreq_delivery');
    expect(await eventually(async () => (await exchange()).state === 'rreq_delivered', 30_000), `the third RReq got its RRes${printed()}`).toBe(true);
    expect(await count('RRes')()).toBe(1);

    const tree = descendants(npm.pid!);
    expect(tree.length).toBeGreaterThan(2);
    process.kill(npm.pid!, 'SIGTERM');
    expect(await eventually(async () => !(await listening(port)) && !(await listening(sqldPort)), 20_000), `both ports are free${printed()}`).toBe(true);
    expect(await eventually(() => tree.every((pid) => !alive(pid)), 20_000), 'wrangler, workerd and sqld have exited').toBe(true);
    expect(await exited).not.toBeNull();
  }, 240_000);
});
