/**
 * The 3DS Method in Chromium, as a merchant's checkout runs it: a merchant site on its own origin
 * (node:http on 127.0.0.1, addressed as localhost so the ACS is a third party to it) opens a hidden
 * iframe that posts threeDSMethodData to the running appliance, and the ACS page notifies the
 * merchant's threeDSMethodNotificationURL. Driven once by the merchant library globalpayments-3ds
 * and once by a hand-written page with the 2.3.1 iframe sandbox.
 */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { createClient } from '@libsql/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { decodeJsonBase64Url, encodeJsonBase64Url } from '../../src/protocol/base64url.ts';
import { launchBrowser } from '../support/browser.ts';

const baseUrl = inject('baseUrl');
const databaseFile = inject('databaseFile');
/** Generous: the 3DS Server gives up after 5-10 s, but the test only asks that the notification arrives. */
const NOTIFICATION_WAIT_MS = 20_000;
const GP3DS = readFileSync(createRequire(import.meta.url).resolve('globalpayments-3ds/dist/globalpayments-3ds.js'), 'utf8');

interface Notification {
  contentType: string | undefined;
  threeDSMethodData: string;
}

/** The merchant's web site: checkout pages, its 3DS Server endpoint and its notification URL. */
function merchantSite() {
  const notifications: Notification[] = [];
  const waiting: ((n: Notification) => void)[] = [];
  let origin = '';

  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', origin);
    const html = (body: string) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html><html><head><link rel="icon" href="data:,"></head><body>${body}</body></html>`);
    if (req.method === 'GET' && url.pathname === '/gp3ds.js') return void res.writeHead(200, { 'content-type': 'text/javascript' }).end(GP3DS);
    if (req.method === 'GET' && url.pathname === '/checkout-library') return html(libraryCheckout(url.searchParams.get('id')!));
    if (req.method === 'GET' && url.pathname === '/checkout-sandboxed') return html(sandboxedCheckout(url.searchParams.get('id')!, origin));
    if (req.method === 'POST' && url.pathname === '/check3dsVersion') {
      // The merchant's 3DS Server: the card range has a method URL, so the browser runs the method.
      const { id } = JSON.parse(await readBody(req)) as { id: string };
      const methodData = encodeJsonBase64Url({ threeDSServerTransID: id, threeDSMethodNotificationURL: `${origin}/notify` });
      return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ enrolled: true, serverTransactionId: id, methodUrl: `${baseUrl}/3ds/method`, methodData }));
    }
    if (req.method === 'POST' && url.pathname === '/notify') {
      const form = new URLSearchParams(await readBody(req));
      const notification = { contentType: req.headers['content-type'], threeDSMethodData: form.get('threeDSMethodData') ?? '' };
      notifications.push(notification);
      waiting.splice(0).forEach((resolve) => resolve(notification));
      // As a merchant back end answers it: hand the decoded data to the library in the parent page.
      const decoded = decodeJsonBase64Url(notification.threeDSMethodData);
      return html(`<script src="/gp3ds.js"></script><script>GlobalPayments.ThreeDSecure.handleMethodNotification(${JSON.stringify(decoded.ok ? decoded.value : null)});</script>`);
    }
    res.writeHead(404).end();
  });

  return {
    notifications,
    get origin() {
      return origin;
    },
    async listen() {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      origin = `http://localhost:${(server.address() as AddressInfo).port}`;
    },
    /** The next notification, or a clear failure after a generous wait. */
    nextNotification(): Promise<Notification> {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no method notification within ${NOTIFICATION_WAIT_MS} ms`)), NOTIFICATION_WAIT_MS);
        waiting.push((n) => {
          clearTimeout(timer);
          resolve(n);
        });
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** checkVersion() of globalpayments-3ds posts the method in a hidden iframe and waits for the notification. */
function libraryCheckout(id: string) {
  return `<h1>Checkout</h1><script src="/gp3ds.js"></script><script>
    GlobalPayments.ThreeDSecure.checkVersion('/check3dsVersion', { id: ${JSON.stringify(id)}, methodWindow: { hide: true, timeout: ${NOTIFICATION_WAIT_MS} } })
      .then(function (r) { window.methodResult = { ok: true, serverTransactionId: r.serverTransactionId }; },
            function (e) { window.methodResult = { ok: false, reasons: e.reasons }; });
  </script>`;
}

/** A page written by hand: the iframe as 2.3.1 Table A.23 has the requestor set it up. */
function sandboxedCheckout(id: string, origin: string) {
  return `<h1>Checkout</h1>
    <iframe name="method" sandbox="allow-forms allow-scripts allow-same-origin" style="visibility:hidden;position:absolute;width:0;height:0;border:0"></iframe>
    <form id="m" method="post" action="${baseUrl}/3ds/method" target="method">
      <input type="hidden" name="threeDSMethodData" value="${encodeJsonBase64Url({ threeDSServerTransID: id, threeDSMethodNotificationURL: `${origin}/notify` })}">
    </form>
    <script>document.getElementById('m').submit();</script>`;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

let browser: Browser;
const merchant = merchantSite();
beforeAll(async () => {
  await merchant.listen();
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await merchant.close();
});

/** What the running ACS keeps of a method run (null until it has stored something). */
async function storedMethodData(threeDSServerTransID: string): Promise<Record<string, unknown> | null> {
  const db = createClient({ url: `file:${databaseFile}` });
  try {
    const { rows } = await db.execute({ sql: 'select data from method_data where three_ds_server_trans_id = ?', args: [threeDSServerTransID] });
    return rows.length ? JSON.parse(String(rows[0].data)) : null;
  } finally {
    db.close();
  }
}

/** A phone in Japan, with every console error, page error and CSP violation of every frame collected. */
async function phonePage(): Promise<{ page: Page; problems: string[] }> {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, screen: { width: 390, height: 844 }, timezoneId: 'Asia/Tokyo', locale: 'ja-JP' });
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`));
  });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`${msg.location().url}: ${msg.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('requestfailed', (req) => {
    // The method page posts its notification after 2.5 s at the latest, even if collect is still
    // under way on a loaded machine: the page sees collect aborted, while the browser, keepalive,
    // still delivers it (the test reads what the ACS stored).
    if (req.url().endsWith('/3ds/method/collect') && req.failure()?.errorText === 'net::ERR_ABORTED') return;
    problems.push(`failed: ${req.url()} ${req.failure()?.errorText}`);
  });
  return { page, problems };
}

describe('3DS Method in Chromium', () => {
  it.each([
    ['globalpayments-3ds', '/checkout-library'],
    ['a hand-written page with the 2.3.1 iframe sandbox', '/checkout-sandboxed'],
  ])('driven by %s: the merchant is notified, the browser properties are collected, no errors', async (_, path) => {
    const { page, problems } = await phonePage();
    const id = crypto.randomUUID();
    const notified = merchant.nextNotification();
    const methodPage = page.waitForResponse((res) => res.url() === `${baseUrl}/3ds/method`);
    await page.goto(`${merchant.origin}${path}?id=${id}`);

    const served = await methodPage;
    expect(served.status()).toBe(200);
    expect(served.headers()['x-frame-options']).toBeUndefined();

    const notification = await notified;
    expect(notification.contentType).toBe('application/x-www-form-urlencoded');
    // threeDSMethodData comes back as the merchant sent it, naming the transaction (Req 264).
    const decoded = decodeJsonBase64Url(notification.threeDSMethodData);
    expect(decoded.ok && (decoded.value as { threeDSServerTransID: string }).threeDSServerTransID).toBe(id);

    // What the ACS stored: what the request told it, and what the page's script reported.
    await expect.poll(() => storedMethodData(id), { timeout: NOTIFICATION_WAIT_MS }).toHaveProperty('timeZone');
    const seen = (await storedMethodData(id))!;
    expect(seen.userAgent).toMatch(/Chrom/);
    // The ACS frame is cross-site, so Chromium runs it out of process, where the emulated screen
    // size does not reach: any real size will do. The time zone and language do reach it.
    expect(seen).toMatchObject({ timeZone: 'Asia/Tokyo', timeZoneOffset: -540, language: 'ja-JP' });
    for (const key of ['screenWidth', 'screenHeight', 'colorDepth']) expect(seen[key]).toBeGreaterThan(0);

    if (path === '/checkout-library') {
      await page.waitForFunction(() => (window as { methodResult?: unknown }).methodResult, null, { timeout: NOTIFICATION_WAIT_MS });
      expect(await page.evaluate(() => (window as { methodResult?: unknown }).methodResult)).toEqual({ ok: true, serverTransactionId: id });
    }
    expect(problems).toEqual([]);
    await page.context().close();
  });
});
