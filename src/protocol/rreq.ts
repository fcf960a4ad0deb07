/**
 * RReq: the result of a challenge, which the ACS sends to the DS (exactly one per ARes
 * with transStatus C), and `buildRReq`, which makes one from the ACS layer's outcome.
 */
import { z } from 'zod';
import {
  AUTHENTICATION_METHOD_FOR_TYPE, type AuthenticationMethod, type AuthenticationType, type ChallengeCancel,
  type TransStatusReason,
} from './codes.ts';
import { acsRenderingType220, acsRenderingType231 } from './ares.ts';
import type { Erro } from './erro.ts';
import {
  code, jsonObject, messageExtensions, numericInRange, optional, required, text, uuid,
  type MessageExtension,
} from './formats.ts';
import {
  EVEN_WITH_FORMAT_ERRORS, checkPresence, isPresent, oneOf, withoutUndefined, type JsonObject, type PresenceRule,
} from './presence.ts';
import type { MessageVersion } from './versions.ts';

const fields220 = {
  messageType: required(z.literal('RReq')),
  messageVersion: required(z.literal('2.2.0')),
  threeDSServerTransID: required(uuid),
  acsTransID: required(uuid),
  dsTransID: required(uuid),
  sdkTransID: optional(uuid),
  messageCategory: required(code('01', '02', '80-99')),
  transStatus: required(z.enum(['Y', 'N', 'U', 'A', 'R'])),
  transStatusReason: optional(code('01-26', '80-99')),
  authenticationType: optional(code('01-04', '80-99')),
  authenticationValue: optional(z.string().length(28).regex(/^[a-zA-Z0-9+/]{26,28}={0,2}$/)),
  eci: optional(text(2)),
  interactionCounter: optional(numericInRange(2, 2, 0, 99)),
  challengeCancel: optional(code('01', '03-08', '80-99')),
  acsRenderingType: optional(acsRenderingType220),
  messageExtension: optional(messageExtensions(10)),
  whiteListStatus: optional(z.enum(['Y', 'N', 'E', 'P', 'R', 'U'])),
  whiteListStatusSource: optional(code('01', '02', '03', '80-99')),
};

// whiteListStatus(-Source) became trustListStatus(-Source); authenticationType became authenticationMethod.
const { whiteListStatus, whiteListStatusSource, authenticationType, ...kept220 } = fields220;

const fields231 = {
  ...kept220,
  messageVersion: required(z.literal('2.3.1')),
  transStatusReason: optional(code('01-30', '80-99')),
  transStatusReasonInfo: optional(text(256)),
  authenticationMethod: optional(z.array(code('01-16', '80-99')).max(99)),
  authenticationValue: optional(text(4000)),
  cardholderInfo: optional(z.object({ text: required(text(128)) })),
  challengeCancel: optional(code('01', '03-10', '80-99')),
  acsRenderingType: optional(acsRenderingType231),
  challengeErrorReporting: optional(jsonObject(8192)),
  messageExtension: optional(messageExtensions(15)),
  trustListStatus: optional(z.enum(['Y', 'N', 'E', 'P', 'R', 'U'])),
  trustListStatusSource: optional(code('01', '02', '03', '80-99')),
  deviceBindingStatus: optional(code('01-99')),
  deviceBindingStatusSource: optional(code('01', '02', '03', '80-99')),
};

const isPayment = (m: JsonObject) => m.messageCategory === '01';

const commonRules: PresenceRule[] = [
  { elements: ['transStatusReason'], requiredIf: (m) => isPayment(m) && oneOf(m.transStatus, ['N', 'U', 'R']) },
  { elements: ['authenticationValue'], requiredIf: (m) => isPayment(m) && oneOf(m.transStatus, ['Y', 'A']) },
  // A timeout at the ACS (reason 14) must say which one (challengeCancel 04 or 05).
  { elements: ['challengeCancel'], requiredIf: (m) => m.transStatusReason === '14' },
];

const rules220: PresenceRule[] = [
  ...commonRules,
  { elements: ['authenticationType'], requiredIf: (m) => oneOf(m.transStatus, ['Y', 'N']) },
  { elements: ['interactionCounter'], requiredIf: (m) => m.authenticationType !== '04' }, // not for decoupled
  { elements: ['whiteListStatusSource'], requiredIf: (m) => isPresent(m.whiteListStatus), onlyThen: true },
];

