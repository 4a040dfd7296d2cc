import { describe, expect, it } from 'vitest';
import { InstanceAssociator } from '../../../lib/inference/semantics/instance-associator';
import { assignSemanticIndices, backProjectDepth, labelMapToBankIndex, worldPointsFromScene } from '../../../lib/inference/semantics/semantic-indices';
import { GaussianScene, NO_SOURCE_VIEW } from '../../../lib/splat/gaussian-scene';
import { SemanticBank } from '../../../lib/splat/semantic-bank';
import { DIM, conceptVector, mix } from './fakes';

const VOX = 0.05;

/** Voxel-centre points of the integer voxel ranges [x0,x1) x [y0,y1) x [z0,z1), offset in metres. */
function block(x: [number, number], y: [number, number], z: [number, number], off: [number, number, number] = [0, 0, 0]): number[][] {
  const pts: number[][] = [];
  for (let i = x[0]; i < x[1]; i++)
    for (let j = y[0]; j < y[1]; j++) for (let k = z[0]; k < z[1]; k++) pts.push([off[0] + (i + 0.5) * VOX, off[1] + (j + 0.5) * VOX, off[2] + (k + 0.5) * VOX]);
  return pts;
}

/**
 * A synthetic "view": masks given as point lists; every point is one pixel of a 1-row label map
 * (plus some background pixels with no depth). Returns the associator inputs.
 */
function view(masks: { pts: number[][]; emb: Float32Array }[], background = 5) {
  const n = masks.reduce((s, m) => s + m.pts.length, 0) + background;
  const labels = new Int32Array(n);
  const world = new Float32Array(n * 3).fill(NaN);
  const emb = new Float32Array(masks.length * DIM);
  let p = background;
  masks.forEach((m, k) => {
    emb.set(m.emb, k * DIM);
    for (const q of m.pts) {
      labels[p] = k + 1;
      world.set(q, p * 3);
      p++;
    }
  });
  return { labels, emb, world };
}

const A = (z: [number, number]) => block([0, 6], [0, 6], z); // object A, 6x6x6 voxels at the origin
const B = (z: [number, number]) => block([20, 26], [0, 6], z); // object B, 1 m to the side

