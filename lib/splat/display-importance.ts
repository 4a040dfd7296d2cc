/**
 * Which splats to keep when a scene has more than the renderer's budget (200k on a headset): the ones a
 * viewer sees most. A splat's importance is its opacity times its projected area in the capture cameras
 * (pixels², summed over the cameras whose frustum holds it, capped at one image per camera), i.e. how much
 * of the captured images it paints before occlusion. Without cameras (a foreign .ply), the area is its
 * world-space footprint s1·s2 (the two largest scales), the same measure seen from a fixed distance.
 *
 * selectForDisplay keeps about `budget` splats sampled by importance ('ranked'), or an evenly spread subset in
 * file order ('uniform', the old behaviour, kept to measure against: scripts/bench/display-thinning.ts); with
 * growDisplayed the kept ones grow to cover for the dropped. Both keep file order, so Gaussian i of the thinned
 * scene is the same splat in every array.
 */
import type { CaptureCamera } from './scene-info';

export type DisplayThinning = 'ranked' | 'uniform';

export interface DisplayOptions {
  /** Capture cameras to measure projected area from (default: none, world footprint). */
  cameras?: readonly CaptureCamera[];
  method?: DisplayThinning;
  /** At most this many cameras are used (an even spread): the cost is cameras x splats (default 24). */
  maxCameras?: number;
}

export interface DisplayArrays {
  count: number;
  positions: Float32Array;
  scales: Float32Array;
  opacities: Float32Array;
}

/** Two largest of three scales, multiplied: the footprint of the splat's widest cross-section. */
function footprint(s: Float32Array, i: number): number {
  const a = s[3 * i], b = s[3 * i + 1], c = s[3 * i + 2];
  const lo = Math.min(a, b, c);
  return (a * b * c) / Math.max(lo, 1e-12);
}

/**
 * One splat's importance without cameras: opacity x world footprint. The live scan ranks each Gaussian
 * once as it changes (lib/splat/scene-delta.ts), with the capture still growing, so it uses this measure.
 */
export function footprintImportance(opacities: Float32Array, scales: Float32Array, i: number): number {
  return opacities[i] * footprint(scales, i);
}

/** Importance per splat (see the file comment); 0 for splats no camera sees. */
export function displayImportance(g: DisplayArrays, opts: Pick<DisplayOptions, 'cameras' | 'maxCameras'> = {}): Float32Array {
  const n = g.count;
  const out = new Float32Array(n);
  const all = opts.cameras ?? [];
  const maxC = opts.maxCameras ?? 24;
  const cams = all.length > maxC ? Array.from({ length: maxC }, (_, k) => all[Math.floor((k * all.length) / maxC)]) : all;
  const P = g.positions, S = g.scales, O = g.opacities;
  if (!cams.length) {
    for (let i = 0; i < n; i++) out[i] = footprintImportance(O, S, i);
    return out;
  }
  for (const c of cams) {
    const m = c.cameraToWorld;
    const k = c.intrinsics;
    // World -> camera: R^T (p - t); the camera looks down -z.
    const tx = m[12], ty = m[13], tz = m[14];
    const cap = k.width * k.height;
    const f2 = k.fx * k.fy;
    for (let i = 0; i < n; i++) {
      const dx = P[3 * i] - tx, dy = P[3 * i + 1] - ty, dz = P[3 * i + 2] - tz;
      const z = -(m[8] * dx + m[9] * dy + m[10] * dz);
      if (!(z > 1e-3)) continue;
      const x = m[0] * dx + m[1] * dy + m[2] * dz;
      const y = m[4] * dx + m[5] * dy + m[6] * dz;
      const u = (k.fx * x) / z + k.cx, v = k.cy - (k.fy * y) / z;
      if (u < 0 || u > k.width || v < 0 || v > k.height) continue;
      out[i] += O[i] * Math.min(cap, (Math.PI * f2 * footprint(S, i)) / (z * z));
    }
  }
  return out;
}

