/**
 * Byte ↔ text helpers on web standards only, so they run on Node, Workers and Deno alike.
 * The one home of hex and base64/base64url; the codecs themselves are Hono's.
 */
import * as nodeCrypto from 'node:crypto';
import { decodeBase64, decodeBase64Url as honoDecodeBase64Url, encodeBase64, encodeBase64Url as honoEncodeBase64Url } from 'hono/utils/encode';

export function bytesToHex(bytes: ArrayBuffer | Uint8Array): string {
  return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Standard, padded base64 (the authentication value's form, HTTP basic auth, generated secrets). */
export function bytesToBase64(bytes: ArrayBuffer | Uint8Array): string {
  return encodeBase64(toArrayBuffer(bytes));
}

/** The bytes of standard base64 text (the +/ alphabet only); throws when it is not base64. */
export function base64ToBytes(text: string): Uint8Array<ArrayBuffer> {
  return decodeBase64(text);
}

/** Unpadded base64url (RFC 4648 §5): EMV 3DS form fields (creq, cres, threeDSMethodData), PAN ciphertexts, password hashes. */
export function bytesToBase64url(bytes: ArrayBuffer | Uint8Array): string {
  return honoEncodeBase64Url(toArrayBuffer(bytes)).replace(/=+$/, '');
}

/**
 * The bytes encoded in `text`; throws when it is neither base64url nor base64. Liberal, as EMV
 * 3DS asks of receivers (Req 192/193): padded or unpadded, either alphabet (-_ or +/), whitespace
 * ignored. Padding must still complete a quantum and a lone trailing character is refused: the
 * rules of the platform's atob (WHATWG forgiving-base64).
 *
 * @example base64urlToBytes('-_-_') // Uint8Array [0xfb, 0xff, 0xbf], as base64urlToBytes('+/+/')
 */
export function base64urlToBytes(text: string): Uint8Array<ArrayBuffer> {
  return honoDecodeBase64Url(text);
}

function toArrayBuffer(bytes: ArrayBuffer | Uint8Array): ArrayBuffer {
  return bytes instanceof ArrayBuffer ? bytes : (new Uint8Array(bytes).buffer as ArrayBuffer);
}

/** HMAC-SHA-256's bytes. */
export async function hmacBytes(key: CryptoKey, text: string): Promise<Uint8Array> {
  const same = nodeKeyOf(key, 'HMAC');
  if (same) return nodeCrypto.createHmac('sha256', same).update(text).digest();
  return new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(text)));
}

export async function sha256Hex(text: string): Promise<string> {
  if (typeof nodeCrypto.createHash === 'function') return nodeCrypto.createHash('sha256').update(text).digest('hex');
  return bytesToHex(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
}

export async function hmacHex(key: CryptoKey, text: string): Promise<string> {
  const same = nodeKeyOf(key, 'HMAC');
  if (same) return nodeCrypto.createHmac('sha256', same).update(text).digest('hex');
  return bytesToHex(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(text)));
}

/** HMAC-SHA-256 as unpadded base64url. */
export async function hmacBase64url(key: CryptoKey, text: string): Promise<string> {
  const same = nodeKeyOf(key, 'HMAC');
  if (same) return nodeCrypto.createHmac('sha256', same).update(text).digest('base64url');
  return bytesToBase64url(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(text)));
}

/**
 * The key's bytes for node:crypto, where the runtime has it (Node, Deno, Workers with
 * nodejs_compat), for the AReq's hashes and PAN cipher: the same bytes as WebCrypto without its
 * per-call cost (a job on the thread pool and a promise: about 30 µs a call, against 5 µs). The
 * secrets are in the process's configuration anyway. Null where they cannot be had: the caller
 * then uses WebCrypto. Found once per key.
 */
const nodeKeys = new WeakMap<CryptoKey, Buffer | null>();
export function nodeKeyOf(key: CryptoKey, algorithm: 'HMAC' | 'AES-GCM'): Buffer | null {
  let same = nodeKeys.get(key);
  if (same === undefined) {
    same = null;
    const hash = (key.algorithm as { hash?: { name?: string } }).hash?.name;
    if (key.algorithm.name === algorithm && (algorithm !== 'HMAC' || hash === 'SHA-256')) {
      try {
        same = (nodeCrypto.KeyObject?.from?.(key).export() as Buffer | undefined) ?? null;
      } catch {
        same = null;
      }
    }
    nodeKeys.set(key, same);
  }
  return same;
}

/** Compares two strings in time independent of where they differ. */
export function timingSafeEqual(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) diff |= (a.charCodeAt(i) || 0) ^ (b.charCodeAt(i) || 0);
  return diff === 0;
}
