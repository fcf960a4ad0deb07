/**
 * Deno entry:
 *   deno run --allow-net --allow-read --allow-write --allow-env --allow-ffi src/entry/deno.ts
 * (`npm run start:deno` runs exactly that with the Deno from node_modules).
 * Same app, same embedded libSQL file (or a libSQL server), same migrations.
 */
import process from 'node:process';
import { serveStatic } from 'hono/deno';
import { createApp } from '../app.ts';
import { adjustableClock, systemClock } from '../clock.ts';
import { migrateDatabase } from '../db/migrate.ts';
import { assembleDeps } from '../deps.ts';
import { createLogger } from '../log.ts';
import { startServices } from '../services.ts';
import { configOrExit, openDatabase } from './local.ts';

declare const Deno: {
  serve(options: { port: number; hostname: string; onListen?: (addr: { port: number }) => void }, handler: (req: Request) => Response | Promise<Response>): unknown;
};

const { config } = configOrExit(process.env as Record<string, string | undefined>);
const log = createLogger({ level: config.LOG_LEVEL });
const client = await openDatabase(config);
const clock = config.SANDBOX ? adjustableClock() : systemClock;
const deps = await assembleDeps({ config, client, clock, log, assets: serveStatic({ root: './' }) });
await migrateDatabase(deps.db);
await startServices(deps);

const app = createApp(deps);
Deno.serve({ port: config.PORT, hostname: config.HOST, onListen: ({ port }) => log.info('listening', { runtime: 'deno', port }) }, app.fetch);
