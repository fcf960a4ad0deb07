/**
 * Bulk importer for benchmarks: puts N enrolled bench cards (cardholder, the card's own card account
 * with an active SMS-OTP member on it, and the card) into an appliance's embedded database, stored exactly as the appliance stores a card: the
 * PAN only as `protectPan` makes it (keyed HMAC-SHA-256 hash + AES-GCM ciphertext, under the
 * database's own keys), never in the clear. Bench-only: the admin's real import (with its checks
 * and audit trail) is another issue.
 *
 * Fast by construction, in two phases:
 * 1. worker threads run the WebCrypto calls on every core while the main thread writes each
 *    chunk's cardholders, card accounts and members (one transaction of multi-row INSERTs per chunk);
 * 2. the cards are written in the order of their keyed hash, again one transaction per chunk. The
 *    hash is random, so cards written in the order they were generated land all over the unique
 *    `pan_hash` index and every chunk rewrites most of its pages; in hash order each chunk appends
 *    to one end of it, which halves the cost of writing a card.
 * No transaction holds the write lock for more than about a second, so it can run beside a live
 * appliance; `npm run bench` stops the server for its large import all the same (README, Benchmarks).
 *
 * @example
 *   npx tsx bench/import-cards.ts --db data/mamori.db --count 100000          # keys from data/secrets.json
 *   PAN_LOOKUP_KEY=… PAN_ENCRYPTION_KEY=… … npx tsx bench/import-cards.ts --db /tmp/x.db --count 1000000 --start 0
 */
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { createClient, type Client, type InStatement, type InValue } from '@libsql/client';
import { getTableName, type Column, type Table } from 'drizzle-orm';
import { SECRET_NAMES, type Secrets } from '../src/config.ts';
import { cardAccounts, cardholders, cards, members } from '../src/db/schema.ts';
import { benchBrand, benchLoginId, benchPan, benchPhone, MAX_BENCH_CARDS } from './cards.ts';
import type { ChunkRequest, ChunkResult } from './import-worker.ts';

export interface ImportOptions {
  /** Path of the embedded database file (the appliance has created and migrated it). */
  databaseFile: string;
  secrets: Secrets;
  /** Index of the first bench card (see bench/cards.ts); cards start…start+count-1 are added. */
  start?: number;
  count: number;
  /** Cards per write transaction (and per worker task). */
  chunk?: number;
  /** Worker threads running WebCrypto; default: one per core. */
  workers?: number;
  /** Called after each committed chunk: phase 1 counts cardholders (with their accounts and members), phase 2 cards. */
  onProgress?: (done: number, total: number, elapsedMs: number, phase: ImportPhase) => void;
  /** created_at / updated_at of the rows; default now. */
  now?: number;
}

export type ImportPhase = 'cardholders' | 'cards';

export interface ImportResult {
  cards: number;
  ms: number;
  cardsPerSecond: number;
}

const CARD_EXPIRY = '3012';
/**
 * Phase 2's transactions are larger: in hash order the cards' other indexes (cardholder_id,
 * account_id) are the ones written at random, and every transaction rewrites most of their pages,
 * so fewer is cheaper.
 */
const CARDS_PER_TRANSACTION = 50_000;

