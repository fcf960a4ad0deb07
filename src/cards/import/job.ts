/**
 * A CSV import as a job: created from the file's bytes (decoded, cut into chunks kept in
 * card_import_chunks, rows counted, state `queued`), then run in batches, each its own write
 * transaction, so AReqs keep being answered between them and any process can take the next batch:
 * the console (htmx polling one batch per request, on Workers too), `npm run cards -- import`, or a
 * background loop (`runImport`). Progress lives in the card_imports row; rejected rows in
 * card_import_errors; the audit row ('cards.import') is written when the job ends. The shell tool
 * keeps its file in memory instead (`holdFile`): only it runs that job.
 *
 * @example
 *   const { importId } = await createImport(deps, { issuerId, actorName: 'staff:3', staffId: 3, fileName, bytes, dryRun: false });
 *   await runImport(deps, importId, { onProgress: (p) => console.log(p.percent) });
 *   const report = await errorReportCsv(deps.db, importId);
 */
import { and, asc, eq, gt, gte, lt, sql } from 'drizzle-orm';
import { stringify } from 'csv-stringify/sync';
import { appendAudit } from '../../admin/audit-log.ts';
import type { Clock } from '../../clock.ts';
import type { Database } from '../../db/client.ts';
import { cardImportChunks, cardImportErrors, cardImports, type ImportState } from '../../db/schema.ts';
import { bytesToHex } from '../../encoding.ts';
import { firstIssuer, issuerById } from '../../issuers/issuer-store.ts';
import type { Keys } from '../../keys.ts';
import { hashPassword, verifyPassword } from '../../members/password.ts';
import { loadBinRanges, type BinRange } from '../bin-ranges.ts';
import { encryptPan, panLookupHash } from '../pan.ts';
import { applyRows, cardsByHash, type OnFileCard, type PreparedRow } from './apply.ts';
import { DecodeError, decodeCardFile, type EncodingChoice, type FileEncoding } from './decode.ts';
import { chunkRecords, cutFile, FileFormatError, readHeader, CHUNK_LINES, type FileChunk } from './file.ts';
import type { ColumnName } from './format.ts';
import { lockPacer, type LockPacer, type PaceOptions } from './pace.ts';
import { checkChunks, checkRecord, decodeSeen, hashRows, type PreparedBatchRows } from './prepare.ts';
import type { Rejection, RowContext, ValidRow } from './validate.ts';

/**
 * How a batch makes a PAN's stored forms. The default is WebCrypto (every runtime); a Node CLI may
 * pass node:crypto's (cards-cli.ts nodePanProtector), which gives the same bytes many times faster.
 */
export interface PanProtector {
  /** The keyed look-up hashes (HMAC-SHA-256, hex), in order. */
  hash(pans: string[]): Promise<string[]>;
  /** The `v1.<iv>.<ct>` AES-GCM ciphertexts, in order. */
  encrypt(pans: string[]): Promise<string[]>;
}

export interface ImportDeps {
  db: Database;
  clock: Clock;
  keys: Keys;
  panProtector?: PanProtector;
  /**
   * Where runImport prepares batches (read, check, hash, encrypt: prepare.ts) when not on its own
   * thread: a Node CLI passes a worker thread's (prepare-pool.ts), and runImport then prepares the
   * next batch there while it writes this one. Without it every batch is prepared here, then written.
   */
  batchPreparer?: BatchPreparer;
  /** Called (and awaited) after each batch's transaction commits (cards-cli.ts: the WAL checkpointer, checkpointer.ts). */
  afterCommit?: (rows: number) => Promise<void> | void;
  /** How long the write lock stays free after each write (pace.ts); default a quarter of the time it was held. */
  pace?: PaceOptions;
}

/** Prepares batches off the caller's thread, in the order asked (prepare.ts prepareChunks, on a worker). */
export interface BatchPreparer {
  prepare(input: { chunks: FileChunk[]; columns: (ColumnName | null)[]; ctx: RowContext; dryRun: boolean }): Promise<PreparedBatchRows>;
}

export interface NewImport {
  issuerId: number;
  /** As the audit log names actors: a staff username, "cli:osuser". */
  actorName: string;
  staffId?: number | null;
  fileName: string;
  bytes: Uint8Array;
  /** Default auto: UTF-8 (with or without BOM) when the bytes are valid UTF-8, else Shift_JIS (CP932). */
  encoding?: EncodingChoice;
  dryRun: boolean;
  /**
   * Keep the file in this process's memory instead of card_import_chunks (the shell tool: a 1M-row
   * file is some 100 MB written, checkpointed and deleted again). No other process can continue such
   * a job: if this one stops, the job is failed as `file_gone` once it has stood still ABANDONED_MS.
   */
  holdFile?: boolean;
}

