/**
 * One request at the app channel's acsURL, in the reference's processing order (app-channel.md
 * §4.5): an Erro from the SDK (JSON) ends the transaction; otherwise the JWE's header, the
 * transaction by `kid`, its timers, decryption with the session key, the CReq's elements, IDs,
 * version and counter, then exactly one business step through the challenge's shared core
 * (src/challenge/attempt.ts: the browser's strategies, attempt counting, lockout, resend limits),
 * and the CRes encrypted back. Every refusal of a CReq whose transaction is known ends it (RReq U)
 * and is answered with an Erro as JSON, HTTP 200 (SDKs treat any other status as a transport failure).
 *
 * The trail keeps every message decrypted (never the key); counted steps are counted as in the browser.
 */
import { CREQ_TIMEOUT_MS } from '../acs/authenticate.ts';
import { deliverRReqNow } from '../acs/deliver-now.ts';
import { endTransaction } from '../acs/end-transaction.ts';
import { findTransaction, recordMessage, type Transaction } from '../acs/transactions.ts';
import { beginChallenge, cancelChallenge, checkEntry, continueChallenge, resendCode, startChallenge } from '../challenge/attempt.ts';
import { loadContext, type ChallengeContext } from '../challenge/context.ts';
import { recordEvent } from '../challenge/events.ts';
import { finishChallenge } from '../challenge/finish.ts';
import { MESSAGES, type Lang } from '../challenge/messages.ts';
import { sendFailureText } from '../challenge/send-otp.ts';
import { strategyFor, type ChallengeStrategy } from '../challenge/strategies.ts';
import { findChallenge } from '../challenge/store.ts';
import type { AppDeps } from '../deps.ts';
import { sha256Hex } from '../encoding.ts';
import { ANSWER_FLOOR_MS, atLeast } from '../flow/pace.ts';
import { parseAppCReq, type AppCReq, type CReqAction } from '../protocol/app-creq.ts';
import { buildAppCRes, buildAppFinalCRes, type CResIds } from '../protocol/app-cres.ts';
import { checkMessage } from '../protocol/validation.ts';
import { buildErro, type AcsErro, type ErrorCode } from '../protocol/errors.ts';
import type { MessageVersion } from '../protocol/versions.ts';
import { decryptCReq, encryptCRes, openSessionKey, readJweHeader, type JweEnc } from './crypto.ts';
import { APP_WORDS } from './messages.ts';
import { acceptCReqCounter, loadSession, storeUi, takeAcsCounter, type AppSession } from './session-store.ts';
import { appLanguage, buildUi, firstStep, type OfferedUi, type UiNote, type UiStep } from './ui.ts';

/** An answer for the SDK: HTTP status, headers, body (the route sends it as it is). */
export interface AppReply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export const JOSE_TYPE = 'application/jose; charset=utf-8';
const JSON_TYPE = 'application/json; charset=utf-8';

type Session = AppSession;

/** What one CReq works on once it has been read: its transaction, session, key and message. */
interface Exchange {
  txn: Transaction;
  session: Session;
  cek: Uint8Array;
  enc: JweEnc;
  creq: AppCReq;
  version: MessageVersion;
}

