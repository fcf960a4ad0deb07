/**
 * AReq → ARes. Validation (src/protocol) and the decision (decide.ts) are pure; this module is
 * the I/O around them: BIN range and so the card's issuer, card look-up by keyed hash, the risk
 * signals (3DS Method data, the card's history) and assessment, the authentication value, and the
 * one durable write of the transaction (with its issuer, for the challenge that may follow, and
 * the card's updated risk history) before the ARes leaves.
 */
import { and, eq } from 'drizzle-orm';
import { findBinRange, loadBinRanges } from '../cards/bin-ranges.ts';
import { findCardOnFile, type CardOnFile } from '../cards/card-store.ts';
import { encryptPan, maskPan, panLookupHash } from '../cards/pan.ts';
import { transactions } from '../db/schema.ts';
import type { AppDeps } from '../deps.ts';
import type { LogFields } from '../log.ts';
import { sha256Hex } from '../encoding.ts';
import { withinBudget } from '../http/budget.ts';
import { smsChallengesAvailable } from '../messaging/breaker.ts';
import { buildARes, type ARes, type AResOutcome } from '../protocol/ares.ts';
import { parseAReq, requestorChallengeInd, type AReq } from '../protocol/areq.ts';
import { eciFor, type TransStatusReason } from '../protocol/codes.ts';
import type { Erro } from '../protocol/erro.ts';
import { buildErro } from '../protocol/errors.ts';
import { issuerSettings, type IssuerSettings } from '../issuers/settings.ts';
import type { RiskAssessment } from '../risk/provider.ts';
import type { HistoryUpdate } from '../risk/history.ts';
import { signalsFromAReq } from '../risk/signals-from-areq.ts';
import { authenticationTypeFor } from '../challenge/strategies.ts';
import { computeAuthenticationValue } from './authentication-value.ts';
import { decide, type Decision } from './decide.ts';
import { recordTransaction } from './transaction-writer.ts';
import { areqLabel, latencyIncrement } from '../insight/stats.ts';
import { InvalidAppAReqElement, isUnavailable, prepareAppChallenge, type AppChallengeSetup } from '../app-channel/ares.ts';

/** The first CReq must arrive within 30 seconds of an ARes with transStatus C. */
export const CREQ_TIMEOUT_MS = 30_000;
const JST_OFFSET_MS = 9 * 60 * 60 * 1000;

/** What answering an AReq uses: no SMS, mail or outbound HTTP (the ARes goes back on the DS's own request). */
export type AuthenticateDeps = Pick<AppDeps, 'db' | 'clock' | 'config' | 'keys' | 'log' | 'risk'>;

/** `log`: what the request's one log line says about an ARes newly answered (routes.ts logs it). */
export type AReqAnswer = { kind: 'ARes'; message: ARes; acsTransID: string; replayed: boolean; log?: LogFields } | { kind: 'Erro'; message: Erro };

/**
 * `budget` (AREQ_BUDGET_MS, from the route): once it runs out the answer is Erro 403, whatever is still running.
 * `receivedAt`: when the request came in (performance.now()), for the ARes latency histogram.
 */
export async function authenticate(deps: AuthenticateDeps, body: string, budget?: AbortSignal, receivedAt = performance.now()): Promise<AReqAnswer> {
  const parsed = parseAReq(body, { requireDsFields: true });
  if (!parsed.ok) return { kind: 'Erro', message: parsed.erro };
  const areq = parsed.areq;
  try {
    return await withinBudget(authenticateValid(deps, areq, body, budget, receivedAt), budget);
  } catch (error) {
    // An sdkEphemPubKey that WebCrypto refuses although it passed the AReq's checks: the DS's error, not ours.
    if (error instanceof InvalidAppAReqElement) return { kind: 'Erro', message: erroFor(areq, '203', error.element) };
    // Never a 5xx: a failing or silent database (DatabaseDeadlineError after DB_TIMEOUT_MS), a spent
    // budget, or anything else unexpected is a transient system failure.
    deps.log.error('areq: system failure', { error, threeDSServerTransID: areq.threeDSServerTransID });
    return { kind: 'Erro', message: erroFor(areq, '403', 'Transient system failure: please retry') };
  }
}

