import { describe, expect, it } from 'vitest';
import { GaussianScene } from '../../../lib/splat/gaussian-scene';
import { gaussiansFromDepth } from '../../../lib/splat/gaussians-from-depth';
import { renderGaussians, type RenderCamera } from '../../../lib/splat/cpu-renderer';
import { psnr } from '../../../lib/splat/image-metrics';
import { castFrame, intrinsics, lookAt, wall, type Vec3 } from './synthetic';

function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

/** Identity camera at the origin looking down -z. */
const cam = (w: number, h: number, f = 100): RenderCamera => ({
  intrinsics: { fx: f, fy: f, cx: w / 2, cy: h / 2, width: w, height: h },
  cameraToWorld: new Float64Array([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]),
});

function put(s: GaussianScene, p: Vec3, scale: Vec3, q: [number, number, number, number], opacity: number, color: Vec3, semantic = 0): number {
  const i = s.allocate(1);
  s.positions.set(p, i * 3);
  s.scales.set(scale, i * 3);
  s.rotations.set(q, i * 4);
  s.opacities[i] = opacity;
  s.colors.set(color, i * 3);
  s.semantic[i] = semantic;
  return i;
}

describe('renderGaussians: single Gaussian', () => {
  it('renders the closed-form 2D Gaussian footprint (isotropic, on axis)', () => {
    const s = new GaussianScene();
    const sigma = 0.04, z = 2, f = 100, op = 0.8;
    put(s, [0.013, -0.021, -z], [sigma, sigma, sigma], [0, 0, 0, 1], op, [1, 0.5, 0.25]);
    const r = renderGaussians(s, cam(48, 40, f));
    const u0 = 24 + (f * 0.013) / z, v0 = 20 + (f * 0.021) / z;
    // EWA closed form: J J^T sigma^2 with J = [[f/z, 0, f x/z^2], [0, -f/z, -f y/z^2]], plus the 0.3 px^2 low-pass
    const x = 0.013, y = -0.021, g = ((f * sigma) / z) ** 2;
    const xx = g * (1 + (x / z) ** 2) + 0.3, xy = -g * (x * y) / z ** 2, yy = g * (1 + (y / z) ** 2) + 0.3;
    const det = xx * yy - xy * xy;
    let maxErr = 0, checked = 0;
    for (let v = 0; v < 40; v++)
      for (let u = 0; u < 48; u++) {
        const dx = u + 0.5 - u0, dy = v + 0.5 - v0;
        let a = op * Math.exp((-0.5 * (yy * dx * dx - 2 * xy * dx * dy + xx * dy * dy)) / det);
        if (a < 1 / 255) a = 0; // skipped by the renderer
        const p = v * 48 + u;
        maxErr = Math.max(maxErr, Math.abs(r.alpha[p] - a), Math.abs(r.color[p * 3] - a), Math.abs(r.color[p * 3 + 1] - 0.5 * a));
        if (a > 0) {
          checked++;
          expect(r.depth[p]).toBeCloseTo(z, 5);
        }
      }
    expect(checked).toBeGreaterThan(20);
    expect(maxErr).toBeLessThan(1e-5);
  });

  it('renders an anisotropic rotated Gaussian as exp(-d^T Sigma2^-1 d / 2) with the EWA covariance', () => {
    const s = new GaussianScene();
    const ang = 0.6; // rotation about the optical axis: the ellipse's axes turn by the same angle
    const q: [number, number, number, number] = [0, 0, Math.sin(ang / 2), Math.cos(ang / 2)];
    const z = 3, f = 120, sa = 0.15, sb = 0.04;
    put(s, [0, 0, -z], [sa, sb, 0.01], q, 0.9, [1, 1, 1]);
    const r = renderGaussians(s, cam(64, 64, f));
    // closed form: rotated diag((f sa/z)^2, (f sb/z)^2); image v is flipped, so the angle is -ang
    const A = ((f * sa) / z) ** 2, B = ((f * sb) / z) ** 2, c = Math.cos(-ang), sn = Math.sin(-ang);
    const xx = c * c * A + sn * sn * B + 0.3, xy = c * sn * (A - B), yy = sn * sn * A + c * c * B + 0.3;
    const det = xx * yy - xy * xy;
    let maxErr = 0;
    for (let v = 0; v < 64; v++)
      for (let u = 0; u < 64; u++) {
        const dx = u + 0.5 - 32, dy = v + 0.5 - 32;
        let a = 0.9 * Math.exp(-0.5 * (yy * dx * dx - 2 * xy * dx * dy + xx * dy * dy) / det);
        if (a < 1 / 255) a = 0;
        maxErr = Math.max(maxErr, Math.abs(r.alpha[v * 64 + u] - a));
      }
    expect(maxErr).toBeLessThan(1e-5);
  });

  it('adds the view-dependent SH band-1 colour like 3DGS', () => {
    const s = new GaussianScene({ shDegree: 1 });
    put(s, [0.5, 0, -2], [0.2, 0.2, 0.2], [0, 0, 0, 1], 0.99, [0.5, 0.5, 0.5]);
    // band 1: coefficient order (y, z, x) with basis -C1*y, C1*z, -C1*x; only the red channel of the x-term set
    s.shRest[2 * 3] = 0.4;
    const r = renderGaussians(s, cam(32, 32, 20));
    const d = [0.5, 0, -2], l = Math.hypot(d[0], d[1], d[2]);
    const want = 0.5 - 0.4886025119029199 * (d[0] / l) * 0.4;
    const u = Math.floor(16 + (20 * 0.5) / 2), p = 16 * 32 + u;
    expect(r.color[p * 3] / r.alpha[p]).toBeCloseTo(want, 4);
    expect(r.color[p * 3 + 1] / r.alpha[p]).toBeCloseTo(0.5, 4);
  });

  it('culls Gaussians behind the camera and composites the background', () => {
    const s = new GaussianScene();
    put(s, [0, 0, 1], [0.5, 0.5, 0.5], [0, 0, 0, 1], 1, [1, 1, 1]);
    const r = renderGaussians(s, cam(16, 16), { background: [0.2, 0.4, 0.6], uint8: true });
    expect(r.stats.visible).toBe(0);
    expect(r.color[0]).toBeCloseTo(0.2, 6);
    expect(r.colorU8![2]).toBe(153);
    expect(r.alpha.every((a) => a === 0)).toBe(true);
  });
});

