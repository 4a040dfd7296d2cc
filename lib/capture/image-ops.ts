/**
 * Basic image resampling on 8-bit RGB (and float gray) images. All geometry follows the pixel-centre
 * convention of frame.ts: pixel u covers [u, u+1) and has its centre at u + 0.5, so scaling an image
 * by s maps continuous coordinate x to x * s, and intrinsics scale with scaleIntrinsics().
 */
import type { RgbImage } from './frame';

/** Single-channel float image (row-major, top-left origin). */
export interface GrayImage {
  width: number;
  height: number;
  data: Float32Array;
}

function checkRgb(img: RgbImage, fn: string): void {
  if (!Number.isInteger(img.width) || !Number.isInteger(img.height) || img.width <= 0 || img.height <= 0)
    throw new Error(`${fn}: bad image size ${img.width}x${img.height}`);
  if (img.data.length !== img.width * img.height * 3)
    throw new Error(`${fn}: image data has ${img.data.length} bytes, expected ${img.width * img.height * 3}`);
}

function checkSize(width: number, height: number, fn: string): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0)
    throw new Error(`${fn}: target size must be positive integers, got ${width}x${height}`);
}

/**
 * Averages factor x factor blocks (integer factor). The output is floor(w/f) x floor(h/f); leftover
 * right/bottom pixels are dropped, so when w or h is not a multiple of f the intrinsics no longer
 * scale exactly by 1/f: use resizeArea for those sizes.
 */
export function boxDownsample(img: RgbImage, factor: number): RgbImage {
  checkRgb(img, 'boxDownsample');
  if (!Number.isInteger(factor) || factor < 1) throw new Error(`boxDownsample: factor must be a positive integer, got ${factor}`);
  const w = Math.floor(img.width / factor), h = Math.floor(img.height / factor);
  if (w === 0 || h === 0) throw new Error(`boxDownsample: ${img.width}x${img.height} is smaller than the factor ${factor}`);
  if (factor === 1) return { width: img.width, height: img.height, data: img.data.slice() };
  const out = new Uint8Array(w * h * 3);
  const acc = new Uint32Array(w * 3);
  const n = factor * factor;
  const src = img.data, sw = img.width;
  for (let y = 0; y < h; y++) {
    acc.fill(0);
    for (let dy = 0; dy < factor; dy++) {
      const row = (y * factor + dy) * sw * 3;
      for (let x = 0; x < w; x++) {
        let p = row + x * factor * 3;
        let r = 0, g = 0, b = 0;
        for (let dx = 0; dx < factor; dx++, p += 3) {
          r += src[p];
          g += src[p + 1];
          b += src[p + 2];
        }
        acc[x * 3] += r;
        acc[x * 3 + 1] += g;
        acc[x * 3 + 2] += b;
      }
    }
    const o = y * w * 3;
    // Round half up, as (sum + n/2) / n.
    for (let i = 0; i < w * 3; i++) out[o + i] = Math.floor((acc[i] + (n >> 1)) / n);
  }
  return { width: w, height: h, data: out };
}

/**
 * Per-axis area-weight tables: output pixel i averages source interval [i/s, (i+1)/s) with fractional
 * coverage at the ends. Exact box averaging when the ratio is an integer.
 */
function areaWeights(src: number, dst: number): { start: Int32Array; count: Int32Array; w: Float32Array; stride: number } {
  const ratio = src / dst;
  const stride = Math.ceil(ratio) + 1;
  const start = new Int32Array(dst), count = new Int32Array(dst), w = new Float32Array(dst * stride);
  for (let i = 0; i < dst; i++) {
    const a = i * ratio, b = (i + 1) * ratio;
    const s = Math.floor(a), e = Math.min(src, Math.ceil(b - 1e-9));
    start[i] = s;
    count[i] = e - s;
    for (let j = s; j < e; j++) w[i * stride + j - s] = (Math.min(b, j + 1) - Math.max(a, j)) / ratio;
  }
  return { start, count, w, stride };
}

