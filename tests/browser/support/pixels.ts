/** Screenshot statistics: is an image blank, and how much of it differs from a background colour. */
import { PNG } from 'pngjs';

export interface PixelStats {
  width: number;
  height: number;
  /** Mean per-channel variance of 0..255 values over all pixels. */
  variance: number;
  /** Distinct colours after quantising to 5 bits per channel. */
  distinctColours: number;
  /** Fraction of pixels farther than 24 (max channel difference) from the most common colour. */
  nonBackground: number;
}

export function pixelStats(png: Buffer): PixelStats {
  const img = PNG.sync.read(png);
  const { width, height, data } = img;
  const n = width * height;
  const sum = [0, 0, 0];
  const sum2 = [0, 0, 0];
  const hist = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) {
      const v = data[4 * i + c];
      sum[c] += v;
      sum2[c] += v * v;
    }
    const key = ((data[4 * i] >> 3) << 10) | ((data[4 * i + 1] >> 3) << 5) | (data[4 * i + 2] >> 3);
    hist.set(key, (hist.get(key) ?? 0) + 1);
  }
  let variance = 0;
  for (let c = 0; c < 3; c++) variance += sum2[c] / n - (sum[c] / n) ** 2;
  let bgKey = 0;
  let bgCount = -1;
  for (const [k, v] of hist) if (v > bgCount) [bgKey, bgCount] = [k, v];
  const bg = [((bgKey >> 10) & 31) << 3, ((bgKey >> 5) & 31) << 3, (bgKey & 31) << 3];
  let far = 0;
  for (let i = 0; i < n; i++) {
    const d = Math.max(Math.abs(data[4 * i] - bg[0]), Math.abs(data[4 * i + 1] - bg[1]), Math.abs(data[4 * i + 2] - bg[2]));
    if (d > 24) far++;
  }
  return { width, height, variance: variance / 3, distinctColours: hist.size, nonBackground: far / n };
}

/** Mean absolute per-channel difference (0..255) between two same-size screenshots. */
export function meanAbsDiff(a: Buffer, b: Buffer): number {
  const x = PNG.sync.read(a);
  const y = PNG.sync.read(b);
  if (x.width !== y.width || x.height !== y.height) throw new Error(`meanAbsDiff: sizes differ (${x.width}x${x.height} vs ${y.width}x${y.height})`);
  let s = 0;
  for (let i = 0; i < x.data.length; i += 4) s += Math.abs(x.data[i] - y.data[i]) + Math.abs(x.data[i + 1] - y.data[i + 1]) + Math.abs(x.data[i + 2] - y.data[i + 2]);
  return s / ((x.data.length / 4) * 3);
}
