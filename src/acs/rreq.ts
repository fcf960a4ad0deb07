/**
 * RReq delivery: the result of a challenge goes to the DS as one RReq per transaction.
 * Delivery is a durable job (an `rreq_delivery` timer, unique per transaction) retried with
 * back-off until the DS answers (spec Req 240: retry a failed connection at once, then every
 * 10 s and on). What counts as an answer:
 *
 * | the DS…                                   | the ACS…                                       | retried |
 * |-------------------------------------------|------------------------------------------------|---------|
 * | answers a valid RRes for this transaction  | marks it rreq_delivered                        | no      |
 * | cannot be reached, 5xx/408/429, non-3DS 4xx| logs the failure                               | yes     |
 * | does not answer within the RRes timeout    | sends Erro 402 (Req 241–245)                   | yes     |
 * | answers something that is not a valid RRes | sends Erro 101/201/203, or 301 for other IDs   | no      |
 * | answers an Erro                            | records it (an Erro is never answered)         | no      |
 *
 * Once the DS has answered at all it has the RReq, and a second one would be a duplicate
 * (Erro 312); after a timeout it may or may not have it, and a duplicate is the lesser harm.
 */
import { and, desc, eq, type SQL } from 'drizzle-orm';
import { authenticationTypeFor } from '../challenge/strategies.ts';
import type { Database } from '../db/client.ts';
import { outboundLog, transactionMessages } from '../db/schema.ts';
import type { AppDeps } from '../deps.ts';
import type { ChallengeCancel, TransStatusReason } from '../protocol/codes.ts';
import type { Erro } from '../protocol/erro.ts';
import { buildErro, type ErroInput } from '../protocol/errors.ts';
import { transactionStatStatement } from '../insight/stats.ts';
import { buildRReq, type RReq } from '../protocol/rreq.ts';
import { parseRRes, type RRes } from '../protocol/rres.ts';
import type { MessageVersion } from '../protocol/versions.ts';
import { resolveDsUrl } from './ds-url.ts';
import { backoffMs, scheduleTimerStatement, type TimerOutcome } from './timers.ts';
import { findTransaction, recordMessage, transition, type Transaction } from './transactions.ts';

/** The DS must answer within this (spec: RRes read timeout, 5 s by default). */
export const RRES_TIMEOUT_MS = 5_000;

/**
 * How long this process waits for an RRes. The spec lets a DS ask for longer than 5 s, and
 * tests shorten it so a late DS does not slow the suite.
 */
export const rreqDeliverySettings = { rresTimeoutMs: RRES_TIMEOUT_MS };

/** What delivering an RReq uses: the database, the clock, the DS settings, the log and outbound HTTP. */
export type RReqDeps = Pick<AppDeps, 'db' | 'clock' | 'config' | 'log' | 'fetch'>;

/** After a day of failures the job stops; the transaction keeps its state for staff to see. */
const GIVE_UP_AFTER_MS = 24 * 60 * 60 * 1000;
/** Sending an Erro is best effort, and a cardholder may be waiting for the final CRes meanwhile. */
const ERRO_TIMEOUT_MS = 2_000;
/** What is kept of a DS's answer in the transaction trail. */
const MAX_RECORDED_BODY = 4000;

/**
 * Queues the RReq of a finished transaction (once: the job is unique per transaction), as a
 * statement of the batch that ends it (end-transaction.ts), applied only where `onlyIf` holds.
 */
export function queueRReqStatement(db: Database, acsTransID: string, now: number, onlyIf: SQL) {
  return scheduleTimerStatement(db, { kind: 'rreq_delivery', subject: acsTransID, dueAt: now }, now, { onlyIf });
}

/**
 * The RReq for a transaction whose final outcome is set. `challengeError` is the Erro that ended
 * the challenge, which a 2.3.1 RReq copies into challengeErrorReporting (challengeCancel 09/10).
 */
