/**
 * The live scan at length. The page gets one display delta per worker step (lib/splat/scene-delta.ts)
 * and never a full copy of the scene: the bytes it received are compared with what posting the whole
 * display every step would have cost (58 bytes a shown Gaussian), the bytes per keyframe must not grow
 * with the scene, and Spark's PackedSplats is built once and then edited row by row.
 * 1. A walk through the emulated living room (Quest 3 emulator, TEST-ONLY simulated camera; 12 keyframes,
 *    SCAN_LIVE_KEYFRAMES=60 for the 60): the main thread is traced (CDP) and its longest tasks,
 *    with what they spent their time on, go to the log. No timed assertion: the 50 ms target is a bench row
 *    (`npm run bench -- --only scan-main-thread`, docs/BENCH.md "Live scan main thread").
 * 2. The redkitchen capture (../shared/data/redkitchen: 50 real 640x480 RGB-D frames, 7-Scenes layout)
 *    walked forward, back and forward again as 150 keyframes, imported through the /scan importer into the
 *    same worker (15 of them, every 10th, by default; SCAN_LIVE_KITCHEN_KEYFRAMES=150 for all); skipped
 *    when the capture is absent. The exported scene keeps every Gaussian the display does not show.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { zipSync } from 'fflate';
import { launchBrowser, openPage, type TestBrowser } from './support/browser';
import { formatReport, recordMainThread } from './support/main-thread-profile';
import { enterScan, walkKeyframes, type ScanWin } from './support/scan-walk';
import { APPLY_SLICE } from '../../lib/splat/scene-delta';

let tb: TestBrowser;
beforeAll(async () => {
  // GPU compositing (on SwiftShader), as on a device: with the default software compositing every frame's
  // commit reads the WebGL canvas back on the main thread (support/browser.ts GPU_COMPOSITING_ARGS).
  tb = await launchBrowser({ gpuCompositing: true });
});
afterAll(async () => {
  await tb?.close();
});

// 60 in the terms; under software WebGL each keyframe of the walk costs several seconds of XR
// frames on the shared 2-core machine, so CI walks fewer (SCAN_LIVE_KEYFRAMES=60 for the full walk).
const KEYFRAMES = Number(process.env.SCAN_LIVE_KEYFRAMES ?? 12);
const KITCHEN = join(process.cwd(), '..', 'shared', 'data', 'redkitchen');
const KITCHEN_WALK = 150;
const KITCHEN_KEYFRAMES = Number(process.env.SCAN_LIVE_KITCHEN_KEYFRAMES ?? 15);

type Win = ScanWin & {
  __segsplatScan: ScanWin['__segsplatScan'] & {
    display: { count: number; capacity: number; renderer: { builds: number; wholeUploads: number; rowsUploaded: number } };
    exportScene(format: 'ply'): Promise<Uint8Array>;
  };
};

async function liveFigures(page: Page) {
  return page.evaluate(() => {
    const s = (window as unknown as Win).__segsplatScan;
    return { live: s.liveStats, shown: s.display.count, capacity: s.display.capacity, renderer: { ...s.display.renderer }, status: s.state.update!.status };
  });
}
type Figures = Awaited<ReturnType<typeof liveFigures>>;

const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / Math.max(1, a.length);

/**
 * The display came from deltas only: at most the first update and a rebuild reset it, no delta is anything
 * like a full copy, the bytes per reconstructed keyframe do not grow with the scene (a full copy per step
 * would grow with it), and the renderer built its PackedSplats once and then re-uploaded rows.
 */
