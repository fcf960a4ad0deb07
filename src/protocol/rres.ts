/**
 * RRes: the DS's acknowledgement of an RReq. The DS may answer with an Erro instead,
 * which `parseRRes` hands back as such rather than as a malformed RRes.
 */
import { z } from 'zod';
import { ERRO_SCHEMAS, type Erro } from './erro.ts';
import { buildErro, type AcsErro } from './errors.ts';
import { code, messageExtensions, optional, required, uuid } from './formats.ts';
import { erroFromIssues, readMessage } from './validation.ts';
import { isSupportedVersion, type MessageVersion } from './versions.ts';

const fields = {
  messageType: required(z.literal('RRes')),
  threeDSServerTransID: required(uuid),
  acsTransID: required(uuid),
  dsTransID: required(uuid),
  sdkTransID: optional(uuid),
};

export const RRes220 = z.object({
  ...fields,
  messageVersion: required(z.literal('2.2.0')),
  resultsStatus: required(code('01-03', '80-99')),
  messageExtension: optional(messageExtensions(10)),
});

export const RRes231 = z.object({
  ...fields,
  messageVersion: required(z.literal('2.3.1')),
  resultsStatus: required(code('01-04', '80-99')),
  messageExtension: optional(messageExtensions(15)),
});

export const RRES_SCHEMAS = { '2.2.0': RRes220, '2.3.1': RRes231 } as const;

export type RRes220 = z.infer<typeof RRes220>;
export type RRes231 = z.infer<typeof RRes231>;
export type RRes = RRes220 | RRes231;

export type ParseRResResult =
  | { ok: true; rres: RRes; messageVersion: MessageVersion }
  /** The body was not a valid RRes: `erro` is the Erro to send to the DS. */
  | { ok: false; fromDs: false; erro: AcsErro }
  /** The DS answered the RReq with `erro`; an Erro is never answered with an Erro. */
  | { ok: false; fromDs: true; erro: Erro };

/**
 * Validates the DS's response to an RReq. Whether its IDs match the RReq is for the ACS
 * layer to check. Never throws.
 */
export function parseRRes(body: string): ParseRResResult {
  try {
    const dsErro = asErro(body);
    if (dsErro) return { ok: false, erro: dsErro, fromDs: true };

    const read = readMessage(body, 'RRes');
    if (!read.ok) return { ok: false, fromDs: false, erro: read.erro };
    const parsed = RRES_SCHEMAS[read.messageVersion].safeParse(read.message, { reportInput: true });
    if (!parsed.success) return { ok: false, erro: erroFromIssues(parsed.error.issues, read.message, 'RRes'), fromDs: false };
    return { ok: true, rres: parsed.data, messageVersion: read.messageVersion };
  } catch {
    const erro = buildErro({ errorCode: '101', errorDetail: 'Message could not be validated', errorMessageType: 'RRes' });
    return { ok: false, erro, fromDs: false };
  }
}

/** The body as a well-formed Erro of a supported version, if it is one. */
function asErro(body: string): Erro | undefined {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || (value as { messageType?: unknown }).messageType !== 'Erro') return undefined;
  const version = (value as { messageVersion?: unknown }).messageVersion;
  if (!isSupportedVersion(version)) return undefined;
  const parsed = ERRO_SCHEMAS[version].safeParse(value);
  return parsed.success ? parsed.data : undefined;
}
