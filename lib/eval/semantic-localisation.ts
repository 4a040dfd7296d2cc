/**
 * Open-vocabulary 3D localisation scored against ground-truth boxes, on a rendered capture with instance
 * ground truth (lib/sim): reconstruct (lib/pipeline/reconstruction.ts, device depth), then for every
 * labelled category present query its name and match the returned instances to that category's boxes
 * (axis-aligned 3D IoU >= iou, greedy one-to-one), see box-matching.ts.
 *
 * Settings:
 *  - oracle: masks = the ground-truth instance maps (GroundTruthMaskGenerator), encoder = OracleClip
 *    (a crop is embedded as its object's label): isolates 3D association, bank and query.
 *  - full: any MaskGenerator + ClipPair given by the caller (graph segmentation + a CLIP pair).
 *
 * Diagnostics per object, to tell pipeline faults from ground-truth definitions:
 *  - `surfaceBox`: AABB of the object's own depth pixels over all frames (what a perfect reconstruction of
 *    the visible surfaces could return at best), and its IoU with the labelled box (`surfaceIoU`);
 *  - the best IoU any returned instance reached, and whether that instance covered other objects too.
 */
import type { Frame } from '../capture/frame';
import type { ClipPair } from '../inference/embedder';
import type { MaskGenerator } from '../inference/masks/mask-generator';
import type { MaskCrop } from '../inference/semantics/mask-crops';
import { OracleClip } from '../inference/semantics/oracle-embedder';
import { SemanticQuery, type QueryOptions } from '../inference/semantics/query';
import type { BankMode } from '../inference/semantics/semantic-builder';
import { VocabularyLabeler } from '../inference/semantics/vocabulary-labeler';
import { backProjectDepth } from '../inference/semantics/semantic-indices';
import { Reconstruction, type ReconstructionOptions, type ReconstructionReport } from '../pipeline/reconstruction';
import type { ProgressCallback } from '../pipeline/progress';
import type { SampleGroundTruth } from '../sim/render-capture';
import type { Box3 } from '../splat/semantic-bank';
import { aabbIoU, inflateBox, overallScore, scoreCategory, type CategoryScore, type EvalBox, type OverallScore } from './box-matching';
import { GroundTruthMaskGenerator } from './ground-truth-masks';

export type LocalisationSetting = 'oracle' | 'full';

export interface LocalisationOptions {
  frames: Frame[];
  groundTruth: SampleGroundTruth;
  setting: LocalisationSetting;
  bank: BankMode;
  /** full setting: the mask generator and CLIP pair. */
  generator?: MaskGenerator;
  clip?: ClipPair;
  /** An object counts as present when it covers at least this many pixels in one frame (default 100). */
  minPixels?: number;
  /** IoU threshold of a match (default 0.25). */
  iou?: number;
  /** Grow every box (ground truth and returned) to at least this extent per axis before IoU (default 0: strict). */
  minExtent?: number;
  /** Oracle embedding size (default 64: the oracle's vectors only need to be nearly orthogonal). */
  oracleDim?: number;
  query?: QueryOptions;
  reconstruction?: Omit<ReconstructionOptions, 'semantics' | 'progress'>;
  progress?: ProgressCallback;
}

export interface ObjectDiagnostic {
  id: number;
  label: string;
  /** Largest pixel count in one frame, and frames it is visible in. */
  maxPixels: number;
  frames: number;
  box: Box3;
  surfaceBox: Box3 | null;
  surfaceIoU: number;
  matched: boolean;
  /** Best IoU of any instance returned for its category, and that instance's index. */
  bestIoU: number;
  bestInstance: number;
}

export interface CategoryResult extends CategoryScore {
  category: string;
  query: string;
  reason: string | null;
  instances: { centroid: number[]; box: Box3; count: number; score: number; label: string }[];
  /** Same scoring with the visible-surface boxes as predictions: the ceiling for this GT definition. */
  surfaceCeiling: { recall: number; precision: number };
  /** The returned instances scored against the visible-surface boxes instead of the labelled boxes. */
  vsSurface: CategoryScore;
}

