import { Hono } from 'hono';
import type { AppEnv } from '../deps.ts';
import { breakerView, readBreakerForHealth } from '../messaging/breaker.ts';
import { logRequestAs } from './request-log.ts';

/**
 * `GET /healthz`: 200 `{"status":"ok"}` when the database answers and SMS can be sent; 200
 * `{"status":"degraded","sms":"open"}` (or `"half_open"`) while the SMS circuit breaker holds SMS
 * challenges back; 503 when the database does not answer (an error, or nothing within
 * DB_TIMEOUT_MS: the app's database has that deadline on every call, src/db/deadline.ts). The
 * database's answer is the breaker's row, kept for half a second (readBreakerForHealth).
 * A healthy answer is logged at debug: a load balancer probes every few seconds, and those lines
 * would bury the ones an operator reads (and cost a probe more than its answer).
 */
export const health = new Hono<AppEnv>().get('/healthz', async (c) => {
  const deps = c.get('deps');
  try {
    const breaker = await readBreakerForHealth(deps);
    const sms = breakerView(breaker, deps.clock.now(), deps).state;
    if (sms === 'closed') {
      logRequestAs(c, 'debug', 'request', {});
      return c.json({ status: 'ok' });
    }
    return c.json({ status: 'degraded', sms });
  } catch (error) {
    deps.log.error('healthz: database did not answer', { error });
    return c.json({ status: 'unavailable', reason: 'database' }, 503);
  }
});
