/**
 * The challenge at the acsURL (`POST /3ds/challenge`) and the steps its page posts back to:
 * submit, resend, cancel, language. Merchants frame these routes; no cookie is used (the page's
 * state travels in a signed form field, see state-token.ts).
 */
import { Hono, type Context, type HonoRequest } from 'hono';
import { z } from 'zod';
import { cancelTimerStatement, scheduleTimer, scheduleTimerStatement } from '../acs/timers.ts';
import { countInteraction, findTransaction, recordMessage, transactionIsIn, transitionStatement, type Transaction } from '../acs/transactions.ts';
import type { AppDeps, AppEnv } from '../deps.ts';
import { sha256Hex } from '../encoding.ts';
import { normaliseEntry } from '../flow/entry.ts';
import { valid } from '../flow/flow.ts';
import { ANSWER_FLOOR_MS, atLeast } from '../flow/pace.ts';
import { flowStore } from '../flow/store.ts';
import { claimAttempt, clearAttempts, lockMember } from '../members/attempts.ts';
import { loginIdMatches } from '../members/store.ts';
import { clientIp } from '../http/client-ip.ts';
import { validated } from '../http/validate.ts';
import { decodeJsonBase64Url } from '../protocol/base64url.ts';
import { decodeCReq } from '../protocol/creq.ts';
import { buildErro, type ErrorCode } from '../protocol/errors.ts';
import { issuerSettings } from '../issuers/settings.ts';
import { countStat } from '../insight/stats.ts';
import { loadContext, type ChallengeContext } from './context.ts';
import { recordEvent } from './events.ts';
import { erroPost, finishChallenge } from './finish.ts';
import { languageFor, MESSAGES, type Lang } from './messages.ts';
import { cannotContinue, renderEnded, renderForm } from './render.tsx';
import { sendFailureText, type SendResult } from './send-otp.ts';
import { verifyState } from './state-token.ts';
import { CHALLENGE_IDLE_MS, createChallenge, setChallengeLanguage, touchChallenge } from './store.ts';
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
  if (txn.state === 'ares_sent' && (await startChallenge(deps, txn, creq.challengeWindowSize, lang, digest))) {
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
    const member = ctx.member!;
    const t = MESSAGES[ctx.lang];
    const typedId = form.memberId;
    const secret = strategy.readSecret(form.secret);

    // Nothing to check (an empty field, a code that is not 6 digits): answered beside the field, not counted.
    if (!normaliseEntry(typedId) || !secret.ok) {
      const fieldErrors = { memberId: normaliseEntry(typedId) ? undefined : t.memberIdEmpty, secret: secret.ok ? undefined : t[secret.error] };
      return formPage(c, ctx, strategy, { fieldErrors, memberId: typedId, status: 400, step: 'incomplete_entry' });
    }

    const now = deps.clock.now();
    // The card's issuer sets how many wrong entries lock the member.
    const limit = ctx.issuer.policies.maxAuthAttempts;
    const claim = await claimAttempt(deps.db, member.id, limit, now);
    const verdict = await strategy.verify(deps, ctx, secret.value, claim.allowed && loginIdMatches(typedId, member));
    const proved = claim.allowed && verdict !== 'wrong';
    await countInteraction(deps.db, ctx.txn.acsTransID);
    // One line per entry, for the audit trail: counted always, checked only within the limit.
    deps.log.info('challenge attempt', { acsTransID: ctx.txn.acsTransID, memberId: member.id, count: claim.count, checked: claim.allowed, proved });

    if (proved) {
      // Also for a twin of the entry that already succeeded (proved_before): ending again is a no-op
      // that returns the transaction as it ended, so both pages show the same outcome.
      await clearAttempts(deps.db, member.id, now);
      return renderEnded(c, { ...ctx, txn: await finishChallenge(deps, ctx.txn, { kind: 'success', strategy }) });
    }
    await recordEvent(deps.db, ctx.txn.acsTransID, 'wrong_entry', now, { count: claim.count, limit, checked: claim.allowed });
    if (!claim.allowed || claim.count >= limit) {
      if (await lockMember(deps.db, member.id, now)) {
        await recordEvent(deps.db, ctx.txn.acsTransID, 'locked', now, { memberId: member.id, count: claim.count });
        await countStat(deps.db, { issuerId: ctx.issuer.id, at: now, metric: 'lockout' });
      }
      deps.log.warn('member locked after wrong entries', { acsTransID: ctx.txn.acsTransID, memberId: member.id });
      return renderEnded(c, { ...ctx, txn: await finishChallenge(deps, ctx.txn, { kind: 'failed', reason: '19' }) });
    }
    // The transaction may have ended meanwhile (a concurrent right entry, the timer): show that, never "wrong".
    const current = (await findTransaction(deps.db, ctx.txn.acsTransID))!;
    if (current.state !== 'challenge_started') return renderEnded(c, { ...ctx, txn: current });
    return formPage(c, ctx, strategy, { error: t[strategy.texts.wrong], remaining: limit - claim.count, memberId: typedId, status: 400, step: 'wrong_entry' });
  });
});

