/**
 * Filled depth yields to the scene: device depth has holes (dark and shiny surfaces, the colour camera's wider field;
 * ~30 % of a Kinect view) that the depth source fills (depth-source.ts, DepthEstimate.filled) so a single view shows
 * no holes. Those guesses differ from view to view by more than the fusion's merge tolerance, so without this gate
 * every view's fills became new Gaussians next to the previous views' (the kitchen grew from 460k to 721k Gaussians,
 * docs/RESULTS.md 4). Per view, before its Gaussians are fused:
 *
 *  1. carve: an element that came from an earlier view's FILLED pixel is removed when this view MEASURED the
 *     surface along its ray and the element lies in front of that surface or on it (within `band` of its depth):
 *     it was a guess in what is free space, or it repeats what is now measured;
 *  2. gate: this view's Gaussians from filled pixels are dropped where the scene already holds a surface along
 *     their ray at or in front of them (within `band`): they only add surface nothing covers yet (the first view's
 *     fills, a dark object in front of a measured wall).
 *
 * Measured Gaussians are never touched. Visibility is the element centres splatted into the view (a min-depth
 * buffer, each centre over its footprint in pixels, at least 3x3): pinhole projection with the view's fx, fy, cx,
 * cy (lens distortion ignored: the test is a coarse coverage, not a render).
 * Which elements came from filled pixels follows from their sourceView/sourcePixel and the views' filled masks
 * (kept as bits, 1/8 byte per pixel per view): an element whose winner became a measured observation is measured.
 */
import type { GaussianScene } from './gaussian-scene';
import type { SceneFusion } from './fusion';
import { FILLED_OUTSIDE } from '../inference/depth/depth-source';

export interface FilledDepthGateOptions {
  /** Relative depth band of "on the same surface" (default 0.15: fills of one wall in two views differ by ~5-10 %). */
  band?: number;
  /** Largest footprint radius in pixels an element centre covers in the visibility buffer (default 4). */
  maxRadius?: number;
  /** Remove earlier views' fills this view measured through (step 1, default true). */
  carve?: boolean;
  /** Smallest footprint radius in pixels in the visibility buffer (default 1: 3x3; 0: the footprint alone). */
  minRadius?: number;
}

/** One view's camera and depth at the grid its Gaussians' sourcePixel addresses. */
export interface GateView {
  intrinsics: { fx: number; fy: number; cx: number; cy: number; width: number; height: number };
  cameraToWorld: ArrayLike<number>;
  /** Depth (metres along -z) per pixel, 0 = none; filled pixels included. */
  depth: Float32Array;
  /** Non-zero where the depth was filled (DepthEstimate.filled); undefined = every pixel measured. */
  filled?: Uint8Array;
}

export interface GateReport {
  /** Earlier views' filled elements removed (this view measured through or onto them). */
  carved: number;
  /** This view's filled Gaussians dropped (the scene already covers them). */
  dropped: number;
  /** This view's filled Gaussians kept (nothing covers them yet). */
  keptFilled: number;
}

export class FilledDepthGate {
  readonly band: number;
  readonly maxRadius: number;
  readonly minRadius: number;
  readonly carve: boolean;
  /** Per view: filled pixels as bits (and those outside the sensor's field), and how many pixels they cover. */
  private readonly masks = new Map<number, { bits: Uint32Array; outside: Uint32Array; size: number }>();
  private zbuf = new Float32Array(0);

  constructor(opts: FilledDepthGateOptions = {}) {
    this.band = opts.band ?? 0.15;
    this.maxRadius = opts.maxRadius ?? 4;
    this.minRadius = opts.minRadius ?? 1;
    this.carve = opts.carve ?? true;
    if (!(Number.isInteger(this.minRadius) && this.minRadius >= 0 && this.minRadius <= this.maxRadius))
      throw new Error(`FilledDepthGate: minRadius must be an integer in 0..maxRadius, got ${opts.minRadius}`);
    if (!(this.band >= 0 && this.band < 10)) throw new Error(`FilledDepthGate: band must be in [0, 10), got ${opts.band}`);
    if (!(Number.isInteger(this.maxRadius) && this.maxRadius >= 1 && this.maxRadius <= 64))
      throw new Error(`FilledDepthGate: maxRadius must be an integer in 1..64, got ${opts.maxRadius}`);
  }

  /** Whether element e of `scene` shows an observation from a filled pixel. */
  isFilled(scene: GaussianScene, e: number): boolean {
    const m = this.masks.get(scene.sourceView[e]);
    if (!m) return false;
    const p = scene.sourcePixel[e];
    return p < m.size && (m.bits[p >>> 5] & (1 << (p & 31))) !== 0;
  }

  /** The scene's elements by the pixel their observation came from: measured, filled hole, filled outside the sensor's field. */
  census(scene: GaussianScene): { measured: number; filledHole: number; filledOutside: number } {
    const c = { measured: 0, filledHole: 0, filledOutside: 0 };
    for (let e = 0; e < scene.count; e++) {
      if (!this.isFilled(scene, e)) c.measured++;
      else {
        const p = scene.sourcePixel[e];
        if (this.masks.get(scene.sourceView[e])!.outside[p >>> 5] & (1 << (p & 31))) c.filledOutside++;
        else c.filledHole++;
      }
    }
    return c;
  }

