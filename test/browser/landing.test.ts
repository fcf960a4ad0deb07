import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { hasHorizontalScroll, launchBrowser, screenshot } from '../support/browser.ts';

const baseUrl = inject('baseUrl');
let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

describe('landing page in Chromium', () => {
  for (const [name, viewport] of [
    ['desktop', { width: 1280, height: 800 }],
    ['phone', { width: 375, height: 740 }],
  ] as const) {
    it(`renders on ${name} with its assets, no CSP violations and no horizontal scroll`, async () => {
      const context = await browser.newContext({ viewport, locale: 'ja-JP' });
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('console', (msg) => {
        if (msg.type() === 'error') problems.push(msg.text());
      });
      page.on('requestfailed', (req) => problems.push(`failed: ${req.url()}`));
      const res = await page.goto(baseUrl + '/');
      expect(res?.status()).toBe(200);
      await expect.poll(() => page.evaluate(() => typeof (window as { htmx?: unknown }).htmx)).toBe('object');
      expect(await page.locator('h1').textContent()).toContain('本人認証サービス');
      expect(await page.locator('a[href="/sandbox"]').count()).toBe(1);
      const stylesApplied = await page.evaluate(() => getComputedStyle(document.querySelector('.nav-card')!).borderRadius);
      expect(stylesApplied).toBe('8px');
      expect(await hasHorizontalScroll(page)).toBe(false);
      const file = await screenshot(page, `landing-${name}`);
      expect(existsSync(file)).toBe(true);
      expect(problems).toEqual([]);
      await context.close();
    });
  }

  it('follows the portal link to a page that says it is coming', async () => {
    const page = await browser.newPage();
    await page.goto(baseUrl + '/');
    await Promise.all([page.waitForURL('**/portal'), page.click('a[href="/portal"]')]);
    expect(await page.locator('h1').textContent()).toContain('会員ページ');
    await page.close();
  });
});