const rules231: PresenceRule[] = [
  ...commonRules,
  { elements: ['authenticationMethod'], requiredIf: (m) => oneOf(m.transStatus, ['Y', 'N']) },
  { elements: ['interactionCounter'], requiredIf: (m) => !(Array.isArray(m.authenticationMethod) && m.authenticationMethod.includes('12')) },
  { elements: ['challengeErrorReporting'], requiredIf: (m) => oneOf(m.challengeCancel, ['09', '10']) },
  { elements: ['trustListStatusSource'], requiredIf: (m) => isPresent(m.trustListStatus), onlyThen: true },
  { elements: ['deviceBindingStatusSource'], requiredIf: (m) => isPresent(m.deviceBindingStatus), onlyThen: true },
];

export const RReq220 = z.object(fields220).superRefine((m, ctx) => checkPresence(rules220, m, ctx), EVEN_WITH_FORMAT_ERRORS);
export const RReq231 = z.object(fields231).superRefine((m, ctx) => checkPresence(rules231, m, ctx), EVEN_WITH_FORMAT_ERRORS);

export const RREQ_SCHEMAS = { '2.2.0': RReq220, '2.3.1': RReq231 } as const;

export type RReq220 = z.infer<typeof RReq220>;
export type RReq231 = z.infer<typeof RReq231>;
export type RReq = RReq220 | RReq231;

// --- buildRReq ------------------------------------------------------------------------------

export interface RReqCommon {
  /** The AReq's messageVersion: it must not change within a transaction. */
  messageVersion: MessageVersion;
  threeDSServerTransID: string;
  acsTransID: string;
  dsTransID: string;
  /** App channel only. */
  sdkTransID?: string;
  /** App channel only: the rendering the ARes announced (and the challenge used). */
  acsRenderingType?: Record<string, string>;
  /** The AReq's messageCategory. */
  messageCategory: string;
  /** Number of authentication rounds the cardholder went through, 0-99. */
  interactionCounter: number;
  /** Why the challenge ended without an answer: cancelled, timed out (04 other, 05 no first CReq)... */
  challengeCancel?: ChallengeCancel;
  /** 2.3.1 only, dropped for 2.2.0: free text explaining transStatusReason (≤256). */
  transStatusReasonInfo?: string;
  /** 2.3.1 only: a copy of the Erro, with challengeCancel 09 or 10. */
  challengeErrorReporting?: Erro;
  messageExtension?: MessageExtension[];
}

/** How the challenge used: 2.2.0 authenticationType, with an optional explicit 2.3.1 authenticationMethod. */
interface ChallengeMethod {
  authenticationType: AuthenticationType;
  authenticationMethod?: AuthenticationMethod[];
}

export type RReqOutcome =
  | ({ transStatus: 'Y'; eci: string; authenticationValue: string } & ChallengeMethod)
  | ({ transStatus: 'N'; transStatusReason: TransStatusReason; eci?: string } & ChallengeMethod)
  | { transStatus: 'A'; eci: string; authenticationValue: string }
  | { transStatus: 'U' | 'R'; transStatusReason: TransStatusReason; eci?: string };

export type RReqInput = RReqCommon & RReqOutcome;

/**
 * Builds the RReq for `input.messageVersion` and checks it against the RReq schema.
 *
 * @throws ZodError when the input cannot make a valid RReq (a bug in the caller).
 * @example
 * buildRReq({ ...ids, messageVersion: '2.2.0', messageCategory: '01', transStatus: 'N',
 *   transStatusReason: '14', challengeCancel: '04', authenticationType: '02', interactionCounter: 1 })
 */
export function buildRReq(input: RReqInput): RReq {
  const is231 = input.messageVersion === '2.3.1';
  const rreq: JsonObject = {
    messageType: 'RReq',
    messageVersion: input.messageVersion,
    threeDSServerTransID: input.threeDSServerTransID,
    acsTransID: input.acsTransID,
    dsTransID: input.dsTransID,
    sdkTransID: input.sdkTransID,
    acsRenderingType: input.acsRenderingType,
    messageCategory: input.messageCategory,
    transStatus: input.transStatus,
    interactionCounter: String(input.interactionCounter).padStart(2, '0'),
    challengeCancel: input.challengeCancel,
    eci: input.eci,
    messageExtension: input.messageExtension,
  };
  if ('transStatusReason' in input) rreq.transStatusReason = input.transStatusReason;
  if ('authenticationValue' in input) rreq.authenticationValue = input.authenticationValue;
  if ('authenticationType' in input) {
    if (is231) rreq.authenticationMethod = input.authenticationMethod ?? [AUTHENTICATION_METHOD_FOR_TYPE[input.authenticationType]];
    else rreq.authenticationType = input.authenticationType;
  }
  if (is231) {
    rreq.transStatusReasonInfo = input.transStatusReasonInfo;
    rreq.challengeErrorReporting = input.challengeErrorReporting;
  }
  return RREQ_SCHEMAS[input.messageVersion].parse(withoutUndefined(rreq));
}
