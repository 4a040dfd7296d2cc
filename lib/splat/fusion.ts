/**
 * Incremental fusion of per-view pixel-aligned Gaussians into one GaussianScene under a hard budget.
 *
 * Model: the scene holds surface ELEMENTS. Each element has a "winner" observation (the Gaussian of
 * one view with the highest observation weight) and keeps up to `maxAlternates` runner-up
 * observations from other views in a side pool. The element takes the winner's shape (scales,
 * rotation, opacity, semantics) and, with `blend` (the default), the weighted mean colour and
 * position of all its kept observations (weight = confidence × cos(view angle) / footprint²):
 * a surface seen by several keyframes shows their average instead of one view's sensor noise and
 * white balance. The mean is recomputed from the kept raw observations whenever they change, so
 * removing a view is still exact bookkeeping rather than an approximate subtraction.
 *
 * addView(v, gaussians, range?, { origin }):
 *  1. Match. Each incoming Gaussian looks for an element on the same surface:
 *     - along its normal within hh = max(normalRadius x rho, depthSigmas x sigma(z) + poseError), sigma(z) the
 *       depth noise at the Gaussian's range z from the view's `origin` (Kinect model by default: 6 mm at 2 m, so
 *       hh ~ 2.8 cm there). Without an origin, hh = max(normalRadius x rho, poseError). Layers of one wall that two
 *       views put 1-2 cm apart (sensor noise, a 1 cm pose error) are one surface; surfaces 5 cm apart at 2 m are not;
 *     - in its plane, within mergeRadius sigmas of its own footprint (an ellipse: sigma/cos(tilt) along the tilt,
 *       so oblique floors match as well as walls) for an element no Gaussian of this view has taken yet; or within
 *       coverRadius sigmas of the footprint of an element whose spacing is at most densityRatio x ours;
 *     - with normals within acos(minNormalDot) (the two sides of a thin wall stay apart).
 *     A free element (not yet taken by this view) beats a taken one; among equals the nearest in footprint and
 *     tolerance units wins. The Gaussian that takes an element is the view's observation of it; the view's later
 *     Gaussians that fall only into taken footprints are ABSORBED into that observation (weighted mean colour and
 *     position): this is the surface-density limit. A view nearer than the scene's elements by less than
 *     densityRatio (default 2x) adds nothing where the surface is already covered, it refines the colour and
 *     position instead, and its observation keeps the element's footprint (rotation, scales) so the samples
 *     averaged into it leave no holes. A view more than densityRatio x finer adds its samples as new detail. So the
 *     count converges as views of the same surfaces arrive; it grows with new surface area (and a log of the range
 *     of viewing distances), not with the number of views.
 *     Search: the own layer first (normalRadius x rho along the normal, a few hash boxes), the whole tolerance
 *     only for Gaussians that matched nothing there. Spatial hash: cell = base·2^level, level = smallest with
 *     cell >= 2·mergeRadius·(larger in-plane sigma); an element is registered once, at its own level; a query
 *     visits the levels from one below its own to one above the coarsest absorbable element's, each with boxes
 *     strung along the normal.
 *  2. Merge. A matched observation with a higher weight becomes the element's winner (the old winner becomes
 *     an alternate); otherwise it becomes an alternate. Per element only the `maxAlternates` highest-weight
 *     alternates are kept.
 *  3. Budget. Unmatched Gaussians become new elements. If that would pass scene.budget, the
 *     lowest-weight elements and incoming Gaussians are evicted together (weight = confidence ×
 *     cos(view angle) / footprint², i.e. distant, grazing, unconfident observations go first),
 *     down to budget × (1 - evictSlack) so evictions are not repeated on every view. The scene
 *     never overflows.
 * removeView(v): alternates from v are dropped; an element whose winner came from v shows its best
 * remaining alternate instead, or disappears when it has none. With up to maxAlternates + 1
 * overlapping views this restores what the other views contributed at the scene's density: exactly, Gaussian
 * for Gaussian, with densityRatio 0; with the density limit a remaining view's absorbed samples are not
 * restored one by one, its averaged observations keep the surface covered (tested). Beyond maxAlternates + 1
 * views, the runner-ups that were not kept are lost (documented trade of memory for exactness). Greedy matching
 * depends on arrival order: with the density limit, whichever view came first (within 2x) sets the density.
 * replaceView(v, gaussians) = removeView(v) (when present) + addView(v, gaussians).
 *
 * The fusion owns the structure of its scene (count, order): edit attributes such as `semantic`
 * in place if needed, but add or remove Gaussians only through the fusion.
 */
import { GaussianScene, shRestCount } from './gaussian-scene';
import { SpatialHash, HASH_LEVELS } from './spatial-hash';
import type { SceneChangeListener } from './scene-delta';
import { KINECT_NOISE, type DepthNoiseModel } from '../inference/depth/depth-conditioning';

