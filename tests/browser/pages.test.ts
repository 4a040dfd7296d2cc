/**
 * (a) Every page renders in headless Chromium without page errors or console errors (see
 * BENIGN_CONSOLE in support/browser.ts for the documented exceptions).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openPage, screenshotPath, type TestBrowser } from './support/browser';

let tb: TestBrowser;
beforeAll(async () => {
  tb = await launchBrowser();
});
afterAll(async () => {
  await tb?.close();
});

// [path, selector that exists once the page has done its loading work, screenshot name]
const PAGES: [string, string, string][] = [
  ['/', 'a.button.primary[href="/scan"]', 'home'],
  ['/scan', '[data-xr-state="unsupported"], [data-xr-state="ready"]', 'scan'],
  ['/view?max-splats=20000', '[data-testid="view"][data-state="ready"]', 'view'],
  ['/demo?max-splats=20000', '[data-testid="demo"][data-state="ready"]', 'demo-page'],
  ['/diagnostics', '[data-testid="support"]', 'diagnostics'],
];

describe('pages render without errors', () => {
  for (const [path, ready, name] of PAGES) {
    it(path, async () => {
      const { page, log } = await openPage(tb, path);
      await page.waitForSelector(ready, { timeout: 60_000 });
      // Let a few frames render (WebGL, Spark sort) so render-loop errors surface too.
      await page.waitForTimeout(1500);
      await page.screenshot({ path: screenshotPath(name) });
      expect(await page.locator('header.top nav a').count()).toBe(4);
      await page.close();
      expect(log.errors).toEqual([]);
    });
  }

  it('shows Scan, View and Demo buttons on the home page', async () => {
    const { page, log } = await openPage(tb, '/');
    const labels = await page.locator('.actions a').allInnerTexts();
    expect(labels.map((s) => s.trim())).toEqual(['Scan', 'View', 'Demo']);
    await page.close();
    expect(log.errors).toEqual([]);
  });

  it('rejects a capture URL on another host with a visible error', async () => {
    const { page, log } = await openPage(tb, '/demo?capture=https://example.com/x/');
    await page.waitForSelector('[data-testid="demo"][data-state="error"]', { timeout: 30_000 });
    expect(await page.locator('p.error[role="alert"]').innerText()).toMatch(/must be a path on this site/);
    await page.close();
    expect(log.errors).toEqual([]);
  });
});