/** Area-averaging resize (use for downsampling by any ratio; equals boxDownsample for integer factors). */
export function resizeArea(img: RgbImage, width: number, height: number): RgbImage {
  checkRgb(img, 'resizeArea');
  checkSize(width, height, 'resizeArea');
  if (width > img.width || height > img.height) return resizeBilinear(img, width, height);
  const xw = areaWeights(img.width, width), yw = areaWeights(img.height, height);
  const sw = img.width, src = img.data;
  // Horizontal pass into float rows, then vertical.
  const tmp = new Float32Array(img.height * width * 3);
  for (let y = 0; y < img.height; y++) {
    const row = y * sw * 3, orow = y * width * 3;
    for (let x = 0; x < width; x++) {
      let r = 0, g = 0, b = 0;
      const s = xw.start[x], c = xw.count[x], base = x * xw.stride;
      for (let k = 0; k < c; k++) {
        const wt = xw.w[base + k], p = row + (s + k) * 3;
        r += wt * src[p];
        g += wt * src[p + 1];
        b += wt * src[p + 2];
      }
      tmp[orow + x * 3] = r;
      tmp[orow + x * 3 + 1] = g;
      tmp[orow + x * 3 + 2] = b;
    }
  }
  const out = new Uint8Array(width * height * 3);
  const rowLen = width * 3;
  for (let y = 0; y < height; y++) {
    const s = yw.start[y], c = yw.count[y], base = y * yw.stride, o = y * rowLen;
    for (let i = 0; i < rowLen; i++) {
      let v = 0;
      for (let k = 0; k < c; k++) v += yw.w[base + k] * tmp[(s + k) * rowLen + i];
      out[o + i] = Math.min(255, Math.max(0, Math.round(v)));
    }
  }
  return { width, height, data: out };
}

/**
 * Bilinear resize with pixel centres aligned (OpenCV INTER_LINEAR / align_corners=false). Good for
 * upsampling or mild resizing; for strong downsampling it aliases: use resizeArea.
 */
export function resizeBilinear(img: RgbImage, width: number, height: number): RgbImage {
  checkRgb(img, 'resizeBilinear');
  checkSize(width, height, 'resizeBilinear');
  const sw = img.width, sh = img.height, src = img.data;
  const out = new Uint8Array(width * height * 3);
  const sx = sw / width, sy = sh / height;
  for (let y = 0; y < height; y++) {
    const fy = Math.min(sh - 1, Math.max(0, (y + 0.5) * sy - 0.5));
    const y0 = Math.floor(fy), y1 = Math.min(sh - 1, y0 + 1), ty = fy - y0;
    for (let x = 0; x < width; x++) {
      const fx = Math.min(sw - 1, Math.max(0, (x + 0.5) * sx - 0.5));
      const x0 = Math.floor(fx), x1 = Math.min(sw - 1, x0 + 1), tx = fx - x0;
      const p00 = (y0 * sw + x0) * 3, p01 = (y0 * sw + x1) * 3, p10 = (y1 * sw + x0) * 3, p11 = (y1 * sw + x1) * 3;
      const o = (y * width + x) * 3;
      for (let c = 0; c < 3; c++) {
        const top = src[p00 + c] + (src[p01 + c] - src[p00 + c]) * tx;
        const bot = src[p10 + c] + (src[p11 + c] - src[p10 + c]) * tx;
        out[o + c] = Math.round(top + (bot - top) * ty);
      }
    }
  }
  return { width, height, data: out };
}

/** Luma (Rec. 601 weights, as JPEG uses) in 0..255. */
export function toGrayscale(img: RgbImage): GrayImage {
  checkRgb(img, 'toGrayscale');
  const n = img.width * img.height;
  const out = new Float32Array(n);
  const d = img.data;
  for (let i = 0; i < n; i++) out[i] = 0.299 * d[3 * i] + 0.587 * d[3 * i + 1] + 0.114 * d[3 * i + 2];
  return { width: img.width, height: img.height, data: out };
}

/**
 * RGBA (canvas ImageData, WebGL readPixels) -> RGB. readPixels returns rows bottom-up: pass
 * flipY: true to get the top-left origin every Frame uses.
 */
export function rgbaToRgb(rgba: ArrayLike<number>, width: number, height: number, opts: { flipY?: boolean } = {}): RgbImage {
  checkSize(width, height, 'rgbaToRgb');
  if (rgba.length !== width * height * 4) throw new Error(`rgbaToRgb: ${rgba.length} bytes, expected ${width * height * 4}`);
  const out = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const sy = opts.flipY ? height - 1 - y : y;
    for (let x = 0; x < width; x++) {
      const s = (sy * width + x) * 4, o = (y * width + x) * 3;
      out[o] = rgba[s];
      out[o + 1] = rgba[s + 1];
      out[o + 2] = rgba[s + 2];
    }
  }
  return { width, height, data: out };
}

/** Size after scaling by `scale`, at least 1x1 (rounded, so 1080x1920 * 0.25 -> 270x480). */
export function scaledSize(width: number, height: number, scale: number): { width: number; height: number } {
  if (!(scale > 0) || !Number.isFinite(scale)) throw new Error(`scale must be a positive finite number, got ${scale}`);
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}
