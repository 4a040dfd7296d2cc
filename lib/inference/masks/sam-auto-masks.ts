/**
 * SAM-style automatic mask generation on top of any PromptableSegmenter (SAM, SlimSAM, EfficientSAM,
 * MobileSAM, or a test stand-in).
 *
 * Steps (SAM's SamAutomaticMaskGenerator, one crop layer):
 * 1. embed the image once;
 * 2. prompt a regular grid of single foreground points, in batches;
 * 3. keep candidates with predicted IoU >= 0.88 and stability score >= 0.95
 *    (stability = area(logit > +1) / area(logit > -1), i.e. the IoU of the mask thresholded at +-1);
 * 4. greedy non-maximum suppression on low-resolution mask IoU (> 0.7 suppressed), highest
 *    predicted IoU first;
 * 5. upsample the survivors to image size, fill holes and drop islands below `minRegionArea`;
 * 6. resolve overlap so each pixel has one mask: masks claim still-free pixels in priority order
 *    (higher score first, or smaller area first), and a mask left with fewer than `minRegionArea`
 *    pixels is dropped.
 *
 * Only the logits inside each surviving candidate's box are kept between steps 3 and 5, so memory
 * stays proportional to mask size rather than to the number of prompts.
 */
import type { RgbImage } from '../../capture/frame';
import type { PointPredictions, PromptableSegmenter, SamImageEmbedding } from '../sam/promptable-segmenter';
import { stabilityScores } from '../sam/mask-postprocess';
import { checkRgbImage, compactLabels, maskSetFromLabels, type MaskGenerator, type MaskInput, type MaskSet } from './mask-generator';
import { removeSmallRegions } from './mask-regions';

export interface SamAutoMaskOptions {
  /** Grid of pointsPerSide x pointsPerSide prompts (default 32; 16 is 4x cheaper). */
  pointsPerSide?: number;
  /** Prompts per decoder call (capped by the segmenter's maxPromptsPerBatch; default 64). */
  pointsPerBatch?: number;
  /** Minimum predicted IoU (default 0.88). */
  predIouThreshold?: number;
  /** Minimum stability score (default 0.95). */
  stabilityThreshold?: number;
  /** Mask IoU above which the lower-scored candidate is suppressed (default 0.7). */
  nmsIouThreshold?: number;
  /** Holes and islands smaller than this many image pixels are removed; masks left smaller are
   * dropped (default: image area / 2000, at least 1). */
  minRegionArea?: number;
  /** Who wins a pixel two masks both cover: 'score' (higher predicted IoU) or 'smaller' (smaller mask on
   * top, which favours parts over wholes). Default 'score'. */
  overlap?: 'score' | 'smaller';
}

interface Candidate {
  score: number;
  /** Low-res mask area (valid grid cells with logit > 0). */
  area: number;
  /** Low-res box of logit > 0 cells, x1/y1 exclusive. */
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  /** Logits of the crop [cy0, cy1) x [cx0, cx1): the box grown by one cell for bilinear taps. */
  cx0: number;
  cy0: number;
  cw: number;
  ch: number;
  logits: Float32Array;
}

/** Grid point prompts in image pixels, cell centres of an n x n grid (as SAM's build_point_grid). */
export function pointGrid(n: number, width: number, height: number): Float32Array {
  if (!Number.isInteger(n) || n <= 0 || n > 256) throw new Error(`pointGrid: pointsPerSide must be an integer 1..256, got ${n}`);
  const pts = new Float32Array(n * n * 2);
  for (let j = 0, p = 0; j < n; j++) {
    for (let i = 0; i < n; i++, p += 2) {
      pts[p] = ((i + 0.5) / n) * width;
      pts[p + 1] = ((j + 0.5) / n) * height;
    }
  }
  return pts;
}

