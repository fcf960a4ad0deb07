/**
 * "My authentications" and "this was not me" in Chromium against the real Node server: a member
 * on a phone (390×844) reads their purchases as a list of cards, reports one with a note, and is
 * told what happens next; the helpdesk of the member's issuer finds it in the console's queue and
 * closes it, while the other issuer's helpdesk never sees it. axe-core checks every page.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { openSession } from '../../src/admin/sessions.ts';
import { systemClock } from '../../src/clock.ts';
import { members } from '../../src/db/schema.ts';
import { MEMBER_COOKIE } from '../../src/portal/http.ts';
import { browserAReq } from '../../src/sandbox/areq-builder.ts';
import { demoCard } from '../../src/sandbox/demo-issuer.ts';
import { axeViolations, hasHorizontalScroll, launchBrowser, screenshot, smallTargets as smallTargetsOf, TARGETS } from '../support/browser.ts';
import { demoStaff, newSignedInPage, type DemoLogin } from '../support/console-browser.ts';
import { startServer, type RunningServer } from '../support/server.ts';
import { createTestApp } from '../support/test-app.ts';

let server: RunningServer;
let browser: Browser;
let db: Awaited<ReturnType<typeof createTestApp>>;
let demo: Record<string, DemoLogin>;
const problems: string[] = [];

/** A purchase at a merchant, answered by the server's ACS. */
async function purchase(key: string, merchantName: string, purchaseAmount = '1500') {
  const res = await fetch(`${server.baseUrl}/3ds/areq`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(browserAReq({ pan: demoCard(key).pan, purchaseAmount, merchantName })),
  });
  return (await res.json()) as Record<string, string>;
}

/** A phone-sized page signed in to the portal as this member (a real session, its cookie set). */
async function memberPage(context: BrowserContext, loginId: string): Promise<Page> {
  const row = (await db.deps.db.select().from(members).where(eq(members.loginId, loginId)).get())!;
  const { token } = await openSession(db.deps.db, 'member', row.id, Date.now());
  // (Chromium takes a __Host- cookie for an IP address by its host, not by a plain-http url.)
  await context.addCookies([{ name: MEMBER_COOKIE, value: token, domain: new URL(server.baseUrl).hostname, path: '/', secure: true, httpOnly: true, sameSite: 'Lax' }]);
  const page = await context.newPage();
  page.on('pageerror', (e) => problems.push(e.message));
  return page;
}

/** Every button, link-button and input in main is at least 44 px tall and wide. */
const smallTargets = (page: Page) => smallTargetsOf(page, `${TARGETS}, main textarea`);

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  db = await createTestApp({ databaseFile: server.databaseFile, env: { PUBLIC_URL: server.baseUrl }, overrides: { clock: systemClock } });
  demo = await demoStaff(server.baseUrl);
  await purchase('jcb-otp', 'まもりマート');
  await purchase('jcb-otp', 'Phone Shop Tokyo', '2980');
  await purchase('jcb-two-cards', 'Someone Else Shop');
  await purchase('visa-otp', 'Kita Shop');
}, 120_000);
afterAll(async () => {
  db?.close();
  await Promise.all([browser?.close(), server?.stop()]);
});

