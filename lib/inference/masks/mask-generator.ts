/**
 * The one interface every mask generator satisfies (SAM automatic masks, graph segmentation).
 *
 * Output per view: a label map with 0 = no mask and 1..K = mask id, so every pixel belongs to at most
 * one mask (the paper's requirement, which lets a Gaussian inherit exactly one semantic index from its
 * source pixel), plus per-mask box, area and score in structure-of-arrays form.
 */
import type { DepthMap, Intrinsics, RgbImage } from '../../capture/frame';

export interface MaskInput {
  image: RgbImage;
  /** Optional metric depth (any resolution; generators that use it resample it to the image). */
  depth?: DepthMap;
  /** Optional intrinsics of `image` (graph segmentation uses them to derive normals from depth). */
  intrinsics?: Intrinsics;
}

export interface MaskSet {
  width: number;
  height: number;
  /** Row-major [height, width]; 0 = none, k in 1..count = mask k. */
  labels: Int32Array;
  /** Number of masks K. */
  count: number;
  /** [K, 4] per mask (x0, y0, x1, y1): pixel box, x1/y1 exclusive. Mask k is row k-1. */
  boxes: Int32Array;
  /** [K] pixels per mask. */
  areas: Int32Array;
  /** [K] quality score in 0..1 (SAM: predicted IoU; graph segmentation: 1). */
  scores: Float32Array;
}

export interface MaskGenerator {
  readonly id: string;
  generate(input: MaskInput): Promise<MaskSet>;
}

/**
 * Boxes and areas of the masks in a label map. Labels outside 0..count throw: a label map with a
 * stray id would silently drop or alias a mask downstream.
 */
export function maskStats(labels: Int32Array, width: number, height: number, count: number): { boxes: Int32Array; areas: Int32Array } {
  if (labels.length !== width * height) throw new Error(`maskStats: label map has ${labels.length} pixels, expected ${width}x${height}`);
  if (!Number.isInteger(count) || count < 0 || count > labels.length) throw new Error(`maskStats: invalid mask count ${count}`);
  const boxes = new Int32Array(count * 4);
  const areas = new Int32Array(count);
  for (let k = 0; k < count; k++) {
    boxes[k * 4] = width;
    boxes[k * 4 + 1] = height;
    boxes[k * 4 + 2] = 0;
    boxes[k * 4 + 3] = 0;
  }
  for (let y = 0, i = 0; y < height; y++) {
    for (let x = 0; x < width; x++, i++) {
      const l = labels[i];
      if (l === 0) continue;
      if (l < 0 || l > count) throw new Error(`maskStats: label ${l} at pixel (${x}, ${y}) outside 0..${count}`);
      const b = (l - 1) * 4;
      areas[l - 1]++;
      if (x < boxes[b]) boxes[b] = x;
      if (y < boxes[b + 1]) boxes[b + 1] = y;
      if (x + 1 > boxes[b + 2]) boxes[b + 2] = x + 1;
      if (y + 1 > boxes[b + 3]) boxes[b + 3] = y + 1;
    }
  }
  for (let k = 0; k < count; k++) if (areas[k] === 0) boxes.fill(0, k * 4, k * 4 + 4);
  return { boxes, areas };
}

/**
 * Renumbers a label map so the surviving ids are 1..K in order of first appearance of their old id's
 * rank (old id order is kept), dropping ids whose `keep` entry is 0. Returns the old->new table.
 */
export function compactLabels(labels: Int32Array, oldCount: number, keep?: Uint8Array): { count: number; remap: Int32Array } {
  const remap = new Int32Array(oldCount + 1);
  let next = 0;
  for (let k = 1; k <= oldCount; k++) remap[k] = !keep || keep[k] ? ++next : 0;
  for (let i = 0; i < labels.length; i++) labels[i] = remap[labels[i]];
  return { count: next, remap };
}

/** Builds a MaskSet from a label map whose ids are 1..count, with a score per mask (default 1). */
export function maskSetFromLabels(labels: Int32Array, width: number, height: number, count: number, scores?: Float32Array): MaskSet {
  const { boxes, areas } = maskStats(labels, width, height, count);
  if (scores && scores.length !== count) throw new Error(`maskSetFromLabels: ${scores.length} scores for ${count} masks`);
  return { width, height, labels, count, boxes, areas, scores: scores ?? new Float32Array(count).fill(1) };
}

export function checkRgbImage(img: RgbImage, who: string): void {
  if (!img || !Number.isInteger(img.width) || !Number.isInteger(img.height) || img.width <= 0 || img.height <= 0)
    throw new Error(`${who}: image must have positive integer width and height`);
  if (!img.data || img.data.length !== img.width * img.height * 3)
    throw new Error(`${who}: image data has ${img.data?.length} bytes, expected ${img.width}x${img.height}x3`);
}
