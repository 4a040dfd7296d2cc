/**
 * Weight-free multi-view plane-sweep stereo (the first stage of MVSplat, without learned features):
 * D fronto-parallel planes in the reference camera, uniform in inverse depth between near and far; every source
 * view is warped onto each plane through its homography and compared with the reference by windowed ZNCC; the
 * per-source scores are aggregated robustly (mean of the best k of n, so an occluded source does not veto the
 * right depth); winner-take-all with a parabolic sub-plane refinement; confidence = the peak score and its margin
 * over the best non-adjacent plane. The loop itself is plane-sweep-kernel.ts.
 *
 * Coarse-to-fine (the default): a pyramid of views halved in size, each coarser level with half the planes (the
 * same plane step in pixels of parallax). The coarsest level (1/4 resolution, 1/4 of the planes: 1/64 of the
 * work) is swept exhaustively; every finer level sweeps each 48x48 tile only over the planes within +-band of
 * the winners under it one level up. Tiles keep the box-sum trick (a whole window of neighbours shares each
 * plane); a tile straddling a depth edge sweeps the union of its surfaces' bands. The exhaustive sweep
 * (`mode: 'full'`) is the reference it is measured against (docs/DEPTH.md).
 */
import type { StereoView } from './stereo-view';
import { scaleIntrinsics } from '../../capture/frame';
import { createSweepKernel, type SweepKernelResult, type SweepKernelSettings } from './plane-sweep-kernel';

export type PlaneSweepMode = 'coarse-to-fine' | 'full';
/** The mode used when none is given (caches of sweep results key on it). */
export const DEFAULT_PLANE_SWEEP_MODE: PlaneSweepMode = 'coarse-to-fine';

export interface PlaneSweepOptions {
  /** Number of inverse-depth planes (default 128). */
  planes?: number;
  /** ZNCC window side, odd (default 7). */
  window?: number;
  /** Aggregate the best k of the n source scores (default min(2, n)). */
  bestK?: number;
  /** Sweep range in metres along the reference camera's -z axis (required). */
  near: number;
  far: number;
  /** Grey-level noise floor (0..1 units): windows flatter than this get a ZNCC near 0, i.e. no confidence. */
  noiseStd?: number;
  /**
   * 'coarse-to-fine' (default): exhaustive at 1/4 resolution, then a band of planes per tile at 1/2 and full
   * resolution; 'full': every plane at every pixel (the reference, about 4-5x the CPU time).
   */
  mode?: PlaneSweepMode;
  /** Coarse-to-fine: planes swept on either side of a coarse winner, in full-resolution plane indices (default 4). */
  band?: number;
}

export interface PlaneSweepResult {
  width: number;
  height: number;
  /** Metric depth (-z) on the reference's pinhole grid; 0 where no plane projected into any source. */
  depth: Float32Array;
  /** Aggregated ZNCC at the winning plane, -1..1. */
  score: Float32Array;
  /** Winning score minus the best score at least two planes away (0..2); small = ambiguous. */
  margin: Float32Array;
  near: number;
  far: number;
  planes: number;
}

/** Tile side of the coarse-to-fine refinement (32 and 64 measured the same on the fox capture). */
const TILE = 48;

/**
 * The pyramid: at most two halvings (1/4 resolution, 1/4 of the planes at the top), each level keeping at least
 * 32 pixels a side and 16 planes; a level that cannot be halved is swept exhaustively.
 */
const MAX_HALVINGS = 2;
const MIN_COARSE_SIDE = 32;
const MIN_COARSE_PLANES = 16;

/** A coarse winner votes for its plane when its score reaches this... */
const VOTE_SCORE = 0.2;
/** ...and a plane is swept (with its band) when this share of the coarse pixels under the tile voted for it. */
const VOTE_SHARE = 0.02;

/** The view area-averaged 2x2 (a trailing odd row or column dropped): continuous pixel coordinates halve. */
function halveView(v: StereoView): StereoView {
  const w = v.width >> 1, h = v.height >> 1;
  const gray = new Float32Array(w * h);
  const src = v.gray, sw = v.width;
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const o = 2 * y * sw + 2 * x;
      gray[y * w + x] = 0.25 * (src[o] + src[o + 1] + src[o + sw] + src[o + sw + 1]);
    }
  const k = v.camera;
  return {
    ...v,
    width: w,
    height: h,
    gray,
    camera: { fx: k.fx / 2, fy: k.fy / 2, cx: k.cx / 2, cy: k.cy / 2, width: w, height: h },
    frameIntrinsics: scaleIntrinsics(v.frameIntrinsics, v.frameIntrinsics.width / 2, v.frameIntrinsics.height / 2),
  };
}

