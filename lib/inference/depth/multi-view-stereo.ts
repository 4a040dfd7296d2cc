/**
 * The multi-view stereo pipeline over a set of posed views: plane sweep per view against its nearest sources,
 * confidence filter, cross-view agreement with the sources' own sweeps, edge-aware hole filling, and the mapping
 * back to each frame's own (distorted) pixel grid.
 */
import { filterDepth, type DepthFilterOptions, type PosedDepth } from './cross-view-filter';
import { fillDepthHoles, type HoleFillOptions } from './hole-fill';
import { planeSweep, type PlaneSweepMode, type PlaneSweepOptions, type PlaneSweepResult } from './plane-sweep';
import { estimateDepthRange, selectSourceViews } from './source-views';
import type { StereoView } from './stereo-view';

export interface SweepSettings {
  planes?: number;
  window?: number;
  /** Source views per reference (default 3). */
  sources?: number;
  bestK?: number;
  /** Sweep range; estimated from the poses when absent. */
  near?: number;
  far?: number;
  noiseStd?: number;
  /** Plane-sweep mode and coarse-to-fine band (plane-sweep.ts; default coarse-to-fine, band 4). */
  mode?: PlaneSweepMode;
  band?: number;
}

export interface ViewSweep {
  result: PlaneSweepResult;
  /** Indices (into the views array) of the sources used. */
  sources: number[];
}

/** What the plane sweep of views[i] runs on: the reference, its best sources among the other views and the options. */
export function sweepViewInputs(views: StereoView[], i: number, s: SweepSettings = {}): { ref: StereoView; sources: StereoView[]; picked: number[]; opts: PlaneSweepOptions } {
  if (views.length < 2) throw new Error(`multi-view stereo needs at least 2 posed views, got ${views.length}`);
  const ref = views[i];
  if (!ref) throw new Error(`multi-view stereo: no view at index ${i}`);
  const others = views.map((_, k) => k).filter((k) => k !== i);
  const poses = others.map((k) => views[k].cameraToWorld);
  const picked = selectSourceViews(ref.cameraToWorld, poses, s.sources ?? 3).map((k) => others[k]);
  if (!picked.length) throw new Error(`multi-view stereo: no usable source view for ${ref.id} (all too close or looking away)`);
  const range = s.near && s.far ? { near: s.near, far: s.far } : estimateDepthRange(ref.cameraToWorld, poses);
  const opts: PlaneSweepOptions = { planes: s.planes, window: s.window, bestK: s.bestK !== undefined ? Math.min(s.bestK, picked.length) : undefined, noiseStd: s.noiseStd, mode: s.mode, band: s.band, ...range };
  return { ref, sources: picked.map((k) => views[k]), picked, opts };
}

/** Plane sweep of views[i] against its best sources among the other views (on the CPU; HeavyStages.planeSweep runs sweepViewInputs' sweep on WebGPU). */
export function sweepView(views: StereoView[], i: number, s: SweepSettings = {}): ViewSweep {
  const { ref, sources, picked, opts } = sweepViewInputs(views, i, s);
  return { result: planeSweep(ref, sources, opts), sources: picked };
}

export interface RefineSettings {
  filter?: DepthFilterOptions;
  fill?: HoleFillOptions;
}

export interface RefinedDepth {
  /** Confidence-filtered and cross-checked depth (0 = removed), pinhole grid. */
  filtered: Float32Array;
  confidence: Float32Array;
  /** Dense depth after hole filling, pinhole grid. */
  filled: Float32Array;
}

const asPosed = (v: StereoView, depth: Float32Array): PosedDepth => ({
  camera: v.camera,
  cameraToWorld: v.cameraToWorld,
  worldToCamera: v.worldToCamera,
  depth,
});

/** Depth kept by the per-view confidence thresholds alone (what other views are checked against). */
export function confidentDepth(sweep: PlaneSweepResult, f: DepthFilterOptions = {}): Float32Array {
  const minScore = f.minScore ?? 0.5, minMargin = f.minMargin ?? 0.02;
  const out = new Float32Array(sweep.depth.length);
  for (let i = 0; i < out.length; i++)
    if (sweep.score[i] >= minScore && sweep.margin[i] >= minMargin) out[i] = sweep.depth[i];
  return out;
}

/**
 * Filters view i by confidence and agreement with the views in `checkAgainst` (their sweeps must be given),
 * then fills holes. `sweeps[k]` may be undefined for views not involved.
 */
export function refineView(
  views: StereoView[],
  sweeps: (PlaneSweepResult | undefined)[],
  i: number,
  checkAgainst: number[],
  s: RefineSettings = {},
): RefinedDepth {
  const own = sweeps[i];
  if (!own) throw new Error(`multi-view stereo: view ${i} has no sweep`);
  const others = checkAgainst
    .filter((k) => k !== i && sweeps[k])
    .map((k) => asPosed(views[k], confidentDepth(sweeps[k]!, s.filter)));
  // Two agreeing sources (of the usual three) by default: on the fox capture one lets consistent mistakes on
  // textureless wallpaper through, which hole filling then spreads (docs/DEPTH.md).
  const minAgreeing = Math.min(s.filter?.minAgreeing ?? 2, others.length);
  const { depth, confidence } = filterDepth(asPosed(views[i], own.depth), own.score, own.margin, others, {
    ...s.filter,
    minAgreeing,
  });
  const v = views[i];
  const filled = fillDepthHoles(depth, v.gray, v.width, v.height, { ...s.fill, confidence });
  return { filtered: depth, confidence, filled };
}
