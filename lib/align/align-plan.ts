/**
 * Registers a scanned scene's floor plan against the headset's room plan (both xz points from
 * ./plan-points): x, z and yaw only, since both frames are gravity-aligned with the floor at y = 0.
 *
 * 1. Global search: every yaw step (default 3 deg over the full circle) x every translation on a grid
 *    (default 10 cm) within `searchRadius` of the initial placement, scoring a subsample of the scene's
 *    plan by the truncated distance to the room's nearest point (a chamfer score; lookups in a
 *    NearestGrid). The user's placement only centres the translation window: yaw can be anything.
 *    The best few are searched again finely (0.5 deg, 2.5 cm) within one coarse step.
 * 2. ICP in (x, z, yaw) from the best few candidates: nearest room point per scene point, weights
 *    from a robust kernel (Geman-McClure with scale shrinking from 15 cm to `kernel`), closed-form
 *    weighted 2D Procrustes per step, until the update is below 0.1 mm / 0.001 deg.
 * 3. Residual: RMS point-to-nearest distance over inliers (< 3 x kernel), inlier fraction, and the
 *    correction relative to the initial pose.
 */
import { NearestGrid } from './nearest-grid';
import { composePose2D, invertPose2D, poseDifference, transformPlan, wrapAngle, type Pose2D } from './pose-2d';

export interface AlignOptions {
  /** Initial pose of the scene in the room (the user's placement). Default identity. */
  initial?: Pose2D;
  /** Translation window around the initial pose, metres (default 1.5). */
  searchRadius?: number;
  /** Translation step of the global search, metres (default 0.1). */
  searchStep?: number;
  /** Yaw step of the global search, degrees (default 3). 0 skips the global search (refine only). */
  yawStepDeg?: number;
  /** Scene points used by the global search (default 300, evenly spread). */
  searchPoints?: number;
  /** Final robust kernel scale, metres (default 0.03). */
  kernel?: number;
  maxIterations?: number;
  /** Candidates from the global search refined by ICP (default 4). */
  candidates?: number;
}

export interface AlignResult {
  /** Scene -> room. */
  pose: Pose2D;
  /** RMS distance of inlier scene points to their nearest room point, centimetres. */
  residualCm: number;
  /** Fraction of scene plan points within the inlier distance. */
  inlierFraction: number;
  /** Change from the initial pose: translation (m) and yaw (degrees). */
  correction: { metres: number; degrees: number };
  iterations: number;
  /** Global search score of the chosen candidate (mean truncated distance, m; lower is better). */
  searchScore: number;
  scenePoints: number;
  roomPoints: number;
}

const DEG = Math.PI / 180;

function subsample(xz: Float32Array, n: number): Float32Array {
  const m = xz.length / 2;
  if (m <= n) return xz;
  const out = new Float32Array(n * 2);
  for (let j = 0; j < n; j++) {
    const k = Math.floor(((j + 0.5) * m) / n);
    out[2 * j] = xz[2 * k];
    out[2 * j + 1] = xz[2 * k + 1];
  }
  return out;
}

/** Weighted 2D Procrustes: the rigid (x, z, yaw) taking src points onto dst points. */
function procrustes(sx: Float64Array, sz: Float64Array, dx: Float64Array, dz: Float64Array, w: Float64Array, n: number): Pose2D | null {
  let W = 0, msx = 0, msz = 0, mdx = 0, mdz = 0;
  for (let i = 0; i < n; i++) {
    W += w[i];
    msx += w[i] * sx[i]; msz += w[i] * sz[i]; mdx += w[i] * dx[i]; mdz += w[i] * dz[i];
  }
  if (!(W > 1e-9)) return null;
  msx /= W; msz /= W; mdx /= W; mdz /= W;
  // With x' = c x + s z, z' = -s x + c z: maximise sum w (d . R s) -> yaw = atan2(B, A).
  let A = 0, B = 0;
  for (let i = 0; i < n; i++) {
    const ax = sx[i] - msx, az = sz[i] - msz, bx = dx[i] - mdx, bz = dz[i] - mdz;
    A += w[i] * (ax * bx + az * bz);
    B += w[i] * (az * bx - ax * bz);
  }
  const yaw = Math.atan2(B, A);
  const c = Math.cos(yaw), s = Math.sin(yaw);
  return { yaw, x: mdx - (c * msx + s * msz), z: mdz - (-s * msx + c * msz) };
}

