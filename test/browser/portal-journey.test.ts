/**
 * The issue's "done when", walked as a tester walks it on a phone (390×844) in Chromium against
 * the real Node server: the sandbox cards page names a card that is not registered and the proof
 * it needs; the tester registers it in the member portal (card, expiry, birth date → member ID,
 * password, mail address → the code from the mail outbox → terms), registers an OTP phone (the
 * code from the SMS outbox) and a personal message, then buys above the challenge threshold at
 * the sandbox merchant: the challenge shows that message and the SMS code passes it (Y). Then a
 * provisional member's 本登録 from the challenge's guidance link, and a corporate card with its
 * PIN. Nothing is read from the database: only the pages and the outboxes' JSON, as a tester has
 * them. axe-core checks every page.
 */
import type { Browser, BrowserContext, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, hasHorizontalScroll, launchBrowser, screenshot } from '../support/browser.ts';
import { buyInSandbox } from '../support/challenge-browser.ts';
import { registerInPortal, sandboxReader, type PortalAccount } from '../support/portal-browser.ts';
import { startServer, type RunningServer } from '../support/server.ts';

/** Chrome refuses autofocus in the cross-origin challenge frame, and reports every 4xx answer (a guidance ending's page is a normal one). */
const EXPECTED_CONSOLE = /Blocked autofocusing|Failed to load resource: the server responded with a status of 4\d\d/;
const PHONE = { viewport: { width: 390, height: 844 }, locale: 'ja-JP', isMobile: true, hasTouch: true };

let browser: Browser;
let server: RunningServer;
/** The sandbox's cards page and outboxes, as a tester reads them. */
let sandbox: ReturnType<typeof sandboxReader>;
// Every walk's console errors (outside the expected ones), checked at the end of each walk.
const problems: string[] = [];

beforeAll(async () => {
  [browser, server] = await Promise.all([launchBrowser(), startServer()]);
  sandbox = sandboxReader(server.baseUrl);
}, 90_000);
afterAll(async () => {
  await Promise.all([browser?.close(), server?.stop()]);
});

