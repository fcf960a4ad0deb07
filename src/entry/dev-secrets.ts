/**
 * Outside production, missing secrets are generated once into secrets.json beside the database file (data/, git-ignored)
 * so that `npm start` works on a fresh clone and a restart can still read the stored PANs.
 * Node and Deno share it (Deno runs node:fs); Workers get secrets from wrangler.
 * The file sits beside an embedded database, so each database keeps the keys that can read it.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { generateSecret, SECRET_NAMES, type Secrets } from '../config.ts';

export function loadOrCreateDevSecrets(
  env: Record<string, string | undefined>,
  warn: (line: string) => void = console.warn,
): Partial<Secrets> {
  const file = devSecretsFile(env.DATABASE_URL);
  if (env.NODE_ENV === 'production') return {};
  const missing = SECRET_NAMES.filter((name) => !env[name]);
  if (missing.length === 0) return {};

  const stored: Partial<Secrets> = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  const created = missing.filter((name) => !stored[name]);
  for (const name of created) stored[name] = generateSecret();
  if (created.length > 0) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(stored, null, 2) + '\n', { mode: 0o600 });
    warn(
      JSON.stringify({
        level: 'warn',
        msg: `development secrets generated into ${file}: ${created.join(', ')}. Set them in the environment for production.`,
      }),
    );
  }
  return stored;
}

function devSecretsFile(databaseUrl: string | undefined): string {
  const path = databaseUrl?.startsWith('file:') ? databaseUrl.slice('file:'.length) : undefined;
  return path ? join(dirname(path), 'secrets.json') : 'data/secrets.json';
}
