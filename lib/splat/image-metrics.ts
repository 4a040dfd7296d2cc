/**
 * Image quality metrics for novel-view evaluation: PSNR and SSIM.
 *
 * Images are row-major, interleaved channels. Uint8 data has peak 255, float data peak 1 (override
 * with `peak`). SSIM follows Wang et al. 2004 with the constants every 3DGS paper uses: an 11×11
 * Gaussian window with sigma 1.5 (separable), K1 = 0.01, K2 = 0.03, computed PER CHANNEL and
 * averaged over channels and pixels (as in 3DGS's `ssim()`); `luma: true` instead scores the
 * Rec. 601 luminance only. Borders: `border: 'valid'` (default) averages only the pixels whose
 * whole window lies inside the image (scikit-image style); `'zero'` averages every pixel with a
 * zero-padded window, which is exactly the 3DGS/pytorch `F.conv2d(padding=5)` convention.
 */

export interface MetricImage {
  width: number;
  height: number;
  data: Uint8Array | Uint8ClampedArray | Float32Array | Float64Array;
  /** Channels per pixel (default: data.length / (width × height)). */
  channels?: number;
}

function channelsOf(img: MetricImage, what: string): number {
  const { width: w, height: h } = img;
  if (!Number.isInteger(w) || !Number.isInteger(h) || w <= 0 || h <= 0) throw new Error(`${what}: bad image size ${w}x${h}`);
  const c = img.channels ?? img.data.length / (w * h);
  if (!Number.isInteger(c) || c < 1 || c > 4 || img.data.length !== w * h * c)
    throw new Error(`${what}: ${img.data.length} values do not make a ${w}x${h} image with 1..4 channels`);
  return c;
}

function checkPair(a: MetricImage, b: MetricImage, what: string): number {
  const ca = channelsOf(a, what), cb = channelsOf(b, what);
  if (a.width !== b.width || a.height !== b.height || ca !== cb)
    throw new Error(`${what}: images differ in shape (${a.width}x${a.height}x${ca} vs ${b.width}x${b.height}x${cb})`);
  return ca;
}

const defaultPeak = (img: MetricImage) => (img.data instanceof Uint8Array || img.data instanceof Uint8ClampedArray ? 255 : 1);

/** Mean squared error over all values. */
export function mse(a: MetricImage, b: MetricImage): number {
  checkPair(a, b, 'mse');
  let s = 0;
  const da = a.data, db = b.data;
  for (let i = 0; i < da.length; i++) {
    const d = da[i] - db[i];
    s += d * d;
  }
  if (!Number.isFinite(s)) throw new Error('mse: images contain non-finite values');
  return s / da.length;
}

/** PSNR in dB = 10 log10(peak² / MSE) over all pixels and channels; Infinity for identical images. */
export function psnr(a: MetricImage, b: MetricImage, opts: { peak?: number } = {}): number {
  const peak = opts.peak ?? defaultPeak(a);
  if (!(peak > 0)) throw new Error(`psnr: peak must be positive, got ${opts.peak}`);
  const e = mse(a, b);
  return e === 0 ? Infinity : 10 * Math.log10((peak * peak) / e);
}

export interface SsimOptions {
  peak?: number;
  /** Score Rec. 601 luminance instead of each channel (default false). */
  luma?: boolean;
  border?: 'valid' | 'zero';
}

const WIN = 11, HALF = 5, SIGMA = 1.5;
const KERNEL = (() => {
  const k = new Float64Array(WIN);
  let s = 0;
  for (let i = 0; i < WIN; i++) s += k[i] = Math.exp(-((i - HALF) ** 2) / (2 * SIGMA * SIGMA));
  for (let i = 0; i < WIN; i++) k[i] /= s;
  return k;
})();

/** Separable 11×11 Gaussian filter with zero padding, same size. */
function blur(src: Float64Array, w: number, h: number, tmp: Float64Array, out: Float64Array): void {
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let i = -HALF; i <= HALF; i++) {
        const xx = x + i;
        if (xx >= 0 && xx < w) s += KERNEL[i + HALF] * src[y * w + xx];
      }
      tmp[y * w + x] = s;
    }
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let i = -HALF; i <= HALF; i++) {
        const yy = y + i;
        if (yy >= 0 && yy < h) s += KERNEL[i + HALF] * tmp[yy * w + x];
      }
      out[y * w + x] = s;
    }
}

/** Mean SSIM (see the module comment for the exact convention). 1 for identical images. */
export function ssim(a: MetricImage, b: MetricImage, opts: SsimOptions = {}): number {
  const c = checkPair(a, b, 'ssim');
  const peak = opts.peak ?? defaultPeak(a);
  if (!(peak > 0)) throw new Error(`ssim: peak must be positive, got ${opts.peak}`);
  const border = opts.border ?? 'valid';
  const w = a.width, h = a.height;
  if (border === 'valid' && (w < WIN || h < WIN)) throw new Error(`ssim: images must be at least ${WIN}x${WIN} for border 'valid', got ${w}x${h}`);
  const C1 = (0.01 * peak) ** 2, C2 = (0.03 * peak) ** 2;
  const n = w * h;
  const x = new Float64Array(n), y = new Float64Array(n), xx = new Float64Array(n), yy = new Float64Array(n), xy = new Float64Array(n);
  const mx = new Float64Array(n), my = new Float64Array(n), sxx = new Float64Array(n), syy = new Float64Array(n), sxy = new Float64Array(n);
  const tmp = new Float64Array(n);
  const planes = opts.luma && c >= 3 ? 1 : c;
  let total = 0, count = 0;
  for (let ch = 0; ch < planes; ch++) {
    for (let i = 0; i < n; i++) {
      let va: number, vb: number;
      if (planes === 1 && c >= 3) {
        va = 0.299 * a.data[i * c] + 0.587 * a.data[i * c + 1] + 0.114 * a.data[i * c + 2];
        vb = 0.299 * b.data[i * c] + 0.587 * b.data[i * c + 1] + 0.114 * b.data[i * c + 2];
      } else {
        va = a.data[i * c + ch];
        vb = b.data[i * c + ch];
      }
      x[i] = va; y[i] = vb; xx[i] = va * va; yy[i] = vb * vb; xy[i] = va * vb;
    }
    blur(x, w, h, tmp, mx);
    blur(y, w, h, tmp, my);
    blur(xx, w, h, tmp, sxx);
    blur(yy, w, h, tmp, syy);
    blur(xy, w, h, tmp, sxy);
    const y0 = border === 'valid' ? HALF : 0, y1 = border === 'valid' ? h - HALF : h;
    const x0 = border === 'valid' ? HALF : 0, x1 = border === 'valid' ? w - HALF : w;
    for (let yy0 = y0; yy0 < y1; yy0++)
      for (let xx0 = x0; xx0 < x1; xx0++) {
        const i = yy0 * w + xx0;
        const ma = mx[i], mb = my[i];
        const va = sxx[i] - ma * ma, vb = syy[i] - mb * mb, cov = sxy[i] - ma * mb;
        total += ((2 * ma * mb + C1) * (2 * cov + C2)) / ((ma * ma + mb * mb + C1) * (va + vb + C2));
        count++;
      }
  }
  const r = total / count;
  if (!Number.isFinite(r)) throw new Error('ssim: images contain non-finite values');
  return r;
}
