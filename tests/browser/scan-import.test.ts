/**
 * /scan's importer with the captures people have: the fox (transforms.json, a z-up COLMAP world) picked as
 * loose files with no folders, 8 of its images among them, and a few redkitchen frames (7-Scenes RGB-D layout,
 * a tilted KinectFusion world) picked as a folder. Both must reconstruct, say what was skipped, stop the clock,
 * be read at the working size, and come out upright: the world frame the panel reports, the floor grid under
 * the scene, and the first view (a capture camera's) compared with that camera's photo upright vs turned 180°,
 * the scene filling a good part of the canvas. Screenshots: docs/img/scan/import-*.png.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importCapture } from '../../lib/capture/import-capture';
import { loadFrame } from '../../lib/capture/frame-record';
import { nodeFolderFiles } from '../../lib/capture/node-files';
import { launchBrowser, openPage, screenshotPath, shootElement, type TestBrowser } from './support/browser';
import { meanAbsDiff, pixelStats } from './support/pixels';
import { cameraRoll, uprightScores } from './support/upright';

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
async function expectDoneAndClockStopped(page: Page, frames: number, timeout = 150_000) {
  await page.waitForFunction(
    (n) => {
      const panel = document.querySelector('[data-testid="scan-panel"]');
      const row = [...document.querySelectorAll('.scan-stats tr')].find((tr) => tr.firstElementChild?.textContent === 'Reconstructed');
      const m = /^(\d+) \((\d+) queued\)$/.exec(row?.lastElementChild?.textContent ?? '');
      return Number(panel?.getAttribute('data-gaussians')) > 0 && !!m && Number(m[2]) === 0 && Number(m[1]) >= n;
    },
    frames,
    { timeout },
  );
  const a = await page.locator('[data-testid="scan-elapsed"]').innerText();
  await page.waitForTimeout(2200);
  expect(await page.locator('[data-testid="scan-elapsed"]').innerText()).toBe(a);
}

const nums = (s: string | null) => (s ?? '').split(',').map(Number);

/**
 * The import's world frame, the framing, and the first view: upright against the home camera's photo (read here
 * from `dir` at the same working size, in the importer's order) and filling the canvas. Returns the figures.
 */
