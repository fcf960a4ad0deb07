/**
 * Fixed SQL on the hot paths (the AReq, /healthz), run on the libSQL client under the app's
 * Drizzle database: the statement text is a constant, so nothing is built per request (Drizzle's
 * query builder cost a sixth of an AReq's CPU), and the client's deadline and write queue
 * (client.ts, deadline.ts) still apply, since Drizzle keeps that same wrapped client.
 * Rows come back positional (row[0], row[1], …) in the SELECT's column order.
 */
import type { Client, InValue, Row } from '@libsql/client';
import type { Database } from './client.ts';

/** The libSQL client under a Drizzle database (Drizzle keeps it as `$client`). */
export function clientOf(db: Database): Client {
  const client = (db as Database & { $client?: Client }).$client;
  if (!client) throw new Error('the database has no libSQL client');
  return client;
}

/** The rows of one read. */
export async function selectRows(db: Database, sql: string, args: InValue[]): Promise<Row[]> {
  return (await clientOf(db).execute({ sql, args })).rows;
}

/** SQLite's 0/1 (or null) as a boolean, as Drizzle's boolean mode reads it. */
export const bool = (v: unknown): boolean => v === 1 || v === 1n || v === true;
