/**
 * Blur detection for keyframe selection: variance of the Laplacian on a small grayscale thumbnail.
 * Motion blur and defocus remove high frequencies, so the Laplacian's variance drops. The absolute
 * value depends on the scene (a white wall is "blurry" at any focus), so the decision is relative
 * to a running median of recent frames of the same capture (RunningMedian below).
 */
import type { RgbImage } from './frame';
import { resizeArea, toGrayscale, type GrayImage } from './image-ops';

/** Variance of the 4-neighbour Laplacian over interior pixels (image values as given, e.g. 0..255). */
export function laplacianVariance(gray: GrayImage): number {
  const { width: w, height: h, data } = gray;
  if (data.length !== w * h) throw new Error(`laplacianVariance: ${data.length} values for ${w}x${h}`);
  if (w < 3 || h < 3) throw new Error(`laplacianVariance: image ${w}x${h} is too small (needs 3x3)`);
  let sum = 0, sum2 = 0;
  for (let y = 1; y < h - 1; y++) {
    const row = y * w;
    for (let x = 1; x < w - 1; x++) {
      const i = row + x;
      const l = data[i - 1] + data[i + 1] + data[i - w] + data[i + w] - 4 * data[i];
      sum += l;
      sum2 += l * l;
    }
  }
  const n = (w - 2) * (h - 2);
  const mean = sum / n;
  return Math.max(0, sum2 / n - mean * mean);
}

/**
 * Sharpness score of an RGB image: Laplacian variance of a grayscale thumbnail whose longer side is
 * `thumbSize` px (default 160). The thumbnail makes the score cheap (~25k pixels) and roughly
 * independent of the camera resolution; blur of a few full-resolution pixels still shows at 1/4-1/8.
 */
export function sharpnessScore(img: RgbImage, thumbSize = 160): number {
  const s = Math.min(1, thumbSize / Math.max(img.width, img.height));
  const w = Math.max(3, Math.round(img.width * s)), h = Math.max(3, Math.round(img.height * s));
  const thumb = w === img.width && h === img.height ? img : resizeArea(img, w, h);
  return laplacianVariance(toGrayscale(thumb));
}

/** Median of the last `window` values (small windows: sorting a copy is cheap and simple). */
export class RunningMedian {
  private values: number[] = [];
  constructor(private readonly window = 31) {
    if (!Number.isInteger(window) || window < 1) throw new Error(`RunningMedian: window must be a positive integer, got ${window}`);
  }
  push(v: number): void {
    if (!Number.isFinite(v)) throw new Error(`RunningMedian: value must be finite, got ${v}`);
    this.values.push(v);
    if (this.values.length > this.window) this.values.shift();
  }
  get count(): number {
    return this.values.length;
  }
  /** NaN when empty. */
  median(): number {
    const n = this.values.length;
    if (n === 0) return NaN;
    const s = [...this.values].sort((a, b) => a - b);
    return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  }
  clear(): void {
    this.values = [];
  }
}