/** Why a whole file was refused (bad header, not decodable), in both languages. */
export interface ImportFailure {
  code: string;
  messageJa: string;
  messageEn: string;
}

export interface ImportProgress {
  id: number;
  issuerId: number;
  state: ImportState;
  dryRun: boolean;
  fileName: string;
  fileDigest: string;
  encoding: FileEncoding;
  actorName: string;
  totalRows: number;
  processedRows: number;
  inserted: number;
  updated: number;
  unchanged: number;
  rejected: number;
  /** Since the first batch began; null before it, or when no time has passed. */
  rowsPerSecond: number | null;
  /** 0-100. */
  percent: number;
  /** Estimated from rowsPerSecond; 0 when done, null when unknown. */
  secondsLeft: number | null;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  error: ImportFailure | null;
}

export interface ImportErrorRow {
  id: number;
  line: number;
  field: string | null;
  code: string;
  messageJa: string;
  messageEn: string;
}

/**
 * Rows per batch for runImport: each batch is one write transaction, and while it holds the write
 * lock no AReq can record its transaction. 2,500 rows hold it for about 100 ms on a 2-core machine.
 */
export const DEFAULT_BATCH_ROWS = 2_500;

/** A job whose file a process holds and which has not moved for this long is failed (that process ended). */
export const ABANDONED_MS = 120_000;

// ─── Where a job's file is ──────────────────────────────────────────────────────

/** The chunks of a job's file with `from <= seq < before`, in order, at most `limit`. */
type ChunkReader = (from: number, before: number, limit: number) => Promise<FileChunk[]>;

/** Files held by this process (NewImport.holdFile), by import id: the header first, then the chunks. */
const heldFiles = new Map<number, FileChunk[]>();

function chunkReader(db: Database, imp: { id: number; filePlace: 'database' | 'process' }): ChunkReader | undefined {
  if (imp.filePlace === 'process') {
    const all = heldFiles.get(imp.id);
    if (!all) return undefined; // another process holds it
    return async (from, before, limit) => {
      let lo = 0;
      for (let hi = all.length; lo < hi; ) {
        const mid = (lo + hi) >> 1;
        if (all[mid].seq < from) lo = mid + 1;
        else hi = mid;
      }
      const out: FileChunk[] = [];
      for (let i = lo; i < all.length && all[i].seq < before && out.length < limit; i++) out.push(all[i]);
      return out;
    };
  }
  return (from, before, limit) =>
    db
      .select({ seq: cardImportChunks.seq, body: cardImportChunks.body })
      .from(cardImportChunks)
      .where(and(eq(cardImportChunks.importId, imp.id), gte(cardImportChunks.seq, from), lt(cardImportChunks.seq, before)))
      .orderBy(asc(cardImportChunks.seq))
      .limit(limit);
}

/**
 * For a job this process cannot run because another holds its file: fails it as `file_gone` when
 * it has not moved for ABANDONED_MS (the holder ended without finishing), else leaves it alone.
 * Returns the progress either way.
 */
async function heldElsewhere(deps: ImportDeps, imp: typeof cardImports.$inferSelect): Promise<ImportProgress> {
  // Only if it has not moved since it was read (the cursor guard): its holder may be alive after all.
  if (deps.clock.now() - (imp.movedAt ?? imp.createdAt) >= ABANDONED_MS) await endFailed(deps, imp.id, 'file_gone:', imp.cursor);
  return (await importProgress(deps.db, imp.id, deps.clock.now()))!;
}

/** Whether this process can move the job on (its file is in the database, or held here). */
function canRun(imp: { id: number; filePlace: 'database' | 'process' }): boolean {
  return imp.filePlace === 'database' || heldFiles.has(imp.id);
}

/** The job's end, as far as this process's memory goes. */
function forget(importId: number): void {
  fileStates.delete(importId);
  pacers.delete(importId);
  heldFiles.delete(importId);
}

// ─── Creating ───────────────────────────────────────────────────────────────────

/**
 * Decodes the file, checks its header, stores it in chunks and counts its rows. A file refused as a
 * whole (not decodable, unknown or missing columns) still gets its row, in state `failed` with the
 * reason, and its audit entry.
 */
