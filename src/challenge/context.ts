/**
 * Everything a challenge page or step needs about its transaction, loaded in one place:
 * the transaction row, the AReq's purchase details, the card's issuer, the member, the challenge
 * and its flow.
 */
import { findTransaction, type Transaction } from '../acs/transactions.ts';
import type { AppDeps } from '../deps.ts';
import type { Flow } from '../flow/flow.ts';
import { flowStore } from '../flow/store.ts';
import { issuerSettings, type IssuerSettings } from '../issuers/settings.ts';
import { findMember, type Member } from '../members/store.ts';
import type { Lang } from './messages.ts';
import { findChallenge, type Challenge } from './store.ts';

export type { Challenge, Member };

export interface ChallengeContext {
  txn: Transaction;
  /** The AReq as stored (PAN masked): purchaseDate, browserLanguage… */
  areq: Record<string, unknown>;
  /** The card's issuer, as the AReq found it: its name, logo, phone, SMS texts and limits. */
  issuer: IssuerSettings;
  member: Member | undefined;
  challenge: Challenge | undefined;
  flow: Flow<'challenge'> | undefined;
  lang: Lang;
  threeDSSessionData?: string;
  /** The cardholder's address as this request came in (http/client-ip.ts), for the per-IP SMS limit. */
  clientIp?: string;
}

export async function loadContext(deps: Pick<AppDeps, 'db' | 'clock' | 'config'>, acsTransID: string, lang: Lang, threeDSSessionData?: string): Promise<ChallengeContext | undefined> {
  const txn = await findTransaction(deps.db, acsTransID);
  if (!txn) return undefined;
  const [issuer, member, challenge] = await Promise.all([
    issuerSettings(deps, txn.issuerId),
    txn.memberId === null ? undefined : findMember(deps.db, txn.memberId),
    findChallenge(deps.db, acsTransID),
  ]);
  const flow = challenge && ((await flowStore(deps).find(challenge.flowId)) as Flow<'challenge'> | undefined);
  return { txn, areq: JSON.parse(txn.areq), issuer, member, challenge, flow, lang, threeDSSessionData };
}