function checkPredictions(pred: PointPredictions, count: number): void {
  const plane = pred.maskWidth * pred.maskHeight;
  const cands = pred.count * pred.masksPerPrompt;
  if (pred.count !== count) throw new Error(`SamAutoMasks: segmenter answered ${pred.count} prompts, asked ${count}`);
  if (!(pred.masksPerPrompt >= 1) || !(plane > 0)) throw new Error('SamAutoMasks: segmenter returned an empty mask grid');
  if (pred.logits.length !== cands * plane) throw new Error(`SamAutoMasks: ${pred.logits.length} logits, expected ${cands} x ${pred.maskHeight} x ${pred.maskWidth}`);
  if (pred.iou.length !== cands) throw new Error(`SamAutoMasks: ${pred.iou.length} IoU predictions, expected ${cands}`);
}

function boxIntersects(a: Candidate, b: Candidate): boolean {
  return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
}

/** IoU of two candidates' low-res masks (logit > 0), counted over their box intersection. */
function maskIou(a: Candidate, b: Candidate): number {
  if (!boxIntersects(a, b)) return 0;
  const x0 = Math.max(a.x0, b.x0);
  const x1 = Math.min(a.x1, b.x1);
  const y0 = Math.max(a.y0, b.y0);
  const y1 = Math.min(a.y1, b.y1);
  let inter = 0;
  for (let y = y0; y < y1; y++) {
    const ra = (y - a.cy0) * a.cw - a.cx0;
    const rb = (y - b.cy0) * b.cw - b.cx0;
    for (let x = x0; x < x1; x++) if (a.logits[ra + x] > 0 && b.logits[rb + x] > 0) inter++;
  }
  const union = a.area + b.area - inter;
  return union > 0 ? inter / union : 0;
}

/** Greedy NMS, highest score first; returns survivors in score order. */
function nmsCandidates<T extends Candidate>(cands: T[], iouThreshold: number): T[] {
  const sorted = [...cands].sort((p, q) => q.score - p.score || q.area - p.area);
  const kept: T[] = [];
  for (const c of sorted) {
    let suppressed = false;
    for (const k of kept) {
      if (maskIou(c, k) > iouThreshold) {
        suppressed = true;
        break;
      }
    }
    if (!suppressed) kept.push(c);
  }
  return kept;
}

/** Extracts a candidate (box + cropped logits) from one decoder output, or null when empty. */
function extractCandidate(pred: PointPredictions, index: number, score: number): Candidate | null {
  const mw = pred.maskWidth;
  const vw = Math.min(pred.validWidth, mw);
  const vh = Math.min(pred.validHeight, pred.maskHeight);
  const base = index * mw * pred.maskHeight;
  const L = pred.logits;
  let x0 = vw;
  let y0 = vh;
  let x1 = 0;
  let y1 = 0;
  let area = 0;
  for (let y = 0; y < vh; y++) {
    const row = base + y * mw;
    for (let x = 0; x < vw; x++) {
      if (L[row + x] > 0) {
        area++;
        if (x < x0) x0 = x;
        if (x >= x1) x1 = x + 1;
        if (y < y0) y0 = y;
        if (y >= y1) y1 = y + 1;
      }
    }
  }
  if (area === 0) return null;
  const cx0 = Math.max(0, x0 - 1);
  const cy0 = Math.max(0, y0 - 1);
  const cw = Math.min(vw, x1 + 1) - cx0;
  const ch = Math.min(vh, y1 + 1) - cy0;
  const logits = new Float32Array(cw * ch);
  for (let y = 0; y < ch; y++) logits.set(L.subarray(base + (cy0 + y) * mw + cx0, base + (cy0 + y) * mw + cx0 + cw), y * cw);
  return { score, area, x0, y0, x1, y1, cx0, cy0, cw, ch, logits };
}

/**
 * Bilinear upsampling of a candidate's logits to image size, thresholded at 0; the same mapping as
 * mask-postprocess's maskToImage (pixel centre (u + 0.5) * scale in model input, / (inputSize / maskWidth)
 * on the grid), restricted to the crop. Cells outside the crop count as "outside" (logit -inf).
 */
