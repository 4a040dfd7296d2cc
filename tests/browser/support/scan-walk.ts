/**
 * A walk through the emulated living room on /scan (Quest 3 emulator, TEST-ONLY simulated camera): the
 * head drifts around a loop while the yaw sweeps 12 degrees a step, so every pose is a new keyframe.
 * Shared by tests/browser/scan-live.test.ts and `npm run bench -- --only scan-main-thread`.
 */
import type { Page } from 'playwright-core';
import type { LiveStats } from '../../../lib/web/scan/scan-controller';
import { dev, frames, press } from './xr-device';

export interface ScanWin {
  __segsplatScan: {
    liveStats: LiveStats;
    display: { count: number };
    state: { keyframes: unknown[]; update: { status: { reconstructed: number; gaussians: number; queued: number } } | null };
  };
}

/** Yaw sweeps back and forth by 12 degrees a step (always a new keyframe) while the head drifts around a loop. */
export function walkPose(k: number): { p: [number, number, number]; q: [number, number, number, number] } {
  const phase = k % 20;
  const yawDeg = -60 + 12 * (phase <= 10 ? phase : 20 - phase);
  const a = (2 * Math.PI * k) / 80;
  const h = (yawDeg * Math.PI) / 360;
  return { p: [0.35 * Math.sin(a), 1.5, 0.3 + 0.2 * Math.cos(a)], q: [0, Math.sin(h), 0, Math.cos(h)] };
}

export const keyframeCount = (page: Page) => page.evaluate(() => (window as unknown as ScanWin).__segsplatScan.state.keyframes.length);

const setPose = (page: Page, k: number) =>
  dev(page, (d, a) => (d.position.set(a.p[0], a.p[1], a.p[2]), d.quaternion.set(a.q[0], a.q[1], a.q[2], a.q[3])), walkPose(k));

/** Opens the emulated session at the first pose (the page must be /scan with the test camera, ready). */
export async function enterScan(page: Page): Promise<void> {
  await setPose(page, 0);
  await page.waitForSelector('[data-xr-state="ready"]', { timeout: 30_000 });
  await press(page, '[data-testid="enter-ar"]');
  await page.waitForSelector('[data-xr-state="active"]', { timeout: 30_000 });
}

/**
 * Walks until `keyframes` keyframes were taken, then waits until the worker reconstructed them all.
 * A pose the selector refuses (blurry against the running median, say) is left for the next one; more
 * than `maxMisses` refusals throw.
 */
export async function walkKeyframes(page: Page, keyframes: number, opts: { maxMisses?: number; log?: (s: string) => void } = {}): Promise<void> {
  let misses = 0;
  for (let k = 1; (await keyframeCount(page)) < keyframes; k++) {
    const before = await keyframeCount(page);
    await setPose(page, k);
    // Judged in XR frames, not seconds: under software WebGL a frame can take longer than any fixed timeout.
    const taken = page.waitForFunction((n) => (window as unknown as ScanWin).__segsplatScan.state.keyframes.length > n, before, { timeout: 0, polling: 200 });
    const took = await Promise.race([taken.then(() => true), frames(page, 4).then(() => false)]);
    if (!took) taken.catch(() => {});
    if (!took && ++misses >= (opts.maxMisses ?? 20)) throw new Error(`scan walk: the selector refused ${misses} poses (${before} keyframes)`);
    if (k % 10 === 0) opts.log?.(`scan walk: pose ${k}, ${await keyframeCount(page)} keyframes`);
  }
  await page.waitForFunction((n) => ((window as unknown as ScanWin).__segsplatScan.state.update?.status.reconstructed ?? 0) >= n, keyframes, { timeout: 300_000 });
}
