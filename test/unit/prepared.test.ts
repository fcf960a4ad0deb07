/**
 * Drizzle queries prepared once per database (src/db/prepared.ts), on real embedded libSQL files:
 * built once for each database, answering with that database's rows only, and with the values of
 * each call.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type Client } from '@libsql/client';
import { eq, sql } from 'drizzle-orm';
import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { afterEach, describe, expect, it } from 'vitest';
import { createDatabase, libsqlConfig, type Database } from '../../src/db/client.ts';
import { preparedPerDatabase } from '../../src/db/prepared.ts';

const things = sqliteTable('things', { id: integer('id').primaryKey(), name: text('name').notNull() });
const clients: Client[] = [];
afterEach(() => clients.splice(0).forEach((c) => c.close()));

async function databaseWith(names: string[]): Promise<Database> {
  const client = createClient(libsqlConfig(`file:${join(mkdtempSync(join(tmpdir(), 'mamori-prepared-')), 'p.db')}`));
  clients.push(client);
  await client.execute('CREATE TABLE things (id INTEGER PRIMARY KEY, name TEXT NOT NULL)');
  for (const [i, name] of names.entries()) await client.execute({ sql: 'INSERT INTO things VALUES (?, ?)', args: [i + 1, name] });
  return createDatabase(client);
}

describe('preparedPerDatabase', () => {
  it('builds a query once per database, and each answers from its own file with each call’s values', async () => {
    let builds = 0;
    const thingById = preparedPerDatabase((db) => (builds++, db.select().from(things).where(eq(things.id, sql.placeholder('id'))).prepare()));
    const a = await databaseWith(['a1', 'a2']);
    const b = await databaseWith(['b1']);
    expect(await thingById(a).get({ id: 2 })).toEqual({ id: 2, name: 'a2' });
    expect(await thingById(b).get({ id: 1 })).toEqual({ id: 1, name: 'b1' });
    expect(await thingById(a).get({ id: 1 })).toEqual({ id: 1, name: 'a1' });
    expect(await thingById(b).get({ id: 2 })).toBeUndefined();
    expect(builds).toBe(2);
  });
});
