/**
 * Keeps the database's one write lock free for a while after each of an import's writes, so the
 * AReqs get it in between. Writers of other processes (the server, when a CLI imports) wait for
 * the lock in SQLite's busy handler, which sleeps and looks again: 1, 2, 5, 10, 15, 20, 25 ms,
 * then up to 100 ms apart the longer it has waited. A writer that takes the lock again sooner than
 * that, batch after batch, keeps the server out for seconds. Leaving it free for a quarter of the
 * time it was held covers the busy handler's pause after a wait that long, so a waiting AReq gets
 * in after one batch. The import's other work (the next batch is prepared on another thread, its
 * rows read) goes on meanwhile; only what is left of that quarter is waited for here.
 *
 * A CLI import beside a server (cards-cli.ts) holds the lock for longer batches and passes
 * `minFreeMs` and `othersWrote`: the lock then stays free for at least `minFreeMs`, but no longer
 * than until another connection has committed (SQLite's `PRAGMA data_version` moved): the waiter
 * got its turn. Mamori's own processes wait on the write gate (src/db/write-gate.ts), which looks
 * every millisecond, so a few milliseconds (GATE_WAITER_FREE_MS) is a window they cannot miss;
 * a waiter in SQLite's busy handler (another tool) would need BUSY_HANDLER_MAX_SLEEP_MS, which
 * made a night import with no AReqs coming wait 110 ms after every batch, half its time.
 *
 * @example
 *   const pace = lockPacer();
 *   for (const group of groups) await pace.write(() => db.run(insertOf(group)));
 */

/** The share of a write's time the lock stays free after it. */
export const FREE_SHARE = 0.25;

/** SQLite's busy handler sleeps at most 100 ms at a time: a free window this long is one it cannot sleep through. */
export const BUSY_HANDLER_MAX_SLEEP_MS = 110;

/** The write gate looks every millisecond: a free window of a few of its looks is one it cannot miss. */
export const GATE_WAITER_FREE_MS = 5;

export interface LockPacer {
  /** Runs one write (a transaction, a statement) after the pause the previous one asks for. */
  write<T>(run: () => Promise<T>): Promise<T>;
  /** How long the last write held the lock (ms; 0 before the first). */
  readonly lastHeldMs: number;
}

export interface PaceOptions {
  /** The share of a write's time the lock stays free after it (default FREE_SHARE). */
  share?: number;
  /** The lock stays free at least this long after each write (default 0). */
  minFreeMs?: number;
  /** True once another connection has committed since the last call: the pause may end early. */
  othersWrote?: () => Promise<boolean>;
}

/** How often the pause looks whether another connection has committed. */
const POLL_MS = 3;
/** Once another connection has committed, the lock stays free this much longer (its next write may follow at once). */
const AFTER_OTHERS_MS = 10;

export function lockPacer(options: PaceOptions | number = {}): LockPacer {
  const { share = FREE_SHARE, minFreeMs = 0, othersWrote } = typeof options === 'number' ? { share: options } : options;
  let held = 0;
  let end = 0;
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  return {
    get lastHeldMs() {
      return held;
    },
    async write(run) {
      const free = Math.max(held * share, held > 0 ? minFreeMs : 0);
      if (othersWrote && free >= 1) {
        let others = false;
        while (!(others = await othersWrote()) && performance.now() - end < free) await sleep(Math.min(POLL_MS, free - (performance.now() - end)));
        if (others) await sleep(AFTER_OTHERS_MS);
      } else {
        const wait = free - (performance.now() - end);
        if (wait >= 1) await sleep(wait);
      }
      const start = performance.now();
      try {
        return await run();
      } finally {
        end = performance.now();
        held = end - start;
        // From here on, a commit of another connection is one that came after this write.
        if (othersWrote) await othersWrote().catch(() => false);
      }
    },
  };
}
