/**
 * The staff console in Chromium against the real Node server (its own database, demo data and
 * the sandbox's movable clock): enrolment from the CLI's link to the home page, a recovery code,
 * lockout and unlock, idle expiry, CSRF refusal, and the role matrix with cross-issuer ids.
 * TOTP codes are computed from the secret shown, at the server's time, which each sign-in moves
 * on by one 30-second step (POST /sandbox/clock), so no code is ever used twice.
 */
import { spawnSync } from 'node:child_process';
import { createClient } from '@libsql/client';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, launchBrowser, screenshot } from '../support/browser.ts';
import { demoStaff, freshTotp, newSignedInPage, signInToConsole, type DemoLogin } from '../support/console-browser.ts';
import { startServer, type RunningServer } from '../support/server.ts';

const PASSWORD = 'a long phrase nobody guesses';
let server: RunningServer;
let browser: Browser;
let admin: { secret: string; recoveryCodes: string[] };
let demo: Record<'platform' | 'admin' | 'helpdesk' | 'auditor' | 'kita', DemoLogin>;

const freshCode = (secret: string) => freshTotp(server.baseUrl, secret);

async function advance(seconds: number): Promise<void> {
  await fetch(`${server.baseUrl}/sandbox/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ advanceSeconds: seconds }) });
}

/** Any username, password and code, right or wrong: the caller checks the outcome. */
async function signIn(page: Page, username: string, password: string, code: string): Promise<void> {
  await page.goto(`${server.baseUrl}/admin/sign-in`);
  await page.getByLabel('ユーザー名').fill(username);
  await page.getByLabel('パスワード').fill(password);
  await page.getByLabel('確認コード').fill(code);
  await page.getByRole('button', { name: 'サインイン' }).click();
  await page.waitForLoadState('load');
}

async function signInAs(context: BrowserContext, who: keyof typeof demo): Promise<Page> {
  const page = await newSignedInPage(context, server.baseUrl, demo[who]);
  expect(new URL(page.url()).pathname).toBe('/admin');
  return page;
}

async function staffId(username: string): Promise<number> {
  const c = createClient({ url: `file:${server.databaseFile}` });
  try {
    const r = await c.execute({ sql: 'SELECT id FROM staff WHERE username = ?', args: [username] });
    return Number(r.rows[0].id);
  } finally {
    c.close();
  }
}

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  const staff = await demoStaff(server.baseUrl);
  demo = { platform: staff['demo-platform'], admin: staff['demo-admin'], helpdesk: staff['demo-helpdesk'], auditor: staff['demo-auditor'], kita: staff['kita-admin'] };
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('the staff console in Chromium', () => {
  it('enrols from the CLI’s link to a signed-in home page, with a __Host- cookie and no axe violation', async () => {
    const cli = spawnSync(process.execPath, ['--import', 'tsx', 'src/admin/staff-cli.ts', 'add', '--username', 'first-admin', '--role', 'administrator', '--name', '最初の管理者'], {
      env: { ...process.env, NODE_ENV: 'development', DATABASE_URL: `file:${server.databaseFile}`, PUBLIC_URL: server.baseUrl },
      encoding: 'utf8',
    });
    expect(cli.status).toBe(0);
    const link = cli.stdout.trim().split('\n')[1];
    expect(link.startsWith(`${server.baseUrl}/admin/enrol/`)).toBe(true);

    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(link);
    expect(await axeViolations(page)).toEqual([]);
    await page.getByLabel('新しいパスワード').fill(PASSWORD);
    await page.getByLabel('もう一度入力').fill(PASSWORD);
    await page.getByRole('button', { name: '次へ' }).click();
    await page.getByRole('img', { name: '認証アプリに読み取らせるQRコード' }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'admin-enrol-totp');
    const secret = (await page.locator('#totp-secret').getAttribute('data-secret'))!;
    await page.getByLabel('アプリに表示された6桁のコード').fill(await freshCode(secret));
    await page.getByRole('button', { name: '確認する' }).click();
    await page.locator('#recovery-codes').waitFor();
    const recoveryCodes = await page.locator('#recovery-codes code').allTextContents();
    expect(recoveryCodes).toHaveLength(10);
    expect(await axeViolations(page)).toEqual([]);

    const [cookie] = (await context.cookies()).filter((c) => c.name === '__Host-mamori-staff');
    expect(cookie).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Strict', path: '/' });

    await page.getByRole('link', { name: '保存しました。ホームへ' }).click();
    await page.getByRole('heading', { name: '最初の管理者 さん、ようこそ' }).waitFor();
    expect(await page.locator('.facts').textContent()).toContain('プラットフォーム管理者');
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'admin-home');

    // The English switch keeps the page and remembers the choice.
    await page.getByRole('link', { name: 'English' }).click();
    await page.getByRole('heading', { name: 'Welcome, 最初の管理者' }).waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole('link', { name: '日本語' }).click();
    await page.getByRole('button', { name: 'サインアウト' }).click();
    await page.getByText('サインアウトしました。').waitFor();
    await context.close();
    admin = { secret, recoveryCodes };
  }, 120_000);

  it('signs in with a recovery code, which then works no more', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, 'first-admin', PASSWORD, admin.recoveryCodes[0]);
    expect(new URL(page.url()).pathname).toBe('/admin');
    expect(await page.locator('.facts').textContent()).toContain('残りの回復コード9');
    await page.getByRole('button', { name: 'サインアウト' }).click();
    await signIn(page, 'first-admin', PASSWORD, admin.recoveryCodes[0]);
    await page.getByRole('alert').getByText('サインインできませんでした').waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await context.close();
  }, 60_000);

  it('locks a staff member after five failures, even with the right code, until an administrator unlocks them', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const d = demo.helpdesk;
    for (let i = 0; i < 5; i++) {
      await signIn(page, d.username, 'wrong password, again', await freshCode(d.totpSecret));
      await page.getByRole('alert').waitFor();
    }
    await signIn(page, d.username, d.password, await freshCode(d.totpSecret));
    await page.getByRole('alert').getByText('サインインできませんでした').waitFor();

    const adminContext = await browser.newContext();
    const adminPage = await adminContext.newPage();
    await signIn(adminPage, 'first-admin', PASSWORD, await freshCode(admin.secret));
    await adminPage.goto(`${server.baseUrl}/admin/staff`);
    await adminPage.getByRole('link', { name: 'demo-helpdesk' }).click();
    await adminPage.getByText('ロック中').first().waitFor();
    expect(await axeViolations(adminPage)).toEqual([]);
    const unlock = adminPage.locator('form[action$="/unlock"]');
    await unlock.getByLabel('確認コード').fill(await freshCode(admin.secret));
    await unlock.getByRole('button', { name: 'ロックを解除' }).click();
    await adminPage.getByRole('status').getByText('ロックを解除しました。').waitFor();
    await adminContext.close();

    await signIn(page, d.username, d.password, await freshCode(d.totpSecret));
    expect(new URL(page.url()).pathname).toBe('/admin');
    await context.close();
  }, 120_000);

  it('signs a person out after 15 idle minutes (the movable clock), back to the page they wanted', async () => {
    const context = await browser.newContext();
    const page = await signInAs(context, 'auditor');
    await page.goto(`${server.baseUrl}/admin/audit`);
    await page.getByRole('heading', { name: '監査ログ', level: 1 }).waitFor();
    await advance(14 * 60);
    await page.reload();
    await page.getByRole('heading', { name: '監査ログ', level: 1 }).waitFor();
    await advance(15 * 60);
    await page.reload();
    await page.getByText('一定時間操作がなかったため、サインアウトしました。').waitFor();
    expect(new URL(page.url()).pathname).toBe('/admin/sign-in');
    await signInToConsole(page, server.baseUrl, demo.auditor, { formOpen: true, next: '/admin/audit' });
    await context.close();
  }, 60_000);

  it('refuses a form posted from another site and a request without the session’s token', async () => {
    const context = await browser.newContext();
    const page = await signInAs(context, 'platform');
    const target = await staffId('demo-auditor');
    // An attacker's page on another origin that posts to the console as soon as it loads.
    await context.route('http://attacker.test/**', (route) =>
      route.fulfill({
        contentType: 'text/html',
        body: `<!doctype html><html lang="en"><title>prize</title><form id="f" method="post" action="${server.baseUrl}/admin/staff/${target}/disable"><input name="code" value="123456"></form><script>document.getElementById('f').submit()</script></html>`,
      }),
    );
    const attack = await context.newPage();
    const answered = attack.waitForResponse((r) => r.url().endsWith(`/admin/staff/${target}/disable`));
    await attack.goto('http://attacker.test/prize');
    expect((await answered).status()).toBe(403);
    await attack.getByText('操作を受け付けられませんでした').waitFor();

    // Same origin, but without the form token (a script, say): refused too.
    const status = await page.evaluate(async (url) => (await fetch(url, { method: 'POST', body: new URLSearchParams({ code: '123456' }) })).status, `/admin/staff/${target}/disable`);
    expect(status).toBe(403);
    await page.goto(`${server.baseUrl}/admin/staff/${target}`);
    expect(await page.locator('.facts').textContent()).toContain('利用中');
    await context.close();
  }, 60_000);

  it('shows each role only what the role table allows, and another issuer’s ids answer 404', async () => {
    const helpdeskId = await staffId('demo-helpdesk');
    const kitaId = await staffId('kita-admin');
    const platformId = await staffId('demo-platform');
    const routes: [string, Record<keyof typeof demo, number>][] = [
      ['/admin', { platform: 200, admin: 200, helpdesk: 200, auditor: 200, kita: 200 }],
      ['/admin/staff', { platform: 200, admin: 200, helpdesk: 403, auditor: 200, kita: 200 }],
      ['/admin/staff/new', { platform: 200, admin: 200, helpdesk: 403, auditor: 403, kita: 200 }],
      [`/admin/staff/${helpdeskId}`, { platform: 200, admin: 200, helpdesk: 403, auditor: 200, kita: 404 }],
      [`/admin/staff/${kitaId}`, { platform: 200, admin: 404, helpdesk: 403, auditor: 404, kita: 200 }],
      [`/admin/staff/${platformId}`, { platform: 200, admin: 404, helpdesk: 403, auditor: 404, kita: 404 }],
      ['/admin/audit', { platform: 200, admin: 200, helpdesk: 403, auditor: 200, kita: 200 }],
      ['/admin/issuers', { platform: 200, admin: 403, helpdesk: 403, auditor: 403, kita: 403 }],
      ['/admin/issuers/new', { platform: 200, admin: 403, helpdesk: 403, auditor: 403, kita: 403 }],
      ['/admin/issuers/default', { platform: 200, admin: 200, helpdesk: 403, auditor: 200, kita: 404 }],
      ['/admin/issuers/kita', { platform: 200, admin: 404, helpdesk: 403, auditor: 404, kita: 200 }],
      ['/admin/cardholders', { platform: 200, admin: 200, helpdesk: 200, auditor: 200, kita: 200 }],
      ['/admin/requests', { platform: 200, admin: 200, helpdesk: 200, auditor: 403, kita: 200 }],
      ['/admin/reports', { platform: 200, admin: 200, helpdesk: 200, auditor: 200, kita: 200 }],
      ['/admin/risk/provider', { platform: 200, admin: 200, helpdesk: 200, auditor: 200, kita: 200 }],
      ['/admin/risk', { platform: 200, admin: 200, helpdesk: 200, auditor: 200, kita: 200 }],
      ['/admin/risk/draft/json', { platform: 200, admin: 200, helpdesk: 403, auditor: 403, kita: 200 }],
      ['/admin/transactions', { platform: 200, admin: 200, helpdesk: 200, auditor: 200, kita: 200 }],
      ['/admin/dashboard', { platform: 200, admin: 200, helpdesk: 200, auditor: 200, kita: 200 }],
      ['/admin/card-data', { platform: 200, admin: 200, helpdesk: 403, auditor: 200, kita: 200 }],
      ['/admin/bin-ranges', { platform: 200, admin: 200, helpdesk: 403, auditor: 403, kita: 200 }],
      ['/admin/api-keys', { platform: 200, admin: 200, helpdesk: 403, auditor: 403, kita: 200 }],
    ];
    for (const who of Object.keys(demo) as (keyof typeof demo)[]) {
      const context = await browser.newContext();
      const page = await signInAs(context, who);
      const menu = await page.getByRole('navigation', { name: '管理メニュー' }).count();
      // Every role has more than its home page now (the helpdesk: look-up, approvals, trail, dashboard).
      expect(menu, `${who} has a menu`).toBe(1);
      for (const [path, expected] of routes) {
        const res = await page.goto(`${server.baseUrl}${path}`);
        expect.soft(res!.status(), `${who} ${path}`).toBe(expected[who]);
        // Every page the platform administrator reaches, and every refusal, passes axe.
        if (who === 'platform' || res!.status() !== 200) expect(await axeViolations(page), `${who} ${path}`).toEqual([]);
      }
      if (who === 'platform') {
        await page.goto(`${server.baseUrl}/admin/issuers/kita`);
        await screenshot(page, 'admin-issuer-settings');
      }
      await context.close();
    }
  }, 240_000);
});