/** Handles one POST to the acsURL. */
export async function handleAppRequest(deps: AppDeps, request: { contentType: string; body: string }): Promise<AppReply> {
  if (/^application\/json\b/i.test(request.contentType)) return receiveSdkErro(deps, request.body);

  // 2. The JWE's header: `dir`, one of the two encs, and a kid naming the transaction.
  const jwe = request.body.replace(/\s+/g, '');
  const header = readJweHeader(jwe);
  const kid = typeof header?.kid === 'string' ? header.kid : undefined;
  // 3. The transaction by kid: unknown → 301 (no RReq can be sent for it).
  const txn = kid ? await findTransaction(deps.db, kid) : undefined;
  const session = txn && txn.deviceChannel === '01' ? await loadSession(deps.db, txn.acsTransID) : undefined;
  if (!txn || txn.deviceChannel !== '01') return erroReply(buildErro({ errorCode: header ? '301' : '302', errorDetail: header ? 'kid' : 'CReq is not a compact JWE', errorMessageType: 'CReq' }));
  if (!session || !isOpen(txn)) return tooLate(deps, txn, session?.sdkTransID);
  if (txn.state === 'ares_sent' && deps.clock.now() >= txn.createdAt + CREQ_TIMEOUT_MS) {
    // The CReq timer is due but not yet swept (a Workers cron runs once a minute): end it as the timer would.
    await expireUnstarted(deps, txn);
    return tooLate(deps, txn, session.sdkTransID);
  }

  // 4. Decrypt with the session key (CBC: the whole key; GCM: its left half).
  const cek = await openSessionKey(deps.keys.channel, session.keyCipher);
  const opened = await decryptCReq(cek, jwe);
  if (!opened.ok) return refuse(deps, txn, session, '302', `JWE ${opened.reason}`);
  const enc = opened.header.enc;

  // 5. The CReq: type, elements, one action; IDs, version, counter.
  const parsed = parseAppCReq(opened.plaintext);
  await recordMessage(deps.db, txn.acsTransID, 'in', 'CReq', forTrail(parsed.ok ? parsed.creq : asReceived(opened.plaintext)), deps.clock.now());
  if (!parsed.ok) return refuse(deps, txn, session, parsed.erro.errorCode, parsed.erro.errorDetail);
  const { creq } = parsed;
  const mismatch = idMismatch(txn, session, creq, parsed.messageVersion);
  if (mismatch) return refuse(deps, txn, session, mismatch.code, mismatch.detail);
  // 6. The counter moves atomically from the value the CReq carried: a replay, a skipped counter, or
  // the loser of two racing CReqs is refused. The first CReq's enc is the exchange's.
  const accepted = await acceptCReqCounter(deps.db, txn.acsTransID, Number(creq.sdkCounterStoA), enc, deps.clock.now());
  if (!accepted) return refuse(deps, txn, session, '302', 'sdkCounterStoA');
  if (accepted.enc !== enc) return refuse(deps, txn, session, '302', 'enc differs from the first CReq');

  // 7–9. One business step, then a CRes (or the final CRes once the RReq has been answered or failed once).
  return step(deps, { txn, session, cek, enc, creq, version: parsed.messageVersion }, parsed.action);
}

/**
 * What the SDK gets when the ACS itself failed (the database did not answer): Erro 403, as JSON
 * with HTTP 200 like every Erro, naming the transaction when the JWE's kid does. Never a CRes.
 */
export function transientFailure(body: string): AppReply {
  const kid = readJweHeader(body.replace(/\s+/g, ''))?.kid;
  return erroReply(buildErro({ errorCode: '403', errorDetail: 'Transient system failure: please retry', errorMessageType: 'CReq', acsTransID: kid }));
}

function isOpen(txn: Transaction): boolean {
  return txn.state === 'ares_sent' || txn.state === 'challenge_started';
}

/** The IDs must be the transaction's (Req 212) and the version the AReq's (Req 320). */
function idMismatch(txn: Transaction, session: Session, creq: AppCReq, version: MessageVersion): { code: ErrorCode; detail: string } | undefined {
  if (creq.acsTransID !== txn.acsTransID) return { code: '301', detail: 'acsTransID' };
  if (version !== txn.messageVersion) return { code: '203', detail: 'messageVersion' };
  if (creq.threeDSServerTransID !== txn.threeDSServerTransID) return { code: '203', detail: 'threeDSServerTransID' };
  if (creq.sdkTransID !== session.sdkTransID) return { code: '203', detail: 'sdkTransID' };
  return undefined;
}

