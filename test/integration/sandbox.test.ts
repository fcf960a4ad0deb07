/**
 * The sandbox's contracts (DESIGN.md) through the app on real libSQL: the SMS and mail outboxes and
 * the demo cards as JSON and as pages (with what each card will do now, and its reset), times in
 * the issuer's time zone, the DS receiver and its failure modes (alone, and with the ACS
 * delivering to it), the movable clock, the merchant's initiate-authentication, and the sandbox's
 * absence when it is off or in production.
 */
import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { adjustableClock, systemClock } from '../../src/clock.ts';
import { ConfigError, parseConfig } from '../../src/config.ts';
import { sandboxMessages, smsOutbox, transactions } from '../../src/db/schema.ts';
import { decodeJsonBase64Url, encodeJsonBase64Url } from '../../src/protocol/base64url.ts';
import { buildRReq } from '../../src/protocol/rreq.ts';
import { parseRRes } from '../../src/protocol/rres.ts';
import { DEMO_CARDS, DEMO_RANGES, demoCard } from '../../src/sandbox/demo-issuer.ts';
import { runScheduledWork } from '../../src/services.ts';
import { browserAReq } from '../support/areq.ts';
import { finalCResOf, latestOtp, openChallenge, postForm, stateOf, submit } from '../support/challenge.ts';
import { createTestApp, TEST_SECRETS, type TestAppOptions } from '../support/test-app.ts';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
const open: TestApp[] = [];
async function start(options: TestAppOptions = {}) {
  const t = await createTestApp({ seed: true, ...options });
  open.push(t);
  return t;
}
afterEach(() => {
  while (open.length) open.pop()!.close();
});

const JSON_ONLY = { accept: 'application/json' };
const postJson = (t: TestApp, path: string, body: unknown, headers: Record<string, string> = {}) =>
  t.app.request(path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });

/** The Luhn check, written here again so the test does not trust the code it checks. */
function luhn(pan: string): boolean {
  const digits = [...pan].reverse().map(Number);
  return digits.reduce((sum, d, i) => sum + (i % 2 ? (d * 2 > 9 ? d * 2 - 9 : d * 2) : d), 0) % 10 === 0;
}