export async function createImport(deps: ImportDeps, input: NewImport): Promise<{ importId: number }> {
  const { db, clock } = deps;
  const now = clock.now();
  const digest = bytesToHex(await crypto.subtle.digest('SHA-256', input.bytes as Uint8Array<ArrayBuffer>));
  const base = {
    issuerId: input.issuerId,
    actorName: input.actorName,
    staffId: input.staffId ?? null,
    fileName: input.fileName.slice(0, 200),
    fileDigest: digest,
    dryRun: input.dryRun,
    createdAt: now,
  };
  let text: string;
  let encoding: FileEncoding = input.encoding === 'shift_jis' ? 'shift_jis' : 'utf-8';
  let cut: ReturnType<typeof cutFile>;
  try {
    ({ text, encoding } = await decodeCardFile(input.bytes, input.encoding ?? 'auto'));
    cut = cutFile(text);
    readHeader(cut.header);
  } catch (error) {
    const failure = error instanceof FileFormatError ? `${error.code}:${error.detail}` : error instanceof DecodeError ? 'encoding:' : undefined;
    if (!failure) throw error;
    const [row] = await db.insert(cardImports).values({ ...base, encoding, state: 'failed', error: failure, finishedAt: now }).returning({ id: cardImports.id });
    await auditImport(deps, row.id);
    return { importId: row.id };
  }
  const all: FileChunk[] = [{ seq: 1, body: cut.header }, ...cut.chunks];
  if (input.holdFile) {
    const [row] = await db
      .insert(cardImports)
      .values({ ...base, encoding, state: 'queued', totalRows: cut.totalRows, cursor: 2, filePlace: 'process', movedAt: now })
      .returning({ id: cardImports.id });
    heldFiles.set(row.id, all);
    return { importId: row.id };
  }
  // The row first (marked failed until every chunk is in, so a half-stored file never runs), then the chunks in groups.
  const [row] = await db.insert(cardImports).values({ ...base, encoding, state: 'failed', error: 'incomplete_upload:', cursor: 2 }).returning({ id: cardImports.id });
  const GROUP = 2 * 2 ** 20; // characters per write transaction
  const pace = lockPacer(deps.pace);
  for (let i = 0; i < all.length; ) {
    const group: [number, number, string][] = [];
    let size = 0;
    while (i < all.length && (group.length === 0 || size + all[i].body.length <= GROUP)) {
      group.push([row.id, all[i].seq, all[i].body]);
      size += all[i].body.length;
      i++;
    }
    const json = JSON.stringify(group);
    await pace.write(() => db.run(sql`INSERT INTO card_import_chunks (import_id, seq, body) SELECT value->>0, value->>1, value->>2 FROM json_each(${json})`));
  }
  await db.update(cardImports).set({ state: 'queued', error: null, totalRows: cut.totalRows }).where(eq(cardImports.id, row.id));
  return { importId: row.id };
}

// ─── Running ────────────────────────────────────────────────────────────────────

/** What a process remembers of an import between its batches: the header and the file's earlier PANs. */
interface FileState {
  columns: (ColumnName | null)[];
  index: Map<ColumnName, number>;
  /** PAN → line * 2 + (1 when that row was valid): the rows before `cursor`. */
  earlier: Map<string, number>;
  cursor: number;
}
const fileStates = new Map<number, FileState>();
/** Each import's pacing of its batches in this process (pace.ts). */
const pacers = new Map<number, LockPacer>();
function pacerOf(importId: number, options?: PaceOptions): LockPacer {
  let pacer = pacers.get(importId);
  if (!pacer) pacers.set(importId, (pacer = lockPacer(options)));
  return pacer;
}

/**
 * Processes the next rows from the cursor (about `maxRows`, in whole chunks of CHUNK_LINES lines)
 * in one write transaction and returns the progress after it. The batch is claimed by a guarded
 * UPDATE on the cursor inside that transaction, so two callers at once never apply the same rows:
 * the one that loses changes nothing. Once no rows are left the job is done (audited once).
 */
export async function runImportBatch(deps: ImportDeps, importId: number, maxRows: number = DEFAULT_BATCH_ROWS): Promise<ImportProgress> {
  const { db, clock } = deps;
  const imp = await db.select().from(cardImports).where(eq(cardImports.id, importId)).get();
  if (!imp) throw new Error(`card import ${importId} does not exist`);
  if (imp.state === 'done' || imp.state === 'failed') return progressOf(imp, clock.now());
  const read = chunkReader(db, imp);
  if (!read) return heldElsewhere(deps, imp);

  const chunks = await readChunks(read, imp.cursor, maxRows);
  if (chunks.length === 0) return finishImport(deps, imp);

  const ctx = await rowContext(deps, imp.issuerId);
  const state = await fileState(read, imp, ctx);
  // Check every row (pure), then make the PAN hashes and PIN hashes outside the write lock.
  const checked = checkChunks(chunks, state, ctx, state.earlier);
  const protector = deps.panProtector ?? webCryptoPanProtector(deps.keys);
  const prepared = await prepareRows(deps, protector, checked.valid, imp.dryRun);
  return (await writeBatch(deps, imp, state, nextCursorOf(chunks), checked, prepared)).progress;
}