export interface FusionOptions {
  /** Match radius in units of the incoming Gaussian's smaller in-plane sigma (default 1.5 = 0.75 sample spacing at scaleFactor 0.5). */
  mergeRadius?: number;
  /**
   * Smallest match tolerance ALONG the normal, in units of rho (default 3): depth scatters along the view ray by
   * more than the sample spacing. The depth-noise tolerance (depthNoise, depthSigmas, poseError) is used where larger.
   */
  normalRadius?: number;
  /**
   * Smallest dot product of two normals of the same surface (default 0.3, i.e. within 73°: normals from noisy sensor
   * depth scatter by tens of degrees at a 5 mm spacing; the two sides of a thin wall, dot ~ -1, stay apart).
   */
  minNormalDot?: number;
  /** Runner-up observations kept per element for removeView (default 2). */
  maxAlternates?: number;
  /** When evicting, free this fraction of the budget beyond the need (default 0.02). */
  evictSlack?: number;
  /** Finest hash cell side in metres (default 0.001). */
  baseCell?: number;
  /** Show the weighted mean colour and position of an element's kept observations (default true); false = the winner's own. */
  blend?: boolean;
  /**
   * Depth noise of the observations, sigma(z) = a + b (z - 0.4)^2 metres at range z from the view's camera (default:
   * the Kinect v1 model of depth-conditioning.ts, a 0.0012, b 0.0019; null = none). Used only when addView is given the
   * view's camera origin.
   */
  depthNoise?: DepthNoiseModel | null;
  /** Layers within depthSigmas x sigma(z) + poseError along the normal are one surface (default 3). */
  depthSigmas?: number;
  /** Pose error between views, metres (default 0.01: a 1 cm registration residual splits one wall into two layers). */
  poseError?: number;
  /**
   * Surface-density limit (default 2): an incoming Gaussian that falls inside an existing element's footprint adds
   * no element unless its sample spacing is finer than the element's by more than this factor; it is averaged into
   * the element's observation from its view instead. 0 = no limit (every view adds its unmatched samples).
   */
  densityRatio?: number;
  /**
   * Footprint of an element for that limit, in its own sigmas (default 2 = one sample spacing at scaleFactor 0.5): an
   * incoming Gaussian this close to an element that is dense enough is averaged into it rather than filling a hole.
   */
  coverRadius?: number;
}

/** Per-view facts addView can use. */
export interface FusionViewInfo {
  /** Camera centre of the view (world), for the depth-noise tolerance. */
  origin?: ArrayLike<number>;
}

export interface FusionReport {
  /** Gaussians of the view that became new elements. */
  added: number;
  /** Gaussians of the view matched to an existing element. */
  merged: number;
  /** Of those, how many became the element's winner (better observed). */
  replaced: number;
  /** Gaussians of the view averaged into an element another Gaussian of the same view had matched (surface already dense enough). */
  absorbed: number;
  /** Elements plus incoming Gaussians evicted for the budget. */
  evicted: number;
  /** Observations discarded because the element already kept maxAlternates better ones. */
  droppedAlternates: number;
}

export interface RemoveReport {
  /** Elements that disappeared (no other view had seen them). */
  removed: number;
  /** Elements now showing another view's observation. */
  restored: number;
}

/** Copies Gaussian i of src into slot j of dst (same SH degree). */
export function copyGaussian(src: GaussianScene, i: number, dst: GaussianScene, j: number): void {
  dst.positions[j * 3] = src.positions[i * 3];
  dst.positions[j * 3 + 1] = src.positions[i * 3 + 1];
  dst.positions[j * 3 + 2] = src.positions[i * 3 + 2];
  dst.scales[j * 3] = src.scales[i * 3];
  dst.scales[j * 3 + 1] = src.scales[i * 3 + 1];
  dst.scales[j * 3 + 2] = src.scales[i * 3 + 2];
  dst.rotations[j * 4] = src.rotations[i * 4];
  dst.rotations[j * 4 + 1] = src.rotations[i * 4 + 1];
  dst.rotations[j * 4 + 2] = src.rotations[i * 4 + 2];
  dst.rotations[j * 4 + 3] = src.rotations[i * 4 + 3];
  dst.opacities[j] = src.opacities[i];
  dst.colors[j * 3] = src.colors[i * 3];
  dst.colors[j * 3 + 1] = src.colors[i * 3 + 1];
  dst.colors[j * 3 + 2] = src.colors[i * 3 + 2];
  const sh = shRestCount(src.shDegree);
  if (sh) dst.shRest.set(src.shRest.subarray(i * sh, i * sh + sh), j * sh);
  dst.semantic[j] = src.semantic[i];
  dst.sourceView[j] = src.sourceView[i];
  dst.sourcePixel[j] = src.sourcePixel[i];
  dst.weight[j] = src.weight[i];
}

const NONE = -1;
/** match[] of an incoming Gaussian averaged into another Gaussian's observation of the same view. */
const ABSORBED = -2;