describe('renderGaussians: compositing', () => {
  it('does not depend on the input order (distinct depths)', () => {
    const r = rng(5);
    const n = 300;
    const s = new GaussianScene(), t = new GaussianScene();
    const items = Array.from({ length: n }, (_, i) => ({
      p: [r() * 2 - 1, r() * 2 - 1, -2 - i * 0.01 - r() * 0.001] as Vec3,
      s: [0.05 + r() * 0.1, 0.05 + r() * 0.1, 0.02] as Vec3,
      q: [r() - 0.5, r() - 0.5, r() - 0.5, r() + 0.5] as [number, number, number, number],
      o: 0.2 + r() * 0.7,
      c: [r(), r(), r()] as Vec3,
      sem: 1 + Math.floor(r() * 5),
    }));
    for (const it of items) put(s, it.p, it.s, it.q, it.o, it.c, it.sem);
    const perm = items.map((_, i) => i);
    for (let k = perm.length - 1; k > 0; k--) {
      const j = Math.floor(r() * (k + 1));
      [perm[k], perm[j]] = [perm[j], perm[k]];
    }
    for (const i of perm) put(t, items[i].p, items[i].s, items[i].q, items[i].o, items[i].c, items[i].sem);
    const a = renderGaussians(s, cam(64, 48)), b = renderGaussians(t, cam(64, 48));
    let diff = 0;
    for (let i = 0; i < a.color.length; i++) diff = Math.max(diff, Math.abs(a.color[i] - b.color[i]));
    for (let i = 0; i < a.depth.length; i++) diff = Math.max(diff, Math.abs(a.depth[i] - b.depth[i]));
    expect(diff).toBeLessThan(1e-6);
    expect(Array.from(a.semantic!)).toEqual(Array.from(b.semantic!));
    expect(a.alpha.some((x) => x > 0.5)).toBe(true);
  });

  it('an occluded Gaussian does not show, whatever the input order (early termination at T < 1e-4)', () => {
    for (const frontFirst of [true, false]) {
      const s = new GaussianScene();
      // a surface of two stacked opaque splats (alpha clamps at 0.99 each, T = 1e-4 behind them)
      const add = [
        () => put(s, [0, 0, -1], [0.3, 0.3, 0.01], [0, 0, 0, 1], 0.99, [1, 0, 0], 1),
        () => put(s, [0, 0, -1.001], [0.3, 0.3, 0.01], [0, 0, 0, 1], 0.99, [1, 0, 0], 1),
        () => put(s, [0, 0, -3], [0.1, 0.1, 0.01], [0, 0, 0, 1], 0.99, [0, 0, 1], 2),
      ];
      if (frontFirst) add.forEach((f) => f());
      else [...add].reverse().forEach((f) => f());
      const r = renderGaussians(s, cam(32, 32));
      const p = 16 * 32 + 16;
      expect(r.color[p * 3]).toBeGreaterThan(0.98);
      expect(r.color[p * 3 + 2]).toBe(0);
      expect(r.depth[p]).toBeGreaterThan(1);
      expect(r.depth[p]).toBeLessThan(1.001);
      expect(r.semantic![p]).toBe(1);
    }
  });
});

