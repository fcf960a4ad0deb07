/**
 * The embedded client that runs every call but transactions on one connection (src/db/one-connection.ts),
 * on real libSQL files: calls begun in the same turn share that connection (a per-connection pragma
 * shows which one answered), a transaction held open gets its own and leaves the others running,
 * its commit is read at once, a second transaction waits for the first, a connection setting reaches
 * the transactions' connection too, and an in-memory database stays a single database.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type Client } from '@libsql/client';
import { afterEach, describe, expect, it } from 'vitest';
import { libsqlConfig } from '../../src/db/client.ts';
import { oneConnectionClient } from '../../src/db/one-connection.ts';

const clients: Client[] = [];
afterEach(() => clients.splice(0).forEach((c) => c.close()));

function fileUrl(): string {
  return `file:${join(mkdtempSync(join(tmpdir(), 'mamori-one-connection-')), 'o.db')}`;
}
function track(client: Client): Client {
  clients.push(client);
  return client;
}
/** Each call's connection says its own cache_size: 4321 only where it was set. */
async function cacheSizes(client: Client, calls: number): Promise<number[]> {
  const results = await Promise.all(Array.from({ length: calls }, () => client.execute('PRAGMA cache_size')));
  return results.map((r) => Number(r.rows[0][0]));
}

describe('oneConnectionClient', () => {
  it('answers calls begun in the same turn on one connection, where the pooled client spreads them', async () => {
    const url = fileUrl();
    const one = track(oneConnectionClient(libsqlConfig(url)));
    await one.execute('PRAGMA cache_size = 4321');
    expect(new Set(await cacheSizes(one, 12))).toEqual(new Set([4321]));

    const pooled = track(createClient(libsqlConfig(url)));
    await pooled.execute('PRAGMA cache_size = 4321');
    expect((await cacheSizes(pooled, 12)).filter((n) => n !== 4321).length).toBeGreaterThan(0);
  });

  it('gives a transaction a connection of its own: other calls keep running, and its commit is read at once', async () => {
    const client = track(oneConnectionClient(libsqlConfig(fileUrl())));
    await client.execute('CREATE TABLE things (id INTEGER PRIMARY KEY, name TEXT NOT NULL)');
    await client.execute("INSERT INTO things VALUES (1, 'before')");

    const tx = await client.transaction('write');
    await tx.execute("UPDATE things SET name = 'inside' WHERE id = 1");
    // Held open across awaits: the single connection still answers, with the last commit.
    expect((await client.execute('SELECT name FROM things WHERE id = 1')).rows[0].name).toBe('before');
    await tx.commit();
    expect((await client.execute('SELECT name FROM things WHERE id = 1')).rows[0].name).toBe('inside');

    const batch = await client.batch([{ sql: "INSERT INTO things VALUES (2, 'batch')", args: [] }, 'SELECT COUNT(*) AS n FROM things'], 'write');
    expect(Number(batch[1].rows[0].n)).toBe(2);
  });

  it('lets a second transaction begun meanwhile wait for the first, and gives both the settings run on the client', async () => {
    const client = track(oneConnectionClient(libsqlConfig(fileUrl())));
    await client.execute('CREATE TABLE log (n INTEGER)');
    await client.execute('PRAGMA cache_size = 4321');
    const order: string[] = [];
    const first = (async () => {
      const tx = await client.transaction('write');
      order.push('first open');
      await tx.execute('INSERT INTO log VALUES (1)');
      await new Promise((resolve) => setTimeout(resolve, 20));
      const size = Number((await tx.execute('PRAGMA cache_size')).rows[0][0]);
      order.push('first commits');
      await tx.commit();
      return size;
    })();
    const second = (async () => {
      const tx = await client.transaction('write');
      order.push('second open');
      const seen = Number((await tx.execute('SELECT COUNT(*) FROM log')).rows[0][0]);
      await tx.execute('PRAGMA cache_size = 999');
      await tx.rollback();
      return seen;
    })();
    expect(await Promise.all([first, second])).toEqual([4321, 1]);
    expect(order).toEqual(['first open', 'first commits', 'second open']);
  });

  it('keeps an in-memory database on its one connection, transactions included', async () => {
    const client = track(oneConnectionClient({ url: ':memory:' }));
    await client.execute('CREATE TABLE t (x INTEGER)');
    const tx = await client.transaction('write');
    await tx.execute('INSERT INTO t VALUES (7)');
    await tx.commit();
    expect(Number((await client.execute('SELECT x FROM t')).rows[0].x)).toBe(7);
  });

  it('closes both of its clients', async () => {
    const client = oneConnectionClient(libsqlConfig(fileUrl()));
    const tx = await client.transaction('read');
    await tx.rollback();
    client.close();
    expect(client.closed).toBe(true);
    await expect(client.execute('SELECT 1')).rejects.toThrow();
    await expect(client.transaction('write')).rejects.toThrow();
  });
});
