/**
 * `npm run cards -- import FILE [--issuer CODE] [--dry-run] [--encoding auto|utf-8|shift_jis] [--batch N]`
 * `npm run cards -- export [--issuer CODE] [--out FILE]`
 *
 * Card data from the issuer's core system, from a terminal, against DATABASE_URL (default
 * file:data/mamori.db), migrated first; safe beside a running appliance (batches in their own
 * transactions; the appliance sees each batch at once). `import` shows progress on stderr and
 * prints the counts and every rejected row (line, field, code, Japanese and English); `export`
 * writes the masked card list as CSV. Both are audited as `cli:<os user>`.
 * Exit codes: 0 done (rows may have been rejected: see the report), 1 the file or the run failed,
 * 2 usage error, 130 stopped by Ctrl-C or SIGTERM (the import marked failed after the batch at hand).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { setPriority, userInfo } from 'node:os';
import { basename, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { appendAudit } from '../admin/audit-log.ts';
import { systemClock } from '../clock.ts';
import { openMigratedDatabase, withoutCredentials } from '../db/open.ts';
import { configOrExit } from '../entry/local.ts';
import { ensureFirstIssuer, issuerByCode } from '../issuers/issuer-store.ts';
import { importKeys } from '../keys.ts';
import { walCheckpointer } from './import/checkpointer.ts';
import { exportCardsCsv } from './import/export.ts';
import { createClient } from '@libsql/client';
import { libsqlConfig } from '../db/client.ts';
import { createImport, importErrors, runImport, type ImportProgress } from './import/job.ts';
import { nodePanProtector } from './import/node-protector.ts';
import { GATE_WAITER_FREE_MS, type PaceOptions } from './import/pace.ts';
import { workerBatchPreparer } from './import/prepare-pool.ts';

const USAGE = `usage: npm run cards -- import FILE [--issuer CODE] [--dry-run] [--encoding auto|utf-8|shift_jis] [--batch N]
       npm run cards -- export [--issuer CODE] [--out FILE]`;

/** node:crypto's PAN hashing and encryption (import/node-protector.ts), kept exported here. */
export { nodePanProtector };

/**
 * Rows per batch from the shell, at most. Larger than the console's (job.ts DEFAULT_BATCH_ROWS): a
 * batch costs a commit, its look-ups and, above all, a write of every index page it touched, and
 * the random PAN-hash index is touched at fewer pages per row the more rows share a batch. The
 * server's writers wait for the lock meanwhile, so a batch is also cut to what the last one wrote
 * in HOLD_TARGET_MS (job.ts pipelinedBatches): on a busy machine the same rows take longer.
 */
export const CLI_BATCH_ROWS = 10_000;
const HOLD_TARGET_MS = 100;

/** Rows between WAL restarts (checkpointer.ts): the WAL stays a few batches long. */
const ROWS_PER_WAL_RESTART = 30_000;

/**
 * An import beside a running appliance shares its cores with the AReqs, which answer on a
 * Directory Server's clock: the import takes what CPU they leave (nice 19), its worker threads
 * too (started later, they inherit it). Where the system refuses, it runs at normal priority.
 */
function lowerCpuPriority(): void {
  try {
    setPriority(19);
  } catch {
    // not permitted here (some containers): nothing to lower
  }
}

function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