describe('InstanceAssociator', () => {
  it('merges the same object seen from two views and keeps two different objects apart', () => {
    const as = new InstanceAssociator(DIM, { voxelSize: VOX });
    const v1 = view([{ pts: A([0, 4]), emb: conceptVector('chair') }, { pts: B([0, 4]), emb: conceptVector('lamp') }]);
    const m1 = as.addView(0, v1.labels, v1.emb, v1.world);
    expect(as.size).toBe(2);
    // View 2 sees the back halves (overlap 2 of 4 layers = 0.5) with slightly different embeddings.
    const v2 = view([{ pts: B([2, 6]), emb: mix('lamp', 'chair', 0.9) }, { pts: A([2, 6]), emb: mix('chair', 'table', 0.9) }]);
    const m2 = as.addView(1, v2.labels, v2.emb, v2.world);
    expect(as.size).toBe(2);
    expect(m2[2]).toBe(m1[1]); // A
    expect(m2[1]).toBe(m1[2]); // B
    const a = as.list().find((e) => e.id === m1[1])!;
    expect(a.support).toBe(2);
    expect(a.sourceViews).toEqual([0, 1]);
    expect(a.voxels).toBe(216);
    expect(a.box.min[2]).toBeCloseTo(0.5 * VOX, 6);
    expect(a.box.max[2]).toBeCloseTo(5.5 * VOX, 6);
    // Running mean renormalised: between the two observations, unit length.
    expect(Math.hypot(...a.embedding)).toBeCloseTo(1, 5);
    const cosChair = a.embedding.reduce((s, x, j) => s + x * conceptVector('chair')[j], 0);
    expect(cosChair).toBeGreaterThan(0.95);
    expect(cosChair).toBeLessThan(1);
  });

  it('keeps apart things that share space but disagree semantically (a book on a table)', () => {
    const as = new InstanceAssociator(DIM, { voxelSize: VOX });
    const v1 = view([{ pts: A([0, 6]), emb: conceptVector('table') }]);
    as.addView(0, v1.labels, v1.emb, v1.world);
    const v2 = view([{ pts: A([0, 6]).slice(0, 50), emb: conceptVector('book') }]);
    const m2 = as.addView(1, v2.labels, v2.emb, v2.world);
    expect(as.size).toBe(2);
    expect(m2[1]).toBe(2);
  });

  it('grows incrementally and merges two fragments when a later view links them', () => {
    const as = new InstanceAssociator(DIM, { voxelSize: VOX });
    const left = view([{ pts: block([0, 3], [0, 6], [0, 6]), emb: conceptVector('couch') }]);
    // A one-voxel gap: not neighbours, so nothing links them yet.
    const right = view([{ pts: block([4, 7], [0, 6], [0, 6]), emb: conceptVector('couch') }]);
    const l = as.addView(3, left.labels, left.emb, left.world);
    const r = as.addView(4, right.labels, right.emb, right.world);
    expect(as.size).toBe(2);
    expect(l[1]).not.toBe(r[1]);
    const whole = view([{ pts: block([0, 7], [0, 6], [0, 6]), emb: conceptVector('couch') }]);
    const w = as.addView(5, whole.labels, whole.emb, whole.world);
    expect(as.size).toBe(1);
    expect(as.resolve(l[1])).toBe(as.resolve(r[1]));
    expect(as.viewEntries(3)[1]).toBe(w[1]);
    expect(as.viewEntries(4)[1]).toBe(w[1]);
    const e = as.list()[0];
    expect(e.support).toBe(3);
    expect(e.sourceViews).toEqual([3, 4, 5]);
    expect(e.box.min[0]).toBeCloseTo(0.5 * VOX, 6);
    expect(e.box.max[0]).toBeCloseTo(6.5 * VOX, 6);
  });

  it('counts neighbouring voxels as shared (surfaces on voxel boundaries), or only exact ones', () => {
    for (const neighbourhood of [1, 0] as const) {
      const as = new InstanceAssociator(DIM, { voxelSize: VOX, neighbourhood });
      // The same plane sampled just below and just above a voxel boundary.
      const below = view([{ pts: block([0, 6], [0, 1], [0, 6], [0, -0.5 * VOX + 1e-4, 0]), emb: conceptVector('table') }]);
      const above = view([{ pts: block([0, 6], [0, 1], [0, 6], [0, -0.5 * VOX - 1e-4, 0]), emb: conceptVector('table') }]);
      as.addView(0, below.labels, below.emb, below.world);
      as.addView(1, above.labels, above.emb, above.world);
      expect(as.size).toBe(neighbourhood ? 1 : 2);
    }
  });

  it('does not merge two entries that one view saw as separate masks (unless told to)', () => {
    for (const separate of [true, false]) {
      const as = new InstanceAssociator(DIM, { voxelSize: VOX, separateSameView: separate });
      const two = view([
        { pts: block([0, 3], [0, 6], [0, 6]), emb: conceptVector('chair') },
        { pts: block([3, 6], [0, 6], [0, 6]), emb: conceptVector('chair') },
      ]);
      as.addView(0, two.labels, two.emb, two.world);
      const whole = view([{ pts: A([0, 6]), emb: conceptVector('chair') }]);
      as.addView(1, whole.labels, whole.emb, whole.world);
      expect(as.size).toBe(separate ? 2 : 1);
    }
  });

  it('masks with too few world points get no entry', () => {
    const as = new InstanceAssociator(DIM, { voxelSize: VOX, minPoints: 8 });
    const v = view([{ pts: A([0, 6]).slice(0, 3), emb: conceptVector('lamp') }, { pts: B([0, 6]), emb: conceptVector('lamp') }]);
    const m = as.addView(0, v.labels, v.emb, v.world);
    expect(m[1]).toBe(0);
    expect(m[2]).toBeGreaterThan(0);
  });

  it('rejects bad input', () => {
    const as = new InstanceAssociator(DIM);
    const v = view([{ pts: A([0, 2]), emb: conceptVector('lamp') }]);
    as.addView(0, v.labels, v.emb, v.world);
    expect(() => as.addView(0, v.labels, v.emb, v.world)).toThrow(/already added/);
    expect(() => as.addView(1, v.labels, v.emb, v.world.subarray(3))).toThrow(/world points/);
    expect(() => as.addView(2, v.labels, new Float32Array(DIM + 1), v.world)).toThrow(/dim/);
    const bad = v.labels.slice();
    bad[bad.length - 1] = 4;
    expect(() => as.addView(3, bad, v.emb, v.world)).toThrow(/label 4/);
    expect(() => new InstanceAssociator(DIM, { voxelSize: 0 })).toThrow(/voxelSize/);
    expect(() => as.toBank(new SemanticBank(DIM + 1))).toThrow(/dim/);
  });
});

