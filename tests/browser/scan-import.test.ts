/**
 * /scan's importer with the captures people have: the fox (transforms.json) picked as loose files
 * with no folders, only 3 of its images among them, and a few redkitchen frames (7-Scenes RGB-D
 * layout) picked as a folder. Both must reconstruct, say what was skipped, and stop the clock.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openPage, type TestBrowser } from './support/browser';

const SHARED = fileURLToPath(new URL('../../../shared/data/', import.meta.url));
let tb: TestBrowser;
beforeAll(async () => {
  tb = await launchBrowser();
});
afterAll(async () => {
  await tb?.close();
});

const status = (page: Page) => page.locator('[data-testid="scan-import-status"]').innerText();

/** Gaussians on screen and every imported keyframe reconstructed, then the Elapsed clock must stand still. */
async function expectDoneAndClockStopped(page: Page, frames: number) {
  await page.waitForFunction(
    (n) => {
      const panel = document.querySelector('[data-testid="scan-panel"]');
      const row = [...document.querySelectorAll('.scan-stats tr')].find((tr) => tr.firstElementChild?.textContent === 'Reconstructed');
      const m = /^(\d+) \((\d+) queued\)$/.exec(row?.lastElementChild?.textContent ?? '');
      return Number(panel?.getAttribute('data-gaussians')) > 0 && !!m && Number(m[2]) === 0 && Number(m[1]) >= n;
    },
    frames,
    { timeout: 150_000 },
  );
  const a = await page.locator('[data-testid="scan-elapsed"]').innerText();
  await page.waitForTimeout(2200);
  expect(await page.locator('[data-testid="scan-elapsed"]').innerText()).toBe(a);
}

describe('/scan import of real captures', () => {
  it('imports the fox picked as loose files (no folders): images matched by name, missing ones reported', { timeout: 200_000 }, async () => {
    const fox = join(SHARED, 'fox');
    const { page, log } = await openPage(tb, '/scan');
    await page.waitForSelector('[data-testid="scan"][data-scan-ready="yes"]', { timeout: 60_000 });
    await page.setInputFiles('[data-testid="scan-import-files"]', [join(fox, 'transforms.json'), ...['0001', '0002', '0003'].map((n) => join(fox, 'images', `${n}.jpg`))]);
    await page.waitForFunction(() => /imported|failed/.test(document.querySelector('[data-testid="scan-import-status"]')?.textContent ?? ''), undefined, { timeout: 60_000 });
    expect(await status(page)).toMatch(/^3 frames imported from transforms\.json .*, 64 skipped \(\d+: image file images\/\d+\.jpg is missing; .* and 61 more\)/);
    expect(await page.locator('[data-testid="scan-keyframes"]').innerText()).toBe('3');
    await expectDoneAndClockStopped(page, 3);
    await page.close();
    expect(log.errors).toEqual([]);
  });

  it('imports redkitchen frames picked as a folder (7-Scenes layout) with their device depth', { timeout: 200_000 }, async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'scan-import-rk-')), 'redkitchen');
    mkdirSync(dir);
    for (const n of readdirSync(join(SHARED, 'redkitchen')))
      if (/^frame-00015[0-2]\./.test(n) || n === 'camera-intrinsics.txt') copyFileSync(join(SHARED, 'redkitchen', n), join(dir, n));
    const { page, log } = await openPage(tb, '/scan');
    await page.waitForSelector('[data-testid="scan"][data-scan-ready="yes"]', { timeout: 60_000 });
    await page.setInputFiles('[data-testid="scan-import-folder"]', dir);
    await page.waitForFunction(() => /imported|failed/.test(document.querySelector('[data-testid="scan-import-status"]')?.textContent ?? ''), undefined, { timeout: 60_000 });
    expect(await status(page)).toMatch(/^3 frames imported from 7-Scenes \/ 3DMatch RGB-D folder "redkitchen"\./);
    await expectDoneAndClockStopped(page, 3);
    expect(await page.locator('[data-testid="scan-depth-sources"]').innerText()).toMatch(/device ×3/);
    await page.close();
    expect(log.errors).toEqual([]);
  });
});
