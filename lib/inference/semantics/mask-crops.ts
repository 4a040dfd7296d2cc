/**
 * Mask -> CLIP embedding, as the paper does it: crop each mask's box (grown by a margin), zero every
 * pixel of the crop outside the mask, and encode the crops in batches with an ImageEmbedder.
 */
import type { RgbImage } from '../../capture/frame';
import type { ImageEmbedder } from '../embedder';
import type { MaskSet } from '../masks/mask-generator';
import { checkRgbImage } from '../masks/mask-generator';

/** A masked crop; the extra fields let side channels (the oracle encoder) know where it came from. */
export interface MaskCrop extends RgbImage {
  /** Mask id in its label map (1..K). */
  mask: number;
  /** Crop rectangle in image pixels (x0, y0, x1, y1), x1/y1 exclusive. */
  box: [number, number, number, number];
  /** View index, when the caller gave one. */
  view?: number;
}

export interface MaskCropOptions {
  /** Box growth on every side, as a fraction of the box's width/height (default 0.1). */
  margin?: number;
  /** Crops per embedder call (default 32). */
  batchSize?: number;
  /** View index recorded on every crop. */
  view?: number;
}

/** Crops mask `mask` (1..K) of `masks` out of `image` with a margin, zeroing pixels outside the mask. */
export function cropMask(image: RgbImage, masks: MaskSet, mask: number, margin = 0.1, view?: number): MaskCrop {
  if (image.width !== masks.width || image.height !== masks.height)
    throw new Error(`cropMask: image is ${image.width}x${image.height}, label map is ${masks.width}x${masks.height}`);
  if (!Number.isInteger(mask) || mask < 1 || mask > masks.count) throw new Error(`cropMask: mask ${mask} outside 1..${masks.count}`);
  if (!(margin >= 0) || margin > 10) throw new Error(`cropMask: margin must be in 0..10, got ${margin}`);
  const b = (mask - 1) * 4;
  const bx0 = masks.boxes[b], by0 = masks.boxes[b + 1], bx1 = masks.boxes[b + 2], by1 = masks.boxes[b + 3];
  if (bx1 <= bx0 || by1 <= by0) throw new Error(`cropMask: mask ${mask} is empty`);
  const mx = Math.round((bx1 - bx0) * margin);
  const my = Math.round((by1 - by0) * margin);
  const x0 = Math.max(0, bx0 - mx), y0 = Math.max(0, by0 - my);
  const x1 = Math.min(image.width, bx1 + mx), y1 = Math.min(image.height, by1 + my);
  const w = x1 - x0, h = y1 - y0;
  const data = new Uint8Array(w * h * 3);
  const W = image.width;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p = (y0 + y) * W + (x0 + x);
      if (masks.labels[p] !== mask) continue;
      const o = (y * w + x) * 3;
      data[o] = image.data[p * 3];
      data[o + 1] = image.data[p * 3 + 1];
      data[o + 2] = image.data[p * 3 + 2];
    }
  }
  return { width: w, height: h, data, mask, box: [x0, y0, x1, y1], view };
}

/**
 * Embeds every mask of a view. Returns [K, dim] rows (row k-1 = mask k), re-normalised to unit
 * length (an embedder that returns a zero or non-finite row is an error, not a silent NaN).
 */
export async function embedMasks(image: RgbImage, masks: MaskSet, embedder: ImageEmbedder, options: MaskCropOptions = {}): Promise<Float32Array> {
  checkRgbImage(image, 'embedMasks');
  const batchSize = options.batchSize ?? 32;
  if (!Number.isInteger(batchSize) || batchSize <= 0) throw new Error(`embedMasks: batchSize must be a positive integer, got ${batchSize}`);
  const dim = embedder.dim;
  const out = new Float32Array(masks.count * dim);
  for (let start = 1; start <= masks.count; start += batchSize) {
    const end = Math.min(masks.count, start + batchSize - 1);
    const crops: MaskCrop[] = [];
    for (let k = start; k <= end; k++) crops.push(cropMask(image, masks, k, options.margin ?? 0.1, options.view));
    const emb = await embedder.embedImages(crops);
    if (emb.length !== crops.length * dim)
      throw new Error(`embedMasks: embedder ${embedder.id} returned ${emb.length} values for ${crops.length} crops of dim ${dim}`);
    out.set(emb, (start - 1) * dim);
  }
  normalizeRows(out, dim, 'embedMasks');
  return out;
}

/** L2-normalises each row in place; throws on a zero or non-finite row. */
export function normalizeRows(rows: Float32Array, dim: number, who: string): Float32Array {
  if (rows.length % dim !== 0) throw new Error(`${who}: ${rows.length} values is not a multiple of dim ${dim}`);
  for (let r = 0; r < rows.length / dim; r++) {
    let s = 0;
    for (let j = 0; j < dim; j++) s += rows[r * dim + j] * rows[r * dim + j];
    if (!(s > 0) || !Number.isFinite(s)) throw new Error(`${who}: row ${r} is zero or not finite`);
    const inv = 1 / Math.sqrt(s);
    for (let j = 0; j < dim; j++) rows[r * dim + j] *= inv;
  }
  return rows;
}
