/**
 * The trail's page cursor: the last row's position in the keyset order (created_at DESC,
 * acs_trans_id DESC), as an opaque base64url string. It says where the next page starts and
 * nothing else: scope and filters are applied again on every page, so a cursor made by one
 * person is worth nothing to another.
 */
import { decodeJsonBase64Url, encodeJsonBase64Url } from '../protocol/base64url.ts';

export interface Cursor {
  createdAt: number;
  acsTransID: string;
}

export function encodeCursor(cursor: Cursor): string {
  return encodeJsonBase64Url({ t: cursor.createdAt, id: cursor.acsTransID });
}

/** The cursor, or undefined for anything that is not one (a tampered or truncated link starts over). */
export function decodeCursor(text: string | undefined): Cursor | undefined {
  if (!text || text.length > 200) return undefined;
  const decoded = decodeJsonBase64Url(text);
  if (!decoded.ok) return undefined;
  const value = decoded.value as { t?: unknown; id?: unknown };
  if (typeof value?.t !== 'number' || !Number.isSafeInteger(value.t) || typeof value.id !== 'string' || value.id.length > 64) return undefined;
  return { createdAt: value.t, acsTransID: value.id };
}