export function checkPlaneSweepInputs(ref: StereoView, sources: StereoView[], opts: PlaneSweepOptions): void {
  if (!sources.length) throw new Error('plane sweep needs at least one source view besides the reference (got a single view)');
  for (const s of sources) {
    if (s === ref || s.id === ref.id) throw new Error(`plane sweep: source ${s.id} is the reference view itself`);
    if (s.gray.length !== s.width * s.height) throw new Error(`plane sweep: view ${s.id} grey image has the wrong size`);
  }
  for (const v of [ref, ...sources])
    for (let i = 0; i < 16; i++)
      if (!Number.isFinite(v.cameraToWorld[i]) || !Number.isFinite(v.worldToCamera[i]))
        throw new Error(`plane sweep: view ${v.id} has a non-finite pose element ${i}`);
  if (!(opts.near > 0) || !(opts.far > opts.near) || !Number.isFinite(opts.far))
    throw new Error(`plane sweep: need 0 < near < far < Infinity, got near ${opts.near}, far ${opts.far}`);
  const d = opts.planes ?? 128;
  if (!Number.isInteger(d) || d < 3 || d > 4096) throw new Error(`plane sweep: planes must be an integer in 3..4096, got ${d}`);
  const win = opts.window ?? 7;
  if (!Number.isInteger(win) || win < 3 || win % 2 === 0 || win > 31) throw new Error(`plane sweep: window must be odd in 3..31, got ${win}`);
  const k = opts.bestK ?? Math.min(2, sources.length);
  if (!Number.isInteger(k) || k < 1 || k > sources.length) throw new Error(`plane sweep: bestK must be in 1..${sources.length}, got ${k}`);
  const mode = opts.mode ?? DEFAULT_PLANE_SWEEP_MODE;
  if (mode !== 'coarse-to-fine' && mode !== 'full') throw new Error(`plane sweep: mode must be 'coarse-to-fine' or 'full', got ${String(mode)}`);
  const band = opts.band ?? 4;
  if (!Number.isInteger(band) || band < 1 || band >= d) throw new Error(`plane sweep: band must be an integer in 1..${d - 1} planes, got ${band}`);
}

/**
 * One sweep a plane-sweep level asks for: the reference cut into `tile`-pixel squares (row-major: tile
 * (tx, ty) is index ty * ceil(width / tile) + tx), each swept over its own ascending plane indices
 * (`planes[t]`, empty: the tile is not swept and gets no depth). The exhaustive sweep is one tile
 * covering the image with every plane. Any runner that returns the kernel's result for a request
 * (the CPU's sweepTiles below, the WebGPU kernel of lib/gpu/plane-sweep-gpu.ts) drives the same
 * coarse-to-fine search.
 */
export interface SweepRequest {
  ref: StereoView;
  sources: StereoView[];
  set: SweepKernelSettings;
  tile: number;
  planes: Int32Array[];
}

/** The CPU kernel over a request's tiles (the reference and the fallback of every other runner). */
export function sweepTiles(req: SweepRequest): SweepKernelResult {
  const { ref, tile, planes } = req;
  const kernel = createSweepKernel(ref, req.sources, req.set);
  const tilesX = Math.ceil(ref.width / tile);
  for (let t = 0; t < planes.length; t++) {
    if (!planes[t].length) continue;
    const x0 = (t % tilesX) * tile, y0 = Math.floor(t / tilesX) * tile;
    kernel.sweepRect(x0, Math.min(ref.width, x0 + tile), y0, Math.min(ref.height, y0 + tile), planes[t], planes[t].length);
  }
  return kernel.result();
}

/**
 * The plane sweep as a sequence of kernel requests: each `yield` hands a SweepRequest to the runner
 * and gets its result back (the coarse-to-fine search needs the level above before it can plan the
 * next). planeSweep runs it on the CPU, planeSweepWith on any (possibly asynchronous) runner.
 */
export function* planeSweepSteps(ref: StereoView, sources: StereoView[], opts: PlaneSweepOptions): Generator<SweepRequest, PlaneSweepResult, SweepKernelResult> {
  checkPlaneSweepInputs(ref, sources, opts);
  const D = opts.planes ?? 128;
  const set: SweepKernelSettings = {
    planes: D,
    near: opts.near,
    far: opts.far,
    radius: ((opts.window ?? 7) - 1) >> 1,
    bestK: opts.bestK ?? Math.min(2, sources.length),
    noiseStd: opts.noiseStd ?? 0.01,
  };
  const W = ref.width, H = ref.height;
  const out = (opts.mode ?? DEFAULT_PLANE_SWEEP_MODE) === 'full' ? yield sweepAll(ref, sources, set) : yield* sweepLevel(ref, sources, set, opts.band ?? 4, 0);
  return { width: W, height: H, ...out, near: opts.near, far: opts.far, planes: D };
}

export function planeSweep(ref: StereoView, sources: StereoView[], opts: PlaneSweepOptions): PlaneSweepResult {
  const it = planeSweepSteps(ref, sources, opts);
  let step = it.next();
  while (!step.done) step = it.next(sweepTiles(step.value));
  return step.value;
}

