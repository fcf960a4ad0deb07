/**
 * The portal's registration as a cardholder meets it on a phone (390×844) in Chromium: the card
 * with a wrong birth date first (the one answer, in the live region), then the right one; the
 * member ID checked on leaving the field (htmx), a weak password beside its field, the code read
 * from the mail outbox, and done, signed in. axe-core checks every step. Then the whole
 * registration once more without JavaScript. The cards are put on file in the server's database
 * by the test (the server runs with the test's keys, so it finds them by their keyed hash).
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { desc, eq } from 'drizzle-orm';
import { insertCard, insertCardholder } from '../../src/cards/card-store.ts';
import { systemClock } from '../../src/clock.ts';
import { mailOutbox, members } from '../../src/db/schema.ts';
import { demoPan } from '../../src/sandbox/demo-issuer.ts';
import { axeViolations, hasHorizontalScroll, launchBrowser, screenshot, smallTargets } from '../support/browser.ts';
import { startServer, type RunningServer } from '../support/server.ts';
import { createTestApp, TEST_SECRETS } from '../support/test-app.ts';

/** Chrome reports every 4xx answer, such as a refused proof or a weak password (400). */
const EXPECTED_CONSOLE = /Failed to load resource: the server responded with a status of 4(00|04|09|29)/;

let browser: Browser;
let server: RunningServer;
let db: Awaited<ReturnType<typeof createTestApp>>;
const contexts: BrowserContext[] = [];
const problems: string[] = [];

beforeAll(async () => {
  [browser, server] = await Promise.all([launchBrowser(), startServer({ ...TEST_SECRETS })]);
  db = await createTestApp({ databaseFile: server.databaseFile, env: { PUBLIC_URL: server.baseUrl }, overrides: { clock: systemClock } });
}, 90_000);
afterAll(async () => {
  for (const c of contexts) await c.close();
  db?.close();
  await Promise.all([browser?.close(), server?.stop()]);
});

let serial = 8_300_000 + Math.floor(Math.random() * 100_000);
async function unregisteredCard(birthDate: string): Promise<string> {
  const pan = demoPan('jcb', serial++);
  const holder = await insertCardholder(db.deps.db, db.deps.clock, { customerRef: `B-${serial}`, name: '画面 太郎' });
  await db.client.execute({ sql: 'UPDATE cardholders SET birth_date = ? WHERE id = ?', args: [birthDate, holder] });
  await insertCard(db.deps.db, db.deps.keys, db.deps.clock, holder, { pan, expiry: '3012', brand: 'jcb' });
  return pan;
}