describe('bank from association and semantic index assignment', () => {
  it('every Gaussian gets the bank index of the mask its source pixel fell in', () => {
    const as = new InstanceAssociator(DIM, { voxelSize: VOX });
    const v1 = view([{ pts: A([0, 4]), emb: conceptVector('chair') }, { pts: B([0, 4]), emb: conceptVector('lamp') }]);
    const v2 = view([{ pts: A([2, 6]), emb: conceptVector('chair') }]);
    as.addView(0, v1.labels, v1.emb, v1.world);
    as.addView(1, v2.labels, v2.emb, v2.world);

    const scene = new GaussianScene({ bankDim: DIM });
    const views = [v1, v2];
    views.forEach((v, vi) => {
      for (let p = 0; p < v.labels.length; p++) {
        const g = scene.allocate(1);
        scene.sourceView[g] = vi;
        scene.sourcePixel[g] = p;
        scene.positions.set(Number.isFinite(v.world[p * 3]) ? v.world.subarray(p * 3, p * 3 + 3) : [9, 9, 9], g * 3);
      }
    });
    const loaded = scene.allocate(1);
    scene.semantic[loaded] = 1; // from a file: must be left alone
    expect(scene.sourceView[loaded]).toBe(NO_SOURCE_VIEW);

    const { entryToBank, maskToBank } = as.toBank(scene.bank);
    expect(scene.bank.count).toBe(3);
    const maps = views.map((v, vi) => ({ view: vi, width: v.labels.length, height: 1, index: labelMapToBankIndex(v.labels, maskToBank.get(vi)!) }));
    const n = assignSemanticIndices(scene, maps);
    expect(n).toBe(scene.count - 1);
    let g = 0;
    views.forEach((v, vi) => {
      const ids = as.viewEntries(vi);
      for (let p = 0; p < v.labels.length; p++, g++) {
        const l = v.labels[p];
        expect(scene.semantic[g]).toBe(l === 0 ? 0 : entryToBank.get(ids[l])!);
      }
    });
    expect(scene.semantic[loaded]).toBe(1);
    const chairRow = entryToBank.get(as.viewEntries(1)[1])!;
    expect(scene.bank.meta[chairRow].instanceId).toBe(as.viewEntries(1)[1]);
    expect(scene.bank.meta[chairRow].sourceViews).toEqual([0, 1]);
    expect(scene.bank.meta[chairRow].support).toBe(2);

    // worldPointsFromScene inverts the construction above.
    const wp = worldPointsFromScene(scene, 0, v1.labels.length, 1);
    for (let p = 5; p < v1.labels.length; p++) expect(wp[p * 3]).toBeCloseTo(v1.world[p * 3], 6);
  });

  it('maps a source grid of another resolution by nearest neighbour', () => {
    const scene = new GaussianScene({ bankDim: DIM });
    scene.bank.add(conceptVector('lamp'), { label: 'lamp', instanceId: -1, sourceViews: [0], support: 1 });
    // Source grid 4x4, index map 2x2 with only the top-right quadrant = 1.
    for (let p = 0; p < 16; p++) {
      const g = scene.allocate(1);
      scene.sourceView[g] = 0;
      scene.sourcePixel[g] = p;
    }
    assignSemanticIndices(scene, [{ view: 0, width: 2, height: 2, index: Uint16Array.from([0, 1, 0, 0]), sourceWidth: 4, sourceHeight: 4 }]);
    const got = Array.from(scene.semantic.subarray(0, 16));
    expect(got).toEqual([0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(() => assignSemanticIndices(scene, [{ view: 0, width: 2, height: 2, index: Uint16Array.from([0, 5, 0, 0]) }])).toThrow(/bank index 5/);
    expect(() => assignSemanticIndices(scene, [{ view: 0, width: 2, height: 2, index: new Uint16Array(3) }])).toThrow(/expected 2x2/);
  });

  it('back-projects depth into world points (camera looks down -z)', () => {
    const intr = { fx: 10, fy: 10, cx: 2, cy: 2, width: 4, height: 4 };
    const data = new Float32Array(16).fill(2);
    data[0] = 0;
    const pose = new Float64Array([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 1]); // translated +1 in x
    const pts = backProjectDepth({ width: 4, height: 4, data, intrinsics: intr }, pose, 4, 4);
    expect(Number.isNaN(pts[0])).toBe(true);
    // Pixel (3, 1): x = (3.5 - 2) / 10 * 2 = 0.3, y = -(1.5 - 2) / 10 * 2 = 0.1, z = -2.
    const p = (1 * 4 + 3) * 3;
    expect(pts[p]).toBeCloseTo(1.3, 5);
    expect(pts[p + 1]).toBeCloseTo(0.1, 5);
    expect(pts[p + 2]).toBeCloseTo(-2, 5);
  });
});
