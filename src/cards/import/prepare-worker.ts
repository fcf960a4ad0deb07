/**
 * A worker thread that prepares import batches (prepare.ts: read, check, hash, encrypt) for a Node
 * process, so its main thread writes batch N while this one prepares batch N+1. The embedded
 * database driver is synchronous: a write blocks its thread, so only another thread can overlap it.
 * Start it with `workerBatchPreparer(secrets)` (prepare-pool.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Secrets } from '../../config.ts';
import { nodePanProtector } from './node-protector.ts';
import { prepareChunks, type PreparedBatchRows } from './prepare.ts';

export interface PrepareRequest {
  id: number;
  input: Parameters<typeof prepareChunks>[1];
}

export type PrepareReply = { id: number; ok: true; batch: PreparedBatchRows } | { id: number; ok: false; error: string };

const protector = nodePanProtector(workerData.secrets as Pick<Secrets, 'PAN_LOOKUP_KEY' | 'PAN_ENCRYPTION_KEY'>);

parentPort!.on('message', async (request: PrepareRequest) => {
  let reply: PrepareReply;
  try {
    reply = { id: request.id, ok: true, batch: await prepareChunks(protector, request.input) };
  } catch (error) {
    reply = { id: request.id, ok: false, error: String((error as Error)?.message ?? error) };
  }
  parentPort!.postMessage(reply);
});
