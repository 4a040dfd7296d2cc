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

/**
 * The sources of views[i] among the other views (source-views.ts: frustum overlap x parallax, not nearness) and
 * the depth range to sweep. Pure in the poses and cameras, so callers can key caches on its answer.
 */
export function pickSources(views: StereoView[], i: number, s: SweepSettings = {}): { sources: number[]; near: number; far: number } {
  if (views.length < 2) throw new Error(`multi-view stereo needs at least 2 posed views, got ${views.length}`);
  const ref = views[i];
  if (!ref) throw new Error(`multi-view stereo: no view at index ${i}`);
  const others = views.map((_, k) => k).filter((k) => k !== i);
  const poses = others.map((k) => views[k].cameraToWorld);
  const picked = selectSourceViews(ref.cameraToWorld, poses, s.sources ?? 3, { camera: ref.camera, cameras: others.map((k) => views[k].camera) }).map((k) => others[k]);
  if (!picked.length) throw new Error(`multi-view stereo: no usable source view for ${ref.id} (all too close, looking away or not overlapping)`);
  const range = s.near && s.far ? { near: s.near, far: s.far } : estimateDepthRange(ref.cameraToWorld, poses);
  return { sources: picked, ...range };
}

/** What the plane sweep of views[i] runs on: the reference, its sources (pickSources) and the options. */
export function sweepViewInputs(views: StereoView[], i: number, s: SweepSettings = {}): { ref: StereoView; sources: StereoView[]; picked: number[]; opts: PlaneSweepOptions } {
  const { sources: picked, ...range } = pickSources(views, i, s);
  const opts: PlaneSweepOptions = { planes: s.planes, window: s.window, bestK: s.bestK !== undefined ? Math.min(s.bestK, picked.length) : undefined, noiseStd: s.noiseStd, mode: s.mode, band: s.band, ...range };
  return { ref: views[i], sources: picked.map((k) => views[k]), picked, opts };
}

/** Plane sweep of views[i] against its sources on the CPU (HeavyStages.planeSweep runs sweepViewInputs' sweep on WebGPU). */
export function sweepView(views: StereoView[], i: number, s: SweepSettings = {}): ViewSweep {
  const { ref, sources, picked, opts } = sweepViewInputs(views, i, s);
  return { result: planeSweep(ref, sources, opts), sources: picked };
}

export interface RefineSettings {
  filter?: DepthFilterOptions;
  fill?: HoleFillOptions;
  /**
   * Weak texture: pixels whose reference window (the sweep's, 7x7) has a grey-level standard deviation below this
   * (0..1 units) are not trusted whatever their ZNCC, because a flat window matches anywhere (default 0.01, the
   * sweep's noise floor; 0 disables; 0.02 flagged 32-42 % of the fox's pixels, cross-checked ones among them, and
   * cost 0.3 dB there). Their depth comes from the confident pixels around them (planar fill).
   */
  minTexture?: number;
  /** Window side of the texture measure (default 7, the sweep's). */
  textureWindow?: number;
}

export interface RefinedDepth {
  /** Confidence-filtered and cross-checked depth (0 = removed), pinhole grid. */
  filtered: Float32Array;
  confidence: Float32Array;
  /** Dense depth after hole filling, pinhole grid. */
  filled: Float32Array;
  /** Share of the view's pixels whose stereo depth is trusted (survived every filter): 0..1. */
  trusted: number;
  /** Share of the view's pixels rejected as weak texture (flat windows). */
  weakTexture: number;
}

/** Below this many trusted pixels (and this share of the view), the fill starts from untrusted seeds instead. */
const MIN_SEEDS = 50;
const MIN_SEED_SHARE = 0.001;

/**
 * Grey-level standard deviation over a window x window box around each pixel (replicated borders), from summed
 * area tables: O(pixels) for any window.
 */