export async function importCards(options: ImportOptions): Promise<ImportResult> {
  const start = options.start ?? 0;
  const { count } = options;
  if (start < 0 || count < 0 || start + count > MAX_BENCH_CARDS) throw new Error(`bench cards are numbered 0…${MAX_BENCH_CARDS - 1}`);
  const chunk = options.chunk ?? 10_000;
  const workerCount = Math.max(1, options.workers ?? availableParallelism());
  const now = options.now ?? Date.now();
  const began = performance.now();
  const progress = (done: number, phase: ImportPhase) => options.onProgress?.(done, count, performance.now() - began, phase);

  // Every pooled connection waits (in SQLite's busy handler: this tool has nothing else to do
  // meanwhile) instead of SQLITE_BUSY while the appliance writes.
  const client = createClient({ url: `file:${options.databaseFile}`, timeout: 10_000 });
  // A large page cache for the index inserts (this process only, not the server).
  await client.execute('PRAGMA cache_size = -65536');
  // Give the disk back when a checkpoint resets the WAL (a live appliance's reads can hold it up).
  await client.execute(`PRAGMA journal_size_limit = ${64 * 2 ** 20}`);

  // What phase 2 needs of each card, by position i - start.
  const panHash = new Array<string>(count);
  const panCipher = new Array<string>(count);
  const holderId = new Float64Array(count);
  const accountId = new Float64Array(count);

  const workers = Array.from({ length: workerCount }, () => tsWorker(new URL('./import-worker.ts', import.meta.url), { secrets: options.secrets }));
  try {
    // Phase 1: PANs protected on the workers; cardholders, accounts and members written as chunks come back.
    const chunks: ChunkRequest[] = [];
    for (let s = 0, id = 0; s < count; s += chunk, id++) chunks.push({ id, start: start + s, count: Math.min(chunk, count - s) });
    let done = 0;
    let next = 0;
    let writing = Promise.resolve();
    await new Promise<void>((resolveAll, rejectAll) => {
      let pending = chunks.length;
      if (pending === 0) return resolveAll();
      // Each worker keeps two chunks queued so it never waits for the writer.
      const feed = (w: Worker) => {
        if (next < chunks.length) w.postMessage(chunks[next++]);
      };
      for (const w of workers) {
        w.on('error', rejectAll);
        w.on('message', (result: ChunkResult) => {
          feed(w);
          for (let j = 0; j < result.panHash.length; j++) {
            panHash[result.start - start + j] = result.panHash[j];
            panCipher[result.start - start + j] = result.panCipher[j];
          }
          writing = writing
            .then(() => writeHolders(client, result.start, result.panHash.length, start, { holderId, accountId }, now))
            .then(() => {
              progress((done += result.panHash.length), 'cardholders');
              if (--pending === 0) resolveAll();
            })
            .catch(rejectAll);
        });
        feed(w);
        feed(w);
      }
    });

    // Phase 2: the cards, in the order of their keyed hash.
    const order = Array.from({ length: count }, (_, k) => k).sort((a, b) => (panHash[a] < panHash[b] ? -1 : panHash[a] > panHash[b] ? 1 : 0));
    for (let from = 0; from < count; from += CARDS_PER_TRANSACTION) {
      await writeCards(client, order.slice(from, from + CARDS_PER_TRANSACTION), { start, panHash, panCipher, holderId, accountId, now });
      progress(Math.min(count, from + CARDS_PER_TRANSACTION), 'cards');
    }
    await client.execute('PRAGMA wal_checkpoint(PASSIVE)');
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
    client.close();
  }
  const ms = performance.now() - began;
  return { cards: count, ms, cardsPerSecond: count / (ms / 1000) };
}

/**
 * Cards start…start+n-1 (of an import beginning at `first`): their cardholders, and for each card its
 * own card account with the member registered on it (one registration per card), one transaction.
 */
async function writeHolders(client: Client, from: number, n: number, first: number, ids: { holderId: Float64Array; accountId: Float64Array }, now: number): Promise<void> {
  const tx = await client.transaction('write');
  try {
    const holderBase = await maxId(tx, cardholders);
    const accountBase = await maxId(tx, cardAccounts);
    const memberBase = await maxId(tx, members);
    const holderRows: InValue[][] = [];
    const accountRows: InValue[][] = [];
    const memberRows: InValue[][] = [];
    for (let j = 0; j < n; j++) {
      const i = from + j;
      const phone = benchPhone(i);
      const holder = holderBase + j + 1;
      const account = accountBase + j + 1;
      ids.holderId[i - first] = holder;
      ids.accountId[i - first] = account;
      holderRows.push([holder, `BENCH-${String(i).padStart(8, '0')}`, `ベンチ 会員${i}`, phone, 0, now]);
      accountRows.push([account, holder, now]);
      memberRows.push([memberBase + j + 1, account, benchLoginId(i), 'sms_otp', phone, 'verified', 'active', now, now, now]);
    }
    await tx.batch([
      insertMany(cardholders, [cardholders.id, cardholders.customerRef, cardholders.name, cardholders.phoneOnFile, cardholders.phoneProvisional, cardholders.createdAt], holderRows),
      insertMany(cardAccounts, [cardAccounts.id, cardAccounts.cardholderId, cardAccounts.createdAt], accountRows),
      insertMany(
        members,
        [members.id, members.cardAccountId, members.loginId, members.authMethod, members.phone, members.phoneStatus, members.status, members.termsAcceptedAt, members.createdAt, members.updatedAt],
        memberRows,
      ),
    ]);
    await tx.commit();
  } finally {
    tx.close();
  }
}

/** Some cards (by position), one transaction. */
async function writeCards(
  client: Client,
  positions: number[],
  c: { start: number; panHash: string[]; panCipher: string[]; holderId: Float64Array; accountId: Float64Array; now: number },
): Promise<void> {
  const tx = await client.transaction('write');
  try {
    const cardBase = await maxId(tx, cards);
    const rows = positions.map((k, j): InValue[] => {
      const i = c.start + k;
      const pan = benchPan(i);
      return [cardBase + j + 1, c.panHash[k], c.panCipher[k], pan.slice(0, 6), pan.slice(-4), CARD_EXPIRY, benchBrand(i), 'active', c.holderId[k], c.accountId[k], c.now, c.now];
    });
    await tx.execute(
      insertMany(
        cards,
        [cards.id, cards.panHash, cards.panCipher, cards.panFirst6, cards.panLast4, cards.expiry, cards.brand, cards.status, cards.cardholderId, cards.accountId, cards.createdAt, cards.updatedAt],
        rows,
      ),
    );
    await tx.commit();
  } finally {
    tx.close();
  }
}

