/**
 * Byte ↔ text helpers on web standards only, so they run on Node, Workers and Deno alike.
 * The one home of hex and base64/base64url; the codecs themselves are Hono's.
 */
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

export async function sha256Hex(text: string): Promise<string> {
  return bytesToHex(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
}

export async function hmacHex(key: CryptoKey, text: string): Promise<string> {
  return bytesToHex(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(text)));
}

/** Compares two strings in time independent of where they differ. */
export function timingSafeEqual(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) diff |= (a.charCodeAt(i) || 0) ^ (b.charCodeAt(i) || 0);
  return diff === 0;
}