function expectDeltasOnly(r: Figures, what: string) {
  const fullPerStep = r.shown * 58;
  // Bytes per reconstructed keyframe, per update after the first (which resets the display).
  const steps = r.live.perUpdate.slice(1).map((u, i) => ({ ...u, kf: u.reconstructed - r.live.perUpdate[i].reconstructed })).filter((u) => u.kf > 0);
  const half = Math.floor(steps.length / 2);
  const early = steps.slice(0, half), late = steps.slice(half);
  const perKf = (a: typeof steps) => a.reduce((s, u) => s + u.bytes, 0) / Math.max(1, a.reduce((s, u) => s + u.kf, 0));
  const stepMs = steps.map((u) => u.stepMs / u.kf);
  console.log(
    `${what}: ${r.status.reconstructed} keyframes, ${r.status.gaussians} Gaussians, ${r.shown} shown of ${r.capacity}; ${r.live.updates} updates, ` +
      `${(r.live.bytes / 1e6).toFixed(2)} MB of deltas (largest ${(r.live.maxBytes / 1e3).toFixed(0)} kB) vs ${((r.live.updates * fullPerStep) / 1e6).toFixed(1)} MB as full copies; ` +
      `per keyframe ${(perKf(early) / 1e3).toFixed(0)} kB in the first half of the steps (scene ${early.at(-1)?.scene ?? 0}), ${(perKf(late) / 1e3).toFixed(0)} kB in the second (scene ${late.at(-1)?.scene ?? 0}); ` +
      `worker step ${mean(stepMs).toFixed(0)} ms per keyframe (longest ${Math.max(0, ...stepMs).toFixed(0)}); ` +
      `apply ${r.live.applyMs.toFixed(1)} ms total in ${r.live.applySlices} slices, longest ${r.live.maxApplyMs.toFixed(2)} ms; keyframe frames longest ${r.live.maxKeyframeMs.toFixed(1)} ms; ` +
      `renderer: ${r.renderer.builds} PackedSplats built, ${r.renderer.wholeUploads} whole-texture uploads, ${r.renderer.rowsUploaded} rows re-uploaded`,
  );
  expect(r.live.resets).toBeLessThanOrEqual(2);
  expect(r.live.maxBytes).toBeLessThan(fullPerStep / 2);
  expect(r.live.bytes).toBeLessThan((r.live.updates * fullPerStep) / 4);
  expect(steps.length).toBeGreaterThanOrEqual(2);
  expect(perKf(late)).toBeLessThan(2 * perKf(early));
  // One PackedSplats for the scan (a second only after a reset), not one per step; the texture goes up whole
  // only while Spark has not uploaded it yet.
  expect(r.renderer.builds).toBeGreaterThanOrEqual(1);
  expect(r.renderer.builds).toBeLessThanOrEqual(r.live.resets);
  expect(r.renderer.wholeUploads).toBeLessThanOrEqual(2);
  expect(r.renderer.rowsUploaded).toBeGreaterThan(0);
  // No main-thread task applies more than APPLY_SLICE changed slots: a big delta takes several tasks.
  expect(r.live.applySlices).toBe(r.live.perUpdate.reduce((n, u) => n + Math.max(1, Math.ceil(u.slots / APPLY_SLICE)), 0));
}

