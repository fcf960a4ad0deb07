/**
 * The running aggregates and the dashboard: AReqs of each outcome, challenges that succeed, fail,
 * are cancelled and time out, an SMS the provider refuses, Erros; then stats_hourly holds exactly
 * that, and the dashboard's tables (read by their data attributes) show it per issuer and window.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoStaff } from '../../src/admin/demo-staff.ts';
import { runAcsScheduledWork } from '../../src/acs/scheduled.ts';
import { periodsOf } from '../../src/insight/calendar.ts';
import { percentileBucket } from '../../src/insight/dashboard.ts';
import { issuerByCode } from '../../src/issuers/issuer-store.ts';
import { outboxSmsGateway } from '../../src/messaging/outbox.ts';
import type { SmsGateway } from '../../src/messaging/sms-gateway.ts';
import { demoCard } from '../../src/sandbox/demo-issuer.ts';
import { newStaff } from '../support/admin.ts';
import { browserAReq, postAReq } from '../support/areq.ts';
import { latestOtp, openChallenge, postForm, submit } from '../support/challenge.ts';
import { createTestApp } from '../support/test-app.ts';

type T = Awaited<ReturnType<typeof createTestApp>>;
let t: T;
let ids: { first: number; kita: number };

/** The outbox, except that the provider refuses the demo Mastercard member's phone. */
const REFUSED_PHONE = demoCard('mc-otp').member!.phone!;
let outbox: SmsGateway;
const gateway: SmsGateway = {
  name: 'outbox',
  send: async (m, o) => (m.to === REFUSED_PHONE ? { ok: false, error: 'number blocked by the carrier', transient: false } : outbox.send(m, o)),
};

const areq = async (o: Parameters<typeof browserAReq>[0]) => (await (await postAReq(t.app, browserAReq(o))).json()) as Record<string, any>;

beforeAll(async () => {
  // No DS answers in this test: every RReq attempt is a retry (counted as such).
  t = await createTestApp({ seed: true, env: { DS_URL_JCB: 'https://ds.example.test/rreq', METRICS_TOKEN: 'test-metrics-token-0123456789' }, overrides: { sms: gateway }, fetch: async () => Promise.reject(new TypeError('fetch failed')) });
  outbox = outboxSmsGateway(t.deps.db, t.deps.clock);
  await seedDemoStaff(t.deps); // the second demo issuer ("kita") and the Visa range it holds
  ids = { first: (await issuerByCode(t.deps.db, 'default'))!.id, kita: (await issuerByCode(t.deps.db, 'kita'))!.id };

  // The first issuer: Y twice (two versions), N/05, U/03 (an app SDK that draws nothing we show), five challenges.
  expect((await areq({ pan: demoCard('jcb-otp').pan, purchaseAmount: '800' })).transStatus).toBe('Y');
  expect((await areq({ pan: demoCard('jcb-otp').pan, purchaseAmount: '800', messageVersion: '2.3.1' })).transStatus).toBe('Y');
  expect((await areq({ pan: demoCard('jcb-expired').pan, purchaseAmount: '800' })).transStatus).toBe('N');
  const app = browserAReq({ pan: demoCard('jcb-otp').pan, purchaseAmount: '99999' }) as Record<string, unknown>;
  for (const k of Object.keys(app)) if (k.startsWith('browser') || ['notificationURL', 'threeDSCompInd'].includes(k)) delete app[k];
  Object.assign(app, {
    deviceChannel: '01', sdkAppID: crypto.randomUUID(), sdkTransID: crypto.randomUUID(), sdkReferenceNumber: 'SDK-REF-0001', sdkMaxTimeout: '05',
    sdkEncData: 'eyJhbGciOiJ9', deviceInfo: 'eyJEViI6IjEuNCJ9', deviceRenderOptions: { sdkInterface: '02', sdkUiType: ['01', '02'] },
    sdkEphemPubKey: { kty: 'EC', crv: 'P-256', x: 'mPUKT_bAWGHIhg0TpjjqVsP1rXWQu_vwVOHHtNkdYoA', y: '8BQAsImGeAS46fyWw5MhYfGTT0IjBpFw2SS34Dv4Irs' },
  });
  expect(((await (await postAReq(t.app, app)).json()) as Record<string, unknown>).transStatus).toBe('U');

  const won = await openChallenge(t, 'jcb-otp');
  expect((await submit(t, won.state!, 'demo-jcb', await latestOtp(t, won.ares.acsTransID))).html).toContain('cres-form');

  const lost = await openChallenge(t, 'jcb-two-cards');
  const wrong = (await latestOtp(t, lost.ares.acsTransID)) === '000000' ? '111111' : '000000';
  for (let i = 0; i < 5; i++) await submit(t, lost.state!, 'demo-two-jcb', wrong);

  const cancelled = await openChallenge(t, 'jcb-password');
  await postForm(t, '/3ds/challenge/cancel', { state: cancelled.state });

  await openChallenge(t, 'mc-otp'); // its SMS is refused by the provider; the challenge stays open

  const abandoned = await areq({ pan: demoCard('jcb-reissued-new').pan, purchaseAmount: '98000' });
  expect(abandoned.transStatus).toBe('C');
  t.clock.advance(31_000);
  await runAcsScheduledWork(t.deps); // no CReq within 30 s: timed out
  await runAcsScheduledWork(t.deps); // a second sweep counts nothing twice

  // The second issuer: R/10 and N/19.
  expect((await areq({ pan: demoCard('visa-stolen').pan, purchaseAmount: '800' })).transStatus).toBe('R');
  expect((await areq({ pan: demoCard('visa-locked').pan, purchaseAmount: '800' })).transStatus).toBe('N');

  // Erros, before any issuer is known.
  await postAReq(t.app, 'not json');
  await postAReq(t.app, browserAReq({ pan: '9999990000000001', purchaseAmount: '800' }));
}, 60_000);
afterAll(() => t.close());

