/**
 * The cardholder look-up in Chromium against the real Node server (its own database with the demo
 * issuers and demo staff): a helpdesk member finds a demo cardholder by the phone number the
 * caller gives, opens the cardholder page; an issuer administrator of "kita" finds the locked
 * demo member by phone and is offered the unlock. No axe violation, on a laptop and on a phone,
 * where the tables stack and nothing scrolls sideways. A card-number search leaves the number
 * neither in the field nor in the URL.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCard } from '../../src/sandbox/demo-issuer.ts';
import { axeViolations, hasHorizontalScroll, launchBrowser, screenshot } from '../support/browser.ts';
import { demoStaff, newSignedInPage, type DemoLogin } from '../support/console-browser.ts';
import { startServer, type RunningServer } from '../support/server.ts';

let server: RunningServer;
let browser: Browser;
let demo: Record<string, DemoLogin>;

function signInAs(context: BrowserContext, username: string): Promise<Page> {
  return newSignedInPage(context, server.baseUrl, demo[username]);
}

async function searchBy(page: Page, kind: string, q: string, who = ''): Promise<void> {
  await page.getByRole('navigation', { name: '管理メニュー' }).getByRole('link', { name: '会員照会' }).click();
  await page.getByRole('heading', { level: 1, name: '会員照会' }).waitFor();
  await page.getByLabel('検索の種類').selectOption({ label: kind });
  await page.getByLabel('検索語').fill(q);
  if (who) await page.getByLabel('氏名・フリガナ または 生年月日').fill(who);
  const answered = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/admin/cardholders');
  await page.getByRole('button', { name: '検索', exact: true }).click();
  await answered;
  await page.waitForLoadState('load');
}

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  demo = await demoStaff(server.baseUrl);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('the cardholder look-up in Chromium', () => {
  it('a helpdesk member finds a cardholder by phone and opens their page, axe-clean', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'ja-JP' });
    const page = await signInAs(context, 'demo-helpdesk');
    await searchBy(page, '電話番号', '090-1111-0001');
    await page.getByText('1件のカードが見つかりました。').waitFor();
    const row = page.locator('#lookup-table tbody tr');
    await expect(row.count()).resolves.toBe(1);
    expect(await row.textContent()).toContain('090-****-0001（確認済み）');
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'helpdesk-lookup-results');

    await page.getByRole('link', { name: 'デモ 会員1' }).click();
    await page.getByRole('heading', { level: 1, name: 'デモ 会員1' }).waitFor();
    await page.getByRole('heading', { name: /会員ID demo-jcb/ }).waitFor();
    await page.getByText('庭のさくらが咲きました').waitFor();
    await page.getByRole('link', { name: '認証用電話番号の変更' }).waitFor();
    expect(await page.getByRole('link', { name: 'ロック解除' }).count()).toBe(0);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'helpdesk-cardholder');
    await context.close();
  }, 60_000);

  it('on a phone: the results and the cardholder page stack, fit the screen and stay axe-clean', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'ja-JP', isMobile: true, hasTouch: true });
    const page = await signInAs(context, 'kita-admin');
    await searchBy(page, '電話番号', '09011110004');
    const row = page.locator('#lookup-table tbody tr');
    await expect(row.count()).resolves.toBe(1);
    expect(await row.textContent()).toContain('ロック中');
    // Stacked: every cell names its column.
    expect(await page.locator('#lookup-table td').first().evaluate((td) => getComputedStyle(td, '::before').content)).toBe('"氏名"');
    expect(await hasHorizontalScroll(page)).toBe(false);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'helpdesk-lookup-phone');

    await row.getByRole('link').click();
    await page.getByRole('heading', { name: /会員ID demo-locked/ }).waitFor();
    const unlock = page.getByRole('link', { name: 'ロック解除' });
    const box = (await unlock.boundingBox())!;
    expect(box.height).toBeGreaterThanOrEqual(44);
    expect(await hasHorizontalScroll(page)).toBe(false);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'helpdesk-cardholder-phone');
    await context.close();
  }, 60_000);

  it('a card-number search keeps the number out of the field and the URL; a bad entry is explained beside the field', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'ja-JP' });
    const page = await signInAs(context, 'demo-helpdesk');
    const pan = demoCard('mc-otp').pan;
    await searchBy(page, 'カード番号（全桁）', pan);
    await page.getByRole('link', { name: 'デモ 会員3' }).waitFor();
    expect(await page.getByLabel('検索語').inputValue()).toBe('');
    expect(page.url()).not.toContain(pan);
    expect(await page.content()).not.toContain(pan);

    await searchBy(page, '電話番号', 'abc');
    const field = page.getByLabel('検索語');
    expect(await field.getAttribute('aria-invalid')).toBe('true');
    await page.locator('#lookup-q-error').getByText('電話番号として読み取れません').waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await context.close();
  }, 60_000);
});
