/**
 * The transaction trail in Chromium against the real Node server: a challenged transaction (one
 * wrong code, then the right one) and a frictionless one made over HTTP as a DS and a browser
 * would, then an issuer administrator searches for them, opens the challenged one and reads its
 * messages in order and its steps; every page axe-clean, on a desktop and on a phone.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeJsonBase64Url } from '../../src/protocol/base64url.ts';
import { browserAReq } from '../../src/sandbox/areq-builder.ts';
import { demoCard } from '../../src/sandbox/demo-issuer.ts';
import { axeViolations, hasHorizontalScroll, launchBrowser, screenshot } from '../support/browser.ts';
import { demoStaff, signInToConsole, type DemoLogin } from '../support/console-browser.ts';
import { startServer, type RunningServer } from '../support/server.ts';

let server: RunningServer;
let browser: Browser;
let admin: DemoLogin;
let challenged: string;
let frictionless: string;

async function post(path: string, body: Record<string, string>) {
  return fetch(`${server.baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(body).toString() });
}
const stateOf = (html: string) => /name="state" value="([^"]+)"/.exec(html)?.[1] ?? '';

async function areq(amount: string, merchantName: string) {
  const res = await fetch(`${server.baseUrl}/3ds/areq`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(browserAReq({ pan: demoCard('jcb-otp').pan, purchaseAmount: amount, merchantName })),
  });
  return (await res.json()) as Record<string, string>;
}

async function signIn(page: Page) {
  await signInToConsole(page, server.baseUrl, admin);
  expect(new URL(page.url()).pathname).toBe('/admin');
}

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  admin = (await demoStaff(server.baseUrl))['demo-admin'];

  frictionless = (await areq('500', 'Trail Books')).acsTransID;
  const ares = await areq('98000', 'Trail Shop');
  expect(ares.transStatus).toBe('C');
  challenged = ares.acsTransID;
  const creq = encodeJsonBase64Url({ messageType: 'CReq', messageVersion: ares.messageVersion, threeDSServerTransID: ares.threeDSServerTransID, acsTransID: challenged, challengeWindowSize: '05' });
  const first = await (await post('/3ds/challenge', { creq })).text();
  const sms = (await (await fetch(`${server.baseUrl}/sandbox/sms`, { headers: { accept: 'application/json' } })).json()) as { acsTransID: string; otpCode: string }[];
  const code = sms.find((s) => s.acsTransID === challenged)!.otpCode;
  const wrong = await post('/3ds/challenge/submit', { state: stateOf(first), memberId: 'demo-jcb', secret: code === '000000' ? '111111' : '000000' });
  expect(wrong.status).toBe(400);
  const right = await post('/3ds/challenge/submit', { state: stateOf(await wrong.text()), memberId: 'demo-jcb', secret: code });
  expect(right.status).toBe(200);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('the transaction trail in Chromium', () => {
  it('finds the transactions by merchant, opens one and shows its messages in order and its steps, axe-clean', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page);
    await page.getByRole('link', { name: '取引履歴' }).first().click();
    await page.waitForLoadState('load');
    expect(await axeViolations(page)).toEqual([]);

    await page.getByLabel('加盟店名', { exact: true }).fill('Trail');
    await page.getByRole('button', { name: '検索する' }).click();
    await page.waitForLoadState('load');
    const pan = demoCard('jcb-otp').pan;
    const table = page.locator('table.trail');
    await expect.poll(() => table.locator('tbody tr').count()).toBe(2);
    expect(await table.textContent()).toContain(`${pan.slice(0, 6)}******${pan.slice(-4)}`);
    expect(await page.content()).not.toContain(pan);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'trail-search');

    // A bad range is answered beside the field.
    await page.getByLabel('開始日時').fill('2026-12-02T10:00');
    await page.getByLabel('終了日時').fill('2026-12-01T10:00');
    await page.getByRole('button', { name: '検索する' }).click();
    await page.waitForLoadState('load');
    await expect.poll(() => page.locator('#f-to-error').textContent()).toContain('終了は開始より後');
    expect(await page.getByLabel('終了日時').getAttribute('aria-describedby')).toContain('f-to-error');
    expect(await axeViolations(page)).toEqual([]);

    await page.goto(`${server.baseUrl}/admin/transactions?merchant=Trail`);
    await page.locator(`a[href="/admin/transactions/${challenged}"]`).click();
    await page.waitForLoadState('load');
    expect(new URL(page.url()).pathname).toBe(`/admin/transactions/${challenged}`);
    const types = await page.locator('ol.messages .msg-type').allTextContents();
    expect(types.slice(0, 3)).toEqual(['AReq', 'ARes', 'CReq']);
    expect(types.at(-1)).toBe('CRes');
    // Each message opens to its body, PAN masked.
    await page.locator('ol.messages summary').first().click();
    expect(await page.locator('ol.messages pre').first().textContent()).toContain(`${pan.slice(0, 6)}`);
    expect(await page.content()).not.toContain(pan);
    const steps = await page.locator('table.trail-steps tbody').textContent();
    expect(steps).toContain('誤入力');
    expect(steps).toContain('認証成功');
    expect(await page.locator('table.trail-attempts').first().textContent()).toContain('送信済み');
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'trail-transaction');
    await context.close();
  });

  it('fits a phone: results as cards, no sideways scrolling, 44-px targets, axe-clean', async () => {
    const context = await browser.newContext({ viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    await signIn(page);
    await page.goto(`${server.baseUrl}/admin/transactions?merchant=Trail`);
    expect(await hasHorizontalScroll(page)).toBe(false);
    const link = page.locator(`a[href="/admin/transactions/${frictionless}"]`);
    expect((await link.boundingBox())!.height).toBeGreaterThanOrEqual(44);
    expect(await axeViolations(page)).toEqual([]);
    await page.goto(`${server.baseUrl}/admin/transactions/${challenged}`);
    expect(await hasHorizontalScroll(page)).toBe(false);
    expect((await page.locator('ol.messages summary').first().boundingBox())!.height).toBeGreaterThanOrEqual(44);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'trail-transaction-phone');
    await context.close();
  });
});
