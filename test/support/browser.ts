/**
 * Debian's Chromium, driven by playwright-core (nothing downloads a browser).
 * The flags keep it from reaching for Google's services on a closed network.
 */
import { execSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { chromium, type Browser, type Frame, type Page } from 'playwright-core';

export function chromiumPath(): string {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  try {
    return execSync('command -v chromium || command -v chromium-browser', { shell: '/bin/sh' }).toString().trim();
  } catch {
    throw new Error('Chromium not found: apt-get install -y chromium (or set CHROMIUM_PATH)');
  }
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}

/** Screenshots land under test-output/screenshots/ for people to look at. */
export async function screenshot(page: Page, name: string, fullPage = true): Promise<string> {
  const path = `test-output/screenshots/${name}.png`;
  mkdirSync(dirname(path), { recursive: true });
  await page.screenshot({ path, fullPage });
  return path;
}

/** No horizontal scrolling: the page fits its viewport (or iframe). */
export async function hasHorizontalScroll(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth + 1);
}

/** What axe-core (the real engine, from node_modules) finds wrong in a page or frame: one line per violation. */
export async function axeViolations(target: Page | Frame): Promise<string[]> {
  const ready = await target.evaluate(() => typeof (window as { axe?: unknown }).axe === 'object');
  // evaluate() runs outside the page's CSP, which would refuse a script tag.
  if (!ready) await target.evaluate(readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8'));
  const results = await target.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, o: object): Promise<{ violations: { id: string; help: string; nodes: { target: unknown[] }[] }[] }> } }).axe;
    return axe.run(document, { resultTypes: ['violations'] });
  });
  return results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

/** WCAG contrast ratio of two CSS rgb()/rgba() colours (as getComputedStyle gives them). */
export function contrastRatio(a: string, b: string): number {
  const lum = (css: string) => {
    const [r, g, bl] = (css.match(/[\d.]+/g) ?? []).slice(0, 3).map((v) => {
      const c = Number(v) / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

/** Whether the element is wholly inside the window (frame) as it is scrolled now: seen without scrolling. */
export function inView(target: Page | Frame, selector: string): Promise<boolean> {
  return target.$eval(selector, (el) => {
    const r = el.getBoundingClientRect();
    return r.height > 0 && r.top >= -0.5 && r.left >= -0.5 && r.bottom <= window.innerHeight + 0.5 && r.right <= window.innerWidth + 0.5;
  });
}

/** The portal's and console's tappable things, checked for the 44-px target size. */
export const TARGETS = 'main button, main a.button, main input:not([type=hidden])';

/** Every element of `selector` smaller than 44 × 44 CSS pixels, described (empty when all are big enough). */
export function smallTargets(page: Page, selector = TARGETS): Promise<string[]> {
  return page.$$eval(selector, (els) =>
    els
      .map((el) => ({ el, r: el.getBoundingClientRect() }))
      .filter(({ r }) => r.height < 44 || r.width < 44)
      .map(({ el, r }) => `${el.outerHTML.slice(0, 60)} ${r.width}x${r.height}`),
  );
}
