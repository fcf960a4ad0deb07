/**
 * The SMS delivery policy through the app on real libSQL: per-phone, per-IP and per-BIN windows
 * hold under 50 concurrent requests; the country allow-list; provisional numbers are never
 * texted; a refused send leaves the page working with a message and the earlier code valid; and
 * no OTP, PAN or password ever reaches a log line.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { eq, like } from 'drizzle-orm';
import { cardAccounts, cardholders, members, outboundLog, rateCounters, smsOutbox } from '../../src/db/schema.ts';
import { loadContext } from '../../src/challenge/context.ts';
import { MESSAGES } from '../../src/challenge/messages.ts';
import { sendFailureText, sendOtpFor, type SendRefusal } from '../../src/challenge/send-otp.ts';
import { encodeJsonBase64Url } from '../../src/protocol/base64url.ts';
import { ipKey } from '../../src/messaging/policy.ts';
import { demoCard } from '../../src/sandbox/demo-issuer.ts';
import { browserAReq, postAReq } from '../support/areq.ts';
import { creqFor, finalCResOf, latestOtp, openChallenge, postForm, submit } from '../support/challenge.ts';
import { reply, startProviderServer, type ProviderServer } from '../support/provider-server.ts';
import { createTestApp } from '../support/test-app.ts';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
const apps: TestApp[] = [];
const servers: ProviderServer[] = [];
afterEach(async () => {
  while (apps.length) apps.pop()!.close();
  while (servers.length) await servers.pop()!.close();
});
async function start(env: Record<string, string> = {}) {
  const t = await createTestApp({ seed: true, env: { VELOCITY_LIMIT_PER_HOUR: '10000', ...env } });
  apps.push(t);
  return t;
}

const ISSUER_PHONE = '0120-000-000';

/** An ARes C for the card, without the CReq yet. */
async function aresFor(t: TestApp, key: string) {
  const ares = (await (await postAReq(t.app, browserAReq({ pan: demoCard(key).pan, purchaseAmount: '98000' }))).json()) as Record<string, any>;
  expect(ares.transStatus).toBe('C');
  return ares;
}
function postCReq(t: TestApp, ares: Record<string, any>) {
  return postForm(t, '/3ds/challenge', { creq: encodeJsonBase64Url(creqFor(ares)) });
}

/**
 * The page answered, kept its form, and says no code was sent: the reason's own text where the
 * challenge routes pass the send result on (sendFailureText), the generic SMS failure otherwise.
 */
function expectRefusalShown(html: string, refusal: SendRefusal, lang: 'ja' | 'en' = 'ja') {
  const t = MESSAGES[lang];
  expect(html).toContain('/3ds/challenge/resend'); // the challenge stays open: a code can still be sent
  expect(html).toContain(sendFailureText(t, { outcome: 'failed', refusal }, ISSUER_PHONE));
}

const refusals = (t: TestApp, reason: string) => t.deps.db.$count(outboundLog, like(outboundLog.detail, `refused (${reason})%`));

