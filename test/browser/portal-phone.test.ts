/**
 * The OTP phone and the authentication method as a member meets them on a phone (390×844) in
 * Chromium: a first number typed as in Japan, a wrong code beside its field, a resend too soon
 * announced, the right code read from the SMS outbox, then the switch from the static password to
 * SMS; axe-core checks every state. The same registration once more without JavaScript.
 * The member is signed in by a session opened on the server's database (the sign-in page is
 * another helper's).
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { desc, eq } from 'drizzle-orm';
import { systemClock } from '../../src/clock.ts';
import { members, smsOutbox } from '../../src/db/schema.ts';
import { MEMBER_COOKIE } from '../../src/portal/http.ts';
import { axeViolations, hasHorizontalScroll, launchBrowser, screenshot, smallTargets } from '../support/browser.ts';
import { memberIdOf, memberSession } from '../support/portal.ts';
import { startServer, type RunningServer } from '../support/server.ts';
import { createTestApp } from '../support/test-app.ts';

/** Chrome reports every 4xx answer, such as the page for a wrong code (400) or a resend too soon (429). */
const EXPECTED_CONSOLE = /Failed to load resource: the server responded with a status of 4(00|29)/;

let browser: Browser;
let server: RunningServer;
let db: Awaited<ReturnType<typeof createTestApp>>;
const contexts: BrowserContext[] = [];
const problems: string[] = [];

beforeAll(async () => {
  [browser, server] = await Promise.all([launchBrowser(), startServer()]);
  // The server's database file with the real clock: sessions are opened as the sign-in would open them.
  db = await createTestApp({ databaseFile: server.databaseFile, env: { PUBLIC_URL: server.baseUrl }, overrides: { clock: systemClock } });
}, 90_000);
afterAll(async () => {
  for (const c of contexts) await c.close();
  db?.close();
  await Promise.all([browser?.close(), server?.stop()]);
});

