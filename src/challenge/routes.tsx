/**
 * The challenge at the acsURL (`POST /3ds/challenge`) and the steps its page posts back to:
 * submit, resend, cancel, language. Merchants frame these routes; no cookie is used (the page's
 * state travels in a signed form field, see state-token.ts).
 */
import { Hono, type Context, type HonoRequest } from 'hono';
import { z } from 'zod';
import { findTransaction, recordMessage, type Transaction } from '../acs/transactions.ts';
import type { AppEnv } from '../deps.ts';
import { sha256Hex } from '../encoding.ts';
import { normaliseEntry } from '../flow/entry.ts';
import { ANSWER_FLOOR_MS, atLeast } from '../flow/pace.ts';
import { loginIdMatches } from '../members/store.ts';
import { clientIp } from '../http/client-ip.ts';
import { validated } from '../http/validate.ts';
import { decodeJsonBase64Url } from '../protocol/base64url.ts';
import { decodeCReq } from '../protocol/creq.ts';
import { buildErro, type ErrorCode } from '../protocol/errors.ts';
import { issuerSettings } from '../issuers/settings.ts';
import { beginChallenge, cancelChallenge, checkEntry, continueChallenge, resendCode, startChallenge } from './attempt.ts';
import { loadContext, type ChallengeContext } from './context.ts';
import { recordEvent } from './events.ts';
import { erroPost, finishChallenge } from './finish.ts';
import { languageFor, MESSAGES, type Lang } from './messages.ts';
import { cannotContinue, renderEnded, renderForm } from './render.tsx';
import { sendFailureText } from './send-otp.ts';
import { verifyState } from './state-token.ts';
import { setChallengeLanguage } from './store.ts';
import { strategyFor, type ChallengeStrategy } from './strategies.ts';

type C = Context<AppEnv>;

/**
 * The acsURL's form. Only its shape: decodeCReq checks the CReq itself, so that a garbage CReq
 * naming a transaction we know still ends it with an Erro (no length cap here for that reason;
 * the 64 KiB body limit bounds it). A creq that is not one string is no CReq; session data that
 * is not a string is dropped, as the merchant gave none we could return.
 */
const CReqForm = z.object({
  creq: z.string().catch(''),
  threeDSSessionData: z.string().optional().catch(undefined),
});

/** The signed page state (state-token.ts reads at most 4096 characters); anything else is no state. */
const stateField = z.string().max(4096).optional().catch(undefined);

/** A typed entry: one that is not a single string of sane length counts as empty (answered beside the field, not counted). */
const entryField = (max: number) => z.string().max(max).catch('');

/** The entry form (submit): the page state, the member ID and the code or password. */
const EntryForm = z.object({ state: stateField, memberId: entryField(200), secret: entryField(1000) });

/** The other step forms (resend, cancel, language): the page state alone. */
const StepForm = z.object({ state: stateField });

/** A body that cannot be read at all carries no state: the page that cannot continue, as for any lost state. */
const unreadableStep = (c: C) => cannotContinue(c, 'ja');

export const challengeRoutes = new Hono<AppEnv>();

challengeRoutes.post('/3ds/challenge', validated('form', CReqForm, unreadableStep), async (c) => {
  const deps = c.get('deps');
  const { creq: creqField, threeDSSessionData: sessionData } = c.req.valid('form');

  const parsed = decodeCReq(creqField);
  if (!parsed.ok) {
    // Unreadable or invalid CReq: if it still names a transaction we know, end that one properly.
    const txn = await findTransaction(deps.db, rawAcsTransID(creqField) ?? '');
    deps.log.warn('creq refused', { errorCode: parsed.erro.errorCode, errorDetail: parsed.erro.errorDetail, known: !!txn });
    if (txn) await recordMessage(deps.db, txn.acsTransID, 'in', 'CReq', creqAsReceived(creqField), deps.clock.now());
    return txn ? refuseCReq(c, txn, parsed.erro.errorCode, parsed.erro.errorDetail, sessionData) : cannotContinue(c, 'ja');
  }
  const creq = parsed.creq;
  const txn = await findTransaction(deps.db, creq.acsTransID);
  if (!txn) return cannotContinue(c, 'ja');
  // Every CReq of a known transaction goes in its trail (a CReq carries no PAN).
  await recordMessage(deps.db, txn.acsTransID, 'in', 'CReq', creq, deps.clock.now());
  if (txn.transStatus !== 'C') return refuseCReq(c, txn, '305', 'acsTransID', sessionData);
  if (parsed.messageVersion !== txn.messageVersion) return refuseCReq(c, txn, '203', 'messageVersion', sessionData);
  if (creq.threeDSServerTransID !== txn.threeDSServerTransID) return refuseCReq(c, txn, '203', 'threeDSServerTransID', sessionData);

  const digest = await sha256Hex(JSON.stringify(creq));
  const lang = languageFor(JSON.parse(txn.areq).browserLanguage);
  if (txn.state === 'ares_sent' && (await startChallenge(deps, txn, { windowSize: creq.challengeWindowSize, lang, creqDigest: digest }))) {
    const ctx = (await loadContext(deps, txn.acsTransID, lang, sessionData))!;
    return begin(c, ctx);
  }

  // A repeat (refresh, back button), a twin that lost the start, or a CReq that came too late.
  const now = (await findTransaction(deps.db, txn.acsTransID))!;
  const ctx = (await loadContext(deps, now.acsTransID, lang, sessionData))!;
  const strategy = strategyFor(ctx.challenge?.method);
  if (now.state === 'challenge_started' && strategy) {
    if (ctx.challenge?.creqDigest !== digest) return refuseCReq(c, now, '305', 'CReq differs from the first CReq', sessionData);
    return formPage(c, { ...ctx, lang: (ctx.challenge.language as Lang) ?? lang }, strategy, { step: 'repeat' });
  }
  if (now.state === 'expired' && now.challengeCancel === '05') return refuseCReq(c, now, '402', 'CReq received after the challenge timed out', sessionData);
  return renderEnded(c, ctx);
});

