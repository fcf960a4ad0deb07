/**
 * Signing the sandbox's demo staff into the staff console in Chromium, shared by the browser
 * tests (they each had a copy). Codes are computed at the server's time, which each one moves on
 * by one 30-second TOTP step (POST /sandbox/clock), so no code is ever used twice: the console
 * refuses a step it has already accepted.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { totpCodeAt } from '../../src/admin/totp.ts';

/** A demo staff member as GET /sandbox/staff lists them (the fields a sign-in needs). */
export interface DemoLogin {
  username: string;
  password: string;
  totpSecret: string;
}

/** The sandbox's demo staff, by username. */
export async function demoStaff(baseUrl: string): Promise<Record<string, DemoLogin>> {
  const res = await fetch(`${baseUrl}/sandbox/staff`, { headers: { accept: 'application/json' } });
  const list = (await res.json()) as DemoLogin[];
  return Object.fromEntries(list.map((s) => [s.username, s]));
}

/** One TOTP step later on the server; the code an authenticator shows at that moment. */
export async function freshTotp(baseUrl: string, secret: string): Promise<string> {
  const res = await fetch(`${baseUrl}/sandbox/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ advanceSeconds: 30 }) });
  const { now } = (await res.json()) as { now: string };
  return totpCodeAt(secret, Date.parse(now));
}

/**
 * Signs in with a fresh code and waits until the console shows `next` (the home page unless
 * given; a given one is asked for with ?next=). `formOpen`: the sign-in form is already on the
 * page (say after an idle sign-out, which remembers the page wanted), so it is not opened again.
 */
export async function signInToConsole(page: Page, baseUrl: string, login: DemoLogin, o: { next?: string; formOpen?: boolean } = {}): Promise<void> {
  if (!o.formOpen) await page.goto(`${baseUrl}/admin/sign-in${o.next ? `?next=${encodeURIComponent(o.next)}` : ''}`);
  await page.getByLabel('ユーザー名').fill(login.username);
  await page.getByLabel('パスワード').fill(login.password);
  await page.getByLabel('確認コード').fill(await freshTotp(baseUrl, login.totpSecret));
  await page.getByRole('button', { name: 'サインイン' }).click();
  await page.waitForURL(`${baseUrl}${o.next ?? '/admin'}`);
}

/** A new page in the context (its viewport, locale, cookies), signed in and on the home page. */
export async function newSignedInPage(context: BrowserContext, baseUrl: string, login: DemoLogin): Promise<Page> {
  const page = await context.newPage();
  await signInToConsole(page, baseUrl, login);
  return page;
}
