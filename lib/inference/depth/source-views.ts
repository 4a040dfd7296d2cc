/**
 * Pose-only geometry for stereo: which posed views to match a reference against, and the depth range to sweep.
 */
import type { Mat4 } from '../../capture/pose';
import type { Intrinsics } from '../../capture/frame';

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

/** A pinhole camera, in pixels of the image it describes (only the field of view matters here). */
export type ViewCamera = Pick<Intrinsics, 'fx' | 'fy' | 'cx' | 'cy' | 'width' | 'height'>;

export interface SourceSelectionOptions {
  /** Typical scene depth along the reference's axis; estimated from the poses when absent. */
  sceneDepth?: number;
  /** Candidates looking more than this away from the reference are never taken (default 60 deg). */
  maxAngleDeg?: number;
  /** Candidates closer than this x the scene depth have no parallax and are never taken (default 0.005). */
  minBaselineRatio?: number;
  /** The reference's camera (default: 60 deg horizontal field of view, 4:3). */
  camera?: ViewCamera;
  /** Each candidate's camera (default: the reference's). */
  cameras?: (ViewCamera | undefined)[];
  /** Parallax (triangulation) angle at which a sample point counts fully (default 3 deg). */
  idealParallaxDeg?: number;
}

export interface SourceViewScore {
  /** Sum over the reference's sample points that the candidate sees of the parallax term (0..1 each), / samples. */
  score: number;
  /** Share of the reference's sample points inside the candidate's image (frustum overlap). */
  overlap: number;
  /** Median parallax angle over the seen samples, degrees. */
  parallaxDeg: number;
  /** Angle between the viewing directions, degrees. */
  angleDeg: number;
  baseline: number;
  /** Why the candidate is never taken, or null. */
  rejected: string | null;
}

const DEFAULT_CAMERA: ViewCamera = { fx: 64 / (2 * Math.tan(Math.PI / 6)), fy: 64 / (2 * Math.tan(Math.PI / 6)), cx: 32, cy: 24, width: 64, height: 48 };
/** Sample grid over the reference image (columns x rows)... */
const GRID_X = 8, GRID_Y = 6;
/** ...cut at these multiples of the scene depth: the pose-only estimate is rough (on redkitchen it says 0.8-1.3 m
 * where the sensor measures a median of 2 m), so the parallax is averaged over a bracket around it. */
const SAMPLE_DEPTHS = [0.5, 1, 2];
/** Below the ideal parallax the term falls fast (depth resolution is proportional to the angle), above it more
 * slowly (appearance change and occlusions grow): the shape of MVSNet's view-selection prior (Yao et al. 2018:
 * 5 deg, sigma 1 / 10), centred at 3 deg with sigma 1.5 / 6 here: at 5 deg / 10 deg the fox lost 0.3 dB against
 * the nearest views it had (0.7-4 deg), and redkitchen 0.2 dB (docs/RESULTS.md). */
const SIGMA_BELOW_DEG = 1.5, SIGMA_ABOVE_DEG = 6;

/**
 * How good `cand` is as a stereo source for `ref`: the reference's rays through a grid of pixels, cut at the scene
 * depth, give sample points; each point the candidate sees (in front, inside its image) adds a parallax term that
 * peaks at the ideal triangulation angle (cut at 0.5, 1 and 2x the scene depth). So the score is the frustum overlap weighted by how well the overlap
 * triangulates: a pure rotation (no parallax) and a far, barely overlapping view both score low.
 */
