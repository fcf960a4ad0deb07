/**
 * 3DS Method: the hidden-iframe form post of `threeDSMethodData` to the ACS's
 * threeDSMethodURL, and the notification the ACS page posts back when it is done.
 */
import { z } from 'zod';
import { decodeJsonBase64Url, encodeJsonBase64Url } from './base64url.ts';
import { required, url, uuid } from './formats.ts';

export const ThreeDSMethodData = z.object({
  threeDSServerTransID: required(uuid),
  threeDSMethodNotificationURL: required(url(2048)),
});
export type ThreeDSMethodData = z.infer<typeof ThreeDSMethodData>;

export type ParseThreeDSMethodDataResult = { ok: true; data: ThreeDSMethodData } | { ok: false; error: string };

/**
 * Reads the `threeDSMethodData` form field: base64url JSON (padded or not) with the
 * threeDSServerTransID the later AReq will carry and an http(s) notification URL.
 * No Erro exists for this exchange, so failures are plain reasons for the log. Never throws.
 */
export function parseThreeDSMethodData(field: string): ParseThreeDSMethodDataResult {
  const decoded = decodeJsonBase64Url(field);
  if (!decoded.ok) return { ok: false, error: 'threeDSMethodData is not base64url-encoded JSON' };
  const parsed = ThreeDSMethodData.safeParse(decoded.value);
  if (!parsed.success) {
    const elements = [...new Set(parsed.error.issues.map((i) => i.path.join('.') || 'threeDSMethodData'))];
    return { ok: false, error: `invalid ${elements.join(',')}` };
  }
  return { ok: true, data: parsed.data };
}

/**
 * The `threeDSMethodData` value the ACS page posts to threeDSMethodNotificationURL when
 * its fingerprinting is done: base64url of `{"threeDSServerTransID": ...}` only.
 */
export function encodeThreeDSMethodNotification(threeDSServerTransID: string): string {
  return encodeJsonBase64Url({ threeDSServerTransID });
}
