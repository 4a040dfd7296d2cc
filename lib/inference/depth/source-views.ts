/**
 * Pose-only geometry for stereo: which posed views to match a reference against, and the depth range to sweep.
 */
import type { Mat4 } from '../../capture/pose';

const centre = (m: ArrayLike<number>): [number, number, number] => [m[12], m[13], m[14]];
/** Viewing direction (-z axis of the camera) in world coordinates. */
const forward = (m: ArrayLike<number>): [number, number, number] => [-m[8], -m[9], -m[10]];

/**
 * The point closest (least squares) to all optical axes: where a scan's cameras look. Null when the axes are
 * (nearly) parallel, e.g. a sideways sweep, where no such point exists.
 */
export function convergencePoint(poses: ArrayLike<number>[]): [number, number, number] | null {
  const a = new Float64Array(9);
  const b = new Float64Array(3);
  for (const m of poses) {
    const c = centre(m), d = forward(m);
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++) {
        const p = (i === j ? 1 : 0) - d[i] * d[j];
        a[i * 3 + j] += p;
        b[i] += p * c[j];
      }
  }
  const det3 = (m: ArrayLike<number>) =>
    m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) + m[2] * (m[3] * m[7] - m[4] * m[6]);
  const det = det3(a);
  // Condition check: parallel axes make the system rank 2 (det ~ 0 relative to the trace cubed).
  const tr = a[0] + a[4] + a[8];
  if (!(Math.abs(det) > 1e-3 * (tr / 3) ** 3)) return null;
  const out: [number, number, number] = [0, 0, 0];
  for (let k = 0; k < 3; k++) {
    const m = Float64Array.from(a);
    for (let i = 0; i < 3; i++) m[i * 3 + k] = b[i];
    out[k] = det3(m) / det;
  }
  return out;
}

/**
 * A typical scene depth for a reference view: the distance along its axis to the cameras' convergence point;
 * without one, 10x the median distance to the other cameras (sideways sweeps look at things much further away
 * than their baseline).
 */
export function typicalSceneDepth(ref: Mat4, others: Mat4[]): number {
  const cp = others.length >= 2 ? convergencePoint([ref, ...others]) : null;
  const c = centre(ref), f = forward(ref);
  if (cp) {
    const along = (cp[0] - c[0]) * f[0] + (cp[1] - c[1]) * f[1] + (cp[2] - c[2]) * f[2];
    if (along > 0) return along;
  }
  const ds = others.map((o) => Math.hypot(o[12] - c[0], o[13] - c[1], o[14] - c[2])).filter((d) => d > 0);
  if (!ds.length) throw new Error('cannot estimate a depth range: no other camera with a distinct position');
  ds.sort((x, y) => x - y);
  return 10 * ds[ds.length >> 1];
}

/** Near/far of the sweep from the poses: a generous bracket around the typical scene depth. */
export function estimateDepthRange(ref: Mat4, others: Mat4[], nearFactor = 0.25, farFactor = 4): { near: number; far: number } {
  const d = typicalSceneDepth(ref, others);
  return { near: d * nearFactor, far: d * farFactor };
}

/**
 * Indices of the `count` candidates best suited as stereo sources for `ref`: ranked by camera-centre distance
 * (in units of the scene depth, i.e. roughly the parallax angle) plus the angle between viewing directions.
 * Candidates with almost no baseline (no parallax) or looking more than `maxAngleDeg` away are skipped.
 */
export function selectSourceViews(
  ref: Mat4,
  candidates: Mat4[],
  count: number,
  opts: { sceneDepth?: number; maxAngleDeg?: number; minBaselineRatio?: number } = {},
): number[] {
  if (!Number.isInteger(count) || count < 1) throw new Error(`source view count must be a positive integer, got ${count}`);
  const depth = opts.sceneDepth ?? typicalSceneDepth(ref, candidates);
  const maxCos = Math.cos(((opts.maxAngleDeg ?? 60) * Math.PI) / 180);
  const minBase = (opts.minBaselineRatio ?? 0.005) * depth;
  const c = centre(ref), f = forward(ref);
  const scored: { i: number; s: number }[] = [];
  candidates.forEach((m, i) => {
    const dist = Math.hypot(m[12] - c[0], m[13] - c[1], m[14] - c[2]);
    const g = forward(m);
    const cos = Math.min(1, f[0] * g[0] + f[1] * g[1] + f[2] * g[2]);
    if (dist < minBase || cos < maxCos) return;
    scored.push({ i, s: dist / depth + Math.acos(cos) });
  });
  scored.sort((a, b) => a.s - b.s);
  return scored.slice(0, count).map((x) => x.i);
}
