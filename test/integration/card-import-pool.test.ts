/**
 * The pooled-connection fix (src/db/client.ts): an embedded libSQL client keeps a pool of
 * connections, and busy_timeout is per connection. Made with libsqlConfig, every pooled connection
 * waits for another process's write lock instead of failing with SQLITE_BUSY, writers of one
 * process take turns (serializeWrites) instead of blocking each other in the synchronous driver,
 * and every connection reads the newest commit at once.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@libsql/client';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/libsql';
import { describe, expect, it } from 'vitest';
import { createDatabase, libsqlConfig, tuneEmbeddedDatabase } from '../../src/db/client.ts';

async function freshFile() {
  const file = join(mkdtempSync(join(tmpdir(), 'mamori-pool-')), 'pool.db');
  const c = createClient(libsqlConfig(`file:${file}`));
  await tuneEmbeddedDatabase(c);
  await c.execute('CREATE TABLE t (id INTEGER PRIMARY KEY, who TEXT NOT NULL)');
  c.close();
  return file;
}
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('pooled connections on one embedded file', { timeout: 60_000 }, () => {
  it('one client: a transaction waiting between statements, and twenty writes and reads meanwhile, none busy', async () => {
    const file = await freshFile();
    const client = createClient(libsqlConfig(`file:${file}`));
    const db = createDatabase(client);
    try {
      const long = db.transaction(async (tx) => {
        await tx.run(sql`INSERT INTO t (who) VALUES ('tx')`);
        await pause(300); // e.g. a batch encrypting PANs, or a reissue, between its statements
        await tx.run(sql`INSERT INTO t (who) VALUES ('tx')`);
      });
      const writes = Array.from({ length: 20 }, (_, i) => db.run(sql`INSERT INTO t (who) VALUES (${`w${i}`})`));
      // Reads do not queue: they see what is committed, at once.
      expect((await db.get<{ n: number }>(sql`SELECT count(*) AS n FROM t`))!.n).toBe(0);
      await Promise.all([long, ...writes]);
      expect((await db.get<{ n: number }>(sql`SELECT count(*) AS n FROM t`))!.n).toBe(22);
    } finally {
      client.close();
    }
  });

  it('without the fix the same work fails with SQLITE_BUSY (the cause: a new pooled connection without busy timeout)', async () => {
    const file = await freshFile();
    const client = createClient({ url: `file:${file}` });
    await tuneEmbeddedDatabase(client); // reaches only the first connection
    const db = drizzle(client);
    try {
      const tx = await client.transaction('write');
      await tx.execute("INSERT INTO t (who) VALUES ('tx')");
      // The held connection is busy, so the pool opens another: no busy timeout there.
      const failure = await db.run(sql`INSERT INTO t (who) VALUES ('other')`).then(() => undefined, (e: Error) => e);
      expect(String((failure?.cause as Error | undefined)?.message ?? failure?.message)).toMatch(/SQLITE_BUSY|locked/);
      await tx.commit();
    } finally {
      client.close();
    }
  });

  it('two processes: a writer in another process holds the lock; this one waits its turn and sees the write at once', async () => {
    const file = await freshFile();
    const client = createClient(libsqlConfig(`file:${file}`));
    const db = createDatabase(client);
    try {
      const script = `
        import { createClient } from '@libsql/client';
        const c = createClient({ url: ${JSON.stringify(`file:${file}`)}, timeout: 5000 });
        const tx = await c.transaction('write');
        await tx.execute("INSERT INTO t (who) VALUES ('child')");
        console.log('locked');
        await new Promise((r) => setTimeout(r, 700));
        await tx.commit();
        console.log('committed');
        c.close();`;
      const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: process.cwd() });
      const events: string[] = [];
      const locked = new Promise<void>((resolve) => child.stdout.on('data', (d) => { events.push(...String(d).trim().split('\n')); if (events.includes('locked')) resolve(); }));
      const exited = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? -1)));
      await locked;
      // Every write here, on whichever pooled connection, waits for the child's commit.
      await Promise.all([
        db.run(sql`INSERT INTO t (who) VALUES ('parent')`),
        db.transaction(async (tx) => {
          await tx.run(sql`INSERT INTO t (who) VALUES ('parent-tx')`);
        }),
      ]);
      const rows = await db.all<{ who: string }>(sql`SELECT who FROM t ORDER BY id`);
      expect(rows[0].who).toBe('child'); // committed first: the parent's writes waited for it
      expect(rows.map((r) => r.who).sort()).toEqual(['child', 'parent', 'parent-tx']);
      expect(await exited).toBe(0);
    } finally {
      client.close();
    }
  });
});
