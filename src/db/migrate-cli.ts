/**
 * `npm run db:migrate`: applies drizzle/ to DATABASE_URL (a file, sqld or Turso).
 * Used for Workers deployments, whose database is migrated before `wrangler deploy`.
 */
import { createClient } from '@libsql/client';
import { createDatabase } from './client.ts';
import { migrateDatabase } from './migrate.ts';

const url = process.env.DATABASE_URL ?? 'file:data/mamori.db';
const client = createClient({ url, authToken: process.env.DATABASE_AUTH_TOKEN });
await migrateDatabase(createDatabase(client));
client.close();
console.log(`migrated ${url.replace(/\/\/[^@]*@/, '//')}`);