export function scoreSourceView(ref: Mat4, cand: Mat4, opts: SourceSelectionOptions & { sceneDepth: number; candidateCamera?: ViewCamera }): SourceViewScore {
  const depth = opts.sceneDepth;
  const k = opts.camera ?? DEFAULT_CAMERA, kc = opts.candidateCamera ?? k;
  const ideal = opts.idealParallaxDeg ?? 3;
  const c = centre(ref), f = forward(ref), cc = centre(cand), g = forward(cand);
  const baseline = Math.hypot(cc[0] - c[0], cc[1] - c[1], cc[2] - c[2]);
  const cos = Math.min(1, Math.max(-1, f[0] * g[0] + f[1] * g[1] + f[2] * g[2]));
  const angleDeg = (Math.acos(cos) * 180) / Math.PI;
  const out: SourceViewScore = { score: 0, overlap: 0, parallaxDeg: 0, angleDeg, baseline, rejected: null };
  if (angleDeg > (opts.maxAngleDeg ?? 60)) {
    out.rejected = `looks ${angleDeg.toFixed(0)} deg away`;
    return out;
  }
  if (baseline < (opts.minBaselineRatio ?? 0.005) * depth) {
    out.rejected = `baseline ${baseline.toPrecision(2)} is too short for scene depth ${depth.toPrecision(2)} (no parallax)`;
    return out;
  }
  // World-to-candidate rotation rows (the columns of its camera-to-world) and the reference's axes.
  const rx = [ref[0], ref[1], ref[2]], ry = [ref[4], ref[5], ref[6]], rz = [ref[8], ref[9], ref[10]];
  const qx = [cand[0], cand[1], cand[2]], qy = [cand[4], cand[5], cand[6]], qz = [cand[8], cand[9], cand[10]];
  const dot = (a: number[], b: number[]) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
  const angles: number[] = [];
  let sum = 0;
  const n = GRID_X * GRID_Y * SAMPLE_DEPTHS.length;
  for (const sd of SAMPLE_DEPTHS)
  for (let j = 0; j < GRID_Y; j++)
    for (let i = 0; i < GRID_X; i++) {
      // Pixel centre of a grid cell; camera coordinates x right, y up, looking down -z.
      const u = ((i + 0.5) / GRID_X) * k.width, v = ((j + 0.5) / GRID_Y) * k.height;
      const depth = sd * opts.sceneDepth;
      const X = ((u - k.cx) / k.fx) * depth, Y = (-(v - k.cy) / k.fy) * depth, Z = -depth;
      const p = [c[0] + rx[0] * X + ry[0] * Y + rz[0] * Z, c[1] + rx[1] * X + ry[1] * Y + rz[1] * Z, c[2] + rx[2] * X + ry[2] * Y + rz[2] * Z];
      const d = [p[0] - cc[0], p[1] - cc[1], p[2] - cc[2]];
      const z = -dot(d, qz);
      if (!(z > 1e-9)) continue;
      const pu = (kc.fx * dot(d, qx)) / z + kc.cx, pv = (-kc.fy * dot(d, qy)) / z + kc.cy;
      if (pu < 0 || pv < 0 || pu > kc.width || pv > kc.height) continue;
      const a = [p[0] - c[0], p[1] - c[1], p[2] - c[2]];
      const ca = dot(a, d) / (Math.hypot(a[0], a[1], a[2]) * Math.hypot(d[0], d[1], d[2]));
      const theta = (Math.acos(Math.min(1, Math.max(-1, ca))) * 180) / Math.PI;
      const s = theta <= ideal ? SIGMA_BELOW_DEG : SIGMA_ABOVE_DEG;
      sum += Math.exp(-((theta - ideal) ** 2) / (2 * s * s));
      angles.push(theta);
    }
  out.overlap = angles.length / n;
  out.score = sum / n;
  if (angles.length) out.parallaxDeg = angles.sort((x, y) => x - y)[angles.length >> 1];
  else out.rejected = 'sees none of the reference view';
  return out;
}

/**
 * Indices of the `count` candidates best suited as stereo sources for `ref`, by `scoreSourceView`: frustum
 * overlap times a parallax term peaking at a useful triangulation angle. Nearness alone is a poor guide: the
 * nearest frames of a video have almost no baseline (depth resolution ~ baseline), and a view that only rotated
 * has none at all. Candidates that look more than `maxAngleDeg` away, have almost no baseline or see nothing of
 * the reference are never taken.
 */
export function selectSourceViews(ref: Mat4, candidates: Mat4[], count: number, opts: SourceSelectionOptions = {}): number[] {
  if (!Number.isInteger(count) || count < 1) throw new Error(`source view count must be a positive integer, got ${count}`);
  if (opts.cameras && opts.cameras.length !== candidates.length)
    throw new Error(`source views: ${opts.cameras.length} cameras given for ${candidates.length} candidates`);
  const sceneDepth = opts.sceneDepth ?? typicalSceneDepth(ref, candidates);
  const scored: { i: number; s: number }[] = [];
  candidates.forEach((m, i) => {
    const r = scoreSourceView(ref, m, { ...opts, sceneDepth, candidateCamera: opts.cameras?.[i] });
    if (!r.rejected && r.score > 0) scored.push({ i, s: r.score });
  });
  scored.sort((a, b) => b.s - a.s);
  return scored.slice(0, count).map((x) => x.i);
}