/** Ids continue from the table's current maximum, read inside the writing transaction. */
async function maxId(tx: Pick<Client, 'execute'>, table: Table): Promise<number> {
  return Number((await tx.execute(`SELECT coalesce(max(id), 0) AS m FROM ${getTableName(table)}`)).rows[0].m);
}

/** A worker thread running a TypeScript module (Node 20 does not pass tsx's loader on to workers, so it is registered first). */
function tsWorker(module: URL, workerData: unknown): Worker {
  const boot = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(module.href)}); })`;
  return new Worker(boot, { eval: true, workerData });
}

/**
 * `INSERT INTO t (c1, c2, …) SELECT value->>0, value->>1, … FROM json_each(?)`, the rows as one JSON
 * array and the column names from the Drizzle schema. One bound value per statement: binding tens of
 * thousands of values one by one through the driver costs more than SQLite parsing the JSON.
 */
function insertMany(table: Table, columns: Column[], rows: InValue[][]): InStatement {
  return {
    sql: `INSERT INTO ${getTableName(table)} (${columns.map((c) => c.name).join(', ')}) SELECT ${columns.map((_, i) => `value->>${i}`).join(', ')} FROM json_each(?)`,
    args: [JSON.stringify(rows)],
  };
}

/** The database's keys: from the environment, else from the secrets.json the appliance generated beside the file. */
export function secretsFor(databaseFile: string, env: Record<string, string | undefined> = process.env): Secrets {
  const file = join(dirname(databaseFile), 'secrets.json');
  const stored: Partial<Secrets> = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  const secrets = {} as Secrets;
  for (const name of SECRET_NAMES) {
    const value = env[name] || stored[name];
    if (!value) throw new Error(`${name}: not in the environment and not in ${file}`);
    secrets[name] = value;
  }
  return secrets;
}

/** A one-line progress display: rewritten in place on a terminal, every 10% otherwise. */
export function progressLine(label: string, stream: NodeJS.WriteStream = process.stderr) {
  let lastDecile = -1;
  return {
    update(done: number, total: number, elapsedMs: number, phase: ImportPhase) {
      // Phase 1 (keys, cardholders, members) is most of the work; phase 2 (cards) the rest.
      const overall = phase === 'cardholders' ? 0.75 * (done / total) : 0.75 + 0.25 * (done / total);
      const eta = overall > 0 ? (elapsedMs / 1000) * (1 / overall - 1) : 0;
      const line = `${label}: ${phase === 'cardholders' ? 'keys + cardholders' : 'cards'} ${done.toLocaleString('en-US')} / ${total.toLocaleString('en-US')} (${(100 * overall).toFixed(0)}%), ${(elapsedMs / 1000).toFixed(1)} s, ETA ${eta.toFixed(0)} s`;
      if (stream.isTTY) stream.write(`\r${line}\x1b[K`);
      else {
        const decile = Math.floor(10 * overall);
        if (decile !== lastDecile) {
          lastDecile = decile;
          stream.write(line + '\n');
        }
      }
    },
    end() {
      if (stream.isTTY) stream.write('\n');
    },
  };
}

// ─── CLI ────────────────────────────────────────────────────────────────────────

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = new Map<string, string>();
  for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i].replace(/^--/, ''), process.argv[i + 1] ?? '');
  const db = (args.get('db') ?? 'data/mamori.db').replace(/^file:/, '');
  if (!existsSync(db)) {
    console.error(`${db} does not exist: start the appliance on it once (it creates and migrates the database)`);
    process.exit(1);
  }
  const count = Number(args.get('count') ?? 10_000);
  const progress = progressLine('import');
  const result = await importCards({
    databaseFile: db,
    secrets: secretsFor(db),
    start: Number(args.get('start') ?? 0),
    count,
    chunk: args.has('chunk') ? Number(args.get('chunk')) : undefined,
    workers: args.has('workers') ? Number(args.get('workers')) : undefined,
    onProgress: progress.update,
  });
  progress.end();
  console.log(`imported ${result.cards.toLocaleString('en-US')} cards in ${(result.ms / 1000).toFixed(1)} s (${Math.round(result.cardsPerSecond).toLocaleString('en-US')} cards/s)`);
}
