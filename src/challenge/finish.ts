/**
 * How a challenge ends: the transaction moves to its final state through the state machine's
 * table in a guarded UPDATE (so a timer and a cardholder cannot both end it), and in the same
 * database transaction the flow moves to the matching ending, its inactivity timer is cancelled
 * and the RReq is queued (acs/end-transaction.ts); then the RReq is sent, and the page gets the
 * final CRes to post to the merchant's notificationURL.
 */
import { computeAuthenticationValue } from '../acs/authentication-value.ts';
import { deliverRReqNow } from '../acs/deliver-now.ts';
import { endTransaction, type FinalState } from '../acs/end-transaction.ts';
import type { RReqDeps } from '../acs/rreq.ts';
import { cancelTimerStatement } from '../acs/timers.ts';
import { findTransaction, type Transaction } from '../acs/transactions.ts';
import { decryptPan } from '../cards/pan.ts';
import type { ChallengeState } from '../db/schema.ts';
import type { AppDeps } from '../deps.ts';
import { flowStore } from '../flow/store.ts';
import { encodeJsonBase64Url } from '../protocol/base64url.ts';
import { eciFor } from '../protocol/codes.ts';
import { buildFinalCRes } from '../protocol/cres.ts';
import type { Erro } from '../protocol/erro.ts';
import type { MessageVersion } from '../protocol/versions.ts';
import { eventStatement } from './events.ts';
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

/** What ending a challenge uses: RReq delivery's deps, and the keys for the PAN and the authentication value. */
export type FinishDeps = RReqDeps & Pick<AppDeps, 'keys'>;

/** The trail's name for each ending (transaction_events.kind). */
const EVENT_FOR = { success: 'succeeded', failed: 'failed', cancelled: 'cancelled', expired: 'timed_out', error: 'failed' } as const;

const STATE_FOR: Record<Ending['kind'], { txn: FinalState; challenge: ChallengeState }> = {
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
export async function finishChallenge(deps: FinishDeps, txn: Transaction, ending: Ending): Promise<Transaction> {
  const { db, clock } = deps;
  const patch = await finalFields(deps, txn, ending);
  const now = clock.now();
  // A CReq refused before the challenge started has no challenge (and no flow) yet.
  const challenge = await findChallenge(db, txn.acsTransID);
  const moved = await endTransaction(db, txn.acsTransID, STATE_FOR[ending.kind].txn, now, {
    patch,
    alongside: (reached) => [
      ...(challenge
        ? [
            flowStore(deps).moveStatement({ id: challenge.flowId, kind: 'challenge' }, STATE_FOR[ending.kind].challenge, reached),
            cancelTimerStatement(db, 'challenge_timeout', challenge.flowId, now, reached),
          ]
        : []),
      // The trail's record of the ending, in the same transaction (only the winner of a race writes it).
      eventStatement(db, txn.acsTransID, EVENT_FOR[ending.kind], now, endingDetail(ending, patch), reached),
    ],
  });
  if (moved) {
    deps.log.info('challenge ended', { acsTransID: txn.acsTransID, ending: ending.kind, transStatus: patch.finalTransStatus, reason: patch.finalTransStatusReason });
    // The spec sends the final CRes after the RRes: try now, the timer retries if the DS is slow.
    await deliverRReqNow(deps, txn.acsTransID);
  }
  return (await findTransaction(db, txn.acsTransID))!;
}

function endingDetail(ending: Ending, patch: Partial<Transaction>) {
  return {
    transStatus: patch.finalTransStatus ?? null,
    reason: patch.finalTransStatusReason ?? null,
    challengeCancel: patch.challengeCancel ?? null,
    method: ending.kind === 'success' ? ending.strategy.id : undefined,
  };
}

async function finalFields(deps: Pick<AppDeps, 'keys'>, txn: Transaction, ending: Ending): Promise<Partial<Transaction>> {
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
  return { notificationURL: txn.notificationURL, cres: encodeJsonBase64Url(finalCResOf(txn)), threeDSSessionData, transStatus: txn.finalTransStatus };
}

/** The final CRes of a transaction that ended Y or N (the message finalPost encodes, and the trail keeps). */
export function finalCResOf(txn: Transaction) {
  return buildFinalCRes({
    messageVersion: txn.messageVersion as MessageVersion,
    threeDSServerTransID: txn.threeDSServerTransID,
    acsTransID: txn.acsTransID,
    transStatus: txn.finalTransStatus as 'Y' | 'N',
  });
}

/** An Erro for the 3DS Server goes through the browser too, in the same `cres` field. */
export function erroPost(notificationURL: string, erro: Erro, threeDSSessionData?: string): FinalPost {
  return { notificationURL, cres: encodeJsonBase64Url(erro), threeDSSessionData, transStatus: 'U' };
}
