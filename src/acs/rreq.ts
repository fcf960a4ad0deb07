/**
 * RReq delivery: the result of a challenge goes to the DS as one RReq per transaction.
 * Delivery is a durable job (an `rreq_delivery` timer, unique per transaction) retried with
 * back-off until a valid RRes arrives. An invalid RRes is answered with an Erro and not retried:
 * the DS has the RReq, and a second one would be a duplicate (Erro 312).
 */
import { eq } from 'drizzle-orm';
import { outboundLog } from '../db/schema.ts';
import type { AppDeps } from '../deps.ts';
import { buildErro } from '../protocol/errors.ts';
import { buildRReq, type RReq } from '../protocol/rreq.ts';
import { parseRRes } from '../protocol/rres.ts';
import type { MessageVersion } from '../protocol/versions.ts';
import type { AuthenticationType, ChallengeCancel, TransStatusReason } from '../protocol/codes.ts';
import { resolveDsUrl } from './ds-url.ts';
import { backoffMs, scheduleTimer, type TimerOutcome } from './timers.ts';
import { findTransaction, recordMessage, transition, type Transaction } from './transactions.ts';

/** The DS must answer within this (spec: RRes read timeout, 5 s by default). */
export const RRES_TIMEOUT_MS = 5_000;
/** After a day of failures the job stops; the transaction keeps its state for staff to see. */
const GIVE_UP_AFTER_MS = 24 * 60 * 60 * 1000;

/** Queues the RReq of a finished transaction (once: the job is unique per transaction). */
export function queueRReq(deps: AppDeps, acsTransID: string): Promise<void> {
  return scheduleTimer(deps, 'rreq_delivery', acsTransID, deps.clock.now());
}

export function rreqFor(txn: Transaction): RReq {
  const common = {
    messageVersion: txn.messageVersion as MessageVersion,
    threeDSServerTransID: txn.threeDSServerTransID,
    acsTransID: txn.acsTransID,
    dsTransID: txn.dsTransID,
    messageCategory: txn.messageCategory,
    interactionCounter: Math.min(txn.interactionCounter, 99),
    challengeCancel: (txn.challengeCancel ?? undefined) as ChallengeCancel | undefined,
  };
  const authenticationType: AuthenticationType = txn.challengeMethod === 'password' ? '01' : '02';
  if (txn.finalTransStatus === 'Y') {
    return buildRReq({ ...common, transStatus: 'Y', eci: txn.eci!, authenticationValue: txn.authenticationValue!, authenticationType });
  }
  return buildRReq({
    ...common,
    transStatus: 'N',
    transStatusReason: (txn.finalTransStatusReason ?? '01') as TransStatusReason,
    authenticationType,
  });
}

/** Sends the RReq once; the timer sweep calls it again on `retryAt`. */
export async function deliverRReq(deps: AppDeps, acsTransID: string): Promise<TimerOutcome> {
  const { db, clock, log, config } = deps;
  const txn = await findTransaction(db, acsTransID);
  if (!txn || txn.state === 'rreq_delivered') return { done: true };
  if (!txn.finalTransStatus) return { done: true }; // nothing final to report (not a challenge)

  const url = resolveDsUrl(config, txn.brand, txn.dsURL);
  const attemptsSoFar = await db.$count(outboundLog, eq(outboundLog.acsTransID, acsTransID));
  const retry = (error: string): TimerOutcome =>
    clock.now() - txn.updatedAt > GIVE_UP_AFTER_MS ? { done: true } : { retryAt: clock.now() + backoffMs(attemptsSoFar + 1), error };
  if (!url) {
    log.error('rreq: no DS URL for this scheme', { acsTransID, brand: txn.brand });
    return retry(`no DS URL configured for ${txn.brand}`);
  }

  const rreq = rreqFor(txn);
  await recordMessage(db, acsTransID, 'out', 'RReq', rreq, clock.now());
  let status: number;
  let body: string;
  try {
    const res = await deps.fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', 'x-request-id': acsTransID },
      body: JSON.stringify(rreq),
      signal: AbortSignal.timeout(RRES_TIMEOUT_MS),
    });
    status = res.status;
    body = await res.text();
  } catch (error) {
    const reason = error instanceof Error && error.name === 'TimeoutError' ? 'RRes timed out' : `connection failed: ${String(error)}`;
    await logAttempt(deps, acsTransID, url, 'failed', reason);
    log.warn('rreq delivery failed', { acsTransID, reason });
    return retry(reason);
  }
  if (status >= 500 || status === 429 || status === 408) {
    await logAttempt(deps, acsTransID, url, 'failed', `HTTP ${status}`);
    return retry(`HTTP ${status}`);
  }

  const parsed = parseRRes(body);
  if (!parsed.ok) {
    await recordMessage(db, acsTransID, 'in', parsed.fromDs ? 'Erro' : 'RRes(invalid)', body.slice(0, 4000), clock.now());
    if (!parsed.fromDs) await sendErro(deps, url, { ...parsed.erro, acsTransID, dsTransID: txn.dsTransID, threeDSServerTransID: txn.threeDSServerTransID });
    await logAttempt(deps, acsTransID, url, 'failed', parsed.fromDs ? `DS answered Erro ${parsed.erro.errorCode}` : `invalid RRes: ${parsed.erro.errorCode} ${parsed.erro.errorDetail}`);
    await transition(db, acsTransID, 'rreq_delivered', clock.now());
    return { done: true };
  }
  const rres = parsed.rres;
  if (rres.acsTransID !== acsTransID || rres.threeDSServerTransID !== txn.threeDSServerTransID) {
    const erro = buildErro({ errorCode: '301', errorDetail: 'acsTransID', errorMessageType: 'RRes', messageVersion: txn.messageVersion, acsTransID, dsTransID: txn.dsTransID, threeDSServerTransID: txn.threeDSServerTransID });
    await sendErro(deps, url, erro);
    await logAttempt(deps, acsTransID, url, 'failed', 'RRes for another transaction');
    await transition(db, acsTransID, 'rreq_delivered', clock.now());
    return { done: true };
  }
  await recordMessage(db, acsTransID, 'in', 'RRes', rres, clock.now());
  await logAttempt(deps, acsTransID, url, 'sent', `resultsStatus ${rres.resultsStatus}`);
  await transition(db, acsTransID, 'rreq_delivered', clock.now());
  log.info('rreq delivered', { acsTransID, transStatus: rreq.transStatus, resultsStatus: rres.resultsStatus });
  return { done: true };
}

async function sendErro(deps: AppDeps, url: string, erro: unknown) {
  try {
    await deps.fetch(url, { method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(erro), signal: AbortSignal.timeout(RRES_TIMEOUT_MS) });
  } catch (error) {
    deps.log.warn('could not send Erro to DS', { error });
  }
}

function logAttempt(deps: AppDeps, acsTransID: string, url: string, status: 'sent' | 'failed', detail: string) {
  return deps.db.insert(outboundLog).values({ channel: 'rreq', acsTransID, recipient: url, provider: 'ds', status, detail, createdAt: deps.clock.now() });
}
