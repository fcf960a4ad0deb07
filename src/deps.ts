/**
 * The types of the app's dependencies, and nothing that runs: entries build them
 * (src/entry/assemble.ts), modules take the part they use (`Pick<AppDeps, 'db' | 'clock'>`).
 */
import type { MiddlewareHandler } from 'hono';
import type { GetConnInfo } from 'hono/conninfo';
import type { Clock } from './clock.ts';
import type { Config } from './config.ts';
import type { Database } from './db/client.ts';
import type { Keys } from './keys.ts';
import type { Logger } from './log.ts';
import type { Mailer } from './messaging/mailer.ts';
import type { SmsGateway } from './messaging/sms-gateway.ts';
import type { RiskProvider } from './risk/provider.ts';

/** Everything the app needs from the world. Entry points build it; tests build it with fakes for the clock. */
export interface AppDeps {
  config: Config;
  db: Database;
  clock: Clock;
  sms: SmsGateway;
  mailer: Mailer;
  risk: RiskProvider;
  keys: Keys;
  log: Logger;
  /** How this runtime serves files under /static (Node, Deno and Workers each have their own). */
  assets?: MiddlewareHandler;
  /** The runtime's `getConnInfo` (Node, Deno or Workers), for the connection's address: http/client-ip.ts. */
  connInfo?: GetConnInfo;
  /** Outbound HTTP (RReq to the DS, SMS and mail providers); injectable so tests can watch it. */
  fetch: typeof fetch;
}

/** Hono's typed context for this app: `c.get('deps')` anywhere in a route. */
export type AppEnv = { Variables: { deps: AppDeps; requestId: string } };
