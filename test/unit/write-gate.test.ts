/**
 * Writes wait for another process's write lock on a timer, not inside SQLite's busy handler
 * (src/db/write-gate.ts): real libSQL files, the lock held by a connection of its own, as a CLI
 * import holds it beside the server.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openLocalClient } from '../../src/db/local-client.ts';
import { nativeDatabaseClass, type NativeDatabase } from '../../src/db/native-driver.ts';
import { writeLockGate } from '../../src/db/write-gate.ts';

const opened: { close(): void }[] = [];
afterEach(() => {
  while (opened.length) opened.pop()!.close();
});

async function fixture() {
  const file = join(mkdtempSync(join(tmpdir(), 'mamori-gate-')), 'gate.db');
  const client = await openLocalClient(`file:${file}`);
  opened.push(client);
  await client.execute('CREATE TABLE t (x INTEGER)');
  // "Another process": a connection of its own, with no busy wait of its own.
  const other: NativeDatabase = new (nativeDatabaseClass())(file, { timeout: 0 });
  opened.push(other);
  return { file, client, other };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('write gate', () => {
  it('waits for a lock held elsewhere with the event loop free, then writes', async () => {
    const { client, other } = await fixture();
    other.exec('BEGIN IMMEDIATE');
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 5);
    const write = client.execute('INSERT INTO t VALUES (1)');
    // The lock holder is on this very thread: a write waiting in the busy handler would hold the
    // thread (and so the holder) until the busy timeout ran out in SQLITE_BUSY.
    await sleep(60);
    const ticksWhileLocked = ticks;
    other.exec('COMMIT');
    await write;
    clearInterval(ticker);
    expect(ticksWhileLocked).toBeGreaterThanOrEqual(3);
    expect((await client.execute('SELECT count(*) AS n FROM t')).rows[0].n).toBe(1);
  });

  it('gates transactions and batches too, and lets reads through at once', async () => {
    const { client, other } = await fixture();
    await client.execute('INSERT INTO t VALUES (1)');
    other.exec('BEGIN IMMEDIATE');
    const order: string[] = [];
    const tx = client.transaction('write').then(async (t) => {
      order.push('transaction');
      await t.execute('INSERT INTO t VALUES (2)');
      await t.commit();
    });
    const read = client.execute('SELECT count(*) AS n FROM t').then((r) => {
      order.push('read');
      return r.rows[0].n;
    });
    expect(await read).toBe(1);
    await sleep(30);
    expect(order).toEqual(['read']);
    other.exec('ROLLBACK');
    await tx;
    await client.batch(['INSERT INTO t VALUES (3)'], 'write');
    expect((await client.execute('SELECT count(*) AS n FROM t')).rows[0].n).toBe(3);
  });

  it('gives the wait to SQLite after maxWaitMs, and never holds the lock itself', async () => {
    const { file, other } = await fixture();
    const gate = writeLockGate(file, { maxWaitMs: 40 });
    opened.push(gate);
    other.exec('BEGIN IMMEDIATE');
    let done = false;
    const waited = gate.free().then(() => (done = true));
    await sleep(10);
    expect(done).toBe(false);
    await waited; // the lock is still held: the gate stopped looking
    other.exec('ROLLBACK');
    await gate.free();
    // The probe let go of the lock: another connection takes it without waiting.
    other.exec('BEGIN IMMEDIATE');
    other.exec('ROLLBACK');
  });
});
