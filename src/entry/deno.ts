/**
 * Deno entry:
 *   deno run --allow-net --allow-read --allow-write --allow-env --allow-ffi --allow-sys src/entry/deno.ts
 * (`npm run start:deno` runs exactly that with the Deno from node_modules, see scripts/start-deno.mjs).
 * Same app, same migrations; an embedded libSQL file of its own by default (DENO_DATABASE_URL),
 * or the libSQL server or file DATABASE_URL names.
 */
import process from 'node:process';
import { getConnInfo, serveStatic } from 'hono/deno';
import { createApp } from '../app.ts';
import { checkAcsSigning } from '../app-channel/signing.ts';
import { adjustableClock, systemClock } from '../clock.ts';
import { migrateDatabase } from '../db/migrate.ts';
import { createLogger } from '../log.ts';
import { startServices } from '../services.ts';
import { assembleDeps } from './assemble.ts';
import { configOrExit, orExitOnConfigError, DENO_DATABASE_URL, openDatabase, withDefaultDatabase } from './local.ts';

declare const Deno: {
  serve(options: { port: number; hostname: string; onListen?: (addr: { port: number }) => void }, handler: (req: Request) => Response | Promise<Response>): { shutdown(): Promise<void> };
  addSignalListener(signal: 'SIGINT' | 'SIGTERM', handler: () => void): void;
  exit(code: number): never;
};

const { config } = configOrExit(withDefaultDatabase(process.env as Record<string, string | undefined>, DENO_DATABASE_URL));
const log = createLogger({ level: config.LOG_LEVEL });
const client = await openDatabase(config);
const clock = config.SANDBOX ? adjustableClock() : systemClock;
const deps = await assembleDeps({ config, client, clock, log, assets: serveStatic({ root: './' }), connInfo: getConnInfo });
await migrateDatabase(deps.db);
// The app channel's signing keys (or the sandbox's own chain), checked and loaded before the first AReq.
await orExitOnConfigError(checkAcsSigning(deps));
const services = await startServices(deps);

const app = createApp(deps);
const server = Deno.serve(
  { port: config.PORT, hostname: config.HOST, onListen: ({ port }) => log.info('listening', { runtime: 'deno', port, database: config.DATABASE_URL.startsWith('file:') ? config.DATABASE_URL : 'libSQL server' }) },
  app.fetch,
);

// Finish the requests under way, then close the database: as the Node entry does.
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  Deno.addSignalListener(signal, () => {
    if (stopping) return;
    stopping = true;
    log.info('shutting down', { signal });
    services.stop();
    const forced = setTimeout(() => Deno.exit(0), 5000);
    server.shutdown().finally(() => {
      clearTimeout(forced);
      client.close();
      Deno.exit(0);
    });
  });
}
