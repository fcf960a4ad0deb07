/**
 * What the scheduler runs: the ACS's timers and housekeeping. Called every second on Node and
 * Deno, every minute by the Workers cron trigger; safe to run from several processes at once.
 */
import { lt } from 'drizzle-orm';
import { methodData, type TimerKind } from '../db/schema.ts';
import { deliverRReqNow } from './deliver-now.ts';
import { endTransaction } from './end-transaction.ts';
import { deliverRReq, type RReqDeps } from './rreq.ts';
import { sweepTimers, type TimerHandler } from './timers.ts';

/** What the ACS's own timers use (a sweep's extra handlers may take more: the sweeper passes its deps on). */
export type AcsWorkDeps = RReqDeps;

/** No CReq within 30 s of ARes C: the transaction ends N/14 with challengeCancel 05 and the DS is told. */
const creqTimeout: TimerHandler<AcsWorkDeps> = async (deps, timer) => {
  const moved = await endTransaction(deps.db, timer.subject, 'expired', deps.clock.now(), {
    patch: { finalTransStatus: 'N', finalTransStatusReason: '14', challengeCancel: '05' },
    onlyFrom: 'ares_sent',
  });
  if (moved) deps.log.info('challenge not started in time', { acsTransID: timer.subject });
  // Tell the DS now rather than on the next sweep, which on Workers is a minute away. Also when an
  // earlier run's ending was committed but its answer lost (a database deadline: this timer runs
  // again), the RReq it queued goes out here; with nothing queued this does nothing.
  await deliverRReqNow(deps, timer.subject);
  return { done: true };
};

const rreqDelivery: TimerHandler<AcsWorkDeps> = (deps, timer) => deliverRReq(deps, timer.subject, timer.attempts + 1);

const ACS_TIMER_HANDLERS = {
  creq_timeout: creqTimeout,
  rreq_delivery: rreqDelivery,
} satisfies Partial<Record<TimerKind, TimerHandler<AcsWorkDeps>>>;

export async function runAcsScheduledWork<D extends AcsWorkDeps>(deps: D, extraHandlers: Partial<Record<TimerKind, TimerHandler<D>>> = {}): Promise<void> {
  // Housekeeping runs even when a sweep fails: a broken timer must not keep stale method data.
  const results = await Promise.allSettled([sweepTimers<D>(deps, { ...ACS_TIMER_HANDLERS, ...extraHandlers }), purgeMethodData(deps)]);
  const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) throw failure.reason;
}

/** 3DS Method data is only for the AReq that follows it (spec: reusable for 10 minutes). */
function purgeMethodData(deps: Pick<AcsWorkDeps, 'db' | 'clock'>) {
  return deps.db.delete(methodData).where(lt(methodData.expiresAt, deps.clock.now()));
}
