/**
 * The one error catalogue: every errorCode the ACS sends or may meet, with the
 * description that goes in errorDescription, and `buildErro` to make the message.
 */
import type { MessageType } from './codes.ts';
import type { Erro, ErrorComponent } from './erro.ts';
import { isUuid } from './formats.ts';
import { FALLBACK_VERSION, isSupportedVersion } from './versions.ts';

export const ERROR_CODES = {
  '101': 'Message received invalid',
  '102': 'Message version number not supported',
  '103': 'Sent messages limit exceeded',
  '201': 'Required data element missing',
  '202': 'Critical message extension not recognised',
  '203': 'Format of one or more data elements is invalid according to the specification',
  '204': 'Duplicate data element',
  '205': 'Card range overlap', // 2.3.1, PRes only
  '206': 'Invalid action indicator', // 2.3.1, PRes only
  '207': 'Data element value in a reserved range not recognised', // 2.3.1
  '301': 'Transaction ID not recognised',
  '302': 'Data decryption failure',
  '303': 'Access denied, invalid endpoint',
  '304': 'ISO code invalid',
  '305': 'Transaction data not valid',
  '306': 'Merchant category code (MCC) not valid for payment system',
  '307': 'Serial number not valid',
  '308': 'SDK signature verification failure', // 2.3.1 and on, from here to 315
  '309': 'Content security policy validation failure',
  '310': 'Cryptographic algorithm not supported',
  '311': 'Key identifier (kid) not recognised',
  '312': 'Duplicate message',
  '313': 'RReq received without a challenge-capable ARes',
  '314': 'Multiple browser CReq messages not supported',
  '315': 'CReq received after the RReq was sent',
  '402': 'Transaction timed out',
  '403': 'Transient system failure',
  '404': 'Permanent system failure',
  '405': 'System connection failure',
} as const;
export type ErrorCode = keyof typeof ERROR_CODES;

/** An Erro this ACS built: unlike one received, its errorCode is always from the catalogue. */
export type AcsErro = Erro & { errorCode: ErrorCode };

/** errorDescription and errorDetail are each at most 2048 characters. */
const MAX_TEXT = 2048;

export interface ErroInput {
  errorCode: ErrorCode;
  /** What exactly was wrong; for 201/203/204/304 the element names, comma-separated (Req 218). */
  errorDetail: string;
  /** Who found the error; the ACS is 'A'. */
  errorComponent?: ErrorComponent;
  /** Defaults to the catalogue text. */
  errorDescription?: string;
  /** The type of the message in error, when it could be recognised. */
  errorMessageType?: MessageType;
  /** The incoming messageVersion; anything unsupported falls back to a version we speak. */
  messageVersion?: unknown;
  /** Transaction IDs from the incoming message: only well-formed UUIDs are echoed. */
  threeDSServerTransID?: unknown;
  dsTransID?: unknown;
  acsTransID?: unknown;
  sdkTransID?: unknown;
}

/**
 * Builds a valid Erro message.
 *
 * @example
 * buildErro({ errorCode: '201', errorDetail: 'acctNumber', errorMessageType: 'AReq', messageVersion: '2.2.0' })
 */
export function buildErro(input: ErroInput): AcsErro {
  const description = ERROR_CODES[input.errorCode];
  const erro: AcsErro = {
    messageType: 'Erro',
    messageVersion: isSupportedVersion(input.messageVersion) ? input.messageVersion : FALLBACK_VERSION,
    errorCode: input.errorCode,
    errorComponent: input.errorComponent ?? 'A',
    errorDescription: clip(input.errorDescription) ?? description,
    errorDetail: clip(input.errorDetail) ?? description,
  };
  if (input.errorMessageType) erro.errorMessageType = input.errorMessageType;
  for (const id of ['threeDSServerTransID', 'dsTransID', 'acsTransID', 'sdkTransID'] as const) {
    const value = input[id];
    if (isUuid(value)) erro[id] = value;
  }
  return erro;
}

/** Trimmed to the length limit, or undefined when there is nothing to say. */
function clip(value: string | undefined): string | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  return value.length <= MAX_TEXT ? value : `${value.slice(0, MAX_TEXT - 3)}...`;
}