function readChunks(read: ChunkReader, cursor: number, maxRows: number): Promise<FileChunk[]> {
  return read(cursor, Number.MAX_SAFE_INTEGER, Math.max(1, Math.ceil(maxRows / CHUNK_LINES)));
}

function nextCursorOf(chunks: FileChunk[]): number {
  const last = chunks[chunks.length - 1];
  return last.seq + lineCount(last.body);
}

/**
 * The batch's write transaction: claimed on the cursor, its valid rows applied, its rejections and
 * counts recorded; then this process's memory of the file moves past it. `claimed` is false when
 * another caller took the batch first (nothing written).
 */
async function writeBatch(
  deps: ImportDeps,
  imp: typeof cardImports.$inferSelect,
  state: FileState,
  nextCursor: number,
  checked: { records: number; rejections: Rejection[]; batchSeen: Map<string, number> },
  prepared: { rows: PreparedRow[]; ciphers: Map<string, string> },
): Promise<{ claimed: boolean; progress: ImportProgress }> {
  const { db, clock } = deps;
  const importId = imp.id;
  const { records, rejections, batchSeen } = checked;
  const protector = deps.panProtector ?? webCryptoPanProtector(deps.keys);
  const issuer = await issuerById(db, imp.issuerId);
  const first = await firstIssuer(db);
  const now = clock.now();
  // Paced (pace.ts): the write lock stays free for a while after each batch, for the AReqs.
  const claimed = await pacerOf(importId, deps.pace).write(() => db.transaction(async (tx) => {
    const claim = await tx.run(sql`UPDATE card_imports SET state = 'running', started_at = coalesce(started_at, ${now}), cursor = ${nextCursor}
      WHERE id = ${importId} AND cursor = ${imp.cursor} AND state IN ('queued', 'running')`);
    if (claim.rowsAffected !== 1) return undefined; // another caller took this batch
    const applied = await applyRows(
      {
        tx,
        keys: deps.keys,
        clock,
        issuerId: imp.issuerId,
        firstIssuer: first?.id === imp.issuerId,
        reissuePolicy: issuer?.reissuePolicy ?? 'continue',
        dryRun: imp.dryRun,
        encrypt: (pans) => protector.encrypt(pans),
        ciphers: prepared.ciphers,
        earlierValid: (pan) => (decodeSeen(state.earlier.get(pan))?.valid ?? false) || (decodeSeen(batchSeen.get(pan))?.valid ?? false),
      },
      prepared.rows,
    );
    const all = [...rejections, ...applied.rejections].sort((a, b) => a.line - b.line);
    for (let i = 0; i < all.length; i += 2_000) {
      const values = all.slice(i, i + 2_000).map((r) => [importId, r.line, r.field, r.code, r.messageJa, r.messageEn]);
      await tx.run(sql`INSERT INTO card_import_errors (import_id, line, field, code, message_ja, message_en)
        SELECT value->>0, value->>1, value->>2, value->>3, value->>4, value->>5 FROM json_each(${JSON.stringify(values)})`);
    }
    await tx.run(sql`UPDATE card_imports SET processed_rows = processed_rows + ${records}, inserted = inserted + ${applied.inserted},
      updated = updated + ${applied.updated}, unchanged = unchanged + ${applied.unchanged}, rejected = rejected + ${all.length}, moved_at = ${now} WHERE id = ${importId}`);
    return applied.rejections;
  }));
  await deps.afterCommit?.(records);
  if (claimed) {
    const panOfLine = new Map(prepared.rows.map((p) => [p.line, p.pan]));
    for (const r of claimed) {
      const pan = panOfLine.get(r.line);
      if (pan) batchSeen.set(pan, r.line * 2);
    }
    for (const [pan, v] of batchSeen) state.earlier.set(pan, v);
    state.cursor = nextCursor;
  }
  return { claimed: claimed !== undefined, progress: (await importProgress(db, importId, clock.now()))! };
}

/**
 * Runs the import to its end, batch after batch, yielding to the event loop between them (AReqs
 * served by the same process go in between). A batch that throws fails the job (recorded and
 * audited) and the error is rethrown. With `deps.batchPreparer` the next batch is prepared there
 * while this one is written.
 */
