import { describe, expect, it } from 'vitest';
import type { Frame } from '../../../lib/capture/frame';
import { GaussianScene, SceneBudgetError } from '../../../lib/splat/gaussian-scene';
import { gaussiansFromDepth } from '../../../lib/splat/gaussians-from-depth';
import { quatAxisZ } from '../../../lib/splat/covariance';
import { castFrame, intrinsics, lookAt, norm, smoothTexture, wall, type Rect, type Vec3 } from './synthetic';

const normalOf = (s: GaussianScene, i: number): Vec3 => {
  const z = new Float64Array(3);
  quatAxisZ(s.rotations[i * 4], s.rotations[i * 4 + 1], s.rotations[i * 4 + 2], s.rotations[i * 4 + 3], z);
  return [z[0], z[1], z[2]];
};

describe('gaussiansFromDepth on a fronto-parallel wall', () => {
  const k = intrinsics(40, 30);
  const pose = lookAt([0.2, 1.5, 2], [0.2, 1.5, 0]);
  const frame = castFrame('f', pose, k, [wall()]);

  it('puts one Gaussian per pixel on the wall, facing the camera, with the pixel colour and index', () => {
    const s = new GaussianScene();
    const r = gaussiansFromDepth(s, frame, 7);
    expect(r).toMatchObject({ start: 0, count: 40 * 30, invalid: 0, flying: 0, outsideImage: 0 });
    expect(s.count).toBe(1200);
    for (let i = 0; i < s.count; i++) {
      expect(Math.abs(s.positions[i * 3 + 2])).toBeLessThan(1e-5);
      const n = normalOf(s, i);
      expect(n[2]).toBeGreaterThan(0.9999);
      expect(s.sourceView[i]).toBe(7);
      const p = s.sourcePixel[i];
      const u = p % 40, v = Math.floor(p / 40);
      // the pixel centre's ray hits the wall where the Gaussian is
      const x = 0.2 + ((u + 0.5 - k.cx) / k.fx) * 2, y = 1.5 - ((v + 0.5 - k.cy) / k.fy) * 2;
      expect(s.positions[i * 3]).toBeCloseTo(x, 5);
      expect(s.positions[i * 3 + 1]).toBeCloseTo(y, 5);
      for (let c = 0; c < 3; c++) expect(s.colors[i * 3 + c]).toBeCloseTo(frame.image.data[p * 3 + c] / 255, 6);
      // footprint: depth / focal, times the default 0.5; thin along the normal
      expect(s.scales[i * 3 + 1]).toBeCloseTo((0.5 * 2) / k.fx, 6);
      expect(s.scales[i * 3 + 2]).toBeCloseTo(0.1 * s.scales[i * 3 + 1], 6);
      expect(s.opacities[i]).toBeCloseTo(0.99, 6);
      expect(s.weight[i]).toBeGreaterThan(0);
    }
  });

  it('stride takes every n-th pixel and widens the footprint accordingly', () => {
    const s = new GaussianScene();
    const r = gaussiansFromDepth(s, frame, 0, { stride: 3 });
    expect(r.count).toBe(Math.ceil(40 / 3) * Math.ceil(30 / 3));
    for (let i = 0; i < s.count; i++) {
      const p = s.sourcePixel[i];
      expect((p % 40) % 3).toBe(0);
      expect(Math.floor(p / 40) % 3).toBe(0);
      expect(s.scales[i * 3 + 1]).toBeCloseTo((0.5 * 2 * 3) / k.fx, 6);
    }
  });

  it('appends after existing Gaussians and uses depth confidence for opacity', () => {
    const s = new GaussianScene();
    gaussiansFromDepth(s, frame, 0, { stride: 4 });
    const n0 = s.count;
    const conf = new Float32Array(40 * 30).fill(0.5);
    conf[0] = 0; // skipped
    const f2: Frame = { ...frame, depth: { ...frame.depth!, confidence: conf } };
    const r = gaussiansFromDepth(s, f2, 1);
    expect(r.start).toBe(n0);
    expect(r.count).toBe(1199);
    expect(r.invalid).toBe(1);
    for (let i = n0; i < s.count; i++) {
      expect(s.opacities[i]).toBeCloseTo(0.99 * 0.5, 6);
      expect(s.sourceView[i]).toBe(1);
    }
    expect(s.sourceView[0]).toBe(0);
  });
});

