/**
 * Group commit: the writes that callers hand in while the event loop is busy go to the database
 * together, as one transaction, and each caller's promise settles only after that transaction.
 *
 * A durable commit is the dearest thing an embedded database does (the WAL is synced to disk), and
 * with the embedded libSQL driver it also blocks the event loop. Committing once per event-loop turn
 * instead of once per caller pays that price once for every caller that arrived meanwhile, without
 * letting anyone go on before their write is durable:
 *
 * - the first `submit` schedules a flush at the end of the current turn (`setImmediate`; a zero
 *   timeout where that does not exist), so everything submitted in the same turn shares it;
 * - while a flush is in flight (an async driver: a libSQL server over HTTP), new items wait and go
 *   in the next flush, scheduled the same way once the previous one settles;
 * - `commit` gets the items in submission order and returns one result per item; if it throws, every
 *   item of that batch is rejected with the same error (nothing was committed), and later batches
 *   go on as usual.
 *
 * @example
 *   const write = groupCommit(async (rows: Row[]) => { await client.batch(insertsFor(rows), 'write'); return rows.map(() => true); });
 *   await write(row); // resolved once the transaction holding `row` is committed
 */

export interface GroupCommitOptions {
  /** Items per transaction at most; the rest wait for the next flush. */
  maxBatch?: number;
  /** How a flush is deferred to the end of the current event-loop turn. */
  schedule?: (flush: () => void) => void;
}

const defaults: Required<GroupCommitOptions> = {
  maxBatch: 256,
  schedule: typeof setImmediate === 'function' ? (flush) => void setImmediate(flush) : (flush) => void setTimeout(flush, 0),
};

export function groupCommit<T, R>(commit: (items: T[]) => Promise<R[]>, options: GroupCommitOptions = {}): (item: T) => Promise<R> {
  const { maxBatch, schedule } = { ...defaults, ...options };
  let queue: Waiter<T, R>[] = [];
  let scheduled = false;
  let flushing = false;

  const flush = async () => {
    scheduled = false;
    flushing = true;
    const batch = queue.length <= maxBatch ? queue : queue.slice(0, maxBatch);
    queue = queue.length <= maxBatch ? [] : queue.slice(maxBatch);
    try {
      const results = await commit(batch.map((w) => w.item));
      if (results.length !== batch.length) throw new Error(`group commit: ${results.length} results for ${batch.length} items`);
      batch.forEach((w, i) => w.resolve(results[i]));
    } catch (error) {
      for (const w of batch) w.reject(error);
    } finally {
      flushing = false;
      if (queue.length > 0) later();
    }
  };

  const later = () => {
    if (scheduled || flushing) return;
    scheduled = true;
    schedule(() => void flush());
  };

  return (item) =>
    new Promise<R>((resolve, reject) => {
      queue.push({ item, resolve, reject });
      later();
    });
}

interface Waiter<T, R> {
  item: T;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
}
