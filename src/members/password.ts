/**
 * Password hashing with WebCrypto, so it runs on Workers too: PBKDF2-HMAC-SHA-256 with a 128-bit
 * salt and 600,000 iterations (OWASP's figure). Workers' WebCrypto refuses more than 100,000
 * iterations per call, so the work is done as 6 chained rounds of 100,000 (each round's output is
 * the next round's key material): the same cost, on every runtime.
 *
 * Stored as `pbkdf2-sha256$<rounds>x<iterations>$<salt b64>$<hash b64>`.
 */
import { base64urlToBytes, bytesToBase64url, timingSafeEqual } from '../encoding.ts';

const ITERATIONS_PER_ROUND = 100_000;
const ROUNDS = 6;

export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const hash = await derive(password, salt, ROUNDS, ITERATIONS_PER_ROUND);
  return `pbkdf2-sha256$${ROUNDS}x${ITERATIONS_PER_ROUND}$${bytesToBase64url(salt)}$${bytesToBase64url(hash)}`;
}

/** Always does the full work, even for a missing or malformed hash, so timing reveals nothing. */
export async function verifyPassword(password: string, stored: string | null | undefined): Promise<boolean> {
  const m = /^pbkdf2-sha256\$(\d+)x(\d+)\$([\w-]+)\$([\w-]+)$/.exec(stored ?? '');
  const salt = m ? base64urlToBytes(m[3]) : new Uint8Array(16);
  const hash = await derive(password, salt, m ? Number(m[1]) : ROUNDS, m ? Number(m[2]) : ITERATIONS_PER_ROUND);
  return !!m && timingSafeEqual(bytesToBase64url(hash), m[4]);
}

async function derive(password: string, salt: Uint8Array<ArrayBuffer>, rounds: number, iterations: number): Promise<Uint8Array<ArrayBuffer>> {
  let material: Uint8Array<ArrayBuffer> = new TextEncoder().encode(password);
  for (let i = 0; i < rounds; i++) {
    const key = await crypto.subtle.importKey('raw', material, 'PBKDF2', false, ['deriveBits']);
    material = new Uint8Array(await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, key, 256));
  }
  return material;
}
