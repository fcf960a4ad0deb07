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
 * @example
 *   const pace = lockPacer();
 *   for (const group of groups) await pace.write(() => db.run(insertOf(group)));
 */

/** The share of a write's time the lock stays free after it. */
export const FREE_SHARE = 0.25;

export interface LockPacer {
  /** Runs one write (a transaction, a statement) after the pause the previous one asks for. */
  write<T>(run: () => Promise<T>): Promise<T>;
}

export function lockPacer(share = FREE_SHARE): LockPacer {
  let held = 0;
  let end = 0;
  return {
    async write(run) {
      const wait = held * share - (performance.now() - end);
      if (wait >= 1) await new Promise((resolve) => setTimeout(resolve, wait));
      const start = performance.now();
      try {
        return await run();
      } finally {
        end = performance.now();
        held = end - start;
      }
    },
  };
}
