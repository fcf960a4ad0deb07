/**
 * What the portal's browser tests do as a tester does it, with only the pages and the sandbox's
 * JSON (no database): read a demo card off /sandbox/cards, read a code from the mail or SMS
 * outbox, and register a card in the portal from its first page to its done page.
 *
 * @example
 *   const sandbox = sandboxReader(server.baseUrl)
 *   const card = await sandbox.readCard(page, 'jcb-unregistered')
 *   await registerInPortal(page, card, (p) => p.getByLabel('生年月日').fill(card.proof), account, (name) => checkPage(page, name), 'jcb')
 */
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

export interface SandboxCard {
  pan: string;
  expiry: string;
  status: string;
  proofKind: string;
  proof: string;
  portal: string;
}

export interface PortalAccount {
  loginId: string;
  password: string;
  email: string;
}

export function sandboxReader(baseUrl: string) {
  const json = async <T>(path: string) => (await (await fetch(`${baseUrl}${path}`, { headers: { accept: 'application/json' } })).json()) as T;

  /** The first code an outbox entry yields, polled until it is there. */
  async function pollCode(find: () => Promise<string | undefined>): Promise<string> {
    let code: string | undefined;
    await expect
      .poll(async () => {
        code = await find();
        return code;
      }, { timeout: 10_000 })
      .toBeDefined();
    return code!;
  }

  return {
    /** What the sandbox cards page says about a card, read off the page as a tester reads it. */
    async readCard(page: Page, key: string): Promise<SandboxCard> {
      await page.goto(`${baseUrl}/sandbox/cards`);
      const row = page.locator(`tr[data-key="${key}"]`);
      return {
        pan: (await row.locator('td.pan code').textContent())!.trim(),
        expiry: (await row.locator('td[data-label^="有効期限"]').textContent())!.trim(),
        status: (await row.locator('.reg-status').textContent())!,
        proofKind: (await row.locator('.proof').getAttribute('data-proof'))!,
        proof: (await row.locator('.proof code').textContent())!.trim(),
        portal: (await row.locator('a.portal-link').getAttribute('href'))!,
      };
    },

    /** What the cards JSON says of a card now (the tester's check that the sandbox sees the registration). */
    async cardJson(key: string): Promise<Record<string, any>> {
      return (await json<Record<string, any>[]>('/sandbox/cards')).find((c) => c.key === key)!;
    },

    /** The code in the newest mail to `to` (the mail outbox lists newest first). */
    mailCode(to: string): Promise<string> {
      return pollCode(async () => {
        const mails = await json<{ recipient: string; body: string }[]>('/sandbox/mail');
        return /\b(\d{6})\b/.exec(mails.find((m) => m.recipient === to)?.body ?? '')?.[1];
      });
    },

    /** The newest code texted to `to` (E.164), optionally for one challenge. */
    smsCode(to: string, acsTransID?: string): Promise<string> {
      return pollCode(async () => {
        const sms = await json<{ recipient: string; body: string; otpCode: string | null; acsTransID: string | null }[]>('/sandbox/sms');
        const hit = sms.find((s) => s.recipient === to && (acsTransID === undefined || s.acsTransID === acsTransID));
        return hit ? (hit.otpCode ?? /\b(\d{6})\b/.exec(hit.body)?.[1]) : undefined;
      });
    },
  };
}

/**
 * The portal's registration from its first page (the card) to its done page: card, expiry and
 * `proof` → member ID, password and address → the mailed code. `check` runs on every page
 * (axe, layout, screenshot). Returns the account step's and the done page's text.
 */
export async function registerInPortal(
  page: Page,
  card: { pan: string; expiry: string },
  proof: (page: Page) => Promise<void>,
  account: PortalAccount,
  mailCode: (to: string) => Promise<string>,
  check: (name: string) => Promise<void>,
  name: string,
): Promise<{ accountStep: string; done: string }> {
  await page.locator('h1', { hasText: '本人認証サービスの会員登録' }).waitFor();
  await check(`${name}-card`);
  await page.getByLabel('カード番号', { exact: true }).fill(card.pan);
  await page.getByLabel('有効期限（月/年）').fill(card.expiry);
  await proof(page);
  await page.getByRole('button', { name: '次へ' }).click();

  await page.waitForURL(/\/portal\/register\/account\?/);
  await check(`${name}-account`);
  const accountStep = (await page.textContent('main'))!;
  await page.getByLabel('会員ID', { exact: true }).fill(account.loginId);
  await page.getByLabel('パスワード', { exact: true }).fill(account.password);
  await page.getByLabel('パスワード（確認）').fill(account.password);
  await page.getByLabel('メールアドレス').fill(account.email);
  await page.getByRole('button', { name: '確認コードを送信' }).click();

  await page.waitForURL(/\/portal\/register\/email\?/);
  await check(`${name}-email`);
  await page.getByLabel('確認コード（6桁）').fill(await mailCode(account.email));
  await page.getByRole('button', { name: '登録する' }).click();

  await page.waitForURL(/\/portal\/register\/done\?/);
  expect(await page.textContent('h1')).toContain('会員登録が完了しました');
  expect(await page.textContent('main')).toContain(`会員ID：${account.loginId}`);
  await check(`${name}-done`);
  return { accountStep, done: (await page.textContent('main'))! };
}
