/**
 * CRes (browser, final): the challenge result the ACS page posts, base64url-encoded in
 * the form field `cres`, to the AReq's notificationURL once the RRes has come back.
 */
import { z } from 'zod';
import { digits, messageExtensions, optional, required, uuid, type MessageExtension } from './formats.ts';
import { withoutUndefined } from './presence.ts';
import type { MessageVersion } from './versions.ts';

const fields = {
  messageType: required(z.literal('CRes')),
  threeDSServerTransID: required(uuid),
  acsTransID: required(uuid),
  // app channel only; 2.1.0 browser examples carried challengeCompletionInd too
  sdkTransID: optional(uuid),
  acsCounterAtoS: optional(digits(3, 3)),
  challengeCompletionInd: optional(z.enum(['Y', 'N'])),
};

export const CRes220 = z.object({
  ...fields,
  messageVersion: required(z.literal('2.2.0')),
  transStatus: required(z.enum(['Y', 'N'])),
  messageExtension: optional(messageExtensions(10)),
});

export const CRes231 = z.object({
  ...fields,
  messageVersion: required(z.literal('2.3.1')),
  transStatus: required(z.enum(['Y', 'N', 'D'])), // D: decoupled fallback, not offered by this ACS
  messageExtension: optional(messageExtensions(15)),
});

export const CRES_SCHEMAS = { '2.2.0': CRes220, '2.3.1': CRes231 } as const;

export type CRes220 = z.infer<typeof CRes220>;
export type CRes231 = z.infer<typeof CRes231>;
export type CRes = CRes220 | CRes231;

export interface FinalCResInput {
  messageVersion: MessageVersion;
  threeDSServerTransID: string;
  acsTransID: string;
  transStatus: 'Y' | 'N';
  messageExtension?: MessageExtension[];
}

/**
 * Builds the final browser CRes. Encode it for the `cres` form field with
 * `encodeJsonBase64Url`.
 *
 * @throws ZodError when the input cannot make a valid CRes (a bug in the caller).
 */
export function buildFinalCRes(input: FinalCResInput): CRes {
  const cres = withoutUndefined({ messageType: 'CRes', ...input });
  return CRES_SCHEMAS[input.messageVersion].parse(cres);
}
