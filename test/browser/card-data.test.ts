/**
 * Card data in Chromium against the real Node server: the demo administrator chooses a Shift_JIS
 * card file (made here with iconv-lite, kanji names) on the console's upload form, follows the
 * progress bar that htmx polls until it reaches 100 %, and reads the counts; the live region is
 * one element for the whole run (htmx only changes its text) and says the import ended. Every
 * page is axe-clean, and usable on a phone without sideways scrolling.
 */
import iconv from 'iconv-lite';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoPan } from '../../src/sandbox/demo-issuer.ts';
import { axeViolations, hasHorizontalScroll, launchBrowser, screenshot } from '../support/browser.ts';
import { demoStaff, signInToConsole, type DemoLogin } from '../support/console-browser.ts';
import { startServer, type RunningServer } from '../support/server.ts';

let server: RunningServer;
let browser: Browser;
let admin: DemoLogin;

/** Enough rows for several batches and some seconds, so the page is still polling when it opens. */
const ROWS = 20_000;
const FAMILY = ['髙橋', '渡邊', '山﨑', '佐藤', '鈴木', '齋藤'];
const GIVEN = ['太郎', '花子', '健一', 'さくら', '美咲'];

function shiftJisFile(): Buffer {
  const lines = ['顧客番号,氏名,カード番号,有効期限,状態'];
  for (let i = 0; i < ROWS; i++) {
    lines.push(`B-${String(i).padStart(6, '0')},${FAMILY[i % FAMILY.length]} ${GIVEN[i % GIVEN.length]},${demoPan('jcb', 10_000 + i)},3012,active`);
  }
  return iconv.encode(`${lines.join('\r\n')}\r\n`, 'cp932');
}

const signIn = (page: Page) => signInToConsole(page, server.baseUrl, admin);

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  admin = (await demoStaff(server.baseUrl))['demo-admin'];
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('card data in Chromium', () => {
  it('loads a Shift_JIS file from the upload form and follows the progress bar to 100 % and the counts', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page);
    await page.getByRole('navigation', { name: '管理メニュー' }).getByRole('link', { name: 'カードデータ' }).click();
    await page.getByRole('heading', { level: 1, name: 'カードデータ' }).waitFor();
    expect(await axeViolations(page)).toEqual([]);

    await page.getByLabel('CSVファイル', { exact: true }).setInputFiles({ name: '会員一覧.csv', mimeType: 'text/csv', buffer: shiftJisFile() });
    await page.getByLabel('文字コード').selectOption('shift_jis');
    await page.getByRole('button', { name: '取り込む' }).click();
    await page.waitForURL(/\/admin\/card-data\/imports\/\d+$/);
    await page.getByRole('heading', { level: 1, name: /会員一覧\.csv/ }).waitFor();
    expect(await axeViolations(page)).toEqual([]);

    // Opened while the import runs: the polled part asks again every second.
    expect(['queued', 'running']).toContain(await page.locator('#import-status').getAttribute('data-state'));
    expect(await page.locator('#import-status').getAttribute('hx-trigger')).toBe('every 1s');
    await screenshot(page, 'admin-card-import-running');
    // The live region stays the same element through every swap of the polled part.
    await page.evaluate(() => ((document.getElementById('import-announce') as HTMLElement & { marked?: boolean }).marked = true));
    const bar = page.getByRole('progressbar', { name: '進み具合' });
    await page.locator('#import-status[data-state="done"]').waitFor({ timeout: 45_000 });
    expect(await bar.getAttribute('value')).toBe('100');
    expect(await page.locator('.progress-facts .percent').textContent()).toBe('100 %');
    expect(await page.locator('[data-count="inserted"]').textContent()).toBe(ROWS.toLocaleString('ja-JP'));
    expect(await page.locator('[data-count="rejected"]').textContent()).toBe('0');
    await page.getByText('取り込みが終わりました。', { exact: true }).waitFor();
    const announce = page.locator('#import-announce');
    expect(await announce.evaluate((el) => (el as HTMLElement & { marked?: boolean }).marked)).toBe(true);
    expect(await announce.textContent()).toContain(`追加${ROWS.toLocaleString('ja-JP')}件`);
    expect(await announce.getAttribute('aria-live')).toBe('polite');
    // Polling stopped: the finished part asks for nothing more.
    expect(await page.locator('#import-status').getAttribute('hx-trigger')).toBeNull();
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'admin-card-import-done');

    // The overview lists it; on a phone nothing scrolls sideways.
    await page.getByRole('link', { name: '← カードデータへ戻る' }).click();
    await page.getByRole('cell', { name: '会員一覧.csv' }).waitFor();
    await page.setViewportSize({ width: 390, height: 800 });
    expect(await hasHorizontalScroll(page)).toBe(false);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'admin-card-data-phone');
    await context.close();
  }, 90_000);

  it('shows a dry run’s rejected rows with their line numbers, in English too', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page);
    await page.goto(`${server.baseUrl}/admin/card-data?lang=en`);
    const text = ['customer_number,name,pan,expiry', `D-1,山田 太郎,${demoPan('jcb', 90_001)},3012`, `D-2,佐藤 花子,1234,3012`].join('\n');
    await page.getByLabel('CSV file', { exact: true }).setInputFiles({ name: 'dry.csv', mimeType: 'text/csv', buffer: Buffer.from(text, 'utf8') });
    await page.getByLabel('Dry run (changes nothing)').check();
    await page.getByRole('button', { name: 'Load' }).click();
    await page.locator('#import-status[data-state="done"]').waitFor({ timeout: 30_000 });
    await page.getByText('The dry run is done. Nothing was changed.', { exact: false }).waitFor();
    const rejected = page.getByRole('table').filter({ has: page.getByRole('columnheader', { name: 'Reason' }) });
    expect(await rejected.locator('tbody tr td.num').allTextContents()).toEqual(['3']);
    await page.getByRole('link', { name: 'Download the error report (CSV)' }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'admin-card-dry-run-en');
    await context.close();
  }, 60_000);
});
