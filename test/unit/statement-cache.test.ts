/**
 * The embedded driver's kept statements (src/db/statement-cache.ts), through the real libSQL
 * client on a real file: the same answers as preparing anew, across writes, a busy lock held by
 * another connection, and a schema change.
 */
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type Client } from '@libsql/client';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cacheStatements } from '../../src/db/statement-cache.ts';

const require = createRequire(createRequire(import.meta.url).resolve('@libsql/client'));
const Database = require('libsql') as new (path: string, options?: { timeout?: number }) => {
  prepare(sql: string): unknown;
  exec(sql: string): void;
  close(): void;
};

beforeAll(() => cacheStatements());
const open: Array<{ close(): void }> = [];
afterEach(() => open.splice(0).forEach((c) => c.close()));

function file(): string {
  return join(mkdtempSync(join(tmpdir(), 'mamori-stmt-')), 'test.db');
}
function client(path: string): Client {
  const c = createClient({ url: `file:${path}` });
  open.push(c);
  return c;
}

describe('kept statements', () => {
  it('hands a connection the same statement for the same data SQL, and a new one for anything else', () => {
    const db = new Database(file());
    open.push(db);
    db.exec('CREATE TABLE t (a INTEGER PRIMARY KEY, b TEXT)');
    expect(db.prepare('SELECT a, b FROM t WHERE a = ?')).toBe(db.prepare('SELECT a, b FROM t WHERE a = ?'));
    expect(db.prepare('INSERT INTO t (b) VALUES (?)')).toBe(db.prepare('INSERT INTO t (b) VALUES (?)'));
    expect(db.prepare('PRAGMA user_version')).not.toBe(db.prepare('PRAGMA user_version'));
    const other = new Database(file());
    open.push(other);
    other.exec('CREATE TABLE t (a INTEGER PRIMARY KEY, b TEXT)');
    expect(other.prepare('SELECT a, b FROM t WHERE a = ?')).not.toBe(db.prepare('SELECT a, b FROM t WHERE a = ?'));
  });

  it('answers reads and writes as a fresh statement would, also after one failed on a lock', async () => {
    const path = file();
    const c = client(path);
    await c.execute('CREATE TABLE t (a INTEGER PRIMARY KEY, b TEXT)');
    const insert = (b: string) => c.execute({ sql: 'INSERT INTO t (b) VALUES (?)', args: [b] });
    const read = async (after: number) => (await c.execute({ sql: 'SELECT a, b FROM t WHERE a > ? ORDER BY a', args: [after] })).rows.map((r) => [r[0], r.b]);
    expect((await insert('x')).rowsAffected).toBe(1);
    expect((await insert('y')).lastInsertRowid).toBe(2n);
    expect(await read(0)).toEqual([[1, 'x'], [2, 'y']]);
    expect(await read(1)).toEqual([[2, 'y']]);

    // Another connection holds the write lock: the kept INSERT fails busy, then runs cleanly.
    const holder = new Database(path, { timeout: 0 });
    open.push(holder);
    holder.exec("BEGIN IMMEDIATE; INSERT INTO t (b) VALUES ('z')");
    const busy = createClient({ url: `file:${path}`, timeout: 0 } as Parameters<typeof createClient>[0]);
    open.push(busy);
    await busy.execute('SELECT 1');
    const busyInsert = () => busy.execute({ sql: 'INSERT INTO t (b) VALUES (?)', args: ['late'] });
    await expect(busyInsert()).rejects.toMatchObject({ code: expect.stringContaining('SQLITE_BUSY') });
    holder.exec('COMMIT');
    expect((await busyInsert()).rowsAffected).toBe(1);
    expect(await read(0)).toEqual([[1, 'x'], [2, 'y'], [3, 'z'], [4, 'late']]);
  });

  it('forgets a connection’s statements on a schema change, so a read sees the new columns', async () => {
    const c = client(file());
    await c.execute('CREATE TABLE t (a INTEGER PRIMARY KEY)');
    await c.execute('INSERT INTO t (a) VALUES (1)');
    expect((await c.execute('SELECT * FROM t')).columns).toEqual(['a']);
    await c.execute("ALTER TABLE t ADD COLUMN b TEXT DEFAULT 'new'");
    const after = await c.execute('SELECT * FROM t');
    expect(after.columns).toEqual(['a', 'b']);
    expect(after.rows[0].b).toBe('new');
  });
});
