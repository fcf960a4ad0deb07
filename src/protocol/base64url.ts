/**
 * Text and JSON in the browser form fields creq, cres, threeDSSessionData and threeDSMethodData:
 * UTF-8, base64url. The codec (liberal decoding, unpadded encoding) is src/encoding.ts.
 */
import { base64urlToBytes, bytesToBase64url } from '../encoding.ts';

/** base64url of the UTF-8 bytes of `text`. */
export function encodeTextBase64Url(text: string): string {
  return bytesToBase64url(new TextEncoder().encode(text));
}

/** The UTF-8 text encoded in `text`, or null when it is not base64 or not valid UTF-8. */
export function decodeTextBase64Url(text: string): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(base64urlToBytes(text));
  } catch {
    return null;
  }
}

/** base64url of a JSON value, e.g. the final CRes for the cres form field. */
export function encodeJsonBase64Url(value: unknown): string {
  return encodeTextBase64Url(JSON.stringify(value));
}

/**
 * Decodes base64url JSON. Returns the JSON text too, so callers can look for duplicate keys.
 *
 * @example decodeJsonBase64Url('eyJhIjoxfQ') // { ok: true, value: { a: 1 }, json: '{"a":1}' }
 */
export function decodeJsonBase64Url(text: string): { ok: true; value: unknown; json: string } | { ok: false } {
  const json = decodeTextBase64Url(text);
  if (json === null) return { ok: false };
  try {
    return { ok: true, value: JSON.parse(json), json };
  } catch {
    return { ok: false };
  }
}
