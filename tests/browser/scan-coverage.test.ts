/**
 * /scan coverage guidance in the emulated Quest 3 session with the TEST-ONLY simulated camera
 * (?test-camera=sim, living_room: x from -2.9 to 3.0 m, z from -2.5 to 2.1 m). Standing in the west
 * half and only turning to look east, everything seen lies in the east half and is seen from one side:
 * the page must report thin areas centred there. Walking into the east half and looking at it from the
 * north and the south must then lower the thin cell count.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { launchBrowser, openPage, screenshotPath, type TestBrowser } from './support/browser';

let tb: TestBrowser;
beforeAll(async () => {
  tb = await launchBrowser();
});
afterAll(async () => {
  await tb?.close();
});

type Win = {
  __segsplatScan: { state: { keyframes: unknown[] } };
  __segsplatXrDevice: { position: { set(x: number, y: number, z: number): void }; quaternion: { set(x: number, y: number, z: number, w: number): void } };
};

/** Yaw-only quaternion (x, y, z, w); yaw -90° looks along +x (east). */
const yawQuat = (deg: number) => [0, Math.sin((deg * Math.PI) / 360), 0, Math.cos((deg * Math.PI) / 360)];

async function setPose(page: Page, x: number, z: number, yaw: number) {
  await page.evaluate(
    ([p, q]) => {
      const d = (window as unknown as Win).__segsplatXrDevice;
      d.position.set(p[0], p[1], p[2]);
      d.quaternion.set(q[0], q[1], q[2], q[3]);
    },
    [[x, 1.5, z], yawQuat(yaw)],
  );
}

const keyframeCount = (page: Page) => page.evaluate(() => (window as unknown as Win).__segsplatScan.state.keyframes.length);

/** Walks the poses, holding each until a new keyframe lands. */
async function walk(page: Page, poses: [number, number, number][]) {
  for (const [x, z, yaw] of poses) {
    const before = await keyframeCount(page);
    await setPose(page, x, z, yaw);
    await page.waitForFunction((n) => (window as unknown as Win).__segsplatScan.state.keyframes.length > n, before, { timeout: 30_000 });
  }
}

/** The coverage hint once it has folded in every keyframe taken so far. */
async function coverage(page: Page) {
  const n = await keyframeCount(page);
  await page.waitForFunction((n) => Number(document.querySelector('[data-testid="scan-coverage"]')?.getAttribute('data-views')) >= n, n, { timeout: 90_000 });
  return page.evaluate(() => {
    const el = document.querySelector('[data-testid="scan-coverage"]')!;
    const num = (k: string) => Number(el.getAttribute(k));
    return {
      text: (el as HTMLElement).innerText,
      cellsSeen: num('data-cells-seen'),
      wellSeen: num('data-cells-well-seen'),
      thinCells: num('data-thin-cells'),
      thinAreas: num('data-thin-areas'),
      x: num('data-thin-x'),
      z: num('data-thin-z'),
    };
  });
}

describe('/scan coverage hint', () => {
  it('points at the area seen from one side only, and clears as the user walks around it', async () => {
    const { page, log } = await openPage(tb, `/scan?xr-emulate=quest3&room=living_room&test-camera=sim&max-splats=5000`);
    await page.waitForSelector('[data-testid="scan"][data-scan-ready="yes"]', { timeout: 60_000 });
    // One spot in the west half (x = -1), turning between north-east and south-east.
    await setPose(page, -1, 0, -90);
    await page.waitForSelector('[data-xr-state="ready"]', { timeout: 30_000 });
    await page.click('[data-testid="enter-ar"]');
    await page.waitForSelector('[data-xr-state="active"]', { timeout: 30_000 });
    await page.waitForFunction(() => (window as unknown as Win).__segsplatScan.state.keyframes.length >= 1, undefined, { timeout: 30_000 });
    await walk(page, [
      [-1, 0, -70],
      [-1, 0, -110],
      [-1, 0, -50],
      [-1, 0, -130],
    ]);
    const oneSide = await coverage(page);
    expect(oneSide.cellsSeen).toBeGreaterThan(0);
    expect(oneSide.thinAreas).toBeGreaterThan(0);
    expect(oneSide.thinCells).toBeGreaterThan(oneSide.wellSeen);
    // The biggest thin area lies in the east half, which nobody looked at from the east, north or south.
    expect(oneSide.x).toBeGreaterThan(0.3);
    expect(oneSide.z).toBeGreaterThan(-2.5);
    expect(oneSide.z).toBeLessThan(2.1);
    expect(oneSide.text).toMatch(/was seen from one side only: walk around it/);
    expect(oneSide.text).toMatch(/m ahead/);

    // Into the east half, looking at it from the north and from the south, then from its far end.
    await walk(page, [
      [0.5, -1.9, -120],
      [0.5, 1.5, -60],
      [0.5, -1.9, -150],
      [0.5, 1.5, -30],
      [2.2, 1.5, -10],
      [2.2, -1.2, -170],
    ]);
    const around = await coverage(page);
    expect(around.wellSeen).toBeGreaterThan(oneSide.wellSeen);
    expect(around.thinCells).toBeLessThan(oneSide.thinCells);
    console.log(`scan-coverage: one side ${JSON.stringify(oneSide)}; after walking around ${JSON.stringify(around)}`);
    await page.screenshot({ path: screenshotPath('scan-coverage') });
    await page.close();
    expect(log.errors).toEqual([]);
  });
});
