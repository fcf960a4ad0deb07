/**
 * Four eyes in Chromium against the real Node server: the demo helpdesk changes a cardholder's OTP
 * phone (a test SMS to the new number, the code the caller reads back), which files a request;
 * the demo administrator, in a second browser context, approves it with a fresh TOTP; the phone
 * is changed and the old number told; both see the outcome. Every page axe-clean, on a phone-sized
 * window for the helpdesk.
 */
import { createClient } from '@libsql/client';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, hasHorizontalScroll, launchBrowser, screenshot } from '../support/browser.ts';
import { demoStaff, freshTotp, newSignedInPage, type DemoLogin } from '../support/console-browser.ts';
import { startServer, type RunningServer } from '../support/server.ts';

let server: RunningServer;
let browser: Browser;
let demo: Record<string, DemoLogin>;

function signInAs(context: BrowserContext, who: string): Promise<Page> {
  return newSignedInPage(context, server.baseUrl, demo[who]);
}

async function query(sql: string, args: (string | number)[] = []) {
  const c = createClient({ url: `file:${server.databaseFile}` });
  try {
    return (await c.execute({ sql, args })).rows;
  } finally {
    c.close();
  }
}

async function smsTo(recipient: string): Promise<{ body: string; otpCode: string | null }[]> {
  const rows = (await (await fetch(`${server.baseUrl}/sandbox/sms`, { headers: { accept: 'application/json' } })).json()) as { recipient: string; body: string; otpCode: string | null }[];
  return rows.filter((r) => r.recipient === recipient);
}

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  demo = await demoStaff(server.baseUrl);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('helpdesk actions in Chromium', () => {
  it('a phone change filed by the helpdesk waits, the administrator approves it in another session, and the cardholder is told', async () => {
    const [member] = await query("SELECT id FROM members WHERE login_id = 'demo-jcb'");
    const memberId = Number(member.id);

    const helpdeskContext = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const helpdesk = await signInAs(helpdeskContext, 'demo-helpdesk');
    await helpdesk.goto(`${server.baseUrl}/admin/actions/change_phone/member-${memberId}`);
    await helpdesk.getByRole('heading', { name: '認証用電話番号の変更' }).waitFor();
    expect(await axeViolations(helpdesk)).toEqual([]);
    expect(await hasHorizontalScroll(helpdesk)).toBe(false);

    // A wrong number is answered beside the field.
    await helpdesk.getByLabel('新しい認証用電話番号').fill('12-34');
    await helpdesk.getByRole('button', { name: 'テストSMSを送る' }).click();
    await helpdesk.locator('#phone-error').waitFor();
    expect(await helpdesk.getByLabel('新しい認証用電話番号').getAttribute('aria-describedby')).toContain('phone-error');
    expect(await axeViolations(helpdesk)).toEqual([]);

    await helpdesk.getByLabel('新しい認証用電話番号').fill('080-4444-5555');
    await helpdesk.getByRole('button', { name: 'テストSMSを送る' }).click();
    await helpdesk.getByText('080-****-5555 に確認コードを送りました').waitFor();
    const [test] = await smsTo('+818044445555');
    expect(test.otpCode).toMatch(/^\d{6}$/);
    await helpdesk.getByLabel('お客様が読み上げたコード（6桁）').fill(test.otpCode!);
    await helpdesk.getByLabel('理由（監査ログに記録されます）').fill('機種変更のため。生年月日と住所で本人確認済み');
    expect(await axeViolations(helpdesk)).toEqual([]);
    await screenshot(helpdesk, 'helpdesk-change-phone');
    await helpdesk.getByRole('button', { name: '承認を申請する' }).click();
    await helpdesk.getByText('承認を申請しました').waitFor();
    expect(await helpdesk.locator('.facts').textContent()).toContain('承認待ち');
    expect(await axeViolations(helpdesk)).toEqual([]);
    const requestUrl = new URL(helpdesk.url()).pathname;
    expect((await query('SELECT phone FROM members WHERE id = ?', [memberId]))[0].phone).toBe('+819011110001');

    // The administrator, in another browser, finds it in the queue and approves it.
    const adminContext = await browser.newContext();
    const admin = await signInAs(adminContext, 'demo-admin');
    await admin.getByRole('navigation', { name: '管理メニュー' }).getByRole('link', { name: '承認待ち' }).click();
    await admin.getByRole('heading', { name: '承認待ちの申請' }).waitFor();
    expect(await admin.locator('main').textContent()).toContain('080-****-5555');
    expect(await axeViolations(admin)).toEqual([]);
    await screenshot(admin, 'helpdesk-requests-queue');
    await admin.locator(`a[href="${requestUrl}"]`).click();
    await admin.getByLabel('判断のメモ（任意、監査ログに記録）').fill('申請内容を確認');
    await admin.getByLabel('確認コード').fill(await freshTotp(server.baseUrl, demo['demo-admin'].totpSecret));
    expect(await axeViolations(admin)).toEqual([]);
    await admin.getByRole('button', { name: '承認して実行する' }).click();
    await admin.getByText('承認し、実行しました。').waitFor();
    expect(await admin.locator('table.change').textContent()).toContain('080-****-5555');
    expect(await axeViolations(admin)).toEqual([]);
    await screenshot(admin, 'helpdesk-request-approved');

    expect((await query('SELECT phone, phone_status FROM members WHERE id = ?', [memberId]))[0]).toMatchObject({ phone: '+818044445555', phone_status: 'verified' });
    const [notice] = await smsTo('+819011110001');
    expect(notice.body).toContain('認証用電話番号が変更されました');

    // The requester sees the outcome too.
    await helpdesk.reload();
    expect(await helpdesk.locator('.facts').textContent()).toContain('承認済み');
    expect(await axeViolations(helpdesk)).toEqual([]);
    await helpdeskContext.close();
    await adminContext.close();
  }, 120_000);
});
