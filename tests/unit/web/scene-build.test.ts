import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memoryFiles } from '../../../lib/capture/bundle-files';
import { writeCaptureBundle } from '../../../lib/capture/capture-bundle';
import type { Frame } from '../../../lib/capture/frame';
import { nodeFolderFiles } from '../../../lib/capture/node-files';
import type { ProgressEvent } from '../../../lib/pipeline/progress';
import { GaussianScene } from '../../../lib/splat/gaussian-scene';
import { buildSceneFromBundle, strideForBudget, thinForDisplay } from '../../../lib/web/scene-build';
import { resultTransferables } from '../../../lib/web/scene-build-protocol';

/** A camera at (x, 1, 0) looking down -z at a wall at z = -2 (depth 2 m everywhere). */
function wallFrame(i: number, withDepth = true): Frame {
  const w = 40, h = 30;
  const k = { fx: 40, fy: 40, cx: 20, cy: 15, width: w, height: h };
  const image = { width: w, height: h, data: new Uint8Array(w * h * 3) };
  for (let p = 0; p < w * h; p++) image.data.set([200, (p * 7) % 256, 50], 3 * p);
  const f: Frame = { id: `f${i}`, image, intrinsics: k, timestamp: i * 100, cameraToWorld: new Float64Array([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, i * 0.1, 1, 0, 1]) };
  if (withDepth) f.depth = { width: w, height: h, data: new Float32Array(w * h).fill(2), intrinsics: { ...k } };
  return f;
}

async function bundleOf(frames: Frame[]) {
  const files = memoryFiles();
  await writeCaptureBundle(files, { name: 'wall', frames, attribution: 'test' });
  return files;
}

describe('buildSceneFromBundle', () => {
  it('summarises every frame and puts Gaussians on the wall', async () => {
    const events: ProgressEvent[] = [];
    const r = await buildSceneFromBundle(await bundleOf([wallFrame(0), wallFrame(1), wallFrame(2, false)]), { onProgress: (e) => events.push(e) });
    expect(r.capture.name).toBe('wall');
    expect(r.capture.attribution).toBe('test');
    expect(r.capture.frames.map((f) => f.id)).toEqual(['f0', 'f1', 'f2']);
    expect(r.capture.frames[0].depth).toMatchObject({ width: 40, height: 30, validFraction: 1 });
    expect(r.capture.frames[0].depth!.min).toBeCloseTo(2, 3);
    expect(r.capture.frames[2].depth).toBeNull();
    expect(r.capture.frames[1].cameraToWorld[12]).toBeCloseTo(0.1);
    expect(r.capture.frames[0].thumbnail.data.length).toBe(40 * 30 * 4);
    expect(r.gaussians.count).toBeGreaterThan(1000);
    expect(r.gaussians.positions).toHaveLength(r.gaussians.count * 3);
    for (let i = 0; i < r.gaussians.count; i++) expect(r.gaussians.positions[3 * i + 2]).toBeCloseTo(-2, 2);
    // Progress: read, then one gaussians event per frame with depth.
    expect(events.filter((e) => e.stage === 'gaussians').map((e) => `${e.done}/${e.total}`)).toEqual(['1/2', '2/2']);
  });

  it('keeps within the Gaussian budget by striding, never above it', async () => {
    const r = await buildSceneFromBundle(await bundleOf([wallFrame(0), wallFrame(1)]), { maxGaussians: 300 });
    expect(r.gaussians.count).toBeLessThanOrEqual(300);
    expect(r.gaussians.count).toBeGreaterThan(100);
    expect(r.gaussians.scales.length).toBe(r.gaussians.count * 3);
  });

  it('names the skipped frames when none is usable', async () => {
    const files = memoryFiles();
    await writeCaptureBundle(files, { name: 'broken', frames: [wallFrame(0)] });
    files.entries().delete('images/f0.png');
    await expect(buildSceneFromBundle(files)).rejects.toThrow(/no usable frames.*f0/);
  });

  it('rejects a bad budget', async () => {
    await expect(buildSceneFromBundle(memoryFiles(), { maxGaussians: 0 })).rejects.toThrow(/maxGaussians/);
  });

  const sample = join(process.cwd(), 'public/samples/living_room');
  it.skipIf(!existsSync(join(sample, 'capture.json')))('reads the bundled living_room sample (all frames, finite Gaussians)', async () => {
    const json = JSON.parse(readFileSync(join(sample, 'capture.json'), 'utf8')) as { frames: unknown[] };
    const r = await buildSceneFromBundle(nodeFolderFiles(sample), { maxGaussians: 20_000 });
    expect(r.capture.frames).toHaveLength(json.frames.length);
    expect(r.capture.skipped).toEqual([]);
    expect(r.gaussians.count).toBeGreaterThan(5_000);
    expect(r.gaussians.count).toBeLessThanOrEqual(20_000);
    for (const v of r.gaussians.positions) expect(Number.isFinite(v)).toBe(true);
    // Transfer list covers every big buffer exactly once.
    const t = resultTransferables(r);
    expect(new Set(t).size).toBe(t.length);
    expect(t.length).toBe(5 + r.capture.frames.length);
  }, 30_000);
});

describe('strideForBudget / thinForDisplay (uniform)', () => {
  it('picks the smallest stride that fits', () => {
    expect(strideForBudget(100, 100)).toBe(1);
    expect(strideForBudget(101, 100)).toBe(2);
    expect(strideForBudget(76_800, 6_667)).toBe(4);
    expect(() => strideForBudget(10, 0)).toThrow();
  });
  it('uniform: thins to exactly the target, spread evenly and in order', () => {
    const s = new GaussianScene({ initialCapacity: 10 });
    s.allocate(10);
    for (let i = 0; i < 10; i++) s.positions[3 * i] = i;
    thinForDisplay(s, 4, { method: 'uniform' });
    expect(s.count).toBe(4);
    const xs = Array.from({ length: 4 }, (_, i) => s.positions[3 * i]);
    expect(xs).toEqual([...xs].sort((a, b) => a - b));
    expect(xs[3] - xs[0]).toBeGreaterThanOrEqual(6);
    thinForDisplay(s, 10);
    expect(s.count).toBe(4);
    expect(() => thinForDisplay(s, -1)).toThrow();
  });
});