async function step(deps: AppDeps, x: Exchange, action: CReqAction): Promise<AppReply> {
  const { txn } = x;
  if (txn.state === 'ares_sent') return firstCReq(deps, x, action);

  const lang = ((await findChallenge(deps.db, txn.acsTransID))?.language as Lang | undefined) ?? appLanguage(JSON.parse(txn.areq));
  const ctx = await loadContext(deps, txn.acsTransID, lang);
  const continued = ctx && (await continueChallenge(deps, ctx));
  if (!continued || continued.kind === 'closed') return refuse(deps, txn, x.session, '305', 'challenge cannot continue');
  // 10 minutes without a CReq: ended N/14/04 (its RReq sent); the SDK gets 402.
  if (continued.kind === 'ended') return continued.justExpired ? tooLate(deps, continued.ctx.txn, x.session.sdkTransID) : finalOrTooLate(deps, x, continued.ctx.txn);
  const { strategy } = continued;
  // The SDK gives up sdkMaxTimeout minutes after the first CReq (Req 312): a CReq after that is answered as the SDK would have ended it.
  if (ctx.challenge && deps.clock.now() > ctx.challenge.createdAt + x.session.sdkMaxTimeout * 60_000) {
    await finishChallenge(deps, txn, { kind: 'expired' });
    return tooLate(deps, txn, x.session.sdkTransID);
  }
  const offered = (x.session.ui as OfferedUi | null) ?? { step: 'entry', uiType: '01' };

  if (action.kind === 'cancel') return finalOrTooLate(deps, x, await cancelChallenge(deps, ctx));
  if (offered.step === 'confirm' || offered.step === 'check') return selectStep(deps, x, ctx, strategy, offered, action);
  if (action.kind === 'resend') return resend(deps, x, ctx, strategy);
  if (action.kind === 'html') {
    const form = new URLSearchParams(action.value);
    if (form.get('action') === 'resend') return resend(deps, x, ctx, strategy);
    return entry(deps, x, ctx, strategy, form.get('secret') ?? '');
  }
  if (action.kind === 'entry') return entry(deps, x, ctx, strategy, action.value);
  if (action.kind === 'noEntry' || action.kind === 'none') return entry(deps, x, ctx, strategy, '');
  // oobContinue, challengeAddCode, infoContinue: not what the UI offered (Table A.16).
  return refuse(deps, txn, x.session, '203', elementOf(action));
}

/** The first CReq: the challenge starts (a code goes out), and the first UI is shown (interactionCounter 0). */
async function firstCReq(deps: AppDeps, x: Exchange, action: CReqAction): Promise<AppReply> {
  const { txn } = x;
  const lang = appLanguage(JSON.parse(txn.areq));
  const started = await startChallenge(deps, txn, { windowSize: null, lang, creqDigest: await sha256Hex(JSON.stringify(x.creq)) });
  const now = (await findTransaction(deps.db, txn.acsTransID))!;
  // Not started here: a twin started it (the counter makes that near impossible; its challenge is left alone), or the CReq timer won.
  if (!started) return now.state === 'challenge_started' ? refuse(deps, now, x.session, '302', 'sdkCounterStoA', { end: false }) : tooLate(deps, now, x.session.sdkTransID);
  const ctx = (await loadContext(deps, txn.acsTransID, lang))!;
  if (action.kind === 'cancel') return finalOrTooLate(deps, x, await cancelChallenge(deps, ctx));
  const first = firstStep(x.session.rendering);
  if (first !== 'entry') {
    // Nothing is sent before the cardholder has answered the select; guidance (no strategy) ends at once below.
    const strategy = strategyFor(ctx.txn.challengeMethod);
    if (strategy) return cres(deps, x, ctx, strategy, first, {});
  }
  return beginAndShow(deps, x, ctx, {});
}

/** The strategy begins (its code goes out) and the entry UI follows; or guidance ends the challenge (N/13). */
async function beginAndShow(deps: AppDeps, x: Exchange, ctx: ChallengeContext, note: UiNote): Promise<AppReply> {
  const begun = await beginChallenge(deps, ctx);
  if (begun.kind === 'ended') return finalOrTooLate(deps, x, begun.txn);
  const t = MESSAGES[ctx.lang];
  const sendError = begun.sent && begun.sent.outcome !== 'sent' ? sendFailureText(t, begun.sent, ctx.issuer.helpdesk.phone) : undefined;
  return cres(deps, x, ctx, begun.strategy, 'entry', { ...note, error: sendError ?? note.error });
}

