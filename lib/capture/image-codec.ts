/**
 * Image encoding/decoding for capture bundles. `pureImageCodec` is plain JS (own PNG codec on
 * fflate, jpeg-js for JPEG) so it runs in Node, the browser and workers alike, and its PNG output is
 * deterministic. A browser may pass a faster codec (createImageBitmap) with the same interface.
 */
import { decode as decodeJpeg } from 'jpeg-js';
import type { RgbImage } from './frame';
import { decodePng, encodePng, isPng, pngSize } from './png';

export interface ImageCodec {
  /** Decodes a PNG or JPEG to 8-bit RGB (alpha dropped). `path` is only used in error messages and for the type. */
  decode(bytes: Uint8Array, path: string): Promise<RgbImage>;
  encodePng(img: RgbImage): Promise<Uint8Array>;
}

export function isJpeg(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
}

/** Cameras never exceed this; it bounds the decoder's allocation for corrupt headers. */
const MAX_MEGAPIXELS = 100;

export function decodeRgb(bytes: Uint8Array, path = 'image'): RgbImage {
  if (isPng(bytes)) {
    const png = decodePng(bytes, path);
    const n = png.width * png.height;
    const out = new Uint8Array(n * 3);
    const c = png.channels;
    const src = png.data;
    const shift = png.bitDepth === 16 ? 8 : 0;
    for (let i = 0; i < n; i++) {
      if (c >= 3) {
        out[3 * i] = src[c * i] >> shift;
        out[3 * i + 1] = src[c * i + 1] >> shift;
        out[3 * i + 2] = src[c * i + 2] >> shift;
      } else {
        const g = src[c * i] >> shift;
        out[3 * i] = out[3 * i + 1] = out[3 * i + 2] = g;
      }
    }
    return { width: png.width, height: png.height, data: out };
  }
  if (isJpeg(bytes)) {
    let dec: { width: number; height: number; data: Uint8Array };
    try {
      dec = decodeJpeg(bytes, { useTArray: true, formatAsRGBA: false, maxResolutionInMP: MAX_MEGAPIXELS });
    } catch (e) {
      throw new Error(`${path}: cannot decode JPEG (${(e as Error).message})`);
    }
    const n = dec.width * dec.height;
    if (dec.data.length !== n * 3) throw new Error(`${path}: JPEG decoded to ${dec.data.length} bytes, expected ${n * 3}`);
    return { width: dec.width, height: dec.height, data: dec.data };
  }
  throw new Error(`${path}: unsupported image format (only PNG and JPEG are read)`);
}

export function encodeRgbPng(img: RgbImage): Uint8Array {
  return encodePng({ width: img.width, height: img.height, channels: 3, bitDepth: 8, data: img.data });
}

export const pureImageCodec: ImageCodec = {
  async decode(bytes, path) {
    return decodeRgb(bytes, path);
  },
  async encodePng(img) {
    return encodeRgbPng(img);
  },
};

/** Image size from the file header (PNG IHDR or JPEG SOFn) without decoding pixels; null if unknown. */
export function imageSizeFromHeader(bytes: Uint8Array): { width: number; height: number } | null {
  const png = pngSize(bytes);
  if (png) return png;
  if (!isJpeg(bytes)) return null;
  let pos = 2;
  while (pos + 9 < bytes.length) {
    if (bytes[pos] !== 0xff) return null;
    const marker = bytes[pos + 1];
    if (marker === 0xff) {
      pos++;
      continue;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      pos += 2;
      continue;
    }
    const len = (bytes[pos + 2] << 8) | bytes[pos + 3];
    // SOF0..SOF15 except DHT (C4), JPG (C8), DAC (CC).
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      const height = (bytes[pos + 5] << 8) | bytes[pos + 6];
      const width = (bytes[pos + 7] << 8) | bytes[pos + 8];
      return { width, height };
    }
    pos += 2 + len;
  }
  return null;
}

/** Largest depth a 16-bit millimetre PNG can hold, in metres. */
export const DEPTH_PNG16_MAX_METRES = 65.535;

/**
 * Depth in metres -> 16-bit grayscale PNG in millimetres (rounded; 0 = no measurement).
 * Non-finite and non-positive depths become 0; depths beyond 65.535 m are an error (use .f32).
 */