describe('GET /sandbox/sms', () => {
  it('answers JSON for Accept: application/json, newest first, with recipient, body, OTP code and acsTransID', async () => {
    const t = await start();
    const first = await openChallenge(t, 'jcb-otp');
    t.clock.advance(1000);
    const second = await openChallenge(t, 'visa-otp', { purchaseCurrency: '840', purchaseExponent: '2', purchaseAmount: '25000' });
    const res = await t.app.request('/sandbox/sms', { headers: JSON_ONLY });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const rows = (await res.json()) as Record<string, any>[];
    expect(rows).toHaveLength(2);
    expect(rows.map((r) => r.acsTransID)).toEqual([second.ares.acsTransID, first.ares.acsTransID]);
    expect(rows[0]).toMatchObject({ recipient: demoCard('visa-otp').member!.phone, acsTransID: second.ares.acsTransID });
    expect(rows[1]).toMatchObject({ recipient: demoCard('jcb-otp').member!.phone, acsTransID: first.ares.acsTransID });
    for (const row of rows) {
      expect(row.otpCode).toMatch(/^\d{6}$/);
      expect(row.body).toContain(row.otpCode);
      expect(Date.parse(row.createdAt)).not.toBeNaN();
    }
    expect(Date.parse(rows[0].createdAt)).toBeGreaterThan(Date.parse(rows[1].createdAt));
    // The code sent is the code the challenge takes.
    const done = await submit(t, second.state!, 'demo-visa', rows[0].otpCode);
    expect(finalCResOf(done.html).message?.transStatus).toBe('Y');
  });

  it('answers an empty JSON list before anything was sent', async () => {
    const t = await start();
    expect(await (await t.app.request('/sandbox/sms', { headers: JSON_ONLY })).json()).toEqual([]);
  });

  it.each([
    ['a browser', 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'],
    ['curl', '*/*'],
    ['no Accept header', undefined],
  ])('answers a page that refreshes itself with htmx for %s', async (_, accept) => {
    const t = await start();
    const { ares } = await openChallenge(t, 'jcb-otp');
    const code = await latestOtp(t, ares.acsTransID);
    const res = await t.app.request('/sandbox/sms', { headers: accept ? { accept } : {} });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toContain('/static/vendor/htmx.min.js');
    expect(html).toContain('hx-get="/sandbox/sms"');
    expect(html).toContain('hx-trigger="every 3s"');
    expect(html).toContain('hx-select="#sms-list"');
    expect(html).toContain(`data-acs-trans-id="${ares.acsTransID}"`);
    expect(html).toContain(`<code class="otp">${code}</code>`);
  });
});

describe('GET /sandbox/cards', () => {
  it('answers JSON: every demo card with PAN, expiry, brand, member ID, password where set, and its purpose', async () => {
    const t = await start();
    const res = await t.app.request('/sandbox/cards', { headers: JSON_ONLY });
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const cards = (await res.json()) as Record<string, any>[];
    expect(cards.map((c) => c.key)).toEqual(DEMO_CARDS.map((c) => c.key));
    for (const card of cards) {
      expect(card.pan, card.key).toMatch(/^\d{16}$/);
      expect(luhn(card.pan), `${card.key} passes Luhn`).toBe(true);
      const range = DEMO_RANGES.find((r) => card.pan.slice(0, 8) >= r.rangeStart && card.pan.slice(0, 8) <= r.rangeEnd);
      expect(range?.brand, `${card.key} lies in a demo range of its brand`).toBe(card.brand);
      expect(card.expiry).toMatch(/^\d{4}$/);
      expect(card.purpose.ja.length * card.purpose.en.length).toBeGreaterThan(0);
      expect(card.outcome.length).toBeGreaterThan(0);
      expect(card).toHaveProperty('memberId');
    }
    const byKey = Object.fromEntries(cards.map((c) => [c.key, c]));
    expect(byKey['jcb-password']).toMatchObject({ memberId: 'demo-pass', password: 'Mamori-2026' });
    expect(byKey['jcb-otp']).toMatchObject({ memberId: 'demo-jcb' });
    expect(byKey['jcb-otp']).not.toHaveProperty('password');
    expect(byKey['visa-unregistered'].memberId).toBeNull();
    // A reissued card is used with the member ID of its cardholder.
    expect(byKey['jcb-reissued-new'].memberId).toBe('demo-reissue');
    expect(new Set(cards.map((c) => c.pan)).size).toBe(cards.length);
  });

  it('answers a page listing every card for people', async () => {
    const t = await start();
    const res = await t.app.request('/sandbox/cards');
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    for (const card of DEMO_CARDS) expect(html).toContain(card.pan);
    expect(html).toContain('Mamori-2026');
    expect(html).toMatch(/data-key="jcb-reissued-new"[\s\S]*?demo-reissue/);
  });
});

describe('the DS receiver', () => {
  /** A valid RReq as the ACS sends it, for a made-up transaction. */
  const rreq = (messageVersion: '2.2.0' | '2.3.1' = '2.2.0') =>
    buildRReq({
      messageVersion,
      threeDSServerTransID: crypto.randomUUID(),
      acsTransID: crypto.randomUUID(),
      dsTransID: crypto.randomUUID(),
      messageCategory: '01',
      interactionCounter: 1,
      transStatus: 'N',
      transStatusReason: '01',
      authenticationType: '02',
    });

  it.each(['2.2.0', '2.3.1'] as const)('answers a valid %s RReq with a valid RRes about the same transaction', async (version) => {
    const t = await start();
    const message = rreq(version);
    const res = await postJson(t, '/sandbox/ds/rreq?mode=ok', message);
    expect(res.status).toBe(200);
    const body = await res.text();
    const parsed = parseRRes(body);
    expect(parsed.ok).toBe(true);
    expect(JSON.parse(body)).toEqual({
      messageType: 'RRes',
      messageVersion: version,
      threeDSServerTransID: message.threeDSServerTransID,
      acsTransID: message.acsTransID,
      dsTransID: message.dsTransID,
      resultsStatus: '01',
    });
    // Without a mode it behaves the same.
    expect(parseRRes(await (await postJson(t, '/sandbox/ds/rreq', rreq(version))).text()).ok).toBe(true);
  });

  it('refuses an invalid RReq with an Erro of its own, naming the field', async () => {
    const t = await start();
    const { transStatus: _, ...withoutStatus } = rreq();
    const res = await postJson(t, '/sandbox/ds/rreq', withoutStatus);
    const erro = (await res.json()) as Record<string, any>;
    expect(erro).toMatchObject({ messageType: 'Erro', errorComponent: 'D', errorCode: '201', errorMessageType: 'RReq', acsTransID: withoutStatus.acsTransID });
    expect(erro.errorDetail).toContain('transStatus');
    expect(parseRRes(JSON.stringify(erro))).toMatchObject({ ok: false, fromDs: true });
  });

  it('fails every time with mode=fail', async () => {
    const t = await start();
    const message = rreq();
    for (let i = 0; i < 3; i++) expect((await postJson(t, '/sandbox/ds/rreq?mode=fail', message)).status).toBe(500);
  });

  it('fails the first two RReqs of a transaction with mode=fail-twice, then answers', async () => {
    const t = await start();
    const message = rreq();
    const other = rreq();
    expect((await postJson(t, '/sandbox/ds/rreq?mode=fail-twice', message)).status).toBe(500);
    expect((await postJson(t, '/sandbox/ds/rreq?mode=fail-twice', other)).status).toBe(500); // counted per transaction
    expect((await postJson(t, '/sandbox/ds/rreq?mode=fail-twice', message)).status).toBe(500);
    const third = await postJson(t, '/sandbox/ds/rreq?mode=fail-twice', message);
    expect(third.status).toBe(200);
    expect(parseRRes(await third.text()).ok).toBe(true);
  });

  it('answers HTTP 200 with something that is not an RRes with mode=garbage', async () => {
    const t = await start();
    const res = await postJson(t, '/sandbox/ds/rreq?mode=garbage', rreq());
    expect(res.status).toBe(200);
    const parsed = parseRRes(await res.text());
    expect(parsed).toMatchObject({ ok: false, fromDs: false, erro: { errorCode: '101' } });
  });

  it('acknowledges an Erro about its answer with 204, and refuses a body that is not JSON with 400', async () => {
    const t = await start();
    const message = rreq();
    const erro = { messageType: 'Erro', messageVersion: '2.2.0', threeDSServerTransID: message.threeDSServerTransID, errorCode: '101', errorComponent: 'A', errorDescription: 'x', errorDetail: 'y', errorMessageType: 'RRes' };
    expect((await postJson(t, '/sandbox/ds/rreq', erro)).status).toBe(204);
    const notJson = await postJson(t, '/sandbox/ds/rreq', 'not json');
    expect(notJson.status).toBe(400);
    expect(notJson.headers.get('content-type')).toMatch(/^application\/json/);
  });

  it('records what it received and answered, for the sandbox page', async () => {
    const t = await start();
    const message = rreq();
    await postJson(t, '/sandbox/ds/rreq?mode=fail-twice', message);
    await postJson(t, '/sandbox/ds/rreq?mode=fail-twice', message);
    await postJson(t, '/sandbox/ds/rreq?mode=fail-twice', message);
    const { messages } = (await (await t.app.request(`/sandbox/exchange/${message.threeDSServerTransID}`, { headers: JSON_ONLY })).json()) as { messages: any[] };
    expect(messages.map((m) => m.messageType)).toEqual(['RReq', 'HTTP 500', 'RReq', 'HTTP 500', 'RReq', 'RRes']);
    expect(messages[0].summary).toContain('transStatus N');
    expect(messages[5].summary).toBe('resultsStatus 01 (RReq received for further processing)');
  });
});

describe('a purchase through the sandbox merchant, with the ACS delivering the RReq to the DS receiver', () => {
  /** The app, with the ACS's outgoing HTTP (the RReq) answered by the same app: its DS receiver. */
  async function selfDelivering() {
    let self: TestApp | undefined;
    const t = await start({ fetch: (input, init) => Promise.resolve(self!.app.request(String(input instanceof Request ? input.url : input), init)) });
    self = t;
    return t;
  }

  function initiate(t: TestApp, body: Record<string, unknown>) {
    return postJson(t, '/sandbox/merchant/initiate-authentication', {
      serverTransactionId: crypto.randomUUID(),
      card: { number: demoCard('visa-otp').pan },
      amount: '45000',
      currency: '392',
      merchantName: 'まもりストア',
      challengeInd: '01',
      messageVersion: '2.2.0',
      dsMode: 'ok',
      methodUrlComplete: true,
      challengeWindow: { windowSize: 'WINDOWED_390X400' },
      browserData: { colorDepth: 'TWENTY_FOUR_BITS', javaEnabled: false, language: 'ja-JP', screenHeight: 844, screenWidth: 390, timezoneOffset: -9, userAgent: 'test' },
      ...body,
    });
  }

  /** The challenge in the frame: CReq to the acsURL, the code from the outbox, the final CRes to the merchant. */
  async function completeChallenge(t: TestApp, answer: Record<string, any>, memberId: string) {
    expect(answer.status).toBe('CHALLENGE_REQUIRED');
    const page = await postForm(t, '/3ds/challenge', { creq: answer.challenge.encodedChallengeRequest });
    const state = stateOf(await page.text())!;
    const sms = (await (await t.app.request('/sandbox/sms', { headers: JSON_ONLY })).json()) as { otpCode: string; acsTransID: string }[];
    const code = sms.find((s) => s.acsTransID === answer.acsTransactionId)!.otpCode;
    const done = await submit(t, state, memberId, code);
    const final = finalCResOf(done.html);
    const notified = await postForm(t, '/sandbox/merchant/challenge-notification', { cres: final.cres! });
    expect(notified.status).toBe(200);
    expect(await notified.text()).toContain('data-event="challengeNotification"');
    return final.message!;
  }

  const exchange = async (t: TestApp, id: string) =>
    (await (await t.app.request(`/sandbox/exchange/${id}`, { headers: JSON_ONLY })).json()) as { messages: any[]; expectRReq: boolean; rreqPending: boolean; state: string };

  it('answers a frictionless purchase with the ARes, and records AReq and ARes', async () => {
    const t = await selfDelivering();
    const id = crypto.randomUUID();
    const answer = (await (await initiate(t, { serverTransactionId: id, amount: '1200' })).json()) as Record<string, any>;
    expect(answer).toMatchObject({ status: 'AUTHENTICATION_SUCCESSFUL', serverTransactionId: id, ares: { transStatus: 'Y', eci: '05' } });
    const seen = await exchange(t, id);
    expect(seen.messages.map((m) => m.messageType)).toEqual(['AReq', 'ARes']);
    expect(seen.messages[0].body.acctNumber).toBe('499999******0015'); // masked on the page
    expect(seen).toMatchObject({ expectRReq: false, rreqPending: false });
  });

  it('shows the RReq retried when the DS fails twice, then the RRes, and the final CRes', async () => {
    const t = await selfDelivering();
    const id = crypto.randomUUID();
    const answer = (await (await initiate(t, { serverTransactionId: id, dsMode: 'fail-twice' })).json()) as Record<string, any>;
    const cres = await completeChallenge(t, answer, 'demo-visa');
    expect(cres.transStatus).toBe('Y');
    let seen = await exchange(t, id);
    expect(seen).toMatchObject({ expectRReq: true, rreqPending: true });
    // Back-off 10 s, then 20 s: the sweeper sends it again when it is due.
    t.clock.advance(10_000);
    await runScheduledWork(t.deps);
    t.clock.advance(20_000);
    await runScheduledWork(t.deps);
    seen = await exchange(t, id);
    expect(seen.messages.map((m) => m.messageType)).toEqual(['AReq', 'ARes', 'CReq', 'RReq', 'HTTP 500', 'CRes', 'RReq', 'HTTP 500', 'RReq', 'RRes']);
    expect(seen).toMatchObject({ rreqPending: false, state: 'rreq_delivered' });
    expect(seen.messages.find((m) => m.messageType === 'RReq').summary).toMatch(/^transStatus Y .* · ECI 05$/);
  });

  it('gets an Erro 101 from the ACS for a garbage answer, and no retry', async () => {
    const t = await selfDelivering();
    const id = crypto.randomUUID();
    const answer = (await (await initiate(t, { serverTransactionId: id, dsMode: 'garbage', messageVersion: '2.3.1' })).json()) as Record<string, any>;
    expect(answer.ares.messageVersion).toBe('2.3.1');
    expect((await completeChallenge(t, answer, 'demo-visa')).transStatus).toBe('Y');
    t.clock.advance(60_000);
    await runScheduledWork(t.deps);
    const seen = await exchange(t, id);
    const types = seen.messages.map((m) => m.messageType);
    expect(types.filter((x) => x === 'RReq')).toHaveLength(1);
    expect(types).toEqual(expect.arrayContaining(['not an RRes', 'Erro']));
    expect(seen.messages.find((m) => m.messageType === 'Erro').body).toMatchObject({ errorCode: '101', errorMessageType: 'RRes', errorComponent: 'A' });
    expect(seen.state).toBe('rreq_delivered');
  });

  it('keeps retrying while the DS always fails', async () => {
    const t = await selfDelivering();
    const id = crypto.randomUUID();
    const answer = (await (await initiate(t, { serverTransactionId: id, dsMode: 'fail' })).json()) as Record<string, any>;
    await completeChallenge(t, answer, 'demo-visa');
    for (const wait of [10_000, 20_000, 40_000]) {
      t.clock.advance(wait);
      await runScheduledWork(t.deps);
    }
    const seen = await exchange(t, id);
    expect(seen.messages.filter((m) => m.messageType === 'RReq')).toHaveLength(4);
    expect(seen.messages.some((m) => m.messageType === 'RRes')).toBe(false);
    expect(seen.rreqPending).toBe(true);
  });

  it('answers 400 naming every bad field, and sends nothing', async () => {
    const t = await start();
    const res = await postJson(t, '/sandbox/merchant/initiate-authentication', {
      serverTransactionId: 'not-a-uuid',
      card: { number: '1234' },
      amount: 'ten',
      currency: 'JPY',
      merchantName: '',
      challengeInd: '09',
      messageVersion: '2.1.0',
      dsMode: 'sometimes',
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: string; issues: string[]; fields: { field: string; message: string }[] };
    expect(body.error).toBe('invalid request');
    expect(body.issues.sort()).toEqual(['amount', 'card.number', 'challengeInd', 'currency', 'dsMode', 'merchantName', 'messageVersion', 'serverTransactionId']);
    for (const f of body.fields) expect(f.message.length).toBeGreaterThan(0);
    expect(await t.deps.db.$count(sandboxMessages)).toBe(0);
    expect(await t.deps.db.$count(transactions)).toBe(0);
  });

  it.each([
    ['no body', undefined, ['serverTransactionId', 'card', 'amount']],
    ['a body that is not JSON', 'amount=1', ['serverTransactionId', 'card', 'amount']],
    ['a JSON array', '[]', ['(body)']],
  ])('answers 400 for %s', async (_, body, fields) => {
    const t = await start();
    const res = await t.app.request('/sandbox/merchant/initiate-authentication', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { issues: string[] }).issues).toEqual(expect.arrayContaining(fields));
  });
});

describe('POST /sandbox/clock', () => {
  const move = (t: TestApp, body: unknown, contentType = 'application/json') =>
    t.app.request('/sandbox/clock', { method: 'POST', headers: { 'content-type': contentType }, body: typeof body === 'string' ? body : JSON.stringify(body) });

  it("moves the test's fake clock forward and says where it is now", async () => {
    const t = await start();
    const before = t.clock.now();
    const res = await move(t, { advanceSeconds: 601 });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ advancedSeconds: 601, now: new Date(before + 601_000).toISOString(), offsetMs: null });
    expect(t.clock.now()).toBe(before + 601_000);
  });

  it('moves the adjustable clock of the Node and Deno sandbox, and reports its offset', async () => {
    const clock = adjustableClock();
    const t = await start({ overrides: { clock } });
    expect(await (await move(t, { advanceSeconds: 30 })).json()).toMatchObject({ advancedSeconds: 30, offsetMs: 30_000 });
    expect(await (await move(t, { advanceSeconds: 31 })).json()).toMatchObject({ offsetMs: 61_000 });
    expect(clock.now() - Date.now()).toBeGreaterThan(60_000);
  });

  it('moves the time the ACS runs on: a challenge left 10 minutes ends', async () => {
    const t = await start();
    const { ares, state } = await openChallenge(t, 'jcb-otp');
    expect((await move(t, { advanceSeconds: 601 })).status).toBe(200);
    await runScheduledWork(t.deps);
    const txn = (await t.deps.db.select().from(transactions).where(eq(transactions.acsTransID, ares.acsTransID)).get())!;
    expect(txn.finalTransStatus).toBe('N');
    expect(txn.finalTransStatusReason).toBe('14');
    const late = await submit(t, state!, 'demo-jcb', await latestOtp(t, ares.acsTransID));
    expect(finalCResOf(late.html).message?.transStatus).toBe('N');
  });

  it('refuses to move the system clock', async () => {
    const t = await start({ overrides: { clock: systemClock } });
    const res = await move(t, { advanceSeconds: 60 });
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: string }).error).toMatch(/cannot be moved/);
  });

  it.each([
    ['zero', { advanceSeconds: 0 }],
    ['backwards', { advanceSeconds: -60 }],
    ['a fraction', { advanceSeconds: 1.5 }],
    ['more than a day', { advanceSeconds: 86_401 }],
    ['a string', { advanceSeconds: '60' }],
    ['nothing', {}],
    ['not JSON', 'advanceSeconds=60'],
  ])('answers 400 for %s and leaves the clock alone', async (_, body) => {
    const t = await start();
    const before = t.clock.now();
    const res = await move(t, body);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ field: 'advanceSeconds' });
    expect(t.clock.now()).toBe(before);
  });

  it('takes JSON only (a cross-site form cannot move it)', async () => {
    const t = await start();
    const before = t.clock.now();
    expect((await move(t, '{"advanceSeconds":60}', 'text/plain')).status).toBe(415);
    expect((await move(t, 'advanceSeconds=60', 'application/x-www-form-urlencoded')).status).toBe(415);
    expect(t.clock.now()).toBe(before);
  });
});

