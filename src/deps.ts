import type { Client } from '@libsql/client';
import type { MiddlewareHandler } from 'hono';
import type { Clock } from './clock.ts';
import type { Config } from './config.ts';
import { createDatabase, type Database } from './db/client.ts';
import { importKeys, type Keys } from './keys.ts';
import type { Logger } from './log.ts';
import { mailerFor, smsGatewayFor } from './messaging/adapters.ts';
import type { Mailer } from './messaging/mailer.ts';
import type { SmsGateway } from './messaging/sms-gateway.ts';
import type { RiskProvider } from './risk/provider.ts';
import { simpleRiskProvider } from './risk/simple-rules.ts';

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
  /** Outbound HTTP (RReq to the DS, SMS and mail providers); injectable so tests can watch it. */
  fetch: typeof fetch;
}

/** Hono's typed context for this app: `c.get('deps')` anywhere in a route. */
export type AppEnv = { Variables: { deps: AppDeps; requestId: string } };

/** Builds the default dependencies from a validated config and a libSQL client. */
export async function assembleDeps(args: {
  config: Config;
  client: Client;
  clock: Clock;
  log: Logger;
  assets?: MiddlewareHandler;
  fetch?: typeof fetch;
  sms?: SmsGateway;
  mailer?: Mailer;
  risk?: RiskProvider;
}): Promise<AppDeps> {
  const { config, clock } = args;
  const db = createDatabase(args.client);
  const outbound: typeof fetch = args.fetch ?? ((input, init) => fetch(input, init));
  return {
    config,
    db,
    clock,
    log: args.log,
    keys: await importKeys(config.secrets),
    // SMS_GATEWAY and MAILER choose the adapters; a test may hand in its own.
    sms: args.sms ?? smsGatewayFor(config, { db, clock, fetch: outbound }),
    mailer: args.mailer ?? mailerFor(config, { db, clock, fetch: outbound }),
    risk: args.risk ?? simpleRiskProvider(config),
    assets: args.assets,
    fetch: outbound,
  };
}