async function authenticateValid(deps: AuthenticateDeps, areq: AReq, body: string, budget: AbortSignal | undefined, receivedAt: number): Promise<AReqAnswer> {
  const { db, clock, keys, config } = deps;
  const now = clock.now();
  const pan = areq.acctNumber;

  const range = findBinRange(await loadBinRanges(db, now), pan);
  if (!range) return { kind: 'Erro', message: erroFor(areq, '305', 'acctNumber') };
  // A card's issuer is its range's: its policies and thresholds decide (kept per process, like the ranges).
  const issuer = await issuerSettings(deps, range.issuerId);

  // A repeat of an AReq already answered is found by its insert below, which loses to the stored row.
  const areqDigest = await sha256Hex(body);

  const panHash = await panLookupHash(keys.panLookup, pan);
  const cardOnFile = await findCardOnFile(db, panHash);
  const brand = cardOnFile?.card.brand ?? range.brand;
  const acsTransID = crypto.randomUUID();
  // Every card on file is assessed, registered or not (its signals and history are kept alike);
  // decide() still answers an unregistered one before it looks at the risk.
  const assessed = cardOnFile ? await assessRisk(deps, areq, cardOnFile, brand, issuer, now, acsTransID) : undefined;
  const risk = assessed?.risk;
  let decision = decide({
    deviceChannel: areq.deviceChannel as '01' | '02' | '03',
    messageCategory: areq.messageCategory as '01' | '02',
    cardOnFile,
    currentYYMM: yymmInJapan(now),
    threeDSRequestorChallengeInd: requestorChallengeInd(areq)[0],
    provisionalPolicy: issuer.policies.provisional,
    // undefined for a card on file means the assessment failed (decide never fails open).
    risk,
    smsAvailable: await smsChallengesAvailable(deps),
    smsUnavailableReason: config.SMS_BREAKER_TRANS_STATUS_REASON,
  });

  // An app challenge: the key agreement and its signed content, and the secure channel's row (same commit).
  const prepared = decision.transStatus === 'C' && areq.deviceChannel === '01' ? await prepareAppChallenge(deps, areq, { acsTransID, brand, now }) : undefined;
  // Nothing the SDK can render, or no signing key for the scheme: U/03 (device not supported).
  if (isUnavailable(prepared)) decision = { transStatus: 'U', reason: prepared.transStatusReason };
  const app: AppChallengeSetup | undefined = isUnavailable(prepared) ? undefined : prepared;
  const outcome = await outcomeFor(deps, decision, areq, brand, app);
  const ares = buildARes({
    messageVersion: areq.messageVersion as ARes['messageVersion'],
    threeDSServerTransID: areq.threeDSServerTransID,
    dsTransID: areq.dsTransID!,
    acsTransID,
    acsReferenceNumber: config.ACS_REFERENCE_NUMBER,
    acsOperatorID: config.ACS_OPERATOR_ID,
    dsReferenceNumber: areq.dsReferenceNumber!,
    sdkTransID: 'sdkTransID' in areq ? (areq.sdkTransID as string | undefined) : undefined,
    ...outcome,
  });

  const row: typeof transactions.$inferInsert = {
    acsTransID,
    threeDSServerTransID: areq.threeDSServerTransID,
    dsTransID: areq.dsTransID!,
    messageVersion: areq.messageVersion,
    deviceChannel: areq.deviceChannel,
    messageCategory: areq.messageCategory,
    areqDigest,
    cardId: cardOnFile?.card.id ?? null,
    memberId: cardOnFile?.member?.id ?? null,
    issuerId: issuer.id,
    panHash,
    panCipher: await encryptPan(keys.panEncryption, pan),
    panFirst6: pan.slice(0, 6),
    panLast4: pan.slice(-4),
    brand,
    purchaseAmount: areq.purchaseAmount ?? null,
    purchaseCurrency: areq.purchaseCurrency ?? null,
    purchaseExponent: areq.purchaseExponent !== undefined ? Number(areq.purchaseExponent) : null,
    merchantName: areq.merchantName ?? null,
    dsURL: areq.dsURL ?? null,
    notificationURL: 'notificationURL' in areq ? ((areq.notificationURL as string | undefined) ?? null) : null,
    transStatus: ares.transStatus!,
    transStatusReason: 'transStatusReason' in ares ? (ares.transStatusReason ?? null) : null,
    eci: 'eci' in ares ? (ares.eci ?? null) : null,
    authenticationValue: 'authenticationValue' in ares ? (ares.authenticationValue ?? null) : null,
    challengeMethod: decision.transStatus === 'C' ? decision.method : null,
    riskScore: risk?.score ?? null,
    riskReasons: risk ? JSON.stringify(risk.reasons) : null,
    riskVersion: risk?.detail?.version ?? null,
    riskDetail: (risk?.detail as unknown as Record<string, unknown> | undefined) ?? null,
    state: 'ares_sent',
    areq: JSON.stringify({ ...areq, acctNumber: maskPan(pan) }),
    ares: JSON.stringify(ares),
    createdAt: now,
    updatedAt: now,
  };

  // The one durable write, with the 30-second CReq timer for C, committed together with the AReqs
  // of the same moment (group commit); the ARes leaves only once it is committed. A twin of this
  // AReq (same threeDSServerTransID and dsTransID), earlier or concurrent, finds the IDs taken and
  // replays the stored ARes.
  //
  // Under a database that stops answering, the DS may already have had Erro 403 (budget spent, or
  // the write's deadline passed) when this write commits: a statement on its way cannot be called
  // back. That late row is still consistent, because it is complete (row and CReq timer are one
  // batch) and is exactly the ARes this AReq earned: a DS that retries the same AReq gets it
  // replayed; one that gives up never sends a CReq, so a C ends N/14 after 30 s like any
  // abandoned challenge (its RReq is refused by the DS and recorded, rreq.ts), and Y/N rows are
  // only a trail. What must not happen is a write *started* after the Erro went out:
  budget?.throwIfAborted();
  // Counted with the row (same commit): its outcome and version, and the time from the request's
  // arrival to this ARes being ready (real time, not the injected clock, which may stand still).
  const stats = [
    { issuerId: issuer.id, at: now, metric: 'areq' as const, label: areqLabel(ares.transStatus!, areq.messageVersion) },
    latencyIncrement('ares_ms', issuer.id, now, performance.now() - receivedAt),
  ];
  // The card's risk history moves on with the row (same commit; nothing if the row loses a race).
  const history = assessed?.history ? { ...assessed.history, transStatus: ares.transStatus! } : undefined;
  const stored = await recordTransaction(db, { row, creqTimeoutAt: decision.transStatus === 'C' ? now + CREQ_TIMEOUT_MS : undefined, stats, history, alongside: app?.statements });
  if (!stored) {
    const winner = await findByIds(deps, areq.threeDSServerTransID, areq.dsTransID!);
    if (winner) return replay(areq, winner, areqDigest);
    throw new Error('transaction neither inserted nor found');
  }

  const log = {
    acsTransID,
    brand,
    deviceChannel: areq.deviceChannel,
    messageVersion: areq.messageVersion,
    transStatus: ares.transStatus,
    transStatusReason: row.transStatusReason,
    challengeMethod: row.challengeMethod,
    riskScore: row.riskScore,
  };
  return { kind: 'ARes', message: ares, acsTransID, replayed: false, log };
}

