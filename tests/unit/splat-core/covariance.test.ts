import { describe, expect, it } from 'vitest';
import { covariance3D, projectCovariance, quatAxisZ, quatFromAxes, quatFromZTo, quatToMat3, LOW_PASS_PX2 } from '../../../lib/splat/covariance';

/** Deterministic pseudo-random numbers (no Math.random in tests). */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

function randomUnit(r: () => number): [number, number, number] {
  const v: [number, number, number] = [r() * 2 - 1, r() * 2 - 1, r() * 2 - 1];
  const l = Math.hypot(...v);
  return [v[0] / l, v[1] / l, v[2] / l];
}

describe('rotations', () => {
  it('quatFromAxes inverts quatToMat3 for random rotations, including ones with a negative trace', () => {
    const r = rng(1);
    const m = new Float64Array(9), q = new Float64Array(4), m2 = new Float64Array(9);
    for (let t = 0; t < 500; t++) {
      const axis = randomUnit(r), ang = r() * 2 * Math.PI;
      const s = Math.sin(ang / 2);
      quatToMat3(axis[0] * s, axis[1] * s, axis[2] * s, Math.cos(ang / 2), m);
      quatFromAxes(m[0], m[3], m[6], m[1], m[4], m[7], m[2], m[5], m[8], q);
      expect(Math.hypot(q[0], q[1], q[2], q[3])).toBeCloseTo(1, 12);
      quatToMat3(q[0], q[1], q[2], q[3], m2);
      for (let i = 0; i < 9; i++) expect(m2[i]).toBeCloseTo(m[i], 9);
    }
  });

  it('quatFromZTo turns local +z onto the given normal, also for n = -z', () => {
    const r = rng(2);
    const q = new Float64Array(4), z = new Float64Array(3);
    const normals = [[0, 0, -1], [0, 0, 1], ...Array.from({ length: 100 }, () => randomUnit(r))];
    for (const n of normals) {
      quatFromZTo(n[0], n[1], n[2], q);
      quatAxisZ(q[0], q[1], q[2], q[3], z);
      for (let i = 0; i < 3; i++) expect(z[i]).toBeCloseTo(n[i], 9);
    }
  });
});

describe('covariance3D', () => {
  it('equals R diag(s^2) R^T built from the rotation matrix', () => {
    const r = rng(3);
    const m = new Float64Array(9), c = new Float64Array(6);
    for (let t = 0; t < 100; t++) {
      const axis = randomUnit(r), ang = r() * 6;
      const s = Math.sin(ang / 2);
      const q = [axis[0] * s, axis[1] * s, axis[2] * s, Math.cos(ang / 2)];
      const sc = [r() + 0.01, r() + 0.01, r() * 0.1 + 0.001];
      // unnormalised quaternion input is normalised by covariance3D
      covariance3D(sc[0], sc[1], sc[2], q[0] * 3, q[1] * 3, q[2] * 3, q[3] * 3, c);
      quatToMat3(q[0], q[1], q[2], q[3], m);
      const full = (i: number, j: number) => m[i * 3] * m[j * 3] * sc[0] ** 2 + m[i * 3 + 1] * m[j * 3 + 1] * sc[1] ** 2 + m[i * 3 + 2] * m[j * 3 + 2] * sc[2] ** 2;
      const want = [full(0, 0), full(0, 1), full(0, 2), full(1, 1), full(1, 2), full(2, 2)];
      for (let i = 0; i < 6; i++) expect(c[i]).toBeCloseTo(want[i], 10);
    }
  });
});

describe('projectCovariance (EWA)', () => {
  it('an isotropic Gaussian on the optical axis projects to (f sigma / z)^2 + 0.3 px^2', () => {
    const c = new Float64Array(6), out = new Float64Array(3);
    const sigma = 0.05, z = 2, fx = 300, fy = 280;
    covariance3D(sigma, sigma, sigma, 0, 0, 0, 1, c);
    projectCovariance(c, 0, [1, 0, 0, 0, 1, 0, 0, 0, 1], 0, 0, -z, fx, fy, 1, 1, out);
    expect(out[0]).toBeCloseTo((fx * sigma / z) ** 2 + LOW_PASS_PX2, 9);
    expect(out[1]).toBeCloseTo(0, 12);
    expect(out[2]).toBeCloseTo((fy * sigma / z) ** 2 + LOW_PASS_PX2, 9);
  });

  it('matches a finite-difference Jacobian of the pinhole projection off-axis', () => {
    const c = new Float64Array(6), out = new Float64Array(3);
    covariance3D(0.2, 0.05, 0.01, 0.1, 0.3, -0.2, 0.9, c);
    const fx = 200, fy = 210, p = [0.3, -0.2, -2.5];
    projectCovariance(c, 0, [1, 0, 0, 0, 1, 0, 0, 0, 1], p[0], p[1], p[2], fx, fy, 10, 10, out);
    const proj = (x: number, y: number, z: number) => [(fx * x) / -z, (-fy * y) / -z];
    const h = 1e-6;
    const J = [0, 1, 2].map((k) => {
      const a = [...p], b = [...p];
      a[k] += h; b[k] -= h;
      const pa = proj(a[0], a[1], a[2]), pb = proj(b[0], b[1], b[2]);
      return [(pa[0] - pb[0]) / (2 * h), (pa[1] - pb[1]) / (2 * h)];
    });
    const S = [[c[0], c[1], c[2]], [c[1], c[3], c[4]], [c[2], c[4], c[5]]];
    const e = (r: number, s: number) => {
      let v = 0;
      for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) v += J[i][r] * S[i][j] * J[j][s];
      return v;
    };
    expect(out[0]).toBeCloseTo(e(0, 0) + LOW_PASS_PX2, 4);
    expect(out[1]).toBeCloseTo(e(0, 1), 4);
    expect(out[2]).toBeCloseTo(e(1, 1) + LOW_PASS_PX2, 4);
  });
});
