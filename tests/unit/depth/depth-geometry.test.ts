import { describe, expect, it } from 'vitest';
import { distortNormalized, undistortNormalized } from '../../../lib/inference/depth/lens-distortion';
import { resampleDepthMap } from '../../../lib/inference/depth/depth-resample';
import { fillDepthHoles } from '../../../lib/inference/depth/hole-fill';
import { evaluateForwardSplat, nearestViews, type SplatView } from '../../../lib/inference/depth/forward-splat-eval';
import { convergencePoint, estimateDepthRange, selectSourceViews } from '../../../lib/inference/depth/source-views';
import { makeStereoView, pinholeDepthToFrameGrid, frameDepthToPinholeGrid } from '../../../lib/inference/depth/stereo-view';
import { defaultScene, intrinsics, pose, renderView } from './synthetic-scene';

describe('lens distortion', () => {
  it('undistort inverts distort for phone-like coefficients', () => {
    const d = { k1: 0.0578, k2: -0.0805, p1: -0.00098, p2: 0.00016 };
    const a = new Float64Array(2), b = new Float64Array(2);
    for (const [x, y] of [[0.3, -0.6], [-0.4, 0.7], [0, 0], [0.39, 0.7]]) {
      distortNormalized(d, x, y, a);
      undistortNormalized(d, a[0], a[1], b);
      expect(b[0]).toBeCloseTo(x, 9);
      expect(b[1]).toBeCloseTo(y, 9);
    }
  });

  it('maps depth between the pinhole and the distorted grid and back', () => {
    const k = { ...intrinsics(80, 60), distortion: { k1: 0.06, k2: -0.08, p1: 0, p2: 0 } };
    const { frame } = renderView(defaultScene, k, pose(0, 0, 0), 'a');
    const v = makeStereoView(frame, 80, 60);
    const flat = new Float32Array(80 * 60).fill(2.5);
    const there = pinholeDepthToFrameGrid(v, flat);
    expect(there[30 * 80 + 40]).toBeCloseTo(2.5, 5);
    const back = frameDepthToPinholeGrid(v, there);
    expect(back[5 * 80 + 5]).toBeCloseTo(2.5, 5);
  });
});

describe('depth resampling', () => {
  it('resamples device depth with its own field of view, leaving uncovered pixels empty', () => {
    // Device depth covers only the central half of the field of view (fx doubled at the same size).
    const dev = { width: 20, height: 10, data: new Float32Array(200).fill(3), intrinsics: { fx: 40, fy: 40, cx: 10, cy: 5, width: 20, height: 10 } };
    const out = resampleDepthMap(dev, { fx: 20, fy: 20, cx: 20, cy: 10, width: 40, height: 20 });
    expect(out.data[10 * 40 + 20]).toBeCloseTo(3, 5);
    expect(out.data[0]).toBe(0);
    expect(() => resampleDepthMap({ ...dev, data: new Float32Array(5) }, dev.intrinsics)).toThrow(/expected 20x10/);
  });
});

describe('hole filling', () => {
  it('fills holes from the side of the edge with the same colour', () => {
    const w = 40, h = 20;
    const guide = new Float32Array(w * h), depth = new Float32Array(w * h);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        const left = x < 20;
        guide[y * w + x] = left ? 0.2 : 0.8;
        depth[y * w + x] = left ? 1 : 4;
      }
    // A hole straddling the edge.
    for (let y = 5; y < 15; y++) for (let x = 14; x < 26; x++) depth[y * w + x] = 0;
    const out = fillDepthHoles(depth, guide, w, h, { smoothPasses: 0 });
    expect(out[10 * w + 17]).toBeCloseTo(1, 1);
    expect(out[10 * w + 23]).toBeCloseTo(4, 1);
    expect(out.every((d) => d > 0)).toBe(true);
    expect(() => fillDepthHoles(depth, guide.subarray(1), w, h)).toThrow(/guide image/);
  });
});

describe('source views and depth range', () => {
  it('finds where converging cameras look and ranks sources by baseline and angle', () => {
    // Cameras on a circle of radius 4 around the origin, looking at it.
    const ring = [0, 0.1, 0.2, -0.15, 1.2].map((a) => {
      const m = pose(4 * Math.sin(a), 0, 4 * Math.cos(a), a);
      return m;
    });
    const p = convergencePoint(ring)!;
    expect(Math.hypot(p[0], p[1], p[2])).toBeLessThan(1e-6);
    const { near, far } = estimateDepthRange(ring[0], ring.slice(1));
    expect(near).toBeLessThan(4);
    expect(far).toBeGreaterThan(4);
    expect(selectSourceViews(ring[0], ring.slice(1), 2)).toEqual([0, 2]);
    expect(() => selectSourceViews(ring[0], ring.slice(1), 0)).toThrow(/positive integer/);
  });
});

describe('forward-splat evaluation', () => {
  it('scores a view rendered with the true depth far above one with a wrong depth', () => {
    const k = intrinsics(64, 48);
    const ctx = [0.1, -0.1, 0.2].map((x, i) => renderView(defaultScene, k, pose(x, 0.02 * i, 0), `c${i}`));
    const tgt = renderView(defaultScene, k, pose(0, 0, 0), 't');
    const rgb = (f: typeof tgt) => Float32Array.from(f.frame.image.data, (v) => v / 255);
    const view = (f: typeof tgt, depth?: Float32Array): SplatView => ({ rgb: rgb(f), depth, intrinsics: k, cameraToWorld: f.frame.cameraToWorld });
    const good = evaluateForwardSplat(view(tgt), ctx.map((c) => view(c, c.depth)), { count: 2 });
    const bad = evaluateForwardSplat(view(tgt), ctx.map((c) => view(c, c.depth.map((d) => d * 0.7))), { count: 2 });
    expect(good.contextUsed.sort()).toEqual([0, 1]);
    expect(good.psnr).toBeGreaterThan(bad.psnr + 5);
    expect(good.coverage).toBeGreaterThan(0.9);
    expect(nearestViews(tgt.frame.cameraToWorld, ctx.map((c) => c.frame.cameraToWorld), 1)).toEqual([0]);
  });
});
