import { describe, expect, it } from 'vitest';
import { mse, psnr, ssim, type MetricImage } from '../../../lib/splat/image-metrics';

function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

function texture(w: number, h: number, c = 3): Float32Array {
  const d = new Float32Array(w * h * c);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let ch = 0; ch < c; ch++) d[(y * w + x) * c + ch] = 0.5 + 0.4 * Math.sin(x * 0.3 + ch) * Math.cos(y * 0.2 - ch);
  return d;
}

/** Direct SSIM: for every pixel whose 11x11 window fits, weighted moments from the 2D Gaussian window. */
function naiveSsim(a: Float32Array, b: Float32Array, w: number, h: number, c: number): number {
  const win: number[] = [];
  let sum = 0;
  for (let j = -5; j <= 5; j++) for (let i = -5; i <= 5; i++) sum += win[(j + 5) * 11 + i + 5] = Math.exp(-(i * i + j * j) / (2 * 1.5 * 1.5));
  const C1 = 0.01 ** 2, C2 = 0.03 ** 2;
  let total = 0, n = 0;
  for (let ch = 0; ch < c; ch++)
    for (let y = 5; y < h - 5; y++)
      for (let x = 5; x < w - 5; x++) {
        let ma = 0, mb = 0, aa = 0, bb = 0, ab = 0;
        for (let j = -5; j <= 5; j++)
          for (let i = -5; i <= 5; i++) {
            const g = win[(j + 5) * 11 + i + 5] / sum;
            const va = a[((y + j) * w + x + i) * c + ch], vb = b[((y + j) * w + x + i) * c + ch];
            ma += g * va; mb += g * vb; aa += g * va * va; bb += g * vb * vb; ab += g * va * vb;
          }
        const sa = aa - ma * ma, sb = bb - mb * mb, sab = ab - ma * mb;
        total += ((2 * ma * mb + C1) * (2 * sab + C2)) / ((ma * ma + mb * mb + C1) * (sa + sb + C2));
        n++;
      }
  return total / n;
}

describe('psnr', () => {
  it('is infinite for identical images and 10 log10(peak^2 / MSE) otherwise', () => {
    const a: MetricImage = { width: 4, height: 2, data: new Float32Array(24).fill(0.5) };
    expect(psnr(a, a)).toBe(Infinity);
    const b: MetricImage = { width: 4, height: 2, data: new Float32Array(24).fill(0.6) };
    expect(mse(a, b)).toBeCloseTo(0.01, 8);
    expect(psnr(a, b)).toBeCloseTo(20, 5);
    const u8a: MetricImage = { width: 4, height: 2, data: new Uint8Array(24).fill(100) };
    const u8b: MetricImage = { width: 4, height: 2, data: new Uint8Array(24).fill(110) };
    expect(psnr(u8a, u8b)).toBeCloseTo(10 * Math.log10((255 * 255) / 100), 8);
    expect(psnr(u8a, u8b, { peak: 100 })).toBeCloseTo(20, 8);
  });

  it('rejects images of different shape or inconsistent size', () => {
    const a: MetricImage = { width: 4, height: 2, data: new Float32Array(24) };
    expect(() => psnr(a, { width: 2, height: 4, data: new Float32Array(24) })).toThrow(/differ in shape/);
    expect(() => psnr(a, { width: 4, height: 2, data: new Float32Array(23) })).toThrow(/do not make/);
    expect(() => psnr(a, { width: 4, height: 2, data: new Float32Array(24).fill(NaN) })).toThrow(/non-finite/);
  });
});

describe('ssim (11x11 Gaussian window, sigma 1.5, per channel)', () => {
  const w = 40, h = 32;
  const a = texture(w, h);
  const r = rng(9);
  const noisy = a.map((v) => v + (r() - 0.5) * 0.2);

  it('is 1 for identical images in every mode', () => {
    const img = { width: w, height: h, data: a };
    expect(ssim(img, img)).toBeCloseTo(1, 10);
    expect(ssim(img, img, { border: 'zero' })).toBeCloseTo(1, 10);
    expect(ssim(img, img, { luma: true })).toBeCloseTo(1, 10);
  });

  it('matches a direct (non-separable) window computation', () => {
    const got = ssim({ width: w, height: h, data: a }, { width: w, height: h, data: noisy });
    expect(got).toBeCloseTo(naiveSsim(a, noisy, w, h, 3), 8);
  });

  it('is symmetric, drops with noise, and punishes structure loss more than a brightness shift', () => {
    const A = { width: w, height: h, data: a }, N = { width: w, height: h, data: noisy };
    const shifted = { width: w, height: h, data: a.map((v) => v + 0.05) };
    const s1 = ssim(A, N);
    expect(s1).toBeCloseTo(ssim(N, A), 12);
    expect(s1).toBeLessThan(0.9);
    expect(ssim(A, shifted)).toBeGreaterThan(s1);
    expect(ssim(A, shifted)).toBeLessThan(1);
  });

  it('works on 8-bit images with peak 255 like on floats with peak 1', () => {
    const q = (d: Float32Array) => Uint8Array.from(d, (v) => Math.round(Math.min(1, Math.max(0, v)) * 255));
    const fa = Float32Array.from(q(a), (v) => v / 255), fn = Float32Array.from(q(noisy), (v) => v / 255);
    const u8 = ssim({ width: w, height: h, data: q(a) }, { width: w, height: h, data: q(noisy) });
    const fl = ssim({ width: w, height: h, data: fa }, { width: w, height: h, data: fn });
    expect(u8).toBeCloseTo(fl, 8);
  });

  it('needs an 11x11 image for the valid border', () => {
    const tiny = { width: 8, height: 8, data: new Float32Array(64 * 3) };
    expect(() => ssim(tiny, tiny)).toThrow(/at least 11x11/);
    expect(ssim(tiny, tiny, { border: 'zero' })).toBeCloseTo(1, 10);
  });
});
