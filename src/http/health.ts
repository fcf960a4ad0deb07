import { sql } from 'drizzle-orm';
import { Hono } from 'hono';
import type { AppEnv } from '../deps.ts';

const DB_TIMEOUT_MS = 2000;

/** `GET /healthz`: 200 `{"status":"ok"}` when the database answers, 503 otherwise. */
export const health = new Hono<AppEnv>().get('/healthz', async (c) => {
  const { db, log } = c.get('deps');
  try {
    await withTimeout(db.run(sql`select 1`), DB_TIMEOUT_MS);
    return c.json({ status: 'ok' });
  } catch (error) {
    log.error('healthz: database did not answer', { error });
    return c.json({ status: 'unavailable', reason: 'database' }, 503);
  }
});

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout>;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
