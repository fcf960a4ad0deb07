/**
 * The app as the integration tests use it: the real factory over a real libSQL file
 * (fresh per call, migrated), a fake clock, and log lines captured for inspection.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type Client } from '@libsql/client';
import { createApp } from '../../src/app.ts';
import { fakeClock } from '../../src/clock.ts';
import { generateSecret, parseConfig } from '../../src/config.ts';
import { tuneEmbeddedDatabase } from '../../src/db/client.ts';
import { migrateDatabase } from '../../src/db/migrate.ts';
import { assembleDeps, type AppDeps } from '../../src/deps.ts';
import { createLogger } from '../../src/log.ts';

export const TEST_SECRETS = {
  PAN_LOOKUP_KEY: generateSecret(),
  PAN_ENCRYPTION_KEY: generateSecret(),
  AUTH_VALUE_KEY: generateSecret(),
  SESSION_SECRET: generateSecret(),
};

export interface TestAppOptions {
  env?: Record<string, string>;
  /** Reuse a database file (e.g. to prove data survives a restart). */
  databaseFile?: string;
  fetch?: typeof fetch;
  overrides?: Partial<AppDeps>;
}

export async function createTestApp(options: TestAppOptions = {}) {
  const databaseFile = options.databaseFile ?? join(mkdtempSync(join(tmpdir(), 'mamori-test-')), 'test.db');
  const config = parseConfig({ NODE_ENV: 'test', LOG_LEVEL: 'debug', PUBLIC_URL: 'http://acs.test', ...TEST_SECRETS, ...options.env });
  const clock = fakeClock();
  const logs: string[] = [];
  const log = createLogger({ level: 'debug', sink: (line) => logs.push(line), clock: clock.now });
  const client: Client = createClient({ url: `file:${databaseFile}` });
  await tuneEmbeddedDatabase(client);
  const deps = { ...(await assembleDeps({ config, client, clock, log, fetch: options.fetch })), ...options.overrides };
  await migrateDatabase(deps.db);
  const app = createApp(deps);
  return { app, deps, clock, logs, client, databaseFile, close: () => client.close() };
}