  /**
   * Before fusing view `viewIndex`: carves the scene's filled elements this view measured through, then drops the
   * staging scene's filled Gaussians the scene already covers (source is compacted in place; its Gaussians'
   * sourcePixel index view.depth's grid). Records the view's filled mask for later views. `passive`: record only
   * (for a census of what the filled pixels add without the gate).
   */
  apply(fusion: SceneFusion, viewIndex: number, source: GaussianScene, view: GateView, passive = false): GateReport {
    const { width: W, height: H } = view.intrinsics;
    if (view.depth.length !== W * H) throw new Error(`FilledDepthGate: depth has ${view.depth.length} values, expected ${W}x${H}`);
    if (view.filled && view.filled.length !== W * H) throw new Error(`FilledDepthGate: filled mask has ${view.filled.length} values, expected ${W}x${H}`);
    const report: GateReport = { carved: 0, dropped: 0, keptFilled: 0 };
    const scene = fusion.scene;
    const proj = projector(view);
    const onePlus = 1 + this.band;

    // 1. Carve earlier views' filled elements that this view's measured depth sees through or onto.
    if (this.masks.size > 0 && !passive && this.carve) {
      const D = view.depth, F = view.filled;
      const drop = new Uint8Array(scene.count);
      const pos = scene.positions;
      for (let e = 0; e < scene.count; e++) {
        if (!this.isFilled(scene, e)) continue;
        const p = proj(pos[e * 3], pos[e * 3 + 1], pos[e * 3 + 2]);
        if (p < 0) continue;
        const dm = D[p];
        if (!(dm > 0) || (F && F[p])) continue;
        if (proj.depth < dm * onePlus) {
          drop[e] = 1;
          report.carved++;
        }
      }
      if (report.carved) fusion.removeElements(drop);
    }

    // 2. Drop this view's filled Gaussians where the scene already holds a surface at or in front of them.
    if (view.filled) {
      const F = view.filled;
      let any = false;
      for (let i = 0; i < F.length && !any; i++) any = F[i] !== 0;
      if (any) {
        const has = scene.count > 0 && !passive;
        if (has) this.splatDepth(scene, view, proj);
        const zb = this.zbuf;
        const keep = new Uint8Array(source.count);
        const sp = source.sourcePixel;
        for (let j = 0; j < source.count; j++) {
          const p = sp[j];
          if (!(p < F.length) || !F[p]) {
            keep[j] = 1;
            continue;
          }
          if (has && zb[p] < view.depth[p] * onePlus) report.dropped++;
          else {
            keep[j] = 1;
            report.keptFilled++;
          }
        }
        if (report.dropped) source.compact(keep);
        const bits = new Uint32Array((F.length + 31) >>> 5), outside = new Uint32Array(bits.length);
        for (let i = 0; i < F.length; i++) {
          if (F[i]) bits[i >>> 5] |= 1 << (i & 31);
          if (F[i] === FILLED_OUTSIDE) outside[i >>> 5] |= 1 << (i & 31);
        }
        this.masks.set(viewIndex, { bits, outside, size: F.length });
      }
    }
    return report;
  }

  /** Min depth of the scene's element centres per pixel of the view, each over its footprint (at least 3x3). */
  private splatDepth(scene: GaussianScene, view: GateView, proj: Projector): void {
    const { width: W, height: H, fx, fy } = view.intrinsics;
    if (this.zbuf.length < W * H) this.zbuf = new Float32Array(W * H);
    const zb = this.zbuf;
    zb.fill(Infinity, 0, W * H);
    const pos = scene.positions, sca = scene.scales;
    const f = 0.5 * (fx + fy), rMax = this.maxRadius, rMin = this.minRadius;
    for (let e = 0; e < scene.count; e++) {
      const p = proj(pos[e * 3], pos[e * 3 + 1], pos[e * 3 + 2]);
      if (p < 0) continue;
      const d = proj.depth;
      const s = Math.max(sca[e * 3], sca[e * 3 + 1]);
      const r = Math.min(rMax, Math.max(rMin, Math.ceil((2 * s * f) / d)));
      const u = p % W, v = (p - u) / W;
      const u0 = Math.max(0, u - r), u1 = Math.min(W - 1, u + r), v0 = Math.max(0, v - r), v1 = Math.min(H - 1, v + r);
      for (let y = v0; y <= v1; y++)
        for (let x = u0, q = y * W + u0; x <= u1; x++, q++) if (d < zb[q]) zb[q] = d;
    }
  }
}

/** Pixel index of a world point in the view (-1 outside or behind); its depth along -z in `.depth`. */
type Projector = ((x: number, y: number, z: number) => number) & { depth: number };

function projector(view: GateView): Projector {
  const m = view.cameraToWorld;
  const { fx, fy, cx, cy, width: W, height: H } = view.intrinsics;
  const tx = m[12], ty = m[13], tz = m[14];
  const fn = ((x: number, y: number, z: number): number => {
    const dx = x - tx, dy = y - ty, dz = z - tz;
    // Camera = R^T (p - t); the camera looks along -z, image v down (gaussians-from-depth.ts).
    const xc = m[0] * dx + m[1] * dy + m[2] * dz;
    const yc = m[4] * dx + m[5] * dy + m[6] * dz;
    const zc = m[8] * dx + m[9] * dy + m[10] * dz;
    const d = -zc;
    if (!(d > 1e-6)) return -1;
    const u = Math.floor(cx + (fx * xc) / d), v = Math.floor(cy - (fy * yc) / d);
    if (u < 0 || v < 0 || u >= W || v >= H) return -1;
    fn.depth = d;
    return v * W + u;
  }) as Projector;
  fn.depth = 0;
  return fn;
}