async function totals(issuerId: number, metric: string): Promise<Record<string, number>> {
  const rows = await t.client.execute({ sql: 'SELECT label, sum(count) AS n FROM stats_hourly WHERE issuer_id = ? AND metric = ? GROUP BY label', args: [issuerId, metric] });
  return Object.fromEntries(rows.rows.map((r) => [r.label as string, Number(r.n)]));
}

describe('stats_hourly', () => {
  it('counts AReqs by outcome and version, per issuer', async () => {
    expect(await totals(ids.first, 'areq')).toEqual({ 'Y|2.2.0': 1, 'Y|2.3.1': 1, 'N|2.2.0': 1, 'U|2.2.0': 1, 'C|2.2.0': 5 });
    expect(await totals(ids.kita, 'areq')).toEqual({ 'R|2.2.0': 1, 'N|2.2.0': 1 });
  });

  it('puts every AReq answered with an ARes in one latency bucket', async () => {
    const buckets = await totals(ids.first, 'ares_ms');
    expect(Object.values(buckets).reduce((a, n) => a + n, 0)).toBe(9);
    for (const label of Object.keys(buckets)) expect(label).toMatch(/^(1|2|5|10|25|50|100|250|500|1000|2500|\+Inf)$/);
  });

  it('counts each challenge ending once, by result', async () => {
    expect(await totals(ids.first, 'challenge')).toEqual({ succeeded: 1, failed: 1, cancelled: 1, timed_out: 1 });
    expect(await totals(ids.kita, 'challenge')).toEqual({});
    expect(await totals(ids.first, 'lockout')).toEqual({ '': 1 }); // the five wrong entries locked demo-two-jcb
  });

  it('counts SMS attempts with the provider status, as the outbound log has them', async () => {
    expect(await totals(ids.first, 'sms')).toEqual({ sent: 2, failed: 1 });
    const log = await t.client.execute("SELECT status, count(*) AS n FROM outbound_log WHERE channel = 'sms' GROUP BY status");
    expect(Object.fromEntries(log.rows.map((r) => [r.status, Number(r.n)]))).toEqual({ sent: 2, failed: 1 });
  });

  it('counts RReq attempts as the outbound log has them (no DS answers: all retries)', async () => {
    const log = await t.client.execute("SELECT count(*) AS n FROM outbound_log WHERE channel = 'rreq'");
    const n = Number(log.rows[0].n);
    expect(n).toBeGreaterThan(0);
    expect(await totals(ids.first, 'rreq')).toEqual({ retry: n });
  });

  it('counts Erros by code under issuer 0', async () => {
    expect(await totals(0, 'erro')).toEqual({ '101': 1, '305': 1 });
  });
});

/** The dashboard's figures: summary cells by data-figure, per-period totals, breakdown cells by data-key. */
function read(html: string) {
  const figure = (id: string) => new RegExp(`data-figure="${id}">([^<]*)<`).exec(html)?.[1];
  const key = (table: string, k: string) => {
    const part = html.slice(html.indexOf(`<table id="${table}"`));
    return Number(new RegExp(`data-key="${k.replace('+', '\\+')}">(\\d+)<`).exec(part.slice(0, part.indexOf('</table>')))?.[1]);
  };
  const periodTotals = [...html.matchAll(/<td data-outcome="total">(\d+)<\/td>/g)].map((m) => Number(m[1]));
  const outcomeCells = (o: string) => [...html.matchAll(new RegExp(`<td data-outcome="${o}">(\\d+)</td>`, 'g'))].reduce((a, m) => a + Number(m[1]), 0);
  return { figure, key, periodTotals, outcomeCells };
}