export class SceneFusion {
  readonly scene: GaussianScene;
  readonly mergeRadius: number;
  readonly minNormalDot: number;
  readonly normalRadius: number;
  readonly maxAlternates: number;
  readonly evictSlack: number;
  readonly blend: boolean;
  readonly depthNoise: DepthNoiseModel | null;
  readonly depthSigmas: number;
  readonly poseError: number;
  readonly densityRatio: number;
  readonly coverRadius: number;
  private hash: SpatialHash;
  /** Per addView: the incoming Gaussian that took each element, and per taker the weighted sums of its group. */
  private claimer = new Int32Array(0);
  private groupW = new Float64Array(0);
  private groupCol = new Float64Array(0);
  private groupPos = new Float64Array(0);
  /** One observation being built (the group's mean). */
  private obs: GaussianScene;
  /** Per element: the winner's own colour and position (the scene shows the blend). */
  private rawCol = new Float32Array(0);
  private rawPos = new Float32Array(0);
  /** Per element: first alternate (pool slot) or -1; the addView call that last touched it. */
  private altHead = new Int32Array(0);
  private stamp = new Int32Array(0);
  private call = 0;
  /** Runner-up observations; slots are recycled through a free stack. */
  private pool: GaussianScene;
  private altNext = new Int32Array(0);
  private free = new Int32Array(0);
  private freeCount = 0;
  private viewSet = new Set<number>();
  /** Told of every structural change to the scene (the live scan's display deltas, lib/splat/scene-delta.ts). */
  changes: SceneChangeListener | null = null;

  constructor(scene: GaussianScene, opts: FusionOptions = {}) {
    const num = (v: number | undefined, def: number, name: string, lo: number, hi: number) => {
      const x = v ?? def;
      if (!Number.isFinite(x) || x < lo || x > hi) throw new Error(`SceneFusion: option ${name} must be in [${lo}, ${hi}], got ${v}`);
      return x;
    };
    this.scene = scene;
    this.mergeRadius = num(opts.mergeRadius, 1.5, 'mergeRadius', 0, 100);
    this.minNormalDot = num(opts.minNormalDot, 0.3, 'minNormalDot', -1, 1);
    this.normalRadius = num(opts.normalRadius, 3, 'normalRadius', 1, 20);
    this.maxAlternates = num(opts.maxAlternates, 2, 'maxAlternates', 0, 16);
    if (!Number.isInteger(this.maxAlternates)) throw new Error(`SceneFusion: maxAlternates must be an integer, got ${opts.maxAlternates}`);
    this.evictSlack = num(opts.evictSlack, 0.02, 'evictSlack', 0, 0.5);
    this.hash = new SpatialHash(num(opts.baseCell, 0.001, 'baseCell', 1e-9, 1e6));
    this.blend = opts.blend ?? true;
    const dn = opts.depthNoise === undefined ? KINECT_NOISE : opts.depthNoise;
    if (dn && !(Number.isFinite(dn.a) && Number.isFinite(dn.b) && dn.a >= 0 && dn.b >= 0))
      throw new Error(`SceneFusion: option depthNoise must have finite a, b >= 0, got ${JSON.stringify(dn)}`);
    this.depthNoise = dn;
    this.depthSigmas = num(opts.depthSigmas, 3, 'depthSigmas', 0, 20);
    this.poseError = num(opts.poseError, 0.01, 'poseError', 0, 1e6);
    this.densityRatio = num(opts.densityRatio, 2, 'densityRatio', 0, 16);
    this.coverRadius = num(opts.coverRadius, 2, 'coverRadius', 0, 100);
    this.obs = new GaussianScene({ budget: 1, shDegree: scene.shDegree, bankDim: 1, initialCapacity: 1 });
    this.obs.allocate(1);
    this.pool = new GaussianScene({
      budget: Math.max(1, this.maxAlternates * scene.budget),
      shDegree: scene.shDegree,
      bankDim: 1,
      initialCapacity: 1024,
    });
    this.ensureElements(scene.capacity);
    this.altHead.fill(NONE);
    for (let e = 0; e < scene.count; e++) this.keepRaw(e);
    // Gaussians already in the scene (e.g. loaded from a file) take part as elements without alternates.
    this.rebuildHash();
  }

  /** Views currently contributing, ascending. */
  views(): number[] {
    return [...this.viewSet].sort((a, b) => a - b);
  }

  hasView(viewIndex: number): boolean {
    return this.viewSet.has(viewIndex);
  }

  /** Runner-up observations held for removeView. */
  get alternateCount(): number {
    return this.pool.count - this.freeCount;
  }

  /** Bytes held by the fusion's bookkeeping beyond the scene itself (alternates pool, hash, links). */
  bookkeepingBytes(): number {
    const p = this.pool;
    const poolBytes = p.capacity * p.bytesPerGaussian();
    return poolBytes + this.hash.byteLength() + this.rawCol.byteLength + this.rawPos.byteLength + this.altHead.byteLength + this.stamp.byteLength + this.altNext.byteLength + this.free.byteLength;
  }

