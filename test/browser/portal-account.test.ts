/**
 * The portal's sign-in, home page, terms, sign-out and recovery as a cardholder meets them: on a
 * phone (390×844) in Chromium against the real Node server, with axe-core on every state. Mails
 * are read from the server's outbox (its database file); wrong passwords lock the member at the
 * issuer's limit, and an address over its limit gets the same failure page.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { desc, eq } from 'drizzle-orm';
import { systemClock } from '../../src/clock.ts';
import { cards, mailOutbox, members } from '../../src/db/schema.ts';
import { setPassword } from '../../src/members/store.ts';
import { demoCard } from '../../src/sandbox/demo-issuer.ts';
import { axeViolations, hasHorizontalScroll, launchBrowser, screenshot, smallTargets as smallTargetsOf, TARGETS } from '../support/browser.ts';
import { startServer, type RunningServer } from '../support/server.ts';
import { createTestApp } from '../support/test-app.ts';

/** Chrome reports every 4xx answer, such as a failed sign-in (400) or one over the address's limit (429). */
const EXPECTED_CONSOLE = /Failed to load resource: the server responded with a status of 4(00|29)/;
const PASSWORD = 'Mamori-2026';

let browser: Browser;
let server: RunningServer;
let db: Awaited<ReturnType<typeof createTestApp>>;
let context: BrowserContext;
let page: Page;
const problems: string[] = [];

beforeAll(async () => {
  [browser, server] = await Promise.all([launchBrowser(), startServer()]);
  db = await createTestApp({ databaseFile: server.databaseFile, env: { PUBLIC_URL: server.baseUrl }, overrides: { clock: systemClock } });
  context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'ja-JP', isMobile: true, hasTouch: true });
  page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error' && !EXPECTED_CONSOLE.test(m.text())) problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
}, 90_000);
afterAll(async () => {
  await context?.close();
  db?.close();
  await Promise.all([browser?.close(), server?.stop()]);
});

const member = async (loginId: string) => (await db.deps.db.select().from(members).where(eq(members.loginId, loginId)).get())!;

/** Every button, link-button and input in main is at least 44 px tall and wide. */
const smallTargets = () => smallTargetsOf(page, `${TARGETS}, main .portal-links a`);

async function checkPage(name: string) {
  expect(await hasHorizontalScroll(page), name).toBe(false);
  expect(await smallTargets(), name).toEqual([]);
  expect(await axeViolations(page), name).toEqual([]);
  await screenshot(page, `portal-account-${name}`);
}

async function signIn(loginId: string, password: string) {
  await page.getByLabel('会員ID').fill(loginId);
  await page.getByLabel('パスワード').fill(password);
  await page.click('main button[type=submit]');
}

describe('portal sign-in on a phone', () => {
  it('refuses a wrong password in place, signs in, shows the home page and signs out', async () => {
    expect((await page.goto(`${server.baseUrl}/portal`))?.status()).toBe(200);
    await expect.poll(() => page.evaluate(() => typeof (window as { htmx?: unknown }).htmx)).toBe('object');
    expect(await page.textContent('h1')).toContain('会員ページにログイン');
    await checkPage('sign-in');

    await signIn('demo-pass', 'not-the-password');
    await page.waitForSelector('#sign-in-failed');
    expect(await page.textContent('#announce')).toContain('会員IDまたはパスワードが正しくないか');
    expect(await page.inputValue('#memberId')).toBe('demo-pass');
    await checkPage('sign-in-failed');

    await signIn('demo-pass', PASSWORD);
    await page.waitForURL(`${server.baseUrl}/portal`);
    await page.waitForSelector('#home-card');
    expect(await page.textContent('#home-card')).toBe(`JCB •••• ${demoCard('jcb-password').pan.slice(-4)}`);
    expect(await page.textContent('#home-method')).toContain('SMSのワンタイムパスワードへの切り替えをおすすめします');
    expect(await page.locator('#home-method a[href="/portal/method"]').count()).toBe(1);
    await checkPage('home');

    // English, then back.
    await page.click('header a[hreflang="en"]');
    expect(await page.textContent('h1')).toBe('Member portal');
    expect(await axeViolations(page)).toEqual([]);
    await page.click('header a[hreflang="ja"]');

    await page.click('nav form[action="/portal/sign-out"] button');
    await page.waitForSelector('#sign-in-notice');
    expect(await page.textContent('#sign-in-notice')).toContain('ログアウトしました');
    expect(await axeViolations(page)).toEqual([]);
    expect((await context.cookies()).some((c) => c.name === '__Host-mamori-member')).toBe(false);
  }, 60_000);

  it('asks for the terms at first sign-in, then opens the home page', async () => {
    const m = await member('demo-two-jcb');
    await setPassword(db.deps.db, db.deps.clock, m.id, PASSWORD);
    await db.client.execute({ sql: 'UPDATE members SET terms_accepted_at = NULL WHERE id = ?', args: [m.id] });
    await page.goto(`${server.baseUrl}/portal/sign-in`);
    await signIn('demo-two-jcb', PASSWORD);
    await page.waitForURL(`${server.baseUrl}/portal/terms`);
    expect(await page.textContent('h1')).toContain('本人認証サービス利用規約');
    await checkPage('terms');
    await page.click('main button[type=submit]');
    await page.waitForURL(`${server.baseUrl}/portal`);
    expect(await page.textContent('h1')).toBe('会員ページ');
    expect((await member('demo-two-jcb')).termsAcceptedAt).not.toBeNull();
    await page.click('nav form[action="/portal/sign-out"] button');
    await page.waitForSelector('#sign-in-notice');
  }, 60_000);

  it("locks the ID after the issuer's limit of wrong passwords; the right one then gets the same answer", async () => {
    await page.goto(`${server.baseUrl}/portal/sign-in`);
    for (let i = 0; i < 5; i++) {
      await signIn('demo-mc-pass', `wrong-password-${i}`);
      await page.waitForSelector('#sign-in-failed');
      await page.waitForFunction(() => !document.querySelector('main button[disabled]'));
    }
    expect((await member('demo-mc-pass')).status).toBe('locked');
    const failed = await page.textContent('main');
    await signIn('demo-mc-pass', PASSWORD);
    await page.waitForSelector('#sign-in-failed');
    await page.waitForFunction(() => !document.querySelector('main button[disabled]'));
    expect(await page.textContent('main')).toBe(failed);
    expect(page.url()).toBe(`${server.baseUrl}/portal/sign-in`);
  }, 60_000);
});

