/**
 * Two issuers on one install, as cardholders see them in Chromium: in the sandbox (whose second
 * demo issuer, kita, owns the demo Visa range) a kita card's challenge page carries kita's name,
 * logo and phone and its SMS kita's name and sender; a card of the first issuer keeps its own.
 * axe-core checks the kita page.
 */
import type { Browser, BrowserContext, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, launchBrowser, screenshot } from '../support/browser.ts';
import { buyInSandbox, newestOtp } from '../support/challenge-browser.ts';
import { startServer, type RunningServer } from '../support/server.ts';

let browser: Browser;
let server: RunningServer;
let context: BrowserContext;
let page: Page;
beforeAll(async () => {
  [browser, server] = await Promise.all([launchBrowser(), startServer()]);
  context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'ja-JP' });
  page = await context.newPage();
});
afterAll(async () => {
  await context?.close();
  await browser?.close();
  await server?.stop();
});

/** The header's issuer: its name, and its logo's address and whether the image loaded. */
async function issuerOf(frame: Frame) {
  await frame.waitForFunction(() => (document.querySelector('.branding .issuer-logo') as HTMLImageElement | null)?.complete);
  return {
    name: await frame.textContent('.branding .issuer-name'),
    logo: await frame.getAttribute('.branding .issuer-logo', 'src'),
    loaded: await frame.$eval('.branding .issuer-logo', (img) => (img as HTMLImageElement).naturalWidth > 0),
    phone: await frame.getAttribute('.help a[href^="tel:"]', 'href'),
  };
}

async function newestSms(): Promise<{ body: string; sender: string | null }> {
  const sms = (await (await fetch(`${server.baseUrl}/sandbox/sms`, { headers: { accept: 'application/json' } })).json()) as { body: string; sender: string | null }[];
  return sms[0];
}

describe('a card of the second demo issuer', () => {
  it("shows kita's name, logo and phone, passes axe, and its SMS comes from kita", async () => {
    const frame = await buyInSandbox(page, server, { key: 'visa-otp', windowSize: 'WINDOWED_390X400' });
    expect(await issuerOf(frame)).toEqual({ name: 'きたぐにカード', logo: '/static/img/issuer-kita.svg', loaded: true, phone: 'tel:0120111222' });
    expect(await frame.title()).toContain('きたぐにカード');
    expect(await axeViolations(frame)).toEqual([]);
    await screenshot(page, 'challenge-issuer-kita', false);
    const sms = await newestSms();
    expect(sms.body).toMatch(/^【きたぐにカード】/);
    expect(sms.sender).toBe('KITAGUNI');

    await frame.fill('#memberId', 'demo-visa');
    await frame.fill('#secret', await newestOtp(server));
    await frame.click('#challenge button.primary');
    await page.waitForFunction(() => document.getElementById('outcome')?.getAttribute('data-trans-status'), null, { timeout: 20_000 });
    expect(await page.getAttribute('#outcome', 'data-trans-status')).toBe('Y');
  });

  it('leaves a card of the first issuer with its own branding, in the same install', async () => {
    const frame = await buyInSandbox(page, server, { key: 'jcb-otp', windowSize: 'WINDOWED_390X400' });
    expect(await issuerOf(frame)).toEqual({ name: 'まもり銀行カード', logo: '/static/img/issuer-logo.svg', loaded: true, phone: 'tel:0120000000' });
    expect((await newestSms()).body).toMatch(/^【まもり銀行カード】/);
  });
});
