/**
 * The app as the integration tests use it: the real factory over a real libSQL file
 * (fresh per call, migrated), a fake clock, and log lines captured for inspection.
 */
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@libsql/client';
import { createApp } from '../../src/app.ts';
import { fakeClock } from '../../src/clock.ts';
import { generateSecret, parseConfig } from '../../src/config.ts';
import { openLocalClient } from '../../src/db/local-client.ts';
import { migrateDatabase } from '../../src/db/migrate.ts';
import { checkAcsSigning } from '../../src/app-channel/signing.ts';
import type { AppDeps } from '../../src/deps.ts';
import { assembleDeps } from '../../src/entry/assemble.ts';
import { createLogger } from '../../src/log.ts';
import { seedDemoIssuer } from '../../src/sandbox/demo-issuer.ts';

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
  /** Seed the demo issuer (BIN ranges and demo cards). */
  seed?: boolean;
}

export async function createTestApp(options: TestAppOptions = {}) {
  let databaseFile = options.databaseFile;
  if (!databaseFile) {
    databaseFile = join(mkdtempSync(join(tmpdir(), 'mamori-test-')), 'test.db');
    // Seeding hashes passwords (slow on purpose); copy a seeded file made once per test worker instead.
    if (options.seed) copyFileSync(await seededTemplate(), databaseFile);
  }
  const config = parseConfig({ NODE_ENV: 'test', LOG_LEVEL: 'debug', PUBLIC_URL: 'https://acs.test', ...TEST_SECRETS, ...options.env });
  const clock = fakeClock();
  const logs: string[] = [];
  const log = createLogger({ level: 'debug', sink: (line) => logs.push(line), clock: clock.now });
  const client: Client = await openLocalClient(`file:${databaseFile}`); // as the Node and Deno entries do
  const deps = { ...(await assembleDeps({ config, client, clock, log, fetch: options.fetch })), ...options.overrides };
  await migrateDatabase(deps.db);
  if (options.seed && options.databaseFile) await seedDemoIssuer(deps);
  const app = createApp(deps);
  return { app, deps, clock, logs, client, databaseFile, close: () => client.close() };
}

let template: Promise<string> | undefined;
function seededTemplate(): Promise<string> {
  template ??= (async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'mamori-template-')), 'seeded.db');
    const t = await createTestApp({ databaseFile: file, seed: true });
    // The sandbox's signing chain too, as a started server makes it, so no test's first app AReq makes one.
    await checkAcsSigning(t.deps);
    await t.client.execute('PRAGMA wal_checkpoint(TRUNCATE)'); // everything into the main file before copying it
    t.close();
    return file;
  })();
  return template;
}
