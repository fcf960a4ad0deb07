/**
 * PAN protection. A card number is never stored or logged in the clear:
 * - `panLookupHash`: HMAC-SHA-256 under the look-up key, the index cards are found by;
 * - `encryptPan` / `decryptPan`: AES-GCM where the full number must be recoverable;
 * - `maskPan`: what a screen or a log may show (first 6, last 4).
 * WebCrypto keys, so the same code runs on Node, Workers and Deno (with node:crypto's faster calls
 * where the runtime has them, encoding.ts nodeKeyOf).
 */
import { createCipheriv, randomBytes, type CipherGCMTypes } from 'node:crypto';
import { base64urlToBytes, bytesToBase64url, hmacHex, nodeKeyOf } from '../encoding.ts';

export function panLookupHash(lookupKey: CryptoKey, pan: string): Promise<string> {
  return hmacHex(lookupKey, pan);
}

/** `v1.<iv>.<ciphertext>`, base64url; the version prefix leaves room for key rotation. */
export async function encryptPan(encryptionKey: CryptoKey, pan: string): Promise<string> {
  // node:crypto where the runtime has it (the same bytes: ciphertext then the 16-byte tag).
  const same = nodeKeyOf(encryptionKey, 'AES-GCM');
  if (same && typeof createCipheriv === 'function') {
    const iv = randomBytes(12);
    const cipher = createCipheriv(`aes-${same.length * 8}-gcm` as CipherGCMTypes, same, iv);
    const ct = Buffer.concat([cipher.update(pan, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return `v1.${iv.toString('base64url')}.${ct.toString('base64url')}`;
  }
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ct = await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, encryptionKey, new TextEncoder().encode(pan));
  return `v1.${bytesToBase64url(iv)}.${bytesToBase64url(ct)}`;
}

export async function decryptPan(encryptionKey: CryptoKey, cipher: string): Promise<string> {
  const [version, iv, ct] = cipher.split('.');
  if (version !== 'v1' || !iv || !ct) throw new Error('unknown PAN cipher format');
  const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: base64urlToBytes(iv) }, encryptionKey, base64urlToBytes(ct));
  return new TextDecoder().decode(plain);
}

/** 3540120000001234 → 354012******1234. Short or odd input is masked entirely. */
export function maskPan(pan: string): string {
  if (!/^\d{12,19}$/.test(pan)) return '*'.repeat(Math.min(pan.length, 19));
  return pan.slice(0, 6) + '*'.repeat(pan.length - 10) + pan.slice(-4);
}

export function luhnValid(pan: string): boolean {
  if (!/^\d{12,19}$/.test(pan)) return false;
  let sum = 0;
  for (let i = 0; i < pan.length; i++) {
    let d = pan.charCodeAt(pan.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** Appends the Luhn check digit to a PAN body (demo and test card generation). */
export function withLuhnDigit(body: string): string {
  for (let d = 0; d <= 9; d++) if (luhnValid(body + d)) return body + d;
  throw new Error('unreachable');
}
