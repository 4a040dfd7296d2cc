import { describe, expect, it } from 'vitest';
import { PNG } from 'pngjs';
import jpeg from 'jpeg-js';
import { zlibSync } from 'fflate';
import { decodePng, encodePng } from '../../../lib/capture/png';
import {
  decodeConfidencePng,
  decodeDepthF32,
  decodeDepthPng16,
  decodeRgb,
  encodeConfidencePng,
  encodeDepthF32,
  encodeDepthPng16,
  encodeRgbPng,
  imageSizeFromHeader,
} from '../../../lib/capture/image-codec';
import { rng } from './helpers';

function randomRgb(w: number, h: number, seed: number) {
  const r = rng(seed);
  const data = new Uint8Array(w * h * 3);
  // Smooth gradient plus noise so every PNG filter type gets used.
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let c = 0; c < 3; c++) data[(y * w + x) * 3 + c] = (x * 3 + y * 2 + c * 40 + Math.floor(r() * 6)) & 255;
  return { width: w, height: h, data };
}

describe('PNG codec', () => {
  it('writes PNGs that pngjs decodes to the same pixels (8-bit RGB, 16-bit gray)', () => {
    const img = randomRgb(37, 23, 1);
    const png = PNG.sync.read(Buffer.from(encodeRgbPng(img)));
    expect(png.width).toBe(37);
    for (let i = 0; i < 37 * 23; i++)
      for (let c = 0; c < 3; c++) expect(png.data[i * 4 + c]).toBe(img.data[i * 3 + c]);

    const g16 = new Uint16Array(9 * 5).map((_, i) => (i * 1499) % 65536);
    const p16 = PNG.sync.read(Buffer.from(encodePng({ width: 9, height: 5, channels: 1, bitDepth: 16, data: g16 })), { skipRescale: true });
    expect(p16.depth).toBe(16);
    const d16 = p16.data as unknown as Uint16Array;
    for (let i = 0; i < g16.length; i++) expect(d16[i * 4]).toBe(g16[i]);
  });

  it('reads PNGs written by pngjs: RGBA, gray, 16-bit, palette', () => {
    const w = 11, h = 7;
    const src = new PNG({ width: w, height: h });
    for (let i = 0; i < w * h; i++) src.data.set([i, 255 - i, (i * 7) & 255, 255], i * 4); // opaque: pngjs blends alpha into RGB when dropping it
    for (const colorType of [6, 2, 0] as const) {
      const bytes = PNG.sync.write(src, { colorType, inputHasAlpha: true });
      const img = decodeRgb(new Uint8Array(bytes), 't.png');
      for (let i = 0; i < w * h; i++) {
        if (colorType === 0) {
          // pngjs grays with its own weights; all three channels must be equal
          expect(img.data[i * 3]).toBe(img.data[i * 3 + 1]);
        } else expect(Array.from(img.data.subarray(i * 3, i * 3 + 3))).toEqual([i, 255 - i, (i * 7) & 255]);
      }
    }
    // 16-bit RGB, big-endian samples; RGB output keeps the high byte.
    const b16 = buildPng(1, 1, 16, 2, [], new Uint8Array([0, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc]));
    const d16 = decodePng(b16);
    expect(d16.bitDepth).toBe(16);
    expect(Array.from(d16.data)).toEqual([0x1234, 0x5678, 0x9abc]);
    expect(Array.from(decodeRgb(b16).data)).toEqual([0x12, 0x56, 0x9a]);
  });

  it('decodes a hand-made 2-bit palette PNG', () => {
    // 4x1, palette red/green/blue/white, indices 0 1 2 3 packed into one byte.
    const plte = new Uint8Array([255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255]);
    const bytes = buildPng(4, 1, 2, 3, [plte], new Uint8Array([0, 0b00011011]));
    const img = decodeRgb(bytes);
    expect(Array.from(img.data)).toEqual([255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255]);
  });

  it('gives clear errors for corrupt, truncated, interlaced and foreign files', () => {
    const good = encodeRgbPng(randomRgb(8, 8, 2));
    const flipped = good.slice();
    flipped[40] ^= 0xff;
    expect(() => decodeRgb(flipped, 'x.png')).toThrow(/x.png: CRC mismatch/);
    expect(() => decodeRgb(good.slice(0, 30), 'x.png')).toThrow(/truncated/);
    expect(() => decodeRgb(new Uint8Array([1, 2, 3, 4]), 'x.gif')).toThrow(/unsupported image format/);
    const interlaced = buildPng(1, 1, 8, 0, [], new Uint8Array([0, 7]), 1);
    expect(() => decodeRgb(interlaced)).toThrow(/interlaced/);
    const huge = buildPng(100000, 100000, 8, 0, [], new Uint8Array([0, 7]));
    expect(() => decodeRgb(huge)).toThrow(/unreasonable size/);
  });

  it('decodes JPEG via jpeg-js and reads sizes from headers without decoding', () => {
    const img = randomRgb(16, 24, 3);
    const rgba = new Uint8Array(16 * 24 * 4);
    for (let i = 0; i < 16 * 24; i++) rgba.set([img.data[i * 3], img.data[i * 3 + 1], img.data[i * 3 + 2], 255], i * 4);
    const jpg = new Uint8Array(jpeg.encode({ width: 16, height: 24, data: rgba }, 95).data);
    const back = decodeRgb(jpg, 'a.jpg');
    expect([back.width, back.height]).toEqual([16, 24]);
    let err = 0;
    for (let i = 0; i < back.data.length; i++) err += Math.abs(back.data[i] - img.data[i]);
    expect(err / back.data.length).toBeLessThan(12);
    expect(imageSizeFromHeader(jpg)).toEqual({ width: 16, height: 24 });
    expect(imageSizeFromHeader(encodeRgbPng(img))).toEqual({ width: 16, height: 24 });
    expect(imageSizeFromHeader(new Uint8Array(10))).toBeNull();
  });

  it('depth and confidence helpers: millimetre rounding, zero = none, range and size errors', () => {
    const d = Float32Array.from([0, 1.2344, 65.535, NaN, -1, 0.0004]);
    const back = decodeDepthPng16(encodeDepthPng16(3, 2, d)).data;
    expect(Array.from(back).map((v) => Math.round(v * 1000))).toEqual([0, 1234, 65535, 0, 0, 0]);
    expect(() => encodeDepthPng16(1, 1, Float32Array.of(70))).toThrow(/exceeds 65.535 m/);
    expect(() => decodeDepthPng16(encodeRgbPng(randomRgb(2, 2, 1)))).toThrow(/16-bit grayscale/);
    const c = Float32Array.from([0, 0.5, 1, 2, NaN, -3]);
    expect(Array.from(decodeConfidencePng(encodeConfidencePng(3, 2, c)).data).map((v) => Math.round(v * 255))).toEqual([0, 128, 255, 255, 0, 0]);
    const f = Float32Array.from([1.5, NaN, 1e-7]);
    const fb = decodeDepthF32(encodeDepthF32(f), 3);
    expect(fb[0]).toBe(1.5);
    expect(Number.isNaN(fb[1])).toBe(true);
    expect(() => decodeDepthF32(new Uint8Array(5), 3, 'd.f32')).toThrow(/d.f32: 5 bytes, expected 12/);
  });
});

