import { sql } from 'drizzle-orm';
import { Hono } from 'hono';
import type { AppEnv } from '../deps.ts';
import { breakerView, readBreaker } from '../messaging/breaker.ts';

const DB_TIMEOUT_MS = 2000;

/**
 * `GET /healthz`: 200 `{"status":"ok"}` when the database answers and SMS can be sent; 200
 * `{"status":"degraded","sms":"open"}` (or `"half_open"`) while the SMS circuit breaker holds SMS
 * challenges back; 503 when the database does not answer.
 */
export const health = new Hono<AppEnv>().get('/healthz', async (c) => {
  const deps = c.get('deps');
  try {
    const breaker = await withTimeout(
      (async () => {
        await deps.db.run(sql`select 1`);
        return readBreaker(deps);
      })(),
      DB_TIMEOUT_MS,
    );
    const sms = breakerView(breaker, deps.clock.now(), deps).state;
    return sms === 'closed' ? c.json({ status: 'ok' }) : c.json({ status: 'degraded', sms });
  } catch (error) {
    deps.log.error('healthz: database did not answer', { error });
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
