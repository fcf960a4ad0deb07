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
import { startServer, type RunningServer } from '../support/server.ts';

/** Chrome reports every 4xx/5xx answer: a refused sign-in (400), the maintenance page (503). */
const EXPECTED_CONSOLE = /Failed to load resource: the server responded with a status of (400|503)/;
const PHONE = { viewport: { width: 390, height: 844 }, locale: 'ja-JP', isMobile: true, hasTouch: true };
const SIGN_IN_FAILED = '会員IDまたはパスワードが正しくないか、現在この会員IDではログインできません。';

let browser: Browser;
let server: RunningServer;
const contexts: BrowserContext[] = [];
const problems: string[] = [];

beforeAll(async () => {
  [browser, server] = await Promise.all([launchBrowser(), startServer()]);
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

/** What the sandbox cards page says about a card, read off the page as a tester reads it. */
async function readCard(page: Page, key: string) {
  await page.goto(`${server.baseUrl}/sandbox/cards`);
  const row = page.locator(`tr[data-key="${key}"]`);
  return {
    pan: (await row.locator('td.pan code').textContent())!.trim(),
    expiry: (await row.locator('td[data-label^="有効期限"]').textContent())!.trim(),
    status: (await row.locator('.reg-status').textContent())!,
    proofKind: (await row.locator('.proof').getAttribute('data-proof'))!,
    proof: (await row.locator('.proof code').textContent())!.trim(),
    portal: (await row.locator('a.portal-link').getAttribute('href'))!,
  };
}

/** What the cards JSON says of a card now. */
async function cardJson(key: string): Promise<Record<string, any>> {
  const cards = (await (await fetch(`${server.baseUrl}/sandbox/cards`, { headers: { accept: 'application/json' } })).json()) as Record<string, any>[];
  return cards.find((c) => c.key === key)!;
}

/** The newest mail's code to `to` in the mail outbox (GET /sandbox/mail, newest first), once it is there. */
async function mailCode(to: string): Promise<string> {
  let code: string | undefined;
  await expect
    .poll(async () => {
      const mails = (await (await fetch(`${server.baseUrl}/sandbox/mail`, { headers: { accept: 'application/json' } })).json()) as { recipient: string; body: string }[];
      code = /\b(\d{6})\b/.exec(mails.find((m) => m.recipient === to)?.body ?? '')?.[1];
      return code;
    }, { timeout: 10_000 })
    .toBeDefined();
  return code!;
}

/** From the registration's first page to its done page: card, expiry, proof → member ID, password, mail → the mailed code. Returns the done page's text. */
async function register(page: Page, card: { pan: string; expiry: string }, proof: (page: Page) => Promise<void>, account: { loginId: string; password: string; email: string }, name: string) {
  await page.locator('h1', { hasText: '本人認証サービスの会員登録' }).waitFor();
  await checkPage(page, `${name}-card`);
  await page.getByLabel('カード番号', { exact: true }).fill(card.pan);
  await page.getByLabel('有効期限（月/年）').fill(card.expiry);
  await proof(page);
  await page.getByRole('button', { name: '次へ' }).click();

  await page.waitForURL(/\/portal\/register\/account\?/);
  await checkPage(page, `${name}-account`);
  const accountStep = (await page.textContent('main'))!;
  await page.getByLabel('会員ID', { exact: true }).fill(account.loginId);
  await page.getByLabel('パスワード', { exact: true }).fill(account.password);
  await page.getByLabel('パスワード（確認）').fill(account.password);
  await page.getByLabel('メールアドレス').fill(account.email);
  await page.getByRole('button', { name: '確認コードを送信' }).click();

  await page.waitForURL(/\/portal\/register\/email\?/);
  await checkPage(page, `${name}-email`);
  await page.getByLabel('確認コード（6桁）').fill(await mailCode(account.email));
  await page.getByRole('button', { name: '登録する' }).click();

  await page.waitForURL(/\/portal\/register\/done\?/);
  expect(await page.textContent('h1')).toContain('会員登録が完了しました');
  expect(await page.textContent('main')).toContain(`会員ID：${account.loginId}`);
  await checkPage(page, `${name}-done`);
  return { accountStep, done: (await page.textContent('main'))! };
}

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
    const card = await readCard(page, 'jcb-otp');
    expect(card.status).not.toContain('未登録');
    expect(card.proofKind).toBe('birth_date');
    expect(await cardJson('jcb-otp')).toMatchObject({ registered: true, memberId: 'demo-jcb' });

    await page.goto(card.portal);
    const account = { loginId: 'tester-again', password: 'momiji-no-yama-3', email: 'tester-again@example.jp' };
    const { accountStep, done } = await register(page, card, (p) => p.getByLabel('生年月日').fill(card.proof), account, 'rereg');
    // The account step warned that the old ID goes; the done page says it went.
    expect(accountStep).toContain('このカードは会員ID「demo-jcb」で登録済みです');
    expect(done).toContain('これまでの会員ID「demo-jcb」とパスワードは削除されました');
    expect(await cardJson('jcb-otp')).toMatchObject({ registered: true, memberId: 'tester-again' });

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
    expect(await cardJson('jcb-otp')).toMatchObject({ registered: true, memberId: 'demo-jcb' });
    expect(problems).toEqual([]);
  }, 180_000);

  it('a signed-in member registers a second card from the home page, which then shows it with its own member ID', async () => {
    const page = await testerPhone();
    const first = await readCard(page, 'jcb-unregistered');
    const second = await readCard(page, 'jcb-corporate');
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
    expect(await cardJson('jcb-unregistered')).toMatchObject({ registered: true, memberId: one.loginId });
    expect(await cardJson('jcb-corporate')).toMatchObject({ registered: true, memberId: two.loginId });

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
    const visa = await cardJson('visa-otp');
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
