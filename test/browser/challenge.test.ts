/**
 * The challenge as a cardholder meets it: inside the sandbox merchant's checkout, which frames it
 * with the real globalpayments-3ds library, at each of the five EMV window sizes, in Chromium.
 * Each window size gets its own server and database, so lockouts do not leak between them.
 */
import type { Browser, BrowserContext, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCard } from '../../src/sandbox/demo-issuer.ts';
import { hasHorizontalScroll, launchBrowser, screenshot } from '../support/browser.ts';
import { startServer, type RunningServer } from '../support/server.ts';

const SIZES = [
  ['01', 'WINDOWED_250X400', 250, 400],
  ['02', 'WINDOWED_390X400', 390, 400],
  ['03', 'WINDOWED_500X600', 500, 600],
  ['04', 'WINDOWED_600X400', 600, 400],
  ['05', 'FULL_SCREEN', 0, 0],
] as const;

/**
 * Chrome refuses autofocus in a cross-origin frame (the browser's rule), and reports every 4xx
 * answer, such as the page for a wrong code (400) or a resend too soon (429).
 */
const EXPECTED_CONSOLE = /Blocked autofocusing|Failed to load resource: the server responded with a status of 4(00|29)/;

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

describe.each(SIZES)('challenge in window size %s', (code, windowSize, width, height) => {
  let server: RunningServer;
  let context: BrowserContext;
  let page: Page;
  let problems: string[];

  beforeAll(async () => {
    server = await startServer({ OTP_RESEND_COOLDOWN_SECONDS: '30', OTP_MAX_SENDS: '3' });
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'ja-JP' });
    page = await context.newPage();
    problems = [];
    page.on('console', (m) => {
      if (m.type() === 'error' && !EXPECTED_CONSOLE.test(m.text())) problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
  });
  afterAll(async () => {
    await context?.close();
    await server?.stop();
  });

  /** Buys with the card and returns the challenge frame. */
  async function buy(key: string, o: { amount?: string; challengeInd?: string } = {}): Promise<Frame> {
    await page.goto(`${server.baseUrl}/sandbox`);
    await page.selectOption('#card', demoCard(key).pan);
    await page.fill('#amount', o.amount ?? '45000');
    await page.selectOption('#challengeInd', o.challengeInd ?? '01');
    await page.selectOption('#windowSize', windowSize);
    await page.click('#buy');
    const iframe = await page.waitForSelector('#challenge-frame iframe[data-sized]', { timeout: 20_000 });
    const frame = (await iframe.contentFrame())!;
    await frame.waitForSelector('main#challenge', { timeout: 20_000 });
    return frame;
  }

  async function outcome(): Promise<string> {
    await page.waitForFunction(() => document.getElementById('outcome')?.getAttribute('data-trans-status'), null, { timeout: 20_000 });
    return (await page.getAttribute('#outcome', 'data-trans-status'))!;
  }

  async function newestOtp(): Promise<string> {
    const sms = (await (await fetch(`${server.baseUrl}/sandbox/sms`, { headers: { accept: 'application/json' } })).json()) as { otpCode: string }[];
    return sms[0].otpCode;
  }

  async function enter(frame: Frame, memberId: string, secret: string) {
    await frame.fill('#memberId', memberId);
    await frame.fill('#secret', secret);
    await frame.click('button.primary');
  }

  it('fits the frame: EMV size, no horizontal scroll, labelled fields, 44-px targets', async () => {
    const frame = await buy('jcb-otp');
    const box = await (await page.$('#challenge-frame iframe'))!.boundingBox();
    if (width) {
      expect(Math.round(box!.width)).toBe(width);
      expect(Math.round(box!.height)).toBe(height);
    }
    expect(await frame.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth)).toBe(true);
    expect(await frame.evaluate(() => getComputedStyle(document.body).overflow)).not.toBe('hidden');
    for (const id of ['memberId', 'secret']) expect(await frame.locator(`label[for="${id}"]`).count()).toBe(1);
    const small = await frame.$$eval('button, input:not([type=hidden]), summary', (els) =>
      els.filter((e) => (e as HTMLElement).offsetParent !== null && e.getBoundingClientRect().height < 44).map((e) => e.outerHTML.slice(0, 60)),
    );
    expect(small).toEqual([]);
    expect(await frame.getAttribute('#secret', 'autocomplete')).toBe('one-time-code');
    expect(await frame.getAttribute('#secret', 'inputmode')).toBe('numeric');
    expect(await frame.textContent('.personal-message')).toContain('庭のさくらが咲きました');
    await screenshot(page, `challenge-size-${code}`, false);
    await enter(frame, 'demo-jcb', await newestOtp());
    expect(await outcome()).toBe('Y');
  });

  it('takes a wrong code with one message, then the right one', async () => {
    const frame = await buy('visa-otp');
    await enter(frame, 'demo-visa', '000000');
    await frame.waitForSelector('#status .alert');
    expect(await frame.textContent('#status')).toContain('会員IDまたはワンタイムパスワードが正しくありません');
    expect(await frame.getAttribute('#status', 'aria-live')).toBe('assertive');
    await enter(frame, 'demo-visa', await newestOtp());
    expect(await outcome()).toBe('Y');
  });

  it('locks the member after five wrong entries and shows the issuer phone', async () => {
    const frame = await buy('mc-otp');
    for (let i = 0; i < 5; i++) {
      await enter(frame, 'demo-mc', '000000');
      await frame.waitForFunction((n) => document.querySelector('#status .alert, .ending') && n >= 0, i);
      if (await frame.$('.ending')) break;
    }
    await frame.waitForSelector('.ending');
    expect(await frame.textContent('main')).toContain('この会員IDは現在ご利用いただけません');
    expect(await frame.textContent('main')).toContain('0120-000-000');
    await screenshot(page, `challenge-locked-${code}`, false);
    await frame.click('#cres-form button');
    expect(await outcome()).toBe('N');
  });

  it('cancels', async () => {
    const frame = await buy('jcb-reissued-new');
    await frame.click('text=キャンセル');
    expect(await outcome()).toBe('N');
  });

  it('holds resends to the cooldown and the limit', async () => {
    const frame = await buy('jcb-otp');
    await frame.click('text=コードを再送信');
    await frame.waitForSelector('#status .alert');
    expect(await frame.textContent('#status')).toContain('秒後');
    for (let i = 0; i < 2; i++) {
      await fetch(`${server.baseUrl}/sandbox/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ advanceSeconds: 31 }) });
      await frame.click('text=コードを再送信');
      await frame.waitForSelector('#status .success');
    }
    await fetch(`${server.baseUrl}/sandbox/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ advanceSeconds: 31 }) });
    await frame.click('text=コードを再送信');
    await frame.waitForSelector('#status .alert');
    expect(await frame.textContent('#status')).toContain('これ以上再送信できません');
    await enter(frame, 'demo-jcb', await newestOtp());
    expect(await outcome()).toBe('Y');
  });

  it('accepts a legacy static password', async () => {
    const frame = await buy('jcb-password');
    expect(await frame.getAttribute('#secret', 'type')).toBe('password');
    await enter(frame, 'demo-pass', 'Mamori-2026');
    expect(await outcome()).toBe('Y');
  });

  it('guides a cardholder who has not registered', async () => {
    const frame = await buy('visa-unregistered', { amount: '1000' });
    await frame.waitForSelector('.ending');
    expect(await frame.textContent('main')).toContain('本人認証サービスへのご登録が必要です');
    await frame.click('#cres-form button');
    expect(await outcome()).toBe('N');
  });

  it('ends a challenge left idle for 10 minutes', async () => {
    const frame = await buy('visa-otp');
    await fetch(`${server.baseUrl}/sandbox/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ advanceSeconds: 601 }) });
    await new Promise((r) => setTimeout(r, 1500)); // the server sweeps timers every second
    await enter(frame, 'demo-visa', '123456');
    await frame.waitForSelector('.ending');
    expect(await frame.textContent('main')).toContain('認証の有効時間が過ぎました');
    await frame.click('#cres-form button');
    expect(await outcome()).toBe('N');
    expect(problems).toEqual([]);
  });
});

describe('challenge in English', () => {
  it('follows the browser language and switches back to Japanese', async () => {
    const server = await startServer();
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'en-US' });
    const page = await context.newPage();
    try {
      await page.goto(`${server.baseUrl}/sandbox`);
      await page.selectOption('#card', demoCard('visa-otp').pan);
      await page.fill('#amount', '300');
      await page.selectOption('#currency', '840');
      await page.selectOption('#windowSize', 'WINDOWED_390X400');
      await page.click('#buy');
      const frame = (await (await page.waitForSelector('#challenge-frame iframe[data-sized]', { timeout: 20_000 })).contentFrame())!;
      await frame.waitForSelector('main#challenge');
      expect(await frame.textContent('h1')).toContain('make sure');
      expect(await frame.textContent('.purchase')).toContain('$300.00');
      expect(await hasHorizontalScroll(page)).toBe(false);
      await screenshot(page, 'challenge-english-phone');
      await frame.click('button[lang="ja"]');
      await frame.waitForSelector('html[lang="ja"]');
      expect(await frame.textContent('h1')).toContain('ご本人確認');
    } finally {
      await context.close();
      await server.stop();
    }
  });
});
