/**
 * ARes: the ACS's answer to an AReq (digest §3.1, §3.2), and `buildARes`, which makes
 * one from the decision the ACS layer took.
 *
 * The ARes carries neither deviceChannel nor messageCategory, so the schemas check what
 * follows from transStatus (and from sdkTransID, which only app ARes carry); the builder's
 * input types cover the rest.
 */
import { z } from 'zod';
import {
  AUTHENTICATION_METHOD_FOR_TYPE, type AuthenticationMethod, type AuthenticationType, type TransStatusReason,
} from './codes.ts';
import {
  code, httpsUrl, jsonObject, messageExtensions, optional, required, text, url, uuid,
  type MessageExtension,
} from './formats.ts';
import {
  EVEN_WITH_FORMAT_ERRORS, checkPresence, isPresent, oneOf, withoutUndefined, type JsonObject, type PresenceRule,
} from './presence.ts';
import type { MessageVersion } from './versions.ts';

/** 2.2.0: exactly 28 characters, the base64 of 20 bytes. */
const authenticationValue220 = z.string().length(28).regex(/^[a-zA-Z0-9+/]{26,28}={0,2}$/);
const jws = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const opaqueObject = jsonObject(64000);

/** HTML-only templates (05 HTML other, 2.3.1 06 HTML OOB) cannot go with the native interface. */
const nativeCanRender = (r: { acsInterface: string; acsUiTemplate: string }) => !(r.acsInterface === '01' && ['05', '06'].includes(r.acsUiTemplate));

/**
 * acsRenderingType per version (ARes and RReq): 2.2.0 templates 01–05; 2.3.1 adds 06 HTML OOB and
 * 07 Information and requires deviceUserInterfaceMode (01 portrait, 02 landscape, 03 voice, 04 other).
 */
export const acsRenderingType220 = z
  .object({ acsInterface: required(code('01', '02')), acsUiTemplate: required(code('01-05')) })
  .refine(nativeCanRender, 'HTML template with the native interface');
export const acsRenderingType231 = z
  .object({ acsInterface: required(code('01', '02')), acsUiTemplate: required(code('01-07')), deviceUserInterfaceMode: required(code('01-04')) })
  .refine(nativeCanRender, 'HTML template with the native interface');

/** 2.3.1 app ARes: the highest Device Information data version this ACS reads (it reads C005, the locale). */
export const DEVICE_INFO_RECOGNISED_VERSION = '1.1';

const fields220 = {
  messageType: required(z.literal('ARes')),
  messageVersion: required(z.literal('2.2.0')),
  threeDSServerTransID: required(uuid),
  dsTransID: required(uuid),
  acsTransID: required(uuid),
  sdkTransID: optional(uuid),
  acsReferenceNumber: required(text(32)),
  acsOperatorID: optional(text(32)),
  dsReferenceNumber: required(text(32)),
  transStatus: required(z.enum(['Y', 'N', 'U', 'A', 'C', 'D', 'R', 'I'])),
  transStatusReason: optional(code('01-26', '80-99')),
  acsChallengeMandated: optional(z.enum(['Y', 'N'])),
  acsDecConInd: optional(z.enum(['Y', 'N'])),
  acsURL: optional(url(2048)),
  authenticationType: optional(code('01-04', '80-99')),
  authenticationValue: optional(authenticationValue220),
  eci: optional(text(2)),
  cardholderInfo: optional(text(128)),
  acsRenderingType: optional(acsRenderingType220),
  acsSignedContent: optional(z.string().regex(jws)),
  broadInfo: optional(opaqueObject), // in the 2.2.0 spec per secondary sources, not in 3dsecure.io's table
  messageExtension: optional(messageExtensions(10)),
  whiteListStatus: optional(z.enum(['Y', 'N', 'E', 'P', 'R', 'U'])),
  whiteListStatusSource: optional(code('01', '02', '03', '80-99')),
};

// whiteListStatus(-Source) became trustListStatus(-Source); authenticationType became authenticationMethod.
const { whiteListStatus, whiteListStatusSource, authenticationType, ...kept220 } = fields220;

