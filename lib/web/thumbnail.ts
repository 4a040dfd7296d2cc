/** Small RGBA thumbnails of RGB frames for the frame strip (box-filtered, so no aliasing). */
import type { RgbImage } from '../capture/frame';

export interface RgbaThumbnail {
  width: number;
  height: number;
  /** RGBA, 4 bytes per pixel, alpha 255: ready for `new ImageData`. */
  data: Uint8ClampedArray;
}

/** Downscales so the longer side is at most `maxSide` pixels (never upscales). */
export function makeThumbnail(img: RgbImage, maxSide = 160): RgbaThumbnail {
  if (!(maxSide >= 1)) throw new Error(`makeThumbnail: maxSide must be >= 1 (got ${maxSide})`);
  if (img.data.length !== img.width * img.height * 3)
    throw new Error(`makeThumbnail: ${img.data.length} bytes for a ${img.width}x${img.height} RGB image`);
  const s = Math.min(1, maxSide / Math.max(img.width, img.height));
  const width = Math.max(1, Math.round(img.width * s));
  const height = Math.max(1, Math.round(img.height * s));
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    const y0 = Math.floor((y * img.height) / height);
    const y1 = Math.max(y0 + 1, Math.floor(((y + 1) * img.height) / height));
    for (let x = 0; x < width; x++) {
      const x0 = Math.floor((x * img.width) / width);
      const x1 = Math.max(x0 + 1, Math.floor(((x + 1) * img.width) / width));
      let r = 0, g = 0, b = 0;
      for (let v = y0; v < y1; v++)
        for (let u = x0; u < x1; u++) {
          const i = 3 * (v * img.width + u);
          r += img.data[i];
          g += img.data[i + 1];
          b += img.data[i + 2];
        }
      const n = (y1 - y0) * (x1 - x0);
      const o = 4 * (y * width + x);
      data[o] = r / n;
      data[o + 1] = g / n;
      data[o + 2] = b / n;
      data[o + 3] = 255;
    }
  }
  return { width, height, data };
}