describe('the merchant page', () => {
  it('offers every demo card and loads globalpayments-3ds from this server', async () => {
    const t = await start();
    const res = await t.app.request('/sandbox');
    const html = await res.text();
    for (const card of DEMO_CARDS) expect(html).toContain(`value="${card.pan}" data-key="${card.key}"`);
    expect(html).toContain('src="/static/vendor/globalpayments-3ds.min.js"');
    expect(res.headers.get('content-security-policy')).not.toContain('unsafe-inline');
  });

  it('hands the final CRes to its checkout page from the notification URL', async () => {
    const t = await start();
    const cres = { messageType: 'CRes', messageVersion: '2.2.0', threeDSServerTransID: crypto.randomUUID(), acsTransID: crypto.randomUUID(), transStatus: 'Y', challengeCompletionInd: 'Y' };
    const res = await postForm(t, '/sandbox/merchant/challenge-notification', { cres: encodeJsonBase64Url(cres), threeDSSessionData: 'abc' });
    const html = await res.text();
    const message = JSON.parse(/data-message="([^"]*)"/.exec(html)![1].replace(/&quot;/g, '"'));
    expect(message).toEqual(cres);
    const { messages } = (await (await t.app.request(`/sandbox/exchange/${cres.threeDSServerTransID}`, { headers: JSON_ONLY })).json()) as { messages: any[] };
    expect(messages).toHaveLength(1);
    expect(messages[0].body).toMatchObject({ transStatus: 'Y', threeDSSessionData: 'abc' });
    expect(decodeJsonBase64Url(encodeJsonBase64Url(cres)).ok).toBe(true);
  });
});

