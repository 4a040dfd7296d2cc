/**
 * (d) /demo loads the bundled sample capture (public/samples/living_room), lists every frame of
 * capture.json with a thumbnail, and renders its Gaussians in a non-blank 3D canvas.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { BASE_URL, launchBrowser, openPage, screenshotPath, shootElement, type TestBrowser } from './support/browser';
import { meanAbsDiff, pixelStats } from './support/pixels';

let tb: TestBrowser;
beforeAll(async () => {
  tb = await launchBrowser();
});
afterAll(async () => {
  await tb?.close();
});

it('shows the sample capture frames and renders its splats', async () => {
  const capture = (await (await fetch(`${BASE_URL}/samples/living_room/capture.json`)).json()) as { frames: { id: string }[] };
  expect(capture.frames.length).toBeGreaterThan(0);
  const { page, log } = await openPage(tb, '/demo?max-splats=20000');
  await page.waitForSelector('[data-testid="demo"][data-state="ready"]', { timeout: 90_000 });

  expect(await page.locator('[data-testid="frame-thumb"]').count()).toBe(capture.frames.length);
  expect(await page.locator('[data-testid="frame-count"]').innerText()).toBe(`${capture.frames.length} frames`);
  const ids = await page.locator('[data-testid="frame-thumb"] span').allInnerTexts();
  expect(ids).toEqual(capture.frames.map((f) => f.id));
  const splats = Number(await page.locator('[data-testid="scene-canvas"]').getAttribute('data-splats'));
  expect(splats).toBeGreaterThan(1000);
  expect(splats).toBeLessThanOrEqual(20000);

  // Thumbnails are real pictures, not empty canvases.
  const thumb = pixelStats(await shootElement(page, '[data-testid="frame-thumb"] canvas'));
  expect(thumb.variance).toBeGreaterThan(50);

  // Spark draws nothing until its first sort arrives from its worker: poll the canvas.
  const canvas = '[data-testid="scene-canvas"] canvas';
  let before = await shootElement(page, canvas);
  let stats = pixelStats(before);
  for (let i = 0; i < 20 && !(stats.distinctColours > 300 && stats.nonBackground > 0.3); i++) {
    await page.waitForTimeout(500);
    before = await shootElement(page, canvas);
    stats = pixelStats(before);
  }
  await page.screenshot({ path: screenshotPath('demo') });
  expect(stats.distinctColours).toBeGreaterThan(300);
  expect(stats.nonBackground).toBeGreaterThan(0.3);

  // Selecting another frame shows its details and moves the camera (the picture changes).
  const last = capture.frames.length - 1;
  await page.locator('[data-testid="frame-thumb"]').nth(last).click();
  await page.waitForFunction((id) => document.querySelector('[data-testid="frame-details"]')?.textContent?.includes(id), capture.frames[last].id);
  await page.waitForTimeout(1500);
  const after = await shootElement(page, canvas);
  await page.screenshot({ path: screenshotPath('demo-last-frame') });
  expect(pixelStats(after).distinctColours).toBeGreaterThan(300);
  expect(meanAbsDiff(before, after)).toBeGreaterThan(5);
  await page.close();
  expect(log.errors).toEqual([]);
});