/** 02: "is this payment yours?"; 03: merchant and amount ticked as checked. Then the code goes out. */
async function selectStep(deps: AppDeps, x: Exchange, ctx: ChallengeContext, strategy: ChallengeStrategy, offered: OfferedUi, action: CReqAction): Promise<AppReply> {
  const w = APP_WORDS[ctx.lang];
  if (action.kind !== 'entry' && action.kind !== 'noEntry' && action.kind !== 'none') return refuse(deps, x.txn, x.session, '203', elementOf(action));
  const chosen = action.kind === 'entry' ? action.value.split(',').map((k) => k.trim()).filter((k) => k in (offered.options ?? {})) : [];
  if (offered.step === 'confirm') {
    if (chosen.length !== 1) return cres(deps, x, ctx, strategy, 'confirm', { error: w.chooseOne });
    await recordEvent(deps.db, x.txn.acsTransID, 'page', deps.clock.now(), { page: 'app_select', step: 'confirm', answer: chosen[0] });
    // "Not mine": the cardholder stops the payment, as a cancel does.
    if (offered.options![chosen[0]] === 'no') return finalOrTooLate(deps, x, await cancelChallenge(deps, ctx));
    return beginAndShow(deps, x, ctx, {});
  }
  if (chosen.length !== Object.keys(offered.options ?? {}).length) return cres(deps, x, ctx, strategy, 'check', { error: w.checkAll });
  await recordEvent(deps.db, x.txn.acsTransID, 'page', deps.clock.now(), { page: 'app_select', step: 'check', answer: chosen.join(',') });
  return beginAndShow(deps, x, ctx, {});
}

/** A typed code or password: an empty or malformed one is answered beside the field and not counted. */
async function entry(deps: AppDeps, x: Exchange, ctx: ChallengeContext, strategy: ChallengeStrategy, raw: string): Promise<AppReply> {
  // Every answer to an entry takes the same time, as on the browser page.
  return atLeast(ANSWER_FLOOR_MS, async () => {
    const t = MESSAGES[ctx.lang];
    const w = APP_WORDS[ctx.lang];
    const secret = strategy.readSecret(raw);
    if (!secret.ok) return cres(deps, x, ctx, strategy, 'entry', { error: t[secret.error] });
    const checked = await checkEntry(deps, ctx, strategy, secret.value, true);
    if (checked.kind !== 'wrong') return finalOrTooLate(deps, x, checked.txn);
    return cres(deps, x, ctx, strategy, 'entry', { error: strategy.secret === 'code' ? w.wrongCode : w.wrongPassword, remaining: checked.remaining });
  });
}

async function resend(deps: AppDeps, x: Exchange, ctx: ChallengeContext, strategy: ChallengeStrategy): Promise<AppReply> {
  const t = MESSAGES[ctx.lang];
  const resent = await resendCode(deps, ctx, strategy);
  switch (resent.kind) {
    case 'none':
      return cres(deps, x, ctx, strategy, 'entry', {});
    case 'sent':
      return cres(deps, x, ctx, strategy, 'entry', { notice: t.resent });
    case 'ended':
      return finalOrTooLate(deps, x, resent.txn);
    default:
      return cres(deps, x, ctx, strategy, 'entry', { error: sendFailureText(t, resent.result, ctx.issuer.helpdesk.phone) });
  }
}

/** A CRes with a UI (challengeCompletionInd N), encrypted with the CRes key and counter; its UI kept for the next CReq. */
async function cres(deps: AppDeps, x: Exchange, ctx: ChallengeContext, strategy: ChallengeStrategy, uiStep: UiStep, note: UiNote): Promise<AppReply> {
  const codeSent = strategy.codeSent ? await strategy.codeSent(deps, ctx) : undefined;
  const { fields, offered } = buildUi({ ctx, strategy, version: x.version, rendering: x.session.rendering, step: uiStep, note: { ...note, codeSent }, publicUrl: deps.config.PUBLIC_URL });
  const counter = await nextAcsCounter(deps, x);
  const message = buildAppCRes(idsOf(x, counter), fields);
  await storeUi(deps.db, x.txn.acsTransID, { ...offered }, deps.clock.now());
  const now = deps.clock.now();
  await recordMessage(deps.db, x.txn.acsTransID, 'out', 'CRes', message, now);
  await recordEvent(deps.db, x.txn.acsTransID, 'page', now, { page: 'app', step: uiStep, uiType: offered.uiType, lang: ctx.lang, error: note.error ? true : undefined, codeSent: codeSent ?? null });
  return joseReply(x, await encryptCRes(x.cek, x.enc, x.txn.acsTransID, counter, JSON.stringify(message)));
}

