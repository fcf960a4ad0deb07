/**
 * The sandbox walked as a person walks it, in Chromium against a real Node server of its own:
 * every demo card picked at the test merchant and bought, the code read from the SMS outbox page
 * in a second tab, the member ID and password from the demo cards page, the challenge answered in
 * the frame, and the outcome line and the message list checked. Then a DS that fails twice, a
 * 2.3.1 purchase, the page on a phone, the cards page's "now" and its reset, and every time shown
 * in the issuer's time zone.
 */
import type { Browser, BrowserContext, ConsoleMessage, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeJsonBase64Url } from '../../src/protocol/base64url.ts';
import { browserAReq } from '../../src/sandbox/areq-builder.ts';
import { DEMO_CARDS, demoCard } from '../../src/sandbox/demo-issuer.ts';
import { axeViolations, hasHorizontalScroll, launchBrowser, screenshot } from '../support/browser.ts';
import { startServer, type RunningServer } from '../support/server.ts';

/** How the person answers the challenge, if there is one. */
type Challenge = 'otp' | 'password' | { guidance: string };

interface Plan {
  amount: string;
  challenge?: Challenge;
  /** What the outcome line must say: transStatus, and reason and ECI where the card has them. */
  transStatus: string;
  reason?: string;
  eci?: string;
}

/** Each card as its purpose says: challenged at ¥45,000 (over the ¥30,000 threshold), frictionless ones at ¥1,200. */
const PLAN: Record<string, Plan> = {
  'jcb-otp': { amount: '45000', challenge: 'otp', transStatus: 'Y', eci: '05' },
  'visa-otp': { amount: '45000', challenge: 'otp', transStatus: 'Y', eci: '05' },
  'mc-otp': { amount: '45000', challenge: 'otp', transStatus: 'Y', eci: '02' },
  'jcb-password': { amount: '45000', challenge: 'password', transStatus: 'Y', eci: '05' },
  'mc-no-otp': { amount: '45000', challenge: { guidance: '携帯電話番号のご登録が必要です' }, transStatus: 'N', reason: '13' },
  // Guidance whatever the amount: a small one shows it does not depend on the threshold.
  'visa-unregistered': { amount: '1200', challenge: { guidance: '本人認証サービスへのご登録が必要です' }, transStatus: 'N', reason: '13' },
  // The issuer holds only a provisional number: it has to be registered for real.
  'jcb-provisional-phone': { amount: '45000', challenge: { guidance: '携帯電話番号の本登録が必要です' }, transStatus: 'N', reason: '13' },
  'visa-locked': { amount: '1200', transStatus: 'N', reason: '19' },
  'jcb-expired': { amount: '1200', transStatus: 'N', reason: '05' },
  'visa-stolen': { amount: '1200', transStatus: 'R', reason: '10' },
  'jcb-reissued-old': { amount: '1200', transStatus: 'N', reason: '06' },
  'jcb-reissued-new': { amount: '45000', challenge: 'otp', transStatus: 'Y', eci: '05' },
  'jcb-two-cards': { amount: '45000', challenge: 'otp', transStatus: 'Y', eci: '05' },
  'visa-two-cards': { amount: '45000', challenge: 'otp', transStatus: 'Y', eci: '05' },
  // The cards to register in the member portal (portal-journey.test.ts registers them): guidance until then.
  'jcb-unregistered': { amount: '1200', challenge: { guidance: '本人認証サービスへのご登録が必要です' }, transStatus: 'N', reason: '13' },
  'jcb-provisional-member': { amount: '1200', challenge: { guidance: '本人認証サービスへのご登録が必要です' }, transStatus: 'N', reason: '13' },
  'jcb-corporate': { amount: '1200', challenge: { guidance: '本人認証サービスへのご登録が必要です' }, transStatus: 'N', reason: '13' },
};

/**
 * Chrome refuses autofocus in a cross-origin frame: expected, the ACS frame is another origin
 * than the merchant's in production. Anything else on the console fails the test.
 */
const EXPECTED_CONSOLE = /Blocked autofocusing on a <input> element in a cross-origin subframe/;

let browser: Browser;
let server: RunningServer;
let context: BrowserContext;
let shop: Page;
let outbox: Page;
const problems: string[] = [];
/** Member ID and password of each card, as the demo cards page lists them. */
const credentials = new Map<string, { memberId: string; password?: string }>();

