/**
 * Minimal PNG encoder/decoder on fflate's zlib. Written here rather than using pngjs because pngjs
 * needs node:zlib/stream (not available in the browser or a worker), and because the encoder must
 * be byte-for-byte deterministic: fixed filter heuristic, fixed zlib level, no ancillary chunks.
 *
 * Decoder coverage: non-interlaced, colour types 0 (gray), 2 (RGB), 3 (palette), 4 (gray+alpha),
 * 6 (RGBA); bit depths 1/2/4 (gray, palette), 8 and 16. Interlaced (Adam7) files get a clear error.
 */
import { unzlibSync, zlibSync } from 'fflate';

export interface PngImage {
  width: number;
  height: number;
  /** Samples per pixel: 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA. Palette images decode to 3. */
  channels: 1 | 2 | 3 | 4;
  /** 8 or 16. Sub-byte gray decodes to 8-bit (scaled to 0..255). */
  bitDepth: 8 | 16;
  /** Row-major samples, top-left origin; Uint16Array when bitDepth is 16. */
  data: Uint8Array | Uint16Array;
}

/** Refuse to allocate for absurd headers (a corrupt or hostile file); matches the JPEG limit in image-codec.ts. */
const MAX_PIXELS = 100_000_000;

const SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];

let crcTable: Uint32Array | null = null;
function crc32(bytes: Uint8Array, start: number, end: number): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = crcTable[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const COLOR_TYPE: Record<number, number> = { 1: 0, 2: 4, 3: 2, 4: 6 };

export function isPng(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && SIGNATURE.every((b, i) => bytes[i] === b);
}

export function encodePng(img: PngImage): Uint8Array {
  const { width, height, channels, bitDepth, data } = img;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0)
    throw new Error(`encodePng: bad size ${width}x${height}`);
  if (!(channels in COLOR_TYPE)) throw new Error(`encodePng: bad channel count ${channels}`);
  if (bitDepth !== 8 && bitDepth !== 16) throw new Error(`encodePng: bit depth must be 8 or 16, got ${bitDepth}`);
  const n = width * height * channels;
  if (data.length !== n) throw new Error(`encodePng: data has ${data.length} samples, expected ${n} (${width}x${height}x${channels})`);
  const bps = bitDepth / 8;
  const bpp = channels * bps;
  const stride = width * bpp;
  // Raw scanlines, big-endian samples as PNG requires.
  const raw = new Uint8Array(stride * height);
  if (bitDepth === 8) raw.set(data as Uint8Array);
  else for (let i = 0; i < n; i++) {
    const v = data[i];
    raw[2 * i] = v >>> 8;
    raw[2 * i + 1] = v & 0xff;
  }
  const filtered = new Uint8Array((stride + 1) * height);
  const candidate = new Uint8Array(stride);
  const best = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    const row = y * stride;
    const prev = y > 0 ? row - stride : -1;
    // Minimum sum of absolute residuals (libpng's heuristic): deterministic and usually close to best.
    let bestScore = Infinity;
    let bestType = 0;
    for (let type = 0; type < 5; type++) {
      let score = 0;
      for (let i = 0; i < stride; i++) {
        const x = raw[row + i];
        const a = i >= bpp ? raw[row + i - bpp] : 0;
        const b = prev >= 0 ? raw[prev + i] : 0;
        const c = prev >= 0 && i >= bpp ? raw[prev + i - bpp] : 0;
        let pred = 0;
        if (type === 1) pred = a;
        else if (type === 2) pred = b;
        else if (type === 3) pred = (a + b) >>> 1;
        else if (type === 4) pred = paeth(a, b, c);
        const r = (x - pred) & 0xff;
        candidate[i] = r;
        score += r < 128 ? r : 256 - r;
        if (score >= bestScore) break;
      }
      if (score < bestScore) {
        bestScore = score;
        bestType = type;
        best.set(candidate);
      }
    }
    filtered[y * (stride + 1)] = bestType;
    filtered.set(best, y * (stride + 1) + 1);
  }
  const idat = zlibSync(filtered, { level: 6 });
  const ihdr = new Uint8Array(13);
  const dv = new DataView(ihdr.buffer);
  dv.setUint32(0, width);
  dv.setUint32(4, height);
  ihdr[8] = bitDepth;
  ihdr[9] = COLOR_TYPE[channels];
  // compression 0, filter 0, interlace 0
  const chunks = [chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', new Uint8Array(0))];
  const out = new Uint8Array(8 + chunks.reduce((s, c) => s + c.length, 0));
  out.set(SIGNATURE, 0);
  let o = 8;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

function chunk(type: string, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + body.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, body.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(body, 8);
  dv.setUint32(8 + body.length, crc32(out, 4, 8 + body.length));
  return out;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** Width and height from the IHDR chunk without decoding (null when not a PNG). */
export function pngSize(bytes: Uint8Array): { width: number; height: number } | null {
  if (!isPng(bytes) || bytes.length < 24) return null;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { width: dv.getUint32(16), height: dv.getUint32(20) };
}

export function decodePng(bytes: Uint8Array, what = 'PNG'): PngImage {
  if (!isPng(bytes)) throw new Error(`${what}: not a PNG file (bad signature)`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 8;
  let width = 0, height = 0, depth = 0, colorType = -1, interlace = 0;
  let palette: Uint8Array | null = null;
  const idats: Uint8Array[] = [];
  let sawEnd = false;
  while (pos + 12 <= bytes.length) {
    const len = dv.getUint32(pos);
    const type = String.fromCharCode(bytes[pos + 4], bytes[pos + 5], bytes[pos + 6], bytes[pos + 7]);
    if (pos + 12 + len > bytes.length) throw new Error(`${what}: truncated ${type} chunk`);
    const body = bytes.subarray(pos + 8, pos + 8 + len);
    const crc = dv.getUint32(pos + 8 + len);
    if (crc !== crc32(bytes, pos + 4, pos + 8 + len)) throw new Error(`${what}: CRC mismatch in ${type} chunk (corrupt file)`);
    if (type === 'IHDR') {
      const h = new DataView(body.buffer, body.byteOffset, body.byteLength);
      width = h.getUint32(0);
      height = h.getUint32(4);
      depth = body[8];
      colorType = body[9];
      interlace = body[12];
    } else if (type === 'PLTE') palette = body.slice();
    else if (type === 'IDAT') idats.push(body);
    else if (type === 'IEND') {
      sawEnd = true;
      break;
    }
    pos += 12 + len;
  }
  if (colorType < 0) throw new Error(`${what}: missing IHDR chunk`);
  if (!sawEnd) throw new Error(`${what}: missing IEND chunk (truncated file)`);
  if (width <= 0 || height <= 0 || width * height > MAX_PIXELS) throw new Error(`${what}: unreasonable size ${width}x${height}`);
  if (interlace !== 0) throw new Error(`${what}: interlaced (Adam7) PNGs are not supported; re-save without interlacing`);
  const samplesPerPixel = ({ 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 } as Record<number, number>)[colorType];
  if (!samplesPerPixel) throw new Error(`${what}: unknown colour type ${colorType}`);
  const okDepth = colorType === 0 ? [1, 2, 4, 8, 16] : colorType === 3 ? [1, 2, 4, 8] : [8, 16];
  if (!okDepth.includes(depth)) throw new Error(`${what}: bit depth ${depth} invalid for colour type ${colorType}`);
  if (colorType === 3 && !palette) throw new Error(`${what}: palette image without PLTE chunk`);

  let total = 0;
  for (const c of idats) total += c.length;
  const compressed = new Uint8Array(total);
  let o = 0;
  for (const c of idats) {
    compressed.set(c, o);
    o += c.length;
  }
  const bitsPerPixel = samplesPerPixel * depth;
  const stride = Math.ceil((width * bitsPerPixel) / 8);
  const bpp = Math.max(1, bitsPerPixel >> 3);
  let filtered: Uint8Array;
  try {
    filtered = unzlibSync(compressed, { out: new Uint8Array((stride + 1) * height) });
  } catch (e) {
    throw new Error(`${what}: corrupt image data (${(e as Error).message})`);
  }
  if (filtered.length < (stride + 1) * height) throw new Error(`${what}: image data too short (truncated file)`);

  const raw = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const type = filtered[y * (stride + 1)];
    const src = y * (stride + 1) + 1;
    const row = y * stride;
    const prev = row - stride;
    for (let i = 0; i < stride; i++) {
      const x = filtered[src + i];
      const a = i >= bpp ? raw[row + i - bpp] : 0;
      const b = y > 0 ? raw[prev + i] : 0;
      const c = y > 0 && i >= bpp ? raw[prev + i - bpp] : 0;
      let pred: number;
      switch (type) {
        case 0: pred = 0; break;
        case 1: pred = a; break;
        case 2: pred = b; break;
        case 3: pred = (a + b) >>> 1; break;
        case 4: pred = paeth(a, b, c); break;
        default: throw new Error(`${what}: bad filter type ${type} on row ${y}`);
      }
      raw[row + i] = (x + pred) & 0xff;
    }
  }

  const n = width * height;
  if (colorType === 3) {
    const pal = palette!;
    const rgb = new Uint8Array(n * 3);
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++) {
        const idx = subByteSample(raw, y * stride, x, depth);
        if (idx * 3 + 2 >= pal.length) throw new Error(`${what}: palette index ${idx} out of range`);
        const o3 = (y * width + x) * 3;
        rgb[o3] = pal[idx * 3];
        rgb[o3 + 1] = pal[idx * 3 + 1];
        rgb[o3 + 2] = pal[idx * 3 + 2];
      }
    return { width, height, channels: 3, bitDepth: 8, data: rgb };
  }
  const channels = samplesPerPixel as 1 | 2 | 3 | 4;
  if (depth === 16) {
    const out = new Uint16Array(n * channels);
    for (let i = 0; i < out.length; i++) out[i] = (raw[2 * i] << 8) | raw[2 * i + 1];
    return { width, height, channels, bitDepth: 16, data: out };
  }
  if (depth === 8) {
    return { width, height, channels, bitDepth: 8, data: raw };
  }
  // Sub-byte gray, scaled to the full 8-bit range.
  const out = new Uint8Array(n);
  const scale = 255 / ((1 << depth) - 1);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) out[y * width + x] = Math.round(subByteSample(raw, y * stride, x, depth) * scale);
  return { width, height, channels: 1, bitDepth: 8, data: out };
}

function subByteSample(raw: Uint8Array, rowStart: number, x: number, depth: number): number {
  if (depth === 8) return raw[rowStart + x];
  const bit = x * depth;
  const byte = raw[rowStart + (bit >> 3)];
  const shift = 8 - depth - (bit & 7);
  return (byte >> shift) & ((1 << depth) - 1);
}
