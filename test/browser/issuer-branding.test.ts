/**
 * The issuer settings page's SMS preview and the BIN ranges page in Chromium: the preview follows
 * the name as it is typed (htmx, in a live region that stays in the page), both pages axe-clean,
 * on a desktop and on a phone.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, hasHorizontalScroll, launchBrowser, screenshot } from '../support/browser.ts';
import { demoStaff, newSignedInPage, type DemoLogin } from '../support/console-browser.ts';
import { startServer, type RunningServer } from '../support/server.ts';

let server: RunningServer;
let browser: Browser;
let admin: DemoLogin;

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  admin = (await demoStaff(server.baseUrl))['demo-admin'];
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function signedIn(viewport: { width: number; height: number }): Promise<Page> {
  return newSignedInPage(await browser.newContext({ viewport }), server.baseUrl, admin);
}

describe('issuer branding and BIN ranges in Chromium', () => {
  it('updates the SMS preview while the name is typed, axe-clean', async () => {
    const page = await signedIn({ width: 1280, height: 900 });
    await page.goto(`${server.baseUrl}/admin/issuers/default`);
    const preview = page.locator('#sms-preview-body');
    await page.getByLabel('SMS本文の社名（日本語）').fill('みらい');
    await expect.poll(() => preview.textContent(), { timeout: 10_000 }).toContain('【みらい】');
    await expect.poll(() => preview.getAttribute('aria-live')).toBe('polite');
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'issuer-sms-preview');
  });

  it('shows the BIN ranges with their forms, on a phone too', async () => {
    const page = await signedIn({ width: 390, height: 844 });
    await page.goto(`${server.baseUrl}/admin/bin-ranges`);
    await expect.poll(() => page.getByRole('heading', { name: 'BINレンジを追加' }).count()).toBe(1);
    expect(await page.getByRole('table').textContent()).toContain('35699900');
    expect(await axeViolations(page)).toEqual([]);
    expect(await hasHorizontalScroll(page)).toBe(false);
    await screenshot(page, 'bin-ranges-phone');
  });
});
