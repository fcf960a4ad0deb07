/**
 * Every SMS and mail adapter, chosen by configuration through the real `assembleDeps`, against a
 * real local HTTP server that checks the exact request (method, path, headers, body) and answers
 * with success, a provider error, a timeout (held past the adapter's timeout) and garbage.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { desc, eq } from 'drizzle-orm';
import { outboundLog, smsOutbox } from '../../src/db/schema.ts';
import type { SmsMessage } from '../../src/messaging/sms-gateway.ts';
import { demoCard } from '../../src/sandbox/demo-issuer.ts';
import { openChallenge, submit, finalCResOf } from '../support/challenge.ts';
import { reply, startProviderServer, type ProviderServer } from '../support/provider-server.ts';
import { createTestApp } from '../support/test-app.ts';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
const apps: TestApp[] = [];
const servers: ProviderServer[] = [];
afterEach(async () => {
  while (apps.length) apps.pop()!.close();
  while (servers.length) await servers.pop()!.close();
});

async function provider(defaultReply?: Parameters<typeof startProviderServer>[0]) {
  const p = await startProviderServer(defaultReply);
  servers.push(p);
  return p;
}
async function app(env: Record<string, string>, seed = false) {
  const t = await createTestApp({ env: { SMS_TIMEOUT_MS: '400', MAIL_TIMEOUT_MS: '400', ...env }, seed });
  apps.push(t);
  return t;
}

const SID = 'AC0123456789abcdef0123456789abcdef';
const TOKEN = 'twilio-auth-token-0123456789';
const JA_TEXT = '【まもり銀行カード】ワンタイムパスワード：123456\nまもりストアでのお支払い（￥12,800）の本人認証です。有効期限5分。このコードは誰にも教えないでください。';
const EN_TEXT = '[Mamori Card] One-time password: 123456\nFor your payment of $250.00 at Mamori Store. Valid 5 min. Never share this code with anyone.';
const message = (body = JA_TEXT): SmsMessage => ({ to: '+819011110001', body, otpCode: '123456', acsTransID: crypto.randomUUID() });
const form = (body: string) => Object.fromEntries(new URLSearchParams(body));
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/** The failures every adapter must map the same way. */
async function commonFailures(send: () => Promise<{ ok: boolean }>, p: ProviderServer) {
  p.queue(reply.json(503, { message: 'maintenance' }));
  expect(await send()).toEqual({ ok: false, error: expect.stringMatching(/^HTTP 503/), transient: true });
  p.queue(reply.json(429, { message: 'slow down' }));
  expect(await send()).toEqual({ ok: false, error: expect.stringMatching(/^HTTP 429/), transient: true });
  p.queue(reply.hold());
  expect(await send()).toEqual({ ok: false, error: 'timed out after 400 ms', transient: true });
  p.queue(reply.text(200, '<html><body>Service temporarily unavailable</body></html>'));
  expect(await send()).toEqual({ ok: false, error: expect.stringMatching(/^unreadable answer \(HTTP 200\): <html>/), transient: false });
  p.queue(reply.garbage());
  expect(await send()).toEqual({ ok: false, error: expect.stringMatching(/^connection failed/), transient: true });
}

