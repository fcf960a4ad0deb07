/**
 * What the Node and Deno entries share: reading the configuration (with development secrets)
 * or stopping with one line, and opening the libSQL database (an embedded file gets its folder
 * and pragmas), migrated.
 */
import process from 'node:process';
import type { Client } from '@libsql/client';
import { type Config, ConfigError, parseConfig } from '../config.ts';
import { loadOrCreateDevSecrets } from './dev-secrets.ts';
import { openLocalClient } from '../db/local-client.ts';

const PLACEHOLDER = btoa(String.fromCharCode(...new Uint8Array(32)));
const VALIDATION_ONLY_SECRETS = { PAN_LOOKUP_KEY: PLACEHOLDER, PAN_ENCRYPTION_KEY: PLACEHOLDER, AUTH_VALUE_KEY: PLACEHOLDER, SESSION_SECRET: PLACEHOLDER };

/** The validated config; on a bad setting prints the one line naming it and exits 1. `more` may validate further. */
/** A start-up check that may find the configuration wrong (e.g. the ACS signing keys): its one line, then exit 1. */
export async function orExitOnConfigError<T>(step: Promise<T>): Promise<T> {
  try {
    return await step;
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}

export function configOrExit<T = undefined>(env: Record<string, string | undefined>, more?: (config: Config) => T): { config: Config; extra: T } {
  try {
    // Validate everything else first, so a bad setting stops the start before any secret is written.
    parseConfig(env, VALIDATION_ONLY_SECRETS);
    const config = parseConfig(env, loadOrCreateDevSecrets(env));
    return { config, extra: more ? more(config) : (undefined as T) };
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}

/**
 * Deno's embedded database unless DATABASE_URL says otherwise. Node keeps the configuration's
 * default (data/mamori.db): the sandbox's movable clock belongs to one process, and a second
 * runtime sweeping the same timers on its own time would expire the first one's challenges.
 */
export const DENO_DATABASE_URL = 'file:data/deno/mamori.db';

/** The environment with DATABASE_URL set to `url` where it is unset or empty. */
export function withDefaultDatabase(env: Record<string, string | undefined>, url: string): Record<string, string | undefined> {
  return env.DATABASE_URL ? env : { ...env, DATABASE_URL: url };
}

export function openDatabase(config: Config): Promise<Client> {
  return openLocalClient(config.DATABASE_URL, config.DATABASE_AUTH_TOKEN);
}
