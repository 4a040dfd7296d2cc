/**
 * 3D localisation scoring: axis-aligned box IoU, greedy one-to-one matching by IoU, and the per-category
 * figures the semantic evaluation reports (recall, precision at an IoU threshold, centroid error, count
 * accuracy). Boxes are world metres, axis-aligned (y up), `min` <= `max` per axis.
 */
import type { Box3 } from '../splat/semantic-bank';

type Vec3 = readonly [number, number, number] | readonly number[];
export interface EvalBox {
  min: Vec3;
  max: Vec3;
}

function checkBox(b: EvalBox, what: string): void {
  if (!b || !b.min || !b.max || b.min.length !== 3 || b.max.length !== 3) throw new Error(`${what}: a box needs min and max with 3 numbers each`);
  for (let a = 0; a < 3; a++) {
    if (!Number.isFinite(b.min[a]) || !Number.isFinite(b.max[a])) throw new Error(`${what}: box coordinates must be finite (axis ${a}: ${b.min[a]}..${b.max[a]})`);
    if (b.min[a] > b.max[a]) throw new Error(`${what}: box min > max on axis ${a} (${b.min[a]} > ${b.max[a]})`);
  }
}

export const boxVolume = (b: EvalBox): number => (b.max[0] - b.min[0]) * (b.max[1] - b.min[1]) * (b.max[2] - b.min[2]);

/** Intersection over union of two axis-aligned boxes (0 when disjoint or both empty). */
export function aabbIoU(a: EvalBox, b: EvalBox): number {
  checkBox(a, 'aabbIoU');
  checkBox(b, 'aabbIoU');
  let inter = 1;
  for (let k = 0; k < 3; k++) {
    const lo = Math.max(a.min[k], b.min[k]), hi = Math.min(a.max[k], b.max[k]);
    if (hi <= lo) return 0;
    inter *= hi - lo;
  }
  const union = boxVolume(a) + boxVolume(b) - inter;
  return union > 0 ? inter / union : 0;
}

export const boxCenter = (b: EvalBox): [number, number, number] => [(b.min[0] + b.max[0]) / 2, (b.min[1] + b.max[1]) / 2, (b.min[2] + b.max[2]) / 2];

export interface MatchPair {
  pred: number;
  gt: number;
  iou: number;
}

/**
 * Greedy one-to-one matching: all (prediction, ground truth) pairs with IoU >= minIoU, highest IoU first;
 * a pair is taken when neither side is taken yet. Ties keep the lower prediction index, then the lower
 * ground-truth index (deterministic).
 */
export function greedyMatch(pred: EvalBox[], gt: EvalBox[], minIoU: number): MatchPair[] {
  if (!(minIoU > 0 && minIoU <= 1)) throw new Error(`greedyMatch: minIoU must be in (0, 1], got ${minIoU}`);
  const cand: MatchPair[] = [];
  for (let p = 0; p < pred.length; p++)
    for (let g = 0; g < gt.length; g++) {
      const iou = aabbIoU(pred[p], gt[g]);
      if (iou >= minIoU) cand.push({ pred: p, gt: g, iou });
    }
  cand.sort((x, y) => y.iou - x.iou || x.pred - y.pred || x.gt - y.gt);
  const usedP = new Set<number>(), usedG = new Set<number>();
  const out: MatchPair[] = [];
  for (const c of cand) {
    if (usedP.has(c.pred) || usedG.has(c.gt)) continue;
    usedP.add(c.pred);
    usedG.add(c.gt);
    out.push(c);
  }
  return out;
}

export interface PredictedInstance {
  box: EvalBox;
  centroid: Vec3;
}

export interface CategoryScore {
  gt: number;
  predicted: number;
  matched: number;
  /** matched / gt (1 when there is no ground truth, which never happens for a queried category). */
  recall: number;
  /** matched / predicted (0 when nothing was predicted). */
  precision: number;
  /** Returned instance count equals the ground-truth count. */
  countCorrect: boolean;
  /** Distance between a matched prediction's centroid and its ground-truth box centre (metres), per match. */
  centroidErrors: number[];
  matches: MatchPair[];
}

/** Scores one category's predictions against its ground-truth boxes. */
export function scoreCategory(pred: PredictedInstance[], gt: EvalBox[], minIoU = 0.25): CategoryScore {
  const matches = greedyMatch(pred.map((p) => p.box), gt, minIoU);
  const centroidErrors = matches.map((m) => {
    const c = boxCenter(gt[m.gt]), q = pred[m.pred].centroid;
    return Math.hypot(q[0] - c[0], q[1] - c[1], q[2] - c[2]);
  });
  return {
    gt: gt.length,
    predicted: pred.length,
    matched: matches.length,
    recall: gt.length ? matches.length / gt.length : 1,
    precision: pred.length ? matches.length / pred.length : 0,
    countCorrect: pred.length === gt.length,
    centroidErrors,
    matches,
  };
}

export interface OverallScore {
  gt: number;
  predicted: number;
  matched: number;
  /** Micro-averaged over all instances of all categories. */
  recall: number;
  precision: number;
  /** Fraction of categories whose returned count equals the ground-truth count. */
  countAccuracy: number;
  meanCentroidError: number | null;
  categories: number;
}

/** Pools category scores: recall and precision over all instances, count accuracy over categories. */
export function overallScore(scores: CategoryScore[]): OverallScore {
  let gt = 0, predicted = 0, matched = 0, counts = 0, errSum = 0, errN = 0;
  for (const s of scores) {
    gt += s.gt;
    predicted += s.predicted;
    matched += s.matched;
    if (s.countCorrect) counts++;
    for (const e of s.centroidErrors) {
      errSum += e;
      errN++;
    }
  }
  return {
    gt,
    predicted,
    matched,
    recall: gt ? matched / gt : 1,
    precision: predicted ? matched / predicted : 0,
    countAccuracy: scores.length ? counts / scores.length : 1,
    meanCentroidError: errN ? errSum / errN : null,
    categories: scores.length,
  };
}

/**
 * The box grown symmetrically about its centre so every side is at least `minExtent` metres. Flat objects
 * (a picture, a window, a screen) reconstruct as a sheet ~1 cm thick whose axis-aligned IoU with a 12 cm
 * ground-truth slab cannot pass 0.25 however exact the sheet is; a thickness floor on both boxes scores
 * their in-plane agreement instead.
 */
export function inflateBox(b: EvalBox, minExtent: number): Box3 {
  checkBox(b, 'inflateBox');
  if (!(minExtent >= 0) || !Number.isFinite(minExtent)) throw new Error(`inflateBox: minExtent must be a finite number >= 0, got ${minExtent}`);
  const out: Box3 = { min: [b.min[0], b.min[1], b.min[2]], max: [b.max[0], b.max[1], b.max[2]] };
  for (let a = 0; a < 3; a++) {
    const grow = (minExtent - (b.max[a] - b.min[a])) / 2;
    if (grow > 0) {
      out.min[a] -= grow;
      out.max[a] += grow;
    }
  }
  return out;
}

/** Union box of a set of boxes (null for none). */
export function unionBox(boxes: EvalBox[]): Box3 | null {
  if (!boxes.length) return null;
  const out: Box3 = { min: [Infinity, Infinity, Infinity], max: [-Infinity, -Infinity, -Infinity] };
  for (const b of boxes)
    for (let a = 0; a < 3; a++) {
      out.min[a] = Math.min(out.min[a], b.min[a]);
      out.max[a] = Math.max(out.max[a], b.max[a]);
    }
  return out;
}
