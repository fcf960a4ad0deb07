import type { Client, Config as LibsqlConfig, InArgs, InStatement, ResultSet, Transaction, TransactionMode } from '@libsql/client';
import type { LibSQLDatabase } from 'drizzle-orm/libsql';
import { drizzle } from 'drizzle-orm/libsql/web';
import { withDeadline } from './deadline.ts';
import { groupCommit } from './group-commit.ts';
import * as schema from './schema.ts';

export type Database = LibSQLDatabase<typeof schema>;

/**
 * Wraps a libSQL client (embedded file, sqld or Turso) in Drizzle.
 * The entry point creates the client for its runtime: `@libsql/client` on Node and Deno,
 * `@libsql/client/web` on Workers. With `deadlineMs` (the app's database, DB_TIMEOUT_MS) every
 * call fails with DatabaseDeadlineError when the database does not answer in time (deadline.ts);
 * command-line tools leave it out and wait as long as their work takes.
 */
export function createDatabase(client: Client, options: { deadlineMs?: number } = {}): Database {
  const serial = client.protocol === 'file' ? serializeWrites(client) : client;
  const edge = options.deadlineMs ? withDeadline(serial, options.deadlineMs) : serial;
  // The /web flavour only wraps the client it is given, so the Worker bundle never pulls in the native one.
  return drizzle(edge, { schema });
}

/** How long a connection to an embedded file waits for another's write lock before SQLITE_BUSY. */
export const EMBEDDED_BUSY_TIMEOUT_MS = 5000;

/**
 * The options to create a libSQL client with (`createClient(libsqlConfig(url, token))`), for every
 * runtime. For an embedded file it sets `timeout`, the busy timeout libSQL gives EVERY connection
 * of its pool. That is the fix for SQLITE_BUSY under concurrent writers (a CLI import beside the
 * server, two requests in one process): the embedded client keeps a pool of connections and opens
 * a new one whenever one is held (a `transaction()`, a concurrent call), and `PRAGMA busy_timeout`
 * is per connection, so a pragma run once after `createClient` reached only the first of them and
 * every later connection failed at once with SQLITE_BUSY instead of waiting its turn.
 */
export function libsqlConfig(url: string, authToken?: string | null): LibsqlConfig {
  const config: LibsqlConfig = { url, authToken: authToken || undefined };
  if (url.startsWith('file:')) config.timeout = EMBEDDED_BUSY_TIMEOUT_MS;
  return config;
}

/**
 * Pragmas for an embedded file: WAL (kept in the file) so readers never block the writer and each
 * statement reads the newest commit. The busy timeout that matters is the client's `timeout`
 * (libsqlConfig), which every pooled connection gets; the pragma here only covers a client made
 * without it for its first connection. Foreign keys are on by default in libSQL, on every connection.
 */
export async function tuneEmbeddedDatabase(client: Client): Promise<void> {
  await client.execute('PRAGMA journal_mode = WAL');
  await client.execute(`PRAGMA busy_timeout = ${EMBEDDED_BUSY_TIMEOUT_MS}`);
  await client.execute('PRAGMA foreign_keys = ON');
}

/**
 * One writer at a time per embedded client, queued in JavaScript. The embedded driver is
 * synchronous: a write that finds the file locked waits in SQLite's busy handler and blocks the
 * event loop, so when the lock holder is a transaction of this same process (awaiting between its
 * statements) it can never finish, and both stall until the busy timeout ends in SQLITE_BUSY. So
 * write transactions, write batches and writing statements of one client take turns here, and only
 * other processes' writers (a CLI import, another server) are waited for by the busy timeout.
 * Reads never queue: in WAL they need no lock and see every commit at once.
 *
 * Single INSERT/UPDATE/DELETE statements that arrive in the same event-loop turn (the challenge
 * page's, the portal's, the counters' of many requests at once) commit together in one write batch
 * (group-commit.ts): a durable commit syncs the WAL, some 250-300 µs on this machine's disk against
 * about 40 µs for a statement inside a transaction, and the embedded driver blocks the event loop for
 * it. Each caller's promise still settles only once its statement is committed, with its own result.
 * Should the batch fail (a constraint, say), nothing of it was committed and each statement runs
 * again alone, so every caller gets exactly the answer it would have got by itself.
 */