async function expectUpright(page: Page, name: string, dir: string) {
  const world = page.locator('[data-testid="scan-world"]');
  await world.waitFor({ timeout: 30_000 }).catch(async (e: unknown) => {
    console.log(`${name}: no world frame shown; the panel says: ${(await page.locator('[data-testid="scan-panel"]').innerText()).slice(0, 1500)}`);
    throw e;
  });
  const attr = (k: string) => world.getAttribute(k);
  const upSource = await attr('data-up-source');
  const floorSource = await attr('data-floor-source');
  const up = nums(await attr('data-up'));
  const home = Number(await attr('data-home-camera'));
  const floorY = Number(await attr('data-floor-y'));
  const boxMin = nums(await attr('data-box-min')), boxMax = nums(await attr('data-box-max'));
  expect(upSource).not.toBe('none');
  expect(home).toBeGreaterThanOrEqual(0);
  // The floor grid is at y = 0 and the scene stands on it: its 2nd-percentile height is not below the floor
  // (by more than 5 % of its height), and the scene is not a sliver.
  const canvas = '.scan-page .viewer canvas';
  // Spark draws in passes (sort, upload): wait until the canvas is filled and two shots agree.
  let shot = await shootElement(page, canvas);
  let stats = pixelStats(shot);
  for (let i = 0; i < 40; i++) {
    await page.waitForTimeout(750);
    const next = await shootElement(page, canvas);
    const settled = meanAbsDiff(shot, next) < 2;
    shot = next;
    stats = pixelStats(shot);
    if (settled && stats.nonBackground > 0.3) break;
  }
  await shootElement(page, canvas, screenshotPath(`scan-import-${name}`));
  const imp = await importCapture(nodeFolderFiles(dir), { name });
  const photo = (await loadFrame(imp.frames[home], { maxSize: 480, depth: false })).image;
  // The view is level; a hand-held camera is rolled a little: compare with the photo turned back by that roll
  // (found from the capture pose and the reported up, both in the capture's frame).
  const roll = cameraRoll(imp.frames[home].cameraToWorld, up);
  const scores = uprightScores(shot, photo, roll);
  const heap = await page.evaluate(() => (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? 0);
  console.log(
    `${name}: up from ${upSource}, floor ${floorSource} (capture ${up.map((v) => v.toFixed(3)).join(', ')}), home camera ${imp.frames[home].id} (roll ${((roll * 180) / Math.PI).toFixed(1)}°), ` +
      `box y ${boxMin[1].toFixed(2)}..${boxMax[1].toFixed(2)}, non-background ${(stats.nonBackground * 100).toFixed(0)} %, ` +
      `NCC upright ${scores.upright.toFixed(2)} / turned ${scores.flipped.toFixed(2)}, page JS heap ${(heap / 1e6).toFixed(0)} MB`,
  );
  // The floor grid is at y = 0 and the scene stands on it: its 2nd-percentile height is not below the floor by
  // more than 5 % of its height (a floor plane, or no plane seen: under the cameras and the scene's lowest points).
  expect(floorY).toBe(0);
  expect(boxMin[1]).toBeGreaterThan(floorY - 0.05 * (boxMax[1] - boxMin[1]));
  expect(stats.nonBackground).toBeGreaterThan(0.3);
  expect(scores.upright).toBeGreaterThan(0.3);
  expect(scores.upright).toBeGreaterThan(scores.flipped + 0.2);
  return { up };
}

describe('/scan import of real captures', () => {
  it('imports the fox picked as loose files (no folders): images matched by name, missing ones reported, upright', { timeout: 420_000 }, async () => {
    const fox = join(SHARED, 'fox');
    const picked = ['0001', '0002', '0003', '0004', '0006', '0007', '0008', '0009'];
    const dir = mkdtempSync(join(tmpdir(), 'scan-import-fox-'));
    mkdirSync(join(dir, 'images'));
    copyFileSync(join(fox, 'transforms.json'), join(dir, 'transforms.json'));
    for (const n of picked) copyFileSync(join(fox, 'images', `${n}.jpg`), join(dir, 'images', `${n}.jpg`));
    const { page, log } = await openPage(tb, '/scan');
    await page.waitForSelector('[data-testid="scan"][data-scan-ready="yes"]', { timeout: 60_000 });
    await page.setInputFiles('[data-testid="scan-import-files"]', [join(dir, 'transforms.json'), ...picked.map((n) => join(dir, 'images', `${n}.jpg`))]);
    await page.waitForFunction(() => /imported|failed/.test(document.querySelector('[data-testid="scan-import-status"]')?.textContent ?? ''), undefined, { timeout: 90_000 });
    expect(await status(page)).toMatch(/^8 frames imported from transforms\.json .*, 59 skipped \(\d+: image file images\/\d+\.jpg is missing; .* and 56 more\)\. Read at 270x480/);
    // Read at the working size as they came in: 8 x 270x480 RGB, against 8 x 1080x1920 at full size.
    const st = page.locator('[data-testid="scan-import-status"]');
    expect(Number(await st.getAttribute('data-frame-bytes'))).toBe(8 * 270 * 480 * 3);
    expect(Number(await st.getAttribute('data-full-image-bytes'))).toBe(8 * 1080 * 1920 * 3);
    expect(await page.locator('[data-testid="scan-keyframes"]').innerText()).toBe('8');
    const t0 = Date.now();
    await expectDoneAndClockStopped(page, 8, 300_000);
    console.log(`fox: 8 frames reconstructed ${((Date.now() - t0) / 1000).toFixed(0)} s after the import was read; ${await page.locator('[data-testid="scan-gaussians"]').innerText()} Gaussians`);
    const { up } = await expectUpright(page, 'fox', dir);
    // The fox's COLMAP world is z-up (its cameras' mean up is (0.024, -0.021, 0.999)): that direction became +y.
    expect(up[2]).toBeGreaterThan(0.95);
    await page.close();
    expect(log.errors).toEqual([]);
  });

  it('imports redkitchen frames picked as a folder (7-Scenes layout) with their device depth, upright', { timeout: 200_000 }, async () => {
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
    await expectUpright(page, 'redkitchen', dir);
    await page.close();
    expect(log.errors).toEqual([]);
  });
});
