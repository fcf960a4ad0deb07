/**
 * The challenge at the acsURL (`POST /3ds/challenge`) and the steps its page posts back to:
 * submit, resend, cancel, language. Merchants frame these routes; no cookie is used (the page's
 * state travels in a signed form field, see state-token.ts).
 */
import { and, eq, sql } from 'drizzle-orm';
import { Hono, type Context } from 'hono';
import { cancelTimer, scheduleTimer } from '../acs/timers.ts';
import { findTransaction, transition, type Transaction } from '../acs/transactions.ts';
import { challenges, transactions } from '../db/schema.ts';
import type { AppDeps, AppEnv } from '../deps.ts';
import { sha256Hex, timingSafeEqual } from '../encoding.ts';
import { clientIp } from '../messaging/client-ip.ts';
import { decodeJsonBase64Url } from '../protocol/base64url.ts';
import { decodeCReq } from '../protocol/creq.ts';
import { buildErro, type ErrorCode } from '../protocol/errors.ts';
import { claimAttempt, clearAttempts, lockMember } from './attempts.ts';
import { loadContext, type ChallengeContext } from './context.ts';
import { erroPost, finishChallenge } from './finish.ts';
import { brandingFor, cannotContinue, renderEnded, renderForm } from './render.tsx';
import { languageFor, MESSAGES, type Lang } from './messages.ts';
import { ANSWER_FLOOR_MS, atLeast } from './pace.ts';
import { cooldownLeft, sendFailureText, sendOtpFor } from './send-otp.ts';
import { verifyState } from './state-token.ts';
import { STRATEGIES } from './strategies.ts';

/** The challenge ends after 10 minutes without a page (spec: inactivity timer per page). */
export const CHALLENGE_IDLE_MS = 10 * 60 * 1000;

type C = Context<AppEnv>;

export const challengeRoutes = new Hono<AppEnv>();

challengeRoutes.post('/3ds/challenge', async (c) => {
  const deps = c.get('deps');
  const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
  const creqField = typeof form.creq === 'string' ? form.creq : '';
  const sessionData = typeof form.threeDSSessionData === 'string' ? form.threeDSSessionData : undefined;

  const parsed = decodeCReq(creqField);
  if (!parsed.ok) {
    // Unreadable or invalid CReq: if it still names a transaction we know, end that one properly.
    const txn = await findTransaction(deps.db, rawAcsTransID(creqField) ?? '');
    deps.log.warn('creq refused', { errorCode: parsed.erro.errorCode, errorDetail: parsed.erro.errorDetail, known: !!txn });
    return txn ? refuseCReq(c, txn, parsed.erro.errorCode, parsed.erro.errorDetail, sessionData) : cannotContinue(c, 'ja');
  }
  const creq = parsed.creq;
  const txn = await findTransaction(deps.db, creq.acsTransID);
  if (!txn) return cannotContinue(c, 'ja');
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
  if (now.state === 'challenge_started') {
    if (ctx.challenge?.creqDigest !== digest) return refuseCReq(c, now, '305', 'CReq differs from the first CReq', sessionData);
    return renderForm(c, { ...ctx, lang: (ctx.challenge.language as Lang) ?? lang }, {});
  }
  if (now.state === 'expired' && now.challengeCancel === '05') return refuseCReq(c, now, '402', 'CReq received after the challenge timed out', sessionData);
  return renderEnded(c, ctx);
});