describe('SMS_GATEWAY=http (generic JSON gateway)', () => {
  const env = (p: ProviderServer, extra: Record<string, string> = {}) => ({
    SMS_GATEWAY: 'http',
    SMS_HTTP_URL: `${p.origin}/v1/messages`,
    SMS_HTTP_AUTH_HEADER: 'X-Api-Key',
    SMS_HTTP_AUTH_VALUE: 'key-0123456789',
    SMS_SENDER_ID: 'MAMORI',
    SMS_HTTP_BODY_TEMPLATE: '{"messages":[{"destination":"{{to}}","source":"{{from}}","body":"{{text}}","tag":"otp"}]}',
    SMS_HTTP_MESSAGE_ID_PATH: 'result.0.id',
    ...extra,
  });

  it('posts the template filled as JSON, with the auth header, and reads the message ID', async () => {
    const p = await provider(() => reply.json(200, { result: [{ id: 'agg-42', status: 'accepted' }] }));
    const t = await app(env(p));
    expect(t.deps.sms.name).toBe('http');
    expect(await t.deps.sms.send(message())).toEqual({ ok: true, providerMessageId: 'agg-42' });
    const [req] = p.requests;
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/v1/messages');
    expect(req.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(req.headers['x-api-key']).toBe('key-0123456789');
    expect(req.headers.authorization).toBeUndefined();
    expect(JSON.parse(req.body)).toEqual({ messages: [{ destination: '+819011110001', source: 'MAMORI', body: JA_TEXT, tag: 'otp' }] });
  });

  it('uses the default template {to, from, text} and the Authorization header by default', async () => {
    const p = await provider(() => reply.json(201, { id: 7 }));
    const t = await app({ SMS_GATEWAY: 'http', SMS_HTTP_URL: `${p.origin}/send`, SMS_HTTP_AUTH_VALUE: 'Bearer abc' });
    const text = `${EN_TEXT} "Mamori" \\ {{to}} ${'\u0000'}`;
    expect(await t.deps.sms.send(message(text))).toEqual({ ok: true, providerMessageId: '7' });
    expect(p.requests[0].headers.authorization).toBe('Bearer abc');
    // Values are inserted into the parsed template, so quotes, backslashes and braces arrive intact.
    expect(JSON.parse(p.requests[0].body)).toEqual({ to: '+819011110001', from: '', text });
  });

  it('maps a provider error, throttling, a timeout and garbage', async () => {
    const p = await provider(() => reply.json(200, { result: [{ id: 'x' }] }));
    const t = await app(env(p));
    const send = () => t.deps.sms.send(message());
    p.queue(reply.json(400, { error: 'invalid destination' }));
    expect(await send()).toEqual({ ok: false, error: 'HTTP 400: {"error":"invalid destination"}', transient: false });
    p.queue(reply.json(401, { error: 'bad key' }));
    expect(await send()).toMatchObject({ ok: false, transient: false });
    await commonFailures(send, p);
    // 2xx without the message ID where it was configured: not retried, the message may have gone out.
    p.queue(reply.json(200, { ok: true }));
    expect(await send()).toEqual({ ok: false, error: 'unreadable answer (HTTP 200): {"ok":true}', transient: false });
  });

  it('never repeats the code, the text, the number or the key from an error that echoes them', async () => {
    const p = await provider((req) => reply.text(422, `rejected: ${req.body} key=key-0123456789`, 'text/plain'));
    const t = await app(env(p));
    const result = await t.deps.sms.send(message());
    expect(result.ok).toBe(false);
    const error = (result as { error: string }).error;
    for (const secret of ['123456', '819011110001', 'key-0123456789']) expect(error).not.toContain(secret);
    expect(error).toContain('****0001');
  });
});

describe('SMS_GATEWAY=twilio (Programmable Messaging, Message resource)', () => {
  const env = (p: ProviderServer) => ({ SMS_GATEWAY: 'twilio', TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKEN: TOKEN, TWILIO_API_URL: p.origin, SMS_SENDER_ID: '+15005550006' });

  it('posts To, From and Body form-encoded to /2010-04-01/Accounts/{sid}/Messages.json with basic auth', async () => {
    const p = await provider(() => reply.json(201, { sid: 'SM0123456789abcdef0123456789abcdef', status: 'queued', body: JA_TEXT, to: '+819011110001' }));
    const t = await app(env(p));
    expect(t.deps.sms.name).toBe('twilio');
    expect(await t.deps.sms.send(message())).toEqual({ ok: true, providerMessageId: 'SM0123456789abcdef0123456789abcdef' });
    const [req] = p.requests;
    expect(req.method).toBe('POST');
    expect(req.path).toBe(`/2010-04-01/Accounts/${SID}/Messages.json`);
    expect(req.headers.authorization).toBe(basic(SID, TOKEN));
    expect(req.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(form(req.body)).toEqual({ To: '+819011110001', From: '+15005550006', Body: JA_TEXT });
  });

  it("maps Twilio's error JSON: 21211 permanent, 20429 and 5xx transient, a timeout and garbage", async () => {
    const p = await provider(() => reply.json(201, { sid: 'SM1' }));
    const t = await app(env(p));
    const send = () => t.deps.sms.send(message());
    p.queue(reply.json(400, { code: 21211, message: "The 'To' number +819011110001 is not a valid phone number.", more_info: 'https://www.twilio.com/docs/errors/21211', status: 400 }));
    expect(await send()).toEqual({ ok: false, error: "HTTP 400: Twilio 21211 The 'To' number ****0001 is not a valid phone number.", transient: false });
    p.queue(reply.json(401, { code: 20003, message: 'Authenticate', status: 401 }));
    expect(await send()).toEqual({ ok: false, error: 'HTTP 401: Twilio 20003 Authenticate', transient: false });
    p.queue(reply.json(429, { code: 20429, message: 'Too Many Requests', status: 429 }));
    expect(await send()).toEqual({ ok: false, error: 'HTTP 429: Twilio 20429 Too Many Requests', transient: true });
    await commonFailures(send, p);
    p.queue(reply.json(201, { status: 'queued' }));
    expect(await send()).toMatchObject({ ok: false, error: expect.stringMatching(/^unreadable answer \(HTTP 201\)/), transient: false });
  });
});

describe('SMS_GATEWAY=vonage (SMS API)', () => {
  const env = (p: ProviderServer) => ({ SMS_GATEWAY: 'vonage', VONAGE_API_KEY: 'abcd1234', VONAGE_API_SECRET: 'vonage-secret-987', VONAGE_API_URL: p.origin, SMS_SENDER_ID: 'MAMORI' });
  const ok = (...ids: string[]) =>
    reply.json(200, { 'message-count': String(ids.length), messages: ids.map((id) => ({ to: '819011110001', 'message-id': id, status: '0', 'remaining-balance': '15.53590000', 'message-price': '0.03330000', network: '44010' })) });

  it('posts from, to (no +), text and type=unicode form-encoded to /sms/json with basic auth', async () => {
    const p = await provider(() => ok('0C000000217B7F02'));
    const t = await app(env(p));
    expect(t.deps.sms.name).toBe('vonage');
    expect(await t.deps.sms.send(message())).toEqual({ ok: true, providerMessageId: '0C000000217B7F02' });
    const [req] = p.requests;
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/sms/json');
    expect(req.headers.authorization).toBe(basic('abcd1234', 'vonage-secret-987'));
    expect(req.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(form(req.body)).toEqual({ from: 'MAMORI', to: '819011110001', text: JA_TEXT, type: 'unicode' });
  });

  it('sends plain English as type=text and joins the IDs of a multi-part message', async () => {
    const p = await provider(() => ok('0C01', '0C02'));
    const t = await app(env(p));
    expect(await t.deps.sms.send(message(EN_TEXT))).toEqual({ ok: true, providerMessageId: '0C01,0C02' });
    expect(form(p.requests[0].body).type).toBe('text');
  });

  it('maps the per-message status: 1, 5 and 10 transient, others permanent; HTTP errors, a timeout and garbage', async () => {
    const p = await provider(() => ok('0C03'));
    const t = await app(env(p));
    const send = () => t.deps.sms.send(message());
    const status = (code: string, text: string) => reply.json(200, { 'message-count': '1', messages: [{ status: code, 'error-text': text }] });
    p.queue(status('4', 'Bad Credentials'));
    expect(await send()).toEqual({ ok: false, error: 'Vonage status 4: Bad Credentials', transient: false });
    p.queue(status('1', 'Throughput Rate Exceeded - please wait [ 10 ] and retry'));
    expect(await send()).toMatchObject({ ok: false, error: expect.stringMatching(/^Vonage status 1:/), transient: true });
    p.queue(status('5', 'Internal Error'));
    expect(await send()).toMatchObject({ ok: false, transient: true });
    p.queue(status('29', 'Non White-listed Destination'));
    expect(await send()).toMatchObject({ ok: false, transient: false });
    p.queue(reply.json(401, { type: 'https://developer.nexmo.com/api-errors#unauthorized', title: 'Unauthorized' }));
    expect(await send()).toMatchObject({ ok: false, error: expect.stringMatching(/^HTTP 401/), transient: false });
    await commonFailures(send, p);
    p.queue(reply.json(200, { 'message-count': '0', messages: [] }));
    expect(await send()).toMatchObject({ ok: false, error: expect.stringMatching(/^unreadable answer/), transient: false });
  });
});

describe('MAILER=http (generic transactional mail API)', () => {
  const env = (p: ProviderServer) => ({ MAILER: 'http', MAIL_HTTP_URL: `${p.origin}/emails`, MAIL_HTTP_AUTH_VALUE: 'Bearer re_test_123', MAIL_FROM: 'Mamori Card <no-reply@card.example.jp>' });
  const mail = { to: 'taro@example.jp', subject: '会員IDのお知らせ', body: 'あなたの会員IDは demo-jcb です。' };

  it('posts {from, to, subject, text} as JSON with the auth header and reads the id', async () => {
    const p = await provider(() => reply.json(200, { id: '49a3999c-0ce1-4ea6-ab68-afcd6dc2e794' }));
    const t = await app(env(p));
    expect(t.deps.mailer.name).toBe('http');
    expect(await t.deps.mailer.send(mail)).toEqual({ ok: true, providerMessageId: '49a3999c-0ce1-4ea6-ab68-afcd6dc2e794' });
    const [req] = p.requests;
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/emails');
    expect(req.headers.authorization).toBe('Bearer re_test_123');
    expect(req.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(req.body)).toEqual({ from: 'Mamori Card <no-reply@card.example.jp>', to: 'taro@example.jp', subject: '会員IDのお知らせ', text: 'あなたの会員IDは demo-jcb です。' });
  });

  it('maps a provider error, throttling, a timeout and garbage', async () => {
    const p = await provider(() => reply.json(200, { id: 'm1' }));
    const t = await app(env(p));
    const send = () => t.deps.mailer.send(mail);
    p.queue(reply.json(422, { name: 'validation_error', message: 'Invalid `to` field.' }));
    expect(await send()).toMatchObject({ ok: false, error: expect.stringMatching(/^HTTP 422/), transient: false });
    await commonFailures(send, p);
  });

  it('keeps the outbox mailer by default', async () => {
    const t = await app({});
    expect(t.deps.mailer.name).toBe('outbox');
    expect(await t.deps.mailer.send(mail)).toMatchObject({ ok: true });
  });
});

describe('switching the appliance to a provider by configuration alone', () => {
  it('sends the challenge OTP through Twilio: the Japanese text names merchant and amount, and the code works', async () => {
    const p = await provider(() => reply.json(201, { sid: 'SMfeedface', status: 'queued' }));
    const t = await app({ SMS_GATEWAY: 'twilio', TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKEN: TOKEN, TWILIO_API_URL: p.origin, SMS_SENDER_ID: 'MAMORI', SMS_ISSUER_NAME: 'まもりカード' }, true);
    const { ares, state, html } = await openChallenge(t, 'jcb-otp', { merchantName: 'まもりストア 渋谷店', purchaseAmount: '12800', challengeInd: '04' });
    expect(html).not.toContain('SMSを送信できませんでした');
    expect(p.requests).toHaveLength(1);
    const sent = form(p.requests[0].body);
    expect(sent.To).toBe('+819011110001');
    expect(sent.From).toBe('MAMORI');
    expect(sent.Body).toMatch(/^【まもりカード】ワンタイムパスワード：\d{6}\nまもりストア 渋谷店 ￥12,800のお支払い。有効5分。誰にも教えないでください$/);
    // Nothing in the development outbox; the attempt is in the outbound log with Twilio's sid.
    expect(await t.deps.db.$count(smsOutbox)).toBe(0);
    const [log] = await t.deps.db.select().from(outboundLog).where(eq(outboundLog.acsTransID, ares.acsTransID)).orderBy(desc(outboundLog.id));
    expect(log).toMatchObject({ channel: 'sms', provider: 'twilio', status: 'sent', recipient: '090-****-0001', detail: 'attempt 1: SMfeedface' });
    const code = /：(\d{6})/.exec(sent.Body)![1];
    const done = await submit(t, state!, 'demo-jcb', code);
    expect(finalCResOf(done.html).message?.transStatus).toBe('Y');
  });

  it('uses the English template and SMS_ISSUER_NAME_EN for an English browser', async () => {
    const p = await provider(() => reply.json(200, { id: 'e1' }));
    const t = await app({ SMS_GATEWAY: 'http', SMS_HTTP_URL: `${p.origin}/sms`, SMS_ISSUER_NAME_EN: 'Mamori' }, true);
    await openChallenge(t, 'visa-otp', { browserLanguage: 'en-US', purchaseCurrency: '840', purchaseExponent: '2', purchaseAmount: '25000', merchantName: 'Mamori Store' });
    expect(JSON.parse(p.requests[0].body).text).toMatch(/^\[Mamori\] One-time password: \d{6}\nFor your payment of \$250\.00 at Mamori Store\. Valid 5 min\. Never share this code with anyone\.$/);
    expect(demoCard('visa-otp').member?.phone).toBe(JSON.parse(p.requests[0].body).to);
  });
});

describe('configuration', () => {
  it('names a missing adapter setting', async () => {
    const { parseConfig, generateSecret } = await import('../../src/config.ts');
    const secrets = { PAN_LOOKUP_KEY: generateSecret(), PAN_ENCRYPTION_KEY: generateSecret(), AUTH_VALUE_KEY: generateSecret(), SESSION_SECRET: generateSecret() };
    const attempt = (env: Record<string, string>) => () => parseConfig(env, secrets);
    expect(attempt({ SMS_GATEWAY: 'twilio', TWILIO_ACCOUNT_SID: SID, SMS_SENDER_ID: 'MAMORI' })).toThrow(/^Invalid configuration: TWILIO_AUTH_TOKEN is required when SMS_GATEWAY=twilio$/);
    expect(attempt({ SMS_GATEWAY: 'twilio', TWILIO_AUTH_TOKEN: TOKEN, TWILIO_ACCOUNT_SID: SID })).toThrow(/^Invalid configuration: SMS_SENDER_ID is required when SMS_GATEWAY=twilio$/);
    expect(attempt({ SMS_GATEWAY: 'vonage', VONAGE_API_KEY: 'k', SMS_SENDER_ID: 'MAMORI' })).toThrow(/^Invalid configuration: VONAGE_API_SECRET is required when SMS_GATEWAY=vonage$/);
    expect(attempt({ SMS_GATEWAY: 'http' })).toThrow(/^Invalid configuration: SMS_HTTP_URL is required when SMS_GATEWAY=http$/);
    expect(attempt({ MAILER: 'http', MAIL_HTTP_URL: 'https://mail.example.jp/send' })).toThrow(/^Invalid configuration: MAIL_FROM is required when MAILER=http$/);
    expect(attempt({ SMS_GATEWAY: 'sms-r-us' })).toThrow(/^Invalid configuration: SMS_GATEWAY /);
    expect(attempt({ SMS_GATEWAY: 'twilio', TWILIO_ACCOUNT_SID: 'AC123', TWILIO_AUTH_TOKEN: TOKEN, SMS_SENDER_ID: 'MAMORI' })).toThrow(/TWILIO_ACCOUNT_SID must be AC followed by 32 hex digits/);
    expect(attempt({ SMS_HTTP_BODY_TEMPLATE: '{"to":"{{to}}"}' })).toThrow(/SMS_HTTP_BODY_TEMPLATE must contain \{\{text\}\}/);
    expect(attempt({ SMS_HTTP_BODY_TEMPLATE: 'to={{to}}&text={{text}}' })).toThrow(/SMS_HTTP_BODY_TEMPLATE must be JSON/);
    expect(attempt({ SMS_LIMIT_PER_PHONE: 'ten' })).toThrow(/SMS_LIMIT_PER_PHONE "ten" is not COUNT\/WINDOW/);
    expect(attempt({ SMS_COUNTRY_ALLOWLIST: '81' })).toThrow(/SMS_COUNTRY_ALLOWLIST "81" is not an E.164 prefix/);
    expect(attempt({ SMS_BREAKER_TRANS_STATUS_REASON: '99' })).toThrow(/SMS_BREAKER_TRANS_STATUS_REASON/);
    const production = { NODE_ENV: 'production', PUBLIC_URL: 'https://acs.example.jp', ...secrets };
    expect(attempt({ ...production, SMS_GATEWAY: 'http', SMS_HTTP_URL: 'http://sms.example.jp/send' })).toThrow(/^Invalid configuration: SMS_HTTP_URL must be https in production$/);
    const c = parseConfig({ SMS_LIMIT_PER_PHONE: '3/10m', SMS_LIMIT_PER_IP: 'off', SMS_LIMIT_PER_BIN: '500/3600', SMS_COUNTRY_ALLOWLIST: '+81, +8190' }, secrets);
    expect(c.SMS_LIMIT_PER_PHONE).toEqual({ max: 3, windowMs: 600_000 });
    expect(c.SMS_LIMIT_PER_IP).toBeNull();
    expect(c.SMS_LIMIT_PER_BIN).toEqual({ max: 500, windowMs: 3_600_000 });
    expect(c.SMS_COUNTRY_ALLOWLIST).toEqual(['+81', '+8190']);
  });
});