export function rreqFor(txn: Transaction, challengeError?: Erro): RReq {
  const messageVersion = txn.messageVersion as MessageVersion;
  const cancel = challengeCancelFor(messageVersion, txn.challengeCancel, challengeError);
  const common = {
    messageVersion,
    threeDSServerTransID: txn.threeDSServerTransID,
    acsTransID: txn.acsTransID,
    dsTransID: txn.dsTransID,
    messageCategory: txn.messageCategory,
    interactionCounter: Math.min(txn.interactionCounter, 99),
    challengeCancel: cancel,
    challengeErrorReporting: cancel === '09' || cancel === '10' ? challengeError : undefined,
    ...appFieldsOf(txn),
  };
  // How the cardholder was challenged, as its strategy declares it (the same the ARes announced).
  const authenticationType = authenticationTypeFor(txn.challengeMethod);
  const transStatusReason = (txn.finalTransStatusReason ?? '01') as TransStatusReason;
  switch (txn.finalTransStatus) {
    case 'Y':
      return buildRReq({ ...common, transStatus: 'Y', eci: txn.eci!, authenticationValue: txn.authenticationValue!, authenticationType });
    case 'U':
    case 'R':
      // No authentication took place, so no authentication type either.
      return buildRReq({ ...common, transStatus: txn.finalTransStatus, transStatusReason });
    default:
      return buildRReq({ ...common, transStatus: 'N', transStatusReason, authenticationType });
  }
}

/**
 * An app transaction's RReq names the SDK's transaction and the rendering used: both as the ARes
 * announced them (stored with the transaction; the app session itself is gone by now).
 */
function appFieldsOf(txn: Transaction): { sdkTransID?: string; acsRenderingType?: Record<string, string> } {
  if (txn.deviceChannel !== '01') return {};
  const ares = JSON.parse(txn.ares) as { sdkTransID?: string; acsRenderingType?: Record<string, string> };
  return { sdkTransID: ares.sdkTransID, acsRenderingType: ares.acsRenderingType };
}

/**
 * 09 and 10 (the challenge ended on an Erro) exist from 2.3.1 on, and there they must carry a
 * copy of that Erro. Without both, the RReq says what is still true: a transaction error (06).
 */
function challengeCancelFor(version: MessageVersion, cancel: string | null, challengeError: Erro | undefined): ChallengeCancel | undefined {
  if (!cancel) return undefined;
  if ((cancel === '09' || cancel === '10') && (version === '2.2.0' || !challengeError)) return '06';
  return cancel as ChallengeCancel;
}

/**
 * The Erro an RReq's challengeErrorReporting copies (2.3.1), from the trail: for challengeCancel 09
 * the newest one the SDK sent (about a CRes), for 10 the newest one the ACS sent about a CReq.
 */
async function challengeErrorOf(deps: RReqDeps, acsTransID: string, challengeCancel: '09' | '10'): Promise<Erro | undefined> {
  const direction = challengeCancel === '09' ? 'in' : 'out';
  const rows = await deps.db
    .select({ body: transactionMessages.body })
    .from(transactionMessages)
    .where(and(eq(transactionMessages.acsTransID, acsTransID), eq(transactionMessages.direction, direction), eq(transactionMessages.messageType, 'Erro')))
    .orderBy(desc(transactionMessages.id));
  for (const { body } of rows) {
    const erro = JSON.parse(body) as Erro;
    if (erro.errorMessageType === 'CReq' || erro.errorMessageType === 'CRes') return erro;
  }
  return undefined;
}

/**
 * Sends the RReq of a transaction once; the timer sweep calls it again at `retryAt`.
 * `attempt` is the delivery job's 1-based run number, which sets the back-off.
 */
