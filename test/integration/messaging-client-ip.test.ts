/** Needs the challenge routes to pass the request's address on (sendOtpFor with clientIp(c)). */
import { afterEach, expect, it } from 'vitest';
import { smsOutbox } from '../../src/db/schema.ts';
import { MESSAGES } from '../../src/challenge/messages.ts';
import { encodeJsonBase64Url } from '../../src/protocol/base64url.ts';
import { demoCard } from '../../src/sandbox/demo-issuer.ts';
import { browserAReq, postAReq } from '../support/areq.ts';
import { creqFor } from '../support/challenge.ts';
import { createTestApp } from '../support/test-app.ts';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
const apps: TestApp[] = [];
afterEach(() => {
  while (apps.length) apps.pop()!.close();
});

it('counts the per-IP limit by the address the challenge request came from (CLIENT_IP_HEADER, last entry)', async () => {
  const t = await createTestApp({ seed: true, env: { CLIENT_IP_HEADER: 'x-forwarded-for', SMS_LIMIT_PER_IP: '3/1h', SMS_LIMIT_PER_PHONE: 'off', SMS_LIMIT_PER_BIN: 'off' } });
  apps.push(t);
  const creq = async (forwardedFor: string) => {
    const ares = (await (await postAReq(t.app, browserAReq({ pan: demoCard('jcb-otp').pan, purchaseAmount: '98000' }))).json()) as Record<string, any>;
    const body = new URLSearchParams({ creq: encodeJsonBase64Url(creqFor(ares)) }).toString();
    const res = await t.app.request('/3ds/challenge', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': forwardedFor }, body });
    return res.text();
  };
  const pages = await Promise.all(Array.from({ length: 50 }, (_, i) => creq(`10.0.0.${i}, 203.0.113.9`)));
  expect(await t.deps.db.$count(smsOutbox)).toBe(3);
  expect(pages.filter((p) => p.includes(MESSAGES.ja.smsRateLimited('0120-000-000')))).toHaveLength(47);
  await creq('203.0.113.10');
  expect(await t.deps.db.$count(smsOutbox)).toBe(4);
});
