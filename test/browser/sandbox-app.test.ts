/**
 * The sandbox's app checkout in Chromium on a phone (390×844), against a real Node server: a
 * demo card bought in the "app", the signed content shown verified, the ACS's text UI drawn on the
 * phone from the decrypted CRes, the code read from the SMS outbox page in a second tab, Y at the
 * end with the RReq at the sandbox DS; then a cancel with JavaScript off (plain form posts).
 * axe finds nothing on any screen; every target is 44 px.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, hasHorizontalScroll, launchBrowser, screenshot, smallTargets } from '../support/browser.ts';
import { startServer, type RunningServer } from '../support/server.ts';

let browser: Browser;
let server: RunningServer;
const PHONE = { viewport: { width: 390, height: 844 } };

beforeAll(async () => {
  [browser, server] = await Promise.all([launchBrowser(), startServer()]);
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function checkScreen(page: Page, name: string) {
  expect(await axeViolations(page)).toEqual([]);
  expect(await smallTargets(page)).toEqual([]);
  expect(await hasHorizontalScroll(page)).toBe(false);
  await screenshot(page, `sandbox-app-${name}`);
}

async function startPurchase(page: Page, version = '2.2.0', sdkInterface = '01') {
  await page.goto(`${server.baseUrl}/sandbox/app`);
  await page.selectOption('#card', 'jcb-otp');
  await page.fill('#amount', '45000');
  await page.selectOption('#messageVersion', version);
  await page.selectOption('#sdkInterface', sdkInterface);
  await page.click('button[type=submit].primary');
  await page.waitForSelector('.phone');
}

/** The newest one-time code, read from the SMS outbox page in a second tab (newest first). */
async function newestCode(context: BrowserContext): Promise<string> {
  const outbox = await context.newPage();
  await outbox.goto(`${server.baseUrl}/sandbox/sms`);
  const code = /\b(\d{6})\b/.exec((await outbox.textContent('main')) ?? '')![1];
  await outbox.close();
  return code;
}

describe('the app checkout in Chromium', () => {
  it('an SMS OTP challenge to Y, the code read from the outbox', async () => {
    const context = await browser.newContext(PHONE);
    const page = await context.newPage();
    await page.goto(`${server.baseUrl}/sandbox`);
    await page.click('a[href="/sandbox/app"]');
    await page.waitForSelector('form[action="/sandbox/app/start"]');
    await checkScreen(page, 'start');

    await startPurchase(page, '2.3.1');
    await expect(page.textContent('#outcome')).resolves.toContain('acsUiType 01');
    await expect(page.textContent('#exchange')).resolves.toContain('JWS verified');
    await checkScreen(page, 'text-ui');

    const code = await newestCode(context);

    await page.fill('#entry', code);
    await page.click('.phone-form button[value=submit]');
    await page.waitForSelector('#final-status');
    await expect(page.textContent('#final-status')).resolves.toContain('transStatus Y');
    const messages = (await page.textContent('#exchange')) ?? '';
    expect(messages).toContain('RReq');
    expect(messages).toContain('RRes');
    expect(messages).toContain('CRes JWE');
    await checkScreen(page, 'final');
    await context.close();
  });

  it('an SDK that only does HTML: the ACS’s page in the phone’s sandboxed frame, its form sent back as a CReq', async () => {
    const context = await browser.newContext(PHONE);
    const page = await context.newPage();
    await startPurchase(page, '2.2.0', '02');
    await expect(page.textContent('#outcome')).resolves.toContain('acsUiType 05');
    await checkScreen(page, 'html-ui');
    const frame = page.frameLocator('iframe.phone-html');
    await frame.locator('input').first().fill(await newestCode(context));
    await frame.locator('button[value=submit]').click();
    await page.waitForSelector('#final-status');
    await expect(page.textContent('#final-status')).resolves.toContain('transStatus Y');
    await expect(page.textContent('#ds-rreq')).resolves.toContain('transStatus Y');
    await context.close();
  });

  it('cancel, with JavaScript off', async () => {
    const context = await browser.newContext({ ...PHONE, javaScriptEnabled: false });
    const page = await context.newPage();
    await startPurchase(page);
    await page.click('.phone-cancel button');
    await page.waitForSelector('#final-status');
    expect(await page.textContent('#final-status')).toMatch(/transStatus [NU]/);
    expect(await page.textContent('#exchange')).toContain('challengeCancel 01');
    expect(await smallTargets(page)).toEqual([]);
    await context.close();
  });
});