/**
 * The final CRes (Y or N) of a transaction that has ended: its RReq has been tried once already
 * (finishChallenge delivers it before returning, bounded by the RRes timeout), so the SDK hears
 * the outcome after the DS did. An ending without Y or N (an error) is answered 402.
 */
async function finalOrTooLate(deps: AppDeps, x: Exchange, ended: Transaction): Promise<AppReply> {
  if (ended.finalTransStatus !== 'Y' && ended.finalTransStatus !== 'N') return tooLate(deps, ended, x.session.sdkTransID);
  const counter = await nextAcsCounter(deps, x);
  const message = buildAppFinalCRes(idsOf(x, counter), ended.finalTransStatus);
  await recordMessage(deps.db, x.txn.acsTransID, 'out', 'CRes', message, deps.clock.now());
  return joseReply(x, await encryptCRes(x.cek, x.enc, x.txn.acsTransID, counter, JSON.stringify(message)));
}

/**
 * This CRes's acsCounterAtoS, taken atomically. After the transaction ended its session row is
 * gone: the final CRes uses the counter of the row loaded for this CReq (the SDK waits for the
 * answer, so nothing else moved it).
 */
async function nextAcsCounter(deps: AppDeps, x: Exchange): Promise<number> {
  const taken = await takeAcsCounter(deps.db, x.txn.acsTransID, deps.clock.now());
  const counter = taken ?? x.session.acsCounter;
  x.session = { ...x.session, acsCounter: counter + 1 };
  return counter;
}

function idsOf(x: Exchange, counter: number): CResIds {
  return {
    messageVersion: x.version,
    threeDSServerTransID: x.txn.threeDSServerTransID,
    acsTransID: x.txn.acsTransID,
    sdkTransID: x.session.sdkTransID,
    acsCounterAtoS: String(counter).padStart(3, '0'),
  };
}

function joseReply(x: Exchange, jwe: string): AppReply {
  return { status: 200, headers: { 'content-type': JOSE_TYPE, ...versionHeaders(x.version, x.session.sdkTransID, x.txn.acsTransID) }, body: jwe };
}

/** 2.3.1: the SDK's transaction ID in X-Request-ID and ours in X-Response-ID (Table A.29). */
function versionHeaders(version: string, sdkTransID: string | undefined, acsTransID: string | undefined): Record<string, string> {
  if (version !== '2.3.1') return {};
  return { ...(sdkTransID ? { 'x-request-id': sdkTransID } : {}), ...(acsTransID ? { 'x-response-id': acsTransID } : {}) };
}

function erroReply(erro: AcsErro, sdkTransID?: string): AppReply {
  return { status: 200, headers: { 'content-type': JSON_TYPE, ...versionHeaders(erro.messageVersion, sdkTransID, erro.acsTransID) }, body: JSON.stringify(erro) };
}

function erroOf(txn: Transaction, sdkTransID: string | undefined, errorCode: ErrorCode, errorDetail: string): AcsErro {
  return buildErro({
    errorCode,
    errorDetail,
    errorMessageType: 'CReq',
    messageVersion: txn.messageVersion,
    threeDSServerTransID: txn.threeDSServerTransID,
    dsTransID: txn.dsTransID,
    acsTransID: txn.acsTransID,
    sdkTransID,
  });
}

/**
 * A CReq refused for a transaction we know: Erro to the SDK, and the transaction ends U with its
 * RReq (2.3.1: challengeCancel 10 with the Erro in challengeErrorReporting; 2.2.0: 06).
 */
async function refuse(deps: AppDeps, txn: Transaction, session: Session, errorCode: ErrorCode, errorDetail: string, o = { end: true }): Promise<AppReply> {
  const erro = erroOf(txn, session.sdkTransID, errorCode, errorDetail);
  deps.log.warn('app creq refused', { acsTransID: txn.acsTransID, errorCode, errorDetail });
  // In the trail before the ending, so the RReq the ending sends can carry it.
  await recordMessage(deps.db, txn.acsTransID, 'out', 'Erro', erro, deps.clock.now());
  if (o.end && isOpen(txn)) await finishChallenge(deps, txn, { kind: 'error', reason: '07', challengeCancel: txn.messageVersion === '2.3.1' ? '10' : '06' });
  return erroReply(erro, session.sdkTransID);
}

