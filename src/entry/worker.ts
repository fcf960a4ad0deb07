/**
 * Cloudflare Workers entry: `wrangler dev` / `wrangler deploy`. The database is a libSQL
 * server over HTTP (Turso, or a local sqld in development), migrated by `npm run db:migrate`.
 * Static files come from the ASSETS binding; due timers are swept by the cron trigger (locally,
 * `npm run dev:worker` fires it every few seconds: scripts/dev-worker.mjs).
 */
import { createClient } from '@libsql/client/web';
import type { MiddlewareHandler } from 'hono';
import { getConnInfo } from 'hono/cloudflare-workers';
import { createApp } from '../app.ts';
import { systemClock } from '../clock.ts';
import { ConfigError, parseConfig } from '../config.ts';
import { checkAcsSigning } from '../app-channel/signing.ts';
import type { AppDeps } from '../deps.ts';
import { createLogger } from '../log.ts';
import { continueImports } from '../cards/import/runner.ts';
import { runScheduledWork, seedDemoData } from '../services.ts';
import { assembleDeps } from './assemble.ts';

interface Env {
  ASSETS?: { fetch(request: Request): Promise<Response> };
  [name: string]: unknown;
}
interface WaitUntil {
  waitUntil(promise: Promise<unknown>): void;
}

type Booted = { app: ReturnType<typeof createApp>; deps: AppDeps };
let booted: Promise<Booted> | undefined;

/** Built once per isolate, on the first request or cron event. */
function boot(env: Env): Promise<Booted> {
  booted ??= (async () => {
    const vars = Object.fromEntries(
      Object.entries(env).filter(([, v]) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean').map(([k, v]) => [k, String(v)]),
    );
    const config = parseConfig(vars);
    const log = createLogger({ level: config.LOG_LEVEL });
    const client = createClient({ url: config.DATABASE_URL, authToken: config.DATABASE_AUTH_TOKEN });
    const deps = await assembleDeps({ config, client, clock: systemClock, log, assets: env.ASSETS && assetsFrom(env.ASSETS), connInfo: getConnInfo });
    await seedDemoData(deps);
    // The app channel's signing keys (or the sandbox's own chain), checked and loaded before the first AReq.
    await checkAcsSigning(deps);
    return { app: createApp(deps), deps };
  })();
  booted.catch(() => (booted = undefined));
  return booted;
}

/** /static/x is the asset x in the static/ directory wrangler uploads. */
function assetsFrom(binding: NonNullable<Env['ASSETS']>): MiddlewareHandler {
  return async (c, next) => {
    const url = new URL(c.req.url);
    url.pathname = url.pathname.replace(/^\/static/, '') || '/';
    const res = await binding.fetch(new Request(url, { method: c.req.method, headers: c.req.raw.headers }));
    if (res.status === 404) return next();
    return new Response(res.body, res);
  };
}

export default {
  async fetch(request: Request, env: Env, ctx: WaitUntil): Promise<Response> {
    try {
      const { app } = await boot(env);
      return await app.fetch(request, env, ctx as never);
    } catch (error) {
      const message = error instanceof ConfigError ? error.message : 'start-up failed';
      console.error(JSON.stringify({ level: 'error', msg: message }));
      return Response.json({ status: 'unavailable', reason: message }, { status: 503 });
    }
  },
  /**
   * The cron trigger: one sweep of due timers. Awaited, so that a failed sweep fails the event
   * (and shows in the Workers dashboard) after its error is logged.
   */
  async scheduled(_controller: unknown, env: Env, _ctx: WaitUntil): Promise<void> {
    const { deps } = await boot(env);
    try {
      await runScheduledWork(deps);
      // Card imports left open (their batches otherwise move only while a progress page polls).
      await continueImports(deps, _ctx);
    } catch (error) {
      deps.log.error('scheduled work failed', { error });
      throw error;
    }
  },
};
