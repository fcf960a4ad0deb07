/**
 * How an import runs after its upload, on each runtime. The job itself (job.ts) keeps its file,
 * its cursor and its counts in the database and applies one batch per transaction, so any process
 * or isolate can continue it; this module only decides who pushes it on, and when.
 *
 * - Node and Deno: a loop in the background of the process that took the upload (runImport). A
 *   progress poll, or the scheduler, that finds an import no process is moving (the process ended)
 *   starts the loop again where the cursor stands.
 * - Workers: no work may outlive its request there, and a request has limits (CPU, subrequests:
 *   every database call is one, memory). So small batches, a bounded number per request: the upload
 *   hands some to `waitUntil`, every progress poll runs a few before it answers, and the cron
 *   trigger (every minute) takes up whatever a closed browser left.
 * - The shell tool's imports hold their file in that process (job.ts holdFile): nobody else can run
 *   them, and the loops, polls and cron here only fail one as `file_gone` once it stands still.
 *
 * @example
 *   const { importId } = await createImport(deps, { … });
 *   startImport(deps, importId, executionContextOf(c));   // Workers: ctx; Node/Deno: undefined
 */
import type { Context } from 'hono';
import { inArray } from 'drizzle-orm';
import { cardImports, type ImportState } from '../../db/schema.ts';
import type { AppDeps } from '../../deps.ts';
import { failImport, runImport, runImportBatch } from './job.ts';

/** What a runtime gives to carry work past its answer (a Worker's ExecutionContext). */
export interface WaitUntil {
  waitUntil(promise: Promise<unknown>): void;
}

/** How far one request may push an import where a request's limits apply. */
export interface Budget {
  /** Rows per batch (one transaction). */
  rows: number;
  /** Batches at most (each batch is a handful of database calls, and each call a subrequest). */
  batches: number;
  /** Stop starting batches after this long (the clock of deps). */
  ms: number;
}

/**
 * Sized for a Worker: a batch of 500 rows is some 20 database calls over HTTP (each a subrequest)
 * and well under a second of CPU, so 20 batches keep an upload's `waitUntil` inside its 30 s and
 * its subrequests far below 1,000. A poll (every second from an open progress page) runs a few and
 * answers within ~2 s. The cron's budget is shared by every import it continues.
 */
export const WORKER_BUDGETS = {
  upload: { rows: 500, batches: 20, ms: 20_000 },
  poll: { rows: 500, batches: 4, ms: 2_000 },
  cron: { rows: 500, batches: 25, ms: 25_000 },
} satisfies Record<string, Budget>;

/** A running import whose counts did not move for this long is taken over (its process ended). */
export const STALE_MS = 15_000;

const UNFINISHED: ImportState[] = ['queued', 'running'];
const finished = (state: ImportState) => state === 'done' || state === 'failed';

/** The Worker's ExecutionContext behind a request, or undefined on Node and Deno (Hono throws there). */
export function executionContextOf(c: Context): WaitUntil | undefined {
  try {
    return c.executionCtx;
  } catch {
    return undefined;
  }
}

/** Starts a new import moving: in this process's background, or in the Worker's waitUntil. */
export function startImport(deps: AppDeps, importId: number, ctx?: WaitUntil): void {
  if (ctx) ctx.waitUntil(drive(deps, importId, WORKER_BUDGETS.upload));
  else inBackground(deps, importId);
}

/**
 * Called by each progress poll before it reads the counts. Workers: runs a few batches, so an open
 * progress page moves the import on by itself. Node and Deno: starts the loop again if no process
 * is moving the import (never seen moving here, or stuck for STALE_MS).
 */
export async function advanceImport(deps: AppDeps, row: { id: number; state: ImportState; processedRows: number }, ctx?: WaitUntil): Promise<void> {
  if (finished(row.state)) return;
  if (ctx) await drive(deps, row.id, WORKER_BUDGETS.poll);
  else if (isStale(deps, row)) inBackground(deps, row.id);
}

/**
 * Every unfinished import, pushed on. With a ctx (the Workers cron trigger): awaited, each within
 * the cron budget. Without (Node and Deno at start and on their sweeps): background loops for the
 * imports no process is moving. Safe from several places at once: batches claim their rows.
 */
export async function continueImports(deps: AppDeps, ctx?: WaitUntil): Promise<void> {
  const open = await deps.db
    .select({ id: cardImports.id, state: cardImports.state, processedRows: cardImports.processedRows })
    .from(cardImports)
    .where(inArray(cardImports.state, UNFINISHED));
  if (ctx) {
    const { rows, ms } = WORKER_BUDGETS.cron;
    const until = deps.clock.now() + ms;
    let batches = WORKER_BUDGETS.cron.batches;
    for (const row of open) {
      if (batches <= 0 || deps.clock.now() >= until) return;
      batches -= await drive(deps, row.id, { rows, batches, ms: until - deps.clock.now() });
    }
    return;
  }
  // What ended elsewhere needs no watching here any more.
  const ids = new Set(open.map((r) => r.id));
  for (const id of seen.keys()) if (!ids.has(id)) seen.delete(id);
  for (const row of open) if (isStale(deps, row)) inBackground(deps, row.id);
}

/** Batches one after another until the import ends or the budget is spent; how many it ran. */
export async function drive(deps: AppDeps, importId: number, budget: Budget): Promise<number> {
  const until = deps.clock.now() + budget.ms;
  let before = -1;
  let n = 0;
  while (n < budget.batches && deps.clock.now() < until) {
    n++;
    try {
      const progress = await runImportBatch(deps, importId, budget.rows);
      // Ended, or another request holds the next rows right now: leave it to that one.
      if (finished(progress.state) || progress.processedRows === before) break;
      before = progress.processedRows;
    } catch (error) {
      // As runImport does on Node and Deno: a batch that throws ends the job as failed (recorded,
      // audited), rather than every later poll running into it again.
      deps.log.error('import batch failed', { importId, error });
      await failImport(deps, importId, error).catch((e: unknown) => deps.log.error('could not mark the import failed', { importId, error: e }));
      break;
    }
  }
  return n;
}

// ─── Node and Deno: one loop per import in this process ─────────────────────────

const loops = new Map<number, Promise<void>>();
/** The counts an import had when this process last looked, and since when, to tell a stuck one. */
const seen = new Map<number, { processedRows: number; since: number }>();

function inBackground(deps: AppDeps, importId: number): void {
  if (loops.has(importId)) return;
  const loop = runImport(deps, importId)
    .then(() => undefined)
    .catch((error: unknown) => deps.log.error('import stopped', { importId, error }))
    .finally(() => {
      loops.delete(importId);
      seen.delete(importId);
    });
  loops.set(importId, loop);
}

/**
 * Whether no process moves this import: not ours, and its counts have stood still for STALE_MS as
 * this process saw them (another process that moves it changes them batch by batch).
 */
function isStale(deps: AppDeps, row: { id: number; processedRows: number }): boolean {
  if (loops.has(row.id)) return false;
  const now = deps.clock.now();
  const last = seen.get(row.id);
  if (!last || last.processedRows !== row.processedRows) {
    seen.set(row.id, { processedRows: row.processedRows, since: now });
    return false;
  }
  return now - last.since >= STALE_MS;
}

/** Resolves when this process's loop for the import (if any) has ended: for tests and shutdown. */
export function importLoop(importId: number): Promise<void> | undefined {
  return loops.get(importId);
}
