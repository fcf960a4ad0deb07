/**
 * The libSQL client of the Node and Deno processes (the server, the shell tools, the tests): an
 * embedded file gets its folder, the kept prepared statements (statement-cache.ts), its pragmas and
 * writes that wait for other processes' locks without blocking the event loop (write-gate.ts);
 * a libSQL server (sqld, Turso) is reached with its token. Workers make their HTTP client in
 * entry/worker.ts and never load this module (the statement cache needs Node's module loader).
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { createClient, type Client } from '@libsql/client';
import { oneConnectionClient } from './one-connection.ts';
import { EMBEDDED_BUSY_TIMEOUT_MS, libsqlConfig, tuneEmbeddedDatabase } from './client.ts';
import { cacheStatements } from './statement-cache.ts';
import { gateWrites } from './write-gate.ts';

export async function openLocalClient(url: string, authToken?: string | null): Promise<Client> {
  const file = url.startsWith('file:') ? url.slice('file:'.length) : undefined;
  if (!file) return createClient(libsqlConfig(url, authToken));
  mkdirSync(dirname(file), { recursive: true });
  cacheStatements();
  // libsqlConfig: every connection waits for another process's writes instead of SQLITE_BUSY;
  // one connection for every call but transactions keeps its page cache warm (one-connection.ts).
  const client = oneConnectionClient(libsqlConfig(url, authToken));
  try {
    await tuneEmbeddedDatabase(client);
    // Writes wait for another process's lock on a timer, not in the busy handler (write-gate.ts).
    return gateWrites(client, file, { maxWaitMs: EMBEDDED_BUSY_TIMEOUT_MS });
  } catch (error) {
    client.close();
    throw error;
  }
}
