/**
 * CReq (browser): what the 3DS Requestor's page posts to the acsURL, base64url-encoded in
 * the form field `creq`, to start the challenge. Only the browser form is handled: the
 * app channel's CReq is a JWE, out of scope here; its elements are accepted if present.
 */
import { z } from 'zod';
import { decodeTextBase64Url } from './base64url.ts';
import { buildErro, type AcsErro } from './errors.ts';
import { code, digits, messageExtensions, optional, required, text, uuid } from './formats.ts';
import { checkMessage, erroFromIssues, readMessage, type Checked } from './validation.ts';
import type { MessageVersion } from './versions.ts';

const fields = {
  messageType: required(z.literal('CReq')),
  threeDSServerTransID: required(uuid),
  acsTransID: required(uuid),
  challengeWindowSize: required(z.enum(['01', '02', '03', '04', '05'])),
  // app channel only
  sdkTransID: optional(uuid),
  sdkCounterStoA: optional(digits(3, 3)),
  challengeDataEntry: optional(text(45)),
  challengeHTMLDataEntry: optional(text(256)),
  challengeNoEntry: optional(z.literal('Y')),
  resendChallenge: optional(z.enum(['Y', 'N'])),
};

export const CReq220 = z.object({
  ...fields,
  messageVersion: required(z.literal('2.2.0')),
  messageExtension: optional(messageExtensions(10)),
  challengeCancel: optional(code('01', '03-08', '80-99')),
});

export const CReq231 = z.object({
  ...fields,
  messageVersion: required(z.literal('2.3.1')),
  messageExtension: optional(messageExtensions(15)),
  challengeCancel: optional(code('01', '03-10', '80-99')),
});

export const CREQ_SCHEMAS = { '2.2.0': CReq220, '2.3.1': CReq231 } as const;

export type CReq220 = z.infer<typeof CReq220>;
export type CReq231 = z.infer<typeof CReq231>;
export type CReq = CReq220 | CReq231;

export type ParseCReqResult = { ok: true; creq: CReq; messageVersion: MessageVersion } | { ok: false; erro: AcsErro };

/**
 * Validates a decoded browser CReq. Whether it matches the transaction (acsTransID known,
 * same messageVersion as the AReq) is for the ACS layer to check (301, 203).
 * Never throws.
 */
export function parseCReq(json: unknown): ParseCReqResult {
  return validate(() => checkMessage(json, 'CReq'));
}

/**
 * Decodes and validates the `creq` form field (base64url JSON, padded or not), also
 * catching duplicate keys (204). Never throws.
 *
 * @example
 * const result = decodeCReq(String(form.creq ?? ''));
 */
export function decodeCReq(creq: string): ParseCReqResult {
  const json = decodeTextBase64Url(creq);
  if (json === null) return { ok: false, erro: buildErro({ errorCode: '101', errorDetail: 'creq is not base64url-encoded UTF-8', errorMessageType: 'CReq' }) };
  return validate(() => readMessage(json, 'CReq'));
}

function validate(check: () => Checked): ParseCReqResult {
  try {
    const checked = check();
    if (!checked.ok) return checked;
    const parsed = CREQ_SCHEMAS[checked.messageVersion].safeParse(checked.message, { reportInput: true });
    if (!parsed.success) return { ok: false, erro: erroFromIssues(parsed.error.issues, checked.message, 'CReq') };
    return { ok: true, creq: parsed.data, messageVersion: checked.messageVersion };
  } catch {
    return { ok: false, erro: buildErro({ errorCode: '101', errorDetail: 'Message could not be validated', errorMessageType: 'CReq' }) };
  }
}