export interface LocalisationResult {
  setting: LocalisationSetting;
  bank: BankMode;
  overall: OverallScore;
  /** Pooled scores against the visible-surface boxes (what the capture shows of each object). */
  overallVsSurface: OverallScore;
  categories: CategoryResult[];
  objects: ObjectDiagnostic[];
  /** Labelled objects not scored (never visible with minPixels). */
  unseen: { id: number; label: string; maxPixels: number }[];
  reconstruction: ReconstructionReport;
  queryMs: number;
}

/** Query text of a ground-truth label: "WALL_ART" -> "wall art". */
export const queryTextOf = (label: string): string => label.toLowerCase().replace(/_/g, ' ').trim();

/** AABB of the world points of each object's pixels over all frames (depth back-projected). */
export function surfaceBoxes(frames: Frame[], gt: SampleGroundTruth): Map<number, Box3> {
  const boxes = new Map<number, Box3>();
  frames.forEach((f, i) => {
    const g = gt.frames[i];
    if (!f.depth || !g) return;
    const pts = backProjectDepth(f.depth, f.cameraToWorld, g.width, g.height);
    for (let p = 0; p < g.instance.length; p++) {
      const id = g.instance[p];
      if (!id) continue;
      const x = pts[3 * p];
      if (Number.isNaN(x)) continue;
      let b = boxes.get(id);
      if (!b) boxes.set(id, (b = { min: [Infinity, Infinity, Infinity], max: [-Infinity, -Infinity, -Infinity] }));
      for (let a = 0; a < 3; a++) {
        const v = pts[3 * p + a];
        if (v < b.min[a]) b.min[a] = v;
        if (v > b.max[a]) b.max[a] = v;
      }
    }
  });
  return boxes;
}