  /**
   * Fuses the Gaussians source[range] observed by view `viewIndex` (their sourceView is set to it).
   * The view must not be present yet: use replaceView for a re-scan.
   */
  addView(viewIndex: number, source: GaussianScene, range?: { start: number; count: number }, view?: FusionViewInfo): FusionReport {
    const scene = this.scene;
    if (!Number.isInteger(viewIndex) || viewIndex < 0 || viewIndex >= 0xffff)
      throw new Error(`SceneFusion.addView: viewIndex must be an integer in 0..65534, got ${viewIndex}`);
    if (this.viewSet.has(viewIndex)) throw new Error(`SceneFusion.addView: view ${viewIndex} is already fused; use replaceView`);
    if (source === scene) throw new Error('SceneFusion.addView: source must be a separate staging scene, not the fused scene');
    if (source.shDegree !== scene.shDegree)
      throw new Error(`SceneFusion.addView: source has SH degree ${source.shDegree}, scene has ${scene.shDegree}`);
    const start = range?.start ?? 0;
    const n = range?.count ?? source.count - start;
    if (!Number.isInteger(start) || !Number.isInteger(n) || start < 0 || n < 0 || start + n > source.count)
      throw new Error(`SceneFusion.addView: range ${start}+${n} outside the source's ${source.count} Gaussians`);
    const sp = source.positions, ss = source.scales, sr = source.rotations, sw = source.weight;
    for (let j = start; j < start + n; j++) {
      const x = sp[j * 3], y = sp[j * 3 + 1], z = sp[j * 3 + 2];
      const a = ss[j * 3], b = ss[j * 3 + 1];
      if (!Number.isFinite(x + y + z) || !(a > 0 && b > 0 && a < Infinity && b < Infinity) || !(sw[j] >= 0 && sw[j] < Infinity))
        throw new Error(`SceneFusion.addView: source Gaussian ${j} has a non-finite position, a non-positive scale or an invalid weight`);
    }

    const stamp = ++this.call;
    const match = new Int32Array(n);
    const hash = this.hash;
    const mr = this.mergeRadius, minDot = this.minNormalDot, nr = this.normalRadius, dr = this.densityRatio;
    const pos = scene.positions, rot = scene.rotations, sca = scene.scales;
    const st = this.stamp;
    this.ensureScratch(n);
    const claimer = this.claimer, gw = this.groupW, gc = this.groupCol, gp = this.groupPos;
    const sc = source.colors;
    const o = view?.origin;
    if (o && !(o.length >= 3 && Number.isFinite(o[0] + o[1] + o[2])))
      throw new Error('SceneFusion.addView: view.origin must be three finite numbers');
    const noise = o ? this.depthNoise : null;
    const ks = this.depthSigmas, pe = this.poseError;
    let absorbed = 0;
    const mr2 = mr * mr, cr = this.coverRadius, cr2 = cr * cr;
    for (let t = 0; t < n; t++) {
      const j = start + t;
      const x = sp[j * 3], y = sp[j * 3 + 1], z = sp[j * 3 + 2];
      const sxi = ss[j * 3], syi = ss[j * 3 + 1];
      const sIn = Math.min(sxi, syi), sMax = Math.max(sxi, syi);
      const isx2 = 1 / (sxi * sxi), isy2 = 1 / (syi * syi);
      const rho = mr * sMax;
      const qx = sr[j * 4], qy = sr[j * 4 + 1], qz = sr[j * 4 + 2], qw = sr[j * 4 + 3];
      const qi = 2 / (qx * qx + qy * qy + qz * qz + qw * qw);
      // Local axes of the incoming Gaussian: x (tilt direction, sigma sxi), y (syi), normal z.
      const ax = 1 - (qy * qy + qz * qz) * qi, ay = (qx * qy + qw * qz) * qi, az = (qx * qz - qw * qy) * qi;
      const bx = (qx * qy - qw * qz) * qi, by = 1 - (qx * qx + qz * qz) * qi, bz = (qy * qz + qw * qx) * qi;
      const nx = (qx * qz + qw * qy) * qi, ny = (qy * qz - qw * qx) * qi, nz = 1 - (qx * qx + qy * qy) * qi;
      // Along the normal: the larger of nr*rho and the physical tolerance (depth noise at this range + pose error).
      let hh = nr * mr * sIn;
      if (noise) {
        const ex = x - o![0], ey = y - o![1], ez = z - o![2];
        const r = Math.max(0.4, Math.sqrt(ex * ex + ey * ey + ez * ez)) - 0.4;
        hh = Math.max(hh, ks * (noise.a + noise.b * r * r) + pe);
      } else hh = Math.max(hh, pe);
      const ihh2 = 1 / (hh * hh);
      // In the plane: within mergeRadius sigmas of our own footprint (ellipse) for an element we may take (one
      // Gaussian per element per view), or within mergeRadius sigmas of the footprint of an element whose spacing
      // is at most dr x ours (the surface is dense enough there already: we are averaged into it).
      const reach = dr > 1 ? (dr * Math.max(cr, mr) * rho) / mr : rho;
      const sMaxAbsorb = dr * sIn;
      let best = NONE, bestD2 = Infinity, bestFree = false;
      const level = hash.levelFor(2 * rho), top = hash.levelFor(2 * (dr > 1 ? dr * rho : rho));
      const grow = Math.max(1, cr / mr);
      // Two passes: the Gaussian's own layer first (nr rho along the normal, a few boxes), the whole tolerance
      // only when nothing matched there (the first time two views' layers of a surface meet).
      const h0 = Math.min(hh, nr * mr * sIn);
      for (let pass = 0; pass < 2; pass++) {
      const hq = pass === 0 ? h0 : hh;
      if (pass === 1 && (best !== NONE || h0 >= hh)) break;
      for (let lv = level > 0 ? level - 1 : 0; lv <= top + 1 && lv < HASH_LEVELS; lv++) {
        if (hash.levelCount[lv] === 0) continue;
        const c = hash.cellSize(lv);
        // Elements on level lv have 2 rho_e <= c, so their cover footprint reaches at most grow c/2.
        const rq = Math.max(rho, Math.min(reach, 0.5 * c * grow));
        // The cylinder (radius rq, half-height hh along the normal) as rq-boxes strung along the normal every 2 rq,
        // nearest layer first: once a free candidate beats anything a farther box could hold, stop.
        const steps = Math.max(0, Math.ceil((hq / rq - 1) / 2));
        for (let oi = 0; oi <= 2 * steps; oi++) {
          const off = oi & 1 ? (oi + 1) >> 1 : -(oi >> 1);
          if (bestFree && off !== 0) {
            const dmin = (2 * Math.abs(off) - 1) * rq;
            if (dmin * dmin * ihh2 >= bestD2) break;
          }
          const ox = x + nx * off * 2 * rq, oy = y + ny * off * 2 * rq, oz = z + nz * off * 2 * rq;
          const x0 = Math.floor((ox - rq) / c), x1 = Math.floor((ox + rq) / c);
          const y0 = Math.floor((oy - rq) / c), y1 = Math.floor((oy + rq) / c);
          const z0 = Math.floor((oz - rq) / c), z1 = Math.floor((oz + rq) / c);
          for (let ix = x0; ix <= x1; ix++)
            for (let iy = y0; iy <= y1; iy++)
              for (let iz = z0; iz <= z1; iz++)
                for (let en = hash.head(lv, ix, iy, iz); en !== NONE; en = hash.nextEntry(en)) {
                  const e = hash.idOf(en);
                  const dx = pos[e * 3] - x, dy = pos[e * 3 + 1] - y, dz = pos[e * 3 + 2] - z;
                  const dn = dx * nx + dy * ny + dz * nz;
                  if (dn * dn >= hq * hq) continue;
                  const free = st[e] !== stamp;
                  const sxe = sca[e * 3], sye = sca[e * 3 + 1];
                  // The element's footprint counts when it is not coarser than dr x our spacing.
                  const absorbable = (sxe < sye ? sxe : sye) <= sMaxAbsorb;
                  if (!free && !absorbable) continue;
                  const ui = dx * ax + dy * ay + dz * az, vi = dx * bx + dy * by + dz * bz;
                  let m2 = free ? ui * ui * isx2 + vi * vi * isy2 : Infinity;
                  if (m2 >= mr2) m2 = Infinity;
                  const ex = rot[e * 4], ey = rot[e * 4 + 1], ez = rot[e * 4 + 2], ew = rot[e * 4 + 3];
                  const ei = 2 / (ex * ex + ey * ey + ez * ez + ew * ew);
                  if (absorbable) {
                    // Offset in the element's own frame, against its own sigmas.
                    const ue = dx * (1 - (ey * ey + ez * ez) * ei) + dy * (ex * ey + ew * ez) * ei + dz * (ex * ez - ew * ey) * ei;
                    const ve = dx * (ex * ey - ew * ez) * ei + dy * (1 - (ex * ex + ez * ez) * ei) + dz * (ey * ez + ew * ex) * ei;
                    const m2e = (ue * ue) / (sxe * sxe) + (ve * ve) / (sye * sye);
                    // (scaled to the match radius, so both footprints compare on one scale)
                    const m2c = (m2e * mr2) / cr2;
                    if (m2e < cr2 && m2c < m2) m2 = m2c;
                  }
                  if (m2 === Infinity) continue;
                  // Normalised distance (in the plane by the footprint, along the normal by the tolerance); a free
                  // element (not yet taken by this view) beats a taken one.
                  const d2 = m2 / mr2 + dn * dn * ihh2;
                  if (bestFree && !free) continue;
                  if (d2 >= bestD2 && free === bestFree) continue;
                  const dot = (ex * ez + ew * ey) * ei * nx + (ey * ez - ew * ex) * ei * ny + (1 - (ex * ex + ey * ey) * ei) * nz;
                  if (dot < minDot) continue;
                  best = e;
                  bestD2 = d2;
                  bestFree = free;
                }
          }
        }
      }
      const w = sw[j] > 0 ? sw[j] : 1e-30;
      if (best === NONE) match[t] = NONE;
      else if (bestFree) {
        // This view's observation of element `best`; later Gaussians of the view in its footprint are averaged in.
        match[t] = best;
        st[best] = stamp;
        claimer[best] = t;
        gw[t] = w;
        gc[t * 3] = w * sc[j * 3]; gc[t * 3 + 1] = w * sc[j * 3 + 1]; gc[t * 3 + 2] = w * sc[j * 3 + 2];
        gp[t * 3] = w * x; gp[t * 3 + 1] = w * y; gp[t * 3 + 2] = w * z;
      } else {
        match[t] = ABSORBED;
        absorbed++;
        const c = claimer[best];
        gw[c] += w;
        gc[c * 3] += w * sc[j * 3]; gc[c * 3 + 1] += w * sc[j * 3 + 1]; gc[c * 3 + 2] += w * sc[j * 3 + 2];
        gp[c * 3] += w * x; gp[c * 3 + 1] += w * y; gp[c * 3 + 2] += w * z;
      }
    }

    // Merge matched observations (element indices are stable until eviction below).
    const report: FusionReport = { added: 0, merged: 0, replaced: 0, absorbed, evicted: 0, droppedAlternates: 0 };
    const obs = this.obs;
    let nNew = 0;
    for (let t = 0; t < n; t++) {
      const e = match[t];
      if (e === ABSORBED) continue;
      if (e === NONE) {
        nNew++;
        continue;
      }
      report.merged++;
      const j = start + t;
      // The view's observation: its Gaussian at the mean colour and position of the samples it stands for. When
      // it is finer than the element (but within the density limit) it takes the element's footprint, so the
      // samples averaged into it leave no holes.
      copyGaussian(source, j, obs, 0);
      obs.sourceView[0] = viewIndex;
      const iw = 1 / gw[t];
      for (let c = 0; c < 3; c++) {
        obs.colors[c] = gc[t * 3 + c] * iw;
        obs.positions[c] = gp[t * 3 + c] * iw;
      }
      const sIn = Math.min(ss[j * 3], ss[j * 3 + 1]), sE = Math.min(sca[e * 3], sca[e * 3 + 1]);
      if (sE > sIn && sE <= dr * sIn) {
        for (let c = 0; c < 3; c++) obs.scales[c] = sca[e * 3 + c];
        for (let c = 0; c < 4; c++) obs.rotations[c] = rot[e * 4 + c];
      }
      if (obs.weight[0] > scene.weight[e]) {
        // The old winner (its own colour and position, not the blend) becomes an alternate; the better observation takes the element.
        this.showRaw(e);
        if (!this.addAlternate(e, scene, e)) report.droppedAlternates++;
        copyGaussian(obs, 0, scene, e);
        this.keepRaw(e);
        this.changes?.written(e);
        report.replaced++;
      } else if (!this.addAlternate(e, obs, 0)) report.droppedAlternates++;
      this.refresh(e);
    }

    // Budget: evict the lowest weights among existing elements and incoming new Gaussians together.
    let takeNew: Uint8Array | null = null;
    if (scene.count + nNew > scene.budget) {
      const total = scene.count + nNew;
      const target = Math.max(0, scene.budget - Math.floor(scene.budget * this.evictSlack));
      const drop = total - target;
      const ws = new Float32Array(total);
      ws.set(scene.weight.subarray(0, scene.count));
      let q = scene.count;
      for (let t = 0; t < n; t++) if (match[t] === NONE) ws[q++] = sw[start + t];
      const sorted = ws.slice().sort();
      const thr = sorted[drop - 1];
      let ties = 0;
      for (let i = 0; i < drop; i++) if (sorted[i] === thr) ties++;
      const keep = new Uint8Array(scene.count);
      for (let e = 0; e < scene.count; e++) {
        const w = ws[e];
        if (w < thr || (w === thr && ties > 0)) {
          if (w === thr) ties--;
          this.freeAlternates(e);
        } else keep[e] = 1;
      }
      takeNew = new Uint8Array(n);
      q = scene.count;
      for (let t = 0; t < n; t++) {
        if (match[t] !== NONE) continue;
        const w = ws[q++];
        if (w < thr || (w === thr && ties > 0)) {
          if (w === thr) ties--;
        } else takeNew[t] = 1;
      }
      report.evicted = drop;
      this.compactElements(keep);
    }

    // Append the unmatched observations as new elements.
    const want = takeNew ? takeNew.reduce((a, b) => a + b, 0) : nNew;
    const first = scene.allocate(want);
    this.ensureElements(scene.capacity);
    let e = first;
    for (let t = 0; t < n; t++) {
      if (match[t] !== NONE || (takeNew && !takeNew[t])) continue;
      copyGaussian(source, start + t, scene, e);
      scene.sourceView[e] = viewIndex;
      this.keepRaw(e);
      this.altHead[e] = NONE;
      this.stamp[e] = stamp;
      this.insertElement(e);
      e++;
    }
    if (want) this.changes?.appended(first, want);
    report.added = want;
    this.viewSet.add(viewIndex);
    return report;
  }