describe('what each demo card will do now (GET /sandbox/cards), and its reset', () => {
  type CardNow = { key: string; now: { state: string; notes: { ja: string; en: string }[]; resettable: boolean; failedAttempts: { count: number; limit: number } | null; sms: { count: number; limit: number; resetsAt: string } | null; velocity: { count: number; limit: number; frictionlessAgainAt: string | null } } };
  const cardsNow = async (t: TestApp) => Object.fromEntries(((await (await t.app.request('/sandbox/cards', { headers: JSON_ONLY })).json()) as CardNow[]).map((c) => [c.key, c.now]));
  const reset = (t: TestApp, key: string, headers: Record<string, string> = { origin: 'http://localhost' }) =>
    t.app.request(`/sandbox/cards/${key}/reset`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: '' });
  const frictionless = (t: TestApp, key: string) => postJson(t, '/3ds/areq', browserAReq({ pan: demoCard(key).pan, purchaseAmount: '1200' }));

  it('says every seeded card does as described, except the member seeded locked', async () => {
    const t = await start();
    const now = await cardsNow(t);
    expect(Object.keys(now)).toEqual(DEMO_CARDS.map((c) => c.key));
    for (const card of DEMO_CARDS) expect(now[card.key].state, card.key).toBe(card.key === 'visa-locked' ? 'locked' : 'as_described');
    expect(now['visa-locked'].resettable).toBe(false);
    expect(now['jcb-otp']).toMatchObject({ failedAttempts: { count: 0, limit: 5 }, sms: { count: 0, limit: 10 }, velocity: { count: 0, limit: 10, frictionlessAgainAt: null } });
  });

  it('shows a member locked by wrong codes as locked, and the reset unlocks it and its SMS count', async () => {
    const t = await start();
    const { state } = await openChallenge(t, 'jcb-otp');
    for (let i = 0; i < 5; i++) await submit(t, state!, 'demo-jcb', '000000');
    let now = (await cardsNow(t))['jcb-otp'];
    expect(now).toMatchObject({ state: 'locked', resettable: true, sms: { count: 1 } });
    expect(now.notes[0].en).toMatch(/^Locked after too many wrong entries/);
    const page = await (await t.app.request('/sandbox/cards')).text();
    expect(page).toMatch(/id="card-jcb-otp"[\s\S]*?data-state="locked"[\s\S]*?action="\/sandbox\/cards\/jcb-otp\/reset"/);

    const res = await reset(t, 'jcb-otp');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/sandbox/cards?reset=jcb-otp#card-jcb-otp');
    expect(await (await t.app.request('/sandbox/cards?reset=jcb-otp')).text()).toContain('jcb-otp を元に戻しました');
    now = (await cardsNow(t))['jcb-otp'];
    expect(now).toMatchObject({ state: 'as_described', resettable: false, failedAttempts: { count: 0 }, sms: { count: 0 } });
    // The ACS agrees: the next purchase is challenged again, not declined N/19.
    expect((await openChallenge(t, 'jcb-otp')).ares.transStatus).toBe('C');
    // A member seeded locked stays locked.
    await reset(t, 'visa-locked');
    expect((await cardsNow(t))['visa-locked'].state).toBe('locked');
  });

  it('shows the SMS limit of a phone reached, with when it frees up, as the challenge meets it', async () => {
    const t = await start({ env: { SMS_LIMIT_PER_PHONE: '2/1h', OTP_RESEND_COOLDOWN_SECONDS: '0' } });
    await openChallenge(t, 'visa-otp');
    await openChallenge(t, 'visa-otp');
    const now = (await cardsNow(t))['visa-otp'];
    expect(now).toMatchObject({ state: 'sms_limit', resettable: true, sms: { count: 2, limit: 2 } });
    // The fake clock starts at 03:00 UTC: the hour's window ends at 04:00 UTC, 13:00 in Tokyo.
    expect(now.sms!.resetsAt).toBe('2026-01-15T04:00:00.000Z');
    expect(now.notes[0].en).toBe('SMS limit of this phone reached (2 of 2): no code can be sent until 13:00');
    const third = await openChallenge(t, 'visa-otp');
    expect(await t.deps.db.select().from(smsOutbox).where(eq(smsOutbox.acsTransID, third.ares.acsTransID))).toHaveLength(0);
    await reset(t, 'visa-otp');
    expect((await cardsNow(t))['visa-otp']).toMatchObject({ state: 'as_described', sms: { count: 0 } });
  });

  it('shows the velocity rule about to challenge a frictionless card, as the ACS then does', async () => {
    const t = await start({ env: { VELOCITY_LIMIT_PER_HOUR: '3' } });
    for (let i = 0; i < 3; i++) {
      expect((await (await frictionless(t, 'mc-otp')).json()).transStatus).toBe('Y');
      t.clock.advance(60_000);
    }
    const now = (await cardsNow(t))['mc-otp'];
    expect(now).toMatchObject({ state: 'velocity', velocity: { count: 3, limit: 3 } });
    // The estimate spreads the previous hour's authentications evenly: 3 × (1 − f) rounds to 2 after 04:10.
    expect(now.velocity.frictionlessAgainAt).toBe('2026-01-15T04:10:00.001Z');
    expect((await (await frictionless(t, 'mc-otp')).json()).transStatus).toBe('C');
    // The challenged purchase counts too: 4 × (1 − f) rounds to 2 after 04:22:30.
    const later = (await cardsNow(t))['mc-otp'];
    expect(later.velocity).toEqual({ count: 4, limit: 3, frictionlessAgainAt: '2026-01-15T04:22:30.001Z' });
    t.clock.set(Date.parse(later.velocity.frictionlessAgainAt!) - 1);
    expect((await cardsNow(t))['mc-otp'].state).toBe('velocity');
    t.clock.set(Date.parse(later.velocity.frictionlessAgainAt!));
    expect((await cardsNow(t))['mc-otp'].state).toBe('as_described');
    expect((await (await frictionless(t, 'mc-otp')).json()).transStatus).toBe('Y');
  });

  it('keeps the README walkthrough on one card below the sandbox limits (development)', async () => {
    const t = await start({ env: { NODE_ENV: 'development', OTP_RESEND_COOLDOWN_SECONDS: '0' } });
    expect(t.deps.config).toMatchObject({ SMS_LIMIT_PER_PHONE: { max: 50, windowMs: 3_600_000 }, VELOCITY_LIMIT_PER_HOUR: 50 });
    // Frictionless, challenged, a wrong code, each of the five window sizes and a phone width, the DS modes: on jcb-otp.
    for (let i = 0; i < 4; i++) expect((await (await frictionless(t, 'jcb-otp')).json()).transStatus).toBe('Y');
    for (const windowSize of ['01', '02', '03', '04', '05', '02', '05', '05', '05', '05', '05', '05']) {
      const { ares, state } = await openChallenge(t, 'jcb-otp', { windowSize });
      const done = await submit(t, state!, 'demo-jcb', await latestOtp(t, ares.acsTransID));
      expect(finalCResOf(done.html).message?.transStatus).toBe('Y');
      t.clock.advance(60_000);
    }
    expect((await (await frictionless(t, 'jcb-otp')).json()).transStatus).toBe('Y');
    expect((await cardsNow(t))['jcb-otp'].state).toBe('as_described');
    const page = await (await t.app.request('/sandbox/cards')).text();
    expect(page).toContain('SMSは携帯番号ごとに1時間に50通');
    expect(page).toContain('50 authentications per card per hour');
  });

  it('sizes the limits for the sandbox only in development with the sandbox on, and never over a value that is set', () => {
    const secrets = TEST_SECRETS;
    expect(parseConfig({ NODE_ENV: 'development', ...secrets })).toMatchObject({ SMS_LIMIT_PER_PHONE: { max: 50 }, SMS_LIMIT_PER_IP: { max: 200 }, VELOCITY_LIMIT_PER_HOUR: 50 });
    expect(parseConfig({ NODE_ENV: 'development', SMS_LIMIT_PER_PHONE: '3/10m', ...secrets }).SMS_LIMIT_PER_PHONE).toEqual({ max: 3, windowMs: 600_000 });
    expect(parseConfig({ NODE_ENV: 'development', SANDBOX: 'false', ...secrets })).toMatchObject({ SMS_LIMIT_PER_PHONE: { max: 10 }, VELOCITY_LIMIT_PER_HOUR: 10 });
    expect(parseConfig({ NODE_ENV: 'test', ...secrets })).toMatchObject({ SMS_LIMIT_PER_PHONE: { max: 10 }, VELOCITY_LIMIT_PER_HOUR: 10 });
    const production = parseConfig({ NODE_ENV: 'production', PUBLIC_URL: 'https://acs.example.jp', ...secrets });
    expect(production).toMatchObject({ SMS_LIMIT_PER_PHONE: { max: 10 }, SMS_LIMIT_PER_IP: { max: 30 }, VELOCITY_LIMIT_PER_HOUR: 10 });
  });

  it('resets only on a same-origin post, and answers an unknown card with 404', async () => {
    const t = await start();
    const { state } = await openChallenge(t, 'jcb-otp');
    for (let i = 0; i < 5; i++) await submit(t, state!, 'demo-jcb', '000000');
    expect((await reset(t, 'jcb-otp', { origin: 'https://evil.example' })).status).toBe(403);
    expect((await cardsNow(t))['jcb-otp'].state).toBe('locked');
    expect((await reset(t, 'no-such-card')).status).toBe(404);
    const json = await reset(t, 'jcb-otp', { origin: 'http://localhost', accept: 'application/json' });
    expect(await json.json()).toMatchObject({ key: 'jcb-otp', reset: true, now: { state: 'as_described' } });
  });
});

