/**
 * An embedded file's statements and batches on one connection; its interactive transactions, one
 * at a time, on a second (Node and Deno).
 *
 * Why: in WAL mode a connection drops its whole page cache whenever another connection has
 * committed since its last read. @libsql/client borrows a pooled connection per call, and calls
 * begun in the same turn of the event loop each get a different one (up to `concurrency`, 20 by
 * default), so the group commit wrote on one connection and the next AReqs' reads ran on others,
 * each from a cold cache, and every connection kept a page cache and a schema of its own.
 *
 * Every call of the embedded driver runs synchronously once it has its connection, so a single
 * connection serves all of them in turn (a call waits at most for the one before it). Only a
 * transaction keeps its connection across awaits, so transactions come from a second client,
 * opened at the first one, and take turns on its one connection (a process's write transactions
 * take turns anyway, client.ts serializeWrites). Both get the same config (busy timeout,
 * encryption key), and a `PRAGMA name = value` run through this client reaches both connections
 * (an import's cache size and sync mode are for its transactions). In WAL each statement of either
 * sees every commit of the other at once.
 */
import { createClient, type Client, type Config, type InArgs, type InStatement, type Transaction, type TransactionMode } from '@libsql/client';

export function oneConnectionClient(config: Config): Client {
  const calls = createClient({ ...config, concurrency: 1 });
  // An in-memory database exists only on its one connection: a second client would be another database.
  if (isInMemory(config.url)) return calls;

  /** The connection settings run so far, for the transactions' connection when it opens. */
  const settings: string[] = [];
  let transactions: Client | undefined;
  let lastTurn: Promise<void> = Promise.resolve();

  const openTransaction = async (mode?: TransactionMode): Promise<Transaction> => {
    if (calls.closed) return calls.transaction(mode); // rejects as a closed client does
    const previous = lastTurn;
    let endTurn!: () => void;
    lastTurn = new Promise((resolve) => (endTurn = resolve));
    await previous;
    try {
      if (!transactions) {
        transactions = createClient({ ...config, concurrency: 1 });
        for (const setting of settings) await transactions.execute(setting);
      }
      return endsTurn(await transactions.transaction(mode), endTurn);
    } catch (error) {
      endTurn();
      throw error;
    }
  };

  const client: Client = Object.create(calls);
  client.execute = (async (stmt: InStatement | string, args?: InArgs) => {
    const sql = typeof stmt === 'string' ? stmt : stmt.sql;
    const result = await calls.execute(stmt as string, args);
    if (SETTING.test(sql)) {
      settings.push(sql);
      await transactions?.execute(sql);
    }
    return result;
  }) as Client['execute'];
  client.batch = (stmts, mode) => calls.batch(stmts, mode);
  client.migrate = (stmts) => calls.migrate(stmts);
  client.executeMultiple = (sql) => calls.executeMultiple(sql);
  client.transaction = openTransaction as Client['transaction'];
  client.sync = () => calls.sync();
  client.close = () => {
    calls.close();
    transactions?.close();
  };
  client.reconnect = () => {
    calls.reconnect();
    transactions?.reconnect();
  };
  Object.defineProperty(client, 'closed', { get: () => calls.closed });
  Object.defineProperty(client, 'protocol', { get: () => calls.protocol });
  return client;
}

/** A per-connection setting (`PRAGMA cache_size = -65536`), not a pragma that reads. */
const SETTING = /^\s*pragma\s+[\w.]+\s*=/i;

/** `tx`, calling `endTurn` once it has given its connection back (commit, rollback and close always do). */
function endsTurn(tx: Transaction, endTurn: () => void): Transaction {
  return {
    execute: (stmt: InStatement) => tx.execute(stmt),
    batch: (stmts: InStatement[]) => tx.batch(stmts),
    executeMultiple: (sql: string) => tx.executeMultiple(sql),
    commit: () => tx.commit().finally(endTurn),
    rollback: () => tx.rollback().finally(endTurn),
    close: () => {
      try {
        tx.close();
      } finally {
        endTurn();
      }
    },
    get closed() {
      return tx.closed;
    },
  } as Transaction;
}

function isInMemory(url: string): boolean {
  return url === ':memory:' || url.startsWith('file::memory:') || /[?&]mode=memory\b/.test(url);
}
