/**
 * The issuer settings page's SMS preview and the BIN ranges page in Chromium: the preview follows
 * the name as it is typed (htmx, in a live region that stays in the page), both pages axe-clean,
 * on a desktop and on a phone.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCodeAt } from '../../src/admin/totp.ts';
import { axeViolations, hasHorizontalScroll, launchBrowser, screenshot } from '../support/browser.ts';
import { startServer, type RunningServer } from '../support/server.ts';

let server: RunningServer;
let browser: Browser;
let admin: { username: string; password: string; totpSecret: string };

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  const list = (await (await fetch(`${server.baseUrl}/sandbox/staff`, { headers: { accept: 'application/json' } })).json()) as (typeof admin)[];
  admin = list.find((s) => s.username === 'demo-admin')!;
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function signedIn(viewport: { width: number; height: number }): Promise<Page> {
  const page = await (await browser.newContext({ viewport })).newPage();
  // One TOTP step on for each sign-in, so no code is used twice.
  const clock = await fetch(`${server.baseUrl}/sandbox/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ advanceSeconds: 30 }) });
  const { now } = (await clock.json()) as { now: string };
  await page.goto(`${server.baseUrl}/admin/sign-in`);
  await page.getByLabel('ユーザー名').fill(admin.username);
  await page.getByLabel('パスワード').fill(admin.password);
  await page.getByLabel('確認コード').fill(totpCodeAt(admin.totpSecret, Date.parse(now)));
  await page.getByRole('button', { name: 'サインイン' }).click();
  await page.waitForURL(/\/admin$/);
  return page;
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