function upsampleCandidate(c: Candidate, emb: SamImageEmbedding, pred: PointPredictions): Uint8Array {
  const W = emb.imageWidth;
  const H = emb.imageHeight;
  const sx = (emb.scale * pred.maskWidth) / emb.inputSize;
  const sy = (emb.scale * pred.maskHeight) / emb.inputSize;
  const out = new Uint8Array(W * H);
  const cx1 = c.cx0 + c.cw - 1;
  const cy1 = c.cy0 + c.ch - 1;
  const mw1 = pred.maskWidth - 1;
  const mh1 = pred.maskHeight - 1;
  const at = (gx: number, gy: number): number =>
    gx < c.cx0 || gx > cx1 || gy < c.cy0 || gy > cy1 ? -1e9 : c.logits[(gy - c.cy0) * c.cw + (gx - c.cx0)];
  // Only image pixels whose taps touch the crop can be inside.
  const u0 = Math.max(0, Math.floor((c.cx0 + 0.5) / sx - 0.5) - 1);
  const u1 = Math.min(W, Math.ceil((cx1 + 0.5) / sx + 0.5) + 1);
  const v0 = Math.max(0, Math.floor((c.cy0 + 0.5) / sy - 0.5) - 1);
  const v1 = Math.min(H, Math.ceil((cy1 + 0.5) / sy + 0.5) + 1);
  for (let v = v0; v < v1; v++) {
    const gy = Math.min(Math.max((v + 0.5) * sy - 0.5, 0), mh1);
    const ya = Math.floor(gy);
    const yb = Math.min(ya + 1, mh1);
    const fy = gy - ya;
    for (let u = u0; u < u1; u++) {
      const gx = Math.min(Math.max((u + 0.5) * sx - 0.5, 0), mw1);
      const xa = Math.floor(gx);
      const xb = Math.min(xa + 1, mw1);
      const fx = gx - xa;
      const top = at(xa, ya) * (1 - fx) + at(xb, ya) * fx;
      const bot = at(xa, yb) * (1 - fx) + at(xb, yb) * fx;
      if (top * (1 - fy) + bot * fy > 0) out[v * W + u] = 1;
    }
  }
  return out;
}

/** How many candidates survived each stage of the last `generate` call. */
export interface SamAutoMaskStats {
  prompts: number;
  candidates: number;
  afterFilters: number;
  afterNms: number;
  masks: number;
}

export class SamAutoMaskGenerator implements MaskGenerator {
  readonly id: string;
  lastStats: SamAutoMaskStats | null = null;
  private readonly opts: Required<Omit<SamAutoMaskOptions, 'minRegionArea'>> & { minRegionArea?: number };

  constructor(
    private readonly segmenter: PromptableSegmenter,
    options: SamAutoMaskOptions = {},
  ) {
    this.id = `sam-auto:${segmenter.id}`;
    this.opts = {
      pointsPerSide: options.pointsPerSide ?? 32,
      pointsPerBatch: options.pointsPerBatch ?? 64,
      predIouThreshold: options.predIouThreshold ?? 0.88,
      stabilityThreshold: options.stabilityThreshold ?? 0.95,
      nmsIouThreshold: options.nmsIouThreshold ?? 0.7,
      minRegionArea: options.minRegionArea,
      overlap: options.overlap ?? 'score',
    };
    const o = this.opts;
    if (!Number.isInteger(o.pointsPerBatch) || o.pointsPerBatch <= 0) throw new Error(`SamAutoMaskGenerator: pointsPerBatch must be a positive integer, got ${o.pointsPerBatch}`);
    for (const [k, v] of [['predIouThreshold', o.predIouThreshold], ['stabilityThreshold', o.stabilityThreshold], ['nmsIouThreshold', o.nmsIouThreshold]] as const)
      if (!(v >= 0 && v <= 1)) throw new Error(`SamAutoMaskGenerator: ${k} must be in 0..1, got ${v}`);
    if (o.overlap !== 'score' && o.overlap !== 'smaller') throw new Error(`SamAutoMaskGenerator: overlap must be 'score' or 'smaller', got ${String(o.overlap)}`);
    pointGrid(o.pointsPerSide, 1, 1);
  }

