/**
 * The database a command-line tool works on, opened and migrated: an embedded file gets its folder
 * and the server's pragmas first, a libSQL server (sqld, Turso) is reached with its token. The
 * tools read DATABASE_URL / DATABASE_AUTH_TOKEN in their argument parsing and pass them in here.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Client } from '@libsql/client';
import { createDatabase, type Database } from './client.ts';
import { openLocalClient } from './local-client.ts';
import { migrateDatabase } from './migrate.ts';

export interface DatabaseTarget {
  url: string;
  authToken?: string;
}

/**
 * drizzle/ of this checkout, wherever the tool is started from: the nearest folder above this module
 * that holds it (two up from src/db/, one up from the built tools in dist/, `npm run build`).
 */
function migrationsFolder(): string {
  for (let dir = new URL('.', import.meta.url); ; dir = new URL('../', dir)) {
    const folder = new URL('drizzle/', dir);
    if (existsSync(new URL('meta/_journal.json', folder))) return fileURLToPath(folder);
    if (new URL('../', dir).href === dir.href) throw new Error(`no drizzle/ migrations folder above ${fileURLToPath(import.meta.url)}`);
  }
}
const MIGRATIONS = migrationsFolder();

/** Opens and migrates the target; the caller closes `client` when done. */
export async function openMigratedDatabase(target: DatabaseTarget): Promise<{ db: Database; client: Client }> {
  const client = await openLocalClient(target.url, target.authToken);
  try {
    const db = createDatabase(client);
    await migrateDatabase(db, MIGRATIONS);
    return { db, client };
  } catch (error) {
    client.close();
    throw error;
  }
}

/** Text (a URL, or an error naming one) as a terminal may show it: without credentials in URLs. */
export function withoutCredentials(text: string): string {
  return text.replace(/\/\/[^@/\s]*@/g, '//');
}
