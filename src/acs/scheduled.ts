/**
 * What the scheduler runs: the ACS's timers and housekeeping. Called every second on Node and
 * Deno, every minute by the Workers cron trigger; safe to run from several processes at once.
 */
import { lt } from 'drizzle-orm';
import { methodData } from '../db/schema.ts';
import type { AppDeps } from '../deps.ts';
import { deliverRReqNow } from './deliver-now.ts';
import { deliverRReq, queueRReq } from './rreq.ts';
import { sweepTimers, type TimerHandler } from './timers.ts';
import { findTransaction, transition } from './transactions.ts';

/** No CReq within 30 s of ARes C: the transaction ends N/14 with challengeCancel 05 and the DS is told. */
const creqTimeout: TimerHandler = async (deps, timer) => {
  const moved = await transition(
    deps.db,
    timer.subject,
    'expired',
    deps.clock.now(),
    { finalTransStatus: 'N', finalTransStatusReason: '14', challengeCancel: '05' },
    'ares_sent',
  );
  if (moved) deps.log.info('challenge not started in time', { acsTransID: timer.subject });
  // Also when an earlier run made the move but the database stopped answering before the RReq was
  // queued (that run failed, so this timer runs again): queueing is once per transaction.
  if (moved || (await expiredUnstarted(deps, timer.subject))) {
    await queueRReq(deps, timer.subject);
    // Tell the DS now rather than on the next sweep, which on Workers is a minute away.
    await deliverRReqNow(deps, timer.subject);
  }
  return { done: true };
};

async function expiredUnstarted(deps: AppDeps, acsTransID: string): Promise<boolean> {
  const txn = await findTransaction(deps.db, acsTransID);
  return txn?.state === 'expired' && txn.challengeCancel === '05';
}

const rreqDelivery: TimerHandler = (deps, timer) => deliverRReq(deps, timer.subject, timer.attempts + 1);

export const ACS_TIMER_HANDLERS: Record<string, TimerHandler> = {
  creq_timeout: creqTimeout,
  rreq_delivery: rreqDelivery,
};

export async function runAcsScheduledWork(deps: AppDeps, extraHandlers: Record<string, TimerHandler> = {}): Promise<void> {
  // Housekeeping runs even when a sweep fails: a broken timer must not keep stale method data.
  const results = await Promise.allSettled([sweepTimers(deps, { ...ACS_TIMER_HANDLERS, ...extraHandlers }), purgeMethodData(deps)]);
  const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) throw failure.reason;
}

/** 3DS Method data is only for the AReq that follows it (spec: reusable for 10 minutes). */
function purgeMethodData(deps: AppDeps) {
  return deps.db.delete(methodData).where(lt(methodData.expiresAt, deps.clock.now()));
}
