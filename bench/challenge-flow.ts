/**
 * The whole challenge path as cardholders go through it, for `npm run bench` (issue 17): each
 * virtual user loops AReq (answered C) → CReq (the first page, which sends the SMS code) → submit
 * of the right code (read from the appliance's SMS outbox, where SMS_GATEWAY=outbox delivers it)
 * → the page with the final CRes; on the way the appliance sends its RReq to a tiny Directory
 * Server here (rreqReceiver), which answers RRes. A challenge counts as completed when its final
 * CRes says Y and its RReq arrived.
 *
 * A closed loop with its own users rather than autocannon: a step needs the previous one's answer
 * (the page's signed state, the code from the database), which autocannon's synchronous hooks
 * cannot wait for. Every submit is answered no sooner than the appliance's pace floor
 * (ANSWER_FLOOR_MS, the same pace for every answer), so the users needed grow with the rate:
 * the server CPU per completed challenge is the measure that does not depend on it.
 */
import { createServer, Agent, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient, type Client } from '@libsql/client';
import { decodeJsonBase64Url, encodeJsonBase64Url } from '../src/protocol/base64url.ts';
import type { AReqSource } from './areq-source.ts';
import { benchLoginId } from './cards.ts';
import { Samples, type Latency } from './load.ts';

export interface ChallengeFlowOptions {
  url: string;
  users: number;
  durationS: number;
  source: AReqSource;
  databaseFile: string;
  /** RReqs the Directory Server here has received, by acsTransID. */
  rreqs: Set<string>;
}

export interface ChallengeFlowResult {
  durationS: number;
  users: number;
  /** Final CRes Y with its RReq received, per second. */
  completedPerSecond: number;
  completed: number;
  /** Flows that ended otherwise, by where they went wrong. */
  failed: Record<string, number>;
  /** Each step's latency, and a whole challenge's (AReq sent → final page received). */
  byStep: Record<'AReq' | 'CReq' | 'submit' | 'challenge', Latency>;
  /** HTTP requests per second (four per completed challenge). */
  requestsPerSecond: number;
}

const JSON_UTF8 = { 'content-type': 'application/json; charset=utf-8' };
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

export async function runChallengeFlow(o: ChallengeFlowOptions): Promise<ChallengeFlowResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: o.users });
  const codes = outboxReader(o.databaseFile);
  const steps = { AReq: new Samples(), CReq: new Samples(), submit: new Samples(), challenge: new Samples() };
  const failed: Record<string, number> = {};
  const fail = (why: string) => void (failed[why] = (failed[why] ?? 0) + 1);
  let completed = 0;
  let requests = 0;
  const start = performance.now();
  const endAt = start + o.durationS * 1000;

  const post = async (kind: keyof typeof steps, path: string, headers: Record<string, string>, body: string) => {
    const t0 = performance.now();
    const res = await send(agent, new URL(path, o.url), headers, body);
    steps[kind].add(performance.now() - t0);
    requests++;
    return res;
  };

  const user = async () => {
    while (performance.now() < endAt) {
      const t0 = performance.now();
      const areq = o.source.next();
      const ares = await post('AReq', '/3ds/areq', JSON_UTF8, areq.body);
      const acsTransID = /"transStatus":"C"/.test(ares.body) ? /"acsTransID":"([^"]+)"/.exec(ares.body)?.[1] : undefined;
      if (!acsTransID) {
        fail(`AReq not answered C (HTTP ${ares.status})`);
        continue;
      }
      const creq = { messageType: 'CReq', messageVersion: '2.2.0', threeDSServerTransID: areq.threeDSServerTransID, acsTransID, challengeWindowSize: '05' };
      const page = await post('CReq', '/3ds/challenge', FORM, `creq=${encodeJsonBase64Url(creq)}`);
      const state = /name="state" value="([^"]+)"/.exec(page.body)?.[1];
      if (page.status !== 200 || !state) {
        fail(`CReq page without a form (HTTP ${page.status})`);
        continue;
      }
      const code = await codes.codeFor(acsTransID);
      if (!code) {
        fail('no SMS code in the outbox');
        continue;
      }
      const form = new URLSearchParams({ state, memberId: benchLoginId(areq.card), secret: code }).toString();
      const final = await post('submit', '/3ds/challenge/submit', FORM, form);
      const cres = /name="cres" value="([^"]+)"/.exec(final.body)?.[1];
      const decoded = cres ? decodeJsonBase64Url(cres) : undefined;
      const transStatus = decoded?.ok ? (decoded.value as { transStatus?: string }).transStatus : undefined;
      if (transStatus !== 'Y') {
        fail(`final CRes ${transStatus ?? 'missing'} (HTTP ${final.status})`);
        continue;
      }
      // The appliance answers the page after the RReq's attempt (finish.ts), so it has arrived by now.
      if (!o.rreqs.has(acsTransID)) {
        fail('no RReq received');
        continue;
      }
      steps.challenge.add(performance.now() - t0);
      completed++;
    }
  };

  try {
    await Promise.all(Array.from({ length: o.users }, user));
  } finally {
    agent.destroy();
    codes.close();
  }
  const durationS = (performance.now() - start) / 1000;
  return {
    durationS,
    users: o.users,
    completed,
    completedPerSecond: completed / durationS,
    failed,
    byStep: { AReq: steps.AReq.summary(), CReq: steps.CReq.summary(), submit: steps.submit.summary(), challenge: steps.challenge.summary() },
    requestsPerSecond: requests / durationS,
  };
}

