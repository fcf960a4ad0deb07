import type { Client } from '@libsql/client';
import type { LibSQLDatabase } from 'drizzle-orm/libsql';
import { drizzle } from 'drizzle-orm/libsql/web';
import { withDeadline } from './deadline.ts';
import * as schema from './schema.ts';

export type Database = LibSQLDatabase<typeof schema>;

/**
 * Wraps a libSQL client (embedded file, sqld or Turso) in Drizzle.
 * The entry point creates the client for its runtime: `@libsql/client` on Node and Deno,
 * `@libsql/client/web` on Workers. With `deadlineMs` (the app's database, DB_TIMEOUT_MS) every
 * call fails with DatabaseDeadlineError when the database does not answer in time (deadline.ts);
 * command-line tools leave it out and wait as long as their work takes.
 */
export function createDatabase(client: Client, options: { deadlineMs?: number } = {}): Database {
  const edge = options.deadlineMs ? withDeadline(client, options.deadlineMs) : client;
  // The /web flavour only wraps the client it is given, so the Worker bundle never pulls in the native one.
  return drizzle(edge, { schema });
}

/** Pragmas for an embedded file: WAL so readers never block the writer, and a wait instead of SQLITE_BUSY. */
export async function tuneEmbeddedDatabase(client: Client): Promise<void> {
  await client.execute('PRAGMA journal_mode = WAL');
  await client.execute('PRAGMA busy_timeout = 5000');
  await client.execute('PRAGMA foreign_keys = ON');
}