  async generate(input: MaskInput): Promise<MaskSet> {
    return this.generateFromImage(input.image);
  }

  async generateFromImage(image: RgbImage): Promise<MaskSet> {
    checkRgbImage(image, 'SamAutoMaskGenerator');
    const o = this.opts;
    const W = image.width;
    const H = image.height;
    const minArea = o.minRegionArea ?? Math.max(1, Math.round((W * H) / 2000));
    const emb = await this.segmenter.embedImage(image);
    if (emb.imageWidth !== W || emb.imageHeight !== H)
      throw new Error(`SamAutoMaskGenerator: embedding is for ${emb.imageWidth}x${emb.imageHeight}, image is ${W}x${H}`);
    const grid = pointGrid(o.pointsPerSide, W, H);
    const total = grid.length / 2;
    const batch = Math.max(1, Math.min(o.pointsPerBatch, this.segmenter.maxPromptsPerBatch || o.pointsPerBatch));

    let kept: Candidate[] = [];
    let nCands = 0;
    let nFiltered = 0;
    let lastPred: PointPredictions | null = null;
    for (let start = 0; start < total; start += batch) {
      const n = Math.min(batch, total - start);
      const pts = grid.subarray(start * 2, (start + n) * 2);
      const labels = new Int32Array(n).fill(1);
      const pred = await this.segmenter.predictPoints(emb, pts, labels);
      checkPredictions(pred, n);
      if (lastPred && (lastPred.maskWidth !== pred.maskWidth || lastPred.maskHeight !== pred.maskHeight))
        throw new Error('SamAutoMaskGenerator: mask grid size changed between batches');
      lastPred = pred;
      const cands = n * pred.masksPerPrompt;
      const stab =
        pred.stability && pred.stability.length === cands
          ? pred.stability
          : stabilityScores(pred.logits, cands, pred.maskWidth, pred.maskHeight, pred.validWidth, pred.validHeight);
      nCands += cands;
      const batchCands: Candidate[] = [];
      for (let c = 0; c < cands; c++) {
        const iou = pred.iou[c];
        if (!Number.isFinite(iou)) throw new Error(`SamAutoMaskGenerator: predicted IoU ${iou} for candidate ${c}`);
        if (iou < o.predIouThreshold || stab[c] < o.stabilityThreshold) continue;
        const cand = extractCandidate(pred, c, iou);
        if (cand) batchCands.push(cand);
      }
      nFiltered += batchCands.length;
      // NMS inside the batch first keeps the pending set small; the final pass below is global.
      kept = kept.concat(nmsCandidates(batchCands, o.nmsIouThreshold));
    }
    if (!lastPred) throw new Error('SamAutoMaskGenerator: no prompts');
    kept = nmsCandidates(kept, o.nmsIouThreshold);
    const order = o.overlap === 'smaller' ? [...kept].sort((a, b) => a.area - b.area || b.score - a.score) : kept;

    const labels = new Int32Array(W * H);
    const scores: number[] = [];
    const claimed: number[] = [];
    for (const c of order) {
      const m = upsampleCandidate(c, emb, lastPred);
      if (removeSmallRegions(m, W, H, minArea) === 0) continue;
      const id = scores.length + 1;
      let got = 0;
      for (let i = 0; i < m.length; i++) {
        if (m[i] && labels[i] === 0) {
          labels[i] = id;
          got++;
        }
      }
      scores.push(c.score);
      claimed.push(got);
    }
    const keep = new Uint8Array(scores.length + 1);
    for (let k = 0; k < scores.length; k++) keep[k + 1] = claimed[k] >= minArea ? 1 : 0;
    const { count } = compactLabels(labels, scores.length, keep);
    const outScores = new Float32Array(count);
    for (let k = 0, j = 0; k < scores.length; k++) if (keep[k + 1]) outScores[j++] = scores[k];
    this.lastStats = { prompts: total, candidates: nCands, afterFilters: nFiltered, afterNms: kept.length, masks: count };
    return maskSetFromLabels(labels, W, H, count, outScores);
  }
}