function findByIds(deps: AuthenticateDeps, threeDSServerTransID: string, dsTransID: string) {
  return deps.db
    .select({ acsTransID: transactions.acsTransID, areqDigest: transactions.areqDigest, ares: transactions.ares })
    .from(transactions)
    .where(and(eq(transactions.threeDSServerTransID, threeDSServerTransID), eq(transactions.dsTransID, dsTransID)))
    .get();
}

/** A repeated AReq: the same bytes get the stored ARes; other content under the same IDs is refused. */
function replay(areq: AReq, existing: { acsTransID: string; areqDigest: string; ares: string }, digest: string): AReqAnswer {
  if (existing.areqDigest !== digest) {
    return { kind: 'Erro', message: erroFor(areq, '305', 'threeDSServerTransID,dsTransID: already used for a different AReq') };
  }
  return { kind: 'ARes', message: JSON.parse(existing.ares), acsTransID: existing.acsTransID, replayed: true };
}

/**
 * The AReq's signals (computed once: src/risk/signals-from-areq.ts), assessed by deps.risk (the
 * rule engine, src/risk/engine.ts, unless a test injects its own provider); and what the AReq adds
 * to the card's history. A failure anywhere gives no assessment: decide() then challenges (or
 * answers U where nobody can be challenged), never frictionless.
 */
