import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { ensureWebBuild } from '../../scripts/build-web.js';

/** Debian's Chromium (apt-get install chromium); `.ci/run` installs it when missing. */
export const CHROMIUM = '/usr/bin/chromium';
export const SCREENSHOTS = path.resolve('test-results/screenshots');
export const DESKTOP = { width: 1280, height: 900 };
export const PHONE = { width: 360, height: 780 };
const AXE = fs.readFileSync(path.resolve('node_modules/axe-core/axe.min.js'), 'utf8');

export interface E2E {
  browser: Browser;
  /** A fresh browser profile (no stored session) on `baseUrl`, French unless told otherwise. */
  context(baseUrl: string, opts?: { locale?: 'fr' | 'en' }): Promise<BrowserContext>;
  /** A page that fails the test on any uncaught script error. */
  page(context: BrowserContext): Promise<Page & { errors: string[] }>;
  close(): Promise<void>;
}

/** Builds the web app if needed (once, under a lock shared by concurrent test files), then launches Chromium. */
export async function startBrowser(): Promise<E2E> {
  await ensureWebBuild();
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  return {
    browser,
    async context(baseUrl, opts = {}) {
      const context = await browser.newContext({
        baseURL: baseUrl,
        viewport: DESKTOP,
        locale: 'fr-FR',
        timezoneId: 'Europe/Paris',
      });
      if (opts.locale === 'en') await context.addInitScript(() => localStorage.setItem('atelier.locale', 'en'));
      context.setDefaultTimeout(10_000);
      return context;
    },
    async page(context) {
      const page = (await context.newPage()) as Page & { errors: string[] };
      page.errors = [];
      page.on('pageerror', (err) => page.errors.push(err.message));
      return page;
    },
    close: () => browser.close(),
  };
}

interface AxeResult {
  violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[];
}

/** Runs axe-core on the page; fails on any serious or critical violation. */
export async function assertAccessible(page: Page, screen: string): Promise<void> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: AXE });
  const result = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, opts: object): Promise<unknown> } }).axe;
    return axe.run(document, { resultTypes: ['violations'] });
  });
  const bad = (result as AxeResult).violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(
    bad.map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`),
    [],
    `accessibility violations on ${screen}`,
  );
}

/**
 * Checks a screen at desktop then phone width: no serious/critical axe violation, no horizontal
 * scrolling on the phone, and a full-page screenshot of each into test-results/screenshots/.
 */
export async function checkScreen(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const before = page.viewportSize() ?? DESKTOP;
  for (const [label, size] of [
    ['desktop', DESKTOP],
    ['phone', PHONE],
  ] as const) {
    await page.setViewportSize(size);
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    await assertAccessible(page, `${name} (${label})`);
    if (label === 'phone') {
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 0, `${name} scrolls sideways by ${overflow}px at 360px`);
    }
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-${label}.png`), fullPage: true });
  }
  await page.setViewportSize(before);
}
