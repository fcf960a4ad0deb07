/**
 * `npm run av:verify -- --value <base64> --pan <PAN> --ds-trans-id <uuid> --eci <05> [--amount <minor units> --currency <392>]`
 *
 * Verifies an authentication value the issuer's authorisation system received. The key is
 * AUTH_VALUE_KEY from the environment or, in development, the secrets.json the Node entry generated
 * beside the database file (DATABASE_URL, default file:data/mamori.db). Prints one JSON line and
 * exits 0 when valid, 1 when not, 2 on a usage error.
 *
 * This file only reads its arguments and key; the check is verifyAuthenticationValue's.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { decodeSecret } from '../config.ts';
import { verifyAuthenticationValue, type AuthenticationValueInput } from './authentication-value.ts';

const USAGE =
  'usage: npm run av:verify -- --value <base64> --pan <PAN> --ds-trans-id <uuid> --eci <eci> [--amount <minor units> --currency <ISO 4217 numeric>]';

class UsageError extends Error {}

interface Verification {
  value: string;
  data: Omit<AuthenticationValueInput, 'transStatus' | 'how'>;
  /** AUTH_VALUE_KEY's 32 bytes. */
  key: Uint8Array<ArrayBuffer>;
}

/** The command line and the environment, checked; a UsageError says what is wrong. */
function parse(argv: string[], env: Record<string, string | undefined>): Verification {
  let values: Record<string, string | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
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
    throw new UsageError((error as Error).message);
  }
  const missing = ['value', 'pan', 'ds-trans-id', 'eci'].filter((name) => !values[name]);
  if (missing.length > 0) throw new UsageError(`missing ${missing.map((m) => `--${m}`).join(', ')}`);

  const secret = env.AUTH_VALUE_KEY || (env.NODE_ENV === 'production' ? undefined : devSecret(env.DATABASE_URL));
  const key = secret ? decodeSecret(secret) : undefined;
  if (!key || key.length !== 32) throw new UsageError('AUTH_VALUE_KEY is not set or is not 32 bytes (base64 or hex)');
  return {
    value: values.value!,
    data: { pan: values.pan!, dsTransID: values['ds-trans-id']!, eci: values.eci!, purchaseAmount: values.amount, purchaseCurrency: values.currency },
    key,
  };
}

/** Outside production the Node entry keeps generated secrets in secrets.json beside the database file. */
function devSecret(databaseUrl: string | undefined): string | undefined {
  const path = databaseUrl?.startsWith('file:') ? databaseUrl.slice('file:'.length) : 'data/mamori.db';
  const file = join(dirname(path), 'secrets.json');
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')).AUTH_VALUE_KEY;
  } catch {
    return undefined;
  }
}

let verification: Verification;
try {
  verification = parse(process.argv.slice(2), process.env);
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  console.error(`${error.message}\n${USAGE}`);
  process.exit(2);
}
const key = await crypto.subtle.importKey('raw', verification.key, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
const result = await verifyAuthenticationValue(key, verification.value, verification.data);
console.log(JSON.stringify(result));
process.exit(result.valid ? 0 : 1);