  /** Removes everything view `viewIndex` contributed, restoring other views' observations where kept. */
  removeView(viewIndex: number): RemoveReport {
    if (!this.viewSet.has(viewIndex)) throw new Error(`SceneFusion.removeView: view ${viewIndex} is not fused`);
    const scene = this.scene, pool = this.pool;
    const keep = new Uint8Array(scene.count);
    const report: RemoveReport = { removed: 0, restored: 0 };
    for (let e = 0; e < scene.count; e++) {
      // Drop alternates from the view.
      let prev = NONE;
      for (let a = this.altHead[e]; a !== NONE; ) {
        const nx = this.altNext[a];
        if (pool.sourceView[a] === viewIndex) {
          if (prev === NONE) this.altHead[e] = nx;
          else this.altNext[prev] = nx;
          this.releaseSlot(a);
        } else prev = a;
        a = nx;
      }
      keep[e] = 1;
      if (scene.sourceView[e] !== viewIndex) {
        this.refresh(e);
        continue;
      }
      // Promote the best remaining alternate.
      let best = NONE, bestPrev = NONE;
      prev = NONE;
      for (let a = this.altHead[e]; a !== NONE; prev = a, a = this.altNext[a])
        if (best === NONE || pool.weight[a] > pool.weight[best]) {
          best = a;
          bestPrev = prev;
        }
      if (best === NONE) {
        keep[e] = 0;
        report.removed++;
        continue;
      }
      copyGaussian(pool, best, scene, e);
      this.keepRaw(e);
      this.changes?.written(e);
      if (bestPrev === NONE) this.altHead[e] = this.altNext[best];
      else this.altNext[bestPrev] = this.altNext[best];
      this.releaseSlot(best);
      this.refresh(e);
      report.restored++;
    }
    this.compactElements(keep);
    this.viewSet.delete(viewIndex);
    return report;
  }