export async function deliverRReq(deps: RReqDeps, acsTransID: string, attempt = 1): Promise<TimerOutcome> {
  const { config, log } = deps;
  const txn = await findTransaction(deps.db, acsTransID);
  if (!txn || txn.state === 'rreq_delivered') return { done: true };
  if (!txn.finalTransStatus) return { done: true }; // nothing final to report (not a challenge)
  if (deps.clock.now() - txn.updatedAt > GIVE_UP_AFTER_MS) {
    log.error('rreq: giving up after a day of failed deliveries', { acsTransID, attempt });
    return { done: true };
  }
  const retryLater = (error: string): TimerOutcome => ({ retryAt: deps.clock.now() + backoffMs(attempt), error });

  const url = resolveDsUrl(config, txn.brand, txn.dsURL);
  if (!url) {
    const error = `no DS URL for ${txn.brand}: the AReq's dsURL is not on DS_ALLOWLIST_${txn.brand.toUpperCase()} and DS_URL_${txn.brand.toUpperCase()} is not set`;
    log.error('rreq: no DS URL', { acsTransID, brand: txn.brand, dsURL: txn.dsURL, attempt });
    return retryLater(error);
  }

  const rreq = rreqFor(txn, txn.challengeCancel === '09' || txn.challengeCancel === '10' ? await challengeErrorOf(deps, acsTransID, txn.challengeCancel) : undefined);
  let exchange = await postRReq(deps, url, rreq);
  if (exchange.kind === 'unreachable' && attempt === 1) {
    // Req 240: a failed connection is retried at once; only after the second failure do we wait.
    await logAttempt(deps, acsTransID, url, 'failed', exchange.reason, 'retry');
    exchange = await postRReq(deps, url, rreq);
  }
  return handleExchange(deps, txn, url, exchange, retryLater);
}

type Exchange =
  | { kind: 'unreachable'; reason: string }
  | { kind: 'timeout' }
  | { kind: 'answered'; status: number; body: string };

/** One POST of the RReq, with the RRes timeout covering the whole answer, body included. */
async function postRReq(deps: RReqDeps, url: string, rreq: RReq): Promise<Exchange> {
  await recordMessage(deps.db, rreq.acsTransID, 'out', 'RReq', rreq, deps.clock.now());
  try {
    const res = await deps.fetch(url, {
      method: 'POST',
      // 2.3: the sender's own transaction ID goes in X-Request-ID (Table A.29).
      headers: { 'content-type': 'application/json; charset=utf-8', 'x-request-id': rreq.acsTransID },
      body: JSON.stringify(rreq),
      signal: AbortSignal.timeout(rreqDeliverySettings.rresTimeoutMs),
    });
    return { kind: 'answered', status: res.status, body: await res.text() };
  } catch (error) {
    if (error instanceof Error && error.name === 'TimeoutError') return { kind: 'timeout' };
    return { kind: 'unreachable', reason: `connection failed: ${describe(error)}` };
  }
}

async function handleExchange(
  deps: RReqDeps,
  txn: Transaction,
  url: string,
  exchange: Exchange,
  retryLater: (error: string) => TimerOutcome,
): Promise<TimerOutcome> {
  const { acsTransID } = txn;
  const failed = async (reason: string) => {
    await logAttempt(deps, acsTransID, url, 'failed', reason, 'retry');
    deps.log.warn('rreq delivery failed', { acsTransID, reason });
    return retryLater(reason);
  };

  if (exchange.kind === 'unreachable') return failed(exchange.reason);
  if (exchange.kind === 'timeout') {
    await sendErro(deps, url, erroAbout(txn, { errorCode: '402', errorDetail: 'RRes not received in time' }));
    return failed('RRes timed out');
  }
  const { status, body } = exchange;
  if (status >= 500 || status === 408 || status === 429) return failed(`HTTP ${status}`);

  const parsed = parseRRes(body);
  if (parsed.ok) return acceptRRes(deps, txn, url, parsed.rres);
  // A 404 page or a proxy's refusal: no DS read the RReq. A DS that did answers 200 (or an Erro).
  if (status >= 300 && !parsed.fromDs) return failed(`HTTP ${status}`);

  await recordMessage(deps.db, acsTransID, 'in', parsed.fromDs ? 'Erro' : 'RRes(invalid)', body.slice(0, MAX_RECORDED_BODY), deps.clock.now());
  if (parsed.fromDs) {
    // An Erro is never answered with an Erro; the DS has refused this RReq for good.
    await logAttempt(deps, acsTransID, url, 'failed', `DS answered Erro ${parsed.erro.errorCode}: ${parsed.erro.errorDetail}`, 'failed');
  } else {
    await sendErro(deps, url, erroAbout(txn, parsed.erro));
    await logAttempt(deps, acsTransID, url, 'failed', `invalid RRes: ${parsed.erro.errorCode} ${parsed.erro.errorDetail}`, 'failed');
  }
  return finish(deps, acsTransID);
}

