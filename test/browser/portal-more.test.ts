/**
 * Three more of the portal's flows on a phone (390×844) in Chromium against the real Node server
 * (its own, so nothing is shared), read as a tester reads them: the sandbox cards page and the
 * mail outbox's JSON, never the database. A registered demo card registered again (new member ID,
 * the old one gone, then the card reset from the cards page); a signed-in member registering a
 * second card from the home page; and the second issuer's maintenance window reached by moving
 * the sandbox's clock forward (last: the clock never moves back). axe-core checks every page.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAReq } from '../support/areq.ts';
import { axeViolations, hasHorizontalScroll, launchBrowser, screenshot, smallTargets } from '../support/browser.ts';
import { registerInPortal, sandboxReader, type PortalAccount } from '../support/portal-browser.ts';
import { startServer, type RunningServer } from '../support/server.ts';

/** Chrome reports every 4xx/5xx answer: a refused sign-in (400), the maintenance page (503). */
const EXPECTED_CONSOLE = /Failed to load resource: the server responded with a status of (400|503)/;
const PHONE = { viewport: { width: 390, height: 844 }, locale: 'ja-JP', isMobile: true, hasTouch: true };
const SIGN_IN_FAILED = '会員IDまたはパスワードが正しくないか、現在この会員IDではログインできません。';

let browser: Browser;
let server: RunningServer;
/** The sandbox's cards page and outboxes, as a tester reads them. */
let sandbox: ReturnType<typeof sandboxReader>;
const contexts: BrowserContext[] = [];
const problems: string[] = [];

beforeAll(async () => {
  [browser, server] = await Promise.all([launchBrowser(), startServer()]);
  sandbox = sandboxReader(server.baseUrl);
}, 90_000);
afterAll(async () => {
  for (const c of contexts) await c.close();
  await Promise.all([browser?.close(), server?.stop()]);
});

/** A tester's phone: a fresh context (no session of another walk), console errors collected. */
async function testerPhone(): Promise<Page> {
  const context = await browser.newContext(PHONE);
  contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.on('console', (m) => {
    if (m.type() === 'error' && !EXPECTED_CONSOLE.test(m.text())) problems.push(`${page.url()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`${page.url()}: ${e.message}`));
  return page;
}

async function checkPage(page: Page, name: string) {
  expect(await hasHorizontalScroll(page), name).toBe(false);
  expect(await smallTargets(page), name).toEqual([]);
  expect(await axeViolations(page), name).toEqual([]);
  await screenshot(page, `portal-more-${name}`);
}

/** From the registration's first page to its done page (test/support/portal-browser.ts), every page checked. */
const register = (page: Page, card: { pan: string; expiry: string }, proof: (page: Page) => Promise<void>, account: PortalAccount, name: string) =>
  registerInPortal(page, card, proof, account, sandbox.mailCode, (step) => checkPage(page, step), name);

/** The terms, when the member has not accepted them yet, then the home page. */
async function throughTermsHome(page: Page, name: string) {
  if (/\/portal\/terms/.test(page.url())) {
    await checkPage(page, `${name}-terms`);
    await page.getByRole('button', { name: '規約に同意する' }).click();
  }
  await page.waitForURL(`${server.baseUrl}/portal`);
  expect(await page.textContent('h1')).toContain('会員ページ');
  await checkPage(page, `${name}-home`);
}

async function signIn(page: Page, loginId: string, password: string) {
  await page.goto(`${server.baseUrl}/portal/sign-in`);
  await page.getByLabel('会員ID').fill(loginId);
  await page.getByLabel('パスワード').fill(password);
  await page.click('main button[type=submit]');
}

/** Moves the sandbox's clock forward by `seconds` (a day at most per call); returns the server's time after. */
async function advance(seconds: number): Promise<number> {
  let now = 0;
  for (let left = seconds; left > 0; ) {
    const step = Math.min(left, 86_400);
    const res = await fetch(`${server.baseUrl}/sandbox/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ advanceSeconds: step }) });
    expect(res.status).toBe(200);
    now = Date.parse(((await res.json()) as { now: string }).now);
    left -= step;
  }
  return now;
}

/** The next Sunday 02:30 in Japan (UTC+9, no summer time) after `now`. */
function nextSunday0230Jst(now: number): number {
  const jst = new Date(now + 9 * 3_600_000);
  const target = Date.UTC(jst.getUTCFullYear(), jst.getUTCMonth(), jst.getUTCDate() + ((7 - jst.getUTCDay()) % 7), 2, 30) - 9 * 3_600_000;
  return target > now ? target : target + 7 * 86_400_000;
}

