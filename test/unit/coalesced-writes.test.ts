/**
 * Single writing statements of one event-loop turn share one commit (serializeWrites, client.ts),
 * on a real embedded libSQL file: each caller still gets its own result, or its own error, and only
 * once its statement is committed.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type Client, type InStatement, type TransactionMode } from '@libsql/client';
import { afterEach, describe, expect, it } from 'vitest';
import { libsqlConfig, serializeWrites, tuneEmbeddedDatabase } from '../../src/db/client.ts';

const open: Client[] = [];
afterEach(() => open.splice(0).forEach((c) => c.close()));

/** A fresh file, the raw client and how many commits it was asked for (batches and lone writes). */
async function fresh() {
  const file = join(mkdtempSync(join(tmpdir(), 'mamori-coalesce-')), 'c.db');
  const raw = createClient(libsqlConfig(`file:${file}`));
  const other = createClient(libsqlConfig(`file:${file}`));
  open.push(raw, other);
  await tuneEmbeddedDatabase(raw);
  await raw.executeMultiple('CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL); INSERT INTO counter VALUES (1, 0); CREATE TABLE t (k TEXT PRIMARY KEY);');
  const commits = { batches: 0, statements: 0 };
  const counted: Client = Object.create(raw);
  counted.transaction = ((mode?: TransactionMode) => raw.transaction(mode)) as Client['transaction'];
  counted.batch = (stmts, mode) => (commits.batches++, raw.batch(stmts, mode));
  counted.execute = ((stmt: InStatement) => {
    if (!/^\s*select/i.test(typeof stmt === 'string' ? stmt : stmt.sql)) commits.statements++;
    return raw.execute(stmt);
  }) as Client['execute'];
  return { client: serializeWrites(counted), commits, other };
}

describe('writes of one turn share a commit', () => {
  it('fifty atomic increments: one batch, every caller its own RETURNING value, all visible to another connection once settled', async () => {
    const { client, commits, other } = await fresh();
    const results = await Promise.all(
      Array.from({ length: 50 }, () => client.execute({ sql: 'UPDATE counter SET n = n + 1 WHERE id = ? RETURNING n', args: [1] })),
    );
    expect(results.map((r) => Number(r.rows[0].n)).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(commits).toEqual({ batches: 1, statements: 0 });
    expect(Number((await other.execute('SELECT n FROM counter')).rows[0].n)).toBe(50);
  });

  it('a failing statement among them: its caller gets the constraint error, the others commit', async () => {
    const { client, commits, other } = await fresh();
    await client.execute({ sql: 'INSERT INTO t VALUES (?)', args: ['taken'] });
    const keys = ['a', 'b', 'taken', 'c', 'd'];
    const settled = await Promise.allSettled(keys.map((k) => client.execute({ sql: 'INSERT INTO t VALUES (?)', args: [k] })));
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect(String((settled[2] as PromiseRejectedResult).reason)).toMatch(/UNIQUE constraint failed/);
    const rows = await other.execute('SELECT k FROM t ORDER BY k');
    expect(rows.rows.map((r) => r.k)).toEqual(['a', 'b', 'c', 'd', 'taken']);
    // the batch was tried, rolled back, and each statement then ran alone
    expect(commits.batches).toBe(1);
    expect(commits.statements).toBe(1 + keys.length);
  });

  it('statements that must not run inside a transaction (a pragma that writes) still run alone', async () => {
    const { client } = await fresh();
    const [pragma, insert] = await Promise.all([client.execute('PRAGMA user_version = 7'), client.execute({ sql: 'INSERT INTO t VALUES (?)', args: ['x'] })]);
    expect(pragma.rowsAffected).toBe(0);
    expect(insert.rowsAffected).toBe(1);
    expect(Number((await client.execute('PRAGMA user_version')).rows[0].user_version)).toBe(7);
  });

  it('a write issued while a transaction holds the turn commits after it, in order', async () => {
    const { client, other } = await fresh();
    const tx = await client.transaction('write');
    await tx.execute({ sql: 'UPDATE counter SET n = 100 WHERE id = 1', args: [] });
    const later = client.execute({ sql: 'UPDATE counter SET n = n * 2 WHERE id = ? RETURNING n', args: [1] });
    await new Promise((r) => setTimeout(r, 20));
    expect(Number((await other.execute('SELECT n FROM counter')).rows[0].n)).toBe(0); // nothing committed yet
    await tx.commit();
    expect(Number((await later).rows[0].n)).toBe(200);
  });
});
