/**
 * What an app CRes shows, per UI type, from the challenge context: the header, the info text
 * (merchant, amount, date, last 4 digits, the personal message), labels, why-info and
 * expand-info, and the issuer's images per density, in the SDK's language. The elements follow
 * Table A.20 (2.3.1) and what SDKs enforce for 2.2.0 (reference §6); protocol/app-cres.ts checks
 * the result.
 *
 * Steps a native UI can show:
 * - `entry` (01 Text): the code or password, with resend for a code;
 * - `confirm` (02 Single-select): "is this payment yours?" before anything is sent;
 * - `check` (03 Multi-select): tick the merchant and the amount as checked before anything is sent.
 * The HTML UI (05) shows the entry step as one self-contained page (views/app-channel/).
 */
import { encodeTextBase64Url } from '../protocol/base64url.ts';
import type { MessageVersion } from '../protocol/versions.ts';
import { renderHtmlChallenge } from '../../views/app-channel/html-challenge.tsx';
import type { ChallengeContext } from '../challenge/context.ts';
import { formatAmount, formatPurchaseDate } from '../challenge/format.ts';
import { MESSAGES, type Lang } from '../challenge/messages.ts';
import type { ChallengeStrategy } from '../challenge/strategies.ts';
import { maskPhone } from '../messaging/phone-mask.ts';
import { decodeJsonBase64Url } from '../protocol/base64url.ts';
import { APP_WORDS } from './messages.ts';

export type UiStep = 'entry' | 'confirm' | 'check';

/** What the last CRes offered, kept with the session (app_sessions.ui) to read the next CReq against. */
export interface OfferedUi {
  step: UiStep;
  uiType: '01' | '02' | '03' | '05';
  /** Select options: key → what it stands for. */
  options?: Record<string, string>;
}

/** What else the CRes says this time: an answer to the last entry, or a notice. */
export interface UiNote {
  error?: string;
  notice?: string;
  /** Wrong entries left before the lock. */
  remaining?: number;
  /** Whether a code really went out (the text names the phone only then). */
  codeSent?: boolean;
}

export interface UiInput {
  ctx: ChallengeContext;
  strategy: ChallengeStrategy;
  version: MessageVersion;
  /** acsRenderingType as the ARes announced it: acsInterface 01 native, 02 HTML. */
  rendering: Record<string, string>;
  step: UiStep;
  note?: UiNote;
  /** Where images are served from (config.PUBLIC_URL). */
  publicUrl: string;
}

/**
 * The SDK's language: deviceInfo's locale (C005, e.g. "en_US") when it has one, else Japanese
 * (an app AReq has no browserLanguage).
 */
export function appLanguage(areq: Record<string, unknown>): Lang {
  const decoded = typeof areq.deviceInfo === 'string' ? decodeJsonBase64Url(areq.deviceInfo) : { ok: false as const };
  const locale = decoded.ok ? (decoded.value as { DD?: { C005?: unknown } })?.DD?.C005 : undefined;
  if (typeof locale !== 'string' || locale === '') return 'ja';
  return locale.toLowerCase().startsWith('ja') ? 'ja' : 'en';
}

/** The native step to start with: the announced template when it is a select, else the entry. */
export function firstStep(rendering: Record<string, string>): UiStep {
  if (rendering.acsInterface !== '01') return 'entry';
  return rendering.acsUiTemplate === '02' ? 'confirm' : rendering.acsUiTemplate === '03' ? 'check' : 'entry';
}

/** The CRes's UI elements for this step, and what they offered. */
export function buildUi(input: UiInput): { fields: Record<string, unknown>; offered: OfferedUi } {
  const { ctx, strategy, step } = input;
  if (input.rendering.acsInterface === '02') return htmlUi(input);
  const w = APP_WORDS[ctx.lang];
  const common = {
    challengeInfoHeader: w.header,
    challengeInfoTextIndicator: input.note?.error ? 'Y' : 'N',
    whyInfoLabel: w.whyLabel,
    whyInfoText: clip(w.whyText, 256),
    expandInfoLabel: w.expandLabel,
    expandInfoText: clip(strategy.secret === 'code' ? w.expandText(ctx.issuer.helpdesk.phone) : w.expandTextPassword(ctx.issuer.helpdesk.phone), 256),
    ...images(input),
  };
  if (step === 'confirm') {
    const options = { yes: w.confirmYes, no: w.confirmNo };
    return {
      fields: { ...common, acsUiType: '02', challengeInfoLabel: w.confirmLabel, challengeInfoText: infoText(input, ''), challengeSelectInfo: selectInfo(options), submitAuthenticationLabel: w.next },
      offered: { step, uiType: '02', options: { yes: 'yes', no: 'no' } },
    };
  }
  if (step === 'check') {
    const p = purchaseOf(ctx);
    const options = { mrch: w.checkMerchant(p.merchant), amnt: w.checkAmount(p.amount) };
    return {
      fields: { ...common, acsUiType: '03', challengeInfoLabel: clip(w.checkLabel, 45), challengeInfoText: infoText(input, ''), challengeSelectInfo: selectInfo(options), submitAuthenticationLabel: w.next },
      offered: { step, uiType: '03', options: { mrch: 'merchant', amnt: 'amount' } },
    };
  }
  const isCode = strategy.secret === 'code';
  const label = isCode ? w.codeLabel : w.passwordLabel;
  const entry =
    input.version === '2.3.1'
      ? {
          challengeEntryBox: {
            challengeDataEntryLabel: label,
            challengeDataEntryKeyboardType: isCode ? '01' : '02',
            challengeDataEntryAutofill: 'Y',
            challengeDataEntryAutofillType: isCode ? '01' : '02',
            challengeDataEntryLengthMax: isCode ? '06' : '45',
            ...(isCode ? {} : { challengeDataEntryMasking: 'Y', challengeDataEntryToggle: 'Y' }),
          },
        }
      : // 2.2.0's Text template labels its one field with challengeInfoLabel (EMVCo Example 11; Stripe).
        { challengeInfoLabel: label };
  return {
    fields: {
      ...common,
      acsUiType: '01',
      challengeInfoText: infoText(input, isCode ? w.introCode : w.introPassword),
      ...entry,
      submitAuthenticationLabel: w.submit,
      resendInformationLabel: strategy.resend ? w.resend : undefined,
    },
    offered: { step: 'entry', uiType: '01' },
  };
}

