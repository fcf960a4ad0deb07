/**
 * Fixed-window counters in the database (`rate_counters`), so a limit holds across processes and
 * Workers isolates: one UPSERT … RETURNING per key increments the count of the current window
 * (or starts a new window) atomically and tells the caller where it stands.
 *
 * @example
 *   const [n] = await hitCounters(db, [{ key: 'sms:phone:+819012345678', windowMs: 3_600_000 }], now)
 *   if (n > 10) refuse()
 */
import { eq, sql } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { rateCounters } from '../db/schema.ts';

export interface CounterHit {
  key: string;
  windowMs: number;
}

/** Counts one event on each key; returns each key's count in its current window, this event included. */
export async function hitCounters(db: Database, hits: CounterHit[], now: number): Promise<number[]> {
  if (hits.length === 0) return [];
  const statements = hits.map(({ key, windowMs }) => {
    const windowStart = Math.floor(now / windowMs) * windowMs;
    return db
      .insert(rateCounters)
      .values({ key, windowStart, count: 1 })
      .onConflictDoUpdate({
        target: rateCounters.key,
        set: {
          // The same window counts on; a newer one starts again at 1. (A process whose clock runs
          // behind only adds to the newer window, never resets it.)
          count: sql`case when ${rateCounters.windowStart} >= excluded.window_start then ${rateCounters.count} + 1 else 1 end`,
          windowStart: sql`max(${rateCounters.windowStart}, excluded.window_start)`,
        },
      })
      .returning({ count: rateCounters.count });
  });
  const [first, ...rest] = statements;
  const results = await db.batch([first, ...rest]);
  return results.map((rows) => rows[0].count);
}

/** A key's count in the window that holds `now` (0 when it has none there yet), and when that window ends. */
export async function counterNow(db: Database, key: string, windowMs: number, now: number): Promise<{ count: number; resetsAt: number }> {
  const windowStart = Math.floor(now / windowMs) * windowMs;
  const row = await db.select({ windowStart: rateCounters.windowStart, count: rateCounters.count }).from(rateCounters).where(eq(rateCounters.key, key)).get();
  return { count: row && row.windowStart >= windowStart ? row.count : 0, resetsAt: windowStart + windowMs };
}

/** Forgets a key's count (the sandbox's reset of a demo card). */
export async function clearCounter(db: Database, key: string): Promise<void> {
  await db.delete(rateCounters).where(eq(rateCounters.key, key));
}

/** Counters whose window began this long ago cannot matter any more (windows are at most a week). */
const COUNTER_RETENTION_MS = 8 * 24 * 60 * 60 * 1000;

/** Deletes counters of long-gone windows. */
export async function purgeOldCounters(db: Database, now: number): Promise<void> {
  await db.delete(rateCounters).where(sql`${rateCounters.windowStart} < ${now - COUNTER_RETENTION_MS}`);
}
