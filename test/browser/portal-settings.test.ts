/**
 * The member's settings pages as a cardholder meets them on a phone (390×844) in Chromium: the
 * personal message (a refused one beside its field, then their own), the data-sharing switch, the
 * e-mail change with the code read from the sandbox's mail outbox, the password change, and the
 * notice mail's "not me" link reaching the helpdesk queue; axe-core checks every state. Then the
 * message page once more without JavaScript. The member is signed in by a session made in the
 * server's database (the sign-in page is another part's).
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { openSession } from '../../src/admin/sessions.ts';
import { systemClock } from '../../src/clock.ts';
import { memberReports, members } from '../../src/db/schema.ts';
import { verifyPassword } from '../../src/members/password.ts';
import { axeViolations, hasHorizontalScroll, launchBrowser, screenshot, smallTargets } from '../support/browser.ts';
import { startServer, type RunningServer } from '../support/server.ts';
import { createTestApp } from '../support/test-app.ts';

/** Chrome reports every 4xx answer, such as a refused form (400) or a resend too soon (429). */
const EXPECTED_CONSOLE = /Failed to load resource: the server responded with a status of 4(00|29)/;
const PHONE = { viewport: { width: 390, height: 844 }, locale: 'ja-JP', isMobile: true, hasTouch: true };

let browser: Browser;
let server: RunningServer;
let db: Awaited<ReturnType<typeof createTestApp>>;
const contexts: BrowserContext[] = [];
const problems: string[] = [];

beforeAll(async () => {
  [browser, server] = await Promise.all([launchBrowser(), startServer()]);
  // The server's database file, with the real clock: sessions are made as the sign-in page would make them.
  db = await createTestApp({ databaseFile: server.databaseFile, env: { PUBLIC_URL: server.baseUrl }, overrides: { clock: systemClock } });
}, 90_000);
afterAll(async () => {
  for (const c of contexts) await c.close();
  db?.close();
  await Promise.all([browser?.close(), server?.stop()]);
});

/** A phone's browser signed in as the member (the `__Host-` cookie the sign-in would set). */
async function signedInPage(loginId: string, o: { javaScript?: boolean } = {}): Promise<{ page: Page; memberId: number }> {
  const member = (await db.deps.db.select().from(members).where(eq(members.loginId, loginId)).get())!;
  const { token } = await openSession(db.deps.db, 'member', member.id, Date.now());
  const context = await browser.newContext({ ...PHONE, javaScriptEnabled: o.javaScript ?? true });
  contexts.push(context);
  // Host and path rather than a URL: CDP refuses a Secure cookie for an http:// URL, though Chromium sends it to 127.0.0.1.
  await context.addCookies([{ name: '__Host-mamori-member', value: token, domain: new URL(server.baseUrl).hostname, path: '/', secure: true, httpOnly: true, sameSite: 'Lax' }]);
  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error' && !EXPECTED_CONSOLE.test(m.text())) problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  return { page, memberId: member.id };
}

/** Every button and input in main is at least 44 px tall and wide. */

async function checkPage(page: Page, name: string) {
  expect(await hasHorizontalScroll(page), name).toBe(false);
  expect(await smallTargets(page), name).toEqual([]);
  expect(await axeViolations(page), name).toEqual([]);
  await screenshot(page, name);
}

/** The newest mail to `to`, from the sandbox's outbox as a tester reads it. */
async function mailTo(to: string): Promise<{ subject: string; body: string }> {
  const list = (await (await fetch(`${server.baseUrl}/sandbox/mail`, { headers: { accept: 'application/json' } })).json()) as { recipient: string; subject: string; body: string }[];
  const mail = list.find((m) => m.recipient === to);
  if (!mail) throw new Error(`no mail to ${to}`);
  return mail;
}

const htmxReady = (page: Page) => expect.poll(() => page.evaluate(() => typeof (window as { htmx?: unknown }).htmx)).toBe('object');

