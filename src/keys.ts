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
}

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
  };
}
