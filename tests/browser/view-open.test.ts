/** /view opens a Gaussian scene file the user picks (.ply here) and renders it. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { GaussianScene } from '../../lib/splat/gaussian-scene';
import { writePly } from '../../lib/splat/ply';
import { launchBrowser, openPage, screenshotPath, shootElement, type TestBrowser } from './support/browser';
import { pixelStats } from './support/pixels';

let tb: TestBrowser;
beforeAll(async () => {
  tb = await launchBrowser();
});
afterAll(async () => {
  await tb?.close();
});

/** A 1 m x 1 m upright sheet of 80 x 80 splats with a hue gradient, at z = -1, y = 1. */
function rainbowSheet(): Uint8Array {
  const n = 80;
  const s = new GaussianScene();
  s.allocate(n * n);
  for (let v = 0; v < n; v++)
    for (let u = 0; u < n; u++) {
      const i = v * n + u;
      s.positions.set([u / n - 0.5, 1.5 - v / n, -1], 3 * i);
      s.scales.set([0.008, 0.008, 0.001], 3 * i);
      s.opacities[i] = 0.95;
      s.colors.set([u / n, v / n, 1 - u / n], 3 * i);
    }
  return writePly(s);
}

it('opens a .ply and renders it', async () => {
  const { page, log } = await openPage(tb, '/view?capture=/samples/missing/');
  // The default bundle is absent here: the page says so, and a file can still be opened.
  await page.waitForSelector('[data-testid="view"][data-state="error"]', { timeout: 30_000 });
  await page.setInputFiles('[data-testid="open-file"]', { name: 'sheet.ply', mimeType: 'application/octet-stream', buffer: Buffer.from(rainbowSheet()) });
  await page.waitForSelector('[data-testid="view"][data-state="ready"]', { timeout: 30_000 });
  expect(await page.locator('[data-testid="scene-summary"]').innerText()).toMatch(/sheet\.ply: 0 frames, 6,400 Gaussians/);
  const canvas = '[data-testid="scene-canvas"] canvas';
  let stats = pixelStats(await shootElement(page, canvas));
  for (let i = 0; i < 20 && stats.distinctColours < 200; i++) {
    await page.waitForTimeout(500);
    stats = pixelStats(await shootElement(page, canvas));
  }
  await page.screenshot({ path: screenshotPath('view-open-ply') });
  expect(stats.distinctColours).toBeGreaterThan(200);
  await page.close();
  // The missing default bundle is the only expected failure (404 of capture.json).
  expect(log.errors.filter((e) => !/samples\/missing\/capture\.json|status of 404/.test(e))).toEqual([]);
});
