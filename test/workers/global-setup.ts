/**
 * Runs in Node before the workers project: a real sqld (libSQL server) on a free loopback
 * port, migrated with the same migrations as every runtime, and a Directory Server the Worker
 * sends its RReqs to. The Worker under test reaches both over HTTP, as it reaches Turso and the
 * card schemes' DSs in production.
 */
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@libsql/client';
import type { TestProject } from 'vitest/node';
import { startSqld } from '../../scripts/sqld.mjs';
import { createDatabase } from '../../src/db/client.ts';
import { migrateDatabase } from '../../src/db/migrate.ts';
import { answers } from '../support/ds-receiver.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    /** The DS's origin and path prefix (on the DS allow-lists of the Worker under test). */
    dsPrefix: string;
  }
}

export default async function setup(project: TestProject) {
  const sqld = await startSqld({ dbPath: join(mkdtempSync(join(tmpdir(), 'mamori-sqld-')), 'data') });
  const client = createClient({ url: sqld.url });
  await migrateDatabase(createDatabase(client));
  client.close();
  const ds = await startDs();
  project.provide('databaseUrl', sqld.url);
  project.provide('dsPrefix', ds.prefix);
  return async () => {
    await ds.close();
    sqld.stop();
  };
}

/**
 * `POST {prefix}fail-twice`: HTTP 500 to the first two RReqs of a transaction, then a valid RRes
 * (the sandbox DS's "fails twice"); any other path: a valid RRes at once.
 */
async function startDs() {
  const tries = new Map<string, number>();
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      const rreq = JSON.parse(body || '{}') as Record<string, unknown>;
      if (rreq.messageType !== 'RReq') return void res.writeHead(200).end();
      const n = (tries.get(String(rreq.acsTransID)) ?? 0) + 1;
      tries.set(String(rreq.acsTransID), n);
      const reply = req.url?.includes('fail-twice') && n <= 2 ? answers.status(500)(rreq) : answers.rres()(rreq);
      if (reply === 'hold') return void res.destroy();
      res.writeHead(reply.status, { 'content-type': 'application/json; charset=utf-8' }).end(reply.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    prefix: `http://127.0.0.1:${port}/ds/`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
