/**
 * The sandbox walked as a person would: every demo card bought at the test merchant, the code read
 * from the SMS outbox page, the challenge finished, and the outcome and the messages checked.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CARDS, demoCard } from '../../src/sandbox/demo-issuer.ts';
import { launchBrowser, screenshot } from '../support/browser.ts';
import { startServer, type RunningServer } from '../support/server.ts';

type Expect =
  | { amount: string; direct: string } // answered in the ARes, no challenge
  | { amount: string; otp: string } // SMS OTP challenge with this member ID
  | { amount: string; password: [string, string] }
  | { amount: string; guidance: string };

const PLAN: Record<string, Expect> = {
  'jcb-otp': { amount: '45000', otp: 'demo-jcb' },
  'visa-otp': { amount: '45000', otp: 'demo-visa' },
  'mc-otp': { amount: '45000', otp: 'demo-mc' },
  'jcb-password': { amount: '45000', password: ['demo-pass', 'Mamori-2026'] },
  'mc-no-otp': { amount: '45000', guidance: '携帯電話番号のご登録が必要です' },
  'visa-unregistered': { amount: '1000', guidance: '本人認証サービスへのご登録が必要です' },
  'jcb-provisional-phone': { amount: '45000', guidance: '携帯電話番号のご登録が必要です' },
  'visa-locked': { amount: '1000', direct: 'N' },
  'jcb-expired': { amount: '1000', direct: 'N' },
  'visa-stolen': { amount: '1000', direct: 'R' },
  'jcb-reissued-old': { amount: '1000', direct: 'N' },
  'jcb-reissued-new': { amount: '45000', otp: 'demo-reissue' },
};

const EXPECTED_CONSOLE = /Blocked autofocusing|Failed to load resource: the server responded with a status of 4(00|29)/;

let browser: Browser;
let server: RunningServer;
let context: BrowserContext;
let page: Page;
let outbox: Page;
const problems: string[] = [];

beforeAll(async () => {
  browser = await launchBrowser();
  server = await startServer();
  context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'ja-JP' });
  page = await context.newPage();
  outbox = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error' && !EXPECTED_CONSOLE.test(m.text())) problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
});
afterAll(async () => {
  await context?.close();
  await browser?.close();
  await server?.stop();
});

async function buy(key: string, amount: string, o: { version?: string; dsMode?: string } = {}) {
  await page.goto(`${server.baseUrl}/sandbox`);
  await page.selectOption('#card', demoCard(key).pan);
  await page.fill('#amount', amount);
  await page.selectOption('#windowSize', 'WINDOWED_390X400');
  if (o.version) await page.selectOption('#messageVersion', o.version);
  if (o.dsMode) await page.selectOption('#dsMode', o.dsMode);
  await page.click('#buy');
}

async function challengeFrame() {
  const iframe = await page.waitForSelector('#challenge-frame iframe[data-sized]', { timeout: 20_000 });
  const frame = (await iframe.contentFrame())!;
  await frame.waitForSelector('main#challenge', { timeout: 20_000 });
  return frame;
}

/** As a person would: open the SMS outbox page and read the newest code. */
async function codeFromOutbox(): Promise<string> {
  await outbox.goto(`${server.baseUrl}/sandbox/sms`);
  return (await outbox.locator('#sms-list .otp').first().textContent())!.trim();
}

async function outcome(): Promise<string> {
  await page.waitForFunction(() => document.getElementById('outcome')?.getAttribute('data-trans-status'), null, { timeout: 20_000 });
  return (await page.getAttribute('#outcome', 'data-trans-status'))!;
}

async function messageTypes(until?: string): Promise<string[]> {
  if (until) {
    await page.waitForFunction((t) => [...document.querySelectorAll('#exchange li')].some((li) => li.getAttribute('data-type') === t), until, { timeout: 60_000 });
  } else {
    await page.waitForSelector('#exchange li');
  }
  return page.$$eval('#exchange li', (lis) => lis.map((li) => li.getAttribute('data-type')!));
}

describe('the sandbox, card by card', () => {
  it('lists every demo card', () => {
    expect(Object.keys(PLAN).sort()).toEqual(DEMO_CARDS.map((c) => c.key).sort());
  });

  it.each(Object.entries(PLAN))('%s', async (key, plan) => {
    await buy(key, plan.amount);
    if ('direct' in plan) {
      expect(await outcome()).toBe(plan.direct);
      expect(await messageTypes()).toEqual(expect.arrayContaining(['AReq', 'ARes']));
    } else {
      const frame = await challengeFrame();
      if ('otp' in plan) {
        const code = await codeFromOutbox();
        await frame.fill('#memberId', plan.otp);
        await frame.fill('#secret', code);
        await frame.click('button.primary');
        expect(await outcome()).toBe('Y');
      } else if ('password' in plan) {
        await frame.fill('#memberId', plan.password[0]);
        await frame.fill('#secret', plan.password[1]);
        await frame.click('button.primary');
        expect(await outcome()).toBe('Y');
      } else {
        await frame.waitForSelector('.ending');
        expect(await frame.textContent('main')).toContain(plan.guidance);
        await frame.click('#cres-form button');
        expect(await outcome()).toBe('N');
      }
      const types = await messageTypes('RRes');
      expect(types).toEqual(expect.arrayContaining(['AReq', 'ARes', 'CReq', 'RReq', 'RRes', 'CRes']));
    }
    await screenshot(page, `sandbox-${key}`);
  });

  it('shows the RReq retried when the DS fails twice, then the RRes', async () => {
    await buy('visa-otp', '45000', { dsMode: 'fail-twice' });
    const frame = await challengeFrame();
    const code = await codeFromOutbox();
    await frame.fill('#memberId', 'demo-visa');
    await frame.fill('#secret', code);
    await frame.click('button.primary');
    expect(await outcome()).toBe('Y');
    // The page polls the exchange; the server sweeps every second and retries after 10 s, then 20 s.
    const types = await messageTypes('RRes');
    expect(types.filter((t) => t === 'RReq').length).toBe(3);
  }, 90_000);

  it('runs a 2.3.1 purchase', async () => {
    await buy('mc-otp', '45000', { version: '2.3.1' });
    const frame = await challengeFrame();
    const code = await codeFromOutbox();
    await frame.fill('#memberId', 'demo-mc');
    await frame.fill('#secret', code);
    await frame.click('button.primary');
    expect(await outcome()).toBe('Y');
    const ares = await page.$eval('#exchange li[data-type="ARes"] pre', (pre) => JSON.parse(pre.textContent!));
    expect(ares).toMatchObject({ messageVersion: '2.3.1', transStatus: 'C', authenticationMethod: ['02'] });
    expect(problems).toEqual([]);
  });
});