/** A well-formed RRes still has to be about this transaction, in its version (Req 320). */
async function acceptRRes(deps: RReqDeps, txn: Transaction, url: string, rres: RRes): Promise<TimerOutcome> {
  const { acsTransID } = txn;
  await recordMessage(deps.db, acsTransID, 'in', 'RRes', rres, deps.clock.now());
  const wrongIds = (['acsTransID', 'threeDSServerTransID', 'dsTransID'] as const).filter((id) => rres[id] !== txn[id]);
  const mismatch: Pick<ErroInput, 'errorCode' | 'errorDetail'> | undefined =
    wrongIds.length > 0
      ? { errorCode: '301', errorDetail: wrongIds.join(',') }
      : rres.messageVersion !== txn.messageVersion
        ? { errorCode: '203', errorDetail: 'messageVersion' }
        : undefined;
  if (mismatch) {
    await sendErro(deps, url, erroAbout(txn, mismatch));
    await logAttempt(deps, acsTransID, url, 'failed', `RRes refused: Erro ${mismatch.errorCode} ${mismatch.errorDetail}`, 'failed');
    return finish(deps, acsTransID);
  }
  await logAttempt(deps, acsTransID, url, 'sent', `resultsStatus ${rres.resultsStatus}`, 'delivered');
  deps.log.info('rreq delivered', { acsTransID, resultsStatus: rres.resultsStatus });
  return finish(deps, acsTransID);
}

async function finish(deps: RReqDeps, acsTransID: string): Promise<TimerOutcome> {
  await transition(deps.db, acsTransID, 'rreq_delivered', deps.clock.now());
  return { done: true };
}

/** An Erro about this transaction's RRes, in its version and with its IDs. */
function erroAbout(txn: Transaction, erro: Pick<ErroInput, 'errorCode' | 'errorDetail'>): Erro {
  return buildErro({
    errorCode: erro.errorCode,
    errorDetail: erro.errorDetail,
    errorMessageType: 'RRes',
    messageVersion: txn.messageVersion,
    acsTransID: txn.acsTransID,
    dsTransID: txn.dsTransID,
    threeDSServerTransID: txn.threeDSServerTransID,
  });
}

/** Best effort: the Erro is a courtesy to the DS, and its failure changes nothing here. */
async function sendErro(deps: RReqDeps, url: string, erro: Erro) {
  const now = deps.clock.now();
  await deps.db.batch([
    recordMessage(deps.db, erro.acsTransID!, 'out', 'Erro', erro, now),
    transactionStatStatement(deps.db, erro.acsTransID, { at: now, metric: 'erro', label: erro.errorCode }),
  ]);
  try {
    const res = await deps.fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', 'x-request-id': erro.acsTransID! },
      body: JSON.stringify(erro),
      signal: AbortSignal.timeout(ERRO_TIMEOUT_MS),
    });
    await res.body?.cancel();
  } catch (error) {
    deps.log.warn('could not send Erro to DS', { acsTransID: erro.acsTransID, errorCode: erro.errorCode, error: describe(error) });
  }
}

/**
 * One delivery attempt in the outbound log, counted with it (rreq: delivered; retry: it will be
 * tried again; failed: the DS refused it for good).
 */
async function logAttempt(deps: RReqDeps, acsTransID: string, url: string, status: 'sent' | 'failed', detail: string, result: 'delivered' | 'retry' | 'failed') {
  const now = deps.clock.now();
  await deps.db.batch([
    deps.db.insert(outboundLog).values({ channel: 'rreq', acsTransID, recipient: url, provider: 'ds', status, detail, createdAt: now }),
    transactionStatStatement(deps.db, acsTransID, { at: now, metric: 'rreq', label: result }),
  ]);
}

/** undici hides the reason (ECONNREFUSED…) in `cause`. */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${(error.cause as Error & { code?: string }).code ?? error.cause.message}` : '';
  return `${error.message}${cause}`;
}
