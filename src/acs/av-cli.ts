/**
 * `npm run av:verify -- --value <base64> --pan <PAN> --ds-trans-id <uuid> --eci <05> [--amount <minor units> --currency <392>]`
 *
 * Verifies an authentication value the issuer's authorisation system received. The key is
 * AUTH_VALUE_KEY from the environment (or, in development, data/secrets.json). Prints one JSON
 * line and exits 0 when valid, 1 when not, 2 on a usage error.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { decodeSecret } from '../config.ts';
import { verifyAuthenticationValue } from './authentication-value.ts';

const { values } = parseArgs({
  options: {
    value: { type: 'string' },
    pan: { type: 'string' },
    'ds-trans-id': { type: 'string' },
    eci: { type: 'string' },
    amount: { type: 'string' },
    currency: { type: 'string' },
  },
});
if (!values.value || !values.pan || !values['ds-trans-id'] || !values.eci) {
  console.error('usage: npm run av:verify -- --value <base64> --pan <PAN> --ds-trans-id <uuid> --eci <eci> [--amount <minor units> --currency <ISO 4217 numeric>]');
  process.exit(2);
}
const secret =
  process.env.AUTH_VALUE_KEY ??
  (existsSync('data/secrets.json') ? JSON.parse(readFileSync('data/secrets.json', 'utf8')).AUTH_VALUE_KEY : undefined);
const raw = secret && decodeSecret(secret);
if (!raw || raw.length !== 32) {
  console.error('AUTH_VALUE_KEY is not set (32 bytes, base64 or hex)');
  process.exit(2);
}
const key = await crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
const result = await verifyAuthenticationValue(key, values.value, {
  pan: values.pan,
  dsTransID: values['ds-trans-id'],
  eci: values.eci,
  purchaseAmount: values.amount,
  purchaseCurrency: values.currency,
});
console.log(JSON.stringify(result));
process.exit(result.valid ? 0 : 1);