describe("times on the sandbox's pages, in the issuer's time zone", () => {
  it('shows the SMS outbox in Asia/Tokyo by default, and JSON in UTC', async () => {
    const t = await start();
    await openChallenge(t, 'jcb-otp'); // the fake clock: 2026-01-15 03:00 UTC
    const html = await (await t.app.request('/sandbox/sms')).text();
    expect(html).toContain('<time datetime="2026-01-15T03:00:00.000Z">2026-01-15 12:00:00 (Asia/Tokyo)</time>');
    expect(html).not.toContain('UTC');
    const [row] = (await (await t.app.request('/sandbox/sms', { headers: JSON_ONLY })).json()) as { createdAt: string }[];
    expect(row.createdAt).toBe('2026-01-15T03:00:00.000Z');
  });

  it('follows ISSUER_TIME_ZONE, and refuses a zone that does not exist', async () => {
    const t = await start({ seed: false, env: { ISSUER_TIME_ZONE: 'America/New_York' } });
    await t.deps.mailer.send({ to: 'member@example.jp', subject: '登録のご案内', body: 'ようこそ' });
    const html = await (await t.app.request('/sandbox/mail')).text();
    expect(html).toContain('2026-01-14 22:00:00 (America/New_York)');
    expect(() => parseConfig({ ISSUER_TIME_ZONE: 'Asia/Nowhere', ...TEST_SECRETS })).toThrow('Invalid configuration: ISSUER_TIME_ZONE must be an IANA time zone such as Asia/Tokyo');
  });

  it('answers the mail outbox as JSON: recipient, sender, subject, body, createdAt, newest first', async () => {
    const t = await start();
    await t.deps.mailer.send({ to: 'a@example.jp', subject: 'first', body: 'one' });
    t.clock.advance(1000);
    await t.deps.mailer.send({ to: 'b@example.jp', from: 'Kitaguni Card <no-reply@kita.example>', subject: 'second', body: 'two' });
    const rows = (await (await t.app.request('/sandbox/mail', { headers: JSON_ONLY })).json()) as Record<string, unknown>[];
    expect(rows.map(({ id: _id, ...r }) => r)).toEqual([
      { recipient: 'b@example.jp', sender: 'Kitaguni Card <no-reply@kita.example>', subject: 'second', body: 'two', createdAt: '2026-01-15T03:00:01.000Z' },
      { recipient: 'a@example.jp', sender: null, subject: 'first', body: 'one', createdAt: '2026-01-15T03:00:00.000Z' },
    ]);
  });

  it("gives each message of an exchange its time in the issuer's zone", async () => {
    const t = await start();
    const id = crypto.randomUUID();
    const rreqBody = buildRReq({ messageVersion: '2.2.0', threeDSServerTransID: id, acsTransID: crypto.randomUUID(), dsTransID: crypto.randomUUID(), messageCategory: '01', interactionCounter: 1, transStatus: 'N', transStatusReason: '01', authenticationType: '02' });
    await postJson(t, '/sandbox/ds/rreq?mode=ok', rreqBody);
    const seen = (await (await t.app.request(`/sandbox/exchange/${id}`, { headers: JSON_ONLY })).json()) as { timeZone: string; messages: { messageType: string; time: string }[] };
    expect(seen.timeZone).toBe('Asia/Tokyo');
    expect(seen.messages.map((m) => [m.messageType, m.time])).toEqual([
      ['RReq', '2026-01-15 12:00:00'],
      ['RRes', '2026-01-15 12:00:00'],
    ]);
  });
});

