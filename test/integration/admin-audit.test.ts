/**
 * The audit log's hash chain (concurrent writers, tampering found in a copy of the database file
 * by the real `npm run audit -- verify`), its CSV export, and `npm run staff` as an operator runs it.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@libsql/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAudit, auditCsv, maskCardNumbers, verifyAuditChain } from '../../src/admin/audit-log.ts';
import { withLuhnDigit } from '../../src/cards/pan.ts';
import { auditLog } from '../../src/db/schema.ts';
import { Client, enrol } from '../support/admin.ts';
import { createTestApp, TEST_SECRETS } from '../support/test-app.ts';

type T = Awaited<ReturnType<typeof createTestApp>>;

function run(script: string, args: string[], env: Record<string, string>) {
  const { DATABASE_URL: _d, NODE_ENV: _n, ...inherited } = process.env;
  const result = spawnSync(process.execPath, ['--import', 'tsx', script, ...args], { env: { ...inherited, ...env }, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const entry = (i: number) => ({ at: 1_770_000_000_000 + i, actor: { type: 'staff' as const, id: 1, name: 'sato' }, issuerId: 1, action: 'test.write', target: `thing:${i}`, detail: { i } });

describe('the hash chain', { timeout: 60_000 }, () => {
  let t: T;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('chains every row, also when thirty writers append at once', async () => {
    await Promise.all(Array.from({ length: 30 }, (_, i) => appendAudit(t.deps.db, entry(i))));
    const rows = await t.deps.db.select().from(auditLog).orderBy(auditLog.id);
    expect(rows.map((r) => r.id)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    for (let i = 1; i < rows.length; i++) expect(rows[i].prevHash).toBe(rows[i - 1].hash);
    const report = await verifyAuditChain(t.deps.db);
    expect(report).toMatchObject({ ok: true, chained: 30, legacy: 0, head: { id: 30, hash: rows[29].hash } });
  });

  it('masks card numbers anywhere in the detail', async () => {
    const id = await appendAudit(t.deps.db, { ...entry(99), detail: { pan: '4111111111111111', note: `card 3540 no, ${withLuhnDigit('356999000000001')} yes`, order: '1234567890123' } });
    const row = (await t.deps.db.select().from(auditLog).all()).find((r) => r.id === id)!;
    expect(JSON.parse(row.detail)).toEqual({ pan: '411111******1111', note: `card 3540 no, 356999******${withLuhnDigit('356999000000001').slice(-4)} yes`, order: '1234567890123' });
    expect(maskCardNumbers(['5555555555554444'])).toEqual(['555555******4444']);
  });

  it('npm run audit -- verify passes on the database and names the first broken row of a tampered copy', async () => {
    await t.client.execute('PRAGMA wal_checkpoint(TRUNCATE)');
    const dir = mkdtempSync(join(tmpdir(), 'mamori-audit-'));
    try {
      const verify = (file: string) => run('src/admin/audit-cli.ts', ['verify'], { DATABASE_URL: `file:${file}` });
      const intact = verify(t.databaseFile);
      expect(intact.stderr).toBe('');
      expect(intact.status).toBe(0);
      expect(intact.stdout).toMatch(/^audit log intact: 31 rows chained\nhead: row 31 [0-9a-f]{64}\n$/);

      // The database refuses edits; an attacker with the file drops the triggers first.
      const tamper = async (name: string, sql: string[]) => {
        const file = join(dir, `${name}.db`);
        copyFileSync(t.databaseFile, file);
        const c = createClient({ url: `file:${file}` });
        await c.execute('DROP TRIGGER audit_log_no_update');
        await c.execute('DROP TRIGGER audit_log_no_delete');
        for (const s of sql) await c.execute(s);
        c.close();
        return verify(file);
      };
      const changed = await tamper('changed', ["UPDATE audit_log SET detail = '{\"i\":7,\"note\":\"nothing here\"}' WHERE id = 8"]);
      expect(changed.status).toBe(1);
      expect(changed.stderr).toContain('audit log BROKEN at row 8: content does not match its hash');
      expect(changed.stderr).toContain('7 rows before it verified');
      const removed = await tamper('removed', ['DELETE FROM audit_log WHERE id = 12']);
      expect(removed.status).toBe(1);
      expect(removed.stderr).toContain('BROKEN at row 13: follows row 11');
      const rehashed = await tamper('rehashed', ["UPDATE audit_log SET detail = '{}', hash = 'f' || substr(hash, 2) WHERE id = 20"]);
      expect(rehashed.stderr).toContain('BROKEN at row 20');
      const around = await tamper('around', ["INSERT INTO audit_log (at, actor_type, action, detail) VALUES (1, 'system', 'forged', '{}')"]);
      expect(around.stderr).toContain('BROKEN at row 32: has no hash');

      // The live database still refuses to change.
      await expect(t.client.execute('UPDATE audit_log SET action = 1 WHERE id = 1')).rejects.toThrow(/append-only/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('counts rows written before the chain began as legacy, and chains on after them', async () => {
    const fresh = await createTestApp();
    try {
      await fresh.client.execute("INSERT INTO audit_log (at, actor_type, action, detail) VALUES (1, 'system', 'bin_range.add', '{}')");
      await appendAudit(fresh.deps.db, entry(1));
      expect(await verifyAuditChain(fresh.deps.db)).toMatchObject({ ok: true, chained: 1, legacy: 1, head: { id: 2 } });
    } finally {
      fresh.close();
    }
  });
});

describe('CSV export', () => {
  it('writes RFC 4180 with a header, quotes what needs it and defuses spreadsheet formulas', () => {
    const csv = auditCsv([
      { id: 1, at: Date.UTC(2026, 0, 15, 3), actorType: 'staff', actorId: 2, actorName: '=HYPERLINK("x")', issuerId: 1, action: 'a', target: 'staff:2', detail: '{"a":"b,c"}', requestId: null, prevHash: '0', hash: '1' },
    ]);
    expect(csv).toBe(
      'id,at,actorType,actorId,actorName,issuerId,action,target,detail,requestId,prevHash,hash\r\n' +
        `1,2026-01-15T03:00:00.000Z,staff,2,"'=HYPERLINK(""x"")",1,a,staff:2,"{""a"":""b,c""}",,0,1\r\n`,
    );
  });
});

describe('npm run staff', { timeout: 120_000 }, () => {
  let dir: string;
  let env: Record<string, string>;
  const staffCli = (...args: string[]) => run('src/admin/staff-cli.ts', args, env);
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mamori-staff-cli-'));
    env = { DATABASE_URL: `file:${join(dir, 'mamori.db')}`, PUBLIC_URL: 'https://acs.test', NODE_ENV: 'test', ...TEST_SECRETS };
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('adds the first administrator with a one-time link that enrols in the console, and refuses bad input with one line', async () => {
    const added = staffCli('add', '--username', 'Admin', '--role', 'administrator');
    expect(added.stderr).toBe('');
    expect(added.status).toBe(0);
    expect(added.stdout).toMatch(/^invited admin as platform admin \(all issuers\)\. One-time enrolment link, valid 24 hours:\nhttps:\/\/acs\.test\/admin\/enrol\/[\w-]{43}\n$/);
    const link = added.stdout.trim().split('\n')[1];

    const helpdesk = staffCli('add', '--username', 'desk', '--role', 'helpdesk', '--name', '窓口 花子');
    expect(helpdesk.stdout).toContain('invited desk as helpdesk (issuer default)');

    expect(staffCli('add', '--username', 'admin', '--role', 'auditor')).toMatchObject({ status: 1, stderr: 'refused: the username "admin" is taken\n' });
    expect(staffCli('add', '--username', 'x', '--role', 'auditor').status).toBe(2);
    expect(staffCli('add', '--username', 'someone', '--role', 'boss')).toMatchObject({ status: 2 });
    expect(staffCli('add', '--username', 'someone', '--role', 'auditor', '--issuer', 'nope')).toMatchObject({ status: 1, stderr: 'no issuer with code "nope" (issuers: default)\n' });
    expect(staffCli('fly').status).toBe(2);

    const listed = JSON.parse(staffCli('list', '--json').stdout);
    expect(listed).toEqual([
      { username: 'admin', name: 'admin', role: 'platform_admin', issuer: null, status: 'invited', lastSignIn: null },
      { username: 'desk', name: '窓口 花子', role: 'helpdesk', issuer: 'default', status: 'invited', lastSignIn: null },
    ]);

    // The printed link works in the console the CLI's database belongs to.
    const t = await createTestApp({ databaseFile: join(dir, 'mamori.db') });
    try {
      const enrolled = await enrol(t, link);
      const home = await (await enrolled.client.get('/admin')).text();
      expect(home).toContain('プラットフォーム管理者');
      expect((await new Client(t.app).get(new URL(link).pathname)).status).toBe(404);
      const report = await verifyAuditChain(t.deps.db);
      expect(report.ok).toBe(true);
      const rows = await t.deps.db.select().from(auditLog).orderBy(auditLog.id);
      expect(rows.map((r) => [r.action, r.actorName?.startsWith('cli:') ? 'cli' : r.actorName])).toEqual([
        ['staff.invite', 'cli'],
        ['staff.invite', 'cli'],
        ['staff.enrol', 'admin'],
      ]);
    } finally {
      t.close();
    }
    const reset = staffCli('reset', '--username', 'admin');
    expect(reset.status).toBe(0);
    expect(reset.stdout).toMatch(/^reset admin: every session ended; .*\nhttps:\/\/acs\.test\/admin\/enrol\/[\w-]{43}\n$/);
    expect(staffCli('unlock', '--username', 'ghost')).toMatchObject({ status: 1 });
  });
});
