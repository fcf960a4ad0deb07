/**
 * The external fraud-detection provider adapter against a real local HTTP provider that records
 * what it receives, on real libSQL: exactly the configured fields go out (never the card number),
 * with the credential from RISK_PROVIDER_SECRETS; a silent provider times out; retries are off by
 * default; the per-issuer breaker opens after consecutive failures and half-opens after the
 * cool-down (fake clock); an opted-out cardholder causes no request at all.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { issuers, riskProviderBreaker } from '../../src/db/schema.ts';
import { forgetIssuerSettings, issuerSettings } from '../../src/issuers/settings.ts';
import { consultProvider, type ProviderFacts } from '../../src/risk/fraud-provider.ts';
import { DEFAULT_FIELDS, parseProviderConfig } from '../../src/risk/provider-config.ts';
import type { Signals } from '../../src/risk/rules/signals.ts';
import { demoCard } from '../../src/sandbox/demo-issuer.ts';
import { browserAReq } from '../support/areq.ts';
import { reply, startProviderServer, type ProviderServer } from '../support/provider-server.ts';
import { createTestApp } from '../support/test-app.ts';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
const apps: TestApp[] = [];
const servers: ProviderServer[] = [];
afterEach(async () => {
  while (apps.length) apps.pop()!.close();
  while (servers.length) await servers.pop()!.close();
});

const TOKEN = 'Bearer provider-token-0123456789';
const PAN = demoCard('jcb-otp').pan;

async function setup(provider: Record<string, unknown>, env: Record<string, string> = {}) {
  const server = await startProviderServer(() => reply.json(200, { result: { score: 42, reasons: ['R1', 'R2'] } }));
  servers.push(server);
  const t = await createTestApp({ seed: true, env: { RISK_PROVIDER_SECRETS: JSON.stringify({ TM_TOKEN: TOKEN }), ...env } });
  apps.push(t);
  const first = await issuerSettings(t.deps, null);
  await t.deps.db.update(issuers).set({ riskProvider: { url: `${server.origin}/score`, ...provider } }).where(eq(issuers.id, first.id));
  forgetIssuerSettings(t.deps.db);
  const facts = async (overrides: Partial<ProviderFacts> = {}): Promise<ProviderFacts> => ({
    issuer: await issuerSettings(t.deps, first.id),
    signals: SIGNALS,
    areq: browserAReq({ pan: PAN, purchaseAmount: '12345', extra: { cardholderName: 'YAMADA TARO', email: 'taro@example.test', mobilePhone: { cc: '81', subscriber: '9012345678' } } }),
    acsTransID: '8a880dc0-d2d2-4067-bcb1-b08d1690b26e',
    ...overrides,
  });
  return { t, server, facts, issuerId: first.id };
}

const SIGNALS: Signals = {
  'purchase.amountHome': 12345,
  'device.newDevice': true,
  'history.auths1h': 3,
  'cardholder.daysSincePhoneChange': 2,
  'cardholder.dataSharingOptOut': false,
};

const logsOf = (t: TestApp) => t.logs.join('\n');

describe('what is sent', () => {
  it('posts exactly the configured fields with the credential from the environment, and reads score and reasons by path', async () => {
    const { t, server, facts } = await setup({
      authHeader: 'X-Api-Key',
      secretEnv: 'TM_TOKEN',
      fields: ['acsTransID', 'purchaseAmount', 'purchaseCurrency', 'merchantName', 'browserIP', 'device.newDevice', 'history.auths1h'],
      scorePath: 'result.score',
      reasonsPath: 'result.reasons',
    });
    const answer = await consultProvider(t.deps, await facts(), false);
    expect(answer).toMatchObject({ status: 'answered', score: 42, reasons: ['R1', 'R2'] });
    expect(server.requests).toHaveLength(1);
    const [req] = server.requests;
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/score');
    expect(req.headers['x-api-key']).toBe(TOKEN);
    expect(req.headers['content-type']).toBe('application/json');
    expect(JSON.parse(req.body)).toEqual({
      acsTransID: '8a880dc0-d2d2-4067-bcb1-b08d1690b26e',
      purchaseAmount: '12345',
      purchaseCurrency: '392',
      merchantName: 'まもりストア',
      browserIP: '192.0.2.10',
      'device.newDevice': true,
      'history.auths1h': 3,
    });
    // Never the card number, in any form, nor the cardholder's contact data.
    expect(req.body).not.toContain(PAN);
    expect(req.body.replace(/\D/g, '')).not.toContain(PAN);
    expect(req.body).not.toMatch(/YAMADA|taro@|9012345678/);
    // The log says what happened, without the secret or any shared value.
    const logs = logsOf(t);
    expect(logs).toContain('risk provider answered');
    expect(logs).not.toContain('provider-token');
    expect(logs).not.toContain('192.0.2.10');
    expect(logs).not.toContain('まもりストア');
  });

  it('sends the default fields when none are chosen, and no auth header without a secret name', async () => {
    const { t, server, facts } = await setup({});
    expect(await consultProvider(t.deps, await facts(), false)).toMatchObject({ status: 'unavailable' }); // no "score" at the default path
    const body = JSON.parse(server.requests[0].body) as Record<string, unknown>;
    const expected = ['acsTransID', 'messageCategory', 'deviceChannel', 'transType', 'purchaseAmount', 'purchaseCurrency', 'purchaseExponent', 'purchaseDate', 'merchantName', 'mcc', 'merchantCountryCode', 'acquirerBIN', 'acquirerMerchantID', 'purchase.amountHome', 'device.newDevice', 'history.auths1h'];
    expect(Object.keys(body).sort()).toEqual(expected.sort());
    expect(expected.every((f) => DEFAULT_FIELDS.includes(f))).toBe(true);
    expect(body).not.toHaveProperty('browserIP');
    expect(body).not.toHaveProperty('browserUserAgent');
    expect(server.requests[0].headers.authorization).toBeUndefined();
  });

  it('refuses to be configured to share the card number or the cardholder’s contact data', () => {
    for (const field of ['acctNumber', 'cardholderName', 'email', 'mobilePhone', 'billAddrLine1', 'cardholder.dataSharingOptOut']) {
      const read = parseProviderConfig({ url: 'https://p.example.test/score', fields: [field] }, false);
      expect(read).toEqual({ ok: false, errors: [{ path: 'fields.0', message: `"${field}" is never shared with the provider` }] });
    }
    expect(parseProviderConfig({ url: 'https://p.example.test/score', fields: ['nonsense'] }, false)).toMatchObject({ ok: false, errors: [{ path: 'fields.0' }] });
    expect(parseProviderConfig({ url: 'http://p.example.test/score' }, true)).toEqual({ ok: false, errors: [{ path: 'url', message: 'must be https in production' }] });
    expect(parseProviderConfig({ url: 'http://p.example.test/score' }, false)).toMatchObject({ ok: true, config: { timeoutMs: 300, retries: 0, enabled: true } });
    expect(parseProviderConfig({ url: 'https://p.example.test/score', timeoutMs: 10, extra: 1 }, false)).toMatchObject({ ok: false });
  });

  it('does not call when the credential it names is not in RISK_PROVIDER_SECRETS', async () => {
    const { t, server, facts } = await setup({ secretEnv: 'NOT_SET' });
    expect(await consultProvider(t.deps, await facts(), false)).toEqual({ status: 'unavailable' });
    expect(server.requests).toHaveLength(0);
  });
});

describe('the opt-out and the settings', () => {
  it('sends nothing at all for an opted-out cardholder', async () => {
    const { t, server, facts } = await setup({ secretEnv: 'TM_TOKEN', scorePath: 'result.score' });
    for (let i = 0; i < 3; i++) expect(await consultProvider(t.deps, await facts(), true)).toEqual({ status: 'opted_out' });
    expect(server.requests).toHaveLength(0);
    // The same facts for a cardholder who did not opt out do go out: the test above can fail.
    expect((await consultProvider(t.deps, await facts(), false)).status).toBe('answered');
    expect(server.requests).toHaveLength(1);
  });

  it('is not configured without settings, or when they are disabled; unavailable (no call) when they are not valid', async () => {
    const { t, server, facts, issuerId } = await setup({ enabled: false });
    expect(await consultProvider(t.deps, await facts(), false)).toEqual({ status: 'not_configured' });
    await t.deps.db.update(issuers).set({ riskProvider: null }).where(eq(issuers.id, issuerId));
    forgetIssuerSettings(t.deps.db);
    expect(await consultProvider(t.deps, await facts(), false)).toEqual({ status: 'not_configured' });
    await t.deps.db.update(issuers).set({ riskProvider: { url: `${server.origin}/score`, fields: ['acctNumber'] } }).where(eq(issuers.id, issuerId));
    forgetIssuerSettings(t.deps.db);
    expect(await consultProvider(t.deps, await facts(), false)).toEqual({ status: 'unavailable' });
    expect(server.requests).toHaveLength(0);
    expect(logsOf(t)).toContain('"fields.0: \\"acctNumber\\" is never shared with the provider"');
  });
});

describe('failures', () => {
  it('times out a provider that never answers, within the configured time, and retries not at all by default', async () => {
    const { t, server, facts } = await setup({ timeoutMs: 100, scorePath: 'result.score' });
    server.setDefault(() => reply.hold());
    expect((await consultProvider(t.deps, await facts(), false)).status).toBe('timeout');
    expect(server.requests).toHaveLength(1);
  });

  it('retries as configured, and an answer on the retry counts', async () => {
    const { t, server, facts } = await setup({ retries: 2, scorePath: 'result.score' });
    server.queue(reply.json(503, { down: true }), reply.garbage());
    expect(await consultProvider(t.deps, await facts(), false)).toMatchObject({ status: 'answered', score: 42 });
    expect(server.requests).toHaveLength(3);
  });

  it('says unavailable for an error status, an answer that is not JSON, a score outside 0–100, or a redirect', async () => {
    const { t, server, facts } = await setup({ scorePath: 'result.score' });
    server.queue(reply.json(500, { error: 'x' }), reply.text(200, '<html>'), reply.json(200, { result: { score: 180 } }), reply.json(307, { result: { score: 1 } }), reply.json(200, { result: { score: '87', reasons: 'not a list' } }));
    for (let i = 0; i < 4; i++) expect(await consultProvider(t.deps, await facts(), false)).toMatchObject({ status: 'unavailable' });
    expect(await consultProvider(t.deps, await facts(), false)).toMatchObject({ status: 'answered', score: 87, reasons: [] });
  });

  it('opens the breaker after 5 consecutive failures, then no call until the cool-down; one probe at a time; a good probe closes it', async () => {
    const { t, server, facts, issuerId } = await setup({ scorePath: 'result.score', timeoutMs: 200 });
    server.setDefault(() => reply.json(503, { down: true }));
    for (let i = 0; i < 5; i++) expect((await consultProvider(t.deps, await facts(), false)).status).toBe('unavailable');
    expect(server.requests).toHaveLength(5);
    const row = await t.deps.db.select().from(riskProviderBreaker).where(eq(riskProviderBreaker.issuerId, issuerId)).get();
    expect(row).toMatchObject({ state: 'open', consecutiveFailures: 5, lastError: 'http_503' });

    expect(await consultProvider(t.deps, await facts(), false)).toEqual({ status: 'breaker_open' });
    t.clock.advance(29_000);
    expect(await consultProvider(t.deps, await facts(), false)).toEqual({ status: 'breaker_open' });
    expect(server.requests).toHaveLength(5);

    // After 30 s: one probe goes out; while it is out, nothing else does. It fails: open again.
    t.clock.advance(1_000);
    server.setDefault(() => reply.hold());
    const probe = consultProvider(t.deps, await facts(), false);
    await expect.poll(() => server.requests.length).toBe(6);
    expect(await consultProvider(t.deps, await facts(), false)).toEqual({ status: 'breaker_open' });
    expect((await probe).status).toBe('timeout');
    expect(server.requests).toHaveLength(6);
    expect(await consultProvider(t.deps, await facts(), false)).toEqual({ status: 'breaker_open' });

    // Another 30 s: the next probe answers and the breaker closes.
    t.clock.advance(30_000);
    server.setDefault(() => reply.json(200, { result: { score: 5 } }));
    expect(await consultProvider(t.deps, await facts(), false)).toMatchObject({ status: 'answered', score: 5 });
    expect(await t.deps.db.select().from(riskProviderBreaker).where(eq(riskProviderBreaker.issuerId, issuerId)).get()).toMatchObject({ state: 'closed', consecutiveFailures: 0 });
    expect((await consultProvider(t.deps, await facts(), false)).status).toBe('answered');
    expect(server.requests).toHaveLength(8);
  });

  it('starts counting again after an answer: failures must be consecutive', async () => {
    const { t, server, facts, issuerId } = await setup({ scorePath: 'result.score' });
    server.queue(...Array.from({ length: 4 }, () => reply.json(503, {})));
    for (let i = 0; i < 4; i++) await consultProvider(t.deps, await facts(), false);
    expect((await consultProvider(t.deps, await facts(), false)).status).toBe('answered');
    server.queue(...Array.from({ length: 4 }, () => reply.json(503, {})));
    for (let i = 0; i < 4; i++) await consultProvider(t.deps, await facts(), false);
    expect(await t.deps.db.select().from(riskProviderBreaker).where(eq(riskProviderBreaker.issuerId, issuerId)).get()).toMatchObject({ state: 'closed', consecutiveFailures: 4 });
    expect((await consultProvider(t.deps, await facts(), false)).status).toBe('answered');
  });
});
