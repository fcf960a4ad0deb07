/**
 * An embedded file's statements and batches on one connection; its interactive transactions on
 * connections of their own (Node and Deno).
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
 * opened at the first one. Both clients get the same config (busy timeout, encryption key), and in
 * WAL each statement of either sees every commit of the other at once.
 */
import { createClient, type Client, type Config, type InArgs, type InStatement } from '@libsql/client';

export function oneConnectionClient(config: Config): Client {
  const calls = createClient({ ...config, concurrency: 1 });
  // An in-memory database exists only on its one connection: a second client would be another database.
  if (isInMemory(config.url)) return calls;
  let transactions: Client | undefined;
  const client: Client = Object.create(calls);
  client.execute = ((stmt: InStatement | string, args?: InArgs) => calls.execute(stmt as string, args)) as Client['execute'];
  client.batch = (stmts, mode) => calls.batch(stmts, mode);
  client.migrate = (stmts) => calls.migrate(stmts);
  client.executeMultiple = (sql) => calls.executeMultiple(sql);
  client.transaction = ((mode) => (calls.closed ? calls : (transactions ??= createClient(config))).transaction(mode)) as Client['transaction'];
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

function isInMemory(url: string): boolean {
  return url === ':memory:' || url.startsWith('file::memory:') || /[?&]mode=memory\b/.test(url);
}
