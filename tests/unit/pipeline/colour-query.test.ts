/**
 * End to end on the shipped sample room, with the TEST STAND-IN CLIP (it knows colours only): reconstruct from
 * device depth + graph masks + the instance bank, then ask a colour and check the answer against the ground truth
 * (the sample renderer paints each labelled object a named colour, recorded in instances.json).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it, beforeAll } from 'vitest';
import { nodeFolderFiles } from '../../../lib/capture/node-files';
import { readCaptureBundle } from '../../../lib/capture/capture-bundle';
import { Reconstruction } from '../../../lib/pipeline/reconstruction';
import { GraphSegmentationGenerator } from '../../../lib/inference/masks/graph-segmentation';
import { SemanticQuery, type QueryAnswer } from '../../../lib/inference/semantics/query';
import type { ClipPair } from '../../../lib/inference/embedder';
import { modelChoice, loadClip } from '../../../scripts/cli/node-models';
import type { GaussianScene } from '../../../lib/splat/gaussian-scene';

interface GtObject { id: number; label: string; color: string; aabb: { min: number[]; max: number[] } }
const gt = JSON.parse(readFileSync('public/samples/living_room.groundtruth/instances.json', 'utf8')) as { objects: GtObject[] };

const distToBox = (p: number[], b: { min: number[]; max: number[] }) =>
  Math.hypot(...p.map((v, k) => Math.max(b.min[k] - v, 0, v - b.max[k])));

describe('colour query on the living_room sample (stand-in CLIP)', () => {
  let scene: GaussianScene;
  let clip: ClipPair;
  beforeAll(async () => {
    const { clip: c } = await loadClip(await modelChoice('standin'));
    clip = c!;
    const bundle = await readCaptureBundle(nodeFolderFiles('public/samples/living_room'));
    const frames = bundle.frames.slice(20, 30); // the views that see the red and orange tables and the blue storage
    const rec = new Reconstruction({
      width: 160,
      height: 120,
      semantics: { generator: new GraphSegmentationGenerator(), embedder: clip.image, mode: 'instances', associator: { separateSameView: false } },
    });
    await rec.addFrames(frames);
    await rec.finalize();
    scene = rec.scene;
    expect(rec.report().views.every((v) => v.depthSource === 'device')).toBe(true);
  }, 120_000);

  const ask = (text: string): Promise<QueryAnswer> => new SemanticQuery(clip.text).query(scene, text);

  for (const colour of ['red', 'orange', 'blue']) {
    it(`"${colour}" finds the ${colour} object and nothing far from ${colour} objects`, async () => {
      const want = gt.objects.filter((o) => o.color === colour);
      const ans = await ask(colour);
      expect(ans.instances.length).toBeGreaterThan(0);
      // The biggest answer lies on an object of that colour (within 10 cm of its box)...
      const biggest = [...ans.instances].sort((a, b) => b.count - a.count)[0];
      expect(Math.min(...want.map((o) => distToBox(biggest.centroid, o.aabb)))).toBeLessThan(0.1);
      // ...and every answer is near some object of that colour.
      for (const it of ans.instances) expect(Math.min(...want.map((o) => distToBox(it.centroid, o.aabb)))).toBeLessThan(0.3);
    });
  }

  it('a colour absent from the scene is "not found"', async () => {
    const ans = await ask('green');
    // Green objects (ids 3, 11) are not in views 20..29.
    expect(ans.instances).toEqual([]);
    expect(ans.reason).toMatch(/nothing in the scene matches/);
  });
});