describe('renderGaussians: re-rendering a view built from its own depth', () => {
  it('reproduces the source image with PSNR > 30 dB and its depth to 1 %', () => {
    const soft = (p: Vec3): Vec3 => [0.5 + 0.3 * Math.sin(p[0] * 4), 0.5 + 0.3 * Math.sin(p[1] * 5 + 1), 0.5 + 0.3 * Math.cos((p[0] + p[1]) * 3)];
    const k = intrinsics(80, 60);
    const pose = lookAt([0.4, 1.3, 2.2], [0, 1.5, 0]);
    const f = castFrame('v', pose, k, [wall(soft)]);
    const s = new GaussianScene();
    gaussiansFromDepth(s, f, 0);
    const r = renderGaussians(s, { intrinsics: k, cameraToWorld: pose }, { uint8: true });
    const q = psnr({ width: 80, height: 60, data: r.colorU8! }, f.image);
    expect(q).toBeGreaterThan(30);
    for (let i = 0; i < r.depth.length; i++) expect(Math.abs(r.depth[i] - f.depth!.data[i]) / f.depth!.data[i]).toBeLessThan(0.01);
    // a naive baseline (flat grey) is far worse, so the metric is discriminative here
    const grey = new Uint8Array(80 * 60 * 3).fill(128);
    expect(psnr({ width: 80, height: 60, data: grey }, f.image)).toBeLessThan(q - 10);
  });
});

describe('renderGaussians: semantics', () => {
  function twoHalves() {
    const s = new GaussianScene({ bankDim: 4 });
    s.bank.add([1, 0, 0, 0], { label: 'left', instanceId: 1, sourceViews: [], support: 1 });
    s.bank.add([0, 3, 4, 0], { label: 'right', instanceId: 2, sourceViews: [], support: 1 });
    // a grid of small Gaussians: x < 0 carries index 1, x > 0 index 2, one background Gaussian in the middle column
    for (let iy = -10; iy <= 10; iy++)
      for (let ix = -10; ix <= 10; ix++) {
        const x = ix * 0.02;
        put(s, [x, iy * 0.02, -1 - 0.0001 * (ix + 20 * iy)], [0.015, 0.015, 0.002], [0, 0, 0, 1], 0.9, [0.5, 0.5, 0.5], ix < 0 ? 1 : ix > 0 ? 2 : 0);
      }
    return s;
  }

  it('the index map picks the bank index of maximum weight, with confidence max/sum', () => {
    const r = renderGaussians(twoHalves(), cam(40, 40, 80));
    const at = (u: number, v: number) => v * 40 + u;
    expect(r.semantic![at(12, 20)]).toBe(1);
    expect(r.semantic![at(28, 20)]).toBe(2);
    expect(r.semantic![at(0, 0)]).toBe(0); // nothing drawn
    expect(r.semanticConfidence![at(12, 20)]).toBeGreaterThan(0.99);
    expect(r.semanticConfidence![at(0, 0)]).toBe(0);
    const mid = r.semanticConfidence![at(20, 20)];
    expect(mid).toBeGreaterThan(0.3);
    expect(mid).toBeLessThan(0.95);
    expect(r.feature).toBeUndefined();
  });

  it('the bank feature is E^T B, L2-normalised, only when asked', () => {
    const r = renderGaussians(twoHalves(), cam(40, 40, 80), { bankFeature: true });
    const D = 4;
    const left = Array.from(r.feature!.subarray((20 * 40 + 12) * D, (20 * 40 + 12) * D + D));
    const right = Array.from(r.feature!.subarray((20 * 40 + 28) * D, (20 * 40 + 28) * D + D));
    expect(left[0]).toBeCloseTo(1, 4);
    expect(right[1]).toBeCloseTo(0.6, 4);
    expect(right[2]).toBeCloseTo(0.8, 4);
    // a pixel mixing both is a normalised blend of the two rows
    const m = Array.from(r.feature!.subarray((20 * 40 + 20) * D, (20 * 40 + 20) * D + D));
    expect(Math.hypot(...m)).toBeCloseTo(1, 5);
    expect(m[0]).toBeGreaterThan(0.05);
    expect(m[1]).toBeGreaterThan(0.05);
    expect(Array.from(r.feature!.subarray(0, D))).toEqual([0, 0, 0, 0]);
  });

  it('rejects a semantic index outside the bank when features are asked, and bad cameras', () => {
    const s = twoHalves();
    s.semantic[10 * 21 + 10] = 9; // the centre Gaussian, visible
    expect(() => renderGaussians(s, cam(8, 8), { bankFeature: true })).toThrow(/semantic index 9/);
    expect(() => renderGaussians(s, { ...cam(8, 8), width: 0 })).toThrow(/output size/);
    expect(() => renderGaussians(s, { ...cam(8, 8), cameraToWorld: new Float64Array(16) })).toThrow(/camera/);
  });
});
