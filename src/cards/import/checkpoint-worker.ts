/**
 * A thread that checkpoints the WAL of an embedded database while a bulk import writes it
 * (checkpointer.ts starts it). Each message says the importer committed (with a number); the
 * checkpoints run one at a time, a message that arrives during one asks for one more after it, and
 * after each the thread answers with the highest number it covered. A message with `restart`
 * (the importer waits for it) also starts the WAL over: PASSIVE first, which copies nearly all of it
 * without blocking anyone, then TRUNCATE (the WAL started over and its file cut to nothing), which
 * holds the server's writers off only for the few frames written since and until no reader is still
 * in the WAL (at most RESTART_WAIT_MS).
 */
import { createClient } from '@libsql/client';
import { parentPort, workerData } from 'node:worker_threads';
import { libsqlConfig } from '../../db/client.ts';

export type CheckpointRequest = { commit: number; restart?: boolean } | 'close';

/** How long a TRUNCATE checkpoint waits for a writer or reader to finish before it gives up (the next one will do). */
const RESTART_WAIT_MS = 200;
export type CheckpointReply = { checkpointed: number } | 'closed';

const client = createClient(libsqlConfig(workerData.url as string));
// This client makes one call at a time, so its one connection is the one that waits.
const ready = client.execute(`PRAGMA busy_timeout = ${RESTART_WAIT_MS}`);
let asked = 0;
let restart = false;
let covered = 0;
let running = false;
let closing = false;

async function drain(): Promise<void> {
  if (running) return;
  running = true;
  try {
    await ready;
    while (covered < asked) {
      const upTo = asked;
      const thenRestart = restart;
      restart = false;
      // PASSIVE: copies what no reader still needs and never waits for, or blocks, a writer.
      await client.execute('PRAGMA wal_checkpoint(PASSIVE)').catch(() => undefined);
      if (thenRestart) await client.execute('PRAGMA wal_checkpoint(TRUNCATE)').catch(() => undefined);
      covered = upTo;
      parentPort!.postMessage({ checkpointed: covered } satisfies CheckpointReply);
    }
  } finally {
    running = false;
  }
  if (closing) {
    client.close();
    parentPort!.postMessage('closed' satisfies CheckpointReply);
  }
}

parentPort!.on('message', (request: CheckpointRequest) => {
  if (request === 'close') {
    closing = true;
    asked++; // one last checkpoint
  } else {
    asked = Math.max(asked, request.commit);
    if (request.restart) restart = true;
  }
  void drain();
});
