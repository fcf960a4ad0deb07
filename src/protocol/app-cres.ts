/**
 * CRes (app channel): the ACS's answer to each app CReq, encrypted by src/app-channel/. Two kinds
 * per version: the CRes that shows the cardholder a UI (challengeCompletionInd N) and the final
 * CRes (Y), which has exactly Table B.5's members: SDKs refuse any other (Stripe: 101).
 */
import { z } from 'zod';
import { code, digits, messageExtensions, optional, required, text, url, uuid, type MessageExtension } from './formats.ts';
import { EVEN_WITH_FORMAT_ERRORS, checkPresence, oneOf, withoutUndefined, type PresenceRule } from './presence.ts';
import type { MessageVersion } from './versions.ts';

const counter = digits(3, 3).refine((v) => Number(v) <= 255, 'not a counter');

const ids = {
  messageType: required(z.literal('CRes')),
  threeDSServerTransID: required(uuid),
  acsTransID: required(uuid),
  sdkTransID: required(uuid),
  acsCounterAtoS: required(counter),
};

/** challengeSelectInfo: 1–8 options, each one `{key: label}` (key ≤ 4, label ≤ 45). */
const selectInfo = z
  .array(z.record(z.string().min(1).max(4), text(45)).refine((o) => Object.keys(o).length === 1, 'one pair per option'))
  .min(1)
  .max(8);

const shown = {
  challengeCompletionInd: required(z.literal('N')),
  acsHTML: optional(text(300_000)),
  challengeInfoHeader: optional(text(45)),
  challengeInfoLabel: optional(text(45)),
  challengeInfoText: optional(text(350)),
  challengeInfoTextIndicator: optional(z.enum(['Y', 'N'])),
  challengeSelectInfo: optional(selectInfo),
  expandInfoLabel: optional(text(45)),
  expandInfoText: optional(text(256)),
  whyInfoLabel: optional(text(45)),
  whyInfoText: optional(text(256)),
  resendInformationLabel: optional(text(45)),
  submitAuthenticationLabel: optional(text(45)),
  oobAppLabel: optional(text(45)),
  oobContinueLabel: optional(text(45)),
};

/** 2.2.0 images: one URL per density. */
const image220 = z.object({ medium: optional(url(2048)), high: optional(url(2048)), extraHigh: optional(url(2048)) });
/** 2.3.1 images (Tables A.21/A.22): `default` mandatory, dark and monochrome variants optional. */
const image231 = z.object({ default: required(url(2048)), dark: optional(url(2048)), monochrome: optional(url(2048)) });

/** challengeEntryBox (2.3.1 Table A.26). */
const entryBox = z.object({
  challengeDataEntryKeyboardType: optional(z.enum(['01', '02'])),
  challengeDataEntryAutofill: optional(z.literal('Y')),
  challengeDataEntryAutofillType: optional(z.enum(['01', '02'])),
  challengeDataEntryLengthMax: optional(code('01-45')),
  challengeDataEntryLabel: required(text(45)),
  challengeDataEntryMasking: optional(z.enum(['Y', 'N'])),
  challengeDataEntryToggle: optional(z.enum(['Y', 'N'])),
});

const isNative = (m: Record<string, unknown>) => oneOf(m.acsUiType, ['01', '02', '03']);

const rules220: PresenceRule[] = [
  { elements: ['submitAuthenticationLabel'], requiredIf: isNative },
  { elements: ['challengeSelectInfo'], requiredIf: (m) => oneOf(m.acsUiType, ['02', '03']), onlyThen: true },
  { elements: ['oobContinueLabel'], requiredIf: (m) => m.acsUiType === '04' },
  { elements: ['acsHTML'], requiredIf: (m) => m.acsUiType === '05', onlyThen: true },
];

// Table A.20 (M elements; N elements are refused where the table says "not present").
const rules231: PresenceRule[] = [
  { elements: ['challengeInfoHeader', 'challengeInfoText'], requiredIf: (m) => oneOf(m.acsUiType, ['01', '02', '03', '04', '07']) },
  { elements: ['challengeInfoLabel'], requiredIf: (m) => oneOf(m.acsUiType, ['02', '03']) },
  { elements: ['challengeEntryBox'], requiredIf: (m) => m.acsUiType === '01', onlyThen: true },
  { elements: ['challengeSelectInfo'], requiredIf: (m) => oneOf(m.acsUiType, ['02', '03']), onlyThen: true },
  { elements: ['submitAuthenticationLabel'], requiredIf: isNative, onlyThen: true },
  { elements: ['infoContinueLabel'], requiredIf: (m) => m.acsUiType === '07', onlyThen: true },
  { elements: ['acsHTML'], requiredIf: (m) => oneOf(m.acsUiType, ['05', '06']), onlyThen: true },
];