/** Assembles a PNG from raw (already filtered) scanlines, for formats our encoder never writes. */
function buildPng(w: number, h: number, depth: number, colorType: number, plte: Uint8Array[], scanlines: Uint8Array, interlace = 0): Uint8Array {
  const chunks: [string, Uint8Array][] = [];
  const ihdr = new Uint8Array(13);
  const dv = new DataView(ihdr.buffer);
  dv.setUint32(0, w);
  dv.setUint32(4, h);
  ihdr.set([depth, colorType, 0, 0, interlace], 8);
  chunks.push(['IHDR', ihdr]);
  for (const p of plte) chunks.push(['PLTE', p]);
  chunks.push(['IDAT', zlibSync(scanlines)]);
  chunks.push(['IEND', new Uint8Array(0)]);
  const parts: number[] = [137, 80, 78, 71, 13, 10, 26, 10];
  for (const [type, body] of chunks) {
    const c = new Uint8Array(12 + body.length);
    const cdv = new DataView(c.buffer);
    cdv.setUint32(0, body.length);
    for (let i = 0; i < 4; i++) c[4 + i] = type.charCodeAt(i);
    c.set(body, 8);
    cdv.setUint32(8 + body.length, crc(c.subarray(4, 8 + body.length)));
    parts.push(...c);
  }
  return Uint8Array.from(parts);
}

function crc(b: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of b) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}
