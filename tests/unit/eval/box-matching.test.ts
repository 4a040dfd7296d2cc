import { describe, expect, it } from 'vitest';
import { aabbIoU, greedyMatch, inflateBox, overallScore, scoreCategory, unionBox, type EvalBox } from '../../../lib/eval/box-matching';

const box = (x0: number, y0: number, z0: number, x1: number, y1: number, z1: number): EvalBox => ({ min: [x0, y0, z0], max: [x1, y1, z1] });
const unit = (x: number, y = 0, z = 0) => box(x, y, z, x + 1, y + 1, z + 1);

describe('aabbIoU', () => {
  it('is 1 for identical boxes, 0 for disjoint or touching ones', () => {
    expect(aabbIoU(unit(0), unit(0))).toBe(1);
    expect(aabbIoU(unit(0), unit(2))).toBe(0);
    expect(aabbIoU(unit(0), unit(1))).toBe(0); // shared face, no volume
  });
  it('matches hand computations', () => {
    // Half-overlap along x: intersection 0.5, union 1.5.
    expect(aabbIoU(unit(0), unit(0.5))).toBeCloseTo(1 / 3, 12);
    // Overlap in all three axes by half: 0.125 / (2 - 0.125).
    expect(aabbIoU(unit(0), unit(0.5, 0.5, 0.5))).toBeCloseTo(0.125 / 1.875, 12);
    // Box inside another: volume ratio.
    expect(aabbIoU(box(0, 0, 0, 2, 2, 2), unit(0.5, 0.5, 0.5))).toBeCloseTo(1 / 8, 12);
    // Symmetric.
    expect(aabbIoU(unit(0.5), unit(0))).toBeCloseTo(aabbIoU(unit(0), unit(0.5)), 15);
  });
  it('rejects malformed boxes with a clear error', () => {
    expect(() => aabbIoU(box(1, 0, 0, 0, 1, 1), unit(0))).toThrow(/min > max on axis 0/);
    expect(() => aabbIoU(box(0, 0, NaN, 1, 1, 1), unit(0))).toThrow(/finite/);
    expect(() => aabbIoU({ min: [0, 0], max: [1, 1, 1] } as unknown as EvalBox, unit(0))).toThrow(/3 numbers/);
  });
});

describe('greedyMatch', () => {
  it('matches one-to-one, highest IoU first, and respects the threshold', () => {
    const gt = [unit(0), unit(5)];
    // pred 0 overlaps gt 0 strongly, pred 1 overlaps gt 0 weakly, pred 2 is far from everything.
    const pred = [unit(0.1), unit(0.6), unit(10)];
    const m = greedyMatch(pred, gt, 0.25);
    expect(m.map((p) => [p.pred, p.gt])).toEqual([[0, 0]]);
    expect(m[0].iou).toBeCloseTo(0.9 / 1.1, 12);
  });
  it('greedy order decides contested ground truth (the best pair wins, the loser may take another box)', () => {
    const gt = [unit(0), unit(0.8)];
    const pred = [unit(0.2)]; // IoU 0.8/1.2 with gt0, 0.4/1.6 with gt1
    expect(greedyMatch(pred, gt, 0.2).map((p) => p.gt)).toEqual([0]);
    const pred2 = [unit(0.2), unit(0.7)];
    const m = greedyMatch(pred2, gt, 0.2);
    expect(m.map((p) => [p.pred, p.gt]).sort()).toEqual([
      [0, 0],
      [1, 1],
    ]);
  });
  it('rejects a threshold outside (0, 1]', () => {
    expect(() => greedyMatch([], [], 0)).toThrow(/minIoU/);
    expect(() => greedyMatch([], [], 1.5)).toThrow(/minIoU/);
  });
});

describe('scoreCategory / overallScore', () => {
  const gt = [unit(0), unit(3)];
  it('recall, precision, count accuracy and centroid error on hand-made boxes', () => {
    const pred = [
      { box: unit(0.1), centroid: [0.6, 0.5, 0.5] },
      { box: unit(8), centroid: [8.5, 0.5, 0.5] },
    ];
    const s = scoreCategory(pred, gt, 0.25);
    expect(s.matched).toBe(1);
    expect(s.recall).toBe(0.5);
    expect(s.precision).toBe(0.5);
    expect(s.countCorrect).toBe(true); // 2 returned, 2 exist, even though one is wrong
    expect(s.centroidErrors).toHaveLength(1);
    expect(s.centroidErrors[0]).toBeCloseTo(0.1, 12);
  });
  it('nothing returned: recall 0, precision 0, count wrong', () => {
    const s = scoreCategory([], gt);
    expect([s.recall, s.precision, s.countCorrect]).toEqual([0, 0, false]);
  });
  it('too many instances: precision drops, recall does not, count is wrong', () => {
    const pred = [unit(0), unit(3), unit(3.05)].map((b) => ({ box: b, centroid: [0, 0, 0] }));
    const s = scoreCategory(pred, gt);
    expect(s.recall).toBe(1);
    expect(s.precision).toBeCloseTo(2 / 3, 12);
    expect(s.countCorrect).toBe(false);
  });
  it('pools instances over categories (micro) and counts over categories', () => {
    const a = scoreCategory([{ box: unit(0), centroid: [0.5, 0.5, 0.5] }], [unit(0)]);
    const b = scoreCategory([{ box: unit(9), centroid: [0, 0, 0] }, { box: unit(12), centroid: [0, 0, 0] }], [unit(0), unit(3), unit(6)]);
    const o = overallScore([a, b]);
    expect(o.gt).toBe(4);
    expect(o.predicted).toBe(3);
    expect(o.matched).toBe(1);
    expect(o.recall).toBe(0.25);
    expect(o.precision).toBeCloseTo(1 / 3, 12);
    expect(o.countAccuracy).toBe(0.5);
    expect(o.meanCentroidError).toBe(0);
  });
  it('unionBox', () => {
    expect(unionBox([])).toBeNull();
    expect(unionBox([unit(0), unit(2, -1, 0)])).toEqual({ min: [0, -1, 0], max: [3, 1, 1] });
  });
});

describe('inflateBox (thickness floor for flat objects)', () => {
  it('grows only the axes thinner than the floor, about the centre', () => {
    expect(inflateBox(box(0, 0, 0, 2, 1, 0.02), 0.15)).toEqual({ min: [0, 0, -0.065], max: [2, 1, 0.085] });
    expect(inflateBox(unit(0), 0)).toEqual({ min: [0, 0, 0], max: [1, 1, 1] });
    expect(() => inflateBox(unit(0), -1)).toThrow(/minExtent/);
  });
  it('lets an exact 1 cm sheet match its 12 cm slab, which plain IoU cannot', () => {
    const slab = box(0, 0, -0.06, 1, 1, 0.06), sheet = box(0, 0, -0.005, 1, 1, 0.005);
    expect(aabbIoU(sheet, slab)).toBeLessThan(0.25);
    expect(aabbIoU(inflateBox(sheet, 0.15), inflateBox(slab, 0.15))).toBeGreaterThan(0.75);
  });
});
