/**
 * The app channel's HTML UI (acsUiType 05) as an SDK's web view shows it: the acsHTML of a real
 * CRes (the app in-process, played by the test SDK) loaded into Chromium at 250 px and on a phone,
 * with JavaScript off as a web view may have it. axe-core finds nothing, targets are 44 px, nothing
 * scrolls sideways; submitting navigates to HTTPS://EMV3DS/challenge, whose query string (as the
 * SDK passes it on in challengeHTMLDataEntry) completes the challenge.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxDsRoot } from '../../src/app-channel/signing.ts';
import { demoCard } from '../../src/sandbox/demo-issuer.ts';
import { TestSdk } from '../support/app-sdk.ts';
import { axeViolations, hasHorizontalScroll, launchBrowser, smallTargets } from '../support/browser.ts';
import { latestOtp } from '../support/challenge.ts';
import { createTestApp } from '../support/test-app.ts';

let browser: Browser;
let t: Awaited<ReturnType<typeof createTestApp>>;
beforeAll(async () => {
  [browser, t] = await Promise.all([launchBrowser(), createTestApp({ seed: true })]);
  // The first signing chain loads @peculiar/x509: outside the AReq's budget.
  await sandboxDsRoot(t.deps);
});
afterAll(async () => {
  await browser?.close();
  t?.close();
});

/** Loads an acsHTML page; resolves the query string of the EMV3DS location it navigates to on submit. */
async function show(html: string, viewport: { width: number; height: number }, javaScriptEnabled: boolean) {
  const context = await browser.newContext({ viewport, javaScriptEnabled, locale: 'ja-JP' });
  const page = await context.newPage();
  let navigated: (query: string) => void = () => {};
  const submitted = new Promise<string>((resolve) => (navigated = resolve));
  // The SDK intercepts this location and never loads it.
  await page.route(/^https:\/\/emv3ds\//i, (route) => {
    navigated(new URL(route.request().url()).search.slice(1));
    return route.abort();
  });
  // Any other request would be one the SDK blocks: the page must make none.
  const requests: string[] = [];
  page.on('request', (r) => {
    if (!/^https:\/\/emv3ds\//i.test(r.url()) && !r.url().startsWith('data:')) requests.push(r.url());
  });
  await page.setContent(html);
  return { page, submitted, requests, close: () => context.close() };
}

async function checkPage(page: Page) {
  expect(await hasHorizontalScroll(page)).toBe(false);
  expect(await smallTargets(page)).toEqual([]);
}

describe('the HTML UI (05)', () => {
  it('is usable at 250 px and on a phone, without JavaScript, and its submit completes the challenge', async () => {
    const sdk = new TestSdk(t.app, { pan: demoCard('jcb-otp').pan, purchaseAmount: '98000', merchantName: 'まもりストア', db: t.deps.db, sdkInterface: '02', sdkUiType: ['05'] });
    await sdk.start();
    const first = await sdk.send({});
    if (first.kind !== 'CRes') throw new Error(JSON.stringify(first));
    const html = Buffer.from(first.cres.acsHTML, 'base64url').toString('utf8');

    // A wrong code first, so the page with its error beside the field is checked too.
    const otp = await latestOtp(t, sdk.ares!.acsTransID);
    const wrong = await sdk.send({ challengeHTMLDataEntry: `secret=${otp === '000000' ? '111111' : '000000'}&action=submit` });
    if (wrong.kind !== 'CRes') throw new Error(JSON.stringify(wrong));
    const wrongHtml = Buffer.from(wrong.cres.acsHTML, 'base64url').toString('utf8');

    for (const viewport of [{ width: 250, height: 500 }, { width: 390, height: 844 }]) {
      const shown = await show(wrongHtml, viewport, true);
      await checkPage(shown.page);
      expect(await axeViolations(shown.page)).toEqual([]);
      expect(await shown.page.getAttribute('#secret', 'aria-describedby')).toContain('secret-error');
      expect(await shown.page.textContent('#secret-error')).toContain('正しくありません');
      await shown.close();
    }

    // Without JavaScript the form still works: the typed code goes out as the SDK reads it.
    const shown = await show(html, { width: 250, height: 500 }, false);
    await checkPage(shown.page);
    await shown.page.fill('#secret', otp);
    await shown.page.click('button[value="submit"]');
    const query = await shown.submitted;
    expect(query).toBe(`secret=${otp}&action=submit`);
    expect(shown.requests).toEqual([]);
    await shown.close();

    const done = await sdk.send({ challengeHTMLDataEntry: query });
    expect(done.kind === 'CRes' && done.cres).toMatchObject({ challengeCompletionInd: 'Y', transStatus: 'Y' });
  });
});