describe('my authentications on a phone', () => {
  it('lists the member’s purchases as cards, reports one as not me, and says what happens next', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'ja-JP', isMobile: true, hasTouch: true });
    const page = await memberPage(context, 'demo-jcb');
    expect((await page.goto(`${server.baseUrl}/portal/history`))?.status()).toBe(200);
    await page.getByRole('heading', { level: 1, name: 'ご利用履歴' }).waitFor();
    const items = page.locator('.history-list > li');
    expect(await items.count()).toBe(2);
    const first = items.first();
    expect(await first.getByRole('heading', { level: 2 }).textContent()).toContain('Phone Shop Tokyo');
    expect(await first.textContent()).toContain('￥2,980');
    expect(await first.textContent()).toContain('承認（パスワード入力なし）');
    expect(await page.textContent('main')).not.toMatch(/Someone Else Shop|Kita Shop|low risk|threshold/);
    // A list of cards, not a table; nothing scrolls sideways; every target is 44 px.
    expect(await page.locator('main table').count()).toBe(0);
    expect(await hasHorizontalScroll(page)).toBe(false);
    expect(await smallTargets(page)).toEqual([]);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'portal-history-phone');

    await first.getByRole('link', { name: '身に覚えがない' }).click();
    await page.getByRole('heading', { level: 1, name: '身に覚えのないご利用の報告' }).waitFor();
    await expect.poll(() => page.evaluate(() => typeof (window as { htmx?: unknown }).htmx)).toBe('object');
    expect(await page.textContent('main')).toContain('Phone Shop Tokyo');
    expect(await page.getAttribute('#note', 'aria-describedby')).toBe('note-hint');
    expect(await smallTargets(page)).toEqual([]);
    expect(await axeViolations(page)).toEqual([]);

    await page.getByLabel('お気づきの点（任意）').fill('この店で買い物をしていません');
    await page.getByRole('button', { name: 'ヘルプデスクに報告する' }).click();
    await page.getByRole('heading', { level: 1, name: 'ご報告を受け付けました' }).waitFor();
    expect(await page.textContent('#announce')).toContain('ご報告を受け付けました');
    expect(await page.textContent('main')).toContain('ヘルプデスクが内容を確認し');
    expect(await page.getByRole('link', { name: 'パスワードを変更する' }).getAttribute('href')).toBe('/portal/password');
    expect(await page.locator('main a[href^="tel:"]').count()).toBe(1);
    expect(await hasHorizontalScroll(page)).toBe(false);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'portal-history-reported');

    // Back on the list: reported, in place of the button; the same page in English.
    await page.getByRole('link', { name: 'ご利用履歴に戻る' }).click();
    await page.locator('.history-reported').first().waitFor();
    expect(await page.locator('.history-list > li').first().textContent()).toContain('ご報告済み');
    await page.goto(`${server.baseUrl}/portal/history?lang=en`);
    await page.getByRole('heading', { level: 1, name: 'My authentications' }).waitFor();
    expect(await page.getByRole('link', { name: 'This was not me' }).count()).toBe(1);
    expect(await axeViolations(page)).toEqual([]);
    await context.close();
    expect(problems).toEqual([]);
  }, 90_000);
});

describe('the helpdesk queue in the console', () => {
  it('reaches the member’s issuer’s helpdesk, who closes it with a note; the other issuer never sees it', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'ja-JP' });
    const page = await newSignedInPage(context, server.baseUrl, demo['demo-helpdesk']);
    await page.getByRole('navigation', { name: '管理メニュー' }).getByRole('link', { name: '本人からの申告（1）' }).click();
    await page.getByRole('heading', { level: 1, name: '本人からの申告' }).waitFor();
    const row = page.locator('main tbody tr');
    expect(await row.count()).toBe(1);
    expect(await row.textContent()).toContain('demo-jcb');
    expect(await row.textContent()).toContain('この店で買い物をしていません');
    expect(await row.getByRole('link', { name: 'Phone Shop Tokyo' }).getAttribute('href')).toMatch(/^\/admin\/transactions\/[0-9a-f-]{36}$/);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'admin-reports-queue');

    await row.getByRole('link', { name: /^#\d+$/ }).click();
    await page.getByRole('heading', { level: 1, name: /^申告 #\d+$/ }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    // The note is required: the browser's own check first, then the server's beside the field.
    await page.getByLabel('対応内容のメモ（必須、監査ログに記録）').fill('ご本人に電話し、カードを停止しました');
    await page.getByRole('button', { name: '対応済みにする' }).click();
    await page.getByText('対応済みにしました。').waitFor();
    expect(await page.textContent('main')).toContain('ご本人に電話し、カードを停止しました');
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole('link', { name: '← 申告の一覧' }).click();
    await page.getByRole('heading', { level: 1, name: '本人からの申告' }).waitFor();
    expect(await page.getByRole('link', { name: '本人からの申告（0）' }).count()).toBe(1);
    await context.close();

    const other = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'ja-JP', isMobile: true, hasTouch: true });
    const kita = await newSignedInPage(other, server.baseUrl, demo['kita-helpdesk']);
    await kita.goto(`${server.baseUrl}/admin/reports?state=closed`);
    await kita.getByText('対応済みの申告はありません。').waitFor();
    expect(await kita.textContent('main')).not.toContain('demo-jcb');
    expect(await axeViolations(kita)).toEqual([]);
    await other.close();
  }, 120_000);
});
