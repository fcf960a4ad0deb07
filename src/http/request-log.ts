import type { MiddlewareHandler } from 'hono';
import type { Logger } from '../log.ts';

/**
 * One structured line per request. Only method, path, status and duration:
 * no query string, no body, no headers, since any of them may hold a PAN or a code.
 */
export function requestLog(log: Logger, now: () => number): MiddlewareHandler {
  return async (c, next) => {
    const start = now();
    await next();
    log.info('request', {
      requestId: c.get('requestId'),
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      ms: now() - start,
    });
  };
}
