/** The sandbox's machine contracts (DESIGN.md): SMS outbox and demo cards as JSON, the DS receiver, absence when off. */
import { afterEach, describe, expect, it } from 'vitest';
import { luhnValid } from '../../src/cards/pan.ts';
import { DEMO_CARDS, DEMO_RANGES, demoCard } from '../../src/sandbox/demo-issuer.ts';
import { openChallenge } from '../support/challenge.ts';
import { createTestApp } from '../support/test-app.ts';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
const open: TestApp[] = [];
async function start(env: Record<string, string> = {}) {
  const t = await createTestApp({ seed: true, env });
  open.push(t);
  return t;
}
afterEach(() => {
  while (open.length) open.pop()!.close();
});
const json = { accept: 'application/json' };

describe('GET /sandbox/sms', () => {
  it('answers JSON newest first with recipient, body, OTP code and acsTransID', async () => {
    const t = await start();
    const first = await openChallenge(t, 'jcb-otp');
    t.clock.advance(1000);
    const second = await openChallenge(t, 'visa-otp');
    const res = await t.app.request('/sandbox/sms', { headers: json });
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const rows = (await res.json()) as Record<string, string>[];
    expect(rows.map((r) => r.acsTransID)).toEqual([second.ares.acsTransID, first.ares.acsTransID]);
    expect(rows[0]).toMatchObject({ recipient: '+819011110002', acsTransID: second.ares.acsTransID });
    expect(rows[0].otpCode).toMatch(/^\d{6}$/);
    expect(rows[0].body).toContain(rows[0].otpCode);
  });

  it('answers a page for people that refreshes itself with htmx', async () => {
    const t = await start();
    await openChallenge(t, 'jcb-otp');
    const html = await (await t.app.request('/sandbox/sms', { headers: { accept: 'text/html' } })).text();
    expect(html).toContain('hx-get="/sandbox/sms"');
    expect(html).toContain('hx-trigger="every 3s"');
    expect(html).toMatch(/class="otp">\d{6}</);
  });
});

describe('GET /sandbox/cards', () => {
  it('answers JSON: PAN, expiry, brand, member ID, password where set, and what the card is for', async () => {
    const t = await start();
    const cards = (await (await t.app.request('/sandbox/cards', { headers: json })).json()) as Record<string, any>[];
    expect(cards).toHaveLength(DEMO_CARDS.length);
    for (const card of cards) {
      expect(Object.keys(card)).toEqual(expect.arrayContaining(['pan', 'expiry', 'brand', 'memberId', 'purpose', 'outcome']));
      expect(luhnValid(card.pan)).toBe(true);
      expect(DEMO_RANGES.some((r) => card.pan.slice(0, 8) >= r.rangeStart && card.pan.slice(0, 8) <= r.rangeEnd && r.brand === card.brand)).toBe(true);
      expect(card.purpose.ja && card.purpose.en).toBeTruthy();
    }
    expect(cards.find((c) => c.key === 'jcb-password')).toMatchObject({ memberId: 'demo-pass', password: 'Mamori-2026' });
    expect(cards.find((c) => c.key === 'jcb-otp')).not.toHaveProperty('password');
    expect(cards.find((c) => c.key === 'visa-unregistered')?.memberId).toBeNull();
  });
});

describe('DS receiver', () => {
  const rreq = (mode = 'ok') => ({
    path: `/sandbox/ds/rreq?mode=${mode}`,
    body: {
      messageType: 'RReq',
      messageVersion: '2.2.0',
      threeDSServerTransID: crypto.randomUUID(),
      acsTransID: crypto.randomUUID(),
      dsTransID: crypto.randomUUID(),
      messageCategory: '01',
      transStatus: 'N',
      transStatusReason: '01',
      authenticationType: '02',
      interactionCounter: '01',
    },
  });
  const post = (t: TestApp, r: ReturnType<typeof rreq>) =>
    t.app.request(r.path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(r.body) });

  it('answers a valid RRes, and fails or answers garbage on request', async () => {
    const t = await start();
    const ok = rreq();
    expect(await (await post(t, ok)).json()).toEqual({
      messageType: 'RRes',
      messageVersion: '2.2.0',
      threeDSServerTransID: ok.body.threeDSServerTransID,
      acsTransID: ok.body.acsTransID,
      dsTransID: ok.body.dsTransID,
      resultsStatus: '01',
    });
    expect((await post(t, rreq('fail'))).status).toBe(500);
    expect(await (await post(t, rreq('garbage'))).text()).not.toMatch(/^\{/);
    const twice = rreq('fail-twice');
    expect((await post(t, twice)).status).toBe(500);
    expect((await post(t, twice)).status).toBe(500);
    expect((await post(t, twice)).status).toBe(200);
  });
});

describe('when the sandbox is off', () => {
  it('is not there at all', async () => {
    const t = await start({ SANDBOX: 'false' });
    for (const path of ['/sandbox', '/sandbox/sms', '/sandbox/cards']) expect((await t.app.request(path)).status).toBe(404);
    expect((await t.app.request('/sandbox/ds/rreq', { method: 'POST', body: '{}' })).status).toBe(404);
    expect(demoCard('jcb-otp').pan).toMatch(/^35699900/);
  });
});
