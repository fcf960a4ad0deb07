/**
 * The "Done when" in Chromium against the real Node server (every form is plain HTML, no
 * script on these pages): last week's sandbox traffic (the server's clock moved on a day at a time),
 * then the demo issuer administrator adds "new device + amount ≥ ¥10,000 → challenge" from a
 * template, replays the draft and sees the one transaction that would change, publishes version
 * 1; a purchase from a new browser is then challenged and its transaction page gives the reason.
 * Every page axe-clean; the console page fits a phone.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAReq } from '../../src/sandbox/areq-builder.ts';
import { demoCard } from '../../src/sandbox/demo-issuer.ts';
import { axeViolations, hasHorizontalScroll, launchBrowser, screenshot } from '../support/browser.ts';
import { demoStaff, signInToConsole, type DemoLogin } from '../support/console-browser.ts';
import { startServer, type RunningServer } from '../support/server.ts';

let server: RunningServer;
let browser: Browser;
let admin: DemoLogin;
const ids: Record<string, string> = {};

/** A purchase from a browser told apart by its screen width (a width not seen before: a new device). */
async function areq(amount: string, width: number) {
  const body = browserAReq({ pan: demoCard('jcb-otp').pan, purchaseAmount: amount, extra: { browserScreenWidth: String(width) } });
  const res = await fetch(`${server.baseUrl}/3ds/areq`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return (await res.json()) as Record<string, string>;
}

async function nextDay() {
  await fetch(`${server.baseUrl}/sandbox/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ advanceSeconds: 86_400 }) });
}

async function clean(page: Page, what: string) {
  expect(await axeViolations(page), what).toEqual([]);
}

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  admin = (await demoStaff(server.baseUrl))['demo-admin'];
  ids.newBig = (await areq('12000', 501)).acsTransID; // a new device, ¥12,000: frictionless today
  await nextDay();
  ids.seenBig = (await areq('12000', 501)).acsTransID; // the same device again
  await nextDay();
  ids.newSmall = (await areq('3000', 502)).acsTransID; // a new device, small amount
  await nextDay();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('the risk console in Chromium', () => {
  it('adds the rule, replays it, publishes it; a new browser is then challenged and the page says why', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await signInToConsole(page, server.baseUrl, admin);
    await page.getByRole('link', { name: 'リスクルール' }).first().click();
    await page.waitForURL(`${server.baseUrl}/admin/risk`);
    await expect.poll(() => page.getByRole('heading', { name: '公開中: 初期設定（バージョン 0）' }).count()).toBe(1);
    await clean(page, 'risk page');

    const template = page.locator('details', { has: page.getByText('新しい端末 かつ 金額以上 → 認証画面', { exact: true }) });
    await template.getByText('新しい端末 かつ 金額以上 → 認証画面', { exact: true }).click();
    await template.getByLabel('金額', { exact: true }).fill('10000');
    await page.getByRole('button', { name: '追加: 新しい端末 かつ 金額以上 → 認証画面' }).click();
    await page.waitForURL(/done=saved/);
    expect(await page.locator('#risk-status').textContent()).toContain('下書きを保存しました。');
    const draft = page.locator('section[aria-labelledby="draft-heading"]');
    expect(await draft.textContent()).toContain('新しい端末で ¥10,000以上');
    await clean(page, 'risk page with a draft');

    await page.setViewportSize({ width: 390, height: 844 });
    expect(await hasHorizontalScroll(page), 'risk page on a phone').toBe(false);
    await screenshot(page, 'risk-console-phone');
    await page.setViewportSize({ width: 1280, height: 900 });

    await page.getByLabel('日数（1〜90）').fill('7');
    await page.getByRole('button', { name: '下書きでリプレイする' }).click();
    await page.waitForURL(/\/admin\/risk\/replay/);
    const changed = page.locator('section[aria-labelledby="changed-heading"]');
    expect(await changed.getByRole('link').allTextContents()).toEqual([ids.newBig]);
    expect(await page.locator('#risk-status').textContent()).toContain('変わる取引: 1 件');
    await clean(page, 'replay');
    await screenshot(page, 'risk-replay');

    await page.getByRole('link', { name: '← リスクルールへ戻る' }).click();
    await page.getByRole('button', { name: 'バージョン 1 として公開する' }).click();
    await page.waitForURL(/done=published/);
    expect(await page.locator('#risk-status').textContent()).toContain('バージョン 1 として公開しました。');
    expect(await page.getByRole('heading', { name: '公開中: バージョン 1' }).count()).toBe(1);
    expect(await page.getByRole('cell', { name: '公開中' }).count()).toBe(1);

    const ares = await areq('12000', 503);
    expect(ares.transStatus).toBe('C');
    await page.goto(`${server.baseUrl}/admin/transactions/${ares.acsTransID}`);
    const reason = page.locator('section[aria-labelledby="risk-decision-heading"]');
    const text = await reason.textContent();
    expect(text).toContain('新しい端末で ¥10,000以上 → 認証画面');
    expect(text).toContain('このカードで初めての端末: はい');
    expect(text).toContain('ルールのバージョン1');
    await clean(page, 'transaction page');
    await screenshot(page, 'risk-transaction-reason');
    await context.close();
  }, 180_000);

  it('builds a rule with errors beside the fields and tests the draft on a hand-made AReq, axe-clean', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await signInToConsole(page, server.baseUrl, admin);
    await page.goto(`${server.baseUrl}/admin/risk/draft/rules/new`);
    await clean(page, 'rule builder');
    await page.getByLabel('ルール名（日本語）').fill('通貨');
    await page.getByLabel('ルール名（英語）').fill('currency');
    await page.locator('#r-c0-signal').selectOption('purchase.currency');
    await page.locator('#r-c0-op').selectOption('gte');
    await page.locator('#r-c0-value').fill('10');
    await page.getByRole('button', { name: '下書きに追加する' }).click();
    await expect.poll(() => page.locator('#r-c0-op-error').count()).toBe(1);
    expect(await page.locator('#r-c0-op').getAttribute('aria-invalid')).toBe('true');
    await clean(page, 'rule builder with errors');

    await page.goto(`${server.baseUrl}/admin/risk/test`);
    await page.getByLabel('金額 (取引通貨)').fill('15000');
    await page.getByLabel('このカードで初めての端末').selectOption('true');
    await page.getByLabel('1 時間の認証回数 (今回を含む) (件)').fill('1');
    await page.getByRole('button', { name: '下書きで評価する' }).click();
    await page.waitForURL(/run=1/);
    expect(await page.locator('#risk-status').textContent()).toContain('結果: 認証画面');
    await clean(page, 'test page');
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await hasHorizontalScroll(page), 'test page on a phone').toBe(false);
    await context.close();
  }, 120_000);
});
