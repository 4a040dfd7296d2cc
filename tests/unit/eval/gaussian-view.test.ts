import { describe, expect, it } from 'vitest';
import type { Intrinsics } from '../../../lib/capture/frame';
import { renderGaussianView, undistortRgb, type PinholeView } from '../../../lib/eval/gaussian-view-eval';
import { psnr } from '../../../lib/splat/image-metrics';

const W = 64, H = 48;
const K: Intrinsics = { fx: 60, fy: 60, cx: W / 2, cy: H / 2, width: W, height: H };
/** Camera at (x, 0, 0) looking down -z (identity rotation). */
const pose = (x: number) => Float64Array.from([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, x, 0, 0, 1]);
const texture = (X: number, Y: number) => [0.5 + 0.4 * Math.sin(3 * X), 0.5 + 0.4 * Math.cos(2 * Y), 0.5 + 0.3 * Math.sin(2 * X + Y)];

/** A view of the plane z = -2 with a smooth world-space texture. */
function planeView(x: number, k: Intrinsics = K): PinholeView {
  const rgb = new Float32Array(W * H * 3), depth = new Float32Array(W * H).fill(2);
  for (let v = 0; v < H; v++)
    for (let u = 0; u < W; u++) {
      const X = ((u + 0.5 - k.cx) / k.fx) * 2 + x, Y = (-(v + 0.5 - k.cy) / k.fy) * 2;
      rgb.set(texture(X, Y), (v * W + u) * 3);
    }
  return { id: `x${x}`, rgb, pinholeDepth: depth, intrinsics: k, cameraToWorld: pose(x) };
}

describe('renderGaussianView', () => {
  it('re-renders a textured plane from a nearby viewpoint close to the true image', () => {
    const target = planeView(0.1);
    const r = renderGaussianView({ intrinsics: K, cameraToWorld: target.cameraToWorld }, [planeView(0), planeView(0.2)]);
    expect(r.coverage).toBeGreaterThan(0.95);
    expect(r.gaussians).toBeGreaterThan(W * H * 0.9);
    expect(r.gaussians).toBeLessThan(2 * W * H); // fusion merged the overlap
    const img = (d: Float32Array) => ({ width: W, height: H, data: d, channels: 3 });
    expect(psnr(img(r.rgb), img(target.rgb), { peak: 1 })).toBeGreaterThan(28);
    // A flat grey image is far worse: the comparison can fail.
    expect(psnr(img(new Float32Array(W * H * 3).fill(0.5)), img(target.rgb), { peak: 1 })).toBeLessThan(20);
  });
  it('undistortRgb is the identity without distortion and resamples with it', () => {
    const v = planeView(0);
    expect(undistortRgb(v.rgb, K)).toBe(v.rgb);
    const d = undistortRgb(v.rgb, { ...K, distortion: { k1: 0.1, k2: 0, p1: 0, p2: 0 } });
    expect(d).not.toBe(v.rgb);
    // The centre pixel is (nearly) unmoved by radial distortion, the corners move.
    const c = ((H / 2) * W + W / 2) * 3;
    expect(Math.abs(d[c] - v.rgb[c])).toBeLessThan(0.02);
    let diff = 0;
    for (let i = 0; i < d.length; i++) diff = Math.max(diff, Math.abs(d[i] - v.rgb[i]));
    expect(diff).toBeGreaterThan(0.02);
  });
  it('rejects mismatched inputs', () => {
    const v = planeView(0);
    expect(() => renderGaussianView({ intrinsics: K, cameraToWorld: pose(0) }, [])).toThrow(/no context views/);
    expect(() => renderGaussianView({ intrinsics: K, cameraToWorld: pose(0) }, [{ ...v, pinholeDepth: new Float32Array(10) }])).toThrow(/do not match/);
  });
});
