/**
 * `npm run audit -- verify`
 *
 * Walks the audit log's hash chain on DATABASE_URL (default file:data/mamori.db) and names the
 * first row that does not fit it. Prints the chain's head (last row and hash): keep it somewhere
 * else, and a later verify that ends before it shows rows cut off the end.
 * Exit codes: 0 intact, 1 broken or failed, 2 usage error.
 */
import process from 'node:process';
import { openMigratedDatabase, withoutCredentials } from '../db/open.ts';
import { verifyAuditChain } from './audit-log.ts';

const USAGE = 'usage: npm run audit -- verify';

const [command, ...rest] = process.argv.slice(2);
if (command === '--help' || command === '-h' || command === 'help') {
  console.log(USAGE);
  process.exit(0);
}
if (command !== 'verify' || rest.length > 0) {
  console.error(`${command ? `unknown command "${[command, ...rest].join(' ')}"` : 'a command is required'}: ${USAGE}`);
  process.exit(2);
}

const target = { url: process.env.DATABASE_URL || 'file:data/mamori.db', authToken: process.env.DATABASE_AUTH_TOKEN };
try {
  const { db, client } = await openMigratedDatabase(target);
  const report = await verifyAuditChain(db).finally(() => client.close());
  const before = report.legacy ? ` (${report.legacy} older row${report.legacy === 1 ? '' : 's'} from before the chain began, not covered)` : '';
  if (!report.ok) {
    console.error(`audit log BROKEN at row ${report.broken!.id}: ${report.broken!.reason}`);
    console.error(`${report.chained} row${report.chained === 1 ? '' : 's'} before it verified${before}`);
    process.exit(1);
  }
  console.log(`audit log intact: ${report.chained} row${report.chained === 1 ? '' : 's'} chained${before}`);
  if (report.head) console.log(`head: row ${report.head.id} ${report.head.hash}`);
} catch (error) {
  console.error(withoutCredentials(`audit verify failed on ${target.url}: ${String((error as { cause?: unknown })?.cause ?? (error as Error)?.message ?? error)}`));
  process.exit(1);
}