const fields231 = {
  ...kept220,
  messageVersion: required(z.literal('2.3.1')),
  transStatus: required(z.enum(['Y', 'N', 'U', 'A', 'C', 'D', 'R', 'I', 'S'])),
  transStatusReason: optional(code('01-30', '80-99')),
  transStatusReasonInfo: optional(text(256)),
  acsURL: optional(httpsUrl(2048)),
  acsRenderingType: optional(acsRenderingType231),
  authenticationMethod: optional(z.array(code('01-16', '80-99')).max(99)),
  authenticationValue: optional(text(4000)), // length is now set by the payment system
  cardholderInfo: optional(z.object({ text: required(text(128)), issuerImage: optional(opaqueObject), paymentSystemImage: optional(opaqueObject) })),
  acsSignedContent: optional(z.string().max(16000).regex(jws)),
  messageExtension: optional(messageExtensions(15)),
  trustListStatus: optional(z.enum(['Y', 'N', 'E', 'P', 'R', 'U'])),
  trustListStatusSource: optional(code('01', '02', '03', '80-99')),
  transChallengeExemption: optional(code('01-99')),
  cardSecurityCodeStatus: optional(z.enum(['Y', 'N', 'U'])),
  cardSecurityCodeStatusSource: optional(code('01', '02', '80-99')),
  deviceBindingStatus: optional(code('01-99')),
  deviceBindingStatusSource: optional(code('01', '02', '03', '80-99')),
  threeDSRequestorAppURLInd: optional(z.enum(['Y', 'N'])),
  deviceInfoRecognisedVersion: optional(text(64)),
  spcTransData: optional(opaqueObject),
  webAuthnCredList: optional(z.array(opaqueObject).max(10)),
};

const challenged = (m: JsonObject) => oneOf(m.transStatus, ['C', 'D']);
const browserChallenge = (m: JsonObject) => m.transStatus === 'C' && !isPresent(m.sdkTransID);
const appChallenge = (m: JsonObject) => m.transStatus === 'C' && isPresent(m.sdkTransID);

const commonRules: PresenceRule[] = [
  { elements: ['acsChallengeMandated'], requiredIf: challenged },
  { elements: ['acsDecConInd'], requiredIf: (m) => m.transStatus === 'D' },
  { elements: ['cardholderInfo'], requiredIf: (m) => m.acsDecConInd === 'Y' },
  { elements: ['acsURL'], requiredIf: browserChallenge },
  { elements: ['acsRenderingType', 'acsSignedContent'], requiredIf: appChallenge },
];

const rules220: PresenceRule[] = [
  ...commonRules,
  { elements: ['authenticationType'], requiredIf: challenged },
  { elements: ['whiteListStatusSource'], requiredIf: (m) => isPresent(m.whiteListStatus), onlyThen: true },
];

const rules231: PresenceRule[] = [
  ...commonRules,
  // The digest also lists Y/N for authenticationMethod: that is its RReq rule; a frictionless ARes used no method.
  { elements: ['authenticationMethod'], requiredIf: challenged },
  { elements: ['spcTransData', 'webAuthnCredList'], requiredIf: (m) => m.transStatus === 'S' },
  { elements: ['trustListStatusSource'], requiredIf: (m) => isPresent(m.trustListStatus), onlyThen: true },
  { elements: ['cardSecurityCodeStatusSource'], requiredIf: (m) => isPresent(m.cardSecurityCodeStatus), onlyThen: true },
  { elements: ['deviceBindingStatusSource'], requiredIf: (m) => isPresent(m.deviceBindingStatus), onlyThen: true },
  // Every 2.3.1 app ARes, whatever its transStatus.
  { elements: ['threeDSRequestorAppURLInd', 'deviceInfoRecognisedVersion'], requiredIf: (m) => isPresent(m.sdkTransID) },
];

export const ARes220 = z.object(fields220).superRefine((m, ctx) => checkPresence(rules220, m, ctx), EVEN_WITH_FORMAT_ERRORS);
export const ARes231 = z.object(fields231).superRefine((m, ctx) => checkPresence(rules231, m, ctx), EVEN_WITH_FORMAT_ERRORS);

export const ARES_SCHEMAS = { '2.2.0': ARes220, '2.3.1': ARes231 } as const;

export type ARes220 = z.infer<typeof ARes220>;
export type ARes231 = z.infer<typeof ARes231>;
export type ARes = ARes220 | ARes231;

// --- buildARes ------------------------------------------------------------------------------

