/**
 * WAL checkpoints off the importer's thread. A batch of thousands of cards dirties thousands of
 * index pages (the PAN hash index is written at random); copying them back into the database file
 * (the checkpoint, with its fsync) costs about as much as writing them. SQLite's automatic
 * checkpoint runs it on the committing connection's thread right after the commit; the embedded
 * driver is synchronous, so the importer would stand still for it on every batch. Instead the
 * importer's connection turns the automatic checkpoint off and tells this thread after each
 * commit: the checkpoint (PASSIVE: never blocks a writer, the server's AReqs included) runs beside
 * the next batch, and the server's own commits find little or nothing to checkpoint.
 *
 * The WAL only starts over from its beginning when a writer begins after a checkpoint copied all
 * of it; with a batch always being written while the last one is checkpointed, and AReqs reading
 * and writing all along, that never happened: the WAL grew to gigabytes over a million rows. So
 * every RESTART_EVERY commits the checkpoint also restarts the WAL (checkpoint-worker.ts) and
 * `committed()` resolves only once that is done; `journal_size_limit` on the importer's connection
 * then gives the disk back.
 *
 * @example
 *   const checkpointer = walCheckpointer('file:data/mamori.db');
 *   await client.execute('PRAGMA wal_autocheckpoint = 0');
 *   // after each commit: await checkpointer.committed();
 *   await checkpointer.close(); // one last checkpoint
 */
import type { CheckpointReply, CheckpointRequest } from './checkpoint-worker.ts';
import { tsWorker } from './prepare-pool.ts';

/** Every this many commits the importer waits for the checkpoint, so the WAL starts over (about 8 batches long at most). */
export const RESTART_EVERY = 8;

export interface WalCheckpointer {
  /**
   * The importer committed (`rows`: how many the commit wrote): checkpoint (again) soon; every
   * RESTART_EVERY calls (or, with `restartRows`, once that many rows were written since the last
   * restart) resolves only once the WAL has started over.
   */
  committed(rows?: number): Promise<void>;
  /** Runs a last checkpoint and stops the thread. */
  close(): Promise<void>;
}

/** `restartRows`: restart the WAL by rows written instead of every RESTART_EVERY commits (batches of varying size). */
export function walCheckpointer(url: string, restartRows?: number): WalCheckpointer {
  const worker = tsWorker(new URL('./checkpoint-worker.ts', import.meta.url), { url });
  worker.unref();
  let commits = 0;
  let rowsSinceRestart = 0;
  let checkpointed = 0;
  const waiting: { commit: number; resolve: () => void }[] = [];
  let closed!: () => void;
  const stopped = new Promise<void>((resolve) => (closed = resolve));
  const settle = () => {
    for (let i = waiting.length - 1; i >= 0; i--) {
      if (waiting[i].commit <= checkpointed) waiting.splice(i, 1)[0].resolve();
    }
  };
  worker.on('message', (reply: CheckpointReply) => {
    if (reply === 'closed') return closed();
    checkpointed = reply.checkpointed;
    settle();
  });
  // A checkpoint is an optimisation: if the thread fails, nobody waits for it.
  const gone = () => {
    checkpointed = Infinity;
    settle();
    closed();
  };
  worker.on('exit', gone);
  worker.on('error', gone);
  return {
    committed(rows = 0) {
      const commit = ++commits;
      rowsSinceRestart += rows;
      const restart = restartRows ? rowsSinceRestart >= restartRows : commit % RESTART_EVERY === 0;
      if (restart) rowsSinceRestart = 0;
      worker.postMessage({ commit, restart } satisfies CheckpointRequest);
      if (!restart || checkpointed >= commit) return Promise.resolve();
      return new Promise<void>((resolve) => waiting.push({ commit, resolve }));
    },
    async close() {
      worker.postMessage('close' satisfies CheckpointRequest);
      await stopped;
      await worker.terminate();
    },
  };
}
