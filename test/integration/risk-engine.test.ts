/**
 * The risk engine on the AReq (issue 16): a published rule set decides, the signals come from the
 * AReq, the 3DS Method and the card's history, the history moves on with each AReq and with each
 * challenge's end, and every transaction keeps its rule-set version and explanation. Real app,
 * real libSQL, the injected clock.
 */
import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { cardRiskState, cardSeen, issuers, riskRuleSets, transactions } from '../../src/db/schema.ts';
import { encodeJsonBase64Url } from '../../src/protocol/base64url.ts';
import type { RiskDetail } from '../../src/risk/detail.ts';
import { forgetRuleSets } from '../../src/risk/engine.ts';
import type { RiskProvider } from '../../src/risk/provider.ts';
import type { Rule } from '../../src/risk/rules/rule-set.ts';
import { cumulativeFrictionlessSpend, maxConsecutiveFrictionless } from '../../src/risk/rules/templates.ts';
import { forgetIssuerSettings, issuerSettingsForPan } from '../../src/issuers/settings.ts';
import { demoCard } from '../../src/sandbox/demo-issuer.ts';
import { runScheduledWork } from '../../src/services.ts';
import { browserAReq, postAReq, type AReqOptions } from '../support/areq.ts';
import { reply, startProviderServer, type ProviderServer } from '../support/provider-server.ts';
import { createTestApp } from '../support/test-app.ts';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
const open: TestApp[] = [];
const servers: ProviderServer[] = [];
afterEach(async () => {
  while (open.length) open.pop()!.close();
  while (servers.length) await servers.pop()!.close();
});
async function start(options: Parameters<typeof createTestApp>[0] = {}) {
  const t = await createTestApp({ seed: true, ...options });
  open.push(t);
  return t;
}

const NEW_DEVICE_BIG: Rule = {
  id: 'new-device-big',
  name: { ja: '新しい端末で ¥10,000以上', en: 'new device and amount ≥ ¥10,000' },
  enabled: true,
  when: { all: [{ signal: 'device.newDevice', op: 'eq', value: true }, { signal: 'purchase.amountHome', op: 'gte', value: 10000 }] },
  then: { decide: 'challenge' },
};

/** Publishes `rules` as the issuer's next version, as the risk console would, and forgets the cached set. */
async function publish(t: TestApp, pan: string, rules: Rule[], version = 1) {
  const issuer = await issuerSettingsForPan(t.deps, pan);
  const now = t.clock.now();
  await t.deps.db.insert(riskRuleSets).values({
    issuerId: issuer.id,
    version,
    state: 'published',
    ruleSet: { version, rules, bands: { challengeFrom: 30, rejectFrom: 70 } },
    createdAt: now,
    updatedAt: now,
    publishedAt: now,
  });
  forgetRuleSets(t.deps.db);
  return issuer;
}

async function areq(t: TestApp, o: AReqOptions) {
  const res = await postAReq(t.app, browserAReq(o));
  const ares = await res.json();
  expect(ares.messageType).toBe('ARes');
  return ares as { transStatus: string; transStatusReason?: string; acsTransID: string };
}

async function row(t: TestApp, acsTransID: string) {
  return (await t.deps.db.select().from(transactions).where(eq(transactions.acsTransID, acsTransID)).get())!;
}
const detailOf = async (t: TestApp, acsTransID: string) => (await row(t, acsTransID)).riskDetail as unknown as RiskDetail | null;

const UA_IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Version/17.0 Mobile/15E148 Safari/604.1';
const UA_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36';

/** The 3DS Method in a browser: the method page, then its script's collect call with the browser's properties. */
async function runMethod(t: TestApp, threeDSServerTransID: string, userAgent: string, props: Record<string, unknown>) {
  const field = encodeJsonBase64Url({ threeDSServerTransID, threeDSMethodNotificationURL: 'https://merchant.example.test/3ds/method-done' });
  const html = await (
    await t.app.request('/3ds/method', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': userAgent, 'accept-language': 'ja-JP' },
      body: new URLSearchParams({ threeDSMethodData: field }),
    })
  ).text();
  const token = /data-token="([^"]+)"/.exec(html)![1];
  const collected = await t.app.request('/3ds/method/collect', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ threeDSServerTransID, token, props: JSON.stringify(props) }),
  });
  expect(collected.status).toBe(204);
}

const PHONE = { screenWidth: 390, screenHeight: 844, colorDepth: 24, timeZoneOffset: -540, languages: ['ja-JP'] };
const DESKTOP = { screenWidth: 1920, screenHeight: 1080, colorDepth: 24, timeZoneOffset: -540, languages: ['ja-JP'] };

