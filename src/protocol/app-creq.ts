/**
 * CReq (app channel, deviceChannel 01): what the EMV 3DS SDK sends to the acsURL as the plaintext
 * of a JWE (src/app-channel/). One schema per version; 2.2.0's table is taken from SDK
 * implementations (reference app-channel.md §5), 2.3.1's from Table B.3.
 *
 * Whether the CReq matches its transaction (IDs, version, counter) is for the app channel to
 * check; here: the elements, their formats, and Table A.16's "one action per CReq".
 */
import { z } from 'zod';
import { buildErro, type AcsErro } from './errors.ts';
import { code, digits, httpsUrl, messageExtensions, optional, required, text, url, uuid } from './formats.ts';
import { erroFor, erroFromIssues, readMessage } from './validation.ts';
import type { MessageVersion } from './versions.ts';

const common = {
  messageType: required(z.literal('CReq')),
  threeDSServerTransID: required(uuid),
  acsTransID: required(uuid),
  sdkTransID: required(uuid),
  sdkCounterStoA: required(digits(3, 3).refine((v) => Number(v) <= 255, 'not a counter')),
  challengeDataEntry: optional(text(45)),
  challengeHTMLDataEntry: optional(text(256)),
  challengeNoEntry: optional(z.literal('Y')),
  // SDKs send "N" for "not pressed" too (Stripe); only "Y" is an action.
  resendChallenge: optional(z.enum(['Y', 'N'])),
};

export const AppCReq220 = z.object({
  ...common,
  messageVersion: required(z.literal('2.2.0')),
  challengeCancel: optional(code('01', '03-08')),
  // 2.2.0 SDKs send the boolean true (Stripe, PayPal); some send the string.
  oobContinue: optional(z.union([z.literal(true), z.literal('true')])),
  threeDSRequestorAppURL: optional(url(256)),
  whitelistingDataEntry: optional(z.enum(['Y', 'N'])),
  messageExtension: optional(messageExtensions(10)),
});

export const AppCReq231 = z.object({
  ...common,
  messageVersion: required(z.literal('2.3.1')),
  challengeDataEntryTwo: optional(text(45)),
  challengeCancel: optional(code('01', '03-10')),
  oobContinue: optional(z.enum(['01', '02'])),
  oobAppURLInd: required(z.enum(['01', '02', '03'])),
  oobAppStatus: optional(z.literal('01')),
  threeDSRequestorAppURL: optional(httpsUrl(2048)),
  trustListDataEntry: optional(z.enum(['Y', 'N'])),
  deviceBindingDataEntry: optional(z.enum(['Y', 'N'])),
  challengeAddCode: optional(z.literal('Y')),
  infoContinueIndicator: optional(z.literal(true)),
  messageExtension: optional(messageExtensions(15)),
});

export const APP_CREQ_SCHEMAS = { '2.2.0': AppCReq220, '2.3.1': AppCReq231 } as const;

export type AppCReq220 = z.infer<typeof AppCReq220>;
export type AppCReq231 = z.infer<typeof AppCReq231>;
export type AppCReq = AppCReq220 | AppCReq231;

/** What the cardholder did in this CReq: Table A.16 allows exactly one of these (none in the first CReq). */
export type CReqAction =
  | { kind: 'none' }
  | { kind: 'entry'; value: string }
  | { kind: 'html'; value: string }
  | { kind: 'noEntry' }
  | { kind: 'resend' }
  | { kind: 'cancel'; challengeCancel: string }
  | { kind: 'oobContinue' }
  | { kind: 'addCode' }
  | { kind: 'infoContinue' };

export type ParseAppCReqResult = { ok: true; creq: AppCReq; messageVersion: MessageVersion; action: CReqAction } | { ok: false; erro: AcsErro };

/**
 * Validates a decrypted app CReq (JSON text: duplicate keys are a 204) and reads its one action.
 * Never throws.
 *
 * @example
 * const parsed = parseAppCReq(plaintext);
 * if (parsed.ok && parsed.action.kind === 'entry') check(parsed.action.value);
 */
export function parseAppCReq(json: string): ParseAppCReqResult {
  try {
    const checked = readMessage(json, 'CReq');
    if (!checked.ok) return { ok: false, erro: { ...checked.erro, errorMessageType: checked.erro.errorMessageType ?? 'CReq' } };
    const parsed = APP_CREQ_SCHEMAS[checked.messageVersion].safeParse(checked.message, { reportInput: true });
    if (!parsed.success) return { ok: false, erro: erroFromIssues(parsed.error.issues, checked.message, 'CReq') };
    const actions = actionsOf(parsed.data);
    if (actions.length > 1) return { ok: false, erro: erroFor(checked.message, 'CReq', '203', actions.map((a) => a.element).join(',')) };
    return { ok: true, creq: parsed.data, messageVersion: checked.messageVersion, action: actions[0]?.action ?? { kind: 'none' } };
  } catch {
    return { ok: false, erro: buildErro({ errorCode: '101', errorDetail: 'Message could not be validated', errorMessageType: 'CReq' }) };
  }
}

/** Every action the CReq carries, with the element that carries it (for errorDetail). */
function actionsOf(creq: AppCReq): { element: string; action: CReqAction }[] {
  // Both versions' elements, read loosely: an element a version lacks is simply absent.
  const m = creq as Partial<Record<keyof AppCReq220 | keyof AppCReq231, unknown>> as Partial<AppCReq231> & { oobContinue?: unknown };
  const found: { element: string; action: CReqAction }[] = [];
  // 2.3.1's second entry box belongs to the same entry as the first: one action.
  if (m.challengeDataEntry !== undefined || m.challengeDataEntryTwo !== undefined) found.push({ element: 'challengeDataEntry', action: { kind: 'entry', value: m.challengeDataEntry ?? '' } });
  if (m.challengeHTMLDataEntry !== undefined) found.push({ element: 'challengeHTMLDataEntry', action: { kind: 'html', value: m.challengeHTMLDataEntry } });
  if (m.challengeNoEntry === 'Y') found.push({ element: 'challengeNoEntry', action: { kind: 'noEntry' } });
  if (m.resendChallenge === 'Y') found.push({ element: 'resendChallenge', action: { kind: 'resend' } });
  if (m.challengeCancel !== undefined) found.push({ element: 'challengeCancel', action: { kind: 'cancel', challengeCancel: m.challengeCancel } });
  if (m.oobContinue !== undefined) found.push({ element: 'oobContinue', action: { kind: 'oobContinue' } });
  if (m.challengeAddCode === 'Y') found.push({ element: 'challengeAddCode', action: { kind: 'addCode' } });
  if (m.infoContinueIndicator === true) found.push({ element: 'infoContinueIndicator', action: { kind: 'infoContinue' } });
  return found;
}