async function phonePage(javaScriptEnabled: boolean): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'ja-JP', isMobile: true, hasTouch: true, javaScriptEnabled });
  contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.on('console', (m) => {
    if (m.type() === 'error' && !EXPECTED_CONSOLE.test(m.text())) problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  return page;
}


async function checked(page: Page, name: string) {
  expect(await hasHorizontalScroll(page)).toBe(false);
  expect(await smallTargets(page)).toEqual([]);
  expect(await axeViolations(page)).toEqual([]);
  await screenshot(page, name);
}

const latestCode = async (to: string) => {
  const mail = (await db.deps.db.select().from(mailOutbox).where(eq(mailOutbox.recipient, to)).orderBy(desc(mailOutbox.id)).get())!;
  return /確認コード：(\d{6})/.exec(mail.body)![1];
};

describe('registration on a phone', () => {
  it('registers a card step by step with htmx, every step accessible', async () => {
    const pan = await unregisteredCard('1984-02-29');
    const page = await phonePage(true);
    expect((await page.goto(`${server.baseUrl}/portal/register`))?.status()).toBe(200);
    await expect.poll(() => page.evaluate(() => typeof (window as { htmx?: unknown }).htmx)).toBe('object');
    expect(await page.textContent('h1')).toContain('本人認証サービスの会員登録');
    await checked(page, 'portal-registration-card');

    // A wrong birth date: the one answer, on the page and in the live region; the form is empty again.
    await page.getByLabel('カード番号').fill(pan.replace(/(\d{4})(?=\d)/g, '$1 '));
    await page.getByLabel('有効期限（月/年）').fill('12/30');
    await page.getByLabel('生年月日').fill('1984/02/28');
    await page.getByRole('button', { name: '次へ' }).click();
    await page.waitForSelector('#unconfirmed');
    expect(await page.textContent('#announce')).toContain('カード情報を確認できませんでした');
    expect(await page.inputValue('#pan')).toBe('');
    await checked(page, 'portal-registration-card-unconfirmed');

    await page.getByLabel('カード番号').fill(pan);
    await page.getByLabel('有効期限（月/年）').fill('12/30');
    await page.getByLabel('生年月日').fill('1984/02/29');
    await page.getByRole('button', { name: '次へ' }).click();
    await page.waitForSelector('text=ステップ 2 / 3');
    await checked(page, 'portal-registration-account');

    // The member ID is checked on leaving the field: "taken", tied to the input.
    await page.getByLabel('会員ID').fill('demo-jcb');
    await page.getByLabel('パスワード', { exact: true }).focus();
    await expect.poll(() => page.textContent('#loginId-status')).toContain('すでに使われています');
    await page.getByLabel('会員ID').fill('gamen-taro');
    await page.getByLabel('パスワード', { exact: true }).focus();
    await expect.poll(() => page.textContent('#loginId-status')).toContain('この会員IDは使えます');
    // A common password: beside its field and announced.
    await page.getByLabel('パスワード', { exact: true }).fill('password');
    await page.getByLabel('パスワード（確認）').fill('password');
    await page.getByLabel('メールアドレス').fill('gamen@example.jp');
    await page.getByRole('button', { name: '確認コードを送信' }).click();
    await page.waitForSelector('#password-error');
    expect(await page.getAttribute('#password', 'aria-describedby')).toContain('password-error');
    expect(await page.textContent('#announce')).toContain('よく使われていて');
    await checked(page, 'portal-registration-account-error');

    await page.getByLabel('パスワード', { exact: true }).fill('sakura-no-kisetsu');
    await page.getByLabel('パスワード（確認）').fill('sakura-no-kisetsu');
    await page.getByRole('button', { name: '確認コードを送信' }).click();
    await page.waitForSelector('text=ステップ 3 / 3');
    expect(await page.textContent('main')).toContain('gamen@example.jp');
    await checked(page, 'portal-registration-code');

    await page.getByLabel('確認コード（6桁）').fill(await latestCode('gamen@example.jp'));
    await page.getByRole('button', { name: '登録する' }).click();
    await page.waitForSelector('text=会員登録が完了しました');
    expect(await page.textContent('main')).toContain('会員ID：gamen-taro');
    expect(await page.textContent('nav')).toContain('ログアウト');
    await checked(page, 'portal-registration-done');
    const member = (await db.deps.db.select().from(members).where(eq(members.loginId, 'gamen-taro')).get())!;
    expect(member).toMatchObject({ status: 'active', email: 'gamen@example.jp', termsAcceptedAt: null });

    // Signed in, another card can be registered; the page in English says each card has its own ID.
    await page.goto(`${server.baseUrl}/portal/register?lang=en`);
    expect(await page.textContent('main')).toContain('You are signed in as gamen-taro');
    await checked(page, 'portal-registration-another-card-en');
    expect(problems).toEqual([]);
  }, 90_000);

  it('works without JavaScript, in English', async () => {
    const pan = await unregisteredCard('1972-12-24');
    const page = await phonePage(false);
    await page.goto(`${server.baseUrl}/portal/register?lang=en`);
    expect(await page.textContent('h1')).toContain('Register for 3-D Secure');
    // (axe-core and the size checks need the page's JavaScript: the same pages were checked with it above.)
    await screenshot(page, 'portal-registration-nojs-card');
    await page.getByLabel('Card number').fill(pan);
    await page.getByLabel('Expiry (MM/YY)').fill('1230');
    await page.getByLabel('Date of birth').fill('19721224');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.waitForSelector('text=Step 2 of 3');
    await screenshot(page, 'portal-registration-nojs-account');
    await page.getByLabel('Member ID').fill('nojs-member');
    await page.getByLabel('Password', { exact: true }).fill('nojs-member-pw');
    await page.getByLabel('Password again').fill('nojs-member-pw');
    await page.getByLabel('Mail address').fill('nojs@example.jp');
    await page.getByRole('button', { name: 'Send the code' }).click();
    await page.waitForSelector('#password-error');
    expect(await page.textContent('#password-error')).toContain('Do not use your member ID');
    await screenshot(page, 'portal-registration-nojs-account-error');
    await page.getByLabel('Password', { exact: true }).fill('winter-lights-24');
    await page.getByLabel('Password again').fill('winter-lights-24');
    await page.getByRole('button', { name: 'Send the code' }).click();
    await page.waitForSelector('text=Step 3 of 3');
    await screenshot(page, 'portal-registration-nojs-code');
    await page.getByLabel('Code (6 digits)').fill(await latestCode('nojs@example.jp'));
    await page.getByRole('button', { name: 'Register' }).click();
    await page.waitForSelector('text=You are registered');
    expect(page.url()).toMatch(/\/portal\/register\/done\?flow=/);
    await screenshot(page, 'portal-registration-nojs-done');
    expect(problems).toEqual([]);
  }, 90_000);
});
