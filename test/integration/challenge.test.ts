/**
 * The browser challenge through the app on real libSQL: CReq in every encoding, OTP and static
 * password, wrong entries and lockout, resend limits, cancel, guidance, expiry, invalid CReqs.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { challenges, members, otps, smsOutbox, timers, transactions } from '../../src/db/schema.ts';
import { encodeJsonBase64Url } from '../../src/protocol/base64url.ts';
import { MESSAGES } from '../../src/challenge/messages.ts';
import { runScheduledWork } from '../../src/services.ts';
import { demoCard } from '../../src/sandbox/demo-issuer.ts';
import { browserAReq, postAReq } from '../support/areq.ts';
import { creqFor, finalCResOf, latestOtp, openChallenge, postForm, stateOf, submit } from '../support/challenge.ts';
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

const row = async (t: TestApp, acsTransID: string) => (await t.deps.db.select().from(transactions).where(eq(transactions.acsTransID, acsTransID)))[0];
const member = async (t: TestApp, loginId: string) => (await t.deps.db.select().from(members).where(eq(members.loginId, loginId)))[0];
const timer = (t: TestApp, kind: 'creq_timeout' | 'challenge_timeout' | 'rreq_delivery', subject: string) =>
  t.deps.db.select().from(timers).where(and(eq(timers.kind, kind), eq(timers.subject, subject))).get();

describe('entry at the acsURL', () => {
  it.each([
    ['unpadded, with threeDSSessionData', false, 'c2Vzc2lvbi0x'],
    ['padded, with threeDSSessionData', true, 'c2Vzc2lvbi0x=='],
    ['unpadded, without threeDSSessionData', false, undefined],
    ['padded, without threeDSSessionData', true, undefined],
  ])('renders the page from a CReq %s', async (_, padded, sessionData) => {
    const t = await start();
    const { res, html, ares } = await openChallenge(t, 'jcb-otp', { padded, sessionData, merchantName: 'まもりストア 渋谷店', purchaseAmount: '12800', challengeInd: '04' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain('frame-ancestors *');
    expect(res.headers.get('x-frame-options')).toBeNull();
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(html).toContain('まもりストア 渋谷店');
    expect(html).toContain('￥12,800');
    expect(html).toContain(`末尾 ${demoCard('jcb-otp').pan.slice(-4)}`);
    expect(html).toContain('庭のさくらが咲きました');
    expect(html).toContain('autocomplete="one-time-code"');
    expect(html).toContain('inputmode="numeric"');
    expect(html).toContain('J/Secure');
    expect(html).toContain('2026年1月15日');
    expect((await row(t, ares.acsTransID)).state).toBe('challenge_started');
    // The code went out once, naming merchant and amount, with the warning.
    const sms = await t.deps.db.select().from(smsOutbox).where(eq(smsOutbox.acsTransID, ares.acsTransID));
    expect(sms).toHaveLength(1);
    expect(sms[0].body).toContain('まもりストア 渋谷店');
    expect(sms[0].body).toContain('￥12,800');
    expect(sms[0].body).toContain('誰にも教えないでください');
    expect(sms[0].recipient).toBe('+819011110001');
    // Stored only as a hash.
    const [challenge] = await t.deps.db.select().from(challenges).where(eq(challenges.acsTransID, ares.acsTransID));
    const [otp] = await t.deps.db.select().from(otps).where(eq(otps.flowId, challenge.flowId));
    expect(otp.codeHash).not.toContain(sms[0].otpCode!);
    expect(otp.expiresAt - t.clock.now()).toBe(300_000);
  });

  it('speaks English when the browser prefers it', async () => {
    const t = await start();
    const { html } = await openChallenge(t, 'visa-otp', { browserLanguage: 'en-US', purchaseCurrency: '840', purchaseExponent: '2', purchaseAmount: '25000', challengeInd: '04' });
    expect(html).toContain('<html lang="en">');
    expect(html).toContain('make sure it');
    expect(html).toContain('$250.00');
    expect(html).toContain('Visa Secure');
  });

  it('continues the same challenge for a repeated CReq and sends nothing twice', async () => {
    const t = await start();
    const first = await openChallenge(t, 'jcb-otp');
    const again = await postForm(t, '/3ds/challenge', { creq: first.creq });
    expect(again.status).toBe(200);
    expect(await again.text()).toContain('name="memberId"');
    expect(await t.deps.db.$count(smsOutbox, eq(smsOutbox.acsTransID, first.ares.acsTransID))).toBe(1);
    expect(await t.deps.db.$count(challenges)).toBe(1);
  });

  it('refuses a CReq whose version differs, posting Erro 203 to the notificationURL and ending the transaction U', async () => {
    const t = await start();
    const { browserAReq, postAReq } = await import('../support/areq.ts');
    const ares = (await (await postAReq(t.app, browserAReq({ pan: demoCard('jcb-otp').pan, purchaseAmount: '98000' }))).json()) as Record<string, any>;
    const creq = encodeJsonBase64Url(creqFor(ares, '02', { messageVersion: '2.3.1' }));
    const res = await postForm(t, '/3ds/challenge', { creq, threeDSSessionData: 'abc' });
    const html = await res.text();
    expect(html).toContain('このお買い物の認証を続けられません');
    const post = finalCResOf(html);
    expect(post.action).toBe('https://merchant.example.test/3ds/notify');
    expect(post.message).toMatchObject({ messageType: 'Erro', errorCode: '203', errorDetail: 'messageVersion', errorComponent: 'A', acsTransID: ares.acsTransID });
    expect(post.sessionData).toBe('abc');
    expect(await row(t, ares.acsTransID)).toMatchObject({ state: 'failed', finalTransStatus: 'U', challengeCancel: '06' });
  });

  it('refuses a bad window size, garbage, and an unknown transaction plainly', async () => {
    const t = await start();
    const { browserAReq, postAReq } = await import('../support/areq.ts');
    const ares = (await (await postAReq(t.app, browserAReq({ pan: demoCard('jcb-otp').pan, purchaseAmount: '98000' }))).json()) as Record<string, any>;
    const bad = await postForm(t, '/3ds/challenge', { creq: encodeJsonBase64Url(creqFor(ares, '09')) });
    expect(bad.status).toBe(400);
    expect(finalCResOf(await bad.text()).message).toMatchObject({ messageType: 'Erro', errorCode: '203' });
    for (const creq of ['%%%not-base64', encodeJsonBase64Url(creqFor({ ...ares, acsTransID: crypto.randomUUID() }))]) {
      const res = await postForm(t, '/3ds/challenge', { creq });
      expect(res.status).toBe(400);
      const html = await res.text();
      expect(html).toContain('このお買い物の認証を続けられません');
      expect(html).not.toContain('name="cres"');
    }
  });

  it('answers a CReq later than 30 seconds with Erro 402 through the browser, after the RReq N/14/05', async () => {
    const t = await start();
    const { browserAReq, postAReq } = await import('../support/areq.ts');
    const ares = (await (await postAReq(t.app, browserAReq({ pan: demoCard('jcb-otp').pan, purchaseAmount: '98000' }))).json()) as Record<string, any>;
    t.clock.advance(31_000);
    await runScheduledWork(t.deps);
    expect(await row(t, ares.acsTransID)).toMatchObject({ state: 'expired', finalTransStatus: 'N', finalTransStatusReason: '14', challengeCancel: '05' });
    const res = await postForm(t, '/3ds/challenge', { creq: encodeJsonBase64Url(creqFor(ares)) });
    expect(finalCResOf(await res.text()).message).toMatchObject({ messageType: 'Erro', errorCode: '402' });
  });
});

describe('SMS OTP', () => {
  it('completes with the right code: final CRes Y to the notificationURL, session data echoed, RReq queued', async () => {
    const t = await start();
    const { ares, state } = await openChallenge(t, 'jcb-otp', { sessionData: 'opaque+data/=' });
    const { res, html } = await submit(t, state!, 'demo-jcb', await latestOtp(t, ares.acsTransID));
    expect(res.status).toBe(200);
    const post = finalCResOf(html);
    expect(post.action).toBe('https://merchant.example.test/3ds/notify');
    expect(post.autosubmit).toBe(true);
    expect(post.cres).not.toContain('=');
    expect(post.message).toEqual({ messageType: 'CRes', messageVersion: '2.2.0', threeDSServerTransID: ares.threeDSServerTransID, acsTransID: ares.acsTransID, transStatus: 'Y' });
    expect(post.sessionData).toBe('opaque+data/=');
    expect(html).toContain('<noscript>');
    const txn = await row(t, ares.acsTransID);
    expect(txn).toMatchObject({ state: 'completed', finalTransStatus: 'Y', eci: '05', interactionCounter: 1 });
    expect(txn.authenticationValue).toMatch(/^[A-Za-z0-9+/]{27}=$/);
    const rreqJob = await t.deps.db.select().from(timers).where(eq(timers.subject, ares.acsTransID));
    expect(rreqJob.map((j) => j.kind)).toContain('rreq_delivery');
  });

  it('shows one message for a wrong code and for a wrong ID, then accepts the right pair', async () => {
    const t = await start();
    const { ares, state } = await openChallenge(t, 'visa-otp');
    const code = await latestOtp(t, ares.acsTransID);
    const wrongCode = await submit(t, state!, 'demo-visa', code === '000000' ? '111111' : '000000');
    const wrongId = await submit(t, state!, 'someone-else', code);
    for (const r of [wrongCode, wrongId]) {
      expect(r.res.status).toBe(400);
      expect(r.html).toContain('会員IDまたはワンタイムパスワードが正しくありません。');
      expect(r.html).toContain('role="status"');
    }
    expect(wrongCode.html).toContain('あと4回');
    expect(wrongId.html).toContain('あと3回');
    // The code was not used up by the wrong-ID attempt.
    const ok = await submit(t, state!, 'demo-visa', code);
    expect(finalCResOf(ok.html).message?.transStatus).toBe('Y');
    expect((await member(t, 'demo-visa')).failedAttempts).toBe(0);
  });

  it('locks the member after 5 wrong entries: N/19, the issuer phone on the page', async () => {
    const t = await start();
    const { ares, state } = await openChallenge(t, 'mc-otp');
    let last = '';
    for (let i = 0; i < 5; i++) last = (await submit(t, state!, 'demo-mc', '000000')).html;
    expect(last).toContain('この会員IDは現在ご利用いただけません');
    expect(last).toContain('0120-000-000');
    const post = finalCResOf(last);
    expect(post.autosubmit).toBe(false);
    expect(post.message?.transStatus).toBe('N');
    expect(await row(t, ares.acsTransID)).toMatchObject({ finalTransStatus: 'N', finalTransStatusReason: '19', state: 'failed' });
    expect((await member(t, 'demo-mc')).status).toBe('locked');
    // A new purchase with the card is declined without a challenge.
    const { browserAReq, postAReq } = await import('../support/areq.ts');
    const next = (await (await postAReq(t.app, browserAReq({ pan: demoCard('mc-otp').pan, purchaseAmount: '98000' }))).json()) as Record<string, any>;
    expect(next).toMatchObject({ transStatus: 'N', transStatusReason: '19' });
  });

  it('counts 50 concurrent wrong entries atomically and checks no more than the limit', async () => {
    const t = await start();
    const { state } = await openChallenge(t, 'jcb-otp');
    await Promise.all(Array.from({ length: 50 }, () => submit(t, state!, 'demo-jcb', '000000')));
    const m = await member(t, 'demo-jcb');
    expect(m.failedAttempts).toBe(50);
    expect(m.status).toBe('locked');
    const attempts = t.logs.map((l) => JSON.parse(l)).filter((l) => l.msg === 'challenge attempt');
    expect(attempts).toHaveLength(50);
    expect(attempts.filter((a) => a.checked).length).toBe(5);
  });

  it('limits resends by cooldown and count', async () => {
    const t = await start({ OTP_RESEND_COOLDOWN_SECONDS: '30', OTP_MAX_SENDS: '3' });
    const { ares, state } = await openChallenge(t, 'jcb-otp');
    const resend = async () => {
      const res = await postForm(t, '/3ds/challenge/resend', { state });
      return { status: res.status, html: await res.text() };
    };
    const tooSoon = await resend();
    expect(tooSoon.status).toBe(429);
    expect(tooSoon.html).toContain('秒後');
    t.clock.advance(30_000);
    expect((await resend()).html).toContain('再送信しました');
    t.clock.advance(30_000);
    expect((await resend()).status).toBe(200);
    t.clock.advance(30_000);
    const limit = await resend();
    expect(limit.status).toBe(429);
    expect(limit.html).toContain('これ以上再送信できません');
    expect(await t.deps.db.$count(smsOutbox, eq(smsOutbox.acsTransID, ares.acsTransID))).toBe(3);
    // Only the newest code works.
    const codes = (await t.deps.db.select().from(smsOutbox).where(eq(smsOutbox.acsTransID, ares.acsTransID))).map((s) => s.otpCode!);
    if (codes[0] !== codes[2]) expect((await submit(t, state!, 'demo-jcb', codes[0])).res.status).toBe(400);
    expect(finalCResOf((await submit(t, state!, 'demo-jcb', codes[2])).html).message?.transStatus).toBe('Y');
  });

  it('refuses an expired code', async () => {
    const t = await start({ OTP_TTL_SECONDS: '60' });
    const { ares, state } = await openChallenge(t, 'jcb-otp');
    const code = await latestOtp(t, ares.acsTransID);
    t.clock.advance(61_000);
    expect((await submit(t, state!, 'demo-jcb', code)).res.status).toBe(400);
  });

  it('tells the cardholder when the SMS gateway fails, and keeps the challenge open', async () => {
    const failing = { name: 'down', send: async () => ({ ok: false as const, error: 'gateway 503', transient: true }) };
    const t = await createTestApp({ seed: true, overrides: { sms: failing } });
    open.push(t);
    const { res, html, ares } = await openChallenge(t, 'jcb-otp');
    expect(res.status).toBe(200);
    expect(html).toContain('SMSを送信できませんでした');
    // Nothing went out, so the page never says a code was sent; it offers to send one again.
    expect(html).not.toContain('にSMSでワンタイムパスワードを送信しました');
    expect(html).toContain('/3ds/challenge/resend');
    expect(await row(t, ares.acsTransID)).toMatchObject({ state: 'challenge_started' });
  });
});

describe('what the cardholder types', () => {
  const fullWidth = (s: string) => Array.from(s, (ch) => (ch === '-' ? 'ー' : String.fromCharCode(ch.charCodeAt(0) + 0xfee0))).join('');

  it('answers an empty or malformed entry beside its field and does not count it', async () => {
    const t = await start();
    const { ares, state } = await openChallenge(t, 'jcb-otp');
    const ja = MESSAGES.ja;
    const empty = await submit(t, state!, '', '');
    expect(empty.res.status).toBe(400);
    expect(empty.html).toContain(ja.memberIdEmpty);
    expect(empty.html).toContain(ja.otpEmpty);
    expect(empty.html).not.toContain('あと');
    const short = await submit(t, state!, 'demo-jcb', '12345');
    expect(short.html).toContain(ja.otpFormat);
    expect(short.html).not.toContain(ja.failed);
    const letters = await submit(t, state!, '  ', 'abcdef');
    expect(letters.html).toContain(ja.memberIdEmpty);
    expect(letters.html).toContain(ja.otpFormat);
    expect((await member(t, 'demo-jcb')).failedAttempts).toBe(0);
    expect(t.logs.filter((l) => l.includes('"challenge attempt"'))).toHaveLength(0);
    expect((await row(t, ares.acsTransID)).interactionCounter).toBe(0);
    // The code is still good, and the first wrong entry is still the first.
    const wrong = await submit(t, state!, 'demo-jcb', (await latestOtp(t, ares.acsTransID)) === '000000' ? '111111' : '000000');
    expect(wrong.html).toContain('あと4回');
  });

  it('accepts the full-width digits and ID a Japanese IME types, with spaces and dashes', async () => {
    const t = await start();
    const { ares, state } = await openChallenge(t, 'jcb-otp');
    const code = await latestOtp(t, ares.acsTransID);
    const typed = `${fullWidth(code.slice(0, 3))}　${fullWidth(code.slice(3))}`;
    const ok = await submit(t, state!, fullWidth('demo-jcb'), typed);
    expect(finalCResOf(ok.html).message?.transStatus).toBe('Y');
  });

  it('shows the completed outcome to both of two concurrent submissions of the right code', async () => {
    const t = await start();
    for (const key of ['jcb-otp', 'visa-otp', 'mc-otp']) {
      const { ares, state } = await openChallenge(t, key);
      const code = await latestOtp(t, ares.acsTransID);
      const loginId = (await t.deps.db.select().from(members)).find((m) => m.phone === (demoCard(key).member?.phone ?? ''))!.loginId;
      const pages = await Promise.all([submit(t, state!, loginId, code), submit(t, state!, loginId, code)]);
      for (const page of pages) {
        expect(page.res.status).toBe(200);
        expect(page.html).not.toContain(MESSAGES.ja.failed);
        expect(finalCResOf(page.html).message?.transStatus).toBe('Y');
      }
      expect(await row(t, ares.acsTransID)).toMatchObject({ state: 'completed', finalTransStatus: 'Y' });
      expect((await member(t, loginId)).failedAttempts).toBe(0);
      // A repeat after completion shows the same ending.
      expect(finalCResOf((await submit(t, state!, loginId, code)).html).message?.transStatus).toBe('Y');
    }
  });
});

describe('a refused SMS', () => {
  it('is never reported as sent: not on the first page, not on a reload, only once a code really went out', async () => {
    const t = await start({ SMS_LIMIT_PER_PHONE: '1/5m', OTP_RESEND_COOLDOWN_SECONDS: '0' });
    const sentTo = MESSAGES.ja.sentTo('090-****-0001');
    const first = await openChallenge(t, 'jcb-otp');
    expect(first.html).toContain(sentTo);

    const second = await openChallenge(t, 'jcb-otp');
    expect(second.html).toContain(MESSAGES.ja.smsRateLimited('0120-000-000'));
    expect(second.html).not.toContain(sentTo);
    expect(await t.deps.db.$count(smsOutbox, eq(smsOutbox.acsTransID, second.ares.acsTransID))).toBe(0);
    const reload = await postForm(t, '/3ds/challenge', { creq: second.creq });
    expect(await reload.text()).not.toContain(sentTo);
    const again = await postForm(t, '/3ds/challenge/resend', { state: second.state });
    expect(again.status).toBe(503);
    expect(await again.text()).not.toContain(sentTo);

    t.clock.advance(5 * 60_000);
    const later = await postForm(t, '/3ds/challenge/resend', { state: second.state });
    const html = await later.text();
    expect(html).toContain(MESSAGES.ja.resent);
    expect(html).toContain(sentTo);
    const code = await latestOtp(t, second.ares.acsTransID);
    expect(finalCResOf((await submit(t, stateOf(html)!, 'demo-jcb', code)).html).message?.transStatus).toBe('Y');
  });
});

describe('static password', () => {
  it('accepts the member ID and password, and refuses a wrong one with the same message', async () => {
    const t = await start();
    const { ares, state, html } = await openChallenge(t, 'jcb-password');
    expect(html).toContain('type="password"');
    expect(html).not.toContain('/3ds/challenge/resend');
    expect(await t.deps.db.$count(smsOutbox, eq(smsOutbox.acsTransID, ares.acsTransID))).toBe(0);
    const wrong = await submit(t, state!, 'demo-pass', 'not-it');
    expect(wrong.html).toContain('会員IDまたはパスワードが正しくありません。');
    const ok = await submit(t, state!, 'demo-pass', 'Mamori-2026');
    expect(finalCResOf(ok.html).message?.transStatus).toBe('Y');
    expect((await row(t, ares.acsTransID)).challengeMethod).toBe('password');
  });
});

describe('cardholders who cannot be challenged', () => {
  it.each([
    ['visa-unregistered', '本人認証サービスへのご登録が必要です'],
    ['jcb-provisional-phone', '携帯電話番号の本登録が必要です'],
    ['mc-no-otp', '携帯電話番号のご登録が必要です'],
  ])('%s gets a page that says what to do, and the transaction ends N/13', async (key, heading) => {
    const t = await start();
    const { ares, html } = await openChallenge(t, key);
    expect(html).toContain(heading);
    expect(html).toContain('0120-000-000');
    expect(html).not.toContain('name="memberId"');
    expect(finalCResOf(html).message?.transStatus).toBe('N');
    expect(await row(t, ares.acsTransID)).toMatchObject({ finalTransStatus: 'N', finalTransStatusReason: '13' });
    expect(await t.deps.db.$count(smsOutbox)).toBe(0);
  });
});

describe('cancel and expiry', () => {
  it('cancel ends N with challengeCancel 01 and posts at once', async () => {
    const t = await start();
    const { ares, state } = await openChallenge(t, 'jcb-otp');
    const res = await postForm(t, '/3ds/challenge/cancel', { state });
    const post = finalCResOf(await res.text());
    expect(post.autosubmit).toBe(true);
    expect(post.message?.transStatus).toBe('N');
    expect(await row(t, ares.acsTransID)).toMatchObject({ state: 'cancelled', finalTransStatus: 'N', challengeCancel: '01' });
  });

  it('ends after 10 idle minutes with N/14 and challengeCancel 04; a later submit shows the expiry page', async () => {
    const t = await start();
    const { ares, state } = await openChallenge(t, 'jcb-otp');
    t.clock.advance(9 * 60_000);
    await runScheduledWork(t.deps);
    expect((await row(t, ares.acsTransID)).state).toBe('challenge_started');
    t.clock.advance(60_000);
    await runScheduledWork(t.deps);
    expect(await row(t, ares.acsTransID)).toMatchObject({ state: 'expired', finalTransStatus: 'N', finalTransStatusReason: '14', challengeCancel: '04' });
    const { html } = await submit(t, state!, 'demo-jcb', await latestOtp(t, ares.acsTransID));
    expect(html).toContain('認証の有効時間が過ぎました');
    expect(finalCResOf(html).message?.transStatus).toBe('N');
  });

  it('restarts the 10 minutes on every page', async () => {
    const t = await start();
    const { ares, state } = await openChallenge(t, 'jcb-otp');
    t.clock.advance(8 * 60_000);
    await submit(t, state!, 'demo-jcb', '000000');
    t.clock.advance(8 * 60_000);
    await runScheduledWork(t.deps);
    expect((await row(t, ares.acsTransID)).state).toBe('challenge_started');
  });
});

describe('state token', () => {
  it('expires one idle period after its page: an old page of a flow kept open elsewhere takes no step', async () => {
    const t = await start({ OTP_TTL_SECONDS: '600' });
    const { ares, state: old } = await openChallenge(t, 'jcb-otp');
    t.clock.advance(5 * 60_000);
    const resent = await postForm(t, '/3ds/challenge/resend', { state: old }); // a page served: the flow runs 10 more minutes
    const fresh = stateOf(await resent.text())!;
    t.clock.advance(6 * 60_000);
    const code = await latestOtp(t, ares.acsTransID);
    const stale = await submit(t, old!, 'demo-jcb', code);
    expect(stale.res.status).toBe(400);
    expect(stale.html).toContain('このお買い物の認証を続けられません');
    expect((await row(t, ares.acsTransID)).state).toBe('challenge_started');
    expect((await member(t, 'demo-jcb')).failedAttempts).toBe(0);
    const ok = await submit(t, fresh, 'demo-jcb', code);
    expect(finalCResOf(ok.html).message?.transStatus).toBe('Y');
  });

  it('cannot be given a longer life: the expiry is under the MAC', async () => {
    const t = await start();
    const { state } = await openChallenge(t, 'jcb-otp');
    const [body, mac] = state!.split('.');
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString());
    expect(claims.exp).toBe(t.clock.now() + 10 * 60_000);
    const longer = `${Buffer.from(JSON.stringify({ ...claims, exp: claims.exp + 86_400_000 })).toString('base64url')}.${mac}`;
    expect((await submit(t, longer, 'demo-jcb', '000000')).res.status).toBe(400);
    expect((await member(t, 'demo-jcb')).failedAttempts).toBe(0);
  });

  it('refuses a tampered state', async () => {
    const t = await start();
    const { state } = await openChallenge(t, 'jcb-otp');
    const tampered = state!.replace(/.$/, (ch) => (ch === 'a' ? 'b' : 'a'));
    const { res, html } = await submit(t, tampered, 'demo-jcb', '123456');
    expect(res.status).toBe(400);
    expect(html).toContain('このお買い物の認証を続けられません');
    expect(stateOf(html)).toBeUndefined();
  });
});

describe('the start and the end of a challenge are each one database transaction', () => {
  // Real failures inside the batch: the database itself refuses one of its statements (a trigger).
  // Nothing of the batch may stay, and the timer that was armed before it must still be there to
  // end the transaction properly, with its RReq.
  it.each([
    ['the flow move (a statement in the middle)', "CREATE TRIGGER refuse BEFORE UPDATE OF state ON flows BEGIN SELECT RAISE(ABORT, 'refused'); END"],
    ['the RReq job (the last statement)', "CREATE TRIGGER refuse BEFORE INSERT ON timers WHEN NEW.kind = 'rreq_delivery' BEGIN SELECT RAISE(ABORT, 'refused'); END"],
  ])('when %s fails, no final transaction is left without its RReq, and the inactivity timer ends it later', async (_, trigger) => {
    const t = await start();
    const { ares, state } = await openChallenge(t, 'jcb-otp');
    const flowId = (await t.deps.db.select().from(challenges).where(eq(challenges.acsTransID, ares.acsTransID)).get())!.flowId;
    const code = await latestOtp(t, ares.acsTransID);
    await t.client.execute(trigger);

    const { res } = await submit(t, state!, 'demo-jcb', code);
    expect(res.status).toBe(500);
    expect(t.logs.some((l) => l.includes('unhandled error'))).toBe(true);
    expect(await row(t, ares.acsTransID)).toMatchObject({ state: 'challenge_started', finalTransStatus: null, authenticationValue: null });
    expect(await timer(t, 'rreq_delivery', ares.acsTransID)).toBeUndefined();
    expect(await timer(t, 'challenge_timeout', flowId)).toMatchObject({ doneAt: null });

    await t.client.execute('DROP TRIGGER refuse');
    t.clock.advance(10 * 60_000);
    await runScheduledWork(t.deps);
    expect(await row(t, ares.acsTransID)).toMatchObject({ state: 'expired', finalTransStatus: 'N', finalTransStatusReason: '14', challengeCancel: '04' });
    expect(await timer(t, 'rreq_delivery', ares.acsTransID)).toBeDefined();
    expect(await timer(t, 'challenge_timeout', flowId)).toMatchObject({ doneAt: expect.any(Number) });
  });

  it('when arming the inactivity timer fails, the challenge has not started and the CReq timer ends it with its RReq', async () => {
    const t = await start();
    const ares = (await (await postAReq(t.app, browserAReq({ pan: demoCard('jcb-otp').pan, purchaseAmount: '98000' }))).json()) as Record<string, string>;
    await t.client.execute("CREATE TRIGGER refuse BEFORE INSERT ON timers WHEN NEW.kind = 'challenge_timeout' BEGIN SELECT RAISE(ABORT, 'refused'); END");

    const res = await postForm(t, '/3ds/challenge', { creq: encodeJsonBase64Url(creqFor(ares)) });
    expect(res.status).toBe(500);
    expect(await row(t, ares.acsTransID)).toMatchObject({ state: 'ares_sent', finalTransStatus: null });
    expect(await timer(t, 'creq_timeout', ares.acsTransID)).toMatchObject({ doneAt: null });

    await t.client.execute('DROP TRIGGER refuse');
    t.clock.advance(30_000);
    await runScheduledWork(t.deps);
    expect(await row(t, ares.acsTransID)).toMatchObject({ state: 'expired', finalTransStatus: 'N', finalTransStatusReason: '14', challengeCancel: '05' });
    expect(await timer(t, 'rreq_delivery', ares.acsTransID)).toBeDefined();
  });
});
