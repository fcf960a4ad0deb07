/**
 * The password reset as a cardholder meets it: the mailed link opened on a phone (390×844) in
 * Chromium, a wrong code, a resend too soon, then the right code and a new password; axe-core
 * checks every state. The link is started as the helpdesk would, against the server's database.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { desc, eq } from 'drizzle-orm';
import { systemClock } from '../../src/clock.ts';
import { mailOutbox, members, smsOutbox } from '../../src/db/schema.ts';
import { verifyPassword } from '../../src/members/password.ts';
import { startPasswordReset } from '../../src/portal/password-reset.ts';
import { axeViolations, hasHorizontalScroll, launchBrowser, screenshot } from '../support/browser.ts';
import { startServer, type RunningServer } from '../support/server.ts';
import { createTestApp } from '../support/test-app.ts';

/** Chrome reports every 4xx answer, such as the page for a wrong code (400), a spent link (404) or a resend too soon (429). */
const EXPECTED_CONSOLE = /Failed to load resource: the server responded with a status of 4(00|04|29)/;

let browser: Browser;
let server: RunningServer;
let db: Awaited<ReturnType<typeof createTestApp>>;
let context: BrowserContext;
let page: Page;
const problems: string[] = [];

beforeAll(async () => {
  [browser, server] = await Promise.all([launchBrowser(), startServer()]);
  // The same database file as the server, with the real clock: the reset starts as the helpdesk's action would start it.
  db = await createTestApp({ databaseFile: server.databaseFile, env: { PUBLIC_URL: server.baseUrl }, overrides: { clock: systemClock } });
  context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'ja-JP', isMobile: true, hasTouch: true });
  page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error' && !EXPECTED_CONSOLE.test(m.text())) problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
}, 90_000);
afterAll(async () => {
  await context?.close();
  db?.close();
  await Promise.all([browser?.close(), server?.stop()]);
});

/** Every button, link-button and input on the page is at least 44 px tall and wide. */
async function smallTargets(): Promise<string[]> {
  return page.$$eval('main button, main a.button, main input:not([type=hidden])', (els) =>
    els
      .map((el) => ({ el, r: el.getBoundingClientRect() }))
      .filter(({ r }) => r.height < 44 || r.width < 44)
      .map(({ el, r }) => `${el.outerHTML.slice(0, 60)} ${r.width}x${r.height}`),
  );
}

describe('password reset on a phone', () => {
  it('opens the mailed link, refuses a wrong code beside its field, announces the resend, and sets the new password', async () => {
    const member = (await db.deps.db.select().from(members).where(eq(members.loginId, 'demo-jcb')).get())!;
    await db.client.execute({ sql: 'UPDATE members SET email = ? WHERE id = ?', args: ['demo-jcb@example.jp', member.id] });
    expect(await startPasswordReset(db.deps, { memberId: member.id, requestedBy: { type: 'staff', name: 'browser-test' } })).toEqual({ ok: true });
    const mail = (await db.deps.db.select().from(mailOutbox).orderBy(desc(mailOutbox.id)).get())!;
    const link = new RegExp(`${server.baseUrl}/portal/password-reset/[\\w-]{43}`).exec(mail.body)![0];

    expect((await page.goto(link))?.status()).toBe(200);
    await expect.poll(() => page.evaluate(() => typeof (window as { htmx?: unknown }).htmx)).toBe('object');
    expect(await page.textContent('h1')).toContain('パスワードの再設定');
    expect(await page.textContent('main')).toContain('090-****-0001');
    expect(await page.textContent('header')).toContain('まもり銀行カード');
    expect(await hasHorizontalScroll(page)).toBe(false);
    expect(await smallTargets()).toEqual([]);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'password-reset-phone');
    const code = (await db.deps.db.select().from(smsOutbox).orderBy(desc(smsOutbox.id)).get())!.otpCode!;

    // A wrong code: the message beside the field, tied to it, and read out by the live region.
    await page.fill('#code', code === '000000' ? '111111' : '000000');
    await page.fill('#password', 'hinoki-no-mori-7');
    await page.fill('#confirmation', 'hinoki-no-mori-7');
    await page.click('main button[type=submit] >> nth=0');
    await page.waitForSelector('#code-error');
    expect(await page.getAttribute('#code', 'aria-describedby')).toContain('code-error');
    expect(await page.getAttribute('#code', 'aria-invalid')).toBe('true');
    expect(await page.textContent('#code-error')).toContain('確認コードが正しくありません');
    expect(await page.textContent('#announce')).toContain('確認コードが正しくありません');
    expect(await axeViolations(page)).toEqual([]);

    // A resend inside the cooldown: said on the page and in the live region.
    await page.click('form[action$="/resend"] button');
    await page.waitForSelector('#send-status');
    expect(await page.textContent('#send-status')).toContain('秒後から');
    expect(await page.textContent('#announce')).toContain('秒後から');
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'password-reset-phone-resend');

    // The right code and the new password twice.
    await page.fill('#code', code);
    await page.fill('#password', 'hinoki-no-mori-7');
    await page.fill('#confirmation', 'hinoki-no-mori-7');
    await page.click('main button[type=submit] >> nth=0');
    await page.waitForSelector('text=パスワードを変更しました');
    expect(await page.textContent('#announce')).toContain('パスワードを変更しました');
    expect(await smallTargets()).toEqual([]);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'password-reset-phone-done');
    const hash = (await db.deps.db.select().from(members).where(eq(members.id, member.id)).get())!.passwordHash;
    expect(await verifyPassword('hinoki-no-mori-7', hash)).toBe(true);

    // The link is spent.
    expect((await page.goto(link))?.status()).toBe(404);
    expect(await page.textContent('h1')).toContain('このリンクは使えません');
    expect(await axeViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
  }, 60_000);
});
