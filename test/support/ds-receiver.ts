/**
 * A real Directory Server endpoint for RReq delivery tests: node:http on 127.0.0.1 and a free
 * port. Each RReq is answered by the next queued answer (a valid RRes when none is queued);
 * every request body is recorded, the RReqs and any Erro the ACS sends back alike.
 *
 * @example
 *   const ds = await startDsReceiver();
 *   ds.queue(answers.status(500), answers.rres());
 *   // AReq dsURL: ds.url, env DS_ALLOWLIST_VISA: ds.prefix
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  /** The body as JSON, or undefined when it is not JSON. */
  json: Record<string, unknown> | undefined;
}

/** What the DS does with one RReq: reply now, or hold the reply until `releaseHeld()` (a late DS). */
export type Answer = (rreq: Record<string, unknown>) => { status: number; body: string } | 'hold';

export const answers = {
  /** A valid RRes echoing the RReq's IDs and version; `patch` changes or removes (undefined) fields. */
  rres:
    (patch: Record<string, unknown> = {}): Answer =>
    (rreq) =>
      json({
        messageType: 'RRes',
        messageVersion: rreq.messageVersion,
        threeDSServerTransID: rreq.threeDSServerTransID,
        acsTransID: rreq.acsTransID,
        dsTransID: rreq.dsTransID,
        resultsStatus: '01',
        ...patch,
      }),
  status:
    (status: number, body = ''): Answer =>
    () => ({ status, body }),
  /** Answers only when the test calls `releaseHeld()`, long after any RRes timeout. */
  late: (): Answer => () => 'hold',
  /** HTTP 200 with any body, e.g. not JSON at all. */
  body:
    (body: string): Answer =>
    () => ({ status: 200, body }),
  /** The DS refuses the RReq with an Erro of its own (component D). */
  erro:
    (errorCode: string): Answer =>
    (rreq) =>
      json({
        messageType: 'Erro',
        messageVersion: rreq.messageVersion,
        threeDSServerTransID: rreq.threeDSServerTransID,
        acsTransID: rreq.acsTransID,
        dsTransID: rreq.dsTransID,
        errorCode,
        errorComponent: 'D',
        errorDescription: 'Refused by the test DS',
        errorDetail: 'test',
        errorMessageType: 'RReq',
      }),
};

function json(value: unknown) {
  return { status: 200, body: JSON.stringify(value) };
}

export interface DsReceiver {
  /** Where the ACS should post RReqs (the AReq's dsURL). */
  url: string;
  /** The prefix to put on the DS allow-list. */
  prefix: string;
  received: Received[];
  /** The RReqs received, in order. */
  rreqs(): Record<string, unknown>[];
  /** The Erro messages the ACS sent back, in order. */
  erros(): Record<string, unknown>[];
  /** Answers for the next RReqs, in order; once used up, RReqs get a valid RRes. */
  queue(...next: Answer[]): void;
  /** Replies to the held (late) RReqs with a valid RRes: the ACS has long stopped listening. */
  releaseHeld(): void;
  /** Closes the port: connections are refused until `accept()`. */
  refuse(): Promise<void>;
  /** Listens again on the same port. */
  accept(): Promise<void>;
  close(): Promise<void>;
}

export async function startDsReceiver(): Promise<DsReceiver> {
  const received: Received[] = [];
  const pending: Answer[] = [];
  const held: { res: ServerResponse; rreq: Record<string, unknown> }[] = [];

  const server = createServer(async (req, res) => {
    // No keep-alive: after refuse() the next RReq must meet a closed port, never a pooled socket
    // that the ACS's fetch has not yet seen closing.
    res.setHeader('connection', 'close');
    const body = await readBody(req);
    const message = parseJson(body);
    received.push({ headers: req.headers, body, json: message });
    // Erros from the ACS need no answer beyond an HTTP acknowledgement; answers are for RReqs.
    if (message?.messageType !== 'RReq') return void res.writeHead(200).end();
    const reply = (pending.shift() ?? answers.rres())(message);
    if (reply === 'hold') return void held.push({ res, rreq: message });
    res.writeHead(reply.status, { 'content-type': 'application/json; charset=utf-8' }).end(reply.body);
  });

  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  const stop = () =>
    new Promise<void>((resolve) => {
      for (const { res } of held.splice(0)) res.destroy();
      server.close(() => resolve());
      // Keep-alive sockets would otherwise still reach us after close().
      server.closeAllConnections();
    });

  await listen(0);
  const { port } = server.address() as AddressInfo;
  const prefix = `http://127.0.0.1:${port}/`;
  const messagesOfType = (type: string) => received.map((r) => r.json).filter((m): m is Record<string, unknown> => m?.messageType === type);

  return {
    url: `${prefix}ds/rreq`,
    prefix,
    received,
    rreqs: () => messagesOfType('RReq'),
    erros: () => messagesOfType('Erro'),
    queue: (...next) => void pending.push(...next),
    releaseHeld() {
      for (const { res, rreq } of held.splice(0)) {
        const reply = answers.rres()(rreq) as { status: number; body: string };
        if (!res.destroyed) res.writeHead(reply.status).end(reply.body);
      }
    },
    refuse: stop,
    accept: () => listen(port),
    close: () => (server.listening ? stop() : Promise.resolve()),
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

function parseJson(body: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(body);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
