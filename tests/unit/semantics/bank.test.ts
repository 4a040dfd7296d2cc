import { describe, expect, it } from 'vitest';
import { maskSetFromLabels } from '../../../lib/inference/masks/mask-generator';
import { cropMask, embedMasks } from '../../../lib/inference/semantics/mask-crops';
import { bankSize, buildKMeansBank, sphericalKMeans } from '../../../lib/inference/semantics/kmeans-bank';
import { gaussianSource, mulberry32 } from '../../../lib/inference/semantics/seeded-random';
import { SemanticBank } from '../../../lib/splat/semantic-bank';
import { MeanColourImage, conceptVector, DIM, CONCEPTS, unit } from './fakes';

describe('mask crops and embeddings', () => {
  const W = 40, H = 30;
  const image = { width: W, height: H, data: new Uint8Array(W * H * 3) };
  const labels = new Int32Array(W * H);
  const rects = [
    { l: 1, x0: 5, y0: 5, x1: 15, y1: 15, rgb: [255, 0, 0] },
    { l: 2, x0: 20, y0: 2, x1: 40, y1: 12, rgb: [0, 255, 0] },
    { l: 3, x0: 0, y0: 20, x1: 4, y1: 30, rgb: [0, 0, 255] },
  ];
  for (let i = 0; i < W * H; i++) image.data.set([90, 90, 90], i * 3);
  for (const r of rects)
    for (let y = r.y0; y < r.y1; y++)
      for (let x = r.x0; x < r.x1; x++) {
        labels[y * W + x] = r.l;
        image.data.set(r.rgb, (y * W + x) * 3);
      }
  // Mask 1 is the rectangle minus its top-left quarter: the crop must zero that quarter.
  for (let y = 5; y < 10; y++) for (let x = 5; x < 10; x++) labels[y * W + x] = 0;
  const masks = maskSetFromLabels(labels, W, H, 3);

  it('crops the box grown by the margin, clamps to the image, zeroes pixels outside the mask', () => {
    const c = cropMask(image, masks, 1, 0.1);
    expect(c.box).toEqual([4, 4, 16, 16]);
    expect([c.width, c.height]).toEqual([12, 12]);
    const px = (x: number, y: number) => Array.from(c.data.subarray((y * c.width + x) * 3, (y * c.width + x) * 3 + 3));
    expect(px(0, 0)).toEqual([0, 0, 0]); // margin: grey background zeroed
    expect(px(2, 2)).toEqual([0, 0, 0]); // the cut-out quarter
    expect(px(8, 8)).toEqual([255, 0, 0]);
    const edge = cropMask(image, masks, 2, 0.1);
    expect(edge.box).toEqual([18, 1, 40, 13]);
    expect(c.mask).toBe(1);
  });

  it('embeds all masks in batches, row k-1 = mask k', async () => {
    const emb = new MeanColourImage();
    const out = await embedMasks(image, masks, emb, { batchSize: 2 });
    expect(emb.batches.map((b) => b.length)).toEqual([2, 1]);
    expect(out.length).toBe(3 * 4);
    const dominant = [0, 1, 2].map((r) => [0, 1, 2].reduce((b, j) => (out[r * 4 + j] > out[r * 4 + b] ? j : b), 0));
    expect(dominant).toEqual([0, 1, 2]);
    for (let r = 0; r < 3; r++) expect(Math.hypot(...out.subarray(r * 4, r * 4 + 4))).toBeCloseTo(1, 5);
  });

  it('rejects wrong sizes and bad embedder output', async () => {
    expect(() => cropMask({ ...image, width: 10 }, masks, 1)).toThrow(/label map/);
    expect(() => cropMask(image, masks, 4)).toThrow(/outside 1..3/);
    const bad = { id: 'bad', dim: 4, embedImages: async () => new Float32Array(3) };
    await expect(embedMasks(image, masks, bad)).rejects.toThrow(/returned 3 values/);
    const zero = { id: 'zero', dim: 4, embedImages: async (c: unknown[]) => new Float32Array(c.length * 4) };
    await expect(embedMasks(image, masks, zero)).rejects.toThrow(/zero or not finite/);
  });
});

