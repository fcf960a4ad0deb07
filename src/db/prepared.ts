/**
 * Drizzle queries built once per database instead of on every call. Building a query (its SQL
 * text from the schema objects) cost about a sixth of the challenge path's CPU, more than SQLite
 * spent running it; a prepared query keeps the text and the row mapping and takes its values as
 * placeholders (`sql.placeholder('name')`). Kept per Database object, since a prepared query
 * belongs to the database (and its client) it was made on: two databases in one process (tests,
 * the shell tools) never share one.
 *
 * @example
 *   const byId = preparedPerDatabase((db) => db.select().from(flows).where(eq(flows.id, sql.placeholder('id'))).prepare());
 *   const flow = await byId(db).get({ id });
 */
import type { Database } from './client.ts';

export function preparedPerDatabase<Q>(build: (db: Database) => Q): (db: Database) => Q {
  const built = new WeakMap<Database, Q>();
  return (db) => {
    let query = built.get(db);
    if (query === undefined) built.set(db, (query = build(db)));
    return query;
  };
}
