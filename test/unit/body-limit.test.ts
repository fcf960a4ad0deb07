/**
 * The body limit leaves GET and HEAD alone: they carry no body, and asking a request for its body
 * makes @hono/node-server build the whole Fetch Request (with its AbortSignal) for every probe and
 * page view, which cost /healthz about half its answer rate.
 */
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { bodyLimit } from '../../src/http/body-limit.ts';

function appWithLimit() {
  return new Hono()
    .use('*', bodyLimit({ maxSize: () => 16, onError: (c) => c.json({ error: 'payload_too_large' }, 413) }))
    .all('/echo', (c) => c.text(c.req.method))
    // The trap's error is expected in one test: answer it quietly instead of Hono printing it.
    .onError((error, c) => c.text(error.message, 500));
}

/** A request that fails the test if anything asks for its body. */
function watched(method: string, body?: string): Request {
  const req = new Request('http://acs.test/echo', { method, body });
  Object.defineProperty(req, 'body', { get: () => { throw new Error('the body was asked for'); } });
  return req;
}

describe('bodyLimit', () => {
  it.each(['GET', 'HEAD'])('never asks a %s request for its body', async (method) => {
    const res = await appWithLimit().request(watched(method));
    expect(res.status).toBe(200);
  });

  it('reads the body of a POST (the same trap fires)', async () => {
    const res = await appWithLimit().request(watched('POST', '{}'));
    expect(res.status).toBe(500);
    expect(await res.text()).toBe('the body was asked for');
  });

  it('still refuses an oversized POST body', async () => {
    const res = await appWithLimit().request('/echo', { method: 'POST', body: 'x'.repeat(17), headers: { 'content-length': '17' } });
    expect(res.status).toBe(413);
  });
});
