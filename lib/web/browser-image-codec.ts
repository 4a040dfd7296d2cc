/**
 * ImageCodec using the browser's own decoders (createImageBitmap: native, off the JS thread for
 * JPEG) and canvas getImageData. Works in the page and in workers (OffscreenCanvas).
 * 16-bit depth PNGs never come here: capture-bundle decodes them with the pure PNG codec, which
 * keeps all 16 bits (a canvas would quantise to 8). Anything createImageBitmap cannot read falls
 * back to the pure codec, and PNG encoding is always the pure (deterministic) one.
 */
import type { RgbImage } from '../capture/frame';
import { pureImageCodec, type ImageCodec } from '../capture/image-codec';

function mimeOf(bytes: Uint8Array, path: string): string {
  if (bytes[0] === 0x89 && bytes[1] === 0x50) return 'image/png';
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return 'image/jpeg';
  throw new Error(`${path}: unsupported image format (only PNG and JPEG are read)`);
}

function context2d(width: number, height: number): OffscreenCanvasRenderingContext2D | CanvasRenderingContext2D {
  if (typeof OffscreenCanvas !== 'undefined') {
    const ctx = new OffscreenCanvas(width, height).getContext('2d', { willReadFrequently: true });
    if (ctx) return ctx;
  }
  if (typeof document === 'undefined') throw new Error('browserImageCodec: neither OffscreenCanvas nor document is available');
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new Error('browserImageCodec: 2D canvas context unavailable');
  return ctx;
}

/** RGBA (canvas) -> RGB (Frame.image). */
export function rgbaToRgb(rgba: Uint8ClampedArray | Uint8Array, width: number, height: number): RgbImage {
  const n = width * height;
  if (rgba.length !== n * 4) throw new Error(`rgbaToRgb: ${rgba.length} bytes for ${width}x${height}`);
  const data = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    data[3 * i] = rgba[4 * i];
    data[3 * i + 1] = rgba[4 * i + 1];
    data[3 * i + 2] = rgba[4 * i + 2];
  }
  return { width, height, data };
}

async function decodeNative(bytes: Uint8Array, path: string): Promise<RgbImage> {
  const blob = new Blob([bytes as Uint8Array<ArrayBuffer>], { type: mimeOf(bytes, path) });
  // Exact pixels: no colour-space conversion or premultiplication, so results match the pure codec.
  const bitmap = await createImageBitmap(blob, { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  try {
    const ctx = context2d(bitmap.width, bitmap.height);
    ctx.drawImage(bitmap, 0, 0);
    const { data } = ctx.getImageData(0, 0, bitmap.width, bitmap.height);
    return rgbaToRgb(data, bitmap.width, bitmap.height);
  } finally {
    bitmap.close();
  }
}

export const browserImageCodec: ImageCodec = {
  async decode(bytes, path) {
    if (typeof createImageBitmap !== 'function') return pureImageCodec.decode(bytes, path);
    try {
      return await decodeNative(bytes, path);
    } catch (e) {
      if (e instanceof Error && e.message.includes('unsupported image format')) throw e;
      return pureImageCodec.decode(bytes, path);
    }
  },
  encodePng: (img) => pureImageCodec.encodePng(img),
};
