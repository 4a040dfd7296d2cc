import { describe, expect, it } from 'vitest';
import { boxDownsample, resizeArea, resizeBilinear, rgbaToRgb, scaledSize, toGrayscale } from '../../../lib/capture/image-ops';
import { rng } from './helpers';

function noise(w: number, h: number, seed: number) {
  const r = rng(seed);
  return { width: w, height: h, data: new Uint8Array(w * h * 3).map(() => Math.floor(r() * 256)) };
}

/** Mean of each channel, the quantity area resampling must preserve. */
function means(img: { width: number; height: number; data: Uint8Array }) {
  const s = [0, 0, 0];
  for (let i = 0; i < img.data.length; i++) s[i % 3] += img.data[i];
  return s.map((v) => v / (img.width * img.height));
}

describe('image ops', () => {
  it('boxDownsample averages f x f blocks exactly', () => {
    const img = noise(8, 6, 1);
    const out = boxDownsample(img, 2);
    expect([out.width, out.height]).toEqual([4, 3]);
    for (let y = 0; y < 3; y++)
      for (let x = 0; x < 4; x++)
        for (let c = 0; c < 3; c++) {
          let s = 0;
          for (let dy = 0; dy < 2; dy++) for (let dx = 0; dx < 2; dx++) s += img.data[((2 * y + dy) * 8 + 2 * x + dx) * 3 + c];
          expect(out.data[(y * 4 + x) * 3 + c]).toBe(Math.floor((s + 2) / 4));
        }
    expect(boxDownsample(noise(9, 7, 1), 2).width).toBe(4);
    expect(() => boxDownsample(img, 1.5)).toThrow(/positive integer/);
    expect(() => boxDownsample(img, 9)).toThrow(/smaller than the factor/);
  });

  it('resizeArea equals box averaging for integer ratios and preserves the mean for any ratio', () => {
    const img = noise(40, 24, 2);
    const a = resizeArea(img, 10, 6), b = boxDownsample(img, 4);
    for (let i = 0; i < a.data.length; i++) expect(Math.abs(a.data[i] - b.data[i])).toBeLessThanOrEqual(1);
    const odd = resizeArea(img, 13, 7);
    const m0 = means(img), m1 = means(odd);
    for (let c = 0; c < 3; c++) expect(Math.abs(m0[c] - m1[c])).toBeLessThan(1);
    // a constant image stays constant
    const flat = { width: 17, height: 9, data: new Uint8Array(17 * 9 * 3).fill(77) };
    expect(resizeArea(flat, 5, 3).data.every((v) => v === 77)).toBe(true);
  });

  it('resizeBilinear keeps pixel centres aligned (a 2x upsample of a ramp is a ramp)', () => {
    const w = 6;
    const img = { width: w, height: 1, data: new Uint8Array(w * 3) };
    for (let x = 0; x < w; x++) img.data.fill(x * 40, x * 3, x * 3 + 3);
    const up = resizeBilinear(img, 12, 2);
    // output pixel x maps to source (x + 0.5) / 2 - 0.5
    for (let x = 0; x < 12; x++) {
      const s = Math.min(w - 1, Math.max(0, (x + 0.5) / 2 - 0.5));
      expect(up.data[x * 3]).toBe(Math.round(s * 40));
      expect(up.data[(12 + x) * 3]).toBe(up.data[x * 3]);
    }
    const same = resizeBilinear(noise(5, 4, 3), 5, 4);
    expect(Array.from(same.data)).toEqual(Array.from(noise(5, 4, 3).data));
    expect(() => resizeBilinear(img, 0, 3)).toThrow(/positive integers/);
  });

  it('toGrayscale uses Rec. 601 luma; rgbaToRgb drops alpha and can flip rows', () => {
    const img = { width: 3, height: 1, data: Uint8Array.from([255, 0, 0, 0, 255, 0, 10, 10, 10]) };
    const g = toGrayscale(img).data;
    expect(g[0]).toBeCloseTo(76.245, 3);
    expect(g[1]).toBeCloseTo(149.685, 3);
    expect(g[2]).toBeCloseTo(10, 4);
    const rgba = Uint8Array.from([1, 2, 3, 9, 4, 5, 6, 9]); // 1x2, bottom-up rows as from readPixels
    expect(Array.from(rgbaToRgb(rgba, 1, 2).data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(rgbaToRgb(rgba, 1, 2, { flipY: true }).data)).toEqual([4, 5, 6, 1, 2, 3]);
    expect(() => rgbaToRgb(rgba, 2, 2)).toThrow(/expected 16/);
    expect(() => toGrayscale({ width: 2, height: 2, data: new Uint8Array(3) })).toThrow(/expected 12/);
  });

  it('scaledSize rounds and rejects bad scales', () => {
    expect(scaledSize(1080, 1920, 0.25)).toEqual({ width: 270, height: 480 });
    expect(scaledSize(3, 3, 0.01)).toEqual({ width: 1, height: 1 });
    expect(() => scaledSize(10, 10, 0)).toThrow(/positive/);
    expect(() => scaledSize(10, 10, NaN)).toThrow(/positive/);
  });
});