/** A tester's phone: a fresh context (no cookies of another walk), console errors collected. */
async function testerPhone(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext(PHONE);
  context.on('page', watch);
  const page = await context.newPage();
  return { context, page };
}
function watch(page: Page) {
  page.on('console', (m) => {
    if (m.type() === 'error' && !EXPECTED_CONSOLE.test(m.text())) problems.push(`${page.url()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`${page.url()}: ${e.message}`));
}

async function checkPage(page: Page, name: string) {
  expect(await hasHorizontalScroll(page), name).toBe(false);
  expect(await axeViolations(page), name).toEqual([]);
  await screenshot(page, `portal-journey-${name}`);
}

/**
 * The portal's registration from its first page (the card) to the home page: member ID, password
 * and address, the mailed code (test/support/portal-browser.ts), then the terms.
 */
async function register(page: Page, card: { pan: string; expiry: string }, proof: (page: Page) => Promise<void>, account: PortalAccount, name: string) {
  const { done } = await registerInPortal(page, card, proof, account, sandbox.mailCode, (step) => checkPage(page, step), name);
  await page.getByRole('link', { name: '利用規約へ進む' }).click();

  await page.waitForURL(/\/portal\/terms/);
  await checkPage(page, `${name}-terms`);
  await page.getByRole('button', { name: '規約に同意する' }).click();
  await page.waitForURL(`${server.baseUrl}/portal`);
  expect(await page.textContent('h1')).toContain('会員ページ');
  await checkPage(page, `${name}-home`);
  return done;
}

/** From the home page: the OTP phone registered with the code texted to it, then the personal message. */
async function phoneAndMessage(page: Page, phone: { typed: string; e164: string; masked: string }, message: string, name: string) {
  await page.getByRole('link', { name: '携帯電話番号を登録する' }).first().click();
  await page.waitForURL(/\/portal\/phone/);
  await checkPage(page, `${name}-phone`);
  await page.getByLabel('携帯電話番号', { exact: true }).fill(phone.typed);
  await page.getByRole('button', { name: '確認コードを送信する' }).click();
  await page.getByLabel('確認コード（6桁）').waitFor();
  await checkPage(page, `${name}-phone-code`);
  await page.getByLabel('確認コード（6桁）').fill(await sandbox.smsCode(phone.e164));
  await page.getByRole('button', { name: '確認する' }).click();
  await page.locator('#done').waitFor();
  expect(await page.textContent('#done')).toContain(phone.masked);
  await checkPage(page, `${name}-phone-done`);

  await page.goto(`${server.baseUrl}/portal/message`);
  await checkPage(page, `${name}-message`);
  await page.getByLabel('新しいメッセージ（40文字以内）').fill(message);
  await page.getByRole('button', { name: 'メッセージを保存する' }).click();
  await page.getByText('パーソナルメッセージを保存しました').first().waitFor();
  await checkPage(page, `${name}-message-saved`);
}

/** A purchase above the card's issuer's threshold at the sandbox merchant: challenged, with the chosen message and phone, and passed with the SMS code. */
async function payWith(page: Page, key: string, loginId: string, phone: { e164: string; masked: string }, message: string, name: string) {
  const frame: Frame = await buyInSandbox(page, server, { key, windowSize: 'WINDOWED_390X400', amount: '45000' });
  expect(await frame.textContent('.personal-message')).toContain(message);
  expect(await frame.textContent('main')).toContain(phone.masked);
  expect(await axeViolations(frame)).toEqual([]);
  await screenshot(page, `portal-journey-${name}-challenge`, false);
  await frame.fill('#memberId', loginId);
  await frame.fill('#secret', await sandbox.smsCode(phone.e164, await acsTransIdOf(page)));
  await frame.click('#challenge button.primary');
  expect(await outcome(page)).toBe('Y');
}

async function outcome(page: Page): Promise<string> {
  await page.waitForFunction(() => document.getElementById('outcome')?.getAttribute('data-trans-status'), null, { timeout: 30_000 });
  return (await page.getAttribute('#outcome', 'data-trans-status'))!;
}

async function acsTransIdOf(page: Page): Promise<string> {
  await page.locator('#outcome[data-acs-trans-id]').waitFor({ timeout: 10_000 });
  return (await page.getAttribute('#outcome', 'data-acs-trans-id'))!;
}

describe('a tester registers a demo card in the member portal, then pays with it', () => {
  it('registers the unregistered JCB, its phone and personal message, and passes a challenge that shows them', async () => {
    const { context, page } = await testerPhone();
    try {
      // The cards page: which card is not registered, what the portal will ask, and where.
      const card = await sandbox.readCard(page, 'jcb-unregistered');
      expect(card.status).toContain('未登録');
      expect(card.proofKind).toBe('birth_date');
      expect(card.proof).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(card.portal).toBe(`${server.baseUrl}/portal/register?issuer=default`);
      await checkPage(page, 'sandbox-cards');

      await page.goto(card.portal);
      const account = { loginId: 'tester-jcb', password: 'hinoki-no-mori-7', email: 'tester-jcb@example.jp' };
      await register(page, card, (p) => p.getByLabel('生年月日').fill(card.proof), account, 'jcb');

      const phone = { typed: '090-5555-0101', e164: '+819055550101', masked: '090-****-0101' };
      const message = '窓辺のサボテン、2026年';
      await phoneAndMessage(page, phone, message, 'jcb');
      expect(await sandbox.cardJson('jcb-unregistered')).toMatchObject({ registered: true, memberId: 'tester-jcb', now: { state: 'registration_changed' } });
      // Above the first issuer's ¥30,000 threshold: challenged, with the tester's own message and phone.
      await payWith(page, 'jcb-unregistered', account.loginId, phone, message, 'jcb');
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  }, 240_000);

  it("completes a provisional member's registration (本登録) from the challenge's guidance page", async () => {
    const { context, page } = await testerPhone();
    try {
      const card = await sandbox.readCard(page, 'jcb-provisional-member');
      expect(card.status).toContain('仮登録');
      expect(card.proofKind).toBe('birth_date');

      // The purchase meets the guidance page; its link opens the card's issuer's registration page in a new tab.
      const frame = await buyInSandbox(page, server, { key: 'jcb-provisional-member', windowSize: 'WINDOWED_390X400', amount: '1200' });
      await frame.locator('.ending').waitFor();
      expect(await frame.textContent('main')).toContain('本人認証サービスへのご登録が必要です');
      const link = frame.locator('.ending .portal a');
      expect(await link.getAttribute('href')).toBe(`${server.baseUrl}/portal/register?issuer=default`);
      expect(await link.getAttribute('target')).toBe('_blank');
      expect(await axeViolations(frame)).toEqual([]);
      const [portal] = await Promise.all([context.waitForEvent('page'), link.click()]);
      await portal.waitForLoadState();

      const account = { loginId: 'tester-honto', password: 'kusunoki-no-ki-8', email: 'tester-honto@example.jp' };
      const done = await register(portal, card, (p) => p.getByLabel('生年月日').fill(card.proof), account, 'provisional');
      expect(done).toContain('仮登録から本登録に切り替わりました');
      expect(await sandbox.cardJson('jcb-provisional-member')).toMatchObject({ registered: true, memberId: 'tester-honto', memberStatus: 'active' });
      // Back at the shop: the guidance ends that purchase.
      await frame.click('#cres-form button');
      expect(await outcome(page)).toBe('N');
      // The next one meets the registration, with the phone and message chosen in the portal.
      const phone = { typed: '09055550102', e164: '+819055550102', masked: '090-****-0102' };
      await phoneAndMessage(portal, phone, '本登録しました', 'provisional');
      await payWith(portal, 'jcb-provisional-member', account.loginId, phone, '本登録しました', 'provisional');
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  }, 180_000);

  it('registers a corporate card with its card PIN', async () => {
    const { context, page } = await testerPhone();
    try {
      const card = await sandbox.readCard(page, 'jcb-corporate');
      expect(card.status).toContain('未登録');
      expect(card.proofKind).toBe('card_pin');
      await page.goto(card.portal);
      const account = { loginId: 'tester-corp', password: 'keyaki-namiki-9', email: 'tester-corp@example.jp' };
      await register(page, card, (p) => p.getByLabel('法人カードの方：カード暗証番号').fill(card.proof), account, 'corporate');
      expect(await sandbox.cardJson('jcb-corporate')).toMatchObject({ registered: true, memberId: 'tester-corp' });
      const phone = { typed: '090-5555-0103', e164: '+819055550103', masked: '090-****-0103' };
      await phoneAndMessage(page, phone, '経理部の青いファイル', 'corporate');
      await payWith(page, 'jcb-corporate', account.loginId, phone, '経理部の青いファイル', 'corporate');
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  }, 180_000);

  it("registers the second demo issuer's unregistered Visa with the phone number on file", async () => {
    const { context, page } = await testerPhone();
    try {
      const card = await sandbox.readCard(page, 'visa-unregistered');
      expect(card.status).toContain('未登録');
      expect(card.proofKind).toBe('phone_on_file');
      expect(card.proof).toMatch(/^0\d0-\d{4}-\d{4}$/);
      expect(card.portal).toBe(`${server.baseUrl}/portal/register?issuer=kita`);
      // That issuer's portal rests on Sundays 02:00–04:00 (Japan time, its demo setting): move the sandbox's clock past it if now is then.
      if ((await fetch(card.portal, { redirect: 'manual' })).status === 503) {
        await fetch(`${server.baseUrl}/sandbox/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ advanceSeconds: 7200 }) });
      }
      await page.goto(card.portal);
      expect(await page.textContent('header')).toContain('きたぐにカード');
      const account = { loginId: 'tester-kita', password: 'shirakaba-no-eki-4', email: 'tester-kita@example.jp' };
      await register(page, card, (p) => p.getByLabel('カード会社にお届けの電話番号').fill(card.proof), account, 'kita');
      expect(await sandbox.cardJson('visa-unregistered')).toMatchObject({ registered: true, memberId: 'tester-kita' });
      // Above the second issuer's ¥20,000 threshold.
      const phone = { typed: '090-5555-0104', e164: '+819055550104', masked: '090-****-0104' };
      await phoneAndMessage(page, phone, '北の国から', 'kita');
      await payWith(page, 'visa-unregistered', account.loginId, phone, '北の国から', 'kita');
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  }, 180_000);
});
