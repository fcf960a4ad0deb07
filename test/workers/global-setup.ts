/**
 * Runs in Node before the workers project: a real sqld (libSQL server) on a free loopback
 * port, migrated with the same migrations as every runtime. The Worker under test reaches
 * it over HTTP with @libsql/client/web, as it reaches Turso in production.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@libsql/client';
import type { TestProject } from 'vitest/node';
import { startSqld } from '../../scripts/sqld.mjs';
import { createDatabase } from '../../src/db/client.ts';
import { migrateDatabase } from '../../src/db/migrate.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const sqld = await startSqld({ dbPath: join(mkdtempSync(join(tmpdir(), 'mamori-sqld-')), 'data') });
  const client = createClient({ url: sqld.url });
  await migrateDatabase(createDatabase(client));
  client.close();
  project.provide('databaseUrl', sqld.url);
  return () => sqld.stop();
}