  /**
   * Removes the elements with drop[e] set, their alternates with them (filled-depth-gate.ts: an earlier view's filled
   * pixels that a later view's measured depth contradicts). Returns how many were removed.
   */
  removeElements(drop: Uint8Array): number {
    const count = this.scene.count;
    if (drop.length < count) throw new Error(`SceneFusion.removeElements: mask has ${drop.length} entries, the scene ${count} elements`);
    const keep = new Uint8Array(count);
    let removed = 0;
    for (let e = 0; e < count; e++) {
      if (drop[e]) {
        this.freeAlternates(e);
        removed++;
      } else keep[e] = 1;
    }
    if (removed) this.compactElements(keep);
    return removed;
  }

  /** A re-scanned view replaces its previous Gaussians. */
  replaceView(viewIndex: number, source: GaussianScene, range?: { start: number; count: number }, view?: FusionViewInfo): FusionReport & RemoveReport {
    const r = this.viewSet.has(viewIndex) ? this.removeView(viewIndex) : { removed: 0, restored: 0 };
    return { ...this.addView(viewIndex, source, range, view), ...r };
  }

  // ---- internals ----

  /** Records element e's current colour and position as its winner's own. */
  private keepRaw(e: number): void {
    const s = this.scene;
    for (let c = 0; c < 3; c++) {
      this.rawCol[e * 3 + c] = s.colors[e * 3 + c];
      this.rawPos[e * 3 + c] = s.positions[e * 3 + c];
    }
  }

