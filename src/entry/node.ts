/**
 * Node entry: `npm start`. Wires the runtime (environment, embedded libSQL file, static files,
 * interval scheduler) and nothing else.
 */
import { mkdirSync } from 'node:fs';
import { serve } from '@hono/node-server';
import { serveStatic } from '@hono/node-server/serve-static';
import { createClient } from '@libsql/client';
import { createApp } from '../app.ts';
import { systemClock } from '../clock.ts';
import { ConfigError, parseConfig } from '../config.ts';
import { tuneEmbeddedDatabase } from '../db/client.ts';
import { migrateDatabase } from '../db/migrate.ts';
import { assembleDeps } from '../deps.ts';
import { createLogger } from '../log.ts';
import { startServices } from '../services.ts';
import { loadOrCreateDevSecrets } from './dev-secrets.ts';

let config;
try {
  config = parseConfig(process.env, loadOrCreateDevSecrets(process.env));
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

const deps = await assembleDeps({
  config,
  client,
  clock: systemClock,
  log,
  assets: serveStatic({ root: './' }),
});
await migrateDatabase(deps.db);
const services = await startServices(deps);

const app = createApp(deps);
const server = serve({ fetch: app.fetch, port: config.PORT, hostname: config.HOST }, (info) => {
  log.info('listening', { url: `http://localhost:${info.port}`, publicUrl: config.PUBLIC_URL, env: config.NODE_ENV });
});

function shutdown(signal: string) {
  log.info('shutting down', { signal });
  services.stop();
  server.close(() => {
    client.close();
    process.exit(0);
  });
  setTimeout(() => process.exit(0), 5000).unref();
}
process.on('SIGINT', () => shutdown('SIGINT'));
process.on('SIGTERM', () => shutdown('SIGTERM'));
