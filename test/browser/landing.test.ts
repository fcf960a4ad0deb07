/**
 * The appliance's own pages in Chromium: the landing page (its assets under the CSP, its links,
 * the portal section the challenge's guidance links to, axe), its link to the member portal (whose
 * home is the sign-in page when nobody is signed in), and the site shell the error pages share.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { axeViolations, hasHorizontalScroll, launchBrowser, screenshot } from '../support/browser.ts';

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
    it(`renders on ${name} with its assets, links, no CSP violation, no axe violation and no horizontal scroll`, async () => {
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
      expect(await page.textContent('header.masthead')).toContain('まもり銀行カード');
      for (const href of ['/portal', '/admin', '/sandbox']) expect(await page.locator(`nav a[href="${href}"]`).count(), href).toBe(1);
      // The section the challenge's guidance pages link to: how to register, with the issuer's phone.
      const portal = page.locator('section#portal');
      expect(await portal.textContent()).toContain('会員ページ');
      expect(await portal.locator('a[href="/portal"]').count()).toBe(1);
      expect(await portal.locator('a[href^="tel:"]').evaluateAll((as) => as.map((a) => [a.getAttribute('href'), a.textContent]))).toEqual([
        ['tel:0120000000', '0120-000-000'], // Japanese
        ['tel:0120000000', '0120-000-000'], // English
      ]);
      expect(await page.evaluate(() => getComputedStyle(document.querySelector('.nav-card')!).borderRadius)).toBe('8px');
      expect(await hasHorizontalScroll(page)).toBe(false);
      expect(await axeViolations(page)).toEqual([]);
      await screenshot(page, `landing-${name}`);
      expect(problems).toEqual([]);
      await context.close();
    });
  }

  it('opens at the portal section from the address the challenge gives', async () => {
    const page = await browser.newPage({ viewport: { width: 375, height: 740 } });
    await page.goto(baseUrl + '/#portal');
    const top = await page.$eval('#portal', (e) => e.getBoundingClientRect().top);
    expect(Math.abs(top)).toBeLessThan(2);
    await page.close();
  });

  it("follows the portal link to the member portal's sign-in page: heading, ways on, no axe violation", async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await page.goto(baseUrl + '/');
    await Promise.all([page.waitForURL('**/portal'), page.click('nav a[href="/portal"]')]);
    expect(await page.locator('h1').textContent()).toContain('会員ページにログイン');
    expect(await page.textContent('header.masthead')).toContain('まもり銀行カード');
    expect(await page.getByLabel('会員ID').count()).toBe(1);
    expect(await page.getByLabel('パスワード').count()).toBe(1);
    for (const href of ['/portal/register', '/portal/forgot-id', '/portal/forgot-password']) expect(await page.locator(`main a[href="${href}"]`).count(), href).toBe(1);
    expect(await hasHorizontalScroll(page)).toBe(false);
    expect(await axeViolations(page)).toEqual([]);
    await page.close();
  });

  // (/admin is the staff console's own, src/admin/; /portal the member portal's shell, above.)
  for (const [path, heading, status] of [['/no-such-page', 'ページが見つかりません', 404]] as const) {
    it(`gives ${path} the site header, a way home and no axe violation`, async () => {
      const page = await browser.newPage();
      const res = await page.goto(baseUrl + path);
      expect(res?.status()).toBe(status);
      expect(await page.textContent('header.masthead')).toContain('まもり銀行カード');
      expect(await page.locator('header.masthead a[href="/"]').count()).toBe(1);
      expect(await page.locator('h1').textContent()).toContain(heading);
      expect(await axeViolations(page)).toEqual([]);
      await page.close();
    });
  }
});
