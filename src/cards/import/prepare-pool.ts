/**
 * The main thread's side of prepare-worker.ts: a BatchPreparer (job.ts) that sends each batch's
 * chunks to one worker thread and resolves with its prepared rows, in the order asked.
 */
import { existsSync } from 'node:fs';
import { Worker, type ResourceLimits } from 'node:worker_threads';
import type { Secrets } from '../../config.ts';
import type { BatchPreparer } from './job.ts';
import type { PrepareReply, PrepareRequest } from './prepare-worker.ts';

export function workerBatchPreparer(secrets: Pick<Secrets, 'PAN_LOOKUP_KEY' | 'PAN_ENCRYPTION_KEY'>): BatchPreparer & { close(): Promise<void> } {
  // A young generation large enough for a whole batch's short-lived strings and records: with
  // V8's default (16 MB) every batch is copied through several scavenges before it is dropped.
  const worker = tsWorker(new URL('./prepare-worker.ts', import.meta.url), { secrets: { PAN_LOOKUP_KEY: secrets.PAN_LOOKUP_KEY, PAN_ENCRYPTION_KEY: secrets.PAN_ENCRYPTION_KEY } }, { maxYoungGenerationSizeMb: 96 });
  worker.unref();
  const waiting = new Map<number, { resolve: (b: Extract<PrepareReply, { ok: true }>['batch']) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  let failed: Error | undefined;
  const failAll = (error: Error) => {
    failed = error;
    for (const w of waiting.values()) w.reject(error);
    waiting.clear();
  };
  worker.on('message', (reply: PrepareReply) => {
    const w = waiting.get(reply.id);
    if (!w) return;
    waiting.delete(reply.id);
    if (reply.ok) w.resolve(reply.batch);
    else w.reject(new Error(reply.error));
  });
  worker.on('error', (error) => failAll(error));
  worker.on('exit', (code) => failAll(new Error(`the import's prepare worker stopped (exit ${code})`)));
  return {
    prepare(input) {
      if (failed) return Promise.reject(failed);
      const id = nextId++;
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        worker.postMessage({ id, input } satisfies PrepareRequest);
      });
    },
    async close() {
      await worker.terminate();
    },
  };
}

/**
 * A worker thread running a module of this checkout: the built JavaScript beside the running code
 * when there is one (dist/prepare-worker.mjs next to dist/cards.mjs, `npm run build`), so production
 * needs no TypeScript loader; otherwise the TypeScript source through tsx (`npm run cards`, tests).
 */
export function tsWorker(module: URL, workerData: unknown, resourceLimits?: ResourceLimits): Worker {
  const entry = workerEntry(module);
  if (entry.built) return new Worker(entry.url, { workerData, resourceLimits });
  // Node 20 does not pass tsx's loader on to workers: register it in the worker first.
  const boot = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(module.href)}); })`;
  return new Worker(boot, { eval: true, workerData, resourceLimits });
}

/** `dir/name.ts` as the module to start: `dir/name.mjs` when that was built and the source is not there. */
export function workerEntry(module: URL): { url: URL; built: boolean } {
  const built = new URL(module.href.replace(/\.ts$/, '.mjs'));
  return !existsSync(module) && existsSync(built) ? { url: built, built: true } : { url: module, built: false };
}