describe('K-means memory bank (paper)', () => {
  it('M = ceil(1.2 x masks / views), clamped to 1..masks', () => {
    expect(bankSize(10, 2)).toBe(6);
    expect(bankSize(7, 3)).toBe(3); // 2.8
    expect(bankSize(25, 5)).toBe(6); // exactly 6.0: no float overshoot to 7
    expect(bankSize(1, 5)).toBe(1);
    expect(bankSize(3, 1)).toBe(3); // 3.6 -> 4, clamped to the 3 masks
    expect(bankSize(0, 4)).toBe(0);
    expect(() => bankSize(3, 0)).toThrow(/views/);
    expect(() => bankSize(-1, 2)).toThrow(/totalMasks/);
  });

  function noisy(name: string, rand: () => number, sigma: number): Float32Array {
    const g = gaussianSource(rand);
    return unit(Array.from(conceptVector(name), (x) => x + sigma * g()));
  }

  it('spherical K-means recovers well-separated groups, deterministically', () => {
    const rand = mulberry32(5);
    const names = ['lamp', 'chair', 'table'];
    const truth: number[] = [];
    const rows: Float32Array[] = [];
    for (let i = 0; i < 30; i++) {
      truth.push(i % 3);
      rows.push(noisy(names[i % 3], rand, 0.05));
    }
    const data = new Float32Array(rows.length * DIM);
    rows.forEach((r, i) => data.set(r, i * DIM));
    const a = sphericalKMeans(data, DIM, 3, { seed: 11 });
    const b = sphericalKMeans(data, DIM, 3, { seed: 11 });
    expect(Array.from(a.assignment)).toEqual(Array.from(b.assignment));
    // Same group <=> same cluster.
    for (let i = 0; i < 30; i++) for (let j = 0; j < 30; j++) expect(a.assignment[i] === a.assignment[j]).toBe(truth[i] === truth[j]);
    for (let c = 0; c < 3; c++) expect(Math.hypot(...a.centroids.subarray(c * DIM, (c + 1) * DIM))).toBeCloseTo(1, 5);
    expect(() => sphericalKMeans(data, DIM, 31)).toThrow(/k must be/);
  });

  it('builds the bank: M rows from the formula, each mask on its nearest centroid, concepts never share a row', () => {
    const rand = mulberry32(9);
    const views = [0, 1].map((view) => {
      const e = new Float32Array(5 * DIM);
      CONCEPTS.forEach((n, k) => e.set(noisy(n, rand, 0.02), k * DIM));
      return { view: view * 7, embeddings: e };
    });
    const bank = new SemanticBank(DIM);
    const res = buildKMeansBank(bank, views, { seed: 3 });
    expect(res.m).toBe(6); // ceil(1.2 * 10 / 2)
    expect(bank.count - 1).toBeLessThanOrEqual(6);
    expect(bank.count - 1).toBeGreaterThanOrEqual(5);
    const rowConcept = new Map<number, number>();
    views.forEach((v, vi) => {
      for (let k = 1; k <= 5; k++) {
        const row = res.maskToBank[vi][k];
        expect(row).toBeGreaterThan(0);
        const e = v.embeddings.subarray((k - 1) * DIM, k * DIM);
        const sims = Array.from({ length: bank.count - 1 }, (_, r) => bank.row(r + 1).reduce((s, x, j) => s + x * e[j], 0));
        expect(row).toBe(sims.indexOf(Math.max(...sims)) + 1);
        if (rowConcept.has(row)) expect(rowConcept.get(row)).toBe(k);
        rowConcept.set(row, k);
      }
    });
    const supports = bank.meta.slice(1).reduce((s, m) => s + m.support, 0);
    expect(supports).toBe(10);
    expect(bank.meta[res.maskToBank[1][1]].sourceViews).toContain(7);
  });

  it('rejects embeddings of the wrong dim and no views', () => {
    const bank = new SemanticBank(DIM);
    expect(() => buildKMeansBank(bank, [])).toThrow(/no views/);
    expect(() => buildKMeansBank(bank, [{ view: 0, embeddings: new Float32Array(DIM + 1) }])).toThrow(/bank dim/);
  });
});
