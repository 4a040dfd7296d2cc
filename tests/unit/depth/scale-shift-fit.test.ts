import { describe, expect, it } from 'vitest';
import { applyScaleShift, fitScaleShift } from '../../../lib/inference/depth/scale-shift-fit';

function lcg(seed: number) {
  return () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed / 4294967296;
  };
}

describe('fitScaleShift', () => {
  it('recovers a known affine map in inverse depth despite 30% outliers and holes', () => {
    const rand = lcg(1);
    const n = 5000;
    const mono = new Float32Array(n), target = new Float32Array(n);
    const a = 0.7, b = 0.12;
    for (let i = 0; i < n; i++) {
      mono[i] = 0.5 + 4 * rand();
      const inv = a / mono[i] + b;
      target[i] = (1 / inv) * (1 + 0.002 * (rand() - 0.5));
      if (rand() < 0.3) target[i] = 0.3 + 10 * rand(); // outlier
      if (rand() < 0.1) target[i] = 0; // hole
    }
    const fit = fitScaleShift(mono, target);
    expect(fit.space).toBe('inverse');
    expect(Math.abs(fit.scale - a) / a).toBeLessThan(0.01);
    expect(Math.abs(fit.shift - b)).toBeLessThan(0.005);
    expect(fit.inliers / fit.samples).toBeGreaterThan(0.6);
    const out = applyScaleShift(mono, fit);
    expect(Math.abs(out[3] - 1 / (a / mono[3] + b)) / out[3]).toBeLessThan(0.01);
  });

  it('fits in depth space on request', () => {
    const rand = lcg(2);
    const n = 2000;
    const mono = new Float32Array(n), target = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      mono[i] = 1 + 3 * rand();
      target[i] = rand() < 0.2 ? 20 * rand() + 0.1 : 2.5 * mono[i] - 0.8;
    }
    const fit = fitScaleShift(mono, target, { space: 'depth' });
    expect(fit.scale).toBeCloseTo(2.5, 2);
    expect(fit.shift).toBeCloseTo(-0.8, 2);
  });

  it('rejects unusable inputs', () => {
    expect(() => fitScaleShift(new Float32Array(3), new Float32Array(4))).toThrow(/differ in size/);
    expect(() => fitScaleShift(new Float32Array([1, 2]), new Float32Array([0, 0]))).toThrow(/at least 2 pixels/);
  });
});