/**
 * Keep mask of about `budget` splats (exactly, up to rounding), file order preserved, and what each kept one
 * stands for. 'ranked' keeps splat i with probability p_i = min(1, c * importance_i) (c so that the p_i sum
 * to the budget): the big, opaque, well-seen splats are all kept and the small ones are thinned. A kept splat
 * stands for 1/p_i splats, so its in-plane axes grow by sqrt(1/p_i) (growDisplayed): the surface stays closed
 * instead of showing holes where the small ones were. Selection is systematic (a running sum of p in file
 * order, which follows the views' pixel order): evenly spread, deterministic.
 */
export function selectForDisplay(g: DisplayArrays, budget: number, opts: DisplayOptions = {}): Uint8Array {
  return displaySelection(g, budget, opts).keep;
}

export interface DisplaySelection {
  keep: Uint8Array;
  /** Per splat of the input: 1/p, how many splats a kept one stands for (1 when all are kept). */
  represents: Float32Array;
}

export function displaySelection(g: DisplayArrays, budget: number, opts: DisplayOptions = {}): DisplaySelection {
  if (!Number.isInteger(budget) || budget < 0) throw new Error(`selectForDisplay: budget must be a non-negative integer (got ${budget})`);
  const n = g.count;
  const keep = new Uint8Array(n);
  const represents = new Float32Array(n).fill(1);
  if (n <= budget) return { keep: keep.fill(1), represents };
  if (budget === 0) return { keep, represents };
  const p = new Float32Array(n);
  if ((opts.method ?? 'ranked') === 'uniform') p.fill(budget / n);
  else {
    const imp = displayImportance(g, opts);
    let hi = 0;
    for (let i = 0; i < n; i++) if (imp[i] > 0) hi = Math.max(hi, 1 / imp[i]);
    const sum = (c: number) => {
      let s = 0;
      for (let i = 0; i < n; i++) s += Math.min(1, c * imp[i]);
      return s;
    };
    let positive = 0;
    for (let i = 0; i < n; i++) if (imp[i] > 0) positive++;
    if (positive <= budget) {
      // Fewer seen splats than the budget: keep them all, spread the rest of the budget evenly over the unseen.
      const rest = (budget - positive) / Math.max(1, n - positive);
      for (let i = 0; i < n; i++) p[i] = imp[i] > 0 ? 1 : rest;
    } else {
      let lo = 0;
      hi = Math.max(hi, 1e-30);
      // sum(c) grows with c: bisect in log space for sum(c) = budget.
      let a = Math.log(1e-30), b = Math.log(hi);
      for (let it = 0; it < 60; it++) {
        const m = (a + b) / 2;
        if (sum(Math.exp(m)) < budget) a = m;
        else b = m;
      }
      lo = Math.exp(b);
      for (let i = 0; i < n; i++) p[i] = Math.min(1, lo * imp[i]);
    }
  }
  let acc = 0.5;
  let kept = 0;
  for (let i = 0; i < n && kept < budget; i++) {
    const before = Math.floor(acc);
    acc += p[i];
    if (Math.floor(acc) > before) {
      keep[i] = 1;
      kept++;
      represents[i] = p[i] > 0 ? 1 / p[i] : 1;
    }
  }
  return { keep, represents };
}

/**
 * Grows each splat's two larger axes by sqrt(min(maxGrowth², represents)), so a thinned surface keeps its
 * area. In place on the first `count` splats (call it on the kept ones with their `represents`).
 */
export function growDisplayed(scales: Float32Array, represents: ArrayLike<number>, count: number, maxGrowth = 4): void {
  for (let i = 0; i < count; i++) {
    const f = Math.sqrt(Math.min(maxGrowth * maxGrowth, Math.max(1, represents[i])));
    if (f === 1) continue;
    const a = scales[3 * i], b = scales[3 * i + 1], c = scales[3 * i + 2];
    // The smallest axis is the surface normal (flat splats): it keeps its thickness.
    const min = a <= b && a <= c ? 0 : b <= c ? 1 : 2;
    for (let k = 0; k < 3; k++) if (k !== min) scales[3 * i + k] *= f;
  }
}