describe('gaussiansFromDepth geometry', () => {
  it('orients Gaussians along a tilted plane and stretches them along the tilt by 1/cos', () => {
    // A floor seen from 1.5 m high looking down at 45 degrees.
    const floor: Rect = { center: [0, 0, -2], axisU: [5, 0, 0], axisV: [0, 0, 5], color: smoothTexture };
    const k = intrinsics(48, 36);
    const pose = lookAt([0, 1.5, 0], [0, 0, -1.5]);
    const f = castFrame('floor', pose, k, [floor]);
    const s = new GaussianScene();
    gaussiansFromDepth(s, f, 0);
    expect(s.count).toBeGreaterThan(1500);
    for (let i = 0; i < s.count; i++) {
      expect(Math.abs(s.positions[i * 3 + 1])).toBeLessThan(1e-4);
      const n = normalOf(s, i);
      expect(n[1]).toBeGreaterThan(0.999);
      const toCam = norm([-s.positions[i * 3], 1.5 - s.positions[i * 3 + 1], -s.positions[i * 3 + 2]]);
      const cos = Math.max(0.25, toCam[1]);
      expect(s.scales[i * 3] / s.scales[i * 3 + 1]).toBeCloseTo(1 / cos, 2);
    }
  });

  it('uses the depth map\'s own intrinsics and samples the image at the same ray', () => {
    const k = intrinsics(64, 48);
    const pose = lookAt([0.1, 1.2, 2.5], [0, 1.5, 0]);
    // 0.4x depth: depth pixel centres never fall on image pixel borders
    const f = castFrame('small', pose, k, [wall()], { depthScale: 0.4 });
    expect(f.depth!.width).toBe(26);
    const s = new GaussianScene();
    const r = gaussiansFromDepth(s, f, 2);
    expect(r.count).toBe(26 * 19);
    const m = pose;
    for (let i = 0; i < s.count; i++) {
      const p = s.sourcePixel[i];
      const u = p % 64, v = Math.floor(p / 64);
      // project the Gaussian into the image: it must land inside the recorded image pixel
      const d = [s.positions[i * 3] - m[12], s.positions[i * 3 + 1] - m[13], s.positions[i * 3 + 2] - m[14]];
      const cx = m[0] * d[0] + m[1] * d[1] + m[2] * d[2], cy = m[4] * d[0] + m[5] * d[1] + m[6] * d[2], cz = m[8] * d[0] + m[9] * d[1] + m[10] * d[2];
      const iu = k.cx + (k.fx * cx) / -cz, iv = k.cy - (k.fy * cy) / -cz;
      expect(Math.floor(iu)).toBe(u);
      expect(Math.floor(iv)).toBe(v);
      for (let c = 0; c < 3; c++) expect(s.colors[i * 3 + c]).toBeCloseTo(f.image.data[p * 3 + c] / 255, 6);
    }
  });

  it('rescales depth intrinsics that describe another size than the depth array', () => {
    const k = intrinsics(32, 24);
    const pose = lookAt([0, 1.5, 2], [0, 1.5, 0]);
    const f = castFrame('half', pose, k, [wall()], { depthScale: 0.5 });
    const direct = new GaussianScene();
    gaussiansFromDepth(direct, f, 0);
    // same depth array, intrinsics given at the image's resolution (as some devices report them)
    const f2: Frame = { ...f, depth: { ...f.depth!, intrinsics: k } };
    const rescaled = new GaussianScene();
    gaussiansFromDepth(rescaled, f2, 0);
    expect(rescaled.count).toBe(direct.count);
    for (let i = 0; i < direct.count * 3; i++) expect(rescaled.positions[i]).toBeCloseTo(direct.positions[i], 5);
  });

  it('drops flying pixels between depth layers and lowers opacity at occlusion edges', () => {
    const k = intrinsics(40, 20);
    const pose = lookAt([0, 1.5, 3], [0, 1.5, 0]);
    const f = castFrame('edge', pose, k, [wall()]);
    const D = f.depth!.data;
    // left half at 1.5 m, right half at 3 m, column 20 interpolated between (a flying pixel column)
    for (let v = 0; v < 20; v++)
      for (let u = 0; u < 40; u++) D[v * 40 + u] = u < 20 ? 1.5 : u === 20 ? 2.2 : 3;
    const s = new GaussianScene();
    const r = gaussiansFromDepth(s, f, 0);
    expect(r.flying).toBe(20);
    expect(r.count).toBe(39 * 20);
    for (let i = 0; i < s.count; i++) {
      const u = s.sourcePixel[i] % 40;
      const z = s.positions[i * 3 + 2];
      // nothing floats between the two layers (z = 1.5 and z = 0 in world)
      expect(Math.min(Math.abs(z - 1.5), Math.abs(z))).toBeLessThan(1e-4);
      if (u === 19 || u === 21) expect(s.opacities[i]).toBeCloseTo(0.99 * 0.5, 6);
      else expect(s.opacities[i]).toBeCloseTo(0.99, 6);
      // normals are not bent by the jump (one-sided differences next to it)
      expect(normalOf(s, i)[2]).toBeGreaterThan(0.999);
    }
  });

  it('skips missing, non-finite and out-of-range depth', () => {
    const k = intrinsics(10, 10);
    const f = castFrame('holes', lookAt([0, 1.5, 2], [0, 1.5, 0]), k, [wall()]);
    const D = f.depth!.data;
    D[0] = 0; D[1] = NaN; D[2] = Infinity; D[3] = -1; D[4] = 0.01; D[5] = 200;
    const s = new GaussianScene();
    const r = gaussiansFromDepth(s, f, 0);
    expect(r.invalid).toBe(6);
    expect(r.count).toBe(94);
    for (let i = 0; i < s.count * 3; i++) expect(Number.isFinite(s.positions[i])).toBe(true);
  });
});

