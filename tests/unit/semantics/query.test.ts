import { describe, expect, it } from 'vitest';
import { SemanticQuery, describeInstance, relevancy, selectGaussians, voxelComponents } from '../../../lib/inference/semantics/query';
import { GaussianScene } from '../../../lib/splat/gaussian-scene';
import { mulberry32 } from '../../../lib/inference/semantics/seeded-random';
import { DIM, FakeText, conceptVector, mix, unit } from './fakes';

describe('LERF relevancy', () => {
  it('matches a hand computation: min over canonical phrases of exp(t f.q) / (exp(t f.q) + exp(t f.c))', () => {
    const f = unit([1, 2, 0, 0]);
    const q = unit([1, 1, 0, 0]);
    const canon = new Float32Array([...unit([1, 0, 0, 0]), ...unit([0, 1, 1, 0]), ...unit([0, 0, 0, 1])]);
    const fq = (1 + 2) / (Math.sqrt(5) * Math.sqrt(2));
    const fc = [1 / Math.sqrt(5), 2 / (Math.sqrt(5) * Math.sqrt(2)), 0];
    const expected = Math.min(...fc.map((c) => Math.exp(10 * fq) / (Math.exp(10 * fq) + Math.exp(10 * c))));
    expect(relevancy(f, 0, q, canon, 4, 10)).toBeCloseTo(expected, 6);
    // Temperature matters.
    const t1 = Math.min(...fc.map((c) => Math.exp(fq) / (Math.exp(fq) + Math.exp(c))));
    expect(relevancy(f, 0, q, canon, 4, 1)).toBeCloseTo(t1, 6);
    // No overflow with a huge temperature.
    expect(relevancy(f, 0, q, canon, 4, 1e4)).toBeGreaterThan(0.99);
  });
});

/** Bank: 1 lamp A, 2 lamp B (a bit less lamp-like), 3 chair. Gaussians around three places. */
function lampScene(instances: boolean) {
  const scene = new GaussianScene({ bankDim: DIM });
  const meta = (label: string, id: number) => ({ label, instanceId: instances ? id : -1, sourceViews: [0], support: 1 });
  scene.bank.add(conceptVector('lamp'), meta('lamp', 1));
  scene.bank.add(mix('lamp', 'chair', 0.8), meta('lamp', 2));
  scene.bank.add(conceptVector('chair'), meta('chair', 3));
  const rand = mulberry32(1);
  const groups = [
    { n: 100, c: [0, 1, 0], sem: 1 },
    { n: 80, c: [3, 1, 0], sem: 2 },
    { n: 50, c: [0, 0.5, 2], sem: 3 },
    { n: 50, c: [5, 0, 5], sem: 0 },
  ];
  const expectedCentroid: Record<number, number[]> = {};
  for (const gr of groups) {
    const start = scene.allocate(gr.n);
    const sum = [0, 0, 0];
    for (let i = start; i < start + gr.n; i++) {
      for (let a = 0; a < 3; a++) {
        const v = gr.c[a] + (rand() - 0.5) * 0.3;
        scene.positions[i * 3 + a] = v;
        sum[a] += Math.fround(v);
      }
      scene.semantic[i] = gr.sem;
    }
    expectedCentroid[gr.sem] = sum.map((s) => s / gr.n);
  }
  return { scene, expectedCentroid };
}

