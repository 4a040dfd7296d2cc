/**
 * RgbImage -> normalised NCHW float32 model input, following each model's published preprocessing
 * (manifest `preprocess`): resize mode (shortest side + centre crop, squash, longest side + pad),
 * interpolation, rescale, mean/std.
 *
 * Resampling is separable with PIL's filter support rule (the filter widens by the downscale factor), so a
 * 1920-px photo shrunk to 224 is antialiased as PIL / Hugging Face processors do it, not point-sampled.
 */
import type { RgbImage } from '../../capture/frame';
import type { ImagePreprocess } from './manifest';

export interface ImageTensorInfo {
  /** Resized image size before crop/pad, pixels. */
  resizedWidth: number;
  resizedHeight: number;
  /** Horizontal/vertical scale from the original image to the resized one. */
  scaleX: number;
  scaleY: number;
  /** Crop offset in the resized image (shortest-crop), 0 otherwise. */
  cropLeft: number;
  cropTop: number;
}

type Filter = { support: number; fn: (x: number) => number };

const BILINEAR: Filter = { support: 1, fn: (x) => (x < 0 ? (x > -1 ? 1 + x : 0) : x < 1 ? 1 - x : 0) };
const BICUBIC: Filter = {
  support: 2,
  fn: (x) => {
    // Keys cubic with a = -0.5, as PIL.
    const a = -0.5;
    const t = Math.abs(x);
    if (t < 1) return ((a + 2) * t - (a + 3)) * t * t + 1;
    if (t < 2) return (((t - 5) * t + 8) * t - 4) * a;
    return 0;
  },
};

interface Taps {
  start: Int32Array;
  count: Int32Array;
  weights: Float32Array;
  maxTaps: number;
}

/** Weights for output samples [outStart, outStart + outCount) of a full resize inSize -> outSize. */
function taps(inSize: number, outSize: number, outStart: number, outCount: number, filter: Filter): Taps {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = filter.support * filterScale;
  const maxTaps = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(outCount);
  const count = new Int32Array(outCount);
  const weights = new Float32Array(outCount * maxTaps);
  for (let o = 0; o < outCount; o++) {
    const center = (o + outStart + 0.5) * scale;
    let xmin = Math.floor(center - support + 0.5);
    if (xmin < 0) xmin = 0;
    let xmax = Math.floor(center + support + 0.5);
    if (xmax > inSize) xmax = inSize;
    const n = Math.min(xmax - xmin, maxTaps);
    let sum = 0;
    for (let k = 0; k < n; k++) {
      const w = filter.fn((k + xmin - center + 0.5) / filterScale);
      weights[o * maxTaps + k] = w;
      sum += w;
    }
    if (sum !== 0) for (let k = 0; k < n; k++) weights[o * maxTaps + k] /= sum;
    start[o] = xmin;
    count[o] = n;
  }
  return { start, count, weights, maxTaps };
}

function checkImage(img: RgbImage, what: string): void {
  if (!img || !Number.isInteger(img.width) || !Number.isInteger(img.height) || img.width <= 0 || img.height <= 0) {
    throw new Error(`${what}: image must have positive integer width and height (got ${img?.width} x ${img?.height})`);
  }
  if (!(img.data instanceof Uint8Array) || img.data.length !== img.width * img.height * 3) {
    throw new Error(`${what}: image data must be a Uint8Array of width*height*3 = ${img.width * img.height * 3} bytes (got ${img.data?.length})`);
  }
}

/**
 * Resample a region of the full resize `img -> fullW x fullH`: output pixels [left, left+outW) x [top, top+outH).
 * Returns planar float RGB [3, outH, outW] in the source's 0..255 units.
 */