describe('more of the member portal on a phone', () => {
  it('registers a registered card again: a new member ID, the old one refused, then the card reset', async () => {
    const page = await testerPhone();
    const card = await sandbox.readCard(page, 'jcb-otp');
    expect(card.status).not.toContain('未登録');
    expect(card.proofKind).toBe('birth_date');
    expect(await sandbox.cardJson('jcb-otp')).toMatchObject({ registered: true, memberId: 'demo-jcb' });

    await page.goto(card.portal);
    const account = { loginId: 'tester-again', password: 'momiji-no-yama-3', email: 'tester-again@example.jp' };
    const { accountStep, done } = await register(page, card, (p) => p.getByLabel('生年月日').fill(card.proof), account, 'rereg');
    // The account step warned that the old ID goes; the done page says it went.
    expect(accountStep).toContain('このカードは会員ID「demo-jcb」で登録済みです');
    expect(done).toContain('これまでの会員ID「demo-jcb」とパスワードは削除されました');
    expect(await sandbox.cardJson('jcb-otp')).toMatchObject({ registered: true, memberId: 'tester-again' });

    // Another phone: the old ID fails with the one general message, the new one signs in.
    const other = await testerPhone();
    await signIn(other, 'demo-jcb', account.password);
    await other.waitForSelector('#sign-in-failed');
    expect(await other.textContent('#announce')).toContain(SIGN_IN_FAILED);
    await checkPage(other, 'rereg-old-id-refused');
    await signIn(other, account.loginId, account.password);
    await throughTermsHome(other, 'rereg-new-id');
    expect(await other.textContent('main')).toContain(`ログイン中の会員ID: ${account.loginId}`);
    expect(await other.textContent('#home-card')).toBe(`JCB •••• ${card.pan.slice(-4)}`);

    // The cards page's reset button puts the card back as seeded for whoever comes next.
    await page.goto(`${server.baseUrl}/sandbox/cards`);
    await page.getByRole('button', { name: 'jcb-otp を元に戻す / reset jcb-otp' }).click();
    await page.waitForURL(/\/sandbox\/cards\?reset=jcb-otp/);
    expect(await sandbox.cardJson('jcb-otp')).toMatchObject({ registered: true, memberId: 'demo-jcb' });
    expect(problems).toEqual([]);
  }, 180_000);

  it('a signed-in member registers a second card from the home page, which then shows it with its own member ID', async () => {
    const page = await testerPhone();
    const first = await sandbox.readCard(page, 'jcb-unregistered');
    const second = await sandbox.readCard(page, 'jcb-corporate');
    expect(first.status).toContain('未登録');
    expect(second.status).toContain('未登録');

    await page.goto(first.portal);
    const one = { loginId: 'tester-first', password: 'kaede-no-michi-5', email: 'tester-first@example.jp' };
    await register(page, first, (p) => p.getByLabel('生年月日').fill(first.proof), one, 'first');
    await page.getByRole('link', { name: '利用規約へ進む' }).click();
    await page.waitForURL(/\/portal\/terms/);
    await throughTermsHome(page, 'first');
    expect(await page.textContent('#home-card')).toBe(`JCB •••• ${first.pan.slice(-4)}`);

    // The home page's link to register another card: the page says who is signed in, and that the new card gets its own ID.
    await page.getByRole('link', { name: 'お持ちの別のカードを登録する' }).click();
    await page.waitForURL(/\/portal\/register/);
    expect(await page.textContent('main')).toContain(`会員ID「${one.loginId}」でログイン中です`);
    const two = { loginId: 'tester-second', password: 'ginkgo-namiki-6', email: 'tester-second@example.jp' };
    await register(page, second, (p) => p.getByLabel('法人カードの方：カード暗証番号').fill(second.proof), two, 'second');
    await page.getByRole('link', { name: '利用規約へ進む' }).click();
    await page.waitForURL(/\/portal\/terms/);
    await throughTermsHome(page, 'second');
    expect(await page.textContent('main')).toContain(`ログイン中の会員ID: ${two.loginId}`);
    expect(await page.textContent('#home-card')).toBe(`JCB •••• ${second.pan.slice(-4)}`);
    expect(await sandbox.cardJson('jcb-unregistered')).toMatchObject({ registered: true, memberId: one.loginId });
    expect(await sandbox.cardJson('jcb-corporate')).toMatchObject({ registered: true, memberId: two.loginId });

    // Each card keeps its own member: the first ID still signs in and shows the first card.
    const other = await testerPhone();
    await signIn(other, one.loginId, one.password);
    await throughTermsHome(other, 'first-again');
    expect(await other.textContent('#home-card')).toBe(`JCB •••• ${first.pan.slice(-4)}`);
    expect(problems).toEqual([]);
  }, 180_000);

  // Last in the file: the clock only moves forward.
  it("closes the second issuer's portal in its maintenance window while the first's portal and the ACS keep answering", async () => {
    const page = await testerPhone();
    const now = await advance(1);
    const at = await advance(Math.ceil((nextSunday0230Jst(now) - now) / 1000));
    expect(new Date(at + 9 * 3_600_000).getUTCDay()).toBe(0);

    const res = await page.goto(`${server.baseUrl}/portal?issuer=kita`);
    expect(res?.status()).toBe(503);
    expect(await page.textContent('h1')).toBe('ただいまメンテナンス中です');
    expect(await page.textContent('main')).toContain('メンテナンス時間：毎週 日曜日 02:00〜04:00');
    expect(await page.textContent('header')).toContain('きたぐにカード');
    expect(await hasHorizontalScroll(page)).toBe(false);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'portal-more-maintenance');

    // The first issuer has no window: its portal answers as always.
    const open = await page.goto(`${server.baseUrl}/portal?issuer=default`);
    expect(open?.status()).toBe(200);
    expect(await page.textContent('h1')).toContain('会員ページにログイン');
    // The ACS keeps authenticating the second issuer's cards meanwhile.
    const visa = await sandbox.cardJson('visa-otp');
    const ares = await fetch(`${server.baseUrl}/3ds/areq`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(browserAReq({ pan: visa.pan, purchaseAmount: '1500' })) });
    expect(ares.status).toBe(200);
    expect(await ares.json()).toMatchObject({ messageType: 'ARes', transStatus: 'Y' });

    // Past 04:00 Japan time the portal is open again.
    await advance(90 * 60 + 60);
    const after = await page.goto(`${server.baseUrl}/portal?issuer=kita`);
    expect(after?.status()).toBe(200);
    expect(await page.textContent('h1')).toContain('会員ページにログイン');
    expect(await page.textContent('header')).toContain('きたぐにカード');
    await checkPage(page, 'maintenance-over');
    expect(problems).toEqual([]);
  }, 120_000);
});
