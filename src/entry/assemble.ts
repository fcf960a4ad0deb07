/**
 * Where the entries (and the test rig) assemble the app's dependencies: the database over a
 * libSQL client, the keys, and the adapters the configuration chooses. Each runtime hands in
 * what only it has (its clock, static files, connection info); a test may hand in its own
 * SMS gateway, mailer, risk provider or fetch.
 */
import type { Client } from '@libsql/client';
import type { MiddlewareHandler } from 'hono';
import type { GetConnInfo } from 'hono/conninfo';
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import { createDatabase } from '../db/client.ts';
import type { AppDeps } from '../deps.ts';
import { importKeys } from '../keys.ts';
import type { Logger } from '../log.ts';
import { mailerFor, smsGatewayFor } from '../messaging/adapters.ts';
import type { Mailer } from '../messaging/mailer.ts';
import type { SmsGateway } from '../messaging/sms-gateway.ts';
import type { RiskProvider } from '../risk/provider.ts';
import { engineRiskProvider } from '../risk/engine.ts';

export async function assembleDeps(args: {
  config: Config;
  client: Client;
  clock: Clock;
  log: Logger;
  assets?: MiddlewareHandler;
  connInfo?: GetConnInfo;
  fetch?: typeof fetch;
  sms?: SmsGateway;
  mailer?: Mailer;
  risk?: RiskProvider;
}): Promise<AppDeps> {
  const { config, clock } = args;
  const db = createDatabase(args.client, { deadlineMs: config.DB_TIMEOUT_MS });
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
    // The rule engine (src/risk/engine.ts): the issuer's published rules, else the defaults; a test may hand in its own.
    risk: args.risk ?? engineRiskProvider({ db, clock, log: args.log, fetch: outbound, config }),
    assets: args.assets,
    connInfo: args.connInfo,
    fetch: outbound,
  };
}