async function assessRisk(
  deps: AuthenticateDeps,
  areq: AReq,
  cardOnFile: CardOnFile,
  brand: CardOnFile['card']['brand'],
  issuer: IssuerSettings,
  now: number,
  acsTransID: string,
): Promise<{ risk: RiskAssessment | undefined; history: Omit<HistoryUpdate, 'transStatus'> | undefined }> {
  let history: Omit<HistoryUpdate, 'transStatus'> | undefined;
  try {
    const { signals, seen, browserSeen } = await signalsFromAReq(deps, { areq, cardOnFile, issuer, now });
    history = { cardId: cardOnFile.card.id, amountHome: signals['purchase.amountHome'] ?? 0, seen, now };
    const risk = await deps.risk.assess({
      issuer: { code: issuer.code, challengeThresholds: issuer.challengeThresholds, velocityLimitPerHour: issuer.velocityLimitPerHour },
      brand,
      deviceChannel: areq.deviceChannel as '01' | '02' | '03',
      messageCategory: areq.messageCategory as '01' | '02',
      purchaseAmount: areq.purchaseAmount !== undefined ? Number(areq.purchaseAmount) : undefined,
      purchaseCurrency: areq.purchaseCurrency,
      purchaseExponent: areq.purchaseExponent !== undefined ? Number(areq.purchaseExponent) : undefined,
      threeDSRequestorChallengeInd: requestorChallengeInd(areq)[0],
      threeRIInd: areq.threeRIInd,
      velocityLastHour: signals['history.auths1h'] ?? 1,
      threeDSCompInd: 'threeDSCompInd' in areq ? (areq.threeDSCompInd as string | undefined) : undefined,
      browserSeen,
      merchantCountryCode: areq.merchantCountryCode,
      mcc: areq.mcc,
      signals,
      facts: { issuer, areq: areq as unknown as Record<string, unknown>, acsTransID, messageVersion: areq.messageVersion, optedOut: cardOnFile.cardholder.dataSharingOptOut },
    });
    return { risk, history };
  } catch (error) {
    // Never fail open: without an assessment the cardholder is challenged (or U where they cannot be).
    deps.log.error('risk assessment failed', { error, provider: deps.risk.name });
    return { risk: undefined, history };
  }
}

async function outcomeFor(deps: AuthenticateDeps, decision: Decision, areq: AReq, brand: CardOnFile['card']['brand'], app?: AppChallengeSetup): Promise<AResOutcome> {
  switch (decision.transStatus) {
    case 'Y': {
      const eci = eciFor(brand, 'Y');
      const authenticationValue = await computeAuthenticationValue(deps.keys.authValue, {
        transStatus: 'Y',
        how: decision.how,
        pan: areq.acctNumber,
        dsTransID: areq.dsTransID!,
        eci,
        purchaseAmount: areq.purchaseAmount,
        purchaseCurrency: areq.purchaseCurrency,
      });
      return { transStatus: 'Y', eci, authenticationValue };
    }
    case 'I':
      return { transStatus: 'I', eci: eciFor(brand, 'I') };
    case 'C':
      return {
        transStatus: 'C',
        ...(app ? app.fields : { acsURL: `${deps.config.PUBLIC_URL}/3ds/challenge` }),
        acsChallengeMandated: decision.mandated ? 'Y' : 'N',
        authenticationType: authenticationTypeFor(decision.method),
      };
    default:
      return { transStatus: decision.transStatus, transStatusReason: decision.reason as TransStatusReason };
  }
}

function erroFor(areq: AReq, errorCode: '203' | '305' | '403', errorDetail: string): Erro {
  return buildErro({
    errorCode,
    errorDetail,
    errorMessageType: 'AReq',
    messageVersion: areq.messageVersion,
    threeDSServerTransID: areq.threeDSServerTransID,
    dsTransID: areq.dsTransID,
  });
}

/** YYMM of today in Japan, the issuer's calendar for card expiry. */
export function yymmInJapan(now: number): string {
  const d = new Date(now + JST_OFFSET_MS);
  return String(d.getUTCFullYear() % 100).padStart(2, '0') + String(d.getUTCMonth() + 1).padStart(2, '0');
}
