import { decodeSecret, type Secrets } from './config.ts';

/** The appliance's secrets as WebCrypto keys, imported once at start-up (works on every runtime). */
export interface Keys {
  /** HMAC-SHA-256: the PAN's look-up hash. */
  panLookup: CryptoKey;
  /** AES-GCM-256: the PAN's ciphertext. */
  panEncryption: CryptoKey;
  /** HMAC-SHA-256: authentication values (CAVV/AAV) the issuer's host can verify. */
  authValue: CryptoKey;
  /** HMAC-SHA-256: signed cookies, signed challenge form state, CSRF tokens. */
  session: CryptoKey;
  /** AES-GCM-256: the app channel's session keys (and the sandbox's signing key) at rest. */
  channel: CryptoKey;
}

/** Why `channel` is HKDF-derived: no new secret to provision, yet never the PAN key itself. */
const CHANNEL_INFO = 'mamori app-channel session keys';

export async function importKeys(secrets: Secrets): Promise<Keys> {
  const hmac = (s: string) =>
    crypto.subtle.importKey('raw', decodeSecret(s)!, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
  return {
    panLookup: await hmac(secrets.PAN_LOOKUP_KEY),
    panEncryption: await crypto.subtle.importKey('raw', decodeSecret(secrets.PAN_ENCRYPTION_KEY)!, 'AES-GCM', false, [
      'encrypt',
      'decrypt',
    ]),
    authValue: await hmac(secrets.AUTH_VALUE_KEY),
    session: await hmac(secrets.SESSION_SECRET),
    channel: await deriveAesKey(secrets.PAN_ENCRYPTION_KEY, CHANNEL_INFO),
  };
}

async function deriveAesKey(secret: string, info: string): Promise<CryptoKey> {
  const base = await crypto.subtle.importKey('raw', decodeSecret(secret)!, 'HKDF', false, ['deriveKey']);
  return crypto.subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: new TextEncoder().encode(info) },
    base,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}