challengeRoutes.post('/3ds/challenge/resend', validated('form', StepForm, unreadableStep), async (c) => {
  const deps = c.get('deps');
  const step = await openStep(c, c.req.valid('form').state);
  if (step.kind !== 'open') return step.response;
  const { ctx, strategy } = step;
  if (!strategy.resend) return formPage(c, ctx, strategy);
  const t = MESSAGES[ctx.lang];
  const result = await strategy.resend(deps, { ...ctx, clientIp: clientIp(c) });
  await recordEvent(deps.db, ctx.txn.acsTransID, 'resend', deps.clock.now(), { outcome: result.outcome, refusal: result.refusal });
  await recordSendFailure(deps, ctx, result);
  switch (result.outcome) {
    case 'sent':
      return formPage(c, ctx, strategy, { notice: t.resent, step: 'resend' });
    case 'closed': // the flow ran out between the check and the send
      return renderEnded(c, { ...ctx, txn: await finishChallenge(deps, ctx.txn, { kind: 'expired' }) });
    default:
      return formPage(c, ctx, strategy, { error: sendFailureText(t, result, ctx.issuer.helpdesk.phone), status: result.outcome === 'failed' ? 503 : 429, step: 'resend' });
  }
});

challengeRoutes.post('/3ds/challenge/cancel', validated('form', StepForm, unreadableStep), async (c) => {
  const step = await openStep(c, c.req.valid('form').state);
  if (step.kind !== 'open') return step.response;
  return renderEnded(c, { ...step.ctx, txn: await finishChallenge(c.get('deps'), step.ctx.txn, { kind: 'cancelled' }) });
});

challengeRoutes.post('/3ds/challenge/language', validated('form', StepForm, unreadableStep), async (c) => {
  const step = await openStep(c, c.req.valid('form').state, { touch: false });
  if (step.kind !== 'open') return step.response;
  const lang: Lang = step.ctx.lang === 'ja' ? 'en' : 'ja';
  await setChallengeLanguage(c.get('deps').db, step.ctx.challenge!.id, lang);
  return formPage(c, { ...step.ctx, lang }, step.strategy, { step: 'language' });
});

// ─── steps ──────────────────────────────────────────────────────────────────────

/**
 * Starts the flow for a first CReq: the challenge and its flow, then in one database transaction
 * the state move, the CReq timer's end and the flow's inactivity timer (so a failure leaves the
 * CReq timer armed, and it ends the transaction). False if someone else did (a twin CReq) or the
 * CReq timer got there first.
 */
async function startChallenge(deps: Pick<AppDeps, 'db' | 'clock'>, txn: Transaction, windowSize: string, lang: Lang, creqDigest: string): Promise<boolean> {
  const { db } = deps;
  const created = await createChallenge(deps, {
    acsTransID: txn.acsTransID,
    method: txn.challengeMethod ?? 'sms_otp',
    challengeWindowSize: windowSize,
    language: lang,
    creqDigest,
  });
  if (!created) return false;
  const now = deps.clock.now();
  const started = transactionIsIn(db, txn.acsTransID, 'challenge_started');
  const [moved] = await db.batch([
    transitionStatement(db, txn.acsTransID, 'challenge_started', now),
    cancelTimerStatement(db, 'creq_timeout', txn.acsTransID, now, started),
    scheduleTimerStatement(db, { kind: 'challenge_timeout', subject: created.flow.id, dueAt: created.flow.expiresAt }, now, { reschedule: true, onlyIf: started }),
  ]);
  if (moved.length === 1) return true;
  await flowStore(deps).move(created.flow, 'expired');
  return false;
}

/** The first page: the strategy begins (sends the code), or the flow ends in guidance (nothing to prove with). */
async function begin(c: C, ctx: ChallengeContext) {
  const deps = c.get('deps');
  const strategy = strategyFor(ctx.txn.challengeMethod);
  if (!strategy) return renderEnded(c, { ...ctx, txn: await finishChallenge(deps, ctx.txn, { kind: 'failed', reason: '13' }) });
  const sent = await strategy.begin(deps, { ...ctx, clientIp: clientIp(c) });
  if (sent) await recordSendFailure(deps, ctx, sent);
  const error = sent && sent.outcome !== 'sent' ? sendFailureText(MESSAGES[ctx.lang], sent, ctx.issuer.helpdesk.phone) : undefined;
  return formPage(c, ctx, strategy, { error, step: 'first' });
}

/** A send that went nowhere is a step of the trail (the outbound log has its recipient, masked). */
async function recordSendFailure(deps: AppDeps, ctx: ChallengeContext, result: SendResult): Promise<void> {
  if (result.outcome !== 'failed') return;
  await recordEvent(deps.db, ctx.txn.acsTransID, 'sms_refused', deps.clock.now(), { refusal: result.refusal ?? 'provider' });
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
  if (!ctx || !ctx.challenge || !ctx.flow || !ctx.member) return { kind: 'closed', response: await cannotContinue(c, state?.lang ?? 'ja', ctx && { issuer: ctx.issuer, txn: ctx.txn }) };
  if (ctx.txn.state !== 'challenge_started') return { kind: 'closed', response: await renderEnded(c, ctx) };
  if (!valid(ctx.flow, deps.clock)) {
    return { kind: 'closed', response: await renderEnded(c, { ...ctx, txn: await finishChallenge(deps, ctx.txn, { kind: 'expired' }) }) };
  }
  const strategy = strategyFor(ctx.challenge.method);
  // An expired token of a flow still open elsewhere (an old tab) takes no step.
  if (state.expired || !strategy) return { kind: 'closed', response: await cannotContinue(c, ctx.lang, { issuer: ctx.issuer, txn: ctx.txn }) };
  if (options.touch) {
    const now = deps.clock.now();
    await flowStore(deps).extend(ctx.flow, CHALLENGE_IDLE_MS);
    await touchChallenge(deps.db, ctx.challenge.id, now);
    await scheduleTimer(deps, 'challenge_timeout', ctx.flow.id, now + CHALLENGE_IDLE_MS, true);
  }
  return { kind: 'open', ctx, strategy };
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
