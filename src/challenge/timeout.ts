/**
 * The inactivity timer of a challenge flow (subject: the flow id): a challenge whose last page is
 * 10 minutes old ends N/14 with challengeCancel 04, and the DS is told. Each page served pushes
 * the flow's expiry back, and the timer follows it.
 */
import type { TimerHandler } from '../acs/timers.ts';
import { findTransaction } from '../acs/transactions.ts';
import { valid } from '../flow/flow.ts';
import { flowStore } from '../flow/store.ts';
import { finishChallenge, type FinishDeps } from './finish.ts';
import { findChallengeOfFlow } from './store.ts';

export const challengeTimeout: TimerHandler<FinishDeps> = async (deps, timer) => {
  const [flow, challenge] = await Promise.all([flowStore(deps).find(timer.subject), findChallengeOfFlow(deps.db, timer.subject)]);
  const txn = challenge && (await findTransaction(deps.db, challenge.acsTransID));
  if (!flow || !txn || txn.state !== 'challenge_started') return { done: true };
  if (valid(flow, deps.clock)) return { retryAt: flow.expiresAt };
  await finishChallenge(deps, txn, { kind: 'expired' });
  return { done: true };
};
