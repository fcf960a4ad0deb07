/**
 * A real SMS or mail provider endpoint for adapter tests: node:http on 127.0.0.1 and a free port.
 * Every request is recorded (method, path, headers, body) and answered by the next queued reply,
 * or by the default one: a JSON answer, a response held open past any timeout, or bytes that are
 * not HTTP at all.
 *
 * @example
 *   const provider = await startProviderServer((req) => reply.json(201, { sid: 'SM1' }));
 *   provider.queue(reply.json(503, { message: 'down' }), reply.hold());
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Recorded {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export type Reply = { kind: 'answer'; status: number; body: string; contentType: string } | { kind: 'hold' } | { kind: 'garbage' };

export const reply = {
  json: (status: number, body: unknown): Reply => ({ kind: 'answer', status, body: JSON.stringify(body), contentType: 'application/json' }),
  text: (status: number, body: string, contentType = 'text/html'): Reply => ({ kind: 'answer', status, body, contentType }),
  /** Never answers (until the server closes): a provider slower than any timeout. */
  hold: (): Reply => ({ kind: 'hold' }),
  /** Bytes that are not an HTTP response, then the connection closes. */
  garbage: (): Reply => ({ kind: 'garbage' }),
};

export interface ProviderServer {
  /** http://127.0.0.1:PORT (no trailing slash). */
  origin: string;
  requests: Recorded[];
  /** Replies for the next requests, in order; then the default. */
  queue(...next: Reply[]): void;
  setDefault(answer: (req: Recorded) => Reply): void;
  /** How many requests are being held open. */
  held(): number;
  close(): Promise<void>;
}

export async function startProviderServer(defaultReply: (req: Recorded) => Reply = () => reply.json(200, { id: 'msg-1' })): Promise<ProviderServer> {
  const requests: Recorded[] = [];
  const pending: Reply[] = [];
  const holding = new Set<ServerResponse>();
  let fallback = defaultReply;

  const server = createServer(async (req, res) => {
    const recorded: Recorded = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: await readBody(req) };
    requests.push(recorded);
    const answer = pending.shift() ?? fallback(recorded);
    if (answer.kind === 'hold') {
      holding.add(res);
      res.on('close', () => holding.delete(res));
      return;
    }
    if (answer.kind === 'garbage') {
      res.socket?.end('this is not HTTP at all\r\n\r\n');
      return;
    }
    res.writeHead(answer.status, { 'content-type': answer.contentType }).end(answer.body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    queue: (...next) => void pending.push(...next),
    setDefault: (answer) => void (fallback = answer),
    held: () => holding.size,
    close: () =>
      new Promise((resolve) => {
        for (const res of holding) res.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