  /** Puts the winner's own colour and position back into the scene (before it is copied out as an alternate). */
  private showRaw(e: number): void {
    const s = this.scene;
    for (let c = 0; c < 3; c++) {
      s.colors[e * 3 + c] = this.rawCol[e * 3 + c];
      s.positions[e * 3 + c] = this.rawPos[e * 3 + c];
    }
  }

  /** Element e shows the weighted mean of its winner and kept alternates (or the winner alone without blend). */
  private refresh(e: number): void {
    const s = this.scene, pool = this.pool;
    let w = s.weight[e];
    // The shown colour/position may change: the live display's delta must carry it.
    this.changes?.written(e);
    if (!this.blend || this.altHead[e] === NONE || !(w > 0)) {
      this.showRaw(e);
      return;
    }
    let r = w * this.rawCol[e * 3], g = w * this.rawCol[e * 3 + 1], b = w * this.rawCol[e * 3 + 2];
    let x = w * this.rawPos[e * 3], y = w * this.rawPos[e * 3 + 1], z = w * this.rawPos[e * 3 + 2];
    for (let a = this.altHead[e]; a !== NONE; a = this.altNext[a]) {
      const wa = pool.weight[a];
      if (!(wa > 0)) continue;
      r += wa * pool.colors[a * 3]; g += wa * pool.colors[a * 3 + 1]; b += wa * pool.colors[a * 3 + 2];
      x += wa * pool.positions[a * 3]; y += wa * pool.positions[a * 3 + 1]; z += wa * pool.positions[a * 3 + 2];
      w += wa;
    }
    const iw = 1 / w;
    s.colors[e * 3] = r * iw; s.colors[e * 3 + 1] = g * iw; s.colors[e * 3 + 2] = b * iw;
    s.positions[e * 3] = x * iw; s.positions[e * 3 + 1] = y * iw; s.positions[e * 3 + 2] = z * iw;
  }

