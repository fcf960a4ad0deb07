/**
 * The dashboard in Chromium against the real Node server: sandbox activity (AReqs as a DS sends
 * them, a purchase challenged and passed in the sandbox shop), then the issuer administrator's
 * dashboard shows exactly that, has no axe violation in Japanese or English, and fits a phone.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAReq } from '../../src/sandbox/areq-builder.ts';
import { demoCard } from '../../src/sandbox/demo-issuer.ts';
import { axeViolations, hasHorizontalScroll, launchBrowser, screenshot } from '../support/browser.ts';
import { buyInSandbox, newestOtp } from '../support/challenge-browser.ts';
import { demoStaff, signInToConsole } from '../support/console-browser.ts';
import { startServer, type RunningServer } from '../support/server.ts';

let server: RunningServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;

async function areq(pan: string, purchaseAmount: string): Promise<string> {
  const res = await fetch(`${server.baseUrl}/3ds/areq`, { method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(browserAReq({ pan, purchaseAmount })) });
  return ((await res.json()) as { transStatus: string }).transStatus;
}

const figure = (id: string) => page.textContent(`[data-figure="${id}"]`);

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();

  expect(await areq(demoCard('jcb-otp').pan, '800')).toBe('Y');
  expect(await areq(demoCard('mc-otp').pan, '1200')).toBe('Y');
  expect(await areq(demoCard('jcb-expired').pan, '800')).toBe('N');
  const frame = await buyInSandbox(page, server, { key: 'jcb-otp', windowSize: 'FULL_SCREEN', amount: '45000' });
  await frame.fill('#memberId', 'demo-jcb');
  await frame.fill('#secret', await newestOtp(server));
  await frame.click('#challenge button.primary');
  await page.waitForFunction(() => document.getElementById('outcome')?.getAttribute('data-trans-status'), null, { timeout: 20_000 });
  expect(await page.getAttribute('#outcome', 'data-trans-status')).toBe('Y');

  await signInToConsole(page, server.baseUrl, (await demoStaff(server.baseUrl))['demo-admin']);
}, 120_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await server?.stop();
});

describe('the dashboard in Chromium', () => {
  it('shows the sandbox activity in its tables, in Japanese, with no axe violation', async () => {
    await page.getByRole('navigation', { name: '管理メニュー' }).getByRole('link', { name: 'ダッシュボード' }).click();
    await page.waitForURL(/\/admin\/dashboard/);
    expect(await page.textContent('h1')).toContain('まもり銀行カード');
    expect(await figure('areqs')).toBe('4');
    expect(await figure('frictionless-rate')).toBe('50.0%');
    expect(await figure('challenge-rate')).toBe('25.0%');
    expect(await figure('challenges-succeeded')).toBe('1');
    expect(await figure('challenges-failed')).toBe('0');
    expect(await figure('sms-sent')).toBe('1');
    expect(await figure('sms-failed')).toBe('0');
    // The hour table's totals add up to the AReqs; the chart is there, hidden from screen readers.
    const totals = await page.$$eval('#areq-series td[data-outcome="total"]', (cells) => cells.map((c) => Number(c.textContent)));
    expect(totals).toHaveLength(24);
    expect(totals.reduce((a, n) => a + n, 0)).toBe(4);
    expect(await page.$$eval('svg.chart', (s) => s.map((e) => e.getAttribute('aria-hidden')))).toEqual(['true', 'true', 'true', 'true']);
    expect(await page.$$eval('table caption', (c) => c.length)).toBe(5);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'dashboard-ja');
  });

  it('switches to 30 days and to English, still clean', async () => {
    await page.getByRole('link', { name: '過去30日間' }).click();
    await page.waitForURL(/window=30d/);
    expect(await page.getAttribute('a[aria-current="page"][href*="window=30d"]', 'href')).toContain('30d');
    expect(await page.$$eval('#areq-series tbody tr', (r) => r.length)).toBe(30);
    expect(await figure('areqs')).toBe('4');
    await page.getByRole('link', { name: 'English' }).click();
    await page.waitForLoadState('load');
    expect(await page.textContent('h1')).toContain('Dashboard');
    expect(await figure('challenge-rate')).toBe('25.0%');
    expect(await axeViolations(page)).toEqual([]);
  });

  it('fits a phone', async () => {
    await page.setViewportSize({ width: 360, height: 800 });
    await page.reload();
    expect(await hasHorizontalScroll(page)).toBe(false);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'dashboard-phone');
  });
});