export function serializeWrites(client: Client): Client {
  let tail: Promise<void> = Promise.resolve();
  /** Resolves when every earlier writer is done; call the returned function when this one is. */
  const turn = async (): Promise<() => void> => {
    let release!: () => void;
    const previous = tail;
    tail = new Promise<void>((resolve) => (release = resolve));
    await previous;
    return release;
  };
  const exclusive = async <T>(run: () => Promise<T>): Promise<T> => {
    const release = await turn();
    try {
      return await run();
    } finally {
      release();
    }
  };
  const together = groupCommit((stmts: Statement[]) => exclusive(() => executeTogether(client, stmts)));
  return aroundWrites(client, {
    write: exclusive,
    statement: (stmt) => (COALESCED.test(stmt.sql) ? together(stmt).then(settledValue) : exclusive(() => client.execute(stmt))),
    // A write transaction keeps its turn until it commits, rolls back or closes.
    async transaction(open) {
      const release = await turn();
      let tx: Transaction;
      try {
        tx = await open();
      } catch (error) {
        release();
        throw error;
      }
      let released = false;
      const done = () => {
        if (!released) {
          released = true;
          release();
        }
      };
      const t: Transaction = Object.create(tx);
      t.commit = () => tx.commit().finally(done);
      t.rollback = () => tx.rollback().finally(done);
      t.close = () => {
        try {
          tx.close();
        } finally {
          done();
        }
      };
      // Object.create keeps the prototype's methods; those that read private fields need the real object as `this`.
      t.execute = (stmt: InStatement) => tx.execute(stmt);
      t.batch = (stmts) => tx.batch(stmts);
      t.executeMultiple = (sql) => tx.executeMultiple(sql);
      Object.defineProperty(t, 'closed', { get: () => tx.closed });
      return t;
    },
  });
}

/** A statement with its text at hand (libSQL's InStatement may also be a bare string). */
type Statement = Exclude<InStatement, string>;

/** Statements that may share a commit with others: plain data changes, never a pragma, BEGIN or DDL. */
const COALESCED = /^\s*(INSERT|UPDATE|DELETE|REPLACE)\b/i;

type Settled = { ok: true; value: ResultSet } | { ok: false; error: unknown };

const settledValue = (s: Settled): ResultSet => {
  if (s.ok) return s.value;
  throw s.error;
};

/** Runs `stmts` in one write batch; if that fails (all of it rolled back), each alone. Never throws. */
async function executeTogether(client: Client, stmts: Statement[]): Promise<Settled[]> {
  if (stmts.length > 1) {
    try {
      return (await client.batch(stmts, 'write')).map((value) => ({ ok: true, value }));
    } catch {
      // one of them failed: their own runs below give each caller its own answer
    }
  }
  const settled: Settled[] = [];
  for (const stmt of stmts) {
    try {
      settled.push({ ok: true, value: await client.execute(stmt) });
    } catch (error) {
      settled.push({ ok: false, error });
    }
  }
  return settled;
}

/** What a wrapper does around the writes of a client (aroundWrites). */
export interface WriteHooks {
  /** Runs one write batch, executeMultiple or migrate (and writing statements without `statement`). */
  write<T>(run: () => Promise<T>): Promise<T>;
  /** Runs one writing statement. */
  statement?(stmt: Statement): Promise<ResultSet>;
  /** Opens a write transaction (the hook decides when, and may wrap what it returns). */
  transaction(open: () => Promise<Transaction>): Promise<Transaction>;
  /** Runs before the client closes. */
  close?(): void;
}

/**
 * `client` with its writes passed through `hooks` and its reads left alone: the one wrapper shape
 * behind serializeWrites (this process's writers take turns) and gateWrites (write-gate.ts: wait for
 * other processes' lock on a timer).
 */
export function aroundWrites(client: Client, hooks: WriteHooks): Client {
  const wrapped: Client = Object.create(client);
  wrapped.execute = ((sqlOrStmt: InStatement | string, args?: InArgs) => {
    const stmt: Statement = typeof sqlOrStmt === 'string' ? { sql: sqlOrStmt, args: args ?? [] } : sqlOrStmt;
    if (isRead(stmt.sql)) return client.execute(stmt);
    return hooks.statement ? hooks.statement(stmt) : hooks.write(() => client.execute(stmt));
  }) as Client['execute'];
  wrapped.batch = (stmts, mode) => (mode === 'read' ? client.batch(stmts, mode) : hooks.write(() => client.batch(stmts, mode)));
  wrapped.executeMultiple = (sql) => hooks.write(() => client.executeMultiple(sql));
  wrapped.migrate = (stmts) => hooks.write(() => client.migrate(stmts));
  wrapped.transaction = (mode?: TransactionMode) =>
    mode === 'read' ? client.transaction(mode) : hooks.transaction(() => client.transaction(mode));
  wrapped.close = () => {
    hooks.close?.();
    client.close();
  };
  wrapped.reconnect = () => client.reconnect();
  wrapped.sync = () => client.sync();
  Object.defineProperty(wrapped, 'closed', { get: () => client.closed });
  Object.defineProperty(wrapped, 'protocol', { get: () => client.protocol });
  return wrapped;
}

/** A statement that only reads (takes no write lock). */
export function isRead(sql: string): boolean {
  return /^\s*(select|explain)\b/i.test(sql) || /^\s*pragma\s+[\w.]+\s*(\(\s*\w*\s*\))?\s*;?\s*$/i.test(sql);
}