export function resamplePlanar(
  img: RgbImage,
  fullW: number,
  fullH: number,
  left: number,
  top: number,
  outW: number,
  outH: number,
  interpolation: 'bilinear' | 'bicubic',
): Float32Array {
  const filter = interpolation === 'bicubic' ? BICUBIC : BILINEAR;
  const tx = taps(img.width, fullW, left, outW, filter);
  const ty = taps(img.height, fullH, top, outH, filter);
  // Horizontal pass over only the source rows the vertical pass needs.
  let rowMin = img.height;
  let rowMax = 0;
  for (let o = 0; o < outH; o++) {
    rowMin = Math.min(rowMin, ty.start[o]);
    rowMax = Math.max(rowMax, ty.start[o] + ty.count[o]);
  }
  const rows = Math.max(0, rowMax - rowMin);
  const tmp = new Float32Array(rows * outW * 3);
  const src = img.data;
  const W = img.width;
  for (let y = 0; y < rows; y++) {
    const srow = (y + rowMin) * W * 3;
    for (let o = 0; o < outW; o++) {
      let r = 0;
      let g = 0;
      let b = 0;
      const s0 = tx.start[o];
      const wBase = o * tx.maxTaps;
      for (let k = 0; k < tx.count[o]; k++) {
        const w = tx.weights[wBase + k];
        const p = srow + (s0 + k) * 3;
        r += src[p] * w;
        g += src[p + 1] * w;
        b += src[p + 2] * w;
      }
      const t = (y * outW + o) * 3;
      tmp[t] = r;
      tmp[t + 1] = g;
      tmp[t + 2] = b;
    }
  }
  const plane = outW * outH;
  const out = new Float32Array(plane * 3);
  for (let o = 0; o < outH; o++) {
    const s0 = ty.start[o] - rowMin;
    const wBase = o * ty.maxTaps;
    for (let x = 0; x < outW; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (let k = 0; k < ty.count[o]; k++) {
        const w = ty.weights[wBase + k];
        const t = ((s0 + k) * outW + x) * 3;
        r += tmp[t] * w;
        g += tmp[t + 1] * w;
        b += tmp[t + 2] * w;
      }
      const d = o * outW + x;
      out[d] = r;
      out[plane + d] = g;
      out[2 * plane + d] = b;
    }
  }
  return out;
}

/** Resized size for a model's resize mode, following the Hugging Face / OpenCLIP processors' rounding. */
export function resizedSize(width: number, height: number, pre: ImagePreprocess): { w: number; h: number } {
  const S = pre.size;
  if (pre.resize === 'squash') return { w: S, h: S };
  if (pre.resize === 'shortest-crop') {
    // HF get_resize_output_image_size(shortest_edge): short side = S, long side = int(S * long / short).
    if (width <= height) return { w: S, h: Math.max(S, Math.floor((S * height) / width)) };
    return { w: Math.max(S, Math.floor((S * width) / height)), h: S };
  }
  // longest-pad (SAM): long side = S, short side = int(short * S / long + 0.5).
  const scale = S / Math.max(width, height);
  return { w: Math.max(1, Math.floor(width * scale + 0.5)), h: Math.max(1, Math.floor(height * scale + 0.5)) };
}

/**
 * Write one image, preprocessed, into `out` at `offset` as [3, size, size] (NCHW for batch index offset/(3*S*S)).
 * Padding (longest-pad) is 0 after normalisation, as SAM pads.
 */
export function writeImageTensor(img: RgbImage, pre: ImagePreprocess, out: Float32Array, offset: number): ImageTensorInfo {
  checkImage(img, 'image preprocessing');
  const S = pre.size;
  if (offset < 0 || offset + 3 * S * S > out.length) throw new Error(`image preprocessing: output buffer too small for a ${S}x${S} image at offset ${offset}`);
  const { w: rw, h: rh } = resizedSize(img.width, img.height, pre);
  let left = 0;
  let top = 0;
  let outW = S;
  let outH = S;
  if (pre.resize === 'shortest-crop') {
    left = Math.floor((rw - S) / 2);
    top = Math.floor((rh - S) / 2);
  } else if (pre.resize === 'longest-pad') {
    outW = Math.min(rw, S);
    outH = Math.min(rh, S);
  }
  const planar = resamplePlanar(img, rw, rh, left, top, outW, outH, pre.interpolation);
  const plane = S * S;
  const srcPlane = outW * outH;
  for (let c = 0; c < 3; c++) {
    const a = pre.rescale / pre.std[c];
    const b = -pre.mean[c] / pre.std[c];
    const dst = offset + c * plane;
    if (outW === S && outH === S) {
      for (let i = 0; i < plane; i++) out[dst + i] = planar[c * srcPlane + i] * a + b;
    } else {
      out.fill(0, dst, dst + plane);
      for (let y = 0; y < outH; y++) {
        for (let x = 0; x < outW; x++) out[dst + y * S + x] = planar[c * srcPlane + y * outW + x] * a + b;
      }
    }
  }
  return { resizedWidth: rw, resizedHeight: rh, scaleX: rw / img.width, scaleY: rh / img.height, cropLeft: left, cropTop: top };
}

/** A batch of images as one NCHW tensor [n, 3, size, size]. */
export function imagesToTensor(images: readonly RgbImage[], pre: ImagePreprocess): { data: Float32Array; infos: ImageTensorInfo[] } {
  const S = pre.size;
  const data = new Float32Array(images.length * 3 * S * S);
  const infos = images.map((img, i) => writeImageTensor(img, pre, data, i * 3 * S * S));
  return { data, infos };
}
