/**
 * A refused SMS is never reported as sent. With the per-phone limit at one SMS an hour, the first
 * purchase sends a code and every later one is refused: at each EMV window size the page says no
 * code went out, what to do (try again later, or the issuer's phone as a link), keeps that in
 * view, and does not ask for a code it never sent.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, inView, launchBrowser, screenshot } from '../support/browser.ts';
import { EMV_SIZES, buyInSandbox, newestOtp } from '../support/challenge-browser.ts';
import { startServer, type RunningServer } from '../support/server.ts';

const KITA_PHONE = 'tel:0120111222';

let browser: Browser;
let server: RunningServer;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  browser = await launchBrowser();
  server = await startServer({ SMS_LIMIT_PER_PHONE: '1/1h' });
  context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'ja-JP' });
  page = await context.newPage();
  // The phone's one SMS this hour.
  const frame = await buyInSandbox(page, server, { key: 'visa-otp', windowSize: 'FULL_SCREEN' });
  expect(await frame.textContent('.sent-to')).toContain('送信しました');
  await frame.fill('#memberId', 'demo-visa');
  await frame.fill('#secret', await newestOtp(server));
  await frame.click('#challenge button.primary');
  await page.waitForFunction(() => document.getElementById('outcome')?.getAttribute('data-trans-status'), null, { timeout: 20_000 });
});
afterAll(async () => {
  await context?.close();
  await server?.stop();
  await browser?.close();
});

describe.each(EMV_SIZES)('a refused SMS in window size %s', (code, windowSize) => {
  it('says no code went out and what to do, in view, and asks for none', async () => {
    const frame = await buyInSandbox(page, server, { key: 'visa-otp', windowSize });
    const main = (await frame.textContent('main'))!;
    expect(main).not.toContain('送信しました');
    expect(await frame.$('.sent-to')).toBeNull();
    expect(await frame.$('#secret')).toBeNull();
    expect(await frame.textContent('#answer')).toContain('送信回数が上限に達したため');
    // The phone of the card's issuer: the demo Visa cards are the sandbox's second demo issuer's (kita).
    expect(await frame.getAttribute('#answer a[href^="tel:"]', 'href')).toBe(KITA_PHONE);
    expect(await inView(frame, '#answer')).toBe(true);
    expect(await inView(frame, '#challenge form button.primary')).toBe(true);
    expect(await frame.textContent('#challenge form button.primary')).toBe('ワンタイムパスワードを再送信');
    expect(await axeViolations(frame)).toEqual([]);
    await screenshot(page, `challenge-sms-refused-${code}`, false);

    // Asking again is held (the refused send started the cooldown) or refused again: either way the
    // page says when to try or whom to call, and still says nothing was sent.
    await frame.evaluate(() => Object.assign(document.getElementById('challenge')!, { stale: true }));
    await frame.click('#challenge form button.primary');
    await frame.waitForFunction(() => !(document.getElementById('challenge') as HTMLElement & { stale?: boolean }).stale, null, { timeout: 20_000 });
    expect(await frame.textContent('#announce')).toMatch(/秒後|送信回数が上限に達したため/);
    expect(await frame.textContent('main')).not.toContain('送信しました');
    expect(await frame.$('#secret')).toBeNull();
    expect(await frame.getAttribute('#answer a[href^="tel:"]', 'href')).toBe(KITA_PHONE);
    await expect.poll(() => inView(frame, '#answer')).toBe(true);

    await frame.click('button.secondary:has-text("キャンセル")');
    await page.waitForFunction(() => document.getElementById('outcome')?.getAttribute('data-trans-status'), null, { timeout: 20_000 });
    expect(await page.getAttribute('#outcome', 'data-trans-status')).toBe('N');
  });
});