function progressLine(p: ImportProgress) {
  const rate = p.rowsPerSecond ? `${Math.round(p.rowsPerSecond).toLocaleString('en-US')} rows/s` : '';
  const left = p.secondsLeft != null ? `, ${p.secondsLeft} s left` : '';
  const line = `${p.dryRun ? 'dry run' : 'import'}: ${p.processedRows.toLocaleString('en-US')} / ${p.totalRows.toLocaleString('en-US')} rows (${p.percent}%) ${rate}${left}`;
  if (process.stderr.isTTY) process.stderr.write(`\r${line}\x1b[K`);
  else if (p.state === 'done' || p.processedRows % 100_000 < 5_000) process.stderr.write(line + '\n');
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h') {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: rest,
      options: { issuer: { type: 'string' }, 'dry-run': { type: 'boolean' }, encoding: { type: 'string' }, batch: { type: 'string' }, out: { type: 'string' } },
      allowPositionals: true,
      strict: true,
    }) as { values: Record<string, string | boolean | undefined>; positionals: string[] });
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (command !== 'import' && command !== 'export') {
    console.error(`unknown command "${command}"\n${USAGE}`);
    return 2;
  }
  const encoding = (values.encoding as string | undefined) ?? 'auto';
  if (!['auto', 'utf-8', 'shift_jis'].includes(encoding)) {
    console.error(`--encoding must be auto, utf-8 or shift_jis\n${USAGE}`);
    return 2;
  }
  const batch = values.batch ? Number(values.batch) : CLI_BATCH_ROWS;
  // --batch N: exactly N rows per batch (no cut to the hold target).
  const holdTargetMs = values.batch ? undefined : HOLD_TARGET_MS;
  if (!(Number.isInteger(batch) && batch > 0)) {
    console.error('--batch must be a positive whole number');
    return 2;
  }
  if (command === 'import' && positionals.length !== 1) {
    console.error(`import takes one FILE\n${USAGE}`);
    return 2;
  }
  let bytes: Uint8Array | undefined;
  if (command === 'import') {
    lowerCpuPriority();
    try {
      bytes = readFileSync(positionals[0]);
    } catch (error) {
      console.error(`cannot read ${positionals[0]}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
      return 1;
    }
  }

  const { config } = configOrExit(process.env);
  const { db, client } = await openMigratedDatabase({ url: config.DATABASE_URL, authToken: config.DATABASE_AUTH_TOKEN });
  try {
    // The first issuer is created from the configuration when the appliance has not run yet.
    const issuer = values.issuer ? await issuerByCode(db, values.issuer as string) : await ensureFirstIssuer({ db, config, clock: systemClock });
    if (!issuer) {
      console.error(values.issuer ? `no issuer with code "${values.issuer}"` : 'no issuer yet: start the appliance once');
      return 1;
    }
    const keys = await importKeys(config.secrets);
    const deps = { db, clock: systemClock, keys, panProtector: nodePanProtector(config.secrets) };
    const actorName = `cli:${osUser()}`;

    if (command === 'export') {
      let out = '';
      for await (const piece of exportCardsCsv(deps, issuer.id)) out += piece;
      await appendAudit(db, { at: systemClock.now(), actor: { type: 'system', name: actorName }, issuerId: issuer.id, action: 'cards.export', target: `issuer:${issuer.code}`, detail: { via: 'cli' } });
      if (values.out) writeFileSync(values.out as string, out);
      else process.stdout.write(out);
      return 0;
    }

    // This process's connection only: a large page cache for the index inserts, and commits that
    // do not wait for fsync (WAL stays consistent; a crash loses at most the last batches, which
    // the job's cursor, committed with them, then does not count).
    await client.execute('PRAGMA cache_size = -65536');
    await client.execute('PRAGMA synchronous = NORMAL');
    // An embedded file's pages read through a memory map instead of copied out one read at a time.
    if (config.DATABASE_URL.startsWith('file:')) await client.execute('PRAGMA mmap_size = 1073741824');
    const { importId } = await createImport(deps, {
      issuerId: issuer.id,
      actorName,
      fileName: basename(positionals[0]),
      bytes: bytes!,
      encoding: encoding as 'auto',
      dryRun: values['dry-run'] === true,
      // The file stays in this process (no 100 MB written to card_import_chunks and deleted again);
      // so no other process can continue this job: Ctrl-C ends it as failed after the batch at hand.
      holdFile: true,
    });
    const stop = new AbortController();
    const interrupted = () => stop.abort();
    process.once('SIGINT', interrupted);
    process.once('SIGTERM', interrupted);
    // Batches are prepared (read, checked, hashed, encrypted) on a worker thread while the one
    // before is written here: the embedded driver's writes block this thread.
    const preparer = workerBatchPreparer(config.secrets);
    // Once the file is stored: WAL checkpoints on a thread of their own after each batch instead of
    // on this one (checkpointer.ts), and the WAL file cut back to 64 MB each time it starts over.
    const embedded = config.DATABASE_URL.startsWith('file:');
    const checkpointer = embedded ? walCheckpointer(config.DATABASE_URL, ROWS_PER_WAL_RESTART) : undefined;
    // The server's writers wait for each batch on the write gate (src/db/write-gate.ts, looking
    // every millisecond): after each batch the lock stays free until one of them has committed
    // (data_version, read on a connection of its own so this process's commits do not count), or
    // for a quarter of the batch's hold and at least a few of the gate's looks (pace.ts). With no
    // AReqs coming (a night import) the import so waits milliseconds between batches, not 110 ms.
    const watcher = embedded ? createClient(libsqlConfig(config.DATABASE_URL)) : undefined;
    let version: unknown;
    const pace: PaceOptions | undefined = watcher && {
      minFreeMs: GATE_WAITER_FREE_MS,
      othersWrote: async () => {
        const now = (await watcher.execute('PRAGMA data_version')).rows[0]?.[0];
        const moved = version !== undefined && now !== version;
        version = now;
        return moved;
      },
    };
    if (checkpointer) {
      await client.execute('PRAGMA wal_autocheckpoint = 0');
      await client.execute(`PRAGMA journal_size_limit = ${64 * 2 ** 20}`);
    }
    let p: ImportProgress;
    try {
      p = await runImport({ ...deps, batchPreparer: preparer, afterCommit: checkpointer?.committed, pace }, importId, { onProgress: progressLine, batchRows: batch, holdTargetMs, signal: stop.signal });
    } finally {
      await preparer.close();
      await checkpointer?.close();
      watcher?.close();
    }
    if (process.stderr.isTTY) process.stderr.write('\n');
    // Stopped before the end (a Ctrl-C during the last batch lets it finish: then it is done).
    if (stop.signal.aborted && p.state === 'failed') {
      console.error(`stopped after ${p.processedRows} of ${p.totalRows} rows (import ${importId} marked failed; import the file again to finish: rows already imported stay as they are)`);
      return 130;
    }
    if (p.state === 'failed') {
      console.error(`refused: ${p.error?.messageEn ?? 'failed'} / ${p.error?.messageJa ?? ''}`);
      return 1;
    }
    const seconds = p.startedAt != null && p.finishedAt != null ? ((p.finishedAt - p.startedAt) / 1000).toFixed(1) : '0';
    console.log(
      `${p.dryRun ? 'dry run' : 'imported'} ${issuer.code} (import ${importId}, ${p.encoding}): ${p.totalRows} rows, ${p.inserted} inserted, ${p.updated} updated, ${p.unchanged} unchanged, ${p.rejected} rejected in ${seconds} s`,
    );
    for (let after = 0; ; ) {
      const page = await importErrors(db, importId, { after, limit: 1000 });
      if (page.length === 0) break;
      for (const e of page) console.log(`line ${e.line}\t${e.field ?? '-'}\t${e.code}\t${e.messageJa}\t${e.messageEn}`);
      after = page[page.length - 1].id;
    }
    return 0;
  } catch (error) {
    console.error(withoutCredentials((error as Error).message).replace(/\d{12,19}/g, '…'));
    return 1;
  } finally {
    client.close();
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
