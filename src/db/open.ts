/**
 * The database a command-line tool works on, opened and migrated: an embedded file gets its folder
 * and the server's pragmas first, a libSQL server (sqld, Turso) is reached with its token. The
 * tools read DATABASE_URL / DATABASE_AUTH_TOKEN in their argument parsing and pass them in here.
 */
import { fileURLToPath } from 'node:url';
import type { Client } from '@libsql/client';
import { createDatabase, type Database } from './client.ts';
import { openLocalClient } from './local-client.ts';
import { migrateDatabase } from './migrate.ts';

export interface DatabaseTarget {
  url: string;
  authToken?: string;
}

/** drizzle/ of this checkout, wherever the tool is started from. */
const MIGRATIONS = fileURLToPath(new URL('../../drizzle', import.meta.url));

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