/** What every ARes carries, whatever the outcome. */
export interface AResCommon {
  messageVersion: MessageVersion;
  threeDSServerTransID: string;
  dsTransID: string;
  acsTransID: string;
  acsReferenceNumber: string;
  acsOperatorID?: string;
  dsReferenceNumber: string;
  /** App channel only: the AReq's sdkTransID. */
  sdkTransID?: string;
  /** Text the 3DS Requestor may show the cardholder (≤128); 2.3.1 wraps it as `{ text }`. */
  cardholderInfo?: string;
  /** 2.3.1 only, dropped for 2.2.0: free text explaining transStatusReason (≤256). */
  transStatusReasonInfo?: string;
  broadInfo?: Record<string, unknown>;
  messageExtension?: MessageExtension[];
  /** 2.3.1 app ARes only (defaults N and DEVICE_INFO_RECOGNISED_VERSION). */
  threeDSRequestorAppURLInd?: 'Y' | 'N';
  deviceInfoRecognisedVersion?: string;
}

/** The outcome the ACS decided. D (decoupled) and S (SPC) are not offered by this ACS. */
export type AResOutcome =
  | { transStatus: 'Y' | 'A'; eci: string; authenticationValue: string }
  | { transStatus: 'N' | 'U' | 'R'; transStatusReason: TransStatusReason; eci?: string }
  | { transStatus: 'I'; eci?: string; authenticationValue?: string }
  | {
      transStatus: 'C';
      /** Browser: the challenge's URL. The app channel has none at the top level (it is inside acsSignedContent). */
      acsURL?: string;
      /** App channel (src/app-channel/ares.ts): the signed key agreement, and how the SDK must render. */
      acsSignedContent?: string;
      acsRenderingType?: Record<string, string>;
      acsChallengeMandated: 'Y' | 'N';
      /** 2.2.0 vocabulary: 01 static password, 02 dynamic (SMS OTP). */
      authenticationType: AuthenticationType;
      /** 2.3.1 only; derived from authenticationType when absent (01 -> ['01'], 02 -> ['02']). */
      authenticationMethod?: AuthenticationMethod[];
    };

export type AResInput = AResCommon & AResOutcome;

/**
 * Builds the ARes for `input.messageVersion` with exactly the elements that version
 * defines, and checks it against the ARes schema.
 *
 * @throws ZodError when the input cannot make a valid ARes (a bug in the caller, e.g. an http acsURL in 2.3.1).
 * @example
 * buildARes({ ...ids, messageVersion: '2.2.0', transStatus: 'Y', eci: eciFor('jcb', 'Y'), authenticationValue })
 */
export function buildARes(input: AResInput): ARes {
  const is231 = input.messageVersion === '2.3.1';
  const ares: JsonObject = {
    messageType: 'ARes',
    messageVersion: input.messageVersion,
    threeDSServerTransID: input.threeDSServerTransID,
    dsTransID: input.dsTransID,
    acsTransID: input.acsTransID,
    acsReferenceNumber: input.acsReferenceNumber,
    acsOperatorID: input.acsOperatorID,
    dsReferenceNumber: input.dsReferenceNumber,
    sdkTransID: input.sdkTransID,
    transStatus: input.transStatus,
  };

  switch (input.transStatus) {
    case 'Y':
    case 'A':
    case 'I':
      Object.assign(ares, { eci: input.eci, authenticationValue: input.authenticationValue });
      break;
    case 'N':
    case 'U':
    case 'R':
      Object.assign(ares, { transStatusReason: input.transStatusReason, eci: input.eci });
      break;
    case 'C':
      Object.assign(ares, {
        acsURL: input.acsURL,
        acsSignedContent: input.acsSignedContent,
        acsRenderingType: input.acsRenderingType,
        acsChallengeMandated: input.acsChallengeMandated,
      });
      if (is231) ares.authenticationMethod = input.authenticationMethod ?? [AUTHENTICATION_METHOD_FOR_TYPE[input.authenticationType]];
      else ares.authenticationType = input.authenticationType;
      break;
  }

  if (input.cardholderInfo !== undefined) ares.cardholderInfo = is231 ? { text: input.cardholderInfo } : input.cardholderInfo;
  if (is231) ares.transStatusReasonInfo = input.transStatusReasonInfo;
  if (is231 && input.sdkTransID !== undefined) {
    // No OOB app of ours to return from (threeDSRequestorAppURL is never used).
    ares.threeDSRequestorAppURLInd = input.threeDSRequestorAppURLInd ?? 'N';
    ares.deviceInfoRecognisedVersion = input.deviceInfoRecognisedVersion ?? DEVICE_INFO_RECOGNISED_VERSION;
  }
  ares.broadInfo = input.broadInfo;
  ares.messageExtension = input.messageExtension;

  return ARES_SCHEMAS[input.messageVersion].parse(withoutUndefined(ares));
}
