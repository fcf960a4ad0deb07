/**
 * Deno entry:
 *   deno run --allow-net --allow-read --allow-write --allow-env --allow-ffi src/entry/deno.ts
 * (`npm run start:deno` runs exactly that with the Deno from node_modules).
 * Same app, same embedded libSQL file (or a libSQL server), same migrations.
 */
import { mkdirSync } from 'node:fs';
import process from 'node:process';
import { createClient } from '@libsql/client';
import { serveStatic } from 'hono/deno';
import { createApp } from '../app.ts';
import { adjustableClock, systemClock } from '../clock.ts';
import { ConfigError, parseConfig } from '../config.ts';
import { tuneEmbeddedDatabase } from '../db/client.ts';
import { migrateDatabase } from '../db/migrate.ts';
import { assembleDeps } from '../deps.ts';
import { createLogger } from '../log.ts';
import { startServices } from '../services.ts';
import { loadOrCreateDevSecrets } from './dev-secrets.ts';

declare const Deno: {
  serve(options: { port: number; hostname: string; onListen?: (addr: { port: number }) => void }, handler: (req: Request) => Response | Promise<Response>): unknown;
};

const env = process.env as Record<string, string | undefined>;
let config;
try {
  config = parseConfig(env, loadOrCreateDevSecrets(env));
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}

const log = createLogger({ level: config.LOG_LEVEL });
if (config.DATABASE_URL.startsWith('file:')) mkdirSync('data', { recursive: true });
const client = createClient({ url: config.DATABASE_URL, authToken: config.DATABASE_AUTH_TOKEN });
if (config.DATABASE_URL.startsWith('file:')) await tuneEmbeddedDatabase(client);

const clock = config.SANDBOX ? adjustableClock() : systemClock;
const deps = await assembleDeps({ config, client, clock, log, assets: serveStatic({ root: './' }) });
await migrateDatabase(deps.db);
await startServices(deps);

const app = createApp(deps);
Deno.serve({ port: config.PORT, hostname: config.HOST, onListen: ({ port }) => log.info('listening', { runtime: 'deno', port }) }, app.fetch);