/** The HTML UI (05): the entry step as one self-contained page, base64url in acsHTML. */
function htmlUi(input: UiInput): { fields: Record<string, unknown>; offered: OfferedUi } {
  const { ctx, strategy, note } = input;
  const t = MESSAGES[ctx.lang];
  const w = APP_WORDS[ctx.lang];
  const isCode = strategy.secret === 'code';
  const html = renderHtmlChallenge({
    lang: ctx.lang,
    title: w.htmlTitle,
    issuerName: ctx.issuer.name[ctx.lang],
    header: w.header,
    intro: isCode ? w.introCode : w.introPassword,
    purchase: purchaseLines(ctx),
    personalMessage: ctx.member?.personalMessage ? { label: t.personalMessage, text: ctx.member.personalMessage } : undefined,
    sentTo: isCode && note?.codeSent && ctx.member?.phone ? t.sentTo(maskPhone(ctx.member.phone)) : undefined,
    secret: { kind: strategy.secret, label: isCode ? w.codeLabel : w.passwordLabel },
    error: note?.error,
    remaining: note?.remaining !== undefined ? t.remaining(note.remaining) : undefined,
    notice: note?.notice,
    submit: w.submit,
    resend: strategy.resend ? w.resend : undefined,
    why: { label: w.whyLabel, text: w.whyText },
  });
  return { fields: { acsUiType: '05', acsHTML: encodeTextBase64Url(html) }, offered: { step: 'entry', uiType: '05' } };
}

function purchaseOf(ctx: ChallengeContext) {
  return {
    merchant: ctx.txn.merchantName ?? '',
    amount: formatAmount(ctx.txn.purchaseAmount, ctx.txn.purchaseCurrency, ctx.txn.purchaseExponent, ctx.lang),
    date: formatPurchaseDate(ctx.areq.purchaseDate as string | undefined, ctx.lang),
    last4: ctx.txn.panLast4,
  };
}

/** The purchase as label/value pairs, the same the browser page shows. */
function purchaseLines(ctx: ChallengeContext): { label: string; value: string }[] {
  const t = MESSAGES[ctx.lang];
  const p = purchaseOf(ctx);
  return [
    { label: t.merchant, value: p.merchant },
    { label: t.amount, value: p.amount },
    { label: t.date, value: p.date },
    { label: t.card, value: t.cardEnding(p.last4) },
  ].filter((line) => line.value !== '');
}

/**
 * The info text: the answer to the last entry first (so it is read first), the introduction, the
 * phone the code went to, the purchase, the personal message. At most 350 characters: the
 * purchase and personal message are kept whole, the merchant name is the part that is shortened.
 */
function infoText(input: UiInput, intro: string): string {
  const { ctx, note, strategy } = input;
  const t = MESSAGES[ctx.lang];
  const head = [
    note?.error,
    note?.error && note.remaining !== undefined ? t.remaining(note.remaining) : undefined,
    note?.notice,
    intro || undefined,
    strategy.secret === 'code' && note?.codeSent && ctx.member?.phone ? t.sentTo(maskPhone(ctx.member.phone)) : undefined,
  ].filter(Boolean) as string[];
  const lines = purchaseLines(ctx).map((l) => `${l.label}: ${l.value}`);
  const message = ctx.member?.personalMessage ? [`${t.personalMessage}: ${ctx.member.personalMessage}`] : [];
  const text = [...head, ...lines, ...message].join('\n');
  return clip(text, 350);
}

/** challengeSelectInfo from key → label pairs. */
function selectInfo(options: Record<string, string>): Record<string, string>[] {
  return Object.entries(options).map(([key, label]) => ({ [key]: clip(label, 45) }));
}

/**
 * The issuer's logo and the scheme mark as absolute URLs, one per density (2.2.0) or per
 * appearance (2.3.1): the issuer's branding has one image each, so every slot names it.
 */
function images(input: UiInput): Record<string, unknown> {
  const { ctx, version, publicUrl } = input;
  const absolute = (path: string) => (/^https?:\/\//.test(path) ? path : `${publicUrl}${path.startsWith('/') ? '' : '/'}${path}`);
  const slot = (path: string | undefined) => {
    if (!path) return undefined;
    const u = absolute(path);
    return version === '2.2.0' ? { medium: u, high: u, extraHigh: u } : { default: u };
  };
  return { issuerImage: slot(ctx.issuer.logo), psImage: slot(ctx.issuer.brandMarks[ctx.txn.brand]) };
}

/** At most `max` characters, cut with an ellipsis (never inside a surrogate pair). */
function clip(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}
