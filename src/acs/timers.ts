/**
 * Timers are rows with a due time (table `timers`), swept by the scheduler: a cron trigger on
 * Workers, an interval on Node and Deno. Nothing waits in memory, so any process may sweep, and a
 * timer is claimed with a guarded UPDATE before it runs, so only one sweeper runs it.
 *
 * A timer is one per kind and subject: an acsTransID for the transaction's own timers (CReq
 * timeout, RReq delivery), a flow id for a flow's (the challenge's inactivity timer).
 */
import { and, eq, isNull, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { timers, type TimerKind } from '../db/schema.ts';
import type { AppDeps } from '../deps.ts';

export type Timer = typeof timers.$inferSelect;

/** What scheduling and sweeping need; a handler gets the sweeper's deps, which may hold more. */
export type TimerDeps = Pick<AppDeps, 'db' | 'clock' | 'log'>;

/** What a handler says: done, or run me again at this time. */
export type TimerOutcome = { done: true } | { retryAt: number; error?: string };
export type TimerHandler<D extends TimerDeps = TimerDeps> = (deps: D, timer: Timer) => Promise<TimerOutcome>;

/** How long a claimed timer is left alone by other sweepers. */
const CLAIM_MS = 60_000;

/** Schedules (or, with `reschedule`, moves) the timer of this kind for a subject (an acsTransID or a flow id). */
export async function scheduleTimer(deps: Pick<TimerDeps, 'db' | 'clock'>, kind: TimerKind, subject: string, dueAt: number, reschedule = false) {
  await scheduleTimerStatement(deps.db, { kind, subject, dueAt }, deps.clock.now(), { reschedule });
}

/**
 * `scheduleTimer` as one statement of a caller's `db.batch`, applied only where `onlyIf` holds
 * (e.g. "the transaction has just reached this state", transactions.ts `transactionIsIn`).
 * Written as SQL because Drizzle's INSERT … SELECT wants every column of the table.
 */
export function scheduleTimerStatement(
  db: Database,
  timer: { kind: TimerKind; subject: string; dueAt: number },
  now: number,
  options: { reschedule?: boolean; onlyIf?: SQL } = {},
) {
  const [kind, subject, dueAt, doneAt, createdAt] = [timers.kind, timers.subject, timers.dueAt, timers.doneAt, timers.createdAt].map((c) => sql.identifier(c.name));
  const onConflict = options.reschedule ? sql`DO UPDATE SET ${dueAt} = excluded.${dueAt}, ${doneAt} = NULL` : sql`DO NOTHING`;
  return db.run(
    sql`INSERT INTO ${timers} (${kind}, ${subject}, ${dueAt}, ${createdAt}) SELECT ${timer.kind}, ${timer.subject}, ${timer.dueAt}, ${now} WHERE ${options.onlyIf ?? sql`1`} ON CONFLICT (${kind}, ${subject}) ${onConflict}`,
  );
}

/**
 * Ends the timer of this kind for a subject without running it, as one statement of a caller's
 * `db.batch` (it ends with what made it pointless), applied only where `onlyIf` holds.
 */
export function cancelTimerStatement(db: Database, kind: TimerKind, subject: string, now: number, onlyIf?: SQL) {
  return db
    .update(timers)
    .set({ doneAt: now })
    .where(and(eq(timers.kind, kind), eq(timers.subject, subject), isNull(timers.doneAt), onlyIf));
}

/** Runs every due timer once; returns how many ran. */
export async function sweepTimers<D extends TimerDeps>(deps: D, handlers: Partial<Record<TimerKind, TimerHandler<D>>>, limit = 100): Promise<number> {
  const due = await deps.db.select().from(timers).where(claimable(deps.clock.now())).orderBy(timers.dueAt).limit(limit);
  let ran = 0;
  for (const timer of due) {
    if (await runClaimed(deps, timer, handlers[timer.kind], { onlyWhenDue: true })) ran++;
  }
  return ran;
}

/**
 * Runs one timer's work now if this caller can claim it, and records the outcome (done, or
 * retry at a time) as the sweeper does; returns whether it ran. Used by the sweeper, and by code
 * that must not wait for the next sweep (the final CRes wants the RRes first).
 *
 * @example
 *   await runClaimed(deps, timer, () => deliverRReq(deps, timer.subject))
 */
export async function runClaimed<D extends TimerDeps>(
  deps: D,
  timer: Timer,
  handler: TimerHandler<D> | undefined,
  options: { onlyWhenDue?: boolean } = {},
): Promise<boolean> {
  const claimed = await claim(deps, timer.id, options.onlyWhenDue ?? false);
  if (!claimed) return false; // someone else has it, or has already run it
  await settle(deps, claimed, await run(deps, claimed, handler));
  return true;
}

/** Not done and not held by a live claim; for the sweeper, also due. */
function claimable(now: number, onlyWhenDue = true) {
  const free = and(isNull(timers.doneAt), or(isNull(timers.claimedUntil), lt(timers.claimedUntil, now)));
  return onlyWhenDue ? and(free, lte(timers.dueAt, now)) : free;
}

/**
 * One guarded UPDATE, so of several sweepers exactly one wins. The condition is checked again
 * at claim time, with the time of the claim: a sweeper that read the timer earlier may find it
 * already run and rescheduled (dueAt in the future) or done by another.
 */
async function claim(deps: TimerDeps, id: number, onlyWhenDue: boolean): Promise<Timer | undefined> {
  const now = deps.clock.now();
  const [claimed] = await deps.db
    .update(timers)
    .set({ claimedUntil: now + CLAIM_MS })
    .where(and(eq(timers.id, id), claimable(now, onlyWhenDue)))
    .returning();
  return claimed; // the row as claimed, with its current attempts
}

async function run<D extends TimerDeps>(deps: D, timer: Timer, handler: TimerHandler<D> | undefined): Promise<TimerOutcome> {
  const retry = (error: string): TimerOutcome => ({ retryAt: deps.clock.now() + backoffMs(timer.attempts + 1), error });
  // A timer nobody handles is kept, not dropped: the work it stands for must not be lost.
  if (!handler) {
    deps.log.error('timer has no handler', { kind: timer.kind, subject: timer.subject });
    return retry(`no handler for ${timer.kind}`);
  }
  try {
    return await handler(deps, timer);
  } catch (error) {
    deps.log.error('timer failed', { kind: timer.kind, subject: timer.subject, error });
    return retry(String(error instanceof Error ? error.message : error));
  }
}

async function settle(deps: TimerDeps, timer: Timer, outcome: TimerOutcome) {
  const set =
    'done' in outcome
      ? { doneAt: deps.clock.now(), claimedUntil: null }
      : { dueAt: outcome.retryAt, attempts: sql`${timers.attempts} + 1`, claimedUntil: null, lastError: outcome.error ?? null };
  await deps.db.update(timers).set(set).where(eq(timers.id, timer.id));
}

/** 10 s, 20 s, 40 s … capped at 10 minutes: the spec's "wait 10 s and keep retrying". */
export function backoffMs(attempt: number): number {
  return Math.min(10_000 * 2 ** Math.max(0, attempt - 1), 600_000);
}
