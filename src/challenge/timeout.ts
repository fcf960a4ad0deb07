/**
 * The inactivity timer: a challenge whose last page is 10 minutes old ends N/14 with
 * challengeCancel 04, and the DS is told. Each page served pushes the timer back.
 */
import { eq } from 'drizzle-orm';
import type { TimerHandler } from '../acs/timers.ts';
import { findTransaction } from '../acs/transactions.ts';
import { challenges } from '../db/schema.ts';
import { finishChallenge } from './finish.ts';

export const challengeTimeout: TimerHandler = async (deps, timer) => {
  const challenge = await deps.db.select().from(challenges).where(eq(challenges.acsTransID, timer.subject)).get();
  const txn = await findTransaction(deps.db, timer.subject);
  if (!challenge || !txn || txn.state !== 'challenge_started') return { done: true };
  if (challenge.expiresAt > deps.clock.now()) return { retryAt: challenge.expiresAt };
  await finishChallenge(deps, txn, { kind: 'expired' });
  return { done: true };
};