describe('SemanticQuery', () => {
  it('selects exactly the Gaussians of the matching entries and answers with instances sorted by relevancy', async () => {
    const { scene, expectedCentroid } = lampScene(true);
    const text = new FakeText();
    const q = new SemanticQuery(text);
    const ans = await q.query(scene, 'lamp');
    expect(ans.reason).toBeUndefined();
    expect(ans.selection.length).toBe(180);
    for (const i of ans.selection) expect([1, 2]).toContain(scene.semantic[i]);
    expect(ans.entryScores[3]).toBeLessThan(0.5);
    expect(ans.instances.length).toBe(2);
    const [a, b] = ans.instances;
    expect(a.score).toBeGreaterThan(b.score);
    expect(a.bankIndices).toEqual([1]);
    expect(a.count).toBe(100);
    expect(b.count).toBe(80);
    expect(a.label).toBe('lamp');
    a.centroid.forEach((c, k) => expect(c).toBeCloseTo(expectedCentroid[1][k], 4));
    b.centroid.forEach((c, k) => expect(c).toBeCloseTo(expectedCentroid[2][k], 4));
    for (let k = 0; k < 3; k++) {
      expect(a.box.min[k]).toBeLessThanOrEqual(a.centroid[k]);
      expect(a.box.max[k]).toBeGreaterThanOrEqual(a.centroid[k]);
      expect(a.box.max[k] - a.box.min[k]).toBeLessThanOrEqual(0.3);
    }
  });

  it('splits one K-means entry covering two separated objects into two instances by voxel components', async () => {
    const { scene } = lampScene(false);
    // K-means style: both lamps carry bank row 1.
    for (let i = 0; i < scene.count; i++) if (scene.semantic[i] === 2) scene.semantic[i] = 1;
    const ans = await new SemanticQuery(new FakeText()).query(scene, 'lamp');
    expect(ans.instances.length).toBe(2);
    expect(ans.instances.map((i) => i.count).sort((x, y) => x - y)).toEqual([80, 100]);
    const xs = ans.instances.map((i) => i.centroid[0]).sort((x, y) => x - y);
    expect(xs[0]).toBeCloseTo(0, 1);
    expect(xs[1]).toBeCloseTo(3, 1);
    // Forced entry grouping keeps them together.
    const together = await new SemanticQuery(new FakeText(), { grouping: 'entries' }).query(scene, 'lamp');
    expect(together.instances.length).toBe(1);
    expect(together.instances[0].count).toBe(180);
  });

  it('answers "not found" with a reason, and caches text embeddings by normalised text', async () => {
    const { scene } = lampScene(true);
    const text = new FakeText();
    const q = new SemanticQuery(text);
    const ans = await q.query(scene, 'piano');
    expect(ans.instances).toEqual([]);
    expect(ans.selection.length).toBe(0);
    expect(ans.reason).toMatch(/nothing in the scene matches "piano"/);
    await q.query(scene, '  Lamp ');
    await q.query(scene, 'lamp');
    const embedded = text.calls.flat();
    expect(embedded.filter((t) => t === 'lamp').length).toBe(1);
    expect(embedded.filter((t) => t === 'object').length).toBe(1);
    // An entry that matches but no Gaussian carries.
    scene.bank.add(conceptVector('plant'), { label: 'plant', instanceId: 4, sourceViews: [], support: 1 });
    const none = await q.query(scene, 'plant');
    expect(none.instances).toEqual([]);
    expect(none.reason).toMatch(/no Gaussian carries/);
  });

  it('throws clear errors: empty query, no scene / empty bank, dim mismatch', async () => {
    const q = new SemanticQuery(new FakeText());
    const { scene } = lampScene(true);
    await expect(q.query(scene, '   ')).rejects.toThrow(/empty query/);
    await expect(q.query(null, 'lamp')).rejects.toThrow(/before any scene/);
    await expect(q.query(new GaussianScene({ bankDim: DIM }), 'lamp')).rejects.toThrow(/bank is empty/);
    const wrong = new GaussianScene({ bankDim: DIM + 1 });
    wrong.bank.add(new Float32Array(DIM + 1).fill(1), { label: 'x', instanceId: -1, sourceViews: [], support: 1 });
    await expect(q.query(wrong, 'lamp')).rejects.toThrow(/bank dim 8 != text embedder fake-text dim 7/);
  });

  it('selectGaussians: one pass through the lookup table', () => {
    const sem = Uint16Array.from([0, 3, 3, 1, 65535, 2]);
    const lut = new Uint8Array(65536);
    lut[3] = 1;
    lut[65535] = 1;
    const out = new Uint32Array(6);
    const n = selectGaussians(sem, 6, lut, out);
    expect(Array.from(out.subarray(0, n))).toEqual([1, 2, 4]);
    expect(() => selectGaussians(sem, 6, new Uint8Array(10), out)).toThrow(/lookup table/);
  });

  it('voxel components use 26-neighbourhoods; yaw box follows the major x-z axis', () => {
    const pos = new Float32Array([0, 0, 0, 0.1, 0.1, 0.1, 0.5, 0, 0]);
    const comp = voxelComponents(pos, Uint32Array.from([0, 1, 2]), 0.1);
    expect(comp[0]).toBe(comp[1]); // diagonal neighbours
    expect(comp[2]).not.toBe(comp[0]);
    // Points along the x = z diagonal.
    const line: number[] = [];
    for (let i = 0; i < 11; i++) line.push(i * 0.1, 0, i * 0.1, i * 0.1 + 0.01, 0.2, i * 0.1 - 0.01);
    const d = describeInstance(new Float32Array(line), Array.from({ length: 22 }, (_, i) => i));
    const ax = [Math.cos(d.yawBox.yaw), -Math.sin(d.yawBox.yaw)];
    expect(Math.abs(ax[0] * Math.SQRT1_2 + ax[1] * Math.SQRT1_2)).toBeCloseTo(1, 3);
    expect(d.yawBox.halfExtents[0]).toBeCloseTo(Math.SQRT2 / 2, 2);
    expect(d.yawBox.halfExtents[2]).toBeLessThan(0.02);
    expect(d.yawBox.halfExtents[1]).toBeCloseTo(0.1, 5);
    expect(d.yawBox.center[0]).toBeCloseTo(0.505, 2);
    expect(d.yawBox.center[2]).toBeCloseTo(0.495, 2);
  });
});

describe('voxelComponents keys', () => {
  it('keeps far-apart voxels apart (keys stay exact doubles)', () => {
    // Two points 4.4 m apart on z, the rest equal: their voxel keys must not collide.
    const positions = new Float32Array([-2.1, 1.1, -2.4, -2.1, 1.1, 2.0, -2.1, 1.1, 2.05]);
    const comp = voxelComponents(positions, new Uint32Array([0, 1, 2]), 0.1);
    expect(comp[0]).not.toBe(comp[1]);
    expect(comp[1]).toBe(comp[2]);
  });
});