challengeRoutes.post('/3ds/challenge/submit', async (c) => {
  const deps = c.get('deps');
  return atLeast(ANSWER_FLOOR_MS, async () => {
    const step = await openStep(c);
    if (step.kind !== 'open') return step.response;
    const { ctx, form } = step;
    const member = ctx.member!;
    const strategy = STRATEGIES[ctx.challenge!.method === 'password' ? 'password' : 'sms_otp'];
    const now = deps.clock.now();

    const claim = await claimAttempt(deps.db, member.id, deps.config.MAX_AUTH_ATTEMPTS, now);
    const typedId = String(form.memberId ?? '').trim();
    const idMatches = timingSafeEqual(typedId, member.loginId);
    const proved = await strategy.verify(deps, ctx, String(form.secret ?? ''), claim.allowed && idMatches);
    await deps.db.update(transactions).set({ interactionCounter: sql`${transactions.interactionCounter} + 1` }).where(eq(transactions.acsTransID, ctx.txn.acsTransID));
    // One line per entry, for the audit trail: counted always, checked only within the limit.
    deps.log.info('challenge attempt', { acsTransID: ctx.txn.acsTransID, memberId: member.id, count: claim.count, checked: claim.allowed, proved: claim.allowed && proved });

    if (claim.allowed && proved) {
      await clearAttempts(deps.db, member.id, now);
      return renderEnded(c, { ...ctx, txn: await finishChallenge(deps, ctx.txn, { kind: 'success' }, strategy.method) });
    }
    if (!claim.allowed || claim.count >= deps.config.MAX_AUTH_ATTEMPTS) {
      await lockMember(deps.db, member.id, now);
      deps.log.warn('member locked after wrong entries', { acsTransID: ctx.txn.acsTransID, memberId: member.id });
      return renderEnded(c, { ...ctx, txn: await finishChallenge(deps, ctx.txn, { kind: 'failed', reason: '19' }) });
    }
    const t = MESSAGES[ctx.lang];
    return renderForm(c, ctx, {
      error: strategy.method === 'password' ? t.failedPassword : t.failed,
      remaining: deps.config.MAX_AUTH_ATTEMPTS - claim.count,
      memberId: typedId,
      status: 400,
    });
  });
});

challengeRoutes.post('/3ds/challenge/resend', async (c) => {
  const deps = c.get('deps');
  const step = await openStep(c);
  if (step.kind !== 'open') return step.response;
  const t = MESSAGES[step.ctx.lang];
  const result = await sendOtpFor(deps, { ...step.ctx, clientIp: clientIp(c) });
  const outcome = result.outcome;
  if (outcome === 'sent') return renderForm(c, step.ctx, { notice: t.resent });
  if (outcome === 'cooldown') {
    const [row] = await deps.db.select({ lastSentAt: challenges.lastSentAt }).from(challenges).where(eq(challenges.acsTransID, step.ctx.txn.acsTransID));
    return renderForm(c, step.ctx, { error: t.resendWait(cooldownLeft(deps, row.lastSentAt)), status: 429 });
  }
  const error = outcome === 'limit' ? t.resendLimit : sendFailureText(t, result, deps.config.ISSUER_PHONE);
  return renderForm(c, step.ctx, { error, status: outcome === 'limit' ? 429 : 503 });
});

challengeRoutes.post('/3ds/challenge/cancel', async (c) => {
  const step = await openStep(c);
  if (step.kind !== 'open') return step.response;
  return renderEnded(c, { ...step.ctx, txn: await finishChallenge(c.get('deps'), step.ctx.txn, { kind: 'cancelled' }) });
});

challengeRoutes.post('/3ds/challenge/language', async (c) => {
  const step = await openStep(c, { touch: false });
  if (step.kind !== 'open') return step.response;
  const lang: Lang = step.ctx.lang === 'ja' ? 'en' : 'ja';
  await c.get('deps').db.update(challenges).set({ language: lang }).where(eq(challenges.acsTransID, step.ctx.txn.acsTransID));
  return renderForm(c, { ...step.ctx, lang }, {});
});

// ─── steps ──────────────────────────────────────────────────────────────────────

