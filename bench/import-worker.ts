/**
 * A worker thread of the bulk importer: protects the PANs of one chunk of bench cards at a time
 * with the appliance's own `protectPan` (WebCrypto HMAC-SHA-256 + AES-GCM), so the main thread
 * only writes rows. Node's WebCrypto costs tens of microseconds of JavaScript per call, which is
 * why it runs here, on every core, instead of on the writer's thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { protectPan } from '../src/cards/card-store.ts';
import type { Secrets } from '../src/config.ts';
import { importKeys } from '../src/keys.ts';
import { benchPan } from './cards.ts';

export interface ChunkRequest {
  id: number;
  start: number;
  count: number;
}

export interface ChunkResult {
  id: number;
  start: number;
  panHash: string[];
  panCipher: string[];
}

/** How many WebCrypto calls one worker keeps in flight. */
const IN_FLIGHT = 256;

const keys = await importKeys(workerData.secrets as Secrets);

parentPort!.on('message', async (chunk: ChunkRequest) => {
  const panHash = new Array<string>(chunk.count);
  const panCipher = new Array<string>(chunk.count);
  for (let from = 0; from < chunk.count; from += IN_FLIGHT) {
    const to = Math.min(chunk.count, from + IN_FLIGHT);
    const batch: Promise<void>[] = [];
    for (let j = from; j < to; j++) {
      batch.push(
        protectPan(keys, benchPan(chunk.start + j)).then((p) => {
          panHash[j] = p.panHash;
          panCipher[j] = p.panCipher;
        }),
      );
    }
    await Promise.all(batch);
  }
  parentPort!.postMessage({ id: chunk.id, start: chunk.start, panHash, panCipher } satisfies ChunkResult);
});