describe('gaussiansFromDepth input checks', () => {
  const k = intrinsics(8, 8);
  const f = castFrame('x', lookAt([0, 1.5, 2], [0, 1.5, 0]), k, [wall()]);
  it('rejects bad input with named errors', () => {
    const s = new GaussianScene();
    expect(() => gaussiansFromDepth(s, { ...f, depth: undefined }, 0)).toThrow(/no depth map/);
    expect(() => gaussiansFromDepth(s, f, -1)).toThrow(/viewIndex/);
    expect(() => gaussiansFromDepth(s, f, 0x10000)).toThrow(/viewIndex/);
    expect(() => gaussiansFromDepth(s, f, 0, { stride: 0 })).toThrow(/stride/);
    expect(() => gaussiansFromDepth(s, f, 0, { stride: 1.5 })).toThrow(/stride/);
    expect(() => gaussiansFromDepth(s, { ...f, depth: { ...f.depth!, data: new Float32Array(5) } }, 0)).toThrow(/depth has 5 values/);
    const bad = new Float64Array(f.cameraToWorld);
    bad[0] = 2;
    expect(() => gaussiansFromDepth(s, { ...f, cameraToWorld: bad }, 0)).toThrow(/orthonormal/);
    expect(() => gaussiansFromDepth(s, { ...f, intrinsics: { ...k, fx: NaN } }, 0)).toThrow(/intrinsics.fx/);
    expect(s.count).toBe(0);
  });

  it('throws SceneBudgetError before writing anything when the view does not fit', () => {
    const s = new GaussianScene({ budget: 70 });
    gaussiansFromDepth(s, f, 0, { stride: 2 });
    expect(s.count).toBe(16);
    expect(() => gaussiansFromDepth(s, f, 1)).toThrow(SceneBudgetError);
    expect(s.count).toBe(16);
  });
});
