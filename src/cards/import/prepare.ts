/**
 * The CPU part of a batch, with no I/O: its chunks' records read (csv-parse) and checked
 * (validate.ts), then the valid rows' PANs hashed and, for a real run, encrypted. job.ts runs it on
 * its own thread; a Node CLI may run it on a worker thread (prepare-worker.ts) while the batch
 * before is written, so the two overlap.
 */
import type { PreparedRow } from './apply.ts';
import { chunkRecords, type FileChunk } from './file.ts';
import type { ColumnName } from './format.ts';
import { rejection, validateRow, type EarlierRows, type Rejection, type RowContext, type ValidRow } from './validate.ts';

/** How a batch makes a PAN's stored forms (job.ts PanProtector). */
export interface PanHasher {
  hash(pans: string[]): Promise<string[]>;
  encrypt(pans: string[]): Promise<string[]>;
}

/** The header's columns, with each column's position. */
export interface FileColumns {
  columns: (ColumnName | null)[];
  index: Map<ColumnName, number>;
}

export function fileColumns(columns: (ColumnName | null)[]): FileColumns {
  const index = new Map<ColumnName, number>();
  columns.forEach((c, i) => c && index.set(c, i));
  return { columns, index };
}

export function checkRecord(line: number, fields: string[], file: FileColumns, ctx: RowContext, earlier: { get(pan: string): { line: number; valid: boolean } | undefined }) {
  if (fields.length !== file.columns.length) return { ok: false as const, rejection: rejection(line, null, 'column_count', { found: fields.length, expected: file.columns.length }) };
  const get = (c: ColumnName) => {
    const i = file.index.get(c);
    return i === undefined ? '' : fields[i];
  };
  return validateRow(line, get, ctx, earlier as EarlierRows);
}

export interface CheckedBatch {
  records: number;
  rejections: Rejection[];
  valid: ValidRow[];
  /** PAN → line * 2 + (1 when valid): this batch's first row of each well-formed PAN not seen before it. */
  batchSeen: Map<string, number>;
}

export function decodeSeen(v: number | undefined): { line: number; valid: boolean } | undefined {
  return v === undefined ? undefined : { line: Math.floor(v / 2), valid: v % 2 === 1 };
}

const PAN_SHAPE = /^\d{12,19}$/;

/** Checks every record of the chunks against the rows before them (`earlier`: PAN → line * 2 + valid). */
export function checkChunks(chunks: FileChunk[], file: FileColumns, ctx: RowContext, earlier: { get(pan: string): number | undefined }): CheckedBatch {
  const rejections: Rejection[] = [];
  const valid: ValidRow[] = [];
  const batchSeen = new Map<string, number>();
  const seen = { get: (pan: string) => decodeSeen(batchSeen.get(pan) ?? earlier.get(pan)) };
  const panAt = file.index.get('pan')!;
  let records = 0;
  for (const chunk of chunks) {
    for (const { line, fields } of chunkRecords(chunk)) {
      records++;
      const outcome = checkRecord(line, fields, file, ctx, seen);
      const pan = (fields[panAt] ?? '').replace(/[\s-]/g, '');
      if (PAN_SHAPE.test(pan) && !seen.get(pan)) batchSeen.set(pan, line * 2 + (outcome.ok ? 1 : 0));
      if (outcome.ok) valid.push(outcome.row);
      else rejections.push(outcome.rejection);
    }
  }
  return { records, rejections, valid, batchSeen };
}

/** The valid rows with their PAN's keyed hash and the replaced card's. */
export async function hashRows(protector: PanHasher, rows: ValidRow[]): Promise<PreparedRow[]> {
  const pans = rows.map((r) => r.pan);
  const replaced = rows.filter((r) => r.replacesPan).map((r) => r.replacesPan!);
  const hashes = await protector.hash([...pans, ...replaced]);
  const replacedHash = new Map(replaced.map((p, i) => [p, hashes[pans.length + i]]));
  return rows.map((r, i) => ({ ...r, panHash: hashes[i], replacesHash: r.replacesPan ? replacedHash.get(r.replacesPan)! : null }));
}

/** What a batch preparer hands back: the checked batch, its rows hashed, and ciphertexts by PAN. */
export interface PreparedBatchRows {
  records: number;
  rejections: Rejection[];
  rows: PreparedRow[];
  /** PAN → `v1.…` ciphertext; every valid row's in a real run, none in a dry run. */
  ciphers: Map<string, string>;
  batchSeen: Map<string, number>;
}

/**
 * A batch checked on its own (no earlier rows: the caller checks its PANs against the file's
 * earlier rows, and checks the batch again itself when one is there), hashed and encrypted.
 */
export async function prepareChunks(protector: PanHasher, input: { chunks: FileChunk[]; columns: (ColumnName | null)[]; ctx: RowContext; dryRun: boolean }): Promise<PreparedBatchRows> {
  const checked = checkChunks(input.chunks, fileColumns(input.columns), input.ctx, new Map());
  const rows = await hashRows(protector, checked.valid);
  const ciphers = new Map<string, string>();
  if (!input.dryRun && rows.length > 0) {
    const made = await protector.encrypt(rows.map((r) => r.pan));
    rows.forEach((r, i) => ciphers.set(r.pan, made[i]));
  }
  return { records: checked.records, rejections: checked.rejections, rows, ciphers, batchSeen: checked.batchSeen };
}