/** A phone-sized context signed in as the member. */
async function signedIn(loginId: string, javaScriptEnabled = true): Promise<{ page: Page; id: number }> {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'ja-JP', isMobile: true, hasTouch: true, javaScriptEnabled });
  contexts.push(context);
  const id = await memberIdOf(db.deps, loginId);
  const { token } = await memberSession(db.deps, id);
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  // A `__Host-` cookie cannot be added with a domain (context.addCookies always has one): the browser
  // takes it from a response of the server's origin, as after the real sign-in.
  const signInUrl = `${server.baseUrl}/__test-sign-in`;
  await page.route(signInUrl, (route) =>
    route.fulfill({ status: 200, contentType: 'text/html', headers: { 'set-cookie': `${MEMBER_COOKIE}=${token}; Path=/; Secure; HttpOnly; SameSite=Lax` }, body: '<!DOCTYPE html><title>signed in</title><link rel="icon" href="data:,">' }),
  );
  await page.goto(signInUrl);
  await page.unroute(signInUrl);
  page.on('console', (m) => {
    if (m.type() === 'error' && !EXPECTED_CONSOLE.test(m.text())) problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  return { page, id };
}


async function checked(page: Page, name: string) {
  expect(await hasHorizontalScroll(page)).toBe(false);
  expect(await smallTargets(page)).toEqual([]);
  expect(await axeViolations(page)).toEqual([]);
  await screenshot(page, name);
}

const latestCode = async (to: string) => (await db.deps.db.select().from(smsOutbox).where(eq(smsOutbox.recipient, to)).orderBy(desc(smsOutbox.id)).get())!.otpCode!;
const memberRow = async (id: number) => (await db.deps.db.select().from(members).where(eq(members.id, id)).get())!;

describe('the OTP phone on a phone', () => {
  it('registers a number (wrong code, resend too soon, right code) and switches the method to SMS', async () => {
    const { page, id } = await signedIn('demo-pass');
    expect((await page.goto(`${server.baseUrl}/portal/phone`))?.status()).toBe(200);
    await expect.poll(() => page.evaluate(() => typeof (window as { htmx?: unknown }).htmx)).toBe('object');
    expect(await page.textContent('h1')).toContain('認証用携帯電話番号の登録');
    await checked(page, 'portal-phone-start');

    // A landline: the error beside the field, tied to it, read out.
    await page.getByLabel('携帯電話番号').fill('03-1234-5678');
    await page.getByRole('button', { name: '確認コードを送信する' }).click();
    await page.waitForSelector('#phone-error');
    expect(await page.getAttribute('#phone', 'aria-describedby')).toContain('phone-error');
    expect(await page.textContent('#announce')).toContain('SMSを受け取れる携帯電話の番号');
    expect(await axeViolations(page)).toEqual([]);

    await page.getByLabel('携帯電話番号').fill('080-3141-5926');
    await page.getByRole('button', { name: '確認コードを送信する' }).click();
    await page.waitForSelector('#code');
    expect(await page.textContent('#send-status')).toContain('080-****-5926');
    expect(await page.textContent('#announce')).toContain('080-****-5926');
    await checked(page, 'portal-phone-code');
    const code = await latestCode('+818031415926');

    await page.getByLabel('確認コード（6桁）').fill(code === '000000' ? '111111' : '000000');
    await page.getByRole('button', { name: '確認する' }).click();
    await page.waitForSelector('#code-error');
    expect(await page.getAttribute('#code', 'aria-invalid')).toBe('true');
    expect(await page.textContent('#code-error')).toContain('確認コードが正しくありません');
    expect(await page.textContent('#announce')).toContain('確認コードが正しくありません');
    expect(await axeViolations(page)).toEqual([]);

    await page.getByRole('button', { name: '確認コードを再送信' }).click();
    await page.waitForSelector('#send-status.alert');
    expect(await page.textContent('#send-status')).toContain('秒後から');
    expect(await page.textContent('#announce')).toContain('秒後から');
    await checked(page, 'portal-phone-resend');

    await page.getByLabel('確認コード（6桁）').fill(code);
    await page.getByRole('button', { name: '確認する' }).click();
    await page.waitForSelector('#done');
    expect(await page.textContent('#announce')).toContain('携帯電話番号を登録しました');
    await checked(page, 'portal-phone-done');
    expect(await memberRow(id)).toMatchObject({ phone: '+818031415926', phoneStatus: 'verified' });

    await page.goto(`${server.baseUrl}/portal/method`);
    expect(await page.textContent('main')).toContain('毎回ちがい');
    await checked(page, 'portal-method');
    await page.getByRole('button', { name: 'SMS認証に切り替える' }).click();
    await page.waitForSelector('#method-status');
    expect(await page.textContent('#announce')).toContain('SMS認証に切り替えました');
    await checked(page, 'portal-method-switched');
    expect((await memberRow(id)).authMethod).toBe('sms_otp');

    // In English too.
    await page.goto(`${server.baseUrl}/portal/phone?lang=en`);
    expect(await page.textContent('h1')).toContain('Change your OTP phone');
    expect(await axeViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
  }, 90_000);

  it('works without JavaScript: each form posts and the whole page answers', async () => {
    const { page, id } = await signedIn('demo-mc-pass', false);
    await page.goto(`${server.baseUrl}/portal/phone`);
    await page.getByLabel('携帯電話番号').fill('09026535897');
    await page.getByRole('button', { name: '確認コードを送信する' }).click();
    await page.waitForSelector('#code');
    expect(await page.textContent('#send-status')).toContain('090-****-5897');
    await page.getByLabel('確認コード（6桁）').fill(await latestCode('+819026535897'));
    await page.getByRole('button', { name: '確認する' }).click();
    await page.waitForSelector('#done');
    expect(await page.url()).toBe(`${server.baseUrl}/portal/phone/verify`);
    // Layout only: axe-core runs as page script, which this context refuses (the markup is the one checked above).
    expect(await hasHorizontalScroll(page)).toBe(false);
    expect(await smallTargets(page)).toEqual([]);
    await screenshot(page, 'portal-phone-nojs-done');
    expect(await memberRow(id)).toMatchObject({ phone: '+819026535897', phoneStatus: 'verified' });
    expect(problems).toEqual([]);
  }, 60_000);
});