describe('limits per phone, IP and BIN under 50 concurrent requests', () => {
  it('texts one phone number no more than SMS_LIMIT_PER_PHONE times in its window', async () => {
    const t = await start({ SMS_LIMIT_PER_PHONE: '5/1h', SMS_LIMIT_PER_BIN: 'off' });
    const aress = [];
    for (let i = 0; i < 50; i++) aress.push(await aresFor(t, 'jcb-otp'));
    const pages = await Promise.all(aress.map(async (ares) => (await postCReq(t, ares)).text()));
    expect(pages.every((html) => html.includes('/3ds/challenge/resend'))).toBe(true);
    expect(await t.deps.db.$count(smsOutbox)).toBe(5);
    expect(await refusals(t, 'rate_limited')).toBe(45);
    expect(await t.deps.db.select().from(rateCounters).where(eq(rateCounters.key, 'sms:phone:+819011110001'))).toEqual([
      expect.objectContaining({ count: 50 }),
    ]);
    // Every refused page says so; the five sent ones do not.
    const refused = pages.filter((html) => html.includes('class="alert"'));
    expect(refused).toHaveLength(45);
    for (const html of refused) expectRefusalShown(html, 'rate_limited');
    // A new window texts again.
    t.clock.advance(60 * 60 * 1000);
    await postCReq(t, await aresFor(t, 'jcb-otp'));
    expect(await t.deps.db.$count(smsOutbox)).toBe(6);
  });

  it('counts every card of a BIN together (SMS_LIMIT_PER_BIN), and other BINs apart', async () => {
    const t = await start({ SMS_LIMIT_PER_PHONE: 'off', SMS_LIMIT_PER_BIN: '7/1h' });
    const aress = [];
    for (let i = 0; i < 25; i++) aress.push(await aresFor(t, 'jcb-otp'), await aresFor(t, 'jcb-reissued-new'));
    await Promise.all(aress.map((ares) => postCReq(t, ares)));
    expect(await t.deps.db.$count(smsOutbox)).toBe(7);
    expect(await refusals(t, 'rate_limited')).toBe(43);
    const bin = demoCard('jcb-otp').pan.slice(0, 6);
    expect(demoCard('jcb-reissued-new').pan.slice(0, 6)).toBe(bin);
    expect((await t.deps.db.select().from(rateCounters).where(eq(rateCounters.key, `sms:bin:${bin}`)))[0].count).toBe(50);
    // Visa's BIN has its own window.
    for (let i = 0; i < 3; i++) await postCReq(t, await aresFor(t, 'visa-otp'));
    expect(await t.deps.db.$count(smsOutbox, eq(smsOutbox.recipient, demoCard('visa-otp').member!.phone!))).toBe(3);
  });

  it('texts for one source address no more than SMS_LIMIT_PER_IP times; an IPv6 /64 is one address', async () => {
    const t = await start({ SMS_LIMIT_PER_PHONE: 'off', SMS_LIMIT_PER_BIN: 'off', SMS_LIMIT_PER_IP: '5/1h', OTP_RESEND_COOLDOWN_SECONDS: '0', OTP_MAX_SENDS: '10' });
    const contexts = [];
    for (let i = 0; i < 52; i++) {
      const { ares } = await openChallenge(t, 'jcb-otp');
      contexts.push((await loadContext(t.deps, ares.acsTransID, 'ja'))!);
    }
    const before = await t.deps.db.$count(smsOutbox);
    const results = await Promise.all(contexts.slice(0, 50).map((ctx) => sendOtpFor(t.deps, { ...ctx, clientIp: '203.0.113.7' })));
    expect(results.filter((r) => r.outcome === 'sent')).toHaveLength(5);
    expect(results.filter((r) => r.refusal === 'rate_limited')).toHaveLength(45);
    expect(await t.deps.db.$count(smsOutbox)).toBe(before + 5);
    // Another address is not held back; two addresses of one IPv6 /64 share a window.
    expect((await sendOtpFor(t.deps, { ...contexts[50], clientIp: '198.51.100.20' })).outcome).toBe('sent');
    expect(ipKey('2001:db8:1:2:aaaa::1')).toBe(ipKey('2001:0db8:0001:0002:ffff:ffff:ffff:ffff'));
    expect(ipKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    const v6 = await start({ SMS_LIMIT_PER_PHONE: 'off', SMS_LIMIT_PER_BIN: 'off', SMS_LIMIT_PER_IP: '1/1h', OTP_RESEND_COOLDOWN_SECONDS: '0' });
    const a = await openChallenge(v6, 'jcb-otp');
    const ctx = (await loadContext(v6.deps, a.ares.acsTransID, 'ja'))!;
    expect((await sendOtpFor(v6.deps, { ...ctx, clientIp: '2001:db8:1:2::10' })).outcome).toBe('sent');
    expect(await sendOtpFor(v6.deps, { ...ctx, clientIp: '2001:db8:1:2:ffff::99' })).toEqual({ outcome: 'failed', refusal: 'rate_limited' });
  });
});

describe('destination country allow-list', () => {
  it('refuses a number outside SMS_COUNTRY_ALLOWLIST before counting anything', async () => {
    const t = await start({ SMS_COUNTRY_ALLOWLIST: '+1,+44' });
    const { ares, res, html } = await openChallenge(t, 'jcb-otp');
    expect(res.status).toBe(200);
    expectRefusalShown(html, 'not_allowed');
    expect(await t.deps.db.$count(smsOutbox)).toBe(0);
    expect(await t.deps.db.$count(rateCounters)).toBe(0);
    const [log] = await t.deps.db.select().from(outboundLog).where(eq(outboundLog.acsTransID, ares.acsTransID));
    expect(log).toMatchObject({ channel: 'sms', provider: 'policy', status: 'failed', recipient: '090-****-0001' });
    expect(log.detail).toMatch(/^refused \(not_allowed\): destination \+81… is not on SMS_COUNTRY_ALLOWLIST$/);
  });

  it('allows +81 by default and refuses a foreign number, unless the issuer allows its prefix', async () => {
    const t = await start();
    await t.deps.db.update(members).set({ phone: '+14155550101' }).where(eq(members.loginId, 'demo-visa'));
    expectRefusalShown((await openChallenge(t, 'visa-otp')).html, 'not_allowed');
    expect(await t.deps.db.$count(smsOutbox)).toBe(0);
    await openChallenge(t, 'jcb-otp');
    expect(await t.deps.db.$count(smsOutbox)).toBe(1);

    const wider = await start({ SMS_COUNTRY_ALLOWLIST: '+81,+1' });
    await wider.deps.db.update(members).set({ phone: '+14155550101' }).where(eq(members.loginId, 'demo-visa'));
    await openChallenge(wider, 'visa-otp');
    expect(await wider.deps.db.$count(smsOutbox, eq(smsOutbox.recipient, '+14155550101'))).toBe(1);
  });

  it('takes longer prefixes too: +8170,+8180,+8190 admits mobile numbers only', async () => {
    const t = await start({ SMS_COUNTRY_ALLOWLIST: '+8170,+8180,+8190' });
    await t.deps.db.update(members).set({ phone: '+81312345678' }).where(eq(members.loginId, 'demo-visa'));
    expectRefusalShown((await openChallenge(t, 'visa-otp')).html, 'not_allowed');
    await openChallenge(t, 'jcb-otp');
    expect((await t.deps.db.select().from(smsOutbox)).map((s) => s.recipient)).toEqual(['+819011110001']);
  });
});

describe('provisional numbers are never texted', () => {
  it('guides the cardholder whose number the issuer holds as provisional, and sends nothing', async () => {
    const t = await start();
    const { html } = await openChallenge(t, 'jcb-provisional-phone');
    expect(html).toContain(MESSAGES.ja.phoneProvisionalHeading);
    expect(await t.deps.db.$count(smsOutbox)).toBe(0);
  });

  it.each([
    ['the member phone became provisional', async (t: TestApp) => void (await t.deps.db.update(members).set({ phoneStatus: 'provisional' }).where(eq(members.loginId, 'demo-jcb')))],
    ['the issuer marked the number provisional', async (t: TestApp) => {
      const [m] = await t.deps.db.select().from(members).where(eq(members.loginId, 'demo-jcb'));
      const [account] = await t.deps.db.select().from(cardAccounts).where(eq(cardAccounts.id, m.cardAccountId));
      await t.deps.db.update(cardholders).set({ phoneProvisional: true }).where(eq(cardholders.id, account.cardholderId));
    }],
  ])('refuses the first send when %s after the ARes', async (_, mark) => {
    const t = await start();
    const ares = await aresFor(t, 'jcb-otp');
    await mark(t);
    const res = await postCReq(t, ares);
    expect(res.status).toBe(200);
    expectRefusalShown(await res.text(), 'provisional');
    expect(await t.deps.db.$count(smsOutbox)).toBe(0);
    expect(await refusals(t, 'provisional')).toBe(1);
  });

  it('refuses a resend after the number became provisional, and the code already sent still works', async () => {
    const t = await start({ OTP_RESEND_COOLDOWN_SECONDS: '0' });
    const { ares, state } = await openChallenge(t, 'jcb-otp');
    const code = await latestOtp(t, ares.acsTransID);
    await t.deps.db.update(members).set({ phoneStatus: 'provisional' }).where(eq(members.loginId, 'demo-jcb'));
    const resend = await postForm(t, '/3ds/challenge/resend', { state });
    expect(resend.status).toBe(503);
    expectRefusalShown(await resend.text(), 'provisional');
    expect(await t.deps.db.$count(smsOutbox)).toBe(1);
    await t.deps.db.update(members).set({ phoneStatus: 'verified' }).where(eq(members.loginId, 'demo-jcb'));
    expect(finalCResOf((await submit(t, state!, 'demo-jcb', code)).html).message?.transStatus).toBe('Y');
  });
});

describe('what the cardholder reads when no code was sent', () => {
  it('has a clear Japanese and English text for each reason, with the issuer phone', () => {
    for (const lang of ['ja', 'en'] as const) {
      const t = MESSAGES[lang];
      const texts = (['provisional', 'not_allowed', 'rate_limited', 'unavailable'] as const).map((refusal) => sendFailureText(t, { outcome: 'failed', refusal }, ISSUER_PHONE));
      expect(new Set(texts).size).toBe(4);
      for (const text of texts) expect(text).toContain(ISSUER_PHONE);
      expect(sendFailureText(t, { outcome: 'failed', refusal: 'provider' }, ISSUER_PHONE)).toBe(t.smsFailed);
    }
    expect(MESSAGES.ja.smsRateLimited(ISSUER_PHONE)).toContain('送信回数が上限');
    expect(MESSAGES.en.smsUnavailable(ISSUER_PHONE)).toContain('cannot be sent at the moment');
  });
});

describe('logs', () => {
  it('never carry an OTP, a PAN or a password, whether the provider accepts, fails or echoes the message back', async () => {
    const provider = await startProviderServer((req) => reply.text(400, `bad request: ${req.body}`, 'text/plain'));
    servers.push(provider);
    const t = await start({ SMS_GATEWAY: 'http', SMS_HTTP_URL: `${provider.origin}/sms`, SMS_HTTP_AUTH_VALUE: 'Bearer sms-key-secret', OTP_RESEND_COOLDOWN_SECONDS: '0' });
    // Failing sends (the provider echoes the whole request, code included, into its error).
    const failing = await openChallenge(t, 'jcb-otp');
    // A successful send, then the code typed, a wrong password, and a success with the password.
    provider.setDefault(() => reply.json(200, { id: 'ok-1' }));
    await postForm(t, '/3ds/challenge/resend', { state: failing.state });
    const sentBody = JSON.parse(provider.requests.at(-1)!.body).text as string;
    const code = /：(\d{6})/.exec(sentBody)![1];
    await submit(t, failing.state!, 'demo-jcb', '000000');
    // Both challenges really succeed, so every step that could log a secret ran.
    expect(finalCResOf((await submit(t, failing.state!, 'demo-jcb', code)).html).message?.transStatus).toBe('Y');
    const pass = await openChallenge(t, 'jcb-password');
    await submit(t, pass.state!, 'demo-pass', 'Mamori-2026-wrong');
    expect(finalCResOf((await submit(t, pass.state!, 'demo-pass', 'Mamori-2026')).html).message?.transStatus).toBe('Y');

    const codes = provider.requests.map((r) => /：(\d{6})/.exec(JSON.parse(r.body).text)![1]);
    expect(codes.length).toBeGreaterThanOrEqual(2);
    const text = t.logs.join('\n');
    expect(text).toContain('sms attempt failed');
    expect(text).toContain('sms sent');
    for (const secret of [...new Set(codes), demoCard('jcb-otp').pan, demoCard('jcb-password').pan, 'Mamori-2026', 'sms-key-secret', '+819011110001', '819011110001']) {
      expect(text).not.toContain(secret);
    }
    // The outbound log keeps provider status without secrets either.
    const rows = await t.deps.db.select().from(outboundLog);
    expect(rows.map((r) => r.status)).toContain('failed');
    for (const row of rows) for (const c of codes) expect(row.detail ?? '').not.toContain(c);
  });
});
