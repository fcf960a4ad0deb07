/**
 * `npm run av:verify -- --value <base64> --pan <PAN> --ds-trans-id <uuid> --eci <05> [--amount <minor units> --currency <392>]`
 *
 * Verifies an authentication value the issuer's authorisation system received. The key is
 * AUTH_VALUE_KEY from the environment or, in development, the secrets.json the Node entry generated
 * beside the database file (DATABASE_URL, default file:data/mamori.db). Prints one JSON line and
 * exits 0 when valid, 1 when not, 2 on a usage error.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { decodeSecret } from '../config.ts';
import { verifyAuthenticationValue } from './authentication-value.ts';

const USAGE =
  'usage: npm run av:verify -- --value <base64> --pan <PAN> --ds-trans-id <uuid> --eci <eci> [--amount <minor units> --currency <ISO 4217 numeric>]';

function usageError(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

let values: Record<string, string | undefined>;
try {
  ({ values } = parseArgs({
    options: {
      value: { type: 'string' },
      pan: { type: 'string' },
      'ds-trans-id': { type: 'string' },
      eci: { type: 'string' },
      amount: { type: 'string' },
      currency: { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  }));
} catch (error) {
  usageError((error as Error).message);
}
const missing = ['value', 'pan', 'ds-trans-id', 'eci'].filter((name) => !values[name]);
if (missing.length > 0) usageError(`missing ${missing.map((m) => `--${m}`).join(', ')}`);

const secret = process.env.AUTH_VALUE_KEY || devSecret(process.env.DATABASE_URL);
const raw = secret ? decodeSecret(secret) : undefined;
if (!raw || raw.length !== 32) usageError('AUTH_VALUE_KEY is not set or is not 32 bytes (base64 or hex)');

const key = await crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
const result = await verifyAuthenticationValue(key, values.value!, {
  pan: values.pan!,
  dsTransID: values['ds-trans-id']!,
  eci: values.eci!,
  purchaseAmount: values.amount,
  purchaseCurrency: values.currency,
});
console.log(JSON.stringify(result));
process.exit(result.valid ? 0 : 1);

/** Outside production the Node entry keeps generated secrets in secrets.json beside the database file. */
function devSecret(databaseUrl: string | undefined): string | undefined {
  if (process.env.NODE_ENV === 'production') return undefined;
  const path = databaseUrl?.startsWith('file:') ? databaseUrl.slice('file:'.length) : 'data/mamori.db';
  const file = join(dirname(path), 'secrets.json');
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')).AUTH_VALUE_KEY;
  } catch {
    return undefined;
  }
}
