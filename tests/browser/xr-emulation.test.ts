/**
 * (b) WebXR through the iwer emulator (Meta Quest 3, stereo) with the @iwer/sem living_room,
 * switched on by the test-only ?xr-emulate=quest3&room=living_room flag: /scan and /view enter an
 * immersive-ar session, and the screenshot shows the room plus our own content.
 */
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openPage, screenshotPath, type TestBrowser } from './support/browser';
import { pixelStats } from './support/pixels';
import { PNG } from 'pngjs';

let tb: TestBrowser;
beforeAll(async () => {
  tb = await launchBrowser();
});
afterAll(async () => {
  await tb?.close();
});

const FLAG = 'xr-emulate=quest3&room=living_room';

/** Fraction of pixels whose colour is clearly not gray (the SEM room renders in grays only). */
function colourfulFraction(png: Buffer, test: (r: number, g: number, b: number) => boolean): number {
  const img = PNG.sync.read(png);
  let n = 0;
  for (let i = 0; i < img.width * img.height; i++) if (test(img.data[4 * i], img.data[4 * i + 1], img.data[4 * i + 2])) n++;
  return n / (img.width * img.height);
}

async function enterAr(path: string, name: string, waitFor?: string) {
  const { page, log } = await openPage(tb, path);
  await page.waitForSelector('[data-xr-state="ready"]', { timeout: 30_000 });
  if (waitFor) await page.waitForSelector(waitFor, { timeout: 60_000 });
  await page.click('[data-testid="enter-ar"]');
  await page.waitForSelector('[data-xr-state="active"]', { timeout: 30_000 });
  // iwer clears the canvas every frame: the session keeps drawing while we wait and shoot.
  await page.waitForTimeout(3000);
  const shot = await page.screenshot({ path: screenshotPath(name) });
  const features = await page.locator('.xr-status, .hint, table.features').allInnerTexts();
  return { page, log, shot, features: features.join('\n') };
}

describe('emulated immersive-ar session', () => {
  it('/scan enters AR with the optional features the Quest 3 has, and draws detected planes', async () => {
    const { page, log, shot } = await enterAr(`/scan?${FLAG}`, 'xr-scan');
    const stats = pixelStats(shot);
    expect(stats.variance).toBeGreaterThan(100);
    expect(stats.nonBackground).toBeGreaterThan(0.2);
    // Our detected-plane overlay is light blue over the gray room.
    expect(colourfulFraction(shot, (r, g, b) => b > r + 25 && g > r + 10)).toBeGreaterThan(0.02);
    // Rejected optional features (camera-access, dom-overlay) must not fail the session.
    const rows = await page.locator('table.features tbody tr').allInnerTexts();
    const granted = Object.fromEntries(rows.map((r) => r.split('\t').map((s) => s.trim())).map((c) => [c[0], c[2]]));
    expect(granted).toMatchObject({ 'local-floor': 'yes', 'hit-test': 'yes', 'plane-detection': 'yes', 'depth-sensing': 'yes', 'camera-access': 'no', 'dom-overlay': 'no' });
    await page.close();
    expect(log.errors).toEqual([]);
  });

  it('/view enters AR and renders the sample splats over the room', async () => {
    const { page, log, shot } = await enterAr(`/view?${FLAG}&max-splats=20000`, 'xr-view', '[data-testid="view"][data-state="ready"]');
    const stats = pixelStats(shot);
    expect(stats.variance).toBeGreaterThan(100);
    // The sample's painted walls/furniture are saturated; the emulated room is gray.
    const saturated = colourfulFraction(shot, (r, g, b) => Math.max(r, g, b) - Math.min(r, g, b) > 60);
    writeFileSync(screenshotPath('xr-view-stats').replace(/\.png$/, '.json'), JSON.stringify({ ...stats, saturated }, null, 2));
    expect(saturated).toBeGreaterThan(0.05);
    await page.close();
    expect(log.errors).toEqual([]);
  });
});