describe('when the sandbox is off', () => {
  it('is not there at all (404), pages and machine routes alike', async () => {
    const t = await start({ env: { SANDBOX: 'false' } });
    for (const path of ['/sandbox', '/sandbox/sms', '/sandbox/mail', '/sandbox/cards', `/sandbox/exchange/${crypto.randomUUID()}`]) {
      expect((await t.app.request(path)).status, path).toBe(404);
      expect((await t.app.request(path, { headers: JSON_ONLY })).status, path).toBe(404);
    }
    for (const path of ['/sandbox/ds/rreq', '/sandbox/clock', '/sandbox/cards/jcb-otp/reset', '/sandbox/merchant/check-version', '/sandbox/merchant/initiate-authentication', '/sandbox/merchant/challenge-notification']) {
      expect((await postJson(t, path, {})).status, path).toBe(404);
    }
    const before = t.clock.now();
    await postJson(t, '/sandbox/clock', { advanceSeconds: 60 });
    expect(t.clock.now()).toBe(before);
    expect((await t.app.request('/')).status).toBe(200);
    expect(await (await t.app.request('/')).text()).not.toContain('href="/sandbox"');
  });

  it('cannot be turned on in production', () => {
    const production = { NODE_ENV: 'production', PUBLIC_URL: 'https://acs.example.jp', ...TEST_SECRETS };
    expect(() => parseConfig({ ...production, SANDBOX: 'true' })).toThrow(ConfigError);
    expect(() => parseConfig({ ...production, SANDBOX: 'true' })).toThrow(/SANDBOX/);
    expect(parseConfig(production).SANDBOX).toBe(false);
  });
});