describe('/scan live at length', () => {
  it(`a ${KEYFRAMES}-keyframe walk is shown from deltas; the main thread's long tasks are traced`, async () => {
    const { page, log } = await openPage(tb, `/scan?xr-emulate=quest3&room=living_room&test-camera=sim`);
    await page.waitForSelector('[data-testid="scan"][data-scan-ready="yes"]', { timeout: 60_000 });
    await enterScan(page);
    const rec = await recordMainThread(page);
    await walkKeyframes(page, KEYFRAMES, { log: (s) => console.log(s) });
    const prof = await rec.stop(5);
    console.log(formatReport(prof, `scan-live walk, ${KEYFRAMES} keyframes`));
    const r = await liveFigures(page);
    expect(r.status.reconstructed).toBeGreaterThanOrEqual(KEYFRAMES);
    expect(r.shown).toBeGreaterThan(10_000);
    expectDeltasOnly(r, `scan-live walk`);
    // The trace saw the XR loop: its frames are top-level main-thread tasks, and our work in them is named.
    expect(prof.recordedMs).toBeGreaterThan(0);
    expect(prof.frames).toBeGreaterThan(0);
    expect(prof.ours.keyframe?.count ?? 0).toBeGreaterThan(0);
    expect(prof.ours.apply?.count ?? 0).toBeGreaterThan(0);
    // The test camera brings its own depth: the session does not ask for depth sensing, which the emulator
    // would render and read back synchronously per eye every frame.
    const depthRow = (await page.locator('table.features tbody tr', { hasText: 'depth-sensing' }).innerText()).split('\t').map((c) => c.trim());
    expect(depthRow).toEqual(['depth-sensing', 'no (test camera)', 'no']);
    await page.close();
    expect(log.errors).toEqual([]);
  }, 900_000);

  it.skipIf(!existsSync(KITCHEN))(
    `the redkitchen capture as ${KITCHEN_KEYFRAMES} of a ${KITCHEN_WALK}-keyframe walk is shown from deltas, and the export keeps every Gaussian`,
    async () => {
      // Forward, back and forward again over the 50 frames, renumbered; every (150/N)th of that walk.
      const names = readdirSync(KITCHEN);
      const numbers = names.map((n) => /^frame-(\d+)\.color\.png$/.exec(n)?.[1]).filter((n): n is string => !!n).sort();
      const walk = [...numbers, ...[...numbers].reverse(), ...numbers].slice(0, KITCHEN_WALK);
      const stride = KITCHEN_WALK / KITCHEN_KEYFRAMES;
      const picked = Array.from({ length: KITCHEN_KEYFRAMES }, (_, i) => walk[Math.floor(i * stride)]);
      const files: Record<string, Uint8Array> = { 'camera-intrinsics.txt': readFileSync(join(KITCHEN, 'camera-intrinsics.txt')) };
      picked.forEach((num, i) => {
        const to = `frame-${String(i).padStart(6, '0')}`;
        for (const ext of ['color.png', 'depth.png', 'pose.txt']) files[`${to}.${ext}`] = readFileSync(join(KITCHEN, `frame-${num}.${ext}`));
      });
      const zip = join(mkdtempSync(join(tmpdir(), 'scan-kitchen-')), 'redkitchen-walk.zip');
      writeFileSync(zip, zipSync(files, { level: 0 }));

      const { page, log } = await openPage(tb, `/scan?xr-emulate=quest3`);
      await page.waitForSelector('[data-testid="scan"][data-scan-ready="yes"]', { timeout: 60_000 });
      await page.setInputFiles('[data-testid="scan-import-files"]', zip);
      // Reading the .zip and decoding its PNGs happen on the main thread before the keyframes are posted.
      await page.waitForFunction((n) => (window as unknown as Win).__segsplatScan.state.keyframes.length >= n, KITCHEN_KEYFRAMES, { timeout: 300_000, polling: 500 });
      const t0 = Date.now();
      await page.waitForFunction((n) => ((window as unknown as Win).__segsplatScan.state.update?.status.reconstructed ?? 0) >= n, KITCHEN_KEYFRAMES, {
        timeout: 3_000_000,
        polling: 2000,
      });
      const wallPerKf = (Date.now() - t0) / KITCHEN_KEYFRAMES;
      const r = await liveFigures(page);
      expect(r.status.reconstructed).toBe(KITCHEN_KEYFRAMES);
      expect(r.live.updates).toBeGreaterThan(KITCHEN_KEYFRAMES / 4); // one per step of up to 4 keyframes (+ the first)
      expect(r.shown).toBeLessThanOrEqual(r.capacity);
      expectDeltasOnly(r, `scan-live redkitchen ${KITCHEN_KEYFRAMES}/${KITCHEN_WALK}`);
      console.log(`scan-live redkitchen: ${(wallPerKf / 1000).toFixed(2)} s wall per keyframe from import to reconstructed`);
      // Every Gaussian of the scene is kept for export, shown or not.
      const ply = await page.evaluate(async () => {
        const bytes = await (window as unknown as Win).__segsplatScan.exportScene('ply');
        // The header carries one comment line per camera: read up to its end.
        const head = new TextDecoder().decode(bytes.subarray(0, Math.min(bytes.length, 1 << 20)));
        return head.slice(0, head.indexOf('end_header'));
      });
      const vertices = Number(/element vertex (\d+)/.exec(ply)?.[1]);
      expect(vertices).toBe(r.status.gaussians);
      expect(vertices).toBeGreaterThanOrEqual(r.shown);
      if (r.status.gaussians > r.capacity) expect(r.shown).toBeGreaterThan(0.95 * r.capacity);
      await page.close();
      expect(log.errors).toEqual([]);
    },
    3_600_000,
  );
});