export function localTexture(gray: Float32Array, w: number, h: number, window = 7): Float32Array {
  if (gray.length !== w * h) throw new Error(`local texture: image has ${gray.length} values, expected ${w}x${h}`);
  if (!Number.isInteger(window) || window < 1 || window % 2 === 0) throw new Error(`local texture: window must be odd, got ${window}`);
  const r = window >> 1, W1 = w + 1;
  const s1 = new Float64Array(W1 * (h + 1)), s2 = new Float64Array(W1 * (h + 1));
  for (let y = 0; y < h; y++) {
    let a = 0, b = 0;
    for (let x = 0; x < w; x++) {
      const v = gray[y * w + x];
      a += v;
      b += v * v;
      s1[(y + 1) * W1 + x + 1] = s1[y * W1 + x + 1] + a;
      s2[(y + 1) * W1 + x + 1] = s2[y * W1 + x + 1] + b;
    }
  }
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    const y0 = Math.max(0, y - r), y1 = Math.min(h, y + r + 1);
    for (let x = 0; x < w; x++) {
      const x0 = Math.max(0, x - r), x1 = Math.min(w, x + r + 1);
      const n = (y1 - y0) * (x1 - x0);
      const a = s1[y1 * W1 + x1] - s1[y0 * W1 + x1] - s1[y1 * W1 + x0] + s1[y0 * W1 + x0];
      const b = s2[y1 * W1 + x1] - s2[y0 * W1 + x1] - s2[y1 * W1 + x0] + s2[y0 * W1 + x0];
      const m = a / n;
      out[y * w + x] = Math.sqrt(Math.max(0, b / n - m * m));
    }
  }
  return out;
}

/**
 * How much a view's stereo counts when fused with others (0.05..1): full from a quarter of its pixels trusted
 * (the fox's views trust 40-60 %), proportionally less below. A view stereo cannot be trusted for contributes
 * less rather than wrong geometry: fusion weights (and, where confidence sets opacity, opacity) scale with it.
 */
export function viewTrustWeight(trusted: number): number {
  return Math.min(1, Math.max(0.05, trusted / 0.25));
}

/**
 * Per-pixel confidence of refined stereo on its pinhole grid: the filter's where stereo survived, 0.1 where the
 * depth was filled, times the view's trust weight.
 */
export function refinedConfidence(r: RefinedDepth): Float32Array {
  const k = viewTrustWeight(r.trusted);
  return r.confidence.map((c, p) => (r.filtered[p] > 0 ? c : r.filled[p] > 0 ? 0.1 : 0) * k);
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
  let weak = 0;
  const minTexture = s.minTexture ?? 0.01;
  if (minTexture > 0) {
    const tex = localTexture(v.gray, v.width, v.height, s.textureWindow ?? 7);
    for (let p = 0; p < tex.length; p++)
      if (tex[p] < minTexture) {
        weak++;
        depth[p] = 0;
        confidence[p] = 0;
      }
  }
  let kept = 0;
  for (let p = 0; p < depth.length; p++) if (depth[p] > 0) kept++;
  // A view (almost) nothing of which is trusted would get no depth at all: the fill then starts from its
  // confident, textured pixels that no other view confirmed (or, failing those, from every swept pixel), at a
  // hundredth of their confidence. It stays a guess, reported as untrusted, and its view weight is the floor.
  let seeds = depth, seedConf = confidence;
  if (kept < Math.max(MIN_SEEDS, MIN_SEED_SHARE * depth.length)) {
    const minScore = s.filter?.minScore ?? 0.5, minMargin = s.filter?.minMargin ?? 0.02;
    const tex = minTexture > 0 ? localTexture(v.gray, v.width, v.height, s.textureWindow ?? 7) : null;
    seeds = new Float32Array(depth.length);
    seedConf = new Float32Array(depth.length);
    let n = 0;
    for (let p = 0; p < depth.length; p++)
      if (own.depth[p] > 0 && own.score[p] >= minScore && own.margin[p] >= minMargin && (!tex || tex[p] >= minTexture)) {
        seeds[p] = own.depth[p];
        seedConf[p] = 0.01 * Math.max(0, Math.min(1, own.score[p]));
        n++;
      }
    if (n < MIN_SEEDS)
      for (let p = 0; p < depth.length; p++)
        if (own.depth[p] > 0) {
          seeds[p] = own.depth[p];
          seedConf[p] = 1e-3;
        }
    for (let p = 0; p < depth.length; p++)
      if (depth[p] > 0) {
        seeds[p] = depth[p];
        seedConf[p] = confidence[p];
      }
  }
  const filled = fillDepthHoles(seeds, v.gray, v.width, v.height, { planar: true, ...s.fill, confidence: seedConf });
  return { filtered: depth, confidence, filled, trusted: kept / depth.length, weakTexture: weak / depth.length };
}
