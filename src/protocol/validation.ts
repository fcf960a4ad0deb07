/**
 * The validation steps every incoming message goes through (spec §5.9), shared by
 * parseAReq, parseCReq and parseRRes, and the translation of zod issues into one Erro.
 */
import type { z } from 'zod';
import { isMessageType, type MessageType } from './codes.ts';
import { buildErro, type AcsErro, type ErrorCode } from './errors.ts';
import { isMissing } from './formats.ts';
import { findDuplicateKeys } from './json.ts';
import type { JsonObject } from './presence.ts';
import { SUPPORTED_VERSIONS, isSupportedVersion, type MessageVersion } from './versions.ts';

export type Checked = { ok: true; message: JsonObject; messageVersion: MessageVersion } | { ok: false; erro: AcsErro };

/** When a message has several problems, the Erro reports the first kind in this order. */
const PRIORITY: readonly ErrorCode[] = ['201', '203', '204', '202', '304'];

/**
 * Steps for a message that arrives as JSON text: parse it (101), reject duplicate keys
 * (204), then the object checks of `checkMessage`.
 */
export function readMessage(text: string, expected: MessageType): Checked {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, erro: buildErro({ errorCode: '101', errorDetail: 'Message is not valid JSON' }) };
  }
  const checked = checkType(value, expected);
  if (!checked.ok) return checked;

  const duplicates = findDuplicateKeys(text);
  if (duplicates.length > 0) return { ok: false, erro: erroFor(checked.message, expected, '204', duplicates.join(',')) };
  return checkVersion(checked.message, expected);
}

/** Steps for a message that is already parsed: it must be an object of the expected type (101) and version (102). */
export function checkMessage(value: unknown, expected: MessageType): Checked {
  const checked = checkType(value, expected);
  return checked.ok ? checkVersion(checked.message, expected) : checked;
}

function checkType(value: unknown, expected: MessageType): { ok: true; message: JsonObject } | { ok: false; erro: AcsErro } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, erro: buildErro({ errorCode: '101', errorDetail: 'Message is not a JSON object' }) };
  }
  const message = value as JsonObject;
  if (message.messageType !== expected) {
    // A known type in the wrong place (an ARes sent to the ACS) is still "message received invalid".
    const received = isMessageType(message.messageType) ? message.messageType : undefined;
    const detail = received ? `messageType ${received} is not accepted here` : `messageType must be ${expected}`;
    return { ok: false, erro: erroFor(message, received, '101', detail) };
  }
  return { ok: true, message };
}

function checkVersion(message: JsonObject, expected: MessageType): Checked {
  if (isMissing(message.messageVersion)) return { ok: false, erro: erroFor(message, expected, '201', 'messageVersion') };
  if (!isSupportedVersion(message.messageVersion)) {
    return { ok: false, erro: erroFor(message, expected, '102', SUPPORTED_VERSIONS.join(',')) };
  }
  return { ok: true, message, messageVersion: message.messageVersion };
}

/**
 * One Erro for a failed schema parse: the highest-priority kind of problem, with the
 * names of every element that has it (`parent.child` for nested ones).
 */
export function erroFromIssues(issues: readonly z.core.$ZodIssue[], message: JsonObject, messageType: MessageType): AcsErro {
  const namesByCode = new Map<ErrorCode, Set<string>>();
  for (const issue of issues) {
    const errorCode = codeOf(issue);
    const names = namesByCode.get(errorCode) ?? new Set<string>();
    const name = detailOf(issue);
    if (name) names.add(name);
    namesByCode.set(errorCode, names);
  }
  const errorCode = PRIORITY.find((c) => namesByCode.has(c)) ?? [...namesByCode.keys()][0] ?? '203';
  const names = [...(namesByCode.get(errorCode) ?? [])];
  return erroFor(message, messageType, errorCode, names.join(',') || messageType);
}

/** Issues from schemas parsed with `reportInput: true`: no input means the element was missing. */
function codeOf(issue: z.core.$ZodIssue): ErrorCode {
  const params = (issue as { params?: { errorCode?: ErrorCode } }).params;
  if (params?.errorCode) return params.errorCode;
  return issue.input === undefined ? '201' : '203';
}

/** The element name, without array indices: `messageExtension.id`. */
function detailOf(issue: z.core.$ZodIssue): string {
  const params = (issue as { params?: { detail?: string } }).params;
  if (params?.detail) return params.detail;
  return issue.path.filter((p) => typeof p === 'string').join('.');
}

/** An Erro about `message`, echoing its version and transaction IDs where they are usable. */
export function erroFor(message: JsonObject, errorMessageType: MessageType | undefined, errorCode: ErrorCode, errorDetail: string): AcsErro {
  return buildErro({
    errorCode,
    errorDetail,
    errorMessageType,
    messageVersion: message.messageVersion,
    threeDSServerTransID: message.threeDSServerTransID,
    dsTransID: message.dsTransID,
    acsTransID: message.acsTransID,
    sdkTransID: message.sdkTransID,
  });
}
