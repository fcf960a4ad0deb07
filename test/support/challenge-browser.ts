/**
 * Driving the sandbox merchant's checkout in Chromium to reach the challenge page: the five EMV
 * window sizes, a purchase with a demo card, and the newest code in the SMS outbox.
 */
import type { Frame, Page } from 'playwright-core';
import { demoCard } from '../../src/sandbox/demo-issuer.ts';
import type { RunningServer } from './server.ts';

/** EMV challengeWindowSize: code, the sandbox's name for it, width, height (0: full screen). */
export const EMV_SIZES = [
  ['01', 'WINDOWED_250X400', 250, 400],
  ['02', 'WINDOWED_390X400', 390, 400],
  ['03', 'WINDOWED_500X600', 500, 600],
  ['04', 'WINDOWED_600X400', 600, 400],
  ['05', 'FULL_SCREEN', 0, 0],
] as const;

/** Buys with a demo card at a window size and returns the challenge frame once its page is there. */
export async function buyInSandbox(
  page: Page,
  server: RunningServer,
  o: { key: string; windowSize: string; amount?: string; currency?: string; challengeInd?: string },
): Promise<Frame> {
  await page.goto(`${server.baseUrl}/sandbox`);
  await page.selectOption('#card', demoCard(o.key).pan);
  await page.fill('#amount', o.amount ?? '45000');
  if (o.currency) await page.selectOption('#currency', o.currency);
  await page.selectOption('#challengeInd', o.challengeInd ?? '01');
  await page.selectOption('#windowSize', o.windowSize);
  await page.click('#buy');
  const iframe = await page.waitForSelector('#challenge-frame iframe[data-sized]', { timeout: 20_000 });
  const frame = (await iframe.contentFrame())!;
  await frame.waitForSelector('main#challenge', { timeout: 20_000 });
  return frame;
}

/** The code of the newest SMS in the sandbox outbox. */
export async function newestOtp(server: RunningServer): Promise<string> {
  const sms = (await (await fetch(`${server.baseUrl}/sandbox/sms`, { headers: { accept: 'application/json' } })).json()) as { otpCode: string }[];
  return sms[0].otpCode;
}
