/**
 * A deadline on every database call, at the edge: the libSQL client the app's Drizzle database is
 * built on. A libSQL server that stops answering (a paused process, a dead link that keeps its
 * connection open) would otherwise hold each request's `await` for as long as the connection lives;
 * with the deadline the call fails with `DatabaseDeadlineError` and the caller answers with what
 * it can (the AReq with Erro 403, a challenge step with its "cannot continue right now" page, a
 * sweep stops until its next run).
 *
 * The call itself cannot be taken back: libSQL has no cancellation, and a statement already on its
 * way may still be carried out when the server comes back. So a caller must treat a deadline like
 * any failure of an atomic write: it may or may not have happened. Each write the ACS depends on
 * is therefore one statement or one batch (see src/acs/transaction-writer.ts).
 *
 * Works the same on every runtime and driver (embedded file, sqld or Turso over HTTP, Workers'
 * @libsql/client/web): it only races the driver's promise against a timer. An embedded file's
 * calls run to the end synchronously, so for them the deadline never fires.
 *
 * @example
 *   const db = createDatabase(withDeadline(createClient({ url }), 2000));
 *   try { await db.select().from(cards) } catch (error) { if (isDatabaseDeadline(error)) … }
 */
import type { Client, InArgs, InStatement, Replicated, ResultSet, Transaction, TransactionMode } from '@libsql/client';

/** The database did not answer within the deadline; whether the statement took effect is unknown. */
export class DatabaseDeadlineError extends Error {
  override name = 'DatabaseDeadlineError';
  constructor(readonly ms: number) {
    super(`the database did not answer within ${ms} ms`);
  }
}

/** True for a DatabaseDeadlineError, also when Drizzle wrapped it (its DrizzleQueryError keeps it as `cause`). */
export function isDatabaseDeadline(error: unknown): error is Error {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof DatabaseDeadlineError || e.name === 'DatabaseDeadlineError') return true;
  }
  return false;
}

/**
 * The client with each call bounded by `ms`. Not bounded: migrations (at start-up, and they may
 * take long on a big table) and an embedded replica's sync (a background copy, on no request's path).
 */
export function withDeadline(client: Client, ms: number): Client {
  return new DeadlineClient(client, ms);
}

/** Settles like `promise`, or rejects with DatabaseDeadlineError after `ms`. */
export function beforeDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DatabaseDeadlineError(ms)), ms);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

class DeadlineClient implements Client {
  constructor(
    private readonly inner: Client,
    private readonly ms: number,
  ) {}

  execute(stmt: InStatement): Promise<ResultSet>;
  execute(sql: string, args?: InArgs): Promise<ResultSet>;
  execute(stmt: InStatement | string, args?: InArgs): Promise<ResultSet> {
    return beforeDeadline(typeof stmt === 'string' ? this.inner.execute(stmt, args) : this.inner.execute(stmt), this.ms);
  }

  batch(stmts: Array<InStatement | [string, InArgs?]>, mode?: TransactionMode): Promise<ResultSet[]> {
    return beforeDeadline(this.inner.batch(stmts, mode), this.ms);
  }

  migrate(stmts: InStatement[]): Promise<ResultSet[]> {
    return this.inner.migrate(stmts);
  }

  async transaction(mode?: TransactionMode): Promise<Transaction> {
    return new DeadlineTransaction(await beforeDeadline(this.inner.transaction(mode), this.ms), this.ms);
  }

  executeMultiple(sql: string): Promise<void> {
    return beforeDeadline(this.inner.executeMultiple(sql), this.ms);
  }

  sync(): Promise<Replicated> {
    return this.inner.sync();
  }

  close(): void {
    this.inner.close();
  }

  reconnect(): void {
    this.inner.reconnect();
  }

  get closed(): boolean {
    return this.inner.closed;
  }

  get protocol(): string {
    return this.inner.protocol;
  }
}

class DeadlineTransaction implements Transaction {
  constructor(
    private readonly inner: Transaction,
    private readonly ms: number,
  ) {}

  execute(stmt: InStatement): Promise<ResultSet> {
    return beforeDeadline(this.inner.execute(stmt), this.ms);
  }

  batch(stmts: InStatement[]): Promise<ResultSet[]> {
    return beforeDeadline(this.inner.batch(stmts), this.ms);
  }

  executeMultiple(sql: string): Promise<void> {
    return beforeDeadline(this.inner.executeMultiple(sql), this.ms);
  }

  rollback(): Promise<void> {
    // A rollback that does not come back must still let go of the server's transaction (and its lock).
    return beforeDeadline(this.inner.rollback(), this.ms).catch((error) => {
      this.inner.close();
      throw error;
    });
  }

  commit(): Promise<void> {
    return beforeDeadline(this.inner.commit(), this.ms);
  }

  close(): void {
    this.inner.close();
  }

  get closed(): boolean {
    return this.inner.closed;
  }
}