/** A CReq after the transaction ended (timer, earlier ending): 402, and no second RReq. */
async function tooLate(deps: AppDeps, txn: Transaction, sdkTransID: string | undefined): Promise<AppReply> {
  const erro = erroOf(txn, sdkTransID, '402', 'CReq received after the challenge ended or timed out');
  await recordMessage(deps.db, txn.acsTransID, 'out', 'Erro', erro, deps.clock.now());
  return erroReply(erro, sdkTransID);
}

/** What the CReq timer does when it is due: N/14 with challengeCancel 05, the RReq sent now. */
async function expireUnstarted(deps: AppDeps, txn: Transaction): Promise<void> {
  const moved = await endTransaction(deps.db, txn.acsTransID, 'expired', deps.clock.now(), {
    patch: { finalTransStatus: 'N', finalTransStatusReason: '14', challengeCancel: '05' },
    onlyFrom: 'ares_sent',
  });
  if (moved) await deliverRReqNow(deps, txn.acsTransID);
}

/**
 * An Erro from the SDK (a timeout, a CRes it could not read): the transaction ends U and the DS
 * is told (2.3.1: challengeCancel 09 with the Erro copied; 2.2.0 has no 09: 08 for the SDK's
 * timeout, else 06). The SDK expects no answer: 200 with an empty body.
 */
async function receiveSdkErro(deps: AppDeps, body: string): Promise<AppReply> {
  const empty: AppReply = { status: 200, headers: {}, body: '' };
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return empty;
  }
  const checked = checkMessage(value, 'Erro');
  const erro = value as Record<string, unknown>;
  const txn = checked.ok && typeof erro.acsTransID === 'string' ? await findTransaction(deps.db, erro.acsTransID) : undefined;
  if (!txn || txn.deviceChannel !== '01') return empty;
  const session = await loadSession(deps.db, txn.acsTransID);
  // Only the SDK of this transaction may end it.
  if (session && erro.sdkTransID !== session.sdkTransID) return empty;
  await recordMessage(deps.db, txn.acsTransID, 'in', 'Erro', erro, deps.clock.now());
  deps.log.warn('sdk sent erro', { acsTransID: txn.acsTransID, errorCode: erro.errorCode, errorComponent: erro.errorComponent });
  if (isOpen(txn)) {
    const timedOut = erro.errorCode === '402';
    const challengeCancel = txn.messageVersion === '2.3.1' ? '09' : timedOut ? '08' : '06';
    await finishChallenge(deps, txn, { kind: 'error', reason: timedOut ? '14' : '07', challengeCancel });
  }
  return { ...empty, headers: versionHeaders(txn.messageVersion, session?.sdkTransID, txn.acsTransID) };
}

function elementOf(action: CReqAction): string {
  return { oobContinue: 'oobContinue', addCode: 'challengeAddCode', infoContinue: 'infoContinueIndicator' }[action.kind as string] ?? action.kind;
}

/** A CReq that failed validation, as the trail keeps it: its JSON when it has some, else the text (bounded). */
function asReceived(plaintext: string): unknown {
  try {
    return JSON.parse(plaintext);
  } catch {
    // Not JSON: it may still hold what the cardholder typed, so only its size is kept.
    return { unreadable: true, characters: plaintext.length };
  }
}

/** What the cardholder typed (a code, a password, the HTML UI's form) never reaches the trail: only that something was. */
const ENTRY_ELEMENTS = ['challengeDataEntry', 'challengeDataEntryTwo', 'challengeHTMLDataEntry'];

function forTrail(message: unknown): unknown {
  if (!message || typeof message !== 'object' || Array.isArray(message)) return message;
  const copy: Record<string, unknown> = { ...(message as Record<string, unknown>) };
  for (const element of ENTRY_ELEMENTS) if (element in copy) copy[element] = '[entered]';
  return copy;
}
