import { describe, expect, it } from 'vitest';
import { memoryFiles, toZip } from '../../../lib/capture/bundle-files';
import { writeCaptureBundle } from '../../../lib/capture/capture-bundle';
import type { Frame } from '../../../lib/capture/frame';
import { GaussianScene } from '../../../lib/splat/gaussian-scene';
import { writeGlb } from '../../../lib/splat/glb';
import { writePly } from '../../../lib/splat/ply';
import { cameraHomeFromBounds } from '../../../lib/web/camera-home';
import { buildSceneFromFile } from '../../../lib/web/scene-build';

function lineScene(n: number): GaussianScene {
  const s = new GaussianScene();
  s.allocate(n);
  for (let i = 0; i < n; i++) {
    s.positions.set([i * 0.01, 1, -2], 3 * i);
    s.scales.set([0.01, 0.01, 0.001], 3 * i);
    s.opacities[i] = 0.8;
    s.colors.set([0.2, 0.5, 0.9], 3 * i);
  }
  return s;
}

describe('buildSceneFromFile', () => {
  it('opens a .ply as is, with no frames', async () => {
    const r = await buildSceneFromFile('room.ply', writePly(lineScene(500)));
    expect(r.capture).toEqual({ name: 'room.ply', skipped: [], frames: [] });
    expect(r.gaussians.count).toBe(500);
    expect(r.gaussians.positions[3 * 499]).toBeCloseTo(4.99, 4);
    expect(r.gaussians.colors[2]).toBeCloseTo(0.9, 2);
  });

  it('opens a .glb and thins it to the budget', async () => {
    const r = await buildSceneFromFile('room.glb', await writeGlb(lineScene(500)), { maxGaussians: 100 });
    expect(r.builtCount).toBe(500);
    expect(r.gaussians.count).toBe(100);
  });

  it('builds a capture bundle .zip like a served bundle (type from magic bytes, not name)', async () => {
    const w = 20, h = 10;
    const k = { fx: 20, fy: 20, cx: 10, cy: 5, width: w, height: h };
    const frame: Frame = {
      id: 'a', timestamp: 0, intrinsics: k,
      image: { width: w, height: h, data: new Uint8Array(w * h * 3).fill(128) },
      cameraToWorld: new Float64Array([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]),
      depth: { width: w, height: h, data: new Float32Array(w * h).fill(1.5), intrinsics: { ...k } },
    };
    const files = memoryFiles();
    await writeCaptureBundle(files, { name: 'zipped', frames: [frame] });
    const r = await buildSceneFromFile('whatever.bin', toZip(files));
    expect(r.capture.name).toBe('zipped');
    expect(r.capture.frames).toHaveLength(1);
    expect(r.gaussians.count).toBeGreaterThan(100);
  });

  it('names the file it cannot read', async () => {
    await expect(buildSceneFromFile('notes.txt', new TextEncoder().encode('hello'))).rejects.toThrow(/notes\.txt: not a Gaussian scene/);
  });
});

describe('cameraHomeFromBounds', () => {
  it('looks at the centre from outside the box', () => {
    const b = { min: [0, 0, -4] as [number, number, number], max: [2, 1, 0] as [number, number, number] };
    const h = cameraHomeFromBounds(b);
    expect(h.target).toEqual([1, 0.5, -2]);
    expect(h.position[2] - h.target[2]).toBeGreaterThan(4); // beyond the box's half-depth + margin
    expect(() => cameraHomeFromBounds({ min: [NaN, 0, 0], max: [1, 1, 1] })).toThrow(/finite/);
  });
});
