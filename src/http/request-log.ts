import type { Context, MiddlewareHandler } from 'hono';
import type { LogFields, Logger } from '../log.ts';

type Line = { level: 'debug' | 'info' | 'warn'; msg: string; fields: LogFields };
const lines = new WeakMap<Context, Line>();

/**
 * One structured line per request. Only method, path, status and duration:
 * no query string, no body, no headers, since any of them may hold a PAN or a code.
 * A route may name the line and add its own fields (`logRequestAs`): the AReq's outcome is then
 * in the same one line, not in a second.
 */
export function requestLog(log: Logger, now: () => number): MiddlewareHandler {
  return async (c, next) => {
    const start = now();
    await next();
    const line = lines.get(c);
    const fields = { requestId: c.get('requestId'), method: c.req.method, path: c.req.path, status: c.res.status, ms: now() - start };
    if (line) log[line.level](line.msg, { ...fields, ...line.fields });
    else log.info('request', fields);
  };
}

/** This request's one line is `msg` at `level`, with `fields` besides the request's own (they pass the logger's redaction). */
export function logRequestAs(c: Context, level: Line['level'], msg: string, fields: LogFields): void {
  lines.set(c, { level, msg, fields });
}
