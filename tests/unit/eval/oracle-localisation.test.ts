import { describe, expect, it } from 'vitest';
import { aabbIoU } from '../../../lib/eval/box-matching';
import { GroundTruthMaskGenerator } from '../../../lib/eval/ground-truth-masks';
import { evaluateLocalisation, queryTextOf } from '../../../lib/eval/semantic-localisation';
import type { MaskCrop } from '../../../lib/inference/semantics/mask-crops';
import { renderCapture } from '../../../lib/sim/render-capture';
import { loadRoom } from '../../../lib/sim/room';
import { readSemRoom } from '../../../scripts/samples';

// A small render of a real scanned room: few views at low resolution keep the run to a few seconds.
const room = loadRoom(readSemRoom('living_room'));
const cap = renderCapture(room, { seed: 1, views: 8, width: 96, height: 72 });

describe('GroundTruthMaskGenerator', () => {
  it('turns an instance map into one mask per visible object and remembers which object each mask is', async () => {
    const views = cap.frames.map((f, i) => ({ image: f.image, instance: cap.groundTruth.frames[i].instance }));
    const gen = new GroundTruthMaskGenerator(views);
    const k = cap.groundTruth.frames.findIndex((g) => g.visible.length >= 2);
    expect(k).toBeGreaterThanOrEqual(0);
    const m = await gen.generate({ image: cap.frames[k].image });
    const g = cap.groundTruth.frames[k];
    expect(m.count).toBe(g.visible.length);
    for (let p = 0; p < g.instance.length; p++) {
      if (g.instance[p] === 0) expect(m.labels[p]).toBe(0);
      else expect(gen.objectOfCrop({ mask: m.labels[p], view: k } as MaskCrop)).toBe(g.instance[p]);
    }
    for (let j = 0; j < m.count; j++) expect(m.areas[j]).toBe(g.visible.find((v) => v.id === gen.maskObjects[k]![j + 1])!.pixels);
    await expect(gen.generate({ image: { ...cap.frames[k].image } })).rejects.toThrow(/not one of the ground-truth frames/);
  });
});

describe('oracle-2D localisation end to end (small living_room render)', () => {
  it('scores returned instances against ground-truth boxes consistently, in both bank modes', async () => {
    for (const bank of ['instances', 'kmeans'] as const) {
      const res = await evaluateLocalisation({ frames: cap.frames, groundTruth: cap.groundTruth, setting: 'oracle', bank, minPixels: 30 });
      expect(res.categories.length).toBeGreaterThan(0);
      let gt = 0, pred = 0, matched = 0;
      for (const c of res.categories) {
        // Recompute this category's figures from the returned boxes, independently of the greedy matcher:
        // every matched pair must reach the IoU threshold and be one-to-one.
        const gtBoxes = res.objects.filter((o) => o.label === c.category).map((o) => o.box);
        expect(c.gt).toBe(gtBoxes.length);
        expect(c.predicted).toBe(c.instances.length);
        const ps = new Set(c.matches.map((m) => m.pred)), gs = new Set(c.matches.map((m) => m.gt));
        expect(ps.size).toBe(c.matches.length);
        expect(gs.size).toBe(c.matches.length);
        for (const m of c.matches) expect(aabbIoU(c.instances[m.pred].box, gtBoxes[m.gt])).toBeGreaterThanOrEqual(0.25);
        // No unmatched (prediction, GT) pair above the threshold was left behind.
        for (let p = 0; p < c.instances.length; p++)
          for (let g = 0; g < gtBoxes.length; g++)
            if (!ps.has(p) && !gs.has(g)) expect(aabbIoU(c.instances[p].box, gtBoxes[g])).toBeLessThan(0.25);
        expect(c.recall).toBeCloseTo(c.matched / c.gt, 12);
        expect(c.precision).toBeCloseTo(c.predicted ? c.matched / c.predicted : 0, 12);
        expect(c.countCorrect).toBe(c.predicted === c.gt);
        expect(c.query).toBe(queryTextOf(c.category));
        gt += c.gt;
        pred += c.predicted;
        matched += c.matched;
      }
      expect(res.overall.recall).toBeCloseTo(matched / gt, 12);
      expect(res.overall.precision).toBeCloseTo(pred ? matched / pred : 0, 12);
      // The oracle recognises every mask: the couch (large, seen in several views) must be found.
      const couch = res.categories.find((c) => c.category === 'COUCH');
      expect(couch, 'couch present in the render').toBeDefined();
      expect(couch!.predicted).toBeGreaterThanOrEqual(1);
      // Instances mode returns one instance per associated object; K-means groups by voxels.
      if (bank === 'instances') expect(res.reconstruction.bankEntries).toBeGreaterThanOrEqual(res.objects.length);
    }
  }, 60_000);
});
