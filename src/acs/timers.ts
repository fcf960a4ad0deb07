/**
 * Timers are rows with a due time (table `timers`), swept by the scheduler: a cron trigger on
 * Workers, an interval on Node and Deno. Nothing waits in memory, so any process may sweep, and a
 * timer is claimed with a guarded UPDATE before it runs, so only one sweeper runs it.
 */
import { and, eq, isNull, lt, lte, or, sql } from 'drizzle-orm';
import type { AppDeps } from '../deps.ts';
import { timers, type TimerKind } from '../db/schema.ts';

export type Timer = typeof timers.$inferSelect;

/** What a handler says: done, or run me again at this time. */
export type TimerOutcome = { done: true } | { retryAt: number; error?: string };
export type TimerHandler = (deps: AppDeps, timer: Timer) => Promise<TimerOutcome>;

/** How long a claimed timer is left alone by other sweepers. */
const CLAIM_MS = 60_000;

/** Schedules (or, with `reschedule`, moves) the timer of this kind for a transaction. */
export async function scheduleTimer(deps: AppDeps, kind: TimerKind, acsTransID: string, dueAt: number, reschedule = false) {
  await deps.db
    .insert(timers)
    .values({ kind, acsTransID, dueAt, createdAt: deps.clock.now() })
    .onConflictDoUpdate({
      target: [timers.kind, timers.acsTransID],
      set: reschedule ? { dueAt, doneAt: null } : { kind },
    });
}

export async function cancelTimer(deps: AppDeps, kind: TimerKind, acsTransID: string) {
  await deps.db
    .update(timers)
    .set({ doneAt: deps.clock.now() })
    .where(and(eq(timers.kind, kind), eq(timers.acsTransID, acsTransID), isNull(timers.doneAt)));
}

/** Runs every due timer once; returns how many ran. */
export async function sweepTimers(deps: AppDeps, handlers: Partial<Record<TimerKind, TimerHandler>>, limit = 100): Promise<number> {
  const { db, clock, log } = deps;
  const now = clock.now();
  const claimable = and(isNull(timers.doneAt), or(isNull(timers.claimedUntil), lt(timers.claimedUntil, now)));
  const due = await db.select().from(timers).where(and(claimable, lte(timers.dueAt, now))).orderBy(timers.dueAt).limit(limit);

  let ran = 0;
  for (const timer of due) {
    const claimed = await db
      .update(timers)
      .set({ claimedUntil: now + CLAIM_MS })
      .where(and(eq(timers.id, timer.id), claimable))
      .returning({ id: timers.id });
    if (claimed.length === 0) continue; // another sweeper has it
    ran++;

    const handler = handlers[timer.kind];
    let outcome: TimerOutcome;
    try {
      outcome = handler ? await handler(deps, timer) : { done: true };
    } catch (error) {
      log.error('timer failed', { kind: timer.kind, acsTransID: timer.acsTransID, error });
      outcome = { retryAt: clock.now() + backoffMs(timer.attempts + 1), error: String(error instanceof Error ? error.message : error) };
    }
    if ('done' in outcome) {
      await db.update(timers).set({ doneAt: clock.now(), claimedUntil: null }).where(eq(timers.id, timer.id));
    } else {
      await db
        .update(timers)
        .set({ dueAt: outcome.retryAt, attempts: sql`${timers.attempts} + 1`, claimedUntil: null, lastError: outcome.error ?? null })
        .where(eq(timers.id, timer.id));
    }
  }
  return ran;
}

/** 10 s, 20 s, 40 s … capped at 10 minutes: the spec's "wait 10 s and keep retrying". */
export function backoffMs(attempt: number): number {
  return Math.min(10_000 * 2 ** Math.max(0, attempt - 1), 600_000);
}
