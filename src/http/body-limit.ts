/**
 * Request body limits that never break the client's connection.
 *
 * Hono's `bodyLimit` answers an oversized request at once and leaves the rest of its body unread;
 * on Node the server then waits a moment for that rest and drops the socket, after an answer that
 * said `Connection: keep-alive`, so the client's next request on the socket fails with
 * ECONNRESET (a DS sends its AReqs on kept-alive connections). This one reads the rest of an
 * oversized body and throws it away before answering, so the connection stays usable; a body
 * larger than `discardMaxBytes`, or one that trickles in slower than `discardMs`, is not waited
 * for: its answer says `Connection: close`, and the client knows not to send on that socket again.
 *
 * @example
 *   app.use('*', bodyLimit({ maxSize: (c) => 64 * 1024, onError: (c, limit) => c.json({ error: 'payload_too_large', limit }, 413) }));
 */
import type { Context, MiddlewareHandler } from 'hono';

export interface BodyLimitOptions {
  /** The largest body accepted, in bytes, for this request. */
  maxSize: (c: Context) => number;
  /** The answer to an oversized body (after its rest was read and discarded). */
  onError: (c: Context, maxSize: number) => Response | Promise<Response>;
  /** At most this much of an oversized body is read to keep the connection (default 8 MiB)… */
  discardMaxBytes?: number;
  /** …and for at most this long (default 5 s). */
  discardMs?: number;
}

const defaults = { discardMaxBytes: 8 * 1024 * 1024, discardMs: 5000 };

export function bodyLimit(options: BodyLimitOptions): MiddlewareHandler {
  const { discardMaxBytes, discardMs } = { ...defaults, ...options };
  return async function bodyLimit(c, next) {
    // GET and HEAD carry no body (Fetch forbids one); asking for it would make @hono/node-server
    // build the whole Request (and its AbortSignal) for every probe and page view.
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    const body = c.req.raw.body;
    if (!body) return next();
    const maxSize = options.maxSize(c);
    /** The answer once the rest is read (`restBytes` at most; unknown for a stream), or with `Connection: close`. */
    const tooLarge = async (reader: ReadableStreamDefaultReader<Uint8Array>, restBytes: number) => {
      const drained = restBytes <= discardMaxBytes && (await discardRest(reader, discardMaxBytes, discardMs));
      const res = await options.onError(c, maxSize);
      if (!drained) res.headers.set('connection', 'close');
      return res;
    };

    // A declared length is checked before anything is read; the runtime holds the body to it.
    const declared = c.req.raw.headers.get('content-length');
    if (declared !== null && !c.req.raw.headers.has('transfer-encoding')) {
      const length = Number.parseInt(declared, 10);
      return length > maxSize ? tooLarge(body.getReader(), length) : next();
    }

    // A streamed body (chunked) is read here up to the limit, and handed on as read.
    const reader = body.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.length;
      if (size > maxSize) return tooLarge(reader, 0);
      chunks.push(value);
    }
    const whole = new Uint8Array(size);
    let offset = 0;
    for (const chunk of chunks) {
      whole.set(chunk, offset);
      offset += chunk.length;
    }
    c.req.raw = new Request(c.req.raw, { body: whole });
    return next();
  };
}

/** Reads the body to its end and drops it; false when more than `maxBytes` come, or not within `ms`. */
async function discardRest(reader: ReadableStreamDefaultReader<Uint8Array>, maxBytes: number, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), ms);
  });
  try {
    for (let read = 0; read <= maxBytes; ) {
      const next = await Promise.race([reader.read(), late]);
      if (next === 'late') return false;
      if (next.done) return true;
      read += next.value.length;
    }
    return false;
  } catch {
    return false; // the client went away while sending
  } finally {
    clearTimeout(timer);
  }
}