/** Starts the flow for a first CReq: the flow row, the state move, and the timers. False if someone else did. */
async function startChallenge(deps: AppDeps, txn: Transaction, windowSize: string, lang: Lang, creqDigest: string): Promise<boolean> {
  const now = deps.clock.now();
  await deps.db
    .insert(challenges)
    .values({
      acsTransID: txn.acsTransID,
      method: txn.challengeMethod ?? 'sms_otp',
      challengeWindowSize: windowSize,
      language: lang,
      creqDigest,
      createdAt: now,
      lastActivityAt: now,
      expiresAt: now + CHALLENGE_IDLE_MS,
    })
    .onConflictDoNothing();
  if (!(await transition(deps.db, txn.acsTransID, 'challenge_started', now, {}, ['ares_sent']))) return false;
  await cancelTimer(deps, 'creq_timeout', txn.acsTransID);
  await scheduleTimer(deps, 'challenge_timeout', txn.acsTransID, now + CHALLENGE_IDLE_MS, true);
  return true;
}

/** The first page: send the code, or explain why this cardholder cannot be challenged. */
async function begin(c: C, ctx: ChallengeContext) {
  const deps = c.get('deps');
  const method = ctx.txn.challengeMethod;
  if (method === 'guidance_register' || method === 'guidance_phone') {
    return renderEnded(c, { ...ctx, txn: await finishChallenge(deps, ctx.txn, { kind: 'failed', reason: '13' }) });
  }
  const t = MESSAGES[ctx.lang];
  const sent = method === 'sms_otp' ? await sendOtpFor(deps, { ...ctx, clientIp: clientIp(c) }) : undefined;
  return renderForm(c, ctx, sent && sent.outcome !== 'sent' ? { error: sendFailureText(t, sent, deps.config.ISSUER_PHONE) } : {});
}

type Step = { kind: 'open'; ctx: ChallengeContext; form: Record<string, unknown> } | { kind: 'closed'; response: Response };

/**
 * Every step after the first: checks the signed state, loads the flow, ends it if its 10 minutes
 * ran out, and otherwise restarts the inactivity timer (each page served restarts it).
 */
async function openStep(c: C, options = { touch: true }): Promise<Step> {
  const deps = c.get('deps');
  const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
  const state = await verifyState(deps.keys.session, form.state);
  const ctx = state && (await loadContext(deps, state.acsTransID, state.lang, state.threeDSSessionData));
  if (!ctx || !ctx.challenge || !ctx.member) return { kind: 'closed', response: await cannotContinue(c, state?.lang ?? 'ja') };
  if (ctx.txn.state !== 'challenge_started') return { kind: 'closed', response: await renderEnded(c, ctx) };

  const now = deps.clock.now();
  if (ctx.challenge.expiresAt <= now) {
    return { kind: 'closed', response: await renderEnded(c, { ...ctx, txn: await finishChallenge(deps, ctx.txn, { kind: 'expired' }) }) };
  }
  if (options.touch) {
    await deps.db
      .update(challenges)
      .set({ lastActivityAt: now, expiresAt: now + CHALLENGE_IDLE_MS })
      .where(and(eq(challenges.id, ctx.challenge.id), eq(challenges.state, 'started')));
    await scheduleTimer(deps, 'challenge_timeout', ctx.txn.acsTransID, now + CHALLENGE_IDLE_MS, true);
  }
  return { kind: 'open', ctx, form };
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
  if (txn.state === 'ares_sent' || txn.state === 'challenge_started') {
    const challengeCancel = txn.messageVersion === '2.3.1' ? '10' : '06';
    await finishChallenge(deps, txn, { kind: 'error', reason: '07', challengeCancel });
  }
  const post = txn.notificationURL ? erroPost(txn.notificationURL, erro, sessionData) : undefined;
  return cannotContinue(c, lang, post, brandingFor(deps, txn));
}

/** The acsTransID of a CReq that failed validation, if its JSON still has one. */
function rawAcsTransID(creqField: string): string | undefined {
  const decoded = decodeJsonBase64Url(creqField);
  const value = decoded.ok ? (decoded.value as { acsTransID?: unknown }) : undefined;
  return typeof value?.acsTransID === 'string' && /^[0-9a-f-]{36}$/i.test(value.acsTransID) ? value.acsTransID : undefined;
}