describe('GET /admin/dashboard', () => {
  it("shows an issuer's own figures in each window, hour by hour and day by day", async () => {
    const admin = await newStaff(t, 'dash-admin', 'issuer_admin', ids.first);
    for (const [window, periods] of [['24h', 24], ['7d', 7], ['30d', 30]] as const) {
      const res = await admin.client.get(`/admin/dashboard?window=${window}`);
      expect(res.status).toBe(200);
      const page = read(await res.text());
      expect(page.figure('areqs')).toBe('9');
      expect(page.figure('frictionless-rate')).toBe('22.2%');
      expect(page.figure('challenge-rate')).toBe('55.6%');
      expect(page.figure('challenges-succeeded')).toBe('1');
      expect(page.figure('challenges-failed')).toBe('1');
      expect(page.figure('challenges-abandoned')).toBe('2');
      expect(page.figure('lockouts')).toBe('1');
      expect(page.figure('sms-sent')).toBe('2');
      expect(page.figure('sms-failed')).toBe('1');
      expect(page.figure('ares-p99')).toMatch(/^(≤ \d+ ms|> 2500 ms)$/);
      expect(page.periodTotals).toHaveLength(periods);
      expect(page.periodTotals.reduce((a, n) => a + n, 0)).toBe(9);
      expect([page.outcomeCells('Y'), page.outcomeCells('C'), page.outcomeCells('N'), page.outcomeCells('U')]).toEqual([2, 5, 1, 1]);
      expect(['succeeded', 'failed', 'timed_out', 'cancelled'].map((k) => page.key('challenges', k))).toEqual([1, 1, 1, 1]);
      expect(['sent', 'failed', 'refused'].map((k) => page.key('sms', k))).toEqual([2, 1, 0]);
      const latency = ['1', '2', '5', '10', '25', '50', '100', '250', '500', '1000', '2500', '+Inf'].map((k) => page.key('latency', k));
      expect(latency.reduce((a, n) => a + n, 0)).toBe(9);
    }
  });

  it("shows another issuer's staff only theirs, whatever they ask for; a platform administrator chooses", async () => {
    const kita = await newStaff(t, 'dash-kita', 'auditor', ids.kita);
    const own = read(await (await kita.client.get('/admin/dashboard?issuer=default')).text());
    expect(own.figure('areqs')).toBe('2');
    expect(own.figure('frictionless-rate')).toBe('0.0%');
    expect(own.outcomeCells('R')).toBe(1);

    const platform = await newStaff(t, 'dash-platform', 'platform_admin', null);
    const first = await (await platform.client.get('/admin/dashboard')).text();
    expect(read(first).figure('areqs')).toBe('9');
    expect(first).toContain('<select id="d-issuer" name="issuer">');
    expect(read(await (await platform.client.get('/admin/dashboard?issuer=kita&window=7d')).text()).figure('areqs')).toBe('2');
    expect((await platform.client.get('/admin/dashboard?issuer=nobody')).status).toBe(404);
  });

  it('is in the issuer time zone: the hour rows are local hours', async () => {
    const admin = await newStaff(t, 'dash-tz', 'helpdesk', ids.first);
    const html = await (await admin.client.get('/admin/dashboard')).text();
    // The fake clock starts at 03:00 UTC: 12:00 in Tokyo is the last hour row.
    const hours = [...html.matchAll(/<tr data-period="\d+"><th scope="row">([^<]+)<\/th>/g)].map((m) => m[1]);
    expect(hours.at(-1)).toBe('12:00');
    expect(hours[0]).toBe('13:00');
  });
});

describe('periods and percentiles (pure)', () => {
  it('starts days at local midnight, also across a change of daylight saving time', () => {
    // 2026-03-08: New York moves from UTC-5 to UTC-4, so that day is 23 hours long.
    const days = periodsOf('7d', Date.UTC(2026, 2, 10, 12), 'America/New_York');
    expect(days).toHaveLength(7);
    expect(new Date(days[0].start).toISOString()).toBe('2026-03-04T05:00:00.000Z');
    expect(days.map((d) => (d.end - d.start) / 3_600_000)).toEqual([24, 24, 24, 24, 23, 24, 24]);
    expect(new Date(days[6].end).toISOString()).toBe('2026-03-11T04:00:00.000Z');
    const tokyo = periodsOf('30d', Date.UTC(2026, 0, 15, 3), 'Asia/Tokyo');
    expect(new Date(tokyo[29].start).toISOString()).toBe('2026-01-14T15:00:00.000Z');
  });

  it('names the bucket a percentile falls in', () => {
    const buckets = [{ bound: '10', count: 90 }, { bound: '50', count: 9 }, { bound: '+Inf', count: 1 }];
    expect([0.5, 0.9, 0.95, 0.99, 1].map((p) => percentileBucket(buckets, p))).toEqual(['10', '10', '50', '50', '+Inf']);
    expect(percentileBucket([{ bound: '10', count: 0 }], 0.5)).toBeNull();
  });
});