export async function evaluateLocalisation(o: LocalisationOptions): Promise<LocalisationResult> {
  const { frames, groundTruth: gt } = o;
  if (!frames.length) throw new Error('evaluateLocalisation: no frames');
  if (gt.frames.length !== frames.length) throw new Error(`evaluateLocalisation: ${frames.length} frames but ${gt.frames.length} ground-truth frames`);
  frames.forEach((f, i) => {
    if (gt.frames[i].id !== f.id) throw new Error(`evaluateLocalisation: ground-truth frame ${i} is ${gt.frames[i].id}, frame is ${f.id}`);
    if (!f.depth) throw new Error(`evaluateLocalisation: frame ${f.id} has no depth (the evaluation reconstructs with device depth)`);
  });
  const minPixels = o.minPixels ?? 100;
  const iou = o.iou ?? 0.25;
  const minExtent = o.minExtent ?? 0;
  const grow = (b: Box3): Box3 => (minExtent > 0 ? inflateBox(b, minExtent) : b);

  // Presence per object.
  const maxPx = new Map<number, number>(), nFrames = new Map<number, number>();
  for (const g of gt.frames)
    for (const v of g.visible) {
      maxPx.set(v.id, Math.max(maxPx.get(v.id) ?? 0, v.pixels));
      if (v.pixels >= minPixels) nFrames.set(v.id, (nFrames.get(v.id) ?? 0) + 1);
    }
  const present = gt.objects.filter((ob) => (maxPx.get(ob.id) ?? 0) >= minPixels);
  const unseen = gt.objects.filter((ob) => (maxPx.get(ob.id) ?? 0) < minPixels).map((ob) => ({ id: ob.id, label: ob.label, maxPixels: maxPx.get(ob.id) ?? 0 }));
  const boxOf = (id: number): Box3 => {
    const ob = gt.objects.find((x) => x.id === id)!;
    return grow({ min: ob.aabb.min as [number, number, number], max: ob.aabb.max as [number, number, number] });
  };

  // Semantics of the chosen setting.
  let generator: MaskGenerator, clip: ClipPair;
  if (o.setting === 'oracle') {
    const gen = new GroundTruthMaskGenerator(frames.map((f, i) => ({ image: f.image, instance: gt.frames[i].instance })));
    const labelOf = new Map(gt.objects.map((ob) => [ob.id, queryTextOf(ob.label)]));
    clip = new OracleClip({ dim: o.oracleDim ?? 64, labelOfCrop: (crop) => labelOf.get(gen.objectOfCrop(crop as MaskCrop)) ?? null });
    generator = gen;
  } else {
    if (!o.generator || !o.clip) throw new Error('evaluateLocalisation: the full setting needs a mask generator and a CLIP pair');
    generator = o.generator;
    clip = o.clip;
  }
  const W = frames[0].image.width, H = frames[0].image.height;
  const rec = new Reconstruction({
    width: W,
    height: H,
    depth: { prefer: 'device' },
    // Ground truth is in the sim's own frame (already y up, floor at 0): scored there.
    keepWorld: true,
    ...o.reconstruction,
    semantics: { generator, embedder: clip.image, mode: o.bank, labeler: new VocabularyLabeler(clip.text) },
    progress: o.progress,
  });
  await rec.addFrames(frames);
  await rec.finalize();
  const scene = rec.scene;

  // Query every category present.
  const q = new SemanticQuery(clip.text, o.query);
  const surf = new Map([...surfaceBoxes(frames, gt)].map(([id, b]) => [id, grow(b)]));
  const cats = [...new Set(present.map((ob) => ob.label))].sort();
  const categories: CategoryResult[] = [];
  const objects: ObjectDiagnostic[] = [];
  const tq = performance.now();
  for (const cat of cats) {
    const text = queryTextOf(cat);
    const ans = await q.query(scene, text);
    const objs = present.filter((ob) => ob.label === cat);
    const gtBoxes = objs.map((ob) => boxOf(ob.id));
    const preds = ans.instances.map((it) => ({ box: grow(it.box) as EvalBox, centroid: it.centroid }));
    const s = scoreCategory(preds, gtBoxes, iou);
    const surfPreds = objs.map((ob) => surf.get(ob.id)).filter((b): b is Box3 => !!b).map((b) => ({ box: b, centroid: [(b.min[0] + b.max[0]) / 2, (b.min[1] + b.max[1]) / 2, (b.min[2] + b.max[2]) / 2] }));
    const ceil = scoreCategory(surfPreds, gtBoxes, iou);
    const vsSurface = scoreCategory(preds, objs.map((ob, gi) => surf.get(ob.id) ?? gtBoxes[gi]), iou);
    categories.push({
      category: cat,
      query: text,
      reason: ans.reason ?? null,
      instances: ans.instances.map((it) => ({ centroid: it.centroid.map((v) => +v.toFixed(3)), box: it.box, count: it.count, score: +it.score.toFixed(3), label: it.label })),
      surfaceCeiling: { recall: ceil.recall, precision: ceil.precision },
      vsSurface,
      ...s,
    });
    objs.forEach((ob, gi) => {
      let bestIoU = 0, bestInstance = -1;
      preds.forEach((p, pi) => {
        const v = aabbIoU(p.box, gtBoxes[gi]);
        if (v > bestIoU) [bestIoU, bestInstance] = [v, pi];
      });
      const sb = surf.get(ob.id) ?? null;
      objects.push({
        id: ob.id,
        label: ob.label,
        maxPixels: maxPx.get(ob.id) ?? 0,
        frames: nFrames.get(ob.id) ?? 0,
        box: gtBoxes[gi],
        surfaceBox: sb,
        surfaceIoU: sb ? aabbIoU(sb, gtBoxes[gi]) : 0,
        matched: s.matches.some((m) => m.gt === gi),
        bestIoU,
        bestInstance,
      });
    });
  }
  return {
    setting: o.setting,
    bank: o.bank,
    overall: overallScore(categories),
    overallVsSurface: overallScore(categories.map((c) => c.vsSurface)),
    categories,
    objects,
    unseen,
    reconstruction: rec.report(),
    queryMs: performance.now() - tq,
  };
}
