/**
 * Which splats to keep when a scene has more than the renderer's budget (200k on a headset): the ones a
 * viewer sees most. A splat's importance is its opacity times its projected area in the capture cameras
 * (pixels², summed over the cameras whose frustum holds it, capped at one image per camera), i.e. how much
 * of the captured images it paints before occlusion. Without cameras (a foreign .ply), the area is its
 * world-space footprint s1·s2 (the two largest scales), the same measure seen from a fixed distance.
 *
 * selectForDisplay keeps the `budget` most important ones ('ranked'), or an evenly spread subset in file
 * order ('uniform', the old behaviour, kept to measure against: scripts/bench/display-thinning.ts).
 * Both keep file order, so Gaussian i of the thinned scene is the same splat in every array.
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

/** Keep mask (1 = keep) of at most `budget` splats, file order preserved. */
export function selectForDisplay(g: DisplayArrays, budget: number, opts: DisplayOptions = {}): Uint8Array {
  if (!Number.isInteger(budget) || budget < 0) throw new Error(`selectForDisplay: budget must be a non-negative integer (got ${budget})`);
  const n = g.count;
  const keep = new Uint8Array(n);
  if (n <= budget) return keep.fill(1);
  if ((opts.method ?? 'ranked') === 'uniform') {
    for (let i = 0; i < n; i++) keep[i] = Math.floor(((i + 1) * budget) / n) > Math.floor((i * budget) / n) ? 1 : 0;
    return keep;
  }
  if (budget === 0) return keep;
  const imp = displayImportance(g, opts);
  // The budget-th largest importance: everything above it is kept, ties at it fill the rest in file order.
  const sorted = Float32Array.from(imp).sort();
  const cut = sorted[n - budget];
  let kept = 0;
  for (let i = 0; i < n; i++)
    if (imp[i] > cut) {
      keep[i] = 1;
      kept++;
    }
  for (let i = 0; i < n && kept < budget; i++)
    if (imp[i] === cut) {
      keep[i] = 1;
      kept++;
    }
  return keep;
}
