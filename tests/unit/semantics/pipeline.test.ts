import { describe, expect, it } from 'vitest';
import type { MaskGenerator, MaskInput, MaskSet } from '../../../lib/inference/masks/mask-generator';
import { GraphSegmentationGenerator } from '../../../lib/inference/masks/graph-segmentation';
import type { MaskCrop } from '../../../lib/inference/semantics/mask-crops';
import { OracleClip, majorityInstance } from '../../../lib/inference/semantics/oracle-embedder';
import { SemanticBuilder, type BankMode } from '../../../lib/inference/semantics/semantic-builder';
import { SemanticQuery } from '../../../lib/inference/semantics/query';
import { VocabularyLabeler } from '../../../lib/inference/semantics/vocabulary-labeler';
import { GroundTruthMasks, ROOM, gaussiansFromViews, renderRoom, type RoomView } from './synthetic-room';

const DIM = 64;

/** Records the mask set of the view being processed, so the oracle can look up a crop's label. */
class Recording implements MaskGenerator {
  readonly id: string;
  current: MaskSet | null = null;
  constructor(private readonly inner: MaskGenerator) {
    this.id = inner.id;
  }
  async generate(input: MaskInput): Promise<MaskSet> {
    this.current = await this.inner.generate(input);
    return this.current;
  }
}

async function build(mode: BankMode, makeGenerator: (views: RoomView[]) => MaskGenerator) {
  const views: RoomView[] = [renderRoom([0.45, 0.5, 0], 0), renderRoom([0.2, 0.5, 0.4], 0.08)];
  const rec = new Recording(makeGenerator(views));
  const oracle = new OracleClip({
    dim: DIM,
    labelOfCrop: (crop) => {
      const c = crop as MaskCrop;
      const inst = majorityInstance(rec.current!.labels, c.mask, views[c.view!].gt);
      return inst ? ROOM.find((o) => o.id === inst)!.label : null;
    },
  });
  const builder = new SemanticBuilder({ generator: rec, embedder: oracle.image, mode, labeler: new VocabularyLabeler(oracle.text) });
  for (let i = 0; i < views.length; i++) await builder.addView(i, views[i].frame);
  const scene = gaussiansFromViews(views, DIM);
  const res = await builder.finalize(scene);
  return { views, scene, oracle, builder, res };
}

const inside = (p: number[], id: number, tol = 0.05) => {
  const o = ROOM.find((r) => r.id === id)!;
  return p.every((x, a) => x >= o.min[a] - tol && x <= o.max[a] + tol);
};

describe('semantic pipeline on a synthetic two-view room (oracle 2D)', () => {
  it('instances mode: one bank entry per object, every Gaussian indexed, queries answer with instances', async () => {
    const { views, scene, oracle } = await build('instances', gtMasks);
    for (const v of views) for (const id of [3, 4, 5]) expect(v.gt.includes(id), `object ${id} visible`).toBe(true);
    expect(scene.bank.count - 1).toBe(5);
    expect(scene.bank.meta.slice(1).map((m) => m.label).sort()).toEqual(['couch', 'floor', 'lamp', 'lamp', 'wall']);
    for (const m of scene.bank.meta.slice(1)) expect(m.sourceViews).toEqual([0, 1]);
    // Every Gaussian carries the entry of the object it lies on.
    const entryOfObject = new Map<number, number>();
    let g = 0;
    for (const v of views)
      for (let p = 0; p < v.gt.length; p++) {
        if (!v.gt[p]) continue;
        const e = scene.semantic[g++];
        expect(e).toBeGreaterThan(0);
        if (!entryOfObject.has(v.gt[p])) entryOfObject.set(v.gt[p], e);
        expect(e).toBe(entryOfObject.get(v.gt[p]));
      }
    expect(g).toBe(scene.count);

    const q = new SemanticQuery(oracle.text);
    const sofa = await q.query(scene, 'where is the sofa?');
    expect(sofa.instances.length).toBe(1);
    expect(sofa.instances[0].label).toBe('couch');
    expect(inside(sofa.instances[0].centroid, 3)).toBe(true);
    const couchPixels = views.reduce((s, v) => s + v.gt.filter((x) => x === 3).length, 0);
    expect(sofa.instances[0].count).toBe(couchPixels);
    const lamps = await q.query(scene, 'lamp');
    expect(lamps.instances.length).toBe(2);
    const xs = lamps.instances.map((i) => i.centroid[0]).sort((a, b) => a - b);
    expect(inside(lamps.instances.find((i) => i.centroid[0] === xs[0])!.centroid, 4)).toBe(true);
    expect(inside(lamps.instances.find((i) => i.centroid[0] === xs[1])!.centroid, 5)).toBe(true);
    const none = await q.query(scene, 'piano');
    expect(none.instances).toEqual([]);
    expect(none.reason).toBeTruthy();
  });

  it('kmeans mode (paper): M = ceil(1.2 x masks / views) clusters; voxel grouping still splits the two lamps', async () => {
    const { scene, oracle, builder } = await build('kmeans', gtMasks);
    const masks = [...builder.views.values()].reduce((s, v) => s + v.masks.count, 0);
    expect(scene.bank.count - 1).toBeLessThanOrEqual(Math.ceil((1.2 * masks) / 2));
    // Identical oracle vectors for the two lamps: one cluster, no instance ids.
    expect(scene.bank.meta.filter((m) => m.label === 'lamp').length).toBe(1);
    const lamps = await new SemanticQuery(oracle.text).query(scene, 'lamp');
    expect(lamps.instances.length).toBe(2);
  });

  it('graph segmentation (no SAM) + oracle still finds the couch and both lamps', async () => {
    const { scene, oracle } = await build('instances', () => new GraphSegmentationGenerator({ minSize: 15 }));
    const q = new SemanticQuery(oracle.text, { minGaussians: 10 });
    const sofa = await q.query(scene, 'sofa');
    expect(sofa.instances.length).toBeGreaterThanOrEqual(1);
    expect(inside(sofa.instances[0].centroid, 3, 0.1)).toBe(true);
    const lamps = await q.query(scene, 'lamp');
    const hit = (id: number) => lamps.instances.some((i) => inside(i.centroid, id, 0.1));
    expect(hit(4) && hit(5)).toBe(true);
  });
});

const gtMasks = (views: RoomView[]) => new GroundTruthMasks(new Map(views.map((v) => [v.frame.image, v.gt] as [unknown, Int32Array])));
