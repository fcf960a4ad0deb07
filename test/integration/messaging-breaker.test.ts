/**
 * The SMS circuit breaker and the provider's time limits, through the app on real libSQL and a real
 * local provider: consecutive failures open it; while open the ACS answers AReqs that would need an
 * SMS challenge U/22 and /healthz says degraded; after the delay one send is the probe, which
 * closes it or opens it again; two app instances on one database agree; a slow provider cannot hold
 * a challenge page past the configured time.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { asc, eq } from 'drizzle-orm';
import { loadContext } from '../../src/challenge/context.ts';
import { MESSAGES } from '../../src/challenge/messages.ts';
import { sendFailureText } from '../../src/challenge/send-otp.ts';
import { outboundLog, smsBreaker, transactions } from '../../src/db/schema.ts';
import { acquireSend, readBreaker } from '../../src/messaging/breaker.ts';
import { demoCard } from '../../src/sandbox/demo-issuer.ts';
import { browserAReq, postAReq } from '../support/areq.ts';
import { finalCResOf, openChallenge, postForm, submit } from '../support/challenge.ts';
import { reply, startProviderServer, type ProviderServer } from '../support/provider-server.ts';
import { createTestApp } from '../support/test-app.ts';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
const apps: TestApp[] = [];
const servers: ProviderServer[] = [];
afterEach(async () => {
  while (apps.length) apps.pop()!.close();
  while (servers.length) await servers.pop()!.close();
});

const down = () => reply.json(503, { error: 'gateway down' });
const up = () => reply.json(200, { id: `ok-${crypto.randomUUID()}` });

async function setup(env: Record<string, string> = {}, databaseFile?: string) {
  const provider = await startProviderServer(down);
  servers.push(provider);
  const t = await start(provider, env, databaseFile);
  return { t, provider };
}
async function start(provider: ProviderServer, env: Record<string, string> = {}, databaseFile?: string) {
  const t = await createTestApp({
    seed: !databaseFile,
    databaseFile,
    env: {
      SMS_GATEWAY: 'http',
      SMS_HTTP_URL: `${provider.origin}/sms`,
      SMS_TIMEOUT_MS: '2000',
      SMS_RETRIES: '2',
      SMS_RETRY_BACKOFF_MS: '10',
      SMS_BREAKER_THRESHOLD: '3',
      SMS_BREAKER_OPEN_SECONDS: '60',
      VELOCITY_LIMIT_PER_HOUR: '10000',
      ...env,
    },
  });
  apps.push(t);
  return t;
}

async function areq(t: TestApp, key: string, purchaseAmount = '98000') {
  return (await (await postAReq(t.app, browserAReq({ pan: demoCard(key).pan, purchaseAmount }))).json()) as Record<string, any>;
}
async function health(t: TestApp) {
  const res = await t.app.request('/healthz');
  return { status: res.status, body: await res.json() };
}
const messagesLogged = (t: TestApp) => t.logs.map((l) => JSON.parse(l) as { msg: string; level: string; breaker?: string });
const breakerLogs = (t: TestApp) => messagesLogged(t).filter((l) => l.msg.startsWith('sms breaker')).map((l) => l.breaker);

describe('the SMS circuit breaker', () => {
  it('opens after consecutive provider failures, answers U/22, half-opens, re-opens on a failed probe and closes on a good one', async () => {
    const { t, provider } = await setup();
    expect(await health(t)).toEqual({ status: 200, body: { status: 'ok' } });
    // A healthy probe is a debug line (load balancers probe every few seconds); a degraded one is not.
    const probeLevels = () => messagesLogged(t).filter((l) => l.msg === 'request' && (l as { path?: string }).path === '/healthz').map((l) => l.level);
    expect(probeLevels()).toEqual(['debug']);

    // One challenge: the first send and its two retries all fail (503): three consecutive failures.
    const first = await openChallenge(t, 'jcb-otp');
    expect(first.res.status).toBe(200);
    expect(first.html).toContain('/3ds/challenge/resend');
    expect(first.html).toContain(MESSAGES.ja.smsFailed);
    const attempts = await t.deps.db.select().from(outboundLog).where(eq(outboundLog.acsTransID, first.ares.acsTransID)).orderBy(asc(outboundLog.id));
    expect(attempts.map((a) => a.detail)).toEqual([1, 2, 3].map((n) => `attempt ${n} (transient): HTTP 503: {"error":"gateway down"}`));
    expect(attempts.every((a) => a.provider === 'http' && a.status === 'failed')).toBe(true);
    expect(await t.deps.db.select().from(smsBreaker)).toEqual([expect.objectContaining({ state: 'open', consecutiveFailures: 3 })]);
    expect(breakerLogs(t)).toEqual(['open']);

    // Open: /healthz degraded (still 200), and SMS challenges are not offered.
    expect(await health(t)).toEqual({ status: 200, body: { status: 'degraded', sms: 'open' } });
    expect(probeLevels()).toEqual(['debug', 'info']);
    const refused = await areq(t, 'jcb-otp');
    expect(refused).toMatchObject({ messageType: 'ARes', transStatus: 'U', transStatusReason: '22' });
    expect(refused.acsURL).toBeUndefined();
    const [row] = await t.deps.db.select().from(transactions).where(eq(transactions.acsTransID, refused.acsTransID));
    expect(row).toMatchObject({ transStatus: 'U', transStatusReason: '22', challengeMethod: null });
    // What needs no SMS goes on as before.
    expect((await areq(t, 'jcb-otp', '1200')).transStatus).toBe('Y');
    expect(await areq(t, 'jcb-password')).toMatchObject({ transStatus: 'C', authenticationType: '01' });
    expect((await areq(t, 'visa-unregistered')).transStatus).toBe('C');
    // A challenge already under way cannot resend while it is open; nothing reaches the provider.
    const before = provider.requests.length;
    t.clock.advance(30_000);
    const resend = await postForm(t, '/3ds/challenge/resend', { state: first.state });
    expect(resend.status).toBe(503);
    const resendHtml = await resend.text();
    expect(resendHtml).toContain(sendFailureText(MESSAGES.ja, { outcome: 'failed', refusal: 'unavailable' }, '0120-000-000'));
    expect(provider.requests.length).toBe(before);

    // After SMS_BREAKER_OPEN_SECONDS: half-open, an SMS challenge is offered again and its send is the probe.
    t.clock.advance(30_000);
    expect(await health(t)).toEqual({ status: 200, body: { status: 'degraded', sms: 'half_open' } });
    const probe1 = await openChallenge(t, 'jcb-otp');
    expect(probe1.html).toContain(MESSAGES.ja.smsFailed);
    // The probe got one attempt, failed, and the breaker is open again.
    expect(await t.deps.db.$count(outboundLog, eq(outboundLog.acsTransID, probe1.ares.acsTransID))).toBe(1);
    expect(breakerLogs(t)).toEqual(['open', 'half_open', 'open']);
    expect(await health(t)).toEqual({ status: 200, body: { status: 'degraded', sms: 'open' } });
    expect((await areq(t, 'jcb-otp')).transStatus).toBe('U');

    // The provider recovers; after the delay the next probe succeeds and closes the breaker.
    provider.setDefault(up);
    t.clock.advance(60_000);
    const probe2 = await openChallenge(t, 'jcb-otp');
    expect(probe2.html).not.toContain(MESSAGES.ja.smsFailed);
    expect(breakerLogs(t)).toEqual(['open', 'half_open', 'open', 'half_open', 'closed']);
    expect(await health(t)).toEqual({ status: 200, body: { status: 'ok' } });
    expect(await t.deps.db.select().from(smsBreaker)).toEqual([expect.objectContaining({ state: 'closed', consecutiveFailures: 0 })]);
    expect((await areq(t, 'jcb-otp')).transStatus).toBe('C');
    // Every change of state was a warning or info line naming the new state.
    const changes = messagesLogged(t).filter((l) => l.msg.startsWith('sms breaker'));
    expect(changes.map((l) => l.level)).toEqual(['warn', 'warn', 'warn', 'warn', 'info']);
  });

  it('counts failures across sends and restarts the count after a success', async () => {
    const { t, provider } = await setup({ SMS_RETRIES: '0', OTP_RESEND_COOLDOWN_SECONDS: '0' });
    await openChallenge(t, 'jcb-otp');
    await openChallenge(t, 'visa-otp');
    expect((await readBreaker(t.deps))?.consecutiveFailures).toBe(2);
    provider.queue(up());
    await openChallenge(t, 'mc-otp');
    expect(await readBreaker(t.deps)).toMatchObject({ state: 'closed', consecutiveFailures: 0 });
    await openChallenge(t, 'jcb-otp');
    await openChallenge(t, 'jcb-otp');
    expect(await health(t)).toEqual({ status: 200, body: { status: 'ok' } });
    await openChallenge(t, 'jcb-otp');
    expect(await health(t)).toEqual({ status: 200, body: { status: 'degraded', sms: 'open' } });
  });

  it('does not retry a permanent failure, but counts it', async () => {
    const { t, provider } = await setup({ SMS_BREAKER_THRESHOLD: '2' });
    provider.setDefault(() => reply.json(401, { error: 'bad credentials' }));
    const { ares } = await openChallenge(t, 'jcb-otp');
    expect(await t.deps.db.$count(outboundLog, eq(outboundLog.acsTransID, ares.acsTransID))).toBe(1);
    await openChallenge(t, 'visa-otp');
    expect((await readBreaker(t.deps))?.state).toBe('open');
  });

  it('answers with the issuer-configured reason', async () => {
    const { t } = await setup({ SMS_BREAKER_THRESHOLD: '1', SMS_RETRIES: '0', SMS_BREAKER_TRANS_STATUS_REASON: '12' });
    await openChallenge(t, 'jcb-otp');
    expect(await areq(t, 'mc-otp')).toMatchObject({ transStatus: 'U', transStatusReason: '12' });
  });

  it('is shared by every process on the database', async () => {
    const { t, provider } = await setup({ SMS_RETRIES: '0', SMS_BREAKER_THRESHOLD: '2' });
    const other = await start(provider, { SMS_RETRIES: '0', SMS_BREAKER_THRESHOLD: '2' }, t.databaseFile);
    await openChallenge(t, 'jcb-otp');
    await openChallenge(other, 'visa-otp');
    // The second failure happened in the other process and opened it for both.
    expect(await health(t)).toEqual({ status: 200, body: { status: 'degraded', sms: 'open' } });
    t.clock.advance(1000); // past this process's one-second cache
    expect((await areq(t, 'mc-otp')).transStatus).toBe('U');
    expect((await areq(other, 'mc-otp')).transStatus).toBe('U');
  });

  it('lets exactly one of many concurrent senders be the probe', async () => {
    const { t } = await setup({ SMS_BREAKER_THRESHOLD: '1', SMS_RETRIES: '0' });
    await openChallenge(t, 'jcb-otp');
    t.clock.advance(60_000);
    const permits = await Promise.all(Array.from({ length: 20 }, () => acquireSend(t.deps)));
    expect(permits.filter((p) => p.ok && p.probe)).toHaveLength(1);
    expect(permits.filter((p) => !p.ok)).toHaveLength(19);
    // A probe whose process died is taken over once its lease (send budget + 5 s) has passed.
    t.clock.advance(t.deps.config.SMS_SEND_BUDGET_MS + 5000);
    expect(await acquireSend(t.deps)).toEqual({ ok: true, probe: true });
  });
});

describe('a slow provider', () => {
  it('cannot hold the challenge page past the timeout: the page answers, the attempts are recorded, the challenge stays open', async () => {
    const provider = await startProviderServer(() => reply.hold());
    servers.push(provider);
    const t = await start(provider, { SMS_TIMEOUT_MS: '100', SMS_RETRIES: '1', SMS_RETRY_BACKOFF_MS: '10' });
    const { res, html, ares, state } = await openChallenge(t, 'jcb-otp');
    expect(res.status).toBe(200);
    expect(html).toContain('/3ds/challenge/resend');
    expect(html).toContain(MESSAGES.ja.smsFailed);
    const attempts = await t.deps.db.select().from(outboundLog).where(eq(outboundLog.acsTransID, ares.acsTransID)).orderBy(asc(outboundLog.id));
    expect(attempts.map((a) => a.detail)).toEqual(['attempt 1 (transient): timed out after 100 ms', 'attempt 2 (transient): timed out after 100 ms']);
    expect(provider.requests.length).toBeLessThanOrEqual(2);
    const [txn] = await t.deps.db.select().from(transactions).where(eq(transactions.acsTransID, ares.acsTransID));
    expect(txn.state).toBe('challenge_started');
    // The cardholder can still cancel (or resend once the provider is back).
    const cancel = await postForm(t, '/3ds/challenge/cancel', { state });
    expect(finalCResOf(await cancel.text()).message?.transStatus).toBe('N');
  });

  it('is cut off by the send budget even when one attempt may take longer', async () => {
    const provider = await startProviderServer(() => reply.hold());
    servers.push(provider);
    const t = await start(provider, { SMS_TIMEOUT_MS: '30000', SMS_SEND_BUDGET_MS: '150' });
    const { res, html, ares } = await openChallenge(t, 'visa-otp');
    expect(res.status).toBe(200);
    expect(html).toContain(MESSAGES.ja.smsFailed);
    const attempts = await t.deps.db.select().from(outboundLog).where(eq(outboundLog.acsTransID, ares.acsTransID));
    expect(attempts.map((a) => a.detail)).toEqual(['attempt 1 (transient): timed out: the send budget was used up']);
  });

  it('answers the resend step too, and a later resend goes out when the provider is back', async () => {
    const provider = await startProviderServer(() => reply.hold());
    servers.push(provider);
    const t = await start(provider, { SMS_TIMEOUT_MS: '1000', SMS_RETRIES: '0', OTP_RESEND_COOLDOWN_SECONDS: '0' });
    const { state, ares } = await openChallenge(t, 'mc-otp');
    provider.setDefault(up);
    const resend = await postForm(t, '/3ds/challenge/resend', { state });
    expect(resend.status).toBe(200);
    expect(await resend.text()).toContain(MESSAGES.ja.resent);
    const sent = JSON.parse(provider.requests.at(-1)!.body).text as string;
    const code = /：(\d{6})/.exec(sent)![1];
    expect(finalCResOf((await submit(t, state!, 'demo-mc', code)).html).message?.transStatus).toBe('Y');
    const ctx = await loadContext(t.deps, ares.acsTransID, 'ja');
    expect(ctx?.txn.state).toBe('completed');
  });
});