/**
 * The signed state of the step being answered, as its route validated it: for the page that says
 * the database did not answer (src/app.ts). None for the CReq, or before validation.
 */
export function validatedState(c: C): string | undefined {
  return (c.req as HonoRequest<string, { form: { state?: string } | undefined }>).valid('form')?.state;
}

// Every answer to an entry takes the same time, an unreadable one too.
const unreadableEntry = (c: C) => atLeast(ANSWER_FLOOR_MS, () => unreadableStep(c));

challengeRoutes.post('/3ds/challenge/submit', validated('form', EntryForm, unreadableEntry), async (c) => {
  const deps = c.get('deps');
  const form = c.req.valid('form');
  return atLeast(ANSWER_FLOOR_MS, async () => {
    const step = await openStep(c, form.state);
    if (step.kind !== 'open') return step.response;
    const { ctx, strategy } = step;
    const t = MESSAGES[ctx.lang];
    const typedId = form.memberId;
    const secret = strategy.readSecret(form.secret);

    // Nothing to check (an empty field, a code that is not 6 digits): answered beside the field, not counted.
    if (!normaliseEntry(typedId) || !secret.ok) {
      const fieldErrors = { memberId: normaliseEntry(typedId) ? undefined : t.memberIdEmpty, secret: secret.ok ? undefined : t[secret.error] };
      return formPage(c, ctx, strategy, { fieldErrors, memberId: typedId, status: 400, step: 'incomplete_entry' });
    }
    const checked = await checkEntry(deps, ctx, strategy, secret.value, loginIdMatches(typedId, ctx.member!));
    if (checked.kind !== 'wrong') return renderEnded(c, { ...ctx, txn: checked.txn });
    return formPage(c, ctx, strategy, { error: t[strategy.texts.wrong], remaining: checked.remaining, memberId: typedId, status: 400, step: 'wrong_entry' });
  });
});

challengeRoutes.post('/3ds/challenge/resend', validated('form', StepForm, unreadableStep), async (c) => {
  const deps = c.get('deps');
  const step = await openStep(c, c.req.valid('form').state);
  if (step.kind !== 'open') return step.response;
  const { ctx, strategy } = step;
  const t = MESSAGES[ctx.lang];
  const resent = await resendCode(deps, { ...ctx, clientIp: clientIp(c) }, strategy);
  switch (resent.kind) {
    case 'none':
      return formPage(c, ctx, strategy);
    case 'sent':
      return formPage(c, ctx, strategy, { notice: t.resent, step: 'resend' });
    case 'ended': // the flow ran out between the check and the send
      return renderEnded(c, { ...ctx, txn: resent.txn });
    default:
      return formPage(c, ctx, strategy, { error: sendFailureText(t, resent.result, ctx.issuer.helpdesk.phone), status: resent.result.outcome === 'failed' ? 503 : 429, step: 'resend' });
  }
});

challengeRoutes.post('/3ds/challenge/cancel', validated('form', StepForm, unreadableStep), async (c) => {
  const step = await openStep(c, c.req.valid('form').state);
  if (step.kind !== 'open') return step.response;
  return renderEnded(c, { ...step.ctx, txn: await cancelChallenge(c.get('deps'), step.ctx) });
});

challengeRoutes.post('/3ds/challenge/language', validated('form', StepForm, unreadableStep), async (c) => {
  const step = await openStep(c, c.req.valid('form').state, { touch: false });
  if (step.kind !== 'open') return step.response;
  const lang: Lang = step.ctx.lang === 'ja' ? 'en' : 'ja';
  await setChallengeLanguage(c.get('deps').db, step.ctx.challenge!.id, lang);
  return formPage(c, { ...step.ctx, lang }, step.strategy, { step: 'language' });
});

