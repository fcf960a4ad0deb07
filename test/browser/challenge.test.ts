/**
 * The challenge as a cardholder meets it: inside the sandbox merchant's checkout, which frames it
 * with the real globalpayments-3ds library, at each of the five EMV window sizes, in Chromium,
 * with axe-core checking the page. Each window size gets its own server and database, so
 * lockouts and send limits do not leak between them.
 */
import type { Browser, BrowserContext, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCard } from '../../src/sandbox/demo-issuer.ts';
import { axeViolations, contrastRatio, hasHorizontalScroll, inView, launchBrowser, screenshot } from '../support/browser.ts';
import { EMV_SIZES, buyInSandbox, newestOtp } from '../support/challenge-browser.ts';
import { startServer, type RunningServer } from '../support/server.ts';

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

describe.each(EMV_SIZES)('challenge in window size %s', (code, windowSize, width, height) => {
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

  const buy = (key: string, o: { amount?: string } = {}) => buyInSandbox(page, server, { key, windowSize, amount: o.amount });

  async function outcome(): Promise<string> {
    await page.waitForFunction(() => document.getElementById('outcome')?.getAttribute('data-trans-status'), null, { timeout: 20_000 });
    return (await page.getAttribute('#outcome', 'data-trans-status'))!;
  }

  async function enter(frame: Frame, memberId: string, secret: string) {
    await frame.fill('#memberId', memberId);
    await frame.fill('#secret', secret);
    await frame.click('#challenge button.primary');
  }

  /**
   * Does a step and waits for its answer: the swapped part (or the whole page) is a new element.
   * (The live region's text may be the same as before, e.g. two resends: it cannot tell.)
   */
  async function step(frame: Frame, act: () => Promise<unknown>) {
    await frame.evaluate(() => Object.assign(document.getElementById('challenge')!, { stale: true }));
    await act();
    await frame.waitForFunction(() => {
      const main = document.getElementById('challenge') as (HTMLElement & { stale?: boolean }) | null;
      return !!main && !main.stale && !document.querySelector('.htmx-settling, .htmx-request');
    }, null, { timeout: 20_000 });
  }

  /** The answer and the field to fix come into view after an answer (a script scrolls them there). */
  async function expectInView(frame: Frame, ...selectors: string[]) {
    for (const selector of selectors) await expect.poll(() => inView(frame, selector), { timeout: 5_000, message: selector }).toBe(true);
  }

  it('shows the code input and the submit button on the first screen, and passes axe', async () => {
    const frame = await buy('jcb-otp');
    const box = await (await page.$('#challenge-frame iframe'))!.boundingBox();
    if (width) {
      expect(Math.round(box!.width)).toBe(width);
      expect(Math.round(box!.height)).toBe(height);
    }
    // The first screen: the header, the purchase in short, then the action, without scrolling.
    expect(await frame.evaluate(() => window.scrollY)).toBe(0);
    for (const selector of ['.branding', '.purchase .amount', '#memberId', '#secret', '#challenge button.primary']) {
      expect(await inView(frame, selector), selector).toBe(true);
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
    // The code was sent: the page says where to.
    expect(await frame.textContent('.sent-to')).toContain('090-****-0001 にSMSでワンタイムパスワードを送信しました');
    // Purchase, date in Japan time, and the personal message with what to do when it is not theirs.
    expect(await frame.textContent('.purchase')).toContain('まもりストア');
    expect(await frame.textContent('.purchase')).toContain('（日本時間）');
    expect(await frame.textContent('.purchase')).not.toContain('JST');
    expect(await frame.textContent('.personal-message')).toContain('庭のさくらが咲きました');
    expect(await frame.textContent('.personal-message')).toContain('違う場合は何も入力せずに「キャンセル」を押し');
    expect(await frame.getAttribute('.personal-message a', 'href')).toBe('tel:0120000000');
    // The issuer's Japanese name is in the header as text, beside a logo that carries no other name.
    expect(await frame.textContent('.branding .issuer-name')).toBe('まもり銀行カード');
    expect(await frame.getAttribute('.branding .issuer-logo', 'alt')).toBe('');
    // 「お困りの場合」 shows it expands; its phone is a tel: link.
    expect(await frame.$eval('.help summary', (s) => getComputedStyle(s, '::before').content)).not.toMatch(/^(none|normal)$/);
    expect(await frame.getAttribute('.help a[href^="tel:"]', 'href')).toBe('tel:0120000000');
    expect(await frame.textContent('.secondary-actions')).toContain('ワンタイムパスワードを再送信');
    // The focus ring: at least 3:1 against the white page.
    await frame.focus('#memberId');
    const ring = await frame.$eval('#memberId', (e) => ({ color: getComputedStyle(e).outlineColor, width: getComputedStyle(e).outlineWidth }));
    expect(contrastRatio(ring.color, 'rgb(255, 255, 255)')).toBeGreaterThanOrEqual(3);
    expect(parseFloat(ring.width)).toBeGreaterThanOrEqual(2);
    expect(await axeViolations(frame)).toEqual([]);
    await screenshot(page, `challenge-size-${code}`, false);
    await enter(frame, 'demo-jcb', await newestOtp(server));
    expect(await outcome()).toBe('Y');
  });

  it('answers a wrong code in the one live region, tied to the fields and in view, then takes the right one', async () => {
    const frame = await buy('visa-otp');
    // The live region is one element for the whole challenge: mark it, and find the mark after each answer.
    await frame.evaluate(() => Object.assign(document.getElementById('announce')!, { survivor: 'first page' }));
    expect(await frame.getAttribute('#announce', 'role')).toBe('status');
    expect(await frame.$eval('#announce', (e) => e.closest('#challenge'))).toBeNull();

    await step(frame, () => enter(frame, 'demo-visa', '000000'));
    expect(await frame.$eval('#announce', (e) => (e as HTMLElement & { survivor?: string }).survivor)).toBe('first page');
    const first = (await frame.textContent('#announce'))!;
    expect(first).toContain('会員IDまたはワンタイムパスワードが正しくありません');
    expect(first).toContain('あと4回');
    expect(await frame.textContent('#answer')).toContain('会員IDまたはワンタイムパスワードが正しくありません');
    for (const id of ['memberId', 'secret']) {
      expect(await frame.getAttribute(`#${id}`, 'aria-invalid')).toBe('true');
      const described = (await frame.getAttribute(`#${id}`, 'aria-describedby'))!.split(' ');
      expect(described).toContain('answer');
    }
    // The message and the field are in view, and the cursor is in the code field.
    await expectInView(frame, '#answer', '#secret');
    await expect.poll(() => frame.evaluate(() => document.activeElement?.id)).toBe('secret');
    expect(await axeViolations(frame)).toEqual([]);
    await screenshot(page, `challenge-wrong-${code}`, false);

    // A second wrong code: same element, new text.
    await step(frame, () => enter(frame, 'demo-visa', '111111'));
    expect(await frame.$eval('#announce', (e) => (e as HTMLElement & { survivor?: string }).survivor)).toBe('first page');
    expect(await frame.textContent('#announce')).toContain('あと3回');

    await enter(frame, 'demo-visa', await newestOtp(server));
    expect(await outcome()).toBe('Y');
  });

  it('answers an empty entry beside each field, without counting it', async () => {
    const frame = await buy('jcb-two-cards');
    await step(frame, () => frame.click('#challenge button.primary'));
    expect(await frame.textContent('#memberId-error')).toBe('会員IDを入力してください。');
    expect(await frame.textContent('#secret-error')).toBe('ワンタイムパスワードを入力してください。');
    expect(await frame.getAttribute('#memberId', 'aria-describedby')).toBe('memberId-error');
    expect(await frame.getAttribute('#secret', 'aria-describedby')).toBe('secret-error');
    expect(await frame.getAttribute('#memberId', 'aria-invalid')).toBe('true');
    expect(await frame.textContent('#announce')).toContain('会員IDを入力してください。');
    expect(await frame.textContent('#challenge')).not.toContain('あと');
    await expectInView(frame, '#answer', '#memberId');
    await expect.poll(() => frame.evaluate(() => document.activeElement?.id)).toBe('memberId');
    // A code that is not 6 digits is answered beside the code field only.
    await frame.fill('#memberId', 'demo-two-jcb');
    await frame.fill('#secret', '12');
    await step(frame, () => frame.click('#challenge button.primary'));
    expect(await frame.$('#memberId-error')).toBeNull();
    expect(await frame.textContent('#secret-error')).toBe('ワンタイムパスワードは6桁の数字で入力してください。');
    expect(await frame.getAttribute('#memberId', 'aria-invalid')).toBeNull();
    expect(await axeViolations(frame)).toEqual([]);
    await enter(frame, 'demo-two-jcb', await newestOtp(server));
    expect(await outcome()).toBe('Y');
  });

  it('scrolls a full-page answer (no htmx) to the message and the field', async () => {
    const frame = await buy('jcb-two-cards');
    // As without JavaScript's enhancement: the form posts the whole page.
    await frame.$eval('form.entry', (f) => ['hx-post', 'hx-target', 'hx-select', 'hx-select-oob', 'hx-swap'].forEach((a) => f.removeAttribute(a)));
    await frame.evaluate(() => (window as unknown as { htmx: { process(e: Element): void } }).htmx.process(document.body));
    await frame.fill('#memberId', 'demo-two-jcb');
    await frame.fill('#secret', '000000');
    await step(frame, () => Promise.all([frame.waitForNavigation(), frame.click('#challenge button.primary')]));
    expect(await frame.evaluate(() => location.hash)).toBe('#answer');
    // (Chrome lets no cross-origin frame take the focus on a page load: the cardholder taps the field.)
    await expectInView(frame, '#answer', '#secret');
    await enter(frame, 'demo-two-jcb', await newestOtp(server));
    expect(await outcome()).toBe('Y');
  });

  it('locks the member after five wrong entries and gives the issuer phone as a link', async () => {
    const frame = await buy('mc-otp');
    // The longest scheme mark (Mastercard Identity Check) still leaves the fields on the first screen.
    for (const selector of ['#memberId', '#secret', '#challenge button.primary']) expect(await inView(frame, selector), selector).toBe(true);
    await screenshot(page, `challenge-mastercard-${code}`, false);
    for (let i = 0; i < 5; i++) {
      await step(frame, () => enter(frame, 'demo-mc', '000000'));
      if (await frame.$('.ending')) break;
    }
    await frame.waitForSelector('.ending');
    expect(await frame.textContent('main')).toContain('この会員IDは現在ご利用いただけません');
    expect(await frame.textContent('main')).toContain('入力の誤りが上限に達したため');
    expect(await frame.textContent('main')).not.toContain('規定回数');
    expect(await frame.getAttribute('main > p a[href^="tel:"]', 'href')).toBe('tel:0120000000');
    expect(await frame.textContent('#announce')).toContain('この会員IDは現在ご利用いただけません');
    expect(await axeViolations(frame)).toEqual([]);
    await screenshot(page, `challenge-locked-${code}`, false);
    await frame.click('#cres-form button');
    expect(await outcome()).toBe('N');
  });

  it('cancels', async () => {
    const frame = await buy('jcb-reissued-new');
    await frame.click('button.secondary:has-text("キャンセル")');
    expect(await outcome()).toBe('N');
  });

  it('holds resends to the cooldown and the limit', async () => {
    const frame = await buy('jcb-otp');
    const resend = () => frame.click('.secondary-actions >> text=ワンタイムパスワードを再送信');
    const clock = (seconds: number) =>
      fetch(`${server.baseUrl}/sandbox/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ advanceSeconds: seconds }) });
    await step(frame, resend);
    expect(await frame.textContent('#answer.alert')).toContain('秒後');
    for (let i = 0; i < 2; i++) {
      await clock(31);
      await step(frame, resend);
      expect(await frame.textContent('#answer.success')).toContain('再送信しました');
      expect(await frame.textContent('#announce')).toContain('再送信しました');
    }
    await clock(31);
    await step(frame, resend);
    expect(await frame.textContent('#answer')).toContain('これ以上再送信できません');
    // Codes went out in this flow: the page still says where to.
    expect(await frame.textContent('.sent-to')).toContain('090-****-0001');
    await enter(frame, 'demo-jcb', await newestOtp(server));
    expect(await outcome()).toBe('Y');
  });

  it('accepts a legacy static password', async () => {
    const frame = await buy('jcb-password');
    expect(await frame.getAttribute('#secret', 'type')).toBe('password');
    expect(await inView(frame, '#secret')).toBe(true);
    expect(await inView(frame, '#challenge button.primary')).toBe(true);
    expect(await frame.$('.sent-to')).toBeNull();
    await enter(frame, 'demo-pass', 'Mamori-2026');
    expect(await outcome()).toBe('Y');
  });

  it('guides a cardholder who has not registered to the portal and the issuer phone', async () => {
    const frame = await buy('visa-unregistered', { amount: '1000' });
    await frame.waitForSelector('.ending');
    const main = (await frame.textContent('main'))!;
    expect(main).toContain('本人認証サービスへのご登録が必要です');
    expect(main).toContain('もう一度ショップの画面からお手続きください');
    expect(main).not.toContain('あらためてお買い物ください');
    // The card's issuer's registration page (the Visa range is the second demo issuer's, which has no portal host of its own).
    const portal = (await frame.getAttribute('.ending .portal a', 'href'))!;
    expect(portal).toBe(`${server.baseUrl}/portal/register?issuer=kita`);
    expect(await frame.getAttribute('.ending .portal a', 'rel')).toBe('noopener');
    expect(await frame.getAttribute('.ending .portal a', 'target')).toBe('_blank');
    // The phone is in the main text (not only inside the collapsed help): the Visa card's issuer's,
    // the sandbox's second demo issuer (kita).
    expect(await frame.getAttribute('.ending > .call a', 'href')).toBe('tel:0120111222');
    expect(await inView(frame, '.ending .portal a')).toBe(true);
    expect(await axeViolations(frame)).toEqual([]);
    await screenshot(page, `challenge-guidance-${code}`, false);
    // The address opens that issuer's registration page in a new tab (the shop's page stays).
    const [tab] = await Promise.all([context.waitForEvent('page'), frame.click('.ending .portal a')]);
    await tab.waitForLoadState();
    expect(new URL(tab.url()).pathname).toBe('/portal/register');
    expect(await tab.textContent('header')).toContain('きたぐにカード');
    await tab.close();
    await frame.click('#cres-form button');
    expect(await outcome()).toBe('N');
  });

  it('tells a cardholder with a provisional number that it is provisional, not missing', async () => {
    const frame = await buy('jcb-provisional-phone');
    await frame.waitForSelector('.ending');
    const main = (await frame.textContent('main'))!;
    expect(main).toContain('仮登録');
    expect(main).not.toContain('登録されていません');
    expect(await frame.getAttribute('.ending .portal a', 'href')).toBe(`${server.baseUrl}/portal/phone?issuer=default`);
    expect(await frame.getAttribute('main > p a[href^="tel:"]', 'href')).toBe('tel:0120000000');
    await frame.click('#cres-form button');
    expect(await outcome()).toBe('N');
  });

  it('tells a cardholder without a number that none is registered', async () => {
    const frame = await buy('mc-no-otp');
    await frame.waitForSelector('.ending');
    expect(await frame.textContent('main')).toContain('携帯電話番号が登録されていません');
    expect(await frame.getAttribute('.ending .portal a', 'href')).toBe(`${server.baseUrl}/portal/phone?issuer=default`);
    await frame.click('#cres-form button');
    expect(await outcome()).toBe('N');
  });

  it('ends a challenge left idle for 10 minutes', async () => {
    const frame = await buy('visa-otp');
    await fetch(`${server.baseUrl}/sandbox/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ advanceSeconds: 601 }) });
    // Whether the sweep or this step ends it first, the step shows the ending.
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
      const frame = await buyInSandbox(page, server, { key: 'visa-otp', windowSize: 'WINDOWED_390X400', amount: '300', currency: '840' });
      expect(await frame.textContent('h1')).toContain('make sure');
      expect(await frame.textContent('.purchase')).toContain('$300.00');
      expect(await frame.textContent('.purchase')).toContain('(Japan time)');
      // The demo Visa cards are the second demo issuer's.
      expect(await frame.textContent('.branding .issuer-name')).toBe('Kitaguni Card');
      expect(await frame.textContent('.secondary-actions')).toContain('Resend one-time password');
      expect(await frame.textContent('.personal-message')).toContain('enter nothing, press "Cancel"');
      expect(await hasHorizontalScroll(page)).toBe(false);
      expect(await axeViolations(frame)).toEqual([]);
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

describe('challenge branding', () => {
  it('names the configured issuer in the header, in Japanese', async () => {
    const server = await startServer({ ISSUER_NAME: 'さくら信用金庫カード', ISSUER_NAME_EN: 'Sakura Card' });
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'ja-JP' });
    const page = await context.newPage();
    try {
      const frame = await buyInSandbox(page, server, { key: 'jcb-otp', windowSize: 'WINDOWED_250X400' });
      expect(await frame.textContent('.branding .issuer-name')).toBe('さくら信用金庫カード');
      expect(await frame.title()).toContain('さくら信用金庫カード');
      expect(await inView(frame, '.branding .issuer-name')).toBe(true);
      // The default logo is a mark without a name, so it cannot contradict the configured one.
      const logo = await fetch(`${server.baseUrl}${await frame.getAttribute('.branding .issuer-logo', 'src')}`).then((r) => r.text());
      expect(logo).not.toMatch(/<text/);
    } finally {
      await context.close();
      await server.stop();
    }
  });
});