export const AppCRes220 = z
  .object({
    ...ids,
    ...shown,
    messageVersion: required(z.literal('2.2.0')),
    acsUiType: required(code('01-05')),
    acsHTMLRefresh: optional(text(300_000)),
    challengeAddInfo: optional(text(256)),
    issuerImage: optional(image220),
    psImage: optional(image220),
    whitelistingInfoText: optional(text(64)),
    messageExtension: optional(messageExtensions(10)),
  })
  .superRefine((m, ctx) => checkPresence(rules220, m, ctx), EVEN_WITH_FORMAT_ERRORS);

export const AppCRes231 = z
  .object({
    ...ids,
    ...shown,
    messageVersion: required(z.literal('2.3.1')),
    acsUiType: required(code('01-07')),
    issuerImage: optional(image231),
    psImage: optional(image231),
    challengeEntryBox: optional(entryBox),
    challengeEntryBoxTwo: optional(entryBox),
    challengeAddLabel: optional(text(45)),
    trustListInfoText: optional(text(64)),
    deviceBindingInfoText: optional(text(64)),
    infoContinueLabel: optional(text(45)),
    togglePositionInd: optional(z.literal('01')),
    messageExtension: optional(messageExtensions(15)),
  })
  .superRefine((m, ctx) => checkPresence(rules231, m, ctx), EVEN_WITH_FORMAT_ERRORS);

/** The final CRes: exactly these members (Table B.5), nothing else, no nulls. */
const finalFields = {
  ...ids,
  challengeCompletionInd: required(z.literal('Y')),
};
export const AppFinalCRes220 = z.strictObject({
  ...finalFields,
  messageVersion: required(z.literal('2.2.0')),
  transStatus: required(z.enum(['Y', 'N'])),
  messageExtension: optional(messageExtensions(10)),
});
export const AppFinalCRes231 = z.strictObject({
  ...finalFields,
  messageVersion: required(z.literal('2.3.1')),
  transStatus: required(z.enum(['Y', 'N', 'D'])), // D: decoupled fallback, not offered by this ACS
  messageExtension: optional(messageExtensions(15)),
});

export const APP_CRES_SCHEMAS = { '2.2.0': AppCRes220, '2.3.1': AppCRes231 } as const;
export const APP_FINAL_CRES_SCHEMAS = { '2.2.0': AppFinalCRes220, '2.3.1': AppFinalCRes231 } as const;

export type AppCRes = z.infer<typeof AppCRes220> | z.infer<typeof AppCRes231>;
export type AppFinalCRes = z.infer<typeof AppFinalCRes220> | z.infer<typeof AppFinalCRes231>;

/** The IDs and counter every CRes carries. */
export interface CResIds {
  messageVersion: MessageVersion;
  threeDSServerTransID: string;
  acsTransID: string;
  sdkTransID: string;
  acsCounterAtoS: string;
}

/**
 * A CRes that shows a UI; `ui` holds the UI type's elements (src/app-channel/ui.ts).
 *
 * @throws ZodError when the elements cannot make a valid CRes of that version (a bug in the caller).
 */
export function buildAppCRes(ids: CResIds, ui: Record<string, unknown>): AppCRes {
  const cres = withoutUndefined({ messageType: 'CRes', ...ids, challengeCompletionInd: 'N', ...ui });
  return APP_CRES_SCHEMAS[ids.messageVersion].parse(cres) as AppCRes;
}

/** The final CRes (challengeCompletionInd Y), exactly Table B.5's members. @throws ZodError on a bug in the caller. */
export function buildAppFinalCRes(ids: CResIds, transStatus: 'Y' | 'N', messageExtension?: MessageExtension[]): AppFinalCRes {
  const cres = withoutUndefined({ messageType: 'CRes', ...ids, challengeCompletionInd: 'Y', transStatus, messageExtension });
  return APP_FINAL_CRES_SCHEMAS[ids.messageVersion].parse(cres) as AppFinalCRes;
}
