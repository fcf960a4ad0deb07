/**
 * Guidance: what the challenge flow ends in when the cardholder has nothing to prove themselves
 * with (no registration, no usable phone). It is an outcome, not a strategy: the decision records
 * it as the transaction's challengeMethod (`guidance_*`, acs/decide.ts), the flow ends N/13 at
 * once, and the page says what to do instead.
 */
import type { Transaction } from '../acs/transactions.ts';
import type { ChallengeMethod } from '../db/schema.ts';

export type Guidance = 'register' | 'register_phone';

const GUIDANCE: Partial<Record<ChallengeMethod, Guidance>> = {
  guidance_register: 'register',
  guidance_phone: 'register_phone',
};

/** The guidance a transaction ended in; undefined when it was challenged (or ended otherwise). */
export function guidanceOf(txn: Pick<Transaction, 'challengeMethod' | 'finalTransStatusReason'>): Guidance | undefined {
  if (txn.finalTransStatusReason !== '13') return undefined;
  return (txn.challengeMethod && GUIDANCE[txn.challengeMethod]) || 'register';
}
