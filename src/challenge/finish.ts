/**
 * How a challenge ends: the transaction moves to its final state in one guarded UPDATE through
 * the state machine's table (so a timer and a cardholder cannot both end it), the flow moves to
 * the matching ending, the RReq is queued and sent, and the page gets the final CRes to post to
 * the merchant's notificationURL.
 */
import { computeAuthenticationValue } from '../acs/authentication-value.ts';
import { deliverRReqNow } from '../acs/deliver-now.ts';
import { queueRReq } from '../acs/rreq.ts';
import { cancelTimer } from '../acs/timers.ts';
import { findTransaction, transition, type Transaction } from '../acs/transactions.ts';
import { decryptPan } from '../cards/pan.ts';
import type { ChallengeState, TransactionState } from '../db/schema.ts';
import type { AppDeps } from '../deps.ts';
import { flowStore } from '../flow/store.ts';
import { encodeJsonBase64Url } from '../protocol/base64url.ts';
import { eciFor } from '../protocol/codes.ts';
import { buildFinalCRes } from '../protocol/cres.ts';
import type { Erro } from '../protocol/erro.ts';
import type { MessageVersion } from '../protocol/versions.ts';
import type { ChallengeStrategy } from './strategies.ts';
import { findChallenge } from './store.ts';

export type Ending =
  | { kind: 'success'; strategy: ChallengeStrategy }
  | { kind: 'failed'; reason: string } // wrong entries up to the lock (19), not enrolled (13)
  | { kind: 'cancelled' }
  | { kind: 'expired' }
  | { kind: 'error'; reason: string; challengeCancel: string }; // invalid CReq for a known transaction

/** What the browser posts to the merchant: `cres` (base64url, no padding) and the echoed session data. */
export interface FinalPost {
  notificationURL: string;
  cres: string;
  threeDSSessionData?: string;
  transStatus: 'Y' | 'N' | 'U';
}

const STATE_FOR: Record<Ending['kind'], { txn: TransactionState; challenge: ChallengeState }> = {
  success: { txn: 'completed', challenge: 'succeeded' },
  failed: { txn: 'failed', challenge: 'failed' },
  cancelled: { txn: 'cancelled', challenge: 'cancelled' },
  expired: { txn: 'expired', challenge: 'expired' },
  error: { txn: 'failed', challenge: 'failed' },
};

/**
 * Ends the transaction if nobody else has; returns the transaction as it ended (which may be
 * someone else's ending, e.g. the inactivity timer's).
 */
export async function finishChallenge(deps: AppDeps, txn: Transaction, ending: Ending): Promise<Transaction> {
  const { db, clock } = deps;
  const patch = await finalFields(deps, txn, ending);
  const moved = await transition(db, txn.acsTransID, STATE_FOR[ending.kind].txn, clock.now(), patch);
  if (moved) {
    // A CReq refused before the challenge started has no challenge (and no flow) yet.
    const challenge = await findChallenge(db, txn.acsTransID);
    if (challenge) {
      await flowStore(deps).move({ id: challenge.flowId, kind: 'challenge' }, STATE_FOR[ending.kind].challenge);
      await cancelTimer(deps, 'challenge_timeout', challenge.flowId);
    }
    await cancelTimer(deps, 'creq_timeout', txn.acsTransID);
    await queueRReq(deps, txn.acsTransID);
    deps.log.info('challenge ended', { acsTransID: txn.acsTransID, ending: ending.kind, transStatus: patch.finalTransStatus, reason: patch.finalTransStatusReason });
    // The spec sends the final CRes after the RRes: try now, the timer retries if the DS is slow.
    await deliverRReqNow(deps, txn.acsTransID);
  }
  return (await findTransaction(db, txn.acsTransID))!;
}

async function finalFields(deps: AppDeps, txn: Transaction, ending: Ending): Promise<Partial<Transaction>> {
  switch (ending.kind) {
    case 'success': {
      const eci = eciFor(txn.brand, 'Y');
      const pan = await decryptPan(deps.keys.panEncryption, txn.panCipher);
      const authenticationValue = await computeAuthenticationValue(deps.keys.authValue, {
        transStatus: 'Y',
        how: ending.strategy.authenticationValueHow,
        pan,
        dsTransID: txn.dsTransID,
        eci,
        purchaseAmount: txn.purchaseAmount ?? undefined,
        purchaseCurrency: txn.purchaseCurrency ?? undefined,
      });
      return { finalTransStatus: 'Y', finalTransStatusReason: null, eci, authenticationValue };
    }
    case 'failed':
      return { finalTransStatus: 'N', finalTransStatusReason: ending.reason, eci: eciFor(txn.brand, 'N'), authenticationValue: null };
    case 'cancelled':
      return { finalTransStatus: 'N', finalTransStatusReason: '01', challengeCancel: '01', eci: eciFor(txn.brand, 'N'), authenticationValue: null };
    case 'expired':
      return { finalTransStatus: 'N', finalTransStatusReason: '14', challengeCancel: '04', eci: eciFor(txn.brand, 'N'), authenticationValue: null };
    case 'error':
      return { finalTransStatus: 'U', finalTransStatusReason: ending.reason, challengeCancel: ending.challengeCancel, authenticationValue: null };
  }
}

/** The final CRes of an ended transaction (Y or N; an error ending posts an Erro instead). */
export function finalPost(txn: Transaction, threeDSSessionData?: string): FinalPost | undefined {
  if (!txn.notificationURL || (txn.finalTransStatus !== 'Y' && txn.finalTransStatus !== 'N')) return undefined;
  const cres = buildFinalCRes({
    messageVersion: txn.messageVersion as MessageVersion,
    threeDSServerTransID: txn.threeDSServerTransID,
    acsTransID: txn.acsTransID,
    transStatus: txn.finalTransStatus,
  });
  return { notificationURL: txn.notificationURL, cres: encodeJsonBase64Url(cres), threeDSSessionData, transStatus: txn.finalTransStatus };
}

/** An Erro for the 3DS Server goes through the browser too, in the same `cres` field. */
export function erroPost(notificationURL: string, erro: Erro, threeDSSessionData?: string): FinalPost {
  return { notificationURL, cres: encodeJsonBase64Url(erro), threeDSSessionData, transStatus: 'U' };
}