/** planeSweep with each kernel request run by `run` (e.g. on WebGPU); the search around it is the same. */
export async function planeSweepWith(ref: StereoView, sources: StereoView[], opts: PlaneSweepOptions, run: (req: SweepRequest) => Promise<SweepKernelResult>): Promise<PlaneSweepResult> {
  const it = planeSweepSteps(ref, sources, opts);
  let step = it.next();
  while (!step.done) step = it.next(await run(step.value));
  return step.value;
}

/** Every plane over the whole reference: one tile. */
export function sweepAll(ref: StereoView, sources: StereoView[], set: SweepKernelSettings): SweepRequest {
  const all = new Int32Array(set.planes);
  for (let p = 0; p < all.length; p++) all[p] = p;
  return { ref, sources, set, tile: Math.max(ref.width, ref.height), planes: [all] };
}

/** One pyramid level: guided by the level above it when it can be halved, exhaustive otherwise. */
function* sweepLevel(ref: StereoView, sources: StereoView[], set: SweepKernelSettings, band: number, halvings: number): Generator<SweepRequest, SweepKernelResult, SweepKernelResult> {
  const coarsePlanes = Math.ceil(set.planes / 2);
  if (halvings >= MAX_HALVINGS || Math.min(ref.width, ref.height) >> 1 < MIN_COARSE_SIDE || coarsePlanes < MIN_COARSE_PLANES)
    return yield sweepAll(ref, sources, set);
  // Half the planes at half the resolution: the same plane step in pixels of parallax. The band keeps its width
  // in inverse depth.
  const coarse = yield* sweepLevel(halveView(ref), sources.map(halveView), { ...set, planes: coarsePlanes }, Math.max(1, band >> 1), halvings + 1);
  return yield refineLevel(ref, sources, set, band, coarse);
}

/** Plans each tile of the reference over the bands of planes around the coarse level's winners under it. */
function refineLevel(ref: StereoView, sources: StereoView[], set: SweepKernelSettings, band: number, coarse: SweepKernelResult): SweepRequest {
  const D = set.planes;
  const W = ref.width, H = ref.height;
  const Wc = W >> 1, Hc = H >> 1;
  // Coarse winners as (fractional) plane indices of this level.
  const qNear = 1 / set.near, qStep = (1 / set.far - qNear) / (D - 1);
  const win = new Float32Array(Wc * Hc).fill(NaN);
  for (let i = 0; i < win.length; i++) if (coarse.depth[i] > 0) win[i] = (1 / coarse.depth[i] - qNear) / qStep;

  const votes = new Int32Array(D);
  const tally = (cx0: number, cx1: number, cy0: number, cy1: number, minScore: number): number => {
    votes.fill(0);
    let voters = 0;
    for (let cy = cy0; cy < cy1; cy++)
      for (let cx = cx0; cx < cx1; cx++) {
        const j = cy * Wc + cx;
        const f = win[j];
        if (Number.isNaN(f) || coarse.score[j] < minScore) continue;
        const c = Math.round(f);
        votes[c < 0 ? 0 : c >= D ? D - 1 : c]++;
        voters++;
      }
    return voters;
  };

  const marked = new Uint8Array(D);
  const planes: Int32Array[] = [];
  for (let y0 = 0; y0 < H; y0 += TILE)
    for (let x0 = 0; x0 < W; x0 += TILE) {
      const x1 = Math.min(W, x0 + TILE), y1 = Math.min(H, y0 + TILE);
      // Coarse pixels over the tile and one beyond it (a surface just outside may reach in at this resolution).
      const cx0 = Math.max(0, (x0 >> 1) - 1), cx1 = Math.min(Wc, ((x1 + 1) >> 1) + 1);
      const cy0 = Math.max(0, (y0 >> 1) - 1), cy1 = Math.min(Hc, ((y1 + 1) >> 1) + 1);
      // Votes of the coarse winners; a plane few pixels pick is noise (textureless or occluded windows), not a
      // surface, and would widen the tile's band for nothing.
      let voters = tally(cx0, cx1, cy0, cy1, VOTE_SCORE);
      // A tile with no confident coarse pixel (textureless) still gets a depth, unconfident like the full sweep's.
      if (!voters) voters = tally(cx0, cx1, cy0, cy1, -Infinity);
      const minVotes = Math.max(2, Math.ceil(VOTE_SHARE * (cx1 - cx0) * (cy1 - cy0)));
      marked.fill(0);
      let top = -1;
      for (let c = 0; c < D; c++) {
        if (votes[c] > (top < 0 ? 0 : votes[top])) top = c;
        if (votes[c] < minVotes) continue;
        for (let p = Math.max(0, c - band); p <= Math.min(D - 1, c + band); p++) marked[p] = 1;
      }
      if (voters && !marked.some((m) => m)) for (let p = Math.max(0, top - band); p <= Math.min(D - 1, top + band); p++) marked[p] = 1;
      let count = 0;
      for (let p = 0; p < D; p++) if (marked[p]) count++;
      const list = new Int32Array(count);
      count = 0;
      for (let p = 0; p < D; p++) if (marked[p]) list[count++] = p;
      planes.push(list);
    }
  return { ref, sources, set, tile: TILE, planes };
}
