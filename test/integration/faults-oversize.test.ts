/**
 * Oversized requests on a kept-alive connection, as a DS sends its AReqs: the app served by
 * @hono/node-server (as the Node entry serves it) on a loopback port, and a Node HTTP agent with
 * keep-alive and one socket, so every request after the first must reuse that socket unless the
 * server said `Connection: close`. An answer followed by a dropped socket shows up here as the next
 * request failing (ECONNRESET, "socket hang up").
 */
import { request, Agent, type IncomingHttpHeaders } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCard } from '../../src/sandbox/demo-issuer.ts';
import { browserAReq } from '../support/areq.ts';
import { createTestApp } from '../support/test-app.ts';

/** The AReq limit of src/app.ts (256 KiB) and the most the server reads of an oversized body to keep the connection (8 MiB). */
const AREQ_LIMIT = 256 * 1024;

let t: Awaited<ReturnType<typeof createTestApp>>;
let server: ServerType;
let port: number;

beforeAll(async () => {
  t = await createTestApp({ seed: true, env: { VELOCITY_LIMIT_PER_HOUR: '1000' } });
  server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: t.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  t.close();
});

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** Whether the request went out on a socket an earlier request had used. */
  reusedSocket: boolean;
}

/** One request through `agent`; `chunked` sends the body without a Content-Length, in 16 KiB writes. */
function send(agent: Agent, path: string, body: string, o: { contentType?: string; chunked?: boolean } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { 'content-type': o.contentType ?? 'application/json; charset=utf-8' };
    if (!o.chunked) headers['content-length'] = Buffer.byteLength(body);
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', agent, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text, reusedSocket: req.reusedSocket }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (o.chunked) for (let i = 0; i < body.length; i += 16_384) req.write(body.slice(i, i + 16_384));
    req.end(o.chunked ? undefined : body);
  });
}

/** An AReq made larger than `size` bytes by a (non-critical) message extension, as a DS might forward one. */
function oversizedAReq(size: number): string {
  const areq = browserAReq({ pan: demoCard('jcb-otp').pan, purchaseAmount: '1200' });
  areq.messageExtension = [{ name: 'padding', id: 'A000000000-PAD', criticalityIndicator: false, data: { text: 'x'.repeat(size) } }];
  return JSON.stringify(areq);
}

const normalAReq = () => JSON.stringify(browserAReq({ pan: demoCard('visa-otp').pan, purchaseAmount: '1200' }));

describe('an oversized AReq on a kept-alive connection', () => {
  for (const [label, size, chunked] of [
    ['270 KB', 270 * 1024, false],
    ['1 MiB', 1024 * 1024, false],
    ['1 MiB, chunked', 1024 * 1024, true],
  ] as const) {
    it(`${label}: answered with EMV Erro 203 naming the limit, and the next AReq on the same socket succeeds`, async () => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      try {
        const big = await send(agent, '/3ds/areq', oversizedAReq(size), { chunked });
        expect(big.status).toBe(200);
        expect(big.headers['content-type']).toBe('application/json; charset=utf-8');
        expect(big.headers.connection).toBe('keep-alive');
        const erro = JSON.parse(big.body);
        expect(erro).toMatchObject({ messageType: 'Erro', errorCode: '203', errorComponent: 'A', errorMessageType: 'AReq' });
        expect(erro.errorDetail).toContain(String(AREQ_LIMIT));

        const next = await send(agent, '/3ds/areq', normalAReq());
        expect(next.reusedSocket).toBe(true);
        expect(next.status).toBe(200);
        expect(JSON.parse(next.body)).toMatchObject({ messageType: 'ARes', transStatus: 'Y' });
      } finally {
        agent.destroy();
      }
    });
  }

  it('too large to read through (20 MiB declared): the Erro says Connection: close and the DS reconnects cleanly', async () => {
    // A raw socket: the headers and a first part of the body, then the answer is read.
    const socket = connect({ port, host: '127.0.0.1' });
    const head = `POST /3ds/areq HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${20 * 1024 * 1024}\r\n\r\n`;
    socket.write(head + '{"messageType":"AReq","padding":"' + 'x'.repeat(64 * 1024));
    const raw = await new Promise<string>((resolve, reject) => {
      let text = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => (text += chunk));
      socket.on('end', () => resolve(text)); // the server closes its side once it has answered
      socket.on('error', reject);
    });
    socket.destroy();
    const [headers, body] = raw.split('\r\n\r\n');
    expect(headers).toMatch(/^HTTP\/1\.1 200/);
    expect(headers.toLowerCase()).toContain('connection: close');
    expect(JSON.parse(body)).toMatchObject({ messageType: 'Erro', errorCode: '203' });

    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const next = await send(agent, '/3ds/areq', normalAReq());
      expect(JSON.parse(next.body)).toMatchObject({ messageType: 'ARes', transStatus: 'Y' });
    } finally {
      agent.destroy();
    }
  });
});

describe('other routes: 413, and the connection stays usable', () => {
  it('a form too large for the challenge page gets the 413 page, then the next request on the socket succeeds', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const big = await send(agent, '/3ds/challenge', `creq=${'x'.repeat(300 * 1024)}`, { contentType: 'application/x-www-form-urlencoded' });
      expect(big.status).toBe(413);
      expect(big.headers['content-type']).toMatch(/^text\/html/);
      expect(big.headers.connection).toBe('keep-alive');
      const next = await send(agent, '/3ds/areq', normalAReq());
      expect(next.reusedSocket).toBe(true);
      expect(JSON.parse(next.body)).toMatchObject({ messageType: 'ARes' });
    } finally {
      agent.destroy();
    }
  });

  it('a machine route answers 413 JSON with the limit, then the next request on the socket succeeds', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const big = await send(agent, '/healthz', 'x'.repeat(1024 * 1024), { chunked: true });
      expect(big.status).toBe(413);
      expect(JSON.parse(big.body)).toEqual({ error: 'payload_too_large' });
      expect(big.headers.connection).toBe('keep-alive');
      const next = await send(agent, '/3ds/areq', normalAReq());
      expect(next.reusedSocket).toBe(true);
      expect(JSON.parse(next.body)).toMatchObject({ messageType: 'ARes' });
    } finally {
      agent.destroy();
    }
  });
});
