/**
 * A decoded card file cut into chunks of whole records, as card_import_chunks keeps them: a chunk's
 * `seq` is the file line its first record starts on (the header is line 1, alone in its chunk), so
 * a batch resumes at a chunk and every record keeps its true line number for the error report.
 *
 * The fields are always read by csv-parse. Cutting needs only where records end: in a file with
 * no quote character every line break ends a record (nothing can be quoted), so lines are cut
 * directly; otherwise csv-parse finds the ends (a quoted field may hold a line break).
 */
import { parse } from 'csv-parse/sync';
import { columnOfHeader, COLUMNS, type ColumnName } from './format.ts';

/** Lines per chunk: a batch is whole chunks, so this is the smallest batch. */
export const CHUNK_LINES = 500;

export interface FileChunk {
  seq: number;
  body: string;
}

export interface CutFile {
  header: string;
  chunks: FileChunk[];
  /** Data records (blank lines not counted). */
  totalRows: number;
}

export class FileFormatError extends Error {
  override name = 'FileFormatError';
  constructor(
    readonly code: 'empty_file' | 'unknown_column' | 'missing_column' | 'duplicate_column' | 'encoding' | 'csv_syntax',
    readonly detail: string,
  ) {
    super(`${code}: ${detail}`);
  }
}

export function cutFile(text: string): CutFile {
  const lines = text.split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  if (lines.length === 0 || lines[0].trim() === '') throw new FileFormatError('empty_file', 'no header row');
  const header = lines[0];
  const ends = text.includes('"') ? recordEnds(lines) : undefined;
  const chunks: FileChunk[] = [];
  let totalRows = 0;
  let start = 1; // index into lines (line number - 1)
  while (start < lines.length) {
    let end = Math.min(lines.length, start + CHUNK_LINES);
    // Never cut inside a quoted record: move the cut to the end of the record it falls in.
    if (ends) while (end < lines.length && !ends.has(end)) end++;
    const body = lines.slice(start, end);
    for (const l of body) if (l !== '') totalRows++;
    chunks.push({ seq: start + 1, body: body.join('\n') });
    start = end;
  }
  if (ends) totalRows = ends.size - 1; // every record but the header
  return { header, chunks, totalRows };
}

/** Line counts after which a record ends (1 = after the header), found by csv-parse. */
function recordEnds(lines: string[]): Set<number> {
  const ends = new Set<number>();
  try {
    const records = parse(lines.join('\n'), { relax_column_count: true, skip_empty_lines: true, info: true }) as unknown as { info: { lines: number } }[];
    // info.lines is the line the record ends on (a final record without a line break included).
    for (const r of records) ends.add(r.info.lines);
  } catch (error) {
    throw new FileFormatError('csv_syntax', (error as Error).message.replace(/\d{12,19}/g, '…'));
  }
  return ends;
}

/** Header cells → the column each file column is (English or Japanese names), checked. */
export function readHeader(header: string): (ColumnName | null)[] {
  let cells: string[];
  try {
    [cells] = parse(header, { relax_column_count: true }) as string[][];
  } catch (error) {
    throw new FileFormatError('csv_syntax', (error as Error).message);
  }
  if (!cells) throw new FileFormatError('empty_file', 'no header row');
  const columns = cells.map((cell) => {
    if (cell.trim() === '') return null;
    const column = columnOfHeader(cell.replace(/^\ufeff/, ''));
    if (!column) throw new FileFormatError('unknown_column', cell.trim());
    return column;
  });
  const seen = new Set<ColumnName>();
  for (const c of columns) {
    if (!c) continue;
    if (seen.has(c)) throw new FileFormatError('duplicate_column', c);
    seen.add(c);
  }
  const missing = COLUMNS.filter((c) => c.required && !seen.has(c.name)).map((c) => c.name);
  if (missing.length > 0) throw new FileFormatError('missing_column', missing.join(', '));
  return columns;
}

/** A chunk's records with their line numbers (blank lines skipped). */
export function chunkRecords(chunk: FileChunk): { line: number; fields: string[] }[] {
  if (!chunk.body.includes('"')) {
    // Nothing quoted: record i is line seq + i (csv-parse still reads the fields).
    const records = parse(chunk.body, { relax_column_count: true, skip_empty_lines: false, skip_records_with_empty_values: false }) as string[][];
    const out: { line: number; fields: string[] }[] = [];
    for (let i = 0; i < records.length; i++) if (!(records[i].length === 1 && records[i][0] === '')) out.push({ line: chunk.seq + i, fields: records[i] });
    return out;
  }
  // info.lines is the line a record ends on; it starts as many lines earlier as its fields hold line breaks.
  const records = parse(chunk.body, { relax_column_count: true, skip_empty_lines: true, info: true }) as unknown as { record: string[]; info: { lines: number } }[];
  return records.map((r) => ({ line: chunk.seq + r.info.lines - 1 - r.record.reduce((n, f) => n + (f.match(/\n/g)?.length ?? 0), 0), fields: r.record }));
}
