/**
 * GET /metrics: off without METRICS_TOKEN, 401 for a wrong token, and for the right one text a
 * Prometheus parser reads, with counters, cumulative histogram buckets and gauges that match the
 * activity; two app instances on one database file report the same counters.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error the parser ships no types
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { demoCard } from '../../src/sandbox/demo-issuer.ts';
import { browserAReq, postAReq } from '../support/areq.ts';
import { latestOtp, openChallenge, submit } from '../support/challenge.ts';
import { createTestApp } from '../support/test-app.ts';

type T = Awaited<ReturnType<typeof createTestApp>>;
type Family = { name: string; type: string; metrics: { labels?: Record<string, string>; value?: string; buckets?: Record<string, string>; count?: string; sum?: string }[] };
const TOKEN = 'metrics-token-for-tests-0123456789';
const open: T[] = [];
let a: T;
let b: T;

beforeAll(async () => {
  a = await createTestApp({ seed: true, env: { METRICS_TOKEN: TOKEN } });
  // A second instance (another process or isolate) on the same database file.
  b = await createTestApp({ databaseFile: a.databaseFile, env: { METRICS_TOKEN: TOKEN } });
  open.push(a, b);
  for (const app of [a, b]) {
    await postAReq(app.app, browserAReq({ pan: demoCard('jcb-otp').pan, purchaseAmount: '800' }));
    await postAReq(app.app, browserAReq({ pan: demoCard('jcb-expired').pan, purchaseAmount: '800', messageVersion: '2.3.1' }));
  }
  const won = await openChallenge(a, 'jcb-otp');
  await submit(a, won.state!, 'demo-jcb', await latestOtp(a, won.ares.acsTransID));
  await postAReq(b.app, 'not json');
}, 60_000);
afterAll(() => open.forEach((t) => t.close()));

const scrape = (t: T, token = TOKEN) => t.app.request('/metrics', { headers: { authorization: `Bearer ${token}` } });

async function families(t: T): Promise<Map<string, Family>> {
  const res = await scrape(t);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  const parsed = parsePrometheusTextFormat(await res.text()) as Family[];
  return new Map(parsed.map((f) => [f.name, f]));
}

const value = (f: Family | undefined, labels: Record<string, string>) =>
  Number(f?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v))?.value ?? NaN);

describe('GET /metrics', () => {
  it('is off (404) without METRICS_TOKEN', async () => {
    const off = await createTestApp({ databaseFile: a.databaseFile });
    open.push(off);
    expect((await scrape(off)).status).toBe(404);
  });

  it('answers 401 with WWW-Authenticate for a missing or wrong token', async () => {
    const none = await a.app.request('/metrics');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer /);
    expect((await scrape(a, `${TOKEN}x`)).status).toBe(401);
    expect((await scrape(a, TOKEN.slice(0, -1))).status).toBe(401);
  });

  it('counts AReqs by issuer, outcome and version, challenges, SMS and Erros', async () => {
    const m = await families(a);
    expect(m.get('mamori_areq_total')?.type).toBe('COUNTER');
    const areq = m.get('mamori_areq_total');
    expect(value(areq, { issuer: 'default', outcome: 'Y', version: '2.2.0' })).toBe(2);
    expect(value(areq, { issuer: 'default', outcome: 'N', version: '2.3.1' })).toBe(2);
    expect(value(areq, { issuer: 'default', outcome: 'C', version: '2.2.0' })).toBe(1);
    expect(value(m.get('mamori_challenges_total'), { issuer: 'default', result: 'succeeded' })).toBe(1);
    expect(value(m.get('mamori_sms_total'), { issuer: 'default', result: 'sent' })).toBe(1);
    expect(value(m.get('mamori_erro_total'), { issuer: 'none', code: '101' })).toBe(1);
    expect(value(m.get('mamori_sms_breaker_state'), {})).toBe(0);
    expect(m.get('mamori_timers_due')?.type).toBe('GAUGE');
  });

  // The parser folds a labelled histogram's series into one, so these lines are read one by one.
  it('has cumulative latency buckets ending in +Inf = _count, per series', async () => {
    const text = await (await scrape(a)).text();
    expect((await families(a)).get('mamori_ares_latency_ms')?.type).toBe('HISTOGRAM');
    const bounds = ['1', '2', '5', '10', '25', '50', '100', '250', '500', '1000', '2500', '+Inf'];
    const series = (name: string, labels: string) => {
      const sample = (suffix: string, extra = '') => {
        const line = text.split('\n').find((l) => l.startsWith(`${name}_${suffix}{${labels}${extra}} `));
        expect(line, `${name}_${suffix}{${labels}${extra}}`).toBeDefined();
        return Number(line!.split(' ')[1]);
      };
      const counts = bounds.map((le) => sample('bucket', `,le="${le}"`));
      for (let i = 1; i < counts.length; i++) expect(counts[i]).toBeGreaterThanOrEqual(counts[i - 1]);
      expect(sample('count')).toBe(counts.at(-1));
      expect(sample('sum')).toBeGreaterThanOrEqual(0);
      return counts.at(-1);
    };
    expect(series('mamori_ares_latency_ms', 'issuer="default"')).toBe(5);
    // The challenge steps are timed too: the first CReq and the code's submission.
    expect(series('mamori_challenge_step_latency_ms', 'step="creq"')).toBe(1);
    expect(series('mamori_challenge_step_latency_ms', 'step="submit"')).toBe(1);
    expect(text).not.toContain('step="resend"');
  });

  it('reports the same counters from both instances: they live in the database', async () => {
    const [fromA, fromB] = [await (await scrape(a)).text(), await (await scrape(b)).text()];
    expect(fromB).toBe(fromA);
  });

  it('shows the breaker open and due timers as gauges', async () => {
    await a.client.execute({ sql: "INSERT INTO sms_breaker (id, state, consecutive_failures, opened_at, updated_at) VALUES (1, 'open', 5, ?, ?)", args: [a.clock.now(), a.clock.now()] });
    await a.client.execute({ sql: "INSERT INTO timers (kind, subject, due_at, created_at) VALUES ('rreq_delivery', 'due-test', ?, ?)", args: [a.clock.now() - 1, a.clock.now()] });
    const m = await families(a);
    expect(value(m.get('mamori_sms_breaker_state'), {})).toBe(2);
    expect(value(m.get('mamori_timers_due'), {})).toBeGreaterThanOrEqual(1);
  });
});
