/**
 * The Node server keeps an idle kept-alive connection longer than Node's 5 s default, so a client
 * reusing it after a pause (a Directory Server between AReqs) is answered instead of reset.
 */
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../support/server.ts';

let server: RunningServer;
beforeAll(async () => {
  server = await startServer();
}, 90_000);
afterAll(() => server?.stop());

/** Sends one GET on the socket and resolves with the status line of its answer. */
function get(socket: Socket, host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let received = '';
    const onData = (data: Buffer) => {
      received += data.toString('latin1');
      // /healthz answers a small JSON body with a content-length: the whole answer is in once the body is.
      const [head, body] = received.split('\r\n\r\n');
      const length = Number(/content-length: (\d+)/i.exec(head ?? '')?.[1]);
      if (body !== undefined && body.length >= length) done(() => resolve(head.split('\r\n')[0]));
    };
    const onClose = () => done(() => reject(new Error('the server closed the connection')));
    const done = (then: () => void) => {
      socket.off('data', onData);
      socket.off('close', onClose);
      then();
    };
    socket.on('data', onData);
    socket.once('close', onClose);
    socket.write(`GET /healthz HTTP/1.1\r\nHost: ${host}\r\nConnection: keep-alive\r\n\r\n`);
  });
}

describe('kept-alive connections', () => {
  it('answers a second request on a connection left idle for longer than 5 s', async () => {
    const url = new URL(server.baseUrl);
    const socket = connect(Number(url.port), url.hostname);
    await new Promise((resolve) => socket.once('connect', resolve));
    try {
      expect(await get(socket, url.host)).toBe('HTTP/1.1 200 OK');
      await new Promise((resolve) => setTimeout(resolve, 6_000));
      expect(socket.destroyed).toBe(false);
      expect(await get(socket, url.host)).toBe('HTTP/1.1 200 OK');
    } finally {
      socket.destroy();
    }
  }, 30_000);
});