/**
 * A Directory Server's RReq endpoint for the bench: answers every RReq with a valid RRes
 * (resultsStatus 01) and remembers which transactions it heard of. DS_URL_<BRAND> point here.
 */
export async function rreqReceiver(): Promise<{ url: string; rreqs: Set<string>; close(): Promise<void> }> {
  const rreqs = new Set<string>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let rreq: Record<string, string> = {};
      try {
        rreq = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        // answered below with an empty RRes, which the appliance refuses
      }
      if (rreq.messageType === 'RReq') rreqs.add(rreq.acsTransID);
      const rres = {
        messageType: 'RRes',
        messageVersion: rreq.messageVersion,
        threeDSServerTransID: rreq.threeDSServerTransID,
        acsTransID: rreq.acsTransID,
        dsTransID: rreq.dsTransID,
        resultsStatus: '01',
      };
      res.writeHead(200, JSON_UTF8).end(JSON.stringify(rres));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/rreq`, rreqs, close: () => new Promise((r) => server.close(() => r())) };
}

/**
 * The codes the appliance "sent": new sms_outbox rows read in id order (one indexed range read
 * shared by every user waiting at that moment), kept by acsTransID.
 */
function outboxReader(databaseFile: string) {
  const client: Client = createClient({ url: `file:${databaseFile}` });
  const known = new Map<string, string>();
  let lastId = 0;
  let reading: Promise<void> | undefined;
  const readNew = () =>
    (reading ??= (async () => {
      try {
        const rows = await client.execute({ sql: 'SELECT id, acs_trans_id, otp_code FROM sms_outbox WHERE id > ? ORDER BY id', args: [lastId] });
        for (const r of rows.rows) {
          lastId = Number(r.id);
          if (r.acs_trans_id && r.otp_code) known.set(String(r.acs_trans_id), String(r.otp_code));
        }
      } finally {
        reading = undefined;
      }
    })());
  return {
    async codeFor(acsTransID: string): Promise<string | undefined> {
      // The first page is answered after its SMS went out, so one read normally finds it; a few
      // more cover an outbox write still committing.
      for (let i = 0; i < 20 && !known.has(acsTransID); i++) {
        await readNew();
        if (!known.has(acsTransID)) await new Promise((r) => setTimeout(r, 10));
      }
      const code = known.get(acsTransID);
      known.delete(acsTransID);
      return code;
    },
    close: () => client.close(),
  };
}

function send(agent: Agent, url: URL, headers: Record<string, string>, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const req = request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) }, timeout: 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => resolve({ status: 0, body: String(e) }));
    req.end(body);
  });
}