describe('portal recovery on a phone', () => {
  it('mails the member ID for the card, expiry and birth date, saying the same as for no match', async () => {
    const m = await member('demo-jcb');
    const card = (await db.deps.db.select().from(cards).where(eq(cards.accountId, m.cardAccountId)).get())!;
    await db.client.execute({ sql: 'UPDATE cardholders SET birth_date = ? WHERE id = ?', args: ['1980-04-01', card.cardholderId] });
    await db.client.execute({ sql: 'UPDATE members SET email = ? WHERE id = ?', args: ['demo-jcb@example.jp', m.id] });
    await page.goto(`${server.baseUrl}/portal/sign-in`);
    await page.click('main a[href="/portal/forgot-id"]');
    expect(await page.textContent('h1')).toContain('会員IDをお忘れの方');
    await checkPage('forgot-id');
    await page.getByLabel('カード番号').fill(demoCard('jcb-otp').pan.replace(/(\d{4})(?=\d)/g, '$1 '));
    await page.getByLabel('有効期限').fill('12/30');
    await page.getByLabel('生年月日').fill('1980-04-01');
    await page.click('main button[type=submit]');
    await page.waitForSelector('#recovery-outcome');
    expect(await page.textContent('#announce')).toContain('会員IDをお送りしました');
    await checkPage('forgot-id-done');
    const mail = (await db.deps.db.select().from(mailOutbox).orderBy(desc(mailOutbox.id)).get())!;
    expect(mail.recipient).toBe('demo-jcb@example.jp');
    expect(mail.body).toContain('会員ID：demo-jcb');
  }, 60_000);

  it('mails a reset link for the member ID, and the link opens the reset page', async () => {
    await page.goto(`${server.baseUrl}/portal/forgot-password`);
    await checkPage('forgot-password');
    await page.getByLabel('会員ID').fill('demo-jcb');
    await page.click('main button[type=submit]');
    await page.waitForSelector('#recovery-outcome');
    expect(await page.textContent('#announce')).toContain('再設定用のリンクをお送りしました');
    expect(await axeViolations(page)).toEqual([]);
    const mail = (await db.deps.db.select().from(mailOutbox).orderBy(desc(mailOutbox.id)).get())!;
    const link = new RegExp(`${server.baseUrl}/portal/password-reset/[\\w-]{43}`).exec(mail.body)![0];
    expect((await page.goto(link))?.status()).toBe(200);
    expect(await page.textContent('h1')).toContain('パスワードの再設定');
  }, 60_000);
});

describe('portal throttling on a phone', () => {
  it('answers an address over its limit with the same failure page', async () => {
    await page.goto(`${server.baseUrl}/portal/sign-in`);
    // The tries so far came from this address too; fill its 15 minutes up without the browser.
    for (let i = 0; i < 20; i++) {
      const res = await fetch(`${server.baseUrl}/portal/sign-in`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: server.baseUrl },
        body: new URLSearchParams({ memberId: 'nobody', password: 'whatever-pass' }).toString(),
      });
      if (res.status === 429) break;
    }
    const answer = page.waitForResponse((r) => r.url().endsWith('/portal/sign-in') && r.request().method() === 'POST');
    await signIn('demo-visa', PASSWORD);
    expect((await answer).status()).toBe(429);
    await page.waitForSelector('#sign-in-failed');
    expect(await page.textContent('#sign-in-failed')).toContain('会員IDまたはパスワードが正しくないか');
    expect(await axeViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
  }, 60_000);
});
