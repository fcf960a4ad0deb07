/**
 * Prepared statements kept per connection for the embedded libSQL driver (Node and Deno).
 *
 * The libSQL client prepares every statement again on every call, then asks the statement for its
 * columns twice and probes `raw()` (which throws, natively, for every INSERT/UPDATE/DELETE): about
 * a fifth of a frictionless AReq's CPU went there. Our SQL is a handful of constant strings (the
 * fixed hot reads in statements.ts, Drizzle's output per query shape), so each connection keeps
 * its prepared statements by text and answers those probes from what it learnt the first time.
 *
 * It works by wrapping `prepare` of the driver's Database class, because the client keeps its
 * connections private. Only data statements are kept; a schema change (CREATE/ALTER/DROP, which
 * could change a statement's columns) forgets a connection's statements. SQLite itself re-prepares
 * a kept statement whose schema changed, and a statement that failed (SQLITE_BUSY) runs again
 * cleanly, so behaviour is the same as preparing anew; only the work is saved.
 */
import { nativeDatabaseClass, type NativeDatabase, type NativeStatement } from './native-driver.ts';

const PATCHED = Symbol.for('mamori.statementCache');
/** Enough for every query shape the appliance has; past it a connection starts again. */
const MAX_PER_CONNECTION = 256;
const KEPT = /^\s*(SELECT|INSERT|UPDATE|DELETE|WITH|REPLACE)\b/i;
const SCHEMA_CHANGE = /^\s*(CREATE|ALTER|DROP)\b/i;

const caches = new WeakMap<NativeDatabase, Map<string, NativeStatement>>();

/** Installs the cache once per process; later calls do nothing. */
export function cacheStatements(): void {
  const proto = nativeDatabaseClass().prototype as NativeDatabase & { [PATCHED]?: true };
  if (proto[PATCHED]) return;
  const prepare = proto.prepare;
  proto.prepare = function (this: NativeDatabase, sql: string): NativeStatement {
    if (!KEPT.test(sql)) {
      if (SCHEMA_CHANGE.test(sql)) caches.delete(this);
      return prepare.call(this, sql);
    }
    let kept = caches.get(this);
    if (!kept) caches.set(this, (kept = new Map()));
    let statement = kept.get(sql);
    if (!statement) {
      if (kept.size >= MAX_PER_CONNECTION) kept.clear();
      statement = remembering(prepare.call(this, sql));
      kept.set(sql, statement);
    }
    return statement;
  };
  proto[PATCHED] = true;
}

/** The statement, answering the client's repeated probes from what it learnt once. */
function remembering(statement: NativeStatement): NativeStatement {
  let integers: boolean | undefined;
  let rawMode: boolean | undefined;
  let notReader: unknown;
  let columns: unknown[] | undefined;
  const kept: NativeStatement = Object.create(statement);
  kept.safeIntegers = (toggle = true) => {
    if (toggle !== integers) statement.safeIntegers((integers = toggle));
    return kept;
  };
  kept.raw = (raw = true) => {
    // raw() throws for a statement that returns no data, every time: throw what it threw first.
    if (notReader !== undefined) throw notReader;
    if (raw !== rawMode) {
      try {
        statement.raw(raw);
      } catch (error) {
        notReader = error;
        throw error;
      }
      rawMode = raw;
    }
    return kept;
  };
  kept.columns = () => (columns ??= statement.columns());
  return kept;
}
