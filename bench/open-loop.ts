/**
 * An open-loop load: requests sent at a constant rate whatever the server does, each one's latency
 * counted from the moment it was due (not from when it went out). autocannon's `overallRate` is a
 * closed loop (a connection sends its next request only after the last answer), so a server that
 * stalls is simply sent less and its stall never shows in the latencies ("coordinated omission");
 * here a stall delays every request due during it, as it would a Directory Server's.
 */
import { Agent, request } from 'node:http';
import { Samples, type Latency } from './load.ts';

export interface OpenLoopOptions {
  url: string;
  path: string;
  /** Requests per second, sent evenly. */
  rate: number;
  durationS: number;
  body: () => string;
  headers?: Record<string, string>;
  /** Called with each answer (for the tally of ARes by transStatus). */
  onResponse?: (status: number, body: string) => void;
  /** Called with each request's due time (ms from the start) and latency, answered or failed: for a timeline. */
  onLatency?: (dueMs: number, latencyMs: number) => void;
  /** Stop sending once this settles, before durationS is over (the run then lasts until it did). */
  stopWhen?: Promise<unknown>;
  /** Requests waiting at most (default: two seconds' worth); one due beyond it is dropped and counted, so a server that falls behind is not left a backlog that outlasts the run. */
  maxInFlight?: number;
}

export interface OpenLoopResult {
  offeredRate: number;
  durationS: number;
  sent: number;
  completed: number;
  errors: number;
  non2xx: number;
  /** The errors by their code (ECONNRESET, timeout, …): a stalled server and a dropped socket differ. */
  errorKinds: Record<string, number>;
  /** Due while maxInFlight were already waiting: not sent. */
  dropped: number;
  /** Completed per second over the run (equals the offered rate when the server keeps up). */
  rps: number;
  /** From the moment each request was due to its last byte (or to its failure: errors count too). */
  latencyMs: Latency;
  /** The most requests waiting for an answer at once. */
  maxInFlight: number;
}

const TIMEOUT_MS = 10_000;

export async function runOpenLoop(o: OpenLoopOptions): Promise<OpenLoopResult> {
  const target = new URL(o.path, o.url);
  // Enough sockets that requests never wait for one: the server's queue is what is measured.
  const agent = new Agent({ keepAlive: true, maxSockets: 1024 });
  const samples = new Samples();
  let total = Math.round(o.rate * o.durationS);
  const intervalMs = 1000 / o.rate;
  let sent = 0;
  let completed = 0;
  let errors = 0;
  let non2xx = 0;
  let dropped = 0;
  const errorKinds: Record<string, number> = {};
  const cap = o.maxInFlight ?? Math.max(50, Math.round(2 * o.rate));
  let inFlight = 0;
  let maxInFlight = 0;
  let finish!: () => void;
  const done = new Promise<void>((r) => (finish = r));
  const settle = () => {
    inFlight--;
    if (sent >= total && inFlight === 0) finish();
  };

  const send = (dueAt: number) => {
    if (inFlight >= cap) {
      dropped++;
      return;
    }
    const body = o.body();
    let answered = false;
    const once = <A extends unknown[]>(then: (...args: A) => void) => (...args: A) => {
      if (answered) return;
      answered = true;
      then(...args);
      settle();
    };
    inFlight++;
    if (inFlight > maxInFlight) maxInFlight = inFlight;
    const req = request(target, { method: 'POST', agent, headers: { 'content-length': Buffer.byteLength(body), ...o.headers }, timeout: TIMEOUT_MS }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on(
        'end',
        once(() => {
          samples.add(performance.now() - dueAt);
          o.onLatency?.(dueAt - start, performance.now() - dueAt);
          completed++;
          const status = res.statusCode ?? 0;
          if (status < 200 || status > 299) non2xx++;
          o.onResponse?.(status, Buffer.concat(chunks).toString('utf8'));
        }),
      );
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    // A request that failed or timed out counts with the time it took to fail: it was not answered sooner.
    req.on(
      'error',
      once((error: NodeJS.ErrnoException) => {
        const kind = error.code ?? error.message;
        errorKinds[kind] = (errorKinds[kind] ?? 0) + 1;
        errors++;
        samples.add(performance.now() - dueAt);
        o.onLatency?.(dueAt - start, performance.now() - dueAt);
      }),
    );
    req.end(body);
  };

  let start = performance.now();
  o.stopWhen?.then(
    () => (total = Math.min(total, sent)),
    () => (total = Math.min(total, sent)),
  );
  start = performance.now();
  // A timer wakes every millisecond (or later, when the process is busy); each wake sends every
  // request that has come due since, stamped with its own due time.
  const timer = setInterval(() => {
    const due = Math.min(total, Math.floor((performance.now() - start) / intervalMs) + 1);
    while (sent < due) send(start + sent++ * intervalMs);
    if (sent >= total) {
      clearInterval(timer);
      if (inFlight === 0) finish();
    }
  }, 1);
  await done;
  const durationS = (performance.now() - start) / 1000;
  agent.destroy();
  return { offeredRate: o.rate, durationS, sent: sent - dropped, completed, errors, non2xx, dropped, errorKinds, rps: completed / durationS, latencyMs: samples.summary(), maxInFlight };
}