function watchConsole(page: Page) {
  page.on('console', (m: ConsoleMessage) => {
    if (m.type() === 'error' && !EXPECTED_CONSOLE.test(m.text())) problems.push(`${page.url()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`${page.url()}: ${e.message}`));
}

beforeAll(async () => {
  browser = await launchBrowser();
  server = await startServer();
  context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'ja-JP' });
  shop = await context.newPage();
  outbox = await context.newPage();
  watchConsole(shop);
  watchConsole(outbox);
  // A person looks the cards up first: member IDs and passwords are on the demo cards page.
  await outbox.goto(`${server.baseUrl}/sandbox/cards`);
  for (const card of DEMO_CARDS) {
    const cell = (await outbox.locator(`tr[data-key="${card.key}"] td`).nth(3).textContent())!.trim();
    const [memberId, password] = cell.split(' / ');
    if (memberId !== '—') credentials.set(card.key, { memberId, password });
  }
  // …and keeps the SMS outbox open in a second tab; it refreshes itself every 3 s.
  await outbox.goto(`${server.baseUrl}/sandbox/sms`);
  await shop.goto(`${server.baseUrl}/sandbox`);
});
afterAll(async () => {
  await context?.close();
  await browser?.close();
  await server?.stop();
});

/** Picks the card, sets the purchase and presses Buy, on the page as it is (no reload between purchases). */
async function buy(page: Page, key: string, o: { amount: string; version?: string; dsMode?: string }) {
  await page.locator('#buy:not([disabled])').waitFor();
  await page.selectOption('#card', demoCard(key).pan);
  expect(await page.textContent('#card-hint')).toContain(demoCard(key).outcome);
  await page.fill('#amount', o.amount);
  await page.selectOption('#currency', '392');
  await page.selectOption('#challengeInd', '01');
  await page.selectOption('#messageVersion', o.version ?? '2.2.0');
  await page.selectOption('#windowSize', 'WINDOWED_390X400');
  await page.selectOption('#dsMode', o.dsMode ?? 'ok');
  await page.click('#buy');
  // The page says which card is being run.
  await page.locator('#run', { hasText: `(${key})` }).waitFor();
  expect(await page.getAttribute('#outcome', 'data-card')).toBe(key);
}

/** Either the challenge frame or an outcome without one, whichever comes first. */
async function challengeOrOutcome(page: Page): Promise<Frame | undefined> {
  const iframe = page.locator('#challenge-frame iframe[data-sized]');
  const decided = page.locator('#outcome[data-trans-status]');
  await iframe.or(decided).first().waitFor({ timeout: 30_000 });
  if (await decided.count()) return undefined;
  const frame = (await (await iframe.elementHandle())!.contentFrame())!;
  await frame.locator('main#challenge').waitFor({ timeout: 20_000 });
  return frame;
}

/** The purchase's acsTransID, as the page shows it once the ARes is in. */
async function acsTransIdOf(page: Page): Promise<string> {
  await page.locator('#outcome[data-acs-trans-id]').waitFor({ timeout: 10_000 });
  const id = (await page.getAttribute('#outcome', 'data-acs-trans-id'))!;
  expect(await page.textContent('#run')).toContain(id);
  return id;
}

/** Reads the newest code for this purchase in the outbox tab, as a person would. */
async function codeFromOutbox(page: Page, acsTransID: string): Promise<string> {
  await outbox.bringToFront();
  const sms = outbox.locator(`#sms-list li.sms[data-acs-trans-id="${acsTransID}"]`).first();
  await sms.waitFor({ timeout: 15_000 }); // the page's htmx poll brings it in
  expect(await outbox.locator('#sms-list li.sms').first().getAttribute('data-acs-trans-id')).toBe(acsTransID); // newest first
  expect(await sms.textContent()).toContain('まもりストア');
  const code = (await sms.locator('.otp').textContent())!.trim();
  await page.bringToFront();
  return code;
}

async function answerChallenge(page: Page, frame: Frame, key: string, challenge: Challenge) {
  if (typeof challenge === 'object') {
    // Guidance: read the page, then go back to the shop.
    await frame.locator('main.ending').waitFor();
    expect(await frame.locator('main').textContent()).toContain(challenge.guidance);
    await frame.getByRole('button', { name: 'ショップに戻る' }).click();
    return;
  }
  const { memberId, password } = credentials.get(key)!;
  const secret = challenge === 'password' ? password! : await codeFromOutbox(page, await acsTransIdOf(page));
  await frame.locator('#memberId').fill(memberId);
  await frame.locator('#secret').fill(secret);
  await frame.locator('button.primary').click();
}

/** The outcome line once the purchase and, for a challenge, the RReq are in. */
async function outcomeOf(page: Page, challenged: boolean) {
  await page.locator('#outcome[data-trans-status]').waitFor({ timeout: 30_000 });
  if (challenged) await page.locator('#exchange li[data-type="RReq"]').first().waitFor({ timeout: 30_000 });
  // The RReq's reason and ECI reach the line with the next poll of the exchange.
  if (challenged) await page.waitForFunction(() => /RReq:/.test(document.getElementById('outcome')!.textContent!), null, { timeout: 10_000 });
  const attr = (name: string) => page.getAttribute('#outcome', name);
  return {
    text: (await page.textContent('#outcome'))!,
    transStatus: await attr('data-trans-status'),
    reason: await attr('data-reason'),
    eci: await attr('data-eci'),
    acsTransID: await attr('data-acs-trans-id'),
  };
}

async function messageTypes(page: Page, until: string[], timeout = 30_000): Promise<string[]> {
  await page.waitForFunction(
    (types) => types.every((t) => document.querySelector(`#exchange li[data-type="${t}"]`)),
    until,
    { timeout },
  );
  return page.$$eval('#exchange li', (lis) => lis.map((li) => li.getAttribute('data-type')!));
}

async function messageBody(page: Page, type: string): Promise<Record<string, any>> {
  return page.$eval(`#exchange li[data-type="${type}"] pre`, (pre) => JSON.parse(pre.textContent!));
}

describe('the sandbox, card by card, as a person uses it', () => {
  it('has a plan for every demo card', () => {
    expect(Object.keys(PLAN).sort()).toEqual(DEMO_CARDS.map((c) => c.key).sort());
    expect(credentials.get('jcb-password')).toEqual({ memberId: 'demo-pass', password: 'Mamori-2026' });
    expect(credentials.get('jcb-reissued-new')?.memberId).toBe('demo-reissue');
  });

  it.each(Object.entries(PLAN))('%s', async (key, plan) => {
    await buy(shop, key, { amount: plan.amount });
    const frame = await challengeOrOutcome(shop);
    expect(!!frame, plan.challenge ? 'a challenge' : 'no challenge').toBe(!!plan.challenge);
    if (frame && plan.challenge) await answerChallenge(shop, frame, key, plan.challenge);

    const outcome = await outcomeOf(shop, !!plan.challenge);
    expect(outcome.transStatus).toBe(plan.transStatus);
    expect(outcome.reason).toBe(plan.reason ?? null);
    expect(outcome.eci).toBe(plan.eci ?? null);
    expect(outcome.text).toContain(`transStatus ${plan.transStatus}`);
    if (plan.reason) expect(outcome.text).toContain(`reason ${plan.reason}`);
    if (plan.eci) expect(outcome.text).toContain(`ECI ${plan.eci}`);

    if (plan.challenge) {
      const types = await messageTypes(shop, ['AReq', 'ARes', 'CReq', 'RReq', 'RRes', 'CRes']);
      const at = (t: string) => types.indexOf(t);
      expect(at('AReq')).toBeLessThan(at('ARes'));
      expect(at('ARes')).toBeLessThan(at('CReq'));
      expect(at('CReq')).toBeLessThan(at('RReq'));
      expect(at('RReq')).toBeLessThan(at('RRes'));
      expect(at('CReq')).toBeLessThan(at('CRes'));
      expect(await messageBody(shop, 'ARes')).toMatchObject({ transStatus: 'C', acsTransID: outcome.acsTransID });
      expect(await messageBody(shop, 'CRes')).toMatchObject({ transStatus: plan.transStatus });
      expect(await messageBody(shop, 'RReq')).toMatchObject({ transStatus: plan.transStatus, ...(plan.reason ? { transStatusReason: plan.reason } : {}), ...(plan.eci ? { eci: plan.eci } : {}) });
      expect(await messageBody(shop, 'RRes')).toMatchObject({ resultsStatus: '01', acsTransID: outcome.acsTransID });
    } else {
      const types = await messageTypes(shop, ['AReq', 'ARes']);
      expect(types).not.toContain('CReq');
      expect(types).not.toContain('RReq');
      expect(await messageBody(shop, 'ARes')).toMatchObject({ transStatus: plan.transStatus, transStatusReason: plan.reason });
    }
    // The PAN never shows in full in the message list.
    expect(await shop.textContent('#exchange')).not.toContain(demoCard(key).pan);
    await screenshot(shop, `sandbox-${key}`);
    expect(problems).toEqual([]);
  });
});

describe('the sandbox, beyond the cards', () => {
  it('shows the RReq retried when the DS fails twice, and finally the RRes', async () => {
    await buy(shop, 'visa-otp', { amount: '45000', dsMode: 'fail-twice' });
    const frame = (await challengeOrOutcome(shop))!;
    await answerChallenge(shop, frame, 'visa-otp', 'otp');
    const outcome = await outcomeOf(shop, true);
    expect(outcome).toMatchObject({ transStatus: 'Y', eci: '05' });
    // The server sweeps its timers every second and backs off 10 s, then 20 s; the page keeps polling.
    const types = await messageTypes(shop, ['RRes'], 90_000);
    expect(types.filter((t) => t === 'RReq')).toHaveLength(3);
    expect(types.filter((t) => t === 'HTTP 500')).toHaveLength(2);
    expect(types.at(-1)).toBe('RRes');
    expect(await shop.locator('#exchange li.trouble').count()).toBe(2);
    await screenshot(shop, 'sandbox-ds-fail-twice');
    expect(problems).toEqual([]);
  }, 150_000);

  it('runs a 2.3.1 purchase end to end', async () => {
    await buy(shop, 'mc-otp', { amount: '45000', version: '2.3.1' });
    const frame = (await challengeOrOutcome(shop))!;
    await answerChallenge(shop, frame, 'mc-otp', 'otp');
    const outcome = await outcomeOf(shop, true);
    expect(outcome).toMatchObject({ transStatus: 'Y', eci: '02' });
    await messageTypes(shop, ['AReq', 'ARes', 'CReq', 'RReq', 'RRes', 'CRes']);
    for (const type of ['AReq', 'ARes', 'CReq', 'RReq', 'RRes', 'CRes']) expect((await messageBody(shop, type)).messageVersion, type).toBe('2.3.1');
    expect(await messageBody(shop, 'ARes')).toMatchObject({ transStatus: 'C', authenticationMethod: ['02'] });
    expect(await shop.textContent('#run')).toContain('v2.3.1');
    await screenshot(shop, 'sandbox-2.3.1');
    expect(problems).toEqual([]);
  });

  it('says next to the field what is wrong with the purchase, and sends nothing', async () => {
    await shop.locator('#buy:not([disabled])').waitFor();
    const before = { card: await shop.getAttribute('#outcome', 'data-card'), messages: await shop.locator('#exchange li').count() };
    await shop.selectOption('#card', demoCard('jcb-otp').pan);
    await shop.fill('#amount', '12,800円');
    await shop.click('#buy');
    await shop.locator('#amount-error').waitFor();
    expect(await shop.textContent('#amount-error')).toContain('金額を数字で入力してください');
    expect(await shop.getAttribute('#amount', 'aria-invalid')).toBe('true');
    expect(await shop.getAttribute('#amount', 'aria-describedby')).toBe('amount-error');
    // The last purchase stays on the page: no new one started.
    expect(await shop.locator('#exchange li').count()).toBe(before.messages);
    expect(await shop.getAttribute('#outcome', 'data-card')).toBe(before.card);
    // Corrected, the purchase goes through and the message goes away.
    await shop.fill('#amount', '12800');
    await shop.click('#buy');
    expect((await outcomeOf(shop, false)).transStatus).toBe('Y');
    expect(await shop.locator('#amount-error').count()).toBe(0);
    expect(problems).toEqual([]);
  });

  it('works on a phone: 390 px wide, no horizontal scroll, the frame fits', async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'ja-JP', isMobile: true, hasTouch: true });
    const page = await phone.newPage();
    watchConsole(page);
    await page.goto(`${server.baseUrl}/sandbox`);
    expect(await hasHorizontalScroll(page)).toBe(false);
    await buy(page, 'jcb-otp', { amount: '45000' });
    const frame = (await challengeOrOutcome(page))!;
    const box = (await page.locator('#challenge-frame iframe').boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(390);
    expect(await frame.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth)).toBe(true);
    expect(await hasHorizontalScroll(page)).toBe(false);
    await screenshot(page, 'sandbox-phone-challenge', false);
    // The code comes from the outbox page, here through its JSON as a phone's second tab would show it.
    const acsTransID = await acsTransIdOf(page);
    const sms = (await (await fetch(`${server.baseUrl}/sandbox/sms`, { headers: { accept: 'application/json' } })).json()) as { acsTransID: string; otpCode: string }[];
    await frame.locator('#memberId').fill('demo-jcb');
    await frame.locator('#secret').fill(sms.find((s) => s.acsTransID === acsTransID)!.otpCode);
    await frame.locator('button.primary').click();
    expect((await outcomeOf(page, true)).transStatus).toBe('Y');
    await messageTypes(page, ['RRes', 'CRes']);
    expect(await hasHorizontalScroll(page)).toBe(false);
    await screenshot(page, 'sandbox-phone');
    await phone.close();
    expect(problems).toEqual([]);
  });

  it("shows every time in the issuer's time zone: the outbox, and each message of the exchange", async () => {
    await outbox.bringToFront();
    await outbox.goto(`${server.baseUrl}/sandbox/sms`);
    const first = (await outbox.locator('#sms-list li.sms .sms-meta time').first().textContent())!;
    expect(first).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} \(Asia\/Tokyo\)$/);
    expect(await outbox.textContent('#sms-list')).not.toContain('UTC');
    await shop.bringToFront();
    const steps = await shop.$$eval('#exchange li .msg-step', (spans) => spans.map((s) => s.textContent!));
    expect(steps.length).toBeGreaterThan(0);
    for (const step of steps) expect(step).toMatch(/ · \d{2}:\d{2}:\d{2} Asia\/Tokyo$/);
    expect(problems).toEqual([]);
  });

  it('says on the cards page what each card does now, and Reset brings a locked member back', async () => {
    // Five wrong codes lock demo-two-jcb (sent as a browser would post them: AReq, CReq, the form five times).
    const post = (path: string, body: string, type: string) => fetch(`${server.baseUrl}${path}`, { method: 'POST', headers: { 'content-type': type }, body });
    const areq = browserAReq({ pan: demoCard('jcb-two-cards').pan, purchaseAmount: '98000' });
    const ares = (await (await post('/3ds/areq', JSON.stringify(areq), 'application/json')).json()) as Record<string, string>;
    expect(ares.transStatus).toBe('C');
    const creq = encodeJsonBase64Url({ messageType: 'CReq', messageVersion: ares.messageVersion, threeDSServerTransID: ares.threeDSServerTransID, acsTransID: ares.acsTransID, challengeWindowSize: '05' });
    const form = 'application/x-www-form-urlencoded';
    const html = await (await post('/3ds/challenge', new URLSearchParams({ creq }).toString(), form)).text();
    const state = /name="state" value="([^"]+)"/.exec(html)![1];
    for (let i = 0; i < 5; i++) await post('/3ds/challenge/submit', new URLSearchParams({ state, memberId: 'demo-two-jcb', secret: '000000' }).toString(), form);

    const page = await context.newPage();
    watchConsole(page);
    await page.goto(`${server.baseUrl}/sandbox/cards`);
    const row = page.locator('tr[data-key="jcb-two-cards"] td.now');
    expect(await row.getAttribute('data-state')).toBe('locked');
    expect(await row.textContent()).toContain('誤入力が上限に達しロック中');
    expect(await page.locator('tr[data-key="visa-locked"] td.now').getAttribute('data-state')).toBe('locked');
    expect(await page.locator('tr[data-key="jcb-otp"] td.now').getAttribute('data-state')).toBe('as_described');
    expect(await page.textContent('#limits')).toContain('SMSは携帯番号ごとに1時間に50通');
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'sandbox-cards-now');

    await row.getByRole('button', { name: /reset jcb-two-cards/ }).click();
    await page.locator('p[role="status"]', { hasText: 'jcb-two-cards を元に戻しました' }).waitFor();
    expect(await page.locator('tr[data-key="jcb-two-cards"] td.now').getAttribute('data-state')).toBe('as_described');
    expect(await page.locator('tr[data-key="jcb-two-cards"] td.now button').count()).toBe(0);
    expect(await axeViolations(page)).toEqual([]);
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await hasHorizontalScroll(page)).toBe(false);
    await screenshot(page, 'sandbox-cards-phone');
    await page.close();
    expect(problems).toEqual([]);
  });
});
