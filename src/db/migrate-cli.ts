/**
 * `npm run db:migrate`: applies drizzle/ to DATABASE_URL (a file, sqld or Turso; default
 * file:data/mamori.db) with DATABASE_AUTH_TOKEN. Used for Workers deployments, whose database is
 * migrated before `wrangler deploy`. Exit code 1 with one line when it cannot.
 */
import { openMigratedDatabase, withoutCredentials } from './open.ts';

const target = { url: process.env.DATABASE_URL || 'file:data/mamori.db', authToken: process.env.DATABASE_AUTH_TOKEN };
try {
  const { client } = await openMigratedDatabase(target);
  client.close();
  console.log(`migrated ${withoutCredentials(target.url)}`);
} catch (error) {
  const reason = String((error as { cause?: unknown })?.cause ?? (error as Error)?.message ?? error);
  console.error(withoutCredentials(`db:migrate failed on ${target.url}: ${reason}`));
  process.exit(1);
}
