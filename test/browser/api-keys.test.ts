/**
 * The API keys page in Debian Chromium against the real Node server: a demo issuer administrator
 * makes a key (labelled fields, fresh TOTP), sees it once, opens its page and revokes it; every
 * page passes axe, on a desktop and a phone, without horizontal scrolling.
 * (A browser test: it belongs in test/browser/ once the lead moves it; it starts its own server.)
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, hasHorizontalScroll, launchBrowser } from '../support/browser.ts';
import { demoStaff, freshTotp, signInToConsole, type DemoLogin } from '../support/console-browser.ts';
import { startServer, type RunningServer } from '../support/server.ts';

let server: RunningServer;
let browser: Browser;
let admin: DemoLogin;

const freshCode = () => freshTotp(server.baseUrl, admin.totpSecret);

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  admin = (await demoStaff(server.baseUrl))['demo-admin'];
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function check(page: Page, what: string) {
  expect(await axeViolations(page), what).toEqual([]);
  expect(await hasHorizontalScroll(page), what).toBe(false);
}

describe('the API keys page in Chromium', () => {
  for (const viewport of [{ width: 1280, height: 900 }, { width: 390, height: 844 }]) {
    it(`makes, shows once and revokes a key, axe-clean at ${viewport.width} px`, async () => {
      const context = await browser.newContext({ viewport });
      const page = await context.newPage();
      await signInToConsole(page, server.baseUrl, admin);

      await page.goto(`${server.baseUrl}/admin/api-keys`);
      await check(page, 'list');
      // A wrong code: the error beside its field, the form kept.
      await page.getByLabel('名前').fill(`基幹システム ${viewport.width}`);
      await page.getByLabel(/照会（cards\.read）/).check();
      await page.getByLabel('確認コード').fill('000000');
      await page.getByRole('button', { name: '発行する' }).click();
      await page.waitForLoadState('load');
      await expect.poll(() => page.locator('#step-up-error').textContent()).toContain('コードが正しくありません');
      await check(page, 'code error');

      await page.getByLabel('確認コード').fill(await freshCode());
      await page.getByRole('button', { name: '発行する' }).click();
      await page.waitForLoadState('load');
      const key = await page.getByLabel('APIキー', { exact: true }).inputValue();
      expect(key).toMatch(/^mamori_[\w-]{43}$/);
      await check(page, 'created');

      const status = async () =>
        (await fetch(`${server.baseUrl}/api/v1/cards/status`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ pan: '3569990000000017' }) })).status;
      expect(await status()).not.toBe(401);

      await page.getByRole('link', { name: 'APIキーの一覧へ' }).click();
      await page.getByRole('link', { name: `基幹システム ${viewport.width}` }).click();
      await page.waitForLoadState('load');
      await check(page, 'detail');
      await page.getByLabel('確認コード').fill(await freshCode());
      await page.getByRole('button', { name: '無効にする' }).click();
      await page.waitForLoadState('load');
      expect(await page.getByRole('status').textContent()).toContain('キーを無効にしました');
      await check(page, 'revoked');
      expect(await status()).toBe(401);
      await context.close();
    }, 60_000);
  }
});