// ─── steps ──────────────────────────────────────────────────────────────────────

/** The first page: the strategy begins (sends the code), or the flow ends in guidance (nothing to prove with). */
async function begin(c: C, ctx: ChallengeContext) {
  const begun = await beginChallenge(c.get('deps'), { ...ctx, clientIp: clientIp(c) });
  if (begun.kind === 'ended') return renderEnded(c, { ...ctx, txn: begun.txn });
  const { sent, strategy } = begun;
  const error = sent && sent.outcome !== 'sent' ? sendFailureText(MESSAGES[ctx.lang], sent, ctx.issuer.helpdesk.phone) : undefined;
  return formPage(c, ctx, strategy, { error, step: 'first' });
}

/** Which step served the form, for the trail ('first', 'wrong_entry', 'resend', 'repeat', …). */
type FormOptions = Omit<Parameters<typeof renderForm>[2], 'codeSent'> & { step?: string };

/** The form, saying a code was sent only when one really went out in this flow; each form served is a step of the trail. */
async function formPage(c: C, ctx: ChallengeContext, strategy: ChallengeStrategy, { step = 'form', ...o }: FormOptions = {}) {
  const deps = c.get('deps');
  const codeSent = strategy.codeSent ? await strategy.codeSent(deps, ctx) : undefined;
  await recordEvent(deps.db, ctx.txn.acsTransID, 'page', deps.clock.now(), { page: 'form', step, status: o.status ?? 200, lang: ctx.lang, codeSent: codeSent ?? null });
  return renderForm(c, ctx, { ...o, codeSent });
}

type Step = { kind: 'open'; ctx: ChallengeContext; strategy: ChallengeStrategy } | { kind: 'closed'; response: Response };

/**
 * Every step after the first: checks the signed state, loads the flow, ends it if its 10 minutes
 * ran out, and otherwise restarts the inactivity timer (each page served restarts it).
 */
async function openStep(c: C, stateToken: string | undefined, options = { touch: true }): Promise<Step> {
  const deps = c.get('deps');
  const state = await verifyState(deps.keys.session, stateToken, deps.clock.now());
  const ctx = state && (await loadContext(deps, state.acsTransID, state.lang, state.threeDSSessionData));
  const cannot = async () => ({ kind: 'closed' as const, response: await cannotContinue(c, state?.lang ?? 'ja', ctx && { issuer: ctx.issuer, txn: ctx.txn }) });
  if (!state || !ctx) return cannot();
  // An expired token of a flow still open elsewhere (an old tab) takes no step, so it does not touch the flow either.
  const step = await continueChallenge(deps, ctx, { touch: options.touch && !state.expired });
  if (step.kind === 'closed') return cannot();
  if (step.kind === 'ended') return { kind: 'closed', response: await renderEnded(c, step.ctx) };
  if (state.expired) return cannot();
  return step;
}

/** A CReq we must refuse: Erro to the 3DS Server through the browser, and the transaction ends (U). */
async function refuseCReq(c: C, txn: Transaction, errorCode: ErrorCode, errorDetail: string, sessionData?: string) {
  const deps = c.get('deps');
  const lang = languageFor(JSON.parse(txn.areq).browserLanguage);
  const erro = buildErro({
    errorCode,
    errorDetail,
    errorMessageType: 'CReq',
    messageVersion: txn.messageVersion,
    threeDSServerTransID: txn.threeDSServerTransID,
    dsTransID: txn.dsTransID,
    acsTransID: txn.acsTransID,
  });
  // In the trail before the ending, so the RReq that the ending sends can carry it (challengeErrorReporting).
  await recordMessage(deps.db, txn.acsTransID, 'out', 'Erro', erro, deps.clock.now());
  if (txn.state === 'ares_sent' || txn.state === 'challenge_started') {
    const challengeCancel = txn.messageVersion === '2.3.1' ? '10' : '06';
    await finishChallenge(deps, txn, { kind: 'error', reason: '07', challengeCancel });
  }
  const post = txn.notificationURL ? erroPost(txn.notificationURL, erro, sessionData) : undefined;
  return cannotContinue(c, lang, { issuer: await issuerSettings(deps, txn.issuerId), txn, post });
}

/** A CReq that failed validation, as the trail keeps it: its JSON when it has some, else the text (bounded). */
function creqAsReceived(creqField: string): unknown {
  const decoded = decodeJsonBase64Url(creqField);
  return decoded.ok ? decoded.value : creqField.slice(0, 4000);
}

/** The acsTransID of a CReq that failed validation, if its JSON still has one. */
function rawAcsTransID(creqField: string): string | undefined {
  const decoded = decodeJsonBase64Url(creqField);
  const value = decoded.ok ? (decoded.value as { acsTransID?: unknown }) : undefined;
  return typeof value?.acsTransID === 'string' && /^[0-9a-f-]{36}$/i.test(value.acsTransID) ? value.acsTransID : undefined;
}