  private ensureScratch(n: number): void {
    if (this.claimer.length < this.altHead.length) this.claimer = new Int32Array(this.altHead.length);
    if (this.groupW.length >= n) return;
    this.groupW = new Float64Array(n);
    this.groupCol = new Float64Array(n * 3);
    this.groupPos = new Float64Array(n * 3);
  }

  private ensureElements(cap: number): void {
    if (this.rawCol.length < cap * 3) {
      const rc = new Float32Array(cap * 3);
      rc.set(this.rawCol);
      this.rawCol = rc;
      const rp = new Float32Array(cap * 3);
      rp.set(this.rawPos);
      this.rawPos = rp;
    }
    if (this.altHead.length >= cap) return;
    const ah = new Int32Array(cap).fill(NONE);
    ah.set(this.altHead);
    this.altHead = ah;
    const s = new Int32Array(cap);
    s.set(this.stamp);
    this.stamp = s;
  }

  /** Adds observation src[i] as an alternate of element e, keeping the best maxAlternates. False if discarded. */
  private addAlternate(e: number, src: GaussianScene, i: number): boolean {
    if (this.maxAlternates === 0) return false;
    const pool = this.pool;
    let count = 0, worst = NONE;
    for (let a = this.altHead[e]; a !== NONE; a = this.altNext[a]) {
      count++;
      if (worst === NONE || pool.weight[a] < pool.weight[worst]) worst = a;
    }
    if (count >= this.maxAlternates) {
      if (src.weight[i] <= pool.weight[worst]) return false;
      copyGaussian(src, i, pool, worst);
      return false;
    }
    const slot = this.takeSlot();
    copyGaussian(src, i, pool, slot);
    this.altNext[slot] = this.altHead[e];
    this.altHead[e] = slot;
    return true;
  }

  private takeSlot(): number {
    if (this.freeCount > 0) return this.free[--this.freeCount];
    const slot = this.pool.allocate(1);
    if (this.altNext.length < this.pool.capacity) {
      const nn = new Int32Array(this.pool.capacity);
      nn.set(this.altNext);
      this.altNext = nn;
    }
    return slot;
  }

  private releaseSlot(a: number): void {
    if (this.free.length === this.freeCount) {
      const nf = new Int32Array(Math.max(1024, this.free.length * 2));
      nf.set(this.free);
      this.free = nf;
    }
    this.free[this.freeCount++] = a;
  }

  private freeAlternates(e: number): void {
    for (let a = this.altHead[e]; a !== NONE; a = this.altNext[a]) this.releaseSlot(a);
    this.altHead[e] = NONE;
  }

  /** Compacts the scene and the per-element arrays together, then re-indexes the hash. */
  private compactElements(keep: Uint8Array): void {
    let w = 0;
    for (let i = 0; i < this.scene.count; i++)
      if (keep[i]) {
        this.altHead[w] = this.altHead[i];
        this.stamp[w] = this.stamp[i];
        this.rawCol.copyWithin(w * 3, i * 3, i * 3 + 3);
        this.rawPos.copyWithin(w * 3, i * 3, i * 3 + 3);
        w++;
      }
    this.changes?.compacting(keep, this.scene.count);
    this.scene.compact(keep);
    this.rebuildHash();
  }

  private rebuildHash(): void {
    this.hash.clear();
    for (let e = 0; e < this.scene.count; e++) this.insertElement(e);
  }

  private insertElement(e: number): void {
    const s = this.scene;
    // Registered by its larger in-plane sigma: the footprint an incoming Gaussian may fall into reaches that far.
    const rho = this.mergeRadius * Math.max(s.scales[e * 3], s.scales[e * 3 + 1]);
    if (!(rho > 0) || !Number.isFinite(rho)) return;
    const x = s.positions[e * 3], y = s.positions[e * 3 + 1], z = s.positions[e * 3 + 2];
    if (!Number.isFinite(x + y + z)) return;
    const level = this.hash.levelFor(2 * rho);
    const c = this.hash.cellSize(level);
    this.hash.insert(level, Math.floor(x / c), Math.floor(y / c), Math.floor(z / c), e);
  }
}