export async function runImport(
  deps: ImportDeps,
  importId: number,
  options: { onProgress?: (p: ImportProgress) => void; batchRows?: number; holdTargetMs?: number; signal?: AbortSignal } = {},
): Promise<ImportProgress> {
  // A job whose file another process holds is that process's to run (or to be failed once it stops).
  const imp = await deps.db.select().from(cardImports).where(eq(cardImports.id, importId)).get();
  if (imp && !canRun(imp)) return heldElsewhere(deps, imp);
  const next = deps.batchPreparer ? pipelinedBatches(deps, deps.batchPreparer, importId, options.batchRows ?? DEFAULT_BATCH_ROWS, options.holdTargetMs) : undefined;
  for (;;) {
    let progress: ImportProgress;
    try {
      progress = next ? await next() : await runImportBatch(deps, importId, options.batchRows ?? DEFAULT_BATCH_ROWS);
    } catch (error) {
      await failImport(deps, importId, error);
      throw error;
    }
    options.onProgress?.(progress);
    if (progress.state === 'done' || progress.state === 'failed') return progress;
    // Stopped between batches (the shell's Ctrl-C): the job ends as failed, its batches so far kept.
    if (options.signal?.aborted) {
      await endFailed(deps, importId, 'interrupted:');
      return (await importProgress(deps.db, importId, deps.clock.now()))!;
    }
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
}

/**
 * runImportBatch with the batch after it already handed to the preparer: while this process writes
 * batch N (the embedded driver blocks its thread), the preparer's thread reads, checks, hashes and
 * encrypts batch N+1. The preparer checks a batch on its own; when one of its PANs is on an earlier
 * line of the file (a duplicate across batches) the batch is checked again here, against them, so
 * the outcome is exactly runImportBatch's. A cursor moved by another caller drops what was prepared.
 *
 * With `holdTargetMs` a batch is at most `maxRows` and otherwise as many rows as the last batch
 * wrote in that time: large batches on an idle machine (fewer commits and index page writes per
 * row), smaller ones when the machine is busy and the same rows take longer, so the server's
 * writers never wait much longer than the target for the lock.
 */
function pipelinedBatches(deps: ImportDeps, preparer: BatchPreparer, importId: number, maxRows: number, holdTargetMs?: number): () => Promise<ImportProgress> {
  const { db, clock } = deps;
  let batchRows = holdTargetMs ? Math.min(maxRows, DEFAULT_BATCH_ROWS) : maxRows;
  interface Ahead {
    cursor: number;
    chunks: FileChunk[];
    ctx: Ctx;
    prepared: Promise<PreparedBatchRows>;
  }
  let ahead: Ahead | undefined;
  const send = async (read: ChunkReader, imp: typeof cardImports.$inferSelect, cursor: number, columns: (ColumnName | null)[]): Promise<Ahead | undefined> => {
    const chunks = await readChunks(read, cursor, batchRows);
    if (chunks.length === 0) return undefined;
    const ctx = await rowContext(deps, imp.issuerId);
    const prepared = preparer.prepare({ chunks, columns, ctx, dryRun: imp.dryRun });
    prepared.catch(() => undefined); // awaited (and thrown) when its turn comes, or dropped
    return { cursor, chunks, ctx, prepared };
  };
  return async () => {
    const imp = await db.select().from(cardImports).where(eq(cardImports.id, importId)).get();
    if (!imp) throw new Error(`card import ${importId} does not exist`);
    if (imp.state === 'done' || imp.state === 'failed') return progressOf(imp, clock.now());
    const read = chunkReader(db, imp);
    if (!read) return heldElsewhere(deps, imp);
    const state = await fileState(read, imp, await rowContext(deps, imp.issuerId));
    if (!ahead || ahead.cursor !== imp.cursor) ahead = await send(read, imp, imp.cursor, state.columns);
    const current = ahead;
    if (!current) return finishImport(deps, imp);
    const nextCursor = nextCursorOf(current.chunks);
    ahead = await send(read, imp, nextCursor, state.columns);

    const batch = await current.prepared;
    let checked: { records: number; rejections: Rejection[]; batchSeen: Map<string, number> };
    let prepared: { rows: PreparedRow[]; ciphers: Map<string, string> };
    let repeat = false;
    for (const pan of batch.batchSeen.keys()) if (state.earlier.has(pan)) repeat = true;
    if (repeat) {
      const again = checkChunks(current.chunks, state, current.ctx, state.earlier);
      checked = again;
      prepared = await prepareRows(deps, deps.panProtector ?? webCryptoPanProtector(deps.keys), again.valid, imp.dryRun);
    } else {
      checked = batch;
      prepared = { rows: batch.rows, ciphers: batch.ciphers };
      await storePinHashes(batch.rows, await cardsByHash(db, batch.rows.filter((r) => r.pin).map((r) => r.panHash)));
    }
    const written = await writeBatch(deps, imp, state, nextCursor, checked, prepared);
    if (!written.claimed) ahead = undefined;
    const held = pacerOf(importId, deps.pace).lastHeldMs;
    if (holdTargetMs && held > 0 && checked.records > 0) {
      batchRows = Math.max(CHUNK_LINES, Math.min(maxRows, Math.round((checked.records * holdTargetMs) / held)));
    }
    return written.progress;
  };
}

/** Marks a running job failed (an unexpected error: a database failure, a bug) and audits it. */
export async function failImport(deps: ImportDeps, importId: number, error: unknown): Promise<void> {
  const message = String((error as Error)?.message ?? error).replace(/\d{12,19}/g, '…').slice(0, 500);
  await endFailed(deps, importId, `internal:${message}`);
}

/** An unfinished job ends as failed with `error` ("code:detail"), once: audited, its stored file dropped. */
async function endFailed(deps: ImportDeps, importId: number, error: string, cursor?: number): Promise<void> {
  const res = await deps.db.run(sql`UPDATE card_imports SET state = 'failed', error = ${error}, finished_at = ${deps.clock.now()}
    WHERE id = ${importId} AND state IN ('queued', 'running')${cursor === undefined ? sql`` : sql` AND cursor = ${cursor}`}`);
  if (res.rowsAffected !== 1) return;
  forget(importId);
  await auditImport(deps, importId);
  await dropChunks(deps, importId);
}

async function finishImport(deps: ImportDeps, imp: typeof cardImports.$inferSelect): Promise<ImportProgress> {
  const now = deps.clock.now();
  const done = await deps.db.transaction(async (tx) => {
    const res = await tx.run(sql`UPDATE card_imports SET state = 'done', started_at = coalesce(started_at, ${now}), finished_at = ${now}
      WHERE id = ${imp.id} AND cursor = ${imp.cursor} AND state IN ('queued', 'running')`);
    if (res.rowsAffected !== 1) return false;
    await auditImport({ ...deps, db: tx as unknown as Database }, imp.id);
    return true;
  });
  if (done) {
    forget(imp.id);
    if (imp.filePlace === 'database') await dropChunks(deps, imp.id);
  }
  return (await importProgress(deps.db, imp.id, now))!;
}

/** The file is not needed once the job has ended; deleted a group at a time (short write transactions). */
async function dropChunks({ db, pace: options }: ImportDeps, importId: number): Promise<void> {
  const pace = lockPacer(options);
  for (;;) {
    const res = await pace.write(() => db.run(sql`DELETE FROM card_import_chunks WHERE import_id = ${importId} AND seq IN (SELECT seq FROM card_import_chunks WHERE import_id = ${importId} ORDER BY seq LIMIT 100)`));
    if (res.rowsAffected === 0) return;
  }
}

async function auditImport(deps: { db: Database; clock: Clock }, importId: number): Promise<void> {
  const imp = (await deps.db.select().from(cardImports).where(eq(cardImports.id, importId)).get())!;
  await appendAudit(deps.db, {
    at: deps.clock.now(),
    actor: imp.staffId != null ? { type: 'staff', id: imp.staffId, name: imp.actorName } : { type: 'system', name: imp.actorName },
    issuerId: imp.issuerId,
    action: 'cards.import',
    target: `card_import:${imp.id}`,
    detail: {
      fileName: imp.fileName,
      fileDigest: imp.fileDigest,
      encoding: imp.encoding,
      dryRun: imp.dryRun,
      state: imp.state,
      totalRows: imp.totalRows,
      processedRows: imp.processedRows,
      inserted: imp.inserted,
      updated: imp.updated,
      unchanged: imp.unchanged,
      rejected: imp.rejected,
      ...(imp.error ? { error: imp.error.split(':')[0] } : {}),
    },
  });
}

interface Ctx {
  ranges: BinRange[];
  now: number;
}

async function rowContext(deps: ImportDeps, issuerId: number): Promise<Ctx> {
  const now = deps.clock.now();
  const first = await firstIssuer(deps.db);
  // Only this issuer's enabled ranges: a card of another issuer's range is refused.
  const ranges = (await loadBinRanges(deps.db, now)).filter((r) => r.issuerId === issuerId || (r.issuerId === null && first?.id === issuerId));
  return { ranges, now };
}

/**
 * The process's memory of the import: made on its first batch here, or rebuilt by checking the
 * rows before the cursor again when another process ran the earlier batches (a Worker isolate,
 * the console after a restart), so duplicates across batches are still found.
 */
async function fileState(read: ChunkReader, imp: typeof cardImports.$inferSelect, ctx: Ctx): Promise<FileState> {
  const kept = fileStates.get(imp.id);
  if (kept && kept.cursor === imp.cursor) return kept;
  const [header] = await read(1, 2, 1);
  const columns = readHeader(header?.body ?? '');
  const index = new Map<ColumnName, number>();
  columns.forEach((c, i) => c && index.set(c, i));
  const state: FileState = { columns, index, earlier: new Map(), cursor: imp.cursor };
  let after = 1;
  for (;;) {
    const chunks = await read(after + 1, imp.cursor, 20);
    if (chunks.length === 0) break;
    for (const chunk of chunks) {
      for (const { line, fields } of chunkRecords(chunk)) {
        const seen = { get: (pan: string) => decodeSeen(state.earlier.get(pan)) };
        const outcome = checkRecord(line, fields, state, ctx, seen);
        const pan = (fields[index.get('pan')!] ?? '').replace(/[\s-]/g, '');
        if (/^\d{12,19}$/.test(pan) && !state.earlier.has(pan)) state.earlier.set(pan, line * 2 + (outcome.ok ? 1 : 0));
      }
      after = chunk.seq;
    }
  }
  fileStates.set(imp.id, state);
  return state;
}

function lineCount(body: string): number {
  let n = 1;
  for (let i = body.indexOf('\n'); i !== -1; i = body.indexOf('\n', i + 1)) n++;
  return n;
}

/**
 * PAN hashes for every valid row; ciphertexts for those not on file yet (a real run); the PIN hash
 * to store: the given hash, the card's current one when a plain PIN still matches it (so the same
 * file twice changes nothing), else a fresh PBKDF2.
 */
async function prepareRows(deps: ImportDeps, protector: PanProtector, rows: ValidRow[], dryRun: boolean): Promise<{ rows: PreparedRow[]; ciphers: Map<string, string> }> {
  const prepared = await hashRows(protector, rows);
  // Which cards are on file already: needed for plain PINs (does the PIN still match?) and, with the
  // WebCrypto protector, to encrypt only new numbers. A fast protector (node:crypto) encrypts them all
  // instead, which is cheaper than the look-up; the transaction looks up again either way.
  const fast = deps.panProtector !== undefined;
  const lookUp = fast ? prepared.filter((r) => r.pin) : prepared;
  const onFile = await cardsByHash(deps.db, lookUp.map((r) => r.panHash));
  const ciphers = new Map<string, string>();
  if (!dryRun) {
    const fresh = prepared.filter((r) => !onFile.has(r.panHash)).map((r) => r.pan);
    const made = await protector.encrypt(fresh);
    fresh.forEach((pan, i) => ciphers.set(pan, made[i]));
  }
  await storePinHashes(prepared, onFile);
  return { rows: prepared, ciphers };
}

/** The PIN hash each row stores (`onFile`: at least the cards of the rows with a plain PIN). */
async function storePinHashes(rows: PreparedRow[], onFile: Map<string, OnFileCard>): Promise<void> {
  await Promise.all(
    rows.map(async (r) => {
      if (r.pinHash) r.storePinHash = r.pinHash;
      else if (r.pin) {
        const current = onFile.get(r.panHash)?.pinHash;
        r.storePinHash = current && (await verifyPassword(r.pin, current)) ? current : await hashPassword(r.pin);
      }
    }),
  );
}

/** WebCrypto (every runtime): HMAC and AES-GCM calls in flight together. */
export function webCryptoPanProtector(keys: Keys): PanProtector {
  return {
    hash: (pans) => Promise.all(pans.map((p) => panLookupHash(keys.panLookup, p))),
    encrypt: (pans) => Promise.all(pans.map((p) => encryptPan(keys.panEncryption, p))),
  };
}

// ─── Reading ────────────────────────────────────────────────────────────────────

/**
 * The job's state and counts, with rate, percent and time left computed at `now` (pass
 * `deps.clock.now()`; without it the rate is measured up to the job's end, so null while running).
 */
export async function importProgress(db: Database, importId: number, now?: number): Promise<ImportProgress | undefined> {
  const imp = await db.select().from(cardImports).where(eq(cardImports.id, importId)).get();
  return imp && progressOf(imp, now);
}

function progressOf(imp: typeof cardImports.$inferSelect, now?: number): ImportProgress {
  // A failed job's rate is up to its last batch, not up to when it was found stopped.
  const end = imp.state === 'failed' ? (imp.movedAt ?? imp.finishedAt) : (imp.finishedAt ?? now);
  const seconds = imp.startedAt != null && end != null ? (end - imp.startedAt) / 1000 : 0;
  const rowsPerSecond = seconds > 0 && imp.processedRows > 0 ? imp.processedRows / seconds : null;
  const done = imp.state === 'done';
  const percent = done ? 100 : imp.totalRows > 0 ? Math.min(100, Math.floor((100 * imp.processedRows) / imp.totalRows)) : 0;
  const secondsLeft = done ? 0 : rowsPerSecond ? Math.ceil((imp.totalRows - imp.processedRows) / rowsPerSecond) : null;
  return {
    id: imp.id,
    issuerId: imp.issuerId,
    state: imp.state,
    dryRun: imp.dryRun,
    fileName: imp.fileName,
    fileDigest: imp.fileDigest,
    encoding: imp.encoding,
    actorName: imp.actorName,
    totalRows: imp.totalRows,
    processedRows: imp.processedRows,
    inserted: imp.inserted,
    updated: imp.updated,
    unchanged: imp.unchanged,
    rejected: imp.rejected,
    rowsPerSecond,
    percent,
    secondsLeft,
    createdAt: imp.createdAt,
    startedAt: imp.startedAt,
    finishedAt: imp.finishedAt,
    error: imp.error ? failureOf(imp.error) : null,
  };
}

const FAILURES: Record<string, { ja: string; en: string }> = {
  empty_file: { ja: 'ファイルが空です（ヘッダー行がありません）。', en: 'The file is empty (no header row).' },
  unknown_column: { ja: 'ヘッダー行に不明な列があります: {d}', en: 'The header names an unknown column: {d}' },
  missing_column: { ja: '必須の列がありません: {d}', en: 'Required columns are missing: {d}' },
  duplicate_column: { ja: '同じ列が二度あります: {d}', en: 'A column appears twice: {d}' },
  csv_syntax: { ja: 'CSV の形式が正しくありません: {d}', en: 'The file is not valid CSV: {d}' },
  encoding: { ja: '文字コードを読み取れません（UTF-8 または Shift_JIS で保存してください）。', en: 'The file could not be decoded (save it as UTF-8 or Shift_JIS).' },
  file_gone: {
    ja: '取り込みを実行していたプロセス（npm run cards）が途中で終了しました。同じファイルをもう一度取り込んでください（取り込み済みの行はそのままです）。',
    en: 'The process that ran this import (npm run cards) ended before it finished; import the same file again (the rows already imported stay as they are).',
  },
  interrupted: {
    ja: '取り込みを実行していたプロセス（npm run cards）が停止されたため、途中で終了しました。同じファイルをもう一度取り込むと残りが取り込まれます（取り込み済みの行はそのままです）。',
    en: 'The process that ran this import (npm run cards) was stopped, so the import ended early; import the same file again for the rest (the rows already imported stay as they are).',
  },
  incomplete_upload: { ja: 'ファイルの保存が完了しませんでした。もう一度取り込んでください。', en: 'The file was not stored completely; import it again.' },
  internal: { ja: '取り込み中にエラーが発生しました: {d}', en: 'The import failed: {d}' },
};

/** card_imports.error ("code:detail") in both languages. */
export function failureOf(error: string): ImportFailure {
  const at = error.indexOf(':');
  const code = at === -1 ? error : error.slice(0, at);
  const detail = at === -1 ? '' : error.slice(at + 1);
  const m = FAILURES[code] ?? FAILURES.internal;
  return { code, messageJa: m.ja.replace('{d}', detail), messageEn: m.en.replace('{d}', detail) };
}

/** Rejected rows in line order, a page at a time: pass the last row's `id` as `after` for the next page. */
export async function importErrors(db: Database, importId: number, page: { after?: number; limit: number }): Promise<ImportErrorRow[]> {
  return db
    .select({ id: cardImportErrors.id, line: cardImportErrors.line, field: cardImportErrors.field, code: cardImportErrors.code, messageJa: cardImportErrors.messageJa, messageEn: cardImportErrors.messageEn })
    .from(cardImportErrors)
    .where(and(eq(cardImportErrors.importId, importId), gt(cardImportErrors.id, page.after ?? 0)))
    .orderBy(asc(cardImportErrors.id))
    .limit(page.limit);
}

/** The downloadable error report: UTF-8 with a BOM (spreadsheets in Japan read it right), one rejected row per line. */
export async function errorReportCsv(db: Database, importId: number): Promise<string> {
  const rows: string[][] = [];
  for (let after = 0; ; ) {
    const page = await importErrors(db, importId, { after, limit: 5_000 });
    if (page.length === 0) break;
    for (const e of page) rows.push([String(e.line), e.field ?? '', e.code, e.messageJa, e.messageEn]);
    after = page[page.length - 1].id;
  }
  return '\ufeff' + stringify([['line', 'field', 'code', 'message_ja', 'message_en'], ...rows], { record_delimiter: '\r\n' });
}
