/**
 * `npm run cards` as a real process on the file a running app uses: a dry run and a real import of
 * a Shift_JIS file (counts, line numbers), the export (masked only), and 100,000 rows imported by
 * the CLI while the app answers AReqs throughout, each with no error, and sees the new cards at once.
 */
import { spawn, spawnSync } from 'node:child_process';
import { getPriority } from 'node:os';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@libsql/client';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEADER_ROW } from '../../src/cards/import/format.ts';
import { withLuhnDigit } from '../../src/cards/pan.ts';
import { createDatabase, libsqlConfig } from '../../src/db/client.ts';
import { browserAReq, postAReq } from '../support/areq.ts';
import { createTestApp, TEST_SECRETS } from '../support/test-app.ts';

const pan = (n: number) => withLuhnDigit('55999970' + String(n).padStart(7, '0'));
const line = (n: number, status = 'active') => `K${n},山田 太郎,ヤマダ タロウ,1980-04-01,090-1234-5678,0,,${pan(n)},3012,,${status},,0,,`;

describe('npm run cards', { timeout: 120_000 }, () => {
  let t: Awaited<ReturnType<typeof createTestApp>>;
  let app: Awaited<ReturnType<typeof createTestApp>>['app'];
  let env: Record<string, string>;
  let dir: string;
  beforeAll(async () => {
    t = await createTestApp({ seed: true });
    // The app's own database handle made as the entry makes it (libsqlConfig: every pooled connection waits its turn).
    const db = createDatabase(createClient(libsqlConfig(`file:${t.databaseFile}`)));
    app = (await createTestApp({ databaseFile: t.databaseFile, overrides: { db } })).app;
    dir = mkdtempSync(join(tmpdir(), 'mamori-cards-cli-'));
    const { DATABASE_URL: _d, NODE_ENV: _n, ...inherited } = process.env;
    env = { ...(inherited as Record<string, string>), ...TEST_SECRETS, NODE_ENV: 'test', DATABASE_URL: `file:${t.databaseFile}` };
  });
  afterAll(() => t.close());
  const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'src/cards/cards-cli.ts', ...args], { env, encoding: 'utf8' });

  it('dry-runs and imports a Shift_JIS file, then exports masked numbers only', async () => {
    const file = join(dir, 'sjis.csv');
    writeFileSync(file, iconv.encode([HEADER_ROW, line(1), line(2).replace('山田 太郎', '髙﨑 花子'), line(3).replace('3012', '1301'), line(1)].join('\r\n') + '\r\n', 'cp932'));
    const dry = cli('import', file, '--dry-run');
    expect(dry.stderr).not.toMatch(/Error|refused/);
    expect(dry.status).toBe(0);
    expect(dry.stdout).toMatch(/dry run \w+ \(import \d+, shift_jis\): 4 rows, 2 inserted, 0 updated, 0 unchanged, 2 rejected/);
    expect(dry.stdout).toMatch(/^line 4\texpiry\texpired\t/m);
    expect(dry.stdout).toMatch(/^line 5\tpan\tpan_duplicate\t.*line 2/m);
    expect(dry.stdout + dry.stderr).not.toContain(pan(1));
    const probe = createClient({ url: `file:${t.databaseFile}` });
    expect((await probe.execute("select count(*) as n from cardholders where customer_ref like 'K%'")).rows[0].n).toBe(0); // a dry run writes nothing
    probe.close();

    const real = cli('import', file);
    expect(real.status).toBe(0);
    expect(real.stdout).toMatch(/imported \w+ .*: 4 rows, 2 inserted/);
    // The node:crypto protector's hashes are the app's: the running app finds the card at once.
    const ares = (await (await postAReq(app, browserAReq({ pan: pan(2), purchaseAmount: '1000' }))).json()) as Record<string, string>;
    expect(ares.messageType).toBe('ARes');
    expect(cli('import', file).stdout).toMatch(/0 inserted, 0 updated, 2 unchanged, 2 rejected/);

    const out = cli('export');
    expect(out.status).toBe(0);
    expect(out.stdout).toContain(`559999******${pan(2).slice(-4)}`);
    expect(out.stdout).not.toContain(pan(2));
    expect(out.stdout).toContain('髙﨑 花子');
  });

  it('imports 100,000 rows while the app answers AReqs, none failing, and the next AReq sees a block', async () => {
    const rows = Array.from({ length: 100_000 }, (_, i) => line(1000 + i));
    const file = join(dir, 'big.csv');
    writeFileSync(file, [HEADER_ROW, ...rows].join('\n') + '\n');
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cards/cards-cli.ts', 'import', file, '--batch', '2000'], { env });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    const exited = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? -1)));
    let running = true;
    void exited.then(() => (running = false));
    const answers: string[] = [];
    // The import yields the CPU to the AReqs (nice 19): read off the running process.
    let niceSeen = 0;
    // The tool keeps its file in memory: nothing is stored in card_import_chunks while it runs.
    const probe = createClient({ url: `file:${t.databaseFile}` });
    let chunksSeen = 0;
    // AReqs for demo cards and for cards the import has already written, all through the import.
    for (let i = 0; running; i++) {
      const res = await postAReq(app, browserAReq({ pan: i % 2 ? withLuhnDigit('35699900' + '0000001') : pan(1000 + (i % 50)), purchaseAmount: '1000' }));
      const body = (await res.json()) as Record<string, string>;
      answers.push(`${res.status} ${body.messageType}`);
      if (running) niceSeen = Math.max(niceSeen, getPriorityOf(child.pid!));
      if (i % 20 === 0) chunksSeen = Math.max(chunksSeen, Number((await probe.execute('select count(*) as n from card_import_chunks')).rows[0].n));
    }
    const held = (await probe.execute('select file_place, state from card_imports order by id desc limit 1')).rows[0];
    probe.close();
    expect(chunksSeen).toBe(0);
    expect({ ...held }).toEqual({ file_place: 'process', state: 'done' });
    expect(await exited).toBe(0);
    expect(stdout).toMatch(/100000 rows, 100000 inserted, 0 updated, 0 unchanged, 0 rejected/);
    expect(answers.length).toBeGreaterThan(10);
    expect(answers.filter((a) => a !== '200 ARes')).toEqual([]);
    expect(niceSeen).toBe(19);
    // A block through the file: the next AReq is R/10.
    writeFileSync(join(dir, 'block.csv'), [HEADER_ROW, line(1000, 'stolen')].join('\n'));
    expect(cli('import', join(dir, 'block.csv')).status).toBe(0);
    const blocked = (await (await postAReq(app, browserAReq({ pan: pan(1000), purchaseAmount: '1000' }))).json()) as Record<string, string>;
    expect(`${blocked.transStatus}/${blocked.transStatusReason}`).toBe('R/10');
  });

  /** Starts an import of 40,000 rows, sends SIGINT once its first batches report, returns how it ended. */
  async function stopped(name: string, first: number, start: (file: string) => ReturnType<typeof spawn>, signal: (child: ReturnType<typeof spawn>) => void) {
    const file = join(dir, name);
    writeFileSync(file, [HEADER_ROW, ...Array.from({ length: 40_000 }, (_, i) => line(first + i))].join('\n') + '\n');
    const child = start(file);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let stderr = '';
    await new Promise<void>((resolve) => child.stderr!.on('data', (d: Buffer) => ((stderr += d), String(d).includes('import: ') && resolve())));
    // Some batches in, where they have grown to the hold target's size (each a longer synchronous write).
    const watch = createClient({ url: `file:${t.databaseFile}` });
    for (let i = 0; i < 400; i++) {
      const done = (await watch.execute({ sql: 'select processed_rows from card_imports where file_name = ?', args: [name] })).rows[0]?.processed_rows;
      if (Number(done) >= 10_000) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    watch.close();
    signal(child);
    const code = await exited;
    // The tool marks the job after the batch at hand, even where its launcher (npm) has already gone.
    const probe = createClient({ url: `file:${t.databaseFile}` });
    let row: Record<string, unknown> = {};
    for (let i = 0; i < 200; i++) {
      row = { ...(await probe.execute({ sql: 'select state, error, processed_rows from card_imports where file_name = ?', args: [name] })).rows[0] };
      if (row.state === 'failed') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    probe.close();
    return { code, stderr, row };
  }

  it('marks its import failed at once when stopped with Ctrl-C (no other process can finish it)', async () => {
    const direct = await stopped('stopped.csv', 200_000, (file) => spawn(process.execPath, ['--import', 'tsx', 'src/cards/cards-cli.ts', 'import', file, '--batch', '500'], { env }), (child) => child.kill('SIGINT'));
    expect(direct.code).toBe(130);
    expect(direct.stderr).toMatch(/stopped after \d+ of 40000 rows/);
    expect(direct.row.state).toBe('failed');
    expect(String(direct.row.error)).toBe('interrupted:');
    expect(Number(direct.row.processed_rows)).toBeLessThan(40_000);
    // As a terminal's Ctrl-C does: SIGINT to the whole process group of `npm run cards`. (Under the
    // tsx launcher the tool was SIGKILLed 30 ms later, inside a batch, before it could mark its job.)
    const viaNpm = await stopped('stopped-npm.csv', 300_000, (file) => spawn('npm', ['run', '--silent', 'cards', '--', 'import', file], { env, detached: true }), (child) => process.kill(-child.pid!, 'SIGINT'));
    expect(viaNpm.row.state).toBe('failed');
    expect(String(viaNpm.row.error)).toBe('interrupted:');
  });
});

/** A process's nice value, or 0 once it has exited. */
function getPriorityOf(pid: number): number {
  try {
    return getPriority(pid);
  } catch {
    return 0;
  }
}