describe('member settings on a phone', () => {
  it('sets the personal message, switches data sharing, changes the e-mail and the password, and reports a change', async () => {
    const jcb = await db.deps.db.select().from(members).where(eq(members.loginId, 'demo-pass')).get();
    await db.client.execute({ sql: 'UPDATE members SET email = ?, personal_message_provisional = 1 WHERE id = ?', args: ['demo-pass@example.jp', jcb!.id] });
    const { page, memberId } = await signedInPage('demo-pass');

    // The personal message: the provisional one is marked; a URL is refused beside the field.
    expect((await page.goto(`${server.baseUrl}/portal/message`))?.status()).toBe(200);
    await htmxReady(page);
    expect(await page.textContent('h1')).toContain('パーソナルメッセージ');
    expect(await page.textContent('#provisional-note')).toContain('カード会社が設定した仮のメッセージ');
    await checkPage(page, 'portal-message');
    await page.getByLabel('新しいメッセージ（40文字以内）').fill('www.example.jp');
    await page.click('main button[type=submit]');
    await page.waitForSelector('#message-error');
    expect(await page.getAttribute('#message', 'aria-describedby')).toContain('message-error');
    expect(await page.getAttribute('#message', 'aria-invalid')).toBe('true');
    expect(await page.textContent('#message-error')).toContain('URL');
    expect(await page.textContent('#announce')).toContain('URL');
    await checkPage(page, 'portal-message-error');
    await page.getByLabel('新しいメッセージ（40文字以内）').fill('夕焼けと白い猫');
    await page.click('main button[type=submit]');
    await page.waitForSelector('#settings-notice');
    expect(await page.textContent('#current-message')).toContain('夕焼けと白い猫');
    expect(await page.textContent('#announce')).toContain('保存しました');
    expect(await page.$('#provisional-note')).toBeNull();
    await checkPage(page, 'portal-message-saved');

    // Data sharing: what is shared, then stopped.
    await page.goto(`${server.baseUrl}/portal/data-sharing`);
    expect(await page.textContent('#sharing-state')).toContain('提供しています');
    await checkPage(page, 'portal-data-sharing');
    await page.getByRole('button', { name: '情報の提供を停止する' }).click();
    await page.waitForSelector('text=情報の提供を停止しました');
    expect(await page.textContent('#sharing-state')).toContain('停止しています');
    expect(await page.textContent('#announce')).toContain('停止しました');
    await checkPage(page, 'portal-data-sharing-stopped');

    // The e-mail address: a wrong password beside its field, then the code from the mail outbox.
    await page.goto(`${server.baseUrl}/portal/email`);
    await checkPage(page, 'portal-email');
    await page.getByLabel('現在のパスワード').fill('not-my-password');
    await page.getByLabel('新しいメールアドレス').fill('yuuyake@example.jp');
    await page.click('main button[type=submit]');
    await page.waitForSelector('#current-error');
    expect(await page.textContent('#current-error')).toContain('現在のパスワードが正しくありません');
    expect(await page.inputValue('#email')).toBe('yuuyake@example.jp');
    await checkPage(page, 'portal-email-error');
    await page.getByLabel('現在のパスワード').fill('Mamori-2026');
    await page.click('main button[type=submit]');
    await page.waitForSelector('#code');
    expect(await page.textContent('#announce')).toContain('y***@example.jp に確認コードをお送りしました');
    await checkPage(page, 'portal-email-code');
    const code = /確認コード: (\d{6})/.exec((await mailTo('yuuyake@example.jp')).body)![1];
    await page.getByLabel('確認コード（6桁）').fill(code);
    await page.getByRole('button', { name: '変更を完了する' }).click();
    await page.waitForSelector('text=メールアドレスを yuuyake@example.jp に変更しました');
    expect(await page.textContent('#current-address')).toBe('yuuyake@example.jp');
    await checkPage(page, 'portal-email-done');
    expect((await mailTo('demo-pass@example.jp')).subject).toContain('メールアドレスが変更されました');

    // The password.
    await page.goto(`${server.baseUrl}/portal/password`);
    await checkPage(page, 'portal-password');
    await page.getByLabel('現在のパスワード').fill('Mamori-2026');
    await page.getByLabel('新しいパスワード', { exact: true }).fill('hinoki-no-mori-7');
    await page.getByLabel('新しいパスワード（確認）').fill('hinoki-no-mori-8');
    await page.click('main button[type=submit]');
    await page.waitForSelector('#confirmation-error');
    expect(await page.textContent('#confirmation-error')).toContain('1回目と同じ');
    await checkPage(page, 'portal-password-error');
    await page.getByLabel('現在のパスワード').fill('Mamori-2026');
    await page.getByLabel('新しいパスワード', { exact: true }).fill('hinoki-no-mori-7');
    await page.getByLabel('新しいパスワード（確認）').fill('hinoki-no-mori-7');
    await page.click('main button[type=submit]');
    await page.waitForSelector('text=パスワードを変更しました');
    await checkPage(page, 'portal-password-done');
    expect(await verifyPassword('hinoki-no-mori-7', (await db.deps.db.select().from(members).where(eq(members.id, memberId)).get())!.passwordHash)).toBe(true);
    // The rotated session still works in this browser.
    expect((await page.goto(`${server.baseUrl}/portal/message`))?.status()).toBe(200);
    expect(page.url()).toBe(`${server.baseUrl}/portal/message`);

    // The notice (to the new address now) and its "not me" link, opened on the phone.
    const notice = await mailTo('yuuyake@example.jp');
    expect(notice.subject).toContain('パスワードが変更されました');
    const link = new RegExp(`${server.baseUrl}/portal/report/[\\w.-]+`).exec(notice.body)![0];
    await page.goto(link);
    expect(await page.textContent('#what-changed')).toContain('本人認証パスワードが変更されました');
    await checkPage(page, 'portal-report');
    await page.getByRole('button', { name: '心当たりがないことを知らせる' }).click();
    await page.waitForSelector('text=お知らせを受け付けました');
    await checkPage(page, 'portal-report-done');
    expect(await db.deps.db.select().from(memberReports).where(eq(memberReports.memberId, memberId))).toMatchObject([{ kind: 'account_change', change: 'password', state: 'open' }]);
    expect(problems).toEqual([]);
  }, 120_000);

  it('works without JavaScript: the form posts and the whole page answers, the error beside the field', async () => {
    const { page } = await signedInPage('demo-jcb', { javaScript: false });
    expect((await page.goto(`${server.baseUrl}/portal/message?lang=en`))?.status()).toBe(200);
    expect(await page.textContent('h1')).toBe('Personal message');
    await page.getByLabel('New message (up to 40 characters)').fill('demo-jcb');
    await page.click('main button[type=submit]');
    await page.waitForSelector('#message-error');
    expect(await page.textContent('#message-error')).toBe('Do not use your member ID.');
    expect(await page.getAttribute('#message', 'aria-describedby')).toContain('message-error');
    await page.getByLabel('New message (up to 40 characters)').fill('Red kite over the river');
    await page.click('main button[type=submit]');
    await page.waitForSelector('#settings-notice');
    expect(await page.textContent('#current-message')).toContain('Red kite over the river');
    // (axe-core needs the page's JavaScript: the same pages were checked with it above.)
    await screenshot(page, 'portal-message-no-js');
    expect(problems).toEqual([]);
  }, 60_000);
});