export function alignPlan(scene: Float32Array, room: Float32Array, opts: AlignOptions = {}): AlignResult {
  const initial = opts.initial ?? { x: 0, z: 0, yaw: 0 };
  const searchRadius = opts.searchRadius ?? 1.5;
  const searchStep = opts.searchStep ?? 0.1;
  const yawStep = opts.yawStepDeg ?? 3;
  const kernel = opts.kernel ?? 0.03;
  const maxIt = opts.maxIterations ?? 200;
  const nCand = opts.candidates ?? 4;
  if (scene.length < 6 || scene.length % 2) throw new Error(`alignPlan: the scene plan needs at least 3 xz points (got ${scene.length} values): is the scene empty or all floor?`);
  if (room.length < 6 || room.length % 2) throw new Error(`alignPlan: the room plan needs at least 3 xz points (got ${room.length} values): no planes or meshes detected yet?`);
  if (!(searchRadius >= 0 && searchStep > 0 && yawStep >= 0 && kernel > 0)) throw new Error('alignPlan: searchRadius >= 0, searchStep > 0, yawStepDeg >= 0 and kernel > 0 are required');
  for (const v of [initial.x, initial.z, initial.yaw]) if (!Number.isFinite(v)) throw new Error('alignPlan: initial pose is not finite');

  const truncate = 0.3;
  const grid = new NearestGrid(room, 0.025, truncate, searchRadius + 1);
  const probe = subsample(scene, opts.searchPoints ?? 300);
  const np = probe.length / 2;

  // 1. Global search. Candidates kept per yaw (best translation), then the best few yaws refined.
  type Cand = { pose: Pose2D; score: number };
  const cands: Cand[] = [];
  const rotated = new Float32Array(probe.length);
  if (yawStep > 0) {
    const steps = Math.round(searchRadius / searchStep);
    for (let yd = 0; yd < 360; yd += yawStep) {
      const yaw = wrapAngle(initial.yaw + yd * DEG);
      // Rotate about the scene's own origin, then translate: pose = (x, z, yaw).
      transformPlan({ x: 0, z: 0, yaw }, probe, rotated);
      let best: Cand | null = null;
      for (let a = -steps; a <= steps; a++)
        for (let b = -steps; b <= steps; b++) {
          const tx = initial.x + a * searchStep, tz = initial.z + b * searchStep;
          if (Math.hypot(tx - initial.x, tz - initial.z) > searchRadius + 1e-9) continue;
          let s = 0;
          for (let i = 0; i < np; i++) s += grid.distanceAt(rotated[2 * i] + tx, rotated[2 * i + 1] + tz);
          s /= np;
          if (!best || s < best.score) best = { pose: { x: tx, z: tz, yaw }, score: s };
        }
      if (best) cands.push(best);
    }
    cands.sort((p, q) => p.score - q.score);
    // Fine search around the best few: 0.5 deg x 2.5 cm within one coarse step, so ICP starts inside
    // the right basin (point-to-point ICP slides along walls from a start a few degrees off).
    const fine = (c: Cand): Cand => {
      let best = c;
      for (let dy = -yawStep; dy <= yawStep + 1e-9; dy += 0.5) {
        const yaw = wrapAngle(c.pose.yaw + dy * DEG);
        transformPlan({ x: 0, z: 0, yaw }, probe, rotated);
        for (let a = -6; a <= 6; a++)
          for (let b = -6; b <= 6; b++) {
            const tx = c.pose.x + a * searchStep * 0.25, tz = c.pose.z + b * searchStep * 0.25;
            let s = 0;
            for (let i = 0; i < np; i++) s += grid.distanceAt(rotated[2 * i] + tx, rotated[2 * i + 1] + tz);
            s /= np;
            if (s < best.score) best = { pose: { x: tx, z: tz, yaw }, score: s };
          }
      }
      return best;
    };
    const refined = cands.slice(0, Math.max(1, nCand)).map(fine);
    cands.splice(0, refined.length, ...refined);
  } else cands.push({ pose: { ...initial }, score: NaN });

  // 2. ICP from the best candidates; keep the lowest robust cost.
  const n = scene.length / 2;
  const sx = new Float64Array(n), sz = new Float64Array(n), dx = new Float64Array(n), dz = new Float64Array(n), w = new Float64Array(n);
  const moved = new Float32Array(scene.length);
  let bestOut: { pose: Pose2D; cost: number; iterations: number; searchScore: number } | null = null;
  for (const cand of cands.slice(0, Math.max(1, nCand))) {
    let pose = cand.pose;
    let it = 0;
    let scale = 0.15;
    for (; it < maxIt; it++) {
      transformPlan(pose, scene, moved);
      let m = 0;
      for (let i = 0; i < n; i++) {
        const x = moved[2 * i], z = moved[2 * i + 1];
        const j = grid.nearestAt(x, z);
        if (j < 0) continue;
        const tx = room[2 * j], tz = room[2 * j + 1];
        const r2 = (tx - x) ** 2 + (tz - z) ** 2;
        const k2 = scale * scale;
        // Geman-McClure weight: k^4 / (k^2 + r^2)^2.
        const wi = (k2 * k2) / ((k2 + r2) * (k2 + r2));
        if (wi < 1e-4) continue;
        sx[m] = x; sz[m] = z; dx[m] = tx; dz[m] = tz; w[m] = wi;
        m++;
      }
      const step = m >= 3 ? procrustes(sx, sz, dx, dz, w, m) : null;
      if (!step) break;
      pose = composePose2D(step, pose);
      const small = Math.hypot(step.x, step.z) < 1e-4 && Math.abs(step.yaw) < 0.001 * DEG;
      if (small) {
        if (scale <= kernel) break;
        scale = Math.max(kernel, scale * 0.5);
      } else if (scale > kernel && it % 3 === 2) scale = Math.max(kernel, scale * 0.7);
    }
    // Robust cost at the final kernel, with exact nearest distances.
    transformPlan(pose, scene, moved);
    let cost = 0;
    const k2 = kernel * kernel;
    for (let i = 0; i < n; i++) {
      const j = grid.nearestAt(moved[2 * i], moved[2 * i + 1]);
      const r2 = j < 0 ? truncate * truncate : (room[2 * j] - moved[2 * i]) ** 2 + (room[2 * j + 1] - moved[2 * i + 1]) ** 2;
      cost += r2 / (k2 + r2);
    }
    if (!bestOut || cost < bestOut.cost) bestOut = { pose, cost, iterations: it, searchScore: cand.score };
  }
  const pose = bestOut!.pose;

  // 3. Residual over inliers.
  transformPlan(pose, scene, moved);
  const inlier = 3 * kernel;
  let ss = 0, ni = 0;
  for (let i = 0; i < n; i++) {
    const j = grid.nearestAt(moved[2 * i], moved[2 * i + 1]);
    if (j < 0) continue;
    const r2 = (room[2 * j] - moved[2 * i]) ** 2 + (room[2 * j + 1] - moved[2 * i + 1]) ** 2;
    if (r2 <= inlier * inlier) {
      ss += r2;
      ni++;
    }
  }
  return {
    pose,
    residualCm: ni ? Math.sqrt(ss / ni) * 100 : Infinity,
    inlierFraction: ni / n,
    correction: poseDifference(pose, initial),
    iterations: bestOut!.iterations,
    searchScore: bestOut!.searchScore,
    scenePoints: n,
    roomPoints: room.length / 2,
  };
}

/** The pose error of an alignment against a known truth (for tests and the UI's debug line). */
export function alignmentError(found: Pose2D, truth: Pose2D): { metres: number; degrees: number } {
  const d = composePose2D(invertPose2D(truth), found);
  return { metres: Math.hypot(d.x, d.z), degrees: Math.abs(d.yaw) / DEG };
}