describe('a published rule set', () => {
  it('new device + ¥10,000 → challenge: the first AReq from a new browser is challenged, a repeat from it is not', async () => {
    const t = await start();
    const pan = demoCard('jcb-otp').pan;
    await publish(t, pan, [NEW_DEVICE_BIG]);

    const first = crypto.randomUUID();
    await runMethod(t, first, UA_IPHONE, PHONE);
    const challenged = await areq(t, { pan, purchaseAmount: '12000', threeDSServerTransID: first, threeDSCompInd: 'Y' });
    expect(challenged.transStatus).toBe('C');
    const stored = await row(t, challenged.acsTransID);
    expect(stored.riskVersion).toBe(1);
    const detail = (stored.riskDetail as unknown as RiskDetail)!;
    expect(detail).toMatchObject({ version: 1, assessment: { outcome: 'challenge', decidedBy: 'new-device-big' }, provider: { status: 'not_configured' } });
    expect(detail.signals).toMatchObject({ 'device.newDevice': true, 'purchase.amountHome': 12000, 'device.methodCompleted': true, 'cardholder.registered': true });
    expect(detail.explanation).toEqual({ ja: '新しい端末で ¥10,000以上 → 認証画面', en: 'new device and amount ≥ ¥10,000 → challenge' });
    expect(JSON.parse(stored.riskReasons!)).toEqual(['new device and amount ≥ ¥10,000 → challenge']);

    // The same phone again (a new 3DS Method run): seen before, frictionless.
    const again = crypto.randomUUID();
    t.clock.advance(60_000);
    await runMethod(t, again, UA_IPHONE, PHONE);
    const repeat = await areq(t, { pan, purchaseAmount: '12000', threeDSServerTransID: again, threeDSCompInd: 'Y' });
    expect(repeat.transStatus).toBe('Y');
    expect((await detailOf(t, repeat.acsTransID))!.signals['device.newDevice']).toBe(false);

    // A desktop browser is another device: challenged again; a small amount from it is not.
    const desk = crypto.randomUUID();
    await runMethod(t, desk, UA_WINDOWS, DESKTOP);
    expect((await areq(t, { pan, purchaseAmount: '12000', threeDSServerTransID: desk, threeDSCompInd: 'Y' })).transStatus).toBe('C');
    const desk2 = crypto.randomUUID();
    await runMethod(t, desk2, UA_WINDOWS, { ...DESKTOP, screenWidth: 1280, screenHeight: 800 });
    expect((await areq(t, { pan, purchaseAmount: '9000', threeDSServerTransID: desk2, threeDSCompInd: 'Y' })).transStatus).toBe('Y');

    // Kept as keyed hashes, never the properties themselves.
    const seen = await t.deps.db.select().from(cardSeen).where(eq(cardSeen.kind, 'device'));
    expect(seen).toHaveLength(3);
    for (const s of seen) expect(s.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('without a 3DS Method, the AReq’s browser fields make the device key; another network is a new IP prefix, not a new device', async () => {
    const t = await start();
    const pan = demoCard('visa-otp').pan;
    await publish(t, pan, [NEW_DEVICE_BIG]);
    expect((await areq(t, { pan, purchaseAmount: '15000' })).transStatus).toBe('C');
    const same = await areq(t, { pan, purchaseAmount: '15000', extra: { browserIP: '192.0.2.200' } });
    expect(same.transStatus).toBe('Y');
    expect((await detailOf(t, same.acsTransID))!.signals).toMatchObject({ 'device.newDevice': false, 'device.newIpPrefix': false, 'device.methodCompleted': false });
    const elsewhere = await areq(t, { pan, purchaseAmount: '15000', extra: { browserIP: '198.51.100.7' } });
    expect(elsewhere.transStatus).toBe('Y');
    expect((await detailOf(t, elsewhere.acsTransID))!.signals).toMatchObject({ 'device.newDevice': false, 'device.newIpPrefix': true, 'device.tzMismatch': false });
  });

  it('a reject rule answers R with its reason; version 0 (the defaults) when none is published', async () => {
    const t = await start();
    const pan = demoCard('jcb-otp').pan;
    const before = await areq(t, { pan });
    expect(before.transStatus).toBe('Y');
    expect(await row(t, before.acsTransID)).toMatchObject({ riskVersion: 0 });
    expect((await detailOf(t, before.acsTransID))!.explanation.en).toBe('no rule matched; score 0 → frictionless');

    await publish(t, pan, [
      { id: 'deny', name: 'merchant deny list', enabled: true, when: { signal: 'purchase.acquirerMerchantId', op: 'in', value: ['MERCHANT-0001'] }, then: { decide: 'reject', reasonCode: '09' } },
    ]);
    const refused = await areq(t, { pan });
    expect(refused).toMatchObject({ transStatus: 'R', transStatusReason: '09' });
    expect((await detailOf(t, refused.acsTransID))!.assessment).toMatchObject({ outcome: 'reject', reasonCode: '09', decidedBy: 'deny' });
  });
});

describe('history counters', () => {
  it('velocity across AReqs: over the issuer’s hourly limit → challenge, and frictionless again once the hour has passed', async () => {
    const t = await start();
    const pan = demoCard('mc-otp').pan;
    const issuer = await issuerSettingsForPan(t.deps, pan);
    await t.deps.db.update(issuers).set({ velocityLimitPerHour: 3 }).where(eq(issuers.id, issuer.id));
    forgetIssuerSettings(t.deps.db);

    const answers: string[] = [];
    for (let i = 0; i < 4; i++) {
      answers.push((await areq(t, { pan })).transStatus);
      t.clock.advance(60_000);
    }
    expect(answers).toEqual(['Y', 'Y', 'Y', 'C']);
    const last = await t.deps.db.select().from(transactions).where(eq(transactions.transStatus, 'C')).get();
    expect((last!.riskDetail as unknown as RiskDetail).signals['history.auths1h']).toBe(4);
    expect(JSON.parse(last!.riskReasons!)).toEqual(['more than 3 authentications in 1 h → challenge']);

    t.clock.advance(2 * 60 * 60 * 1000);
    const later = await areq(t, { pan });
    expect(later.transStatus).toBe('Y');
    expect((await detailOf(t, later.acsTransID))!.signals).toMatchObject({ 'history.auths1h': 1, 'history.auths24h': 5 });
  });

  it('PSD2 low value: consecutive frictionless are capped and a challenge resets them; so is the cumulative amount', async () => {
    const t = await start();
    const pan = demoCard('jcb-otp').pan;
    await publish(t, pan, [maxConsecutiveFrictionless({ max: 3 }), cumulativeFrictionlessSpend({ amount: 5000 })]);

    const seq: string[] = [];
    for (let i = 0; i < 5; i++) seq.push((await areq(t, { pan, purchaseAmount: '1000' })).transStatus);
    // Three in a row, the fourth challenged (count 3), and the count starts again after it.
    expect(seq).toEqual(['Y', 'Y', 'Y', 'C', 'Y']);
    const state = (await t.deps.db.select().from(cardRiskState).get())!;
    expect(state).toMatchObject({ consecutiveFrictionless: 1, frictionlessAmountHome: 1000 });

    // The amount, on another card: ¥3,000 + ¥3,000 frictionless, so the third sees ¥6,000 before it.
    const visa = demoCard('visa-otp').pan;
    const spend: string[] = [];
    let third = '';
    for (const amount of ['3000', '3000', '100', '100']) {
      const ares = await areq(t, { pan: visa, purchaseAmount: amount });
      spend.push(ares.transStatus);
      if (spend.length === 3) third = ares.acsTransID;
    }
    expect(spend).toEqual(['Y', 'Y', 'C', 'Y']);
    expect((await detailOf(t, third))!).toMatchObject({
      signals: { 'history.frictionlessAmountHome': 6000, 'history.consecutiveFrictionless': 2 },
      explanation: { en: 'frictionless spend ≥ ¥5,000 → challenge' },
    });
  });

  it('an abandoned challenge counts as failed in the next AReq’s signals; distinct merchants are counted per day', async () => {
    const t = await start();
    const pan = demoCard('visa-otp').pan;
    const c = await areq(t, { pan, purchaseAmount: '50000', merchantName: 'A' });
    expect(c.transStatus).toBe('C');
    t.clock.advance(31_000);
    await runScheduledWork(t.deps); // no CReq within 30 s: N/14
    expect((await row(t, c.acsTransID)).finalTransStatus).toBe('N');
    expect((await t.deps.db.select().from(cardRiskState).get())!).toMatchObject({ failedChallengesDayCount: 1, consecutiveFrictionless: 0 });

    const next = await areq(t, { pan, extra: { acquirerMerchantID: 'MERCHANT-0002' } });
    expect((await detailOf(t, next.acsTransID))!.signals).toMatchObject({ 'history.failedChallenges24h': 1, 'history.merchants24h': 2, 'history.auths1h': 2 });
    const same = await areq(t, { pan, extra: { acquirerMerchantID: 'MERCHANT-0002' } });
    expect((await detailOf(t, same.acsTransID))!.signals['history.merchants24h']).toBe(2);
    t.clock.advance(25 * 60 * 60 * 1000);
    const dayLater = await areq(t, { pan });
    expect((await detailOf(t, dayLater.acsTransID))!.signals).toMatchObject({ 'history.failedChallenges24h': 0, 'history.merchants24h': 1 });
  });

  it('a replayed AReq counts nothing twice', async () => {
    const t = await start();
    const pan = demoCard('jcb-otp').pan;
    const body = browserAReq({ pan });
    await postAReq(t.app, body);
    await postAReq(t.app, body);
    expect((await t.deps.db.select().from(cardRiskState).get())!).toMatchObject({ hourCount: 1, dayCount: 1, consecutiveFrictionless: 1 });
    expect((await t.deps.db.select().from(cardSeen).where(eq(cardSeen.kind, 'merchant')).get())!.count).toBe(1);
  });
});

describe('who is assessed', () => {
  it('a card whose holder is not registered is assessed and kept, and still answered as before (registration guidance)', async () => {
    const t = await start();
    const ares = await areq(t, { pan: demoCard('visa-unregistered').pan });
    expect(ares.transStatus).toBe('C');
    const stored = await row(t, ares.acsTransID);
    expect(stored.challengeMethod).toBe('guidance_register');
    expect(stored.riskVersion).toBe(0);
    const signals = (stored.riskDetail as unknown as RiskDetail).signals;
    expect(signals).toMatchObject({ 'cardholder.registered': false, 'history.auths1h': 1 });
    // What a non-member cannot have is unknown: left out of the stored signals.
    expect(signals).not.toHaveProperty('cardholder.authMethod');
    expect(signals).not.toHaveProperty('history.notMe90d');
  });

  it('an injected provider that throws still gives the fail-closed outcome, with no detail stored', async () => {
    const failing: RiskProvider = { name: 'broken', assess: async () => Promise.reject(new Error('down')) };
    const t = await start({ overrides: { risk: failing } });
    const ares = await areq(t, { pan: demoCard('jcb-otp').pan });
    expect(ares.transStatus).toBe('C');
    expect(await row(t, ares.acsTransID)).toMatchObject({ riskDetail: null, riskVersion: null, riskScore: null });
    // The history still counts the AReq.
    expect((await t.deps.db.select().from(cardRiskState).get())!.hourCount).toBe(1);
  });

  it('the provider’s score is a signal the rules add up; its failure is "unavailable", which a rule can challenge', async () => {
    const provider = await startProviderServer(() => reply.json(200, { result: { score: 55, reasons: ['R1'] } }));
    servers.push(provider);
    const t = await start({ env: { RISK_PROVIDER_SECRETS: JSON.stringify({ TOKEN: 'Bearer t' }) } });
    const pan = demoCard('jcb-otp').pan;
    const issuer = await issuerSettingsForPan(t.deps, pan);
    await t.deps.db
      .update(issuers)
      .set({ riskProvider: { url: `${provider.origin}/score`, secretEnv: 'TOKEN', fields: ['acsTransID'], scorePath: 'result.score', reasonsPath: 'result.reasons', timeoutMs: 1000 } })
      .where(eq(issuers.id, issuer.id));
    forgetIssuerSettings(t.deps.db);
    await publish(t, pan, [
      { id: 'provider-50', name: { ja: '外部スコア 50 以上', en: 'provider score ≥ 50' }, enabled: true, when: { signal: 'provider.score', op: 'gte', value: 50 }, then: { score: 40 } },
      { id: 'provider-down', name: { ja: '外部サービス応答なし', en: 'provider unavailable' }, enabled: true, when: { signal: 'provider.available', op: 'eq', value: false }, then: { decide: 'challenge' } },
    ]);

    const scored = await areq(t, { pan });
    expect(scored.transStatus).toBe('C');
    expect((await detailOf(t, scored.acsTransID))!).toMatchObject({
      signals: { 'provider.score': 55, 'provider.available': true, 'provider.reasons': ['R1'] },
      provider: { status: 'answered', score: 55 },
      explanation: { en: 'provider score ≥ 50 +40; score 40 → challenge' },
    });

    provider.setDefault(() => reply.json(200, { result: { score: 5 } }));
    expect((await areq(t, { pan })).transStatus).toBe('Y');

    provider.setDefault(() => reply.json(503, { error: 'down' }));
    const down = await areq(t, { pan });
    expect(down.transStatus).toBe('C');
    const detail = (await detailOf(t, down.acsTransID))!;
    expect(detail).toMatchObject({ signals: { 'provider.available': false }, assessment: { decidedBy: 'provider-down' } });
    expect(detail.signals).not.toHaveProperty('provider.score');
  });
});
