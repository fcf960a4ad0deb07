/**
 * Everything a challenge page or step needs about its transaction, loaded in one place:
 * the transaction row, the AReq's purchase details, the member and the challenge flow row.
 */
import { eq } from 'drizzle-orm';
import { findTransaction, type Transaction } from '../acs/transactions.ts';
import { challenges, members } from '../db/schema.ts';
import type { AppDeps } from '../deps.ts';
import type { Lang } from './messages.ts';

export type Challenge = typeof challenges.$inferSelect;
export type Member = typeof members.$inferSelect;

export interface ChallengeContext {
  txn: Transaction;
  /** The AReq as stored (PAN masked): purchaseDate, browserLanguage… */
  areq: Record<string, unknown>;
  member: Member | undefined;
  challenge: Challenge | undefined;
  lang: Lang;
  threeDSSessionData?: string;
  /** The cardholder's address as this request came in (messaging/client-ip.ts), for the per-IP SMS limit. */
  clientIp?: string;
}

export async function loadContext(deps: AppDeps, acsTransID: string, lang: Lang, threeDSSessionData?: string): Promise<ChallengeContext | undefined> {
  const txn = await findTransaction(deps.db, acsTransID);
  if (!txn) return undefined;
  const [member, challenge] = await Promise.all([
    txn.memberId === null ? undefined : deps.db.select().from(members).where(eq(members.id, txn.memberId)).get(),
    deps.db.select().from(challenges).where(eq(challenges.acsTransID, acsTransID)).get(),
  ]);
  return { txn, areq: JSON.parse(txn.areq), member, challenge, lang, threeDSSessionData };
}