export function encodeDepthPng16(width: number, height: number, metres: Float32Array): Uint8Array {
  if (metres.length !== width * height) throw new Error(`encodeDepthPng16: ${metres.length} values for ${width}x${height}`);
  const mm = new Uint16Array(metres.length);
  for (let i = 0; i < metres.length; i++) {
    const d = metres[i];
    if (!Number.isFinite(d) || d <= 0) continue;
    const v = Math.round(d * 1000);
    if (v > 65535) throw new Error(`encodeDepthPng16: depth ${d} m at index ${i} exceeds ${DEPTH_PNG16_MAX_METRES} m; store as .f32`);
    mm[i] = v;
  }
  return encodePng({ width, height, channels: 1, bitDepth: 16, data: mm });
}

/** Single-channel PNG of exactly `bitDepth` bits -> floats (sample x scale). */
function decodeGrayScaled(bytes: Uint8Array, path: string, bitDepth: 8 | 16, kind: string, scale: number) {
  const png = decodePng(bytes, path);
  if (png.channels !== 1 || png.bitDepth !== bitDepth)
    throw new Error(`${path}: ${kind} PNG must be ${bitDepth}-bit grayscale (got ${png.bitDepth}-bit, ${png.channels} channel(s))`);
  const out = new Float32Array(png.width * png.height);
  for (let i = 0; i < out.length; i++) out[i] = png.data[i] * scale;
  return { width: png.width, height: png.height, data: out };
}

/** 16-bit grayscale PNG in millimetres -> metres (0 stays 0 = no measurement). */
export function decodeDepthPng16(bytes: Uint8Array, path = 'depth PNG'): { width: number; height: number; data: Float32Array } {
  return decodeGrayScaled(bytes, path, 16, 'depth', 1 / 1000);
}

/**
 * A depth camera's 16-bit grey PNG -> metres: sample x `metresPerUnit` (1/1000 for 7-Scenes'
 * millimetres, 1/5000 for TUM RGB-D). 0 and 65535 are the sensors' "no measurement" and become 0.
 */
export function decodeSensorDepthPng(
  bytes: Uint8Array,
  metresPerUnit: number,
  path = 'depth PNG',
): { width: number; height: number; data: Float32Array } {
  if (!(metresPerUnit > 0)) throw new Error(`${path}: depth scale must be positive (got ${metresPerUnit})`);
  const png = decodePng(bytes, path);
  if (png.channels !== 1 || png.bitDepth !== 16)
    throw new Error(`${path}: depth PNG must be 16-bit grayscale (got ${png.bitDepth}-bit, ${png.channels} channel(s))`);
  const out = new Float32Array(png.width * png.height);
  const src = png.data;
  for (let i = 0; i < out.length; i++) {
    const v = src[i];
    out[i] = v === 0 || v === 65535 ? 0 : v * metresPerUnit;
  }
  return { width: png.width, height: png.height, data: out };
}

/** Confidence 0..1 -> 8-bit grayscale PNG (255 = 1.0; out-of-range values clamped, NaN -> 0). */
export function encodeConfidencePng(width: number, height: number, confidence: Float32Array): Uint8Array {
  if (confidence.length !== width * height) throw new Error(`encodeConfidencePng: ${confidence.length} values for ${width}x${height}`);
  const q = new Uint8Array(confidence.length);
  for (let i = 0; i < q.length; i++) {
    const c = confidence[i];
    q[i] = Number.isFinite(c) ? Math.round(Math.min(1, Math.max(0, c)) * 255) : 0;
  }
  return encodePng({ width, height, channels: 1, bitDepth: 8, data: q });
}

export function decodeConfidencePng(bytes: Uint8Array, path = 'confidence PNG'): { width: number; height: number; data: Float32Array } {
  return decodeGrayScaled(bytes, path, 8, 'confidence', 1 / 255);
}

/** Raw little-endian float32 metres (the .f32 depth format), independent of host endianness. */
export function encodeDepthF32(metres: Float32Array): Uint8Array {
  const out = new Uint8Array(metres.length * 4);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < metres.length; i++) dv.setFloat32(i * 4, metres[i], true);
  return out;
}

export function decodeDepthF32(bytes: Uint8Array, expectedCount: number, path = 'depth .f32'): Float32Array {
  if (bytes.length !== expectedCount * 4)
    throw new Error(`${path}: ${bytes.length} bytes, expected ${expectedCount * 4} (${expectedCount} float32 values)`);
  const out = new Float32Array(expectedCount);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < expectedCount; i++) out[i] = dv.getFloat32(i * 4, true);
  return out;
}
