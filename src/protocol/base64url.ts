/**
 * Base64url (RFC 7515) for the browser form fields creq, cres, threeDSSessionData and
 * threeDSMethodData. The spec (Req 192/193) asks receivers to be liberal, so decoding
 * accepts padded or unpadded input, the standard alphabet (+/) as well as the URL-safe
 * one (-_), and ignores whitespace. Encoding always produces unpadded base64url.
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Sextet value of every accepted character; '+' and '/' map like '-' and '_'. */
const SEXTET: Readonly<Record<string, number>> = Object.fromEntries([
  ...[...ALPHABET].map((ch, i) => [ch, i] as const),
  ['+', 62],
  ['/', 63],
]);

export function encodeBase64Url(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const chars = Math.min(4, Math.ceil(((bytes.length - i) * 8) / 6));
    for (let k = 0; k < chars; k++) out += ALPHABET[(n >> (18 - 6 * k)) & 63];
  }
  return out;
}

/** The bytes encoded in `text`, or null when it is not base64/base64url. */
export function decodeBase64Url(text: string): Uint8Array | null {
  const compact = text.replace(/\s+/g, '');
  const unpadded = compact.replace(/={1,2}$/, '');
  // Padding, when present, must make the length a multiple of 4; a lone sextet is never valid.
  if (unpadded.length !== compact.length && compact.length % 4 !== 0) return null;
  if (unpadded.length % 4 === 1) return null;

  const bytes = new Uint8Array(Math.floor((unpadded.length * 6) / 8));
  let buffer = 0;
  let bits = 0;
  let j = 0;
  for (const ch of unpadded) {
    if (!Object.hasOwn(SEXTET, ch)) return null;
    const sextet = SEXTET[ch];
    buffer = ((buffer << 6) | sextet) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes[j++] = (buffer >> bits) & 0xff;
    }
  }
  return bytes;
}

/** base64url of the UTF-8 bytes of `text`. */
export function encodeTextBase64Url(text: string): string {
  return encodeBase64Url(new TextEncoder().encode(text));
}

/** The UTF-8 text encoded in `text`, or null when it is not base64 or not valid UTF-8. */
export function decodeTextBase64Url(text: string): string | null {
  const bytes = decodeBase64Url(text);
  if (bytes === null) return null;
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
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
