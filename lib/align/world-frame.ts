/**
 * The app's world frame for a reconstruction: y up, floor at y = 0 (WebXR local-floor), found from
 * what the capture knows, in this order:
 *
 *   up    1. the capture's own gravity/up (bundle `worldUp`, a gravity file) when it has one;
 *         2. else the normal of the dominant horizontal plane of the reconstruction: the plane with the
 *            most points (RANSAC over a sample; with Gaussian orientations, only points whose surface faces
 *            along the plane count) among those within `maxTiltDeg` of the cameras' mean up;
 *         3. else the cameras' mean up vector (people hold cameras roughly upright, so the sideways
 *            tilts of a walk around cancel out).
 *   floor the lowest large horizontal plane below the cameras (a peak of the point heights along up
 *         holding at least `minFloorFraction` of the points), else `cameraHeight` below the cameras'
 *         mean height (stated: a phone held by a standing person), at least 0.2 x that below the lowest,
 *         and never above the scene's 2nd-percentile height (COLMAP units are not metres: the fox's 1.4
 *         "units" below the cameras cut through it, and the floor grid must not hide half the scene).
 *
 * The transform is rigid (rotation + offset, no scale): the minimal rotation taking up to +y (the
 * heading is kept), then a shift along y that puts the floor at 0. Units stay the capture's own:
 * metric for device depth and RGB-D rigs, the poses' arbitrary unit for COLMAP photo captures.
 */
import { multiply } from '../capture/pose';
import { quatFromAxes } from '../splat/covariance';

export type Vec3 = [number, number, number];
export type UpSource = 'capture' | 'plane' | 'cameras' | 'none';
export type FloorSource = 'plane' | 'below-cameras' | 'none';

export interface WorldFrame {
  /** Capture world -> app world, column-major 4x4 (rotation + translation). */
  matrix: number[];
  /** The capture-frame direction that became +y (unit). */
  up: Vec3;
  upSource: UpSource;
  floorSource: FloorSource;
  /** Floor height along `up` in the capture frame (the offset applied is -floorHeight along y). */
  floorHeight: number;
  /** Fraction of the sampled points on the plane that gave up (plane source) or the floor (plane floor). */
  upPlaneFraction?: number;
  floorPlaneFraction?: number;
}

export interface WorldFrameOptions {
  /** The capture's own up (gravity opposite), in the capture frame. */
  captureUp?: Vec3;
  /** Used when no floor plane is seen: the floor is this far below the cameras' mean height (default 1.4). */
  cameraHeight?: number;
  /** Points sampled for plane search (default 20000). */
  sample?: number;
  /** Horizontal planes are those within this angle of the cameras' mean up (default 30°). */
  maxTiltDeg?: number;
  /** A plane must hold this fraction of the sampled points (facing along it) to give up (default 0.03). */
  minPlaneFraction?: number;
  /** A height peak must hold this fraction of the sampled points to be the floor (default 0.02: a kitchen shows little floor). */
  minFloorFraction?: number;
  /** RANSAC iterations (default 400). */
  iterations?: number;
  /**
   * Gaussian orientations (x, y, z, w per point) whose local z is the surface normal, as gaussiansFromDepth
   * makes them: a floor candidate must then be mostly surfaces facing up (a slice through a wall is not).
   */
  rotations?: ArrayLike<number>;
}

export const IDENTITY_WORLD: WorldFrame = {
  matrix: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1],
  up: [0, 1, 0],
  upSource: 'none',
  floorSource: 'none',
  floorHeight: 0,
};

const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
const norm = (a: Vec3): Vec3 => {
  const l = Math.hypot(a[0], a[1], a[2]);
  return [a[0] / l, a[1] / l, a[2] / l];
};

/** Mean of the cameras' +y axes (column 1 of camera-to-world), unit; null when they cancel out. */
export function camerasMeanUp(cameras: readonly ArrayLike<number>[]): Vec3 | null {
  const s: Vec3 = [0, 0, 0];
  for (const m of cameras) {
    s[0] += m[4];
    s[1] += m[5];
    s[2] += m[6];
  }
  const l = Math.hypot(...s);
  return cameras.length && l > 1e-3 * cameras.length ? norm(s) : null;
}

/** Deterministic sample of points (a fixed LCG) and their normals: the same scene always gives the same frame. */
function samplePoints(positions: ArrayLike<number>, count: number, n: number, rotations?: ArrayLike<number>): { p: Float64Array; normals: Float64Array | null } {
  const out: number[] = [];
  const nrm: number[] = [];
  const take = Math.min(count, n);
  let seed = 12345;
  for (let k = 0; k < take; k++) {
    let i: number;
    if (take === count) i = k;
    else {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      i = seed % count;
    }
    const x = positions[3 * i], y = positions[3 * i + 1], z = positions[3 * i + 2];
    if (!(Number.isFinite(x) && Number.isFinite(y) && Number.isFinite(z))) continue;
    out.push(x, y, z);
    if (rotations) {
      const qx = rotations[4 * i], qy = rotations[4 * i + 1], qz = rotations[4 * i + 2], qw = rotations[4 * i + 3];
      nrm.push(2 * (qx * qz + qw * qy), 2 * (qy * qz - qw * qx), 1 - 2 * (qx * qx + qy * qy));
    }
  }
  return { p: Float64Array.from(out), normals: rotations ? Float64Array.from(nrm) : null };
}

function percentile(values: Float64Array, q: number): number {
  const s = Float64Array.from(values).sort();
  return s.length ? s[Math.min(s.length - 1, Math.max(0, Math.floor(q * (s.length - 1))))] : 0;
}

/** Robust size of the sampled cloud: the diagonal of its 2-98 % box (outliers do not count). */
function robustExtent(p: Float64Array): number {
  const n = p.length / 3;
  let d2 = 0;
  for (let k = 0; k < 3; k++) {
    const a = new Float64Array(n);
    for (let i = 0; i < n; i++) a[i] = p[3 * i + k];
    const e = percentile(a, 0.98) - percentile(a, 0.02);
    d2 += e * e;
  }
  return Math.sqrt(d2);
}

/** Eigenvector of the smallest eigenvalue of a symmetric 3x3 (Jacobi rotations): a plane's normal. */
function smallestEigenvector(c: number[][]): Vec3 {
  const a = c.map((r) => r.slice());
  const v = [
    [1, 0, 0],
    [0, 1, 0],
    [0, 0, 1],
  ];
  for (let sweep = 0; sweep < 30; sweep++) {
    for (const [p, q] of [
      [0, 1],
      [0, 2],
      [1, 2],
    ]) {
      if (Math.abs(a[p][q]) < 1e-18) continue;
      const theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
      const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
      const cs = 1 / Math.sqrt(t * t + 1), sn = t * cs;
      for (let k = 0; k < 3; k++) {
        const akp = a[k][p], akq = a[k][q];
        a[k][p] = cs * akp - sn * akq;
        a[k][q] = sn * akp + cs * akq;
      }
      for (let k = 0; k < 3; k++) {
        const apk = a[p][k], aqk = a[q][k];
        a[p][k] = cs * apk - sn * aqk;
        a[q][k] = sn * apk + cs * aqk;
      }
      for (let k = 0; k < 3; k++) {
        const vkp = v[k][p], vkq = v[k][q];
        v[k][p] = cs * vkp - sn * vkq;
        v[k][q] = sn * vkp + cs * vkq;
      }
    }
  }
  let best = 0;
  for (let k = 1; k < 3; k++) if (a[k][k] < a[best][best]) best = k;
  return norm([v[0][best], v[1][best], v[2][best]]);
}

/** Least-squares normal of the points within `tol` of the plane (n, d). */
function refinePlane(p: Float64Array, n: Vec3, d: number, tol: number): { n: Vec3; d: number; inliers: number } {
  const m = [0, 0, 0];
  let cnt = 0;
  const pts: number[] = [];
  for (let i = 0; i < p.length; i += 3) {
    if (Math.abs(n[0] * p[i] + n[1] * p[i + 1] + n[2] * p[i + 2] - d) > tol) continue;
    pts.push(p[i], p[i + 1], p[i + 2]);
    m[0] += p[i];
    m[1] += p[i + 1];
    m[2] += p[i + 2];
    cnt++;
  }
  if (cnt < 3) return { n, d, inliers: cnt };
  for (let k = 0; k < 3; k++) m[k] /= cnt;
  const c = [
    [0, 0, 0],
    [0, 0, 0],
    [0, 0, 0],
  ];
  for (let i = 0; i < pts.length; i += 3) {
    const x = [pts[i] - m[0], pts[i + 1] - m[1], pts[i + 2] - m[2]];
    for (let r = 0; r < 3; r++) for (let s = 0; s < 3; s++) c[r][s] += x[r] * x[s];
  }
  let nn = smallestEigenvector(c);
  if (dot(nn, n) < 0) nn = [-nn[0], -nn[1], -nn[2]];
  return { n: nn, d: dot(nn, m), inliers: cnt };
}

/** The horizontal plane (normal within maxTilt of `ref`) holding the most sampled points, or null. */
function dominantHorizontalPlane(p: Float64Array, normals: Float64Array | null, ref: Vec3, tol: number, maxTiltCos: number, iterations: number): { n: Vec3; d: number; inliers: number } | null {
  // With normals, a point supports a plane only if its surface faces along the plane's normal (within 30°):
  // stereo noise and a slice through a wall then give no support.
  const faces = (i: number, nn: Vec3) => !normals || Math.abs(normals[i] * nn[0] + normals[i + 1] * nn[1] + normals[i + 2] * nn[2]) > 0.866;
  const n = p.length / 3;
  if (n < 3) return null;
  let seed = 987654321;
  const rnd = () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed % n;
  };
  let best: { n: Vec3; d: number; inliers: number } | null = null;
  for (let it = 0; it < iterations; it++) {
    const a = 3 * rnd(), b = 3 * rnd(), c = 3 * rnd();
    const u = [p[b] - p[a], p[b + 1] - p[a + 1], p[b + 2] - p[a + 2]];
    const v = [p[c] - p[a], p[c + 1] - p[a + 1], p[c + 2] - p[a + 2]];
    const cr: Vec3 = [u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0]];
    const l = Math.hypot(...cr);
    if (!(l > 1e-12)) continue;
    let nn: Vec3 = [cr[0] / l, cr[1] / l, cr[2] / l];
    if (dot(nn, ref) < 0) nn = [-nn[0], -nn[1], -nn[2]];
    if (dot(nn, ref) < maxTiltCos) continue;
    const d = nn[0] * p[a] + nn[1] * p[a + 1] + nn[2] * p[a + 2];
    let cnt = 0;
    for (let i = 0; i < p.length; i += 3) if (Math.abs(nn[0] * p[i] + nn[1] * p[i + 1] + nn[2] * p[i + 2] - d) <= tol && faces(i, nn)) cnt++;
    if (!best || cnt > best.inliers) best = { n: nn, d, inliers: cnt };
  }
  if (!best) return null;
  // Refinements: the least-squares normal of the inliers, then of a thinner slab about that plane (rugs and
  // objects on the floor fall out of it).
  let r = refinePlane(p, best.n, best.d, tol);
  r = refinePlane(p, r.n, r.d, tol / 2);
  r = refinePlane(p, r.n, r.d, tol / 4);
  // Support is counted in the full-thickness slab, like the RANSAC score.
  let inliers = 0;
  for (let i = 0; i < p.length; i += 3) if (Math.abs(r.n[0] * p[i] + r.n[1] * p[i + 1] + r.n[2] * p[i + 2] - r.d) <= tol && faces(i, r.n)) inliers++;
  return dot(r.n, ref) >= maxTiltCos ? { ...r, inliers } : null;
}

/** Minimal rotation (column-major 3x3 as 9 numbers) taking unit `a` to unit `b` (Rodrigues). */
export function rotationBetween(a: Vec3, b: Vec3): number[] {
  const v: Vec3 = [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
  const c = dot(a, b);
  if (c < -1 + 1e-9) {
    // Opposite: half a turn about any axis perpendicular to a.
    const axis = norm(Math.abs(a[0]) < 0.9 ? [0, -a[2], a[1]] : [-a[2], 0, a[0]]);
    const m = (r: number, s: number) => 2 * axis[r] * axis[s] - (r === s ? 1 : 0);
    return [m(0, 0), m(1, 0), m(2, 0), m(0, 1), m(1, 1), m(2, 1), m(0, 2), m(1, 2), m(2, 2)];
  }
  const k = 1 / (1 + c);
  // R = I + [v]x + [v]x^2 / (1 + c), written row by row then stored column-major.
  const r = [
    [c + v[0] * v[0] * k, v[0] * v[1] * k - v[2], v[0] * v[2] * k + v[1]],
    [v[1] * v[0] * k + v[2], c + v[1] * v[1] * k, v[1] * v[2] * k - v[0]],
    [v[2] * v[0] * k - v[1], v[2] * v[1] * k + v[0], c + v[2] * v[2] * k],
  ];
  return [r[0][0], r[1][0], r[2][0], r[0][1], r[1][1], r[2][1], r[0][2], r[1][2], r[2][2]];
}

/** Heights along `up` of the lowest large horizontal plane below `below`, or null. */
function lowestFloorPeak(p: Float64Array, normals: Float64Array | null, up: Vec3, bin: number, below: number, minFraction: number): { height: number; fraction: number } | null {
  const n = p.length / 3;
  if (!n) return null;
  const h = new Float64Array(n);
  for (let i = 0; i < n; i++) h[i] = up[0] * p[3 * i] + up[1] * p[3 * i + 1] + up[2] * p[3 * i + 2];
  const lo = percentile(h, 0.002), hi = Math.min(percentile(h, 0.998), below);
  if (!(hi > lo)) return null;
  const bins = Math.min(100000, Math.ceil((hi - lo) / bin) + 1);
  const hist = new Float64Array(bins);
  for (let i = 0; i < n; i++) {
    const b = Math.floor((h[i] - lo) / bin);
    if (b >= 0 && b < bins) hist[b]++;
  }
  const win = (b: number) => (hist[b - 1] ?? 0) + hist[b] + (hist[b + 1] ?? 0);
  for (let b = 0; b < bins; b++) {
    const w = win(b);
    if (w < minFraction * n) continue;
    if (w < win(b - 1 >= 0 ? b - 1 : b) || w < (b + 1 < bins ? win(b + 1) : 0)) continue;
    // A plane is a sharp peak: twice the points of the slabs ~4 plane thicknesses above and below it
    // (the mode of a smooth spread of heights, a wall seen from its foot up, is not a floor).
    const side = ((b - 4 >= 1 ? win(b - 4) : 0) + (b + 4 < bins - 1 ? win(b + 4) : 0)) / 2;
    if (w < 2 * side) continue;
    if (normals) {
      // Most surfaces in the slab must face up (|n . up| > cos 30°): a floor, not a band across a wall.
      const c0 = lo + (b + 0.5) * bin;
      let inSlab = 0, facing = 0;
      for (let i = 0; i < n; i++) {
        if (Math.abs(h[i] - c0) > 1.5 * bin) continue;
        inSlab++;
        if (Math.abs(normals[3 * i] * up[0] + normals[3 * i + 1] * up[1] + normals[3 * i + 2] * up[2]) > 0.866) facing++;
      }
      if (facing < 0.5 * inSlab) continue;
    }
    // Refine: the median height of the points near the peak, twice with a narrowing window (a mean
    // would be pulled up by rugs and furniture feet standing on the floor).
    let centre = lo + (b + 0.5) * bin;
    for (const half of [1.5 * bin, 0.5 * bin]) {
      const near: number[] = [];
      for (let i = 0; i < n; i++) if (Math.abs(h[i] - centre) <= half) near.push(h[i]);
      if (near.length) centre = percentile(Float64Array.from(near), 0.5);
    }
    return { height: centre, fraction: w / n };
  }
  return null;
}

/** Finds the app world frame of a reconstruction (see the file comment for the order of sources). */
export function findWorldFrame(positions: ArrayLike<number>, count: number, cameras: readonly ArrayLike<number>[], opts: WorldFrameOptions = {}): WorldFrame {
  if (!Number.isInteger(count) || count < 0 || positions.length < 3 * count) throw new Error(`findWorldFrame: ${count} points but ${positions.length} coordinates`);
  for (const m of cameras) if (m.length !== 16 || !Array.from(m).every(Number.isFinite)) throw new Error('findWorldFrame: every camera pose must be 16 finite numbers');
  const cameraHeight = opts.cameraHeight ?? 1.4;
  const maxTiltCos = Math.cos(((opts.maxTiltDeg ?? 30) * Math.PI) / 180);
  const { p, normals } = samplePoints(positions, count, opts.sample ?? 20000, opts.rotations);
  const ns = p.length / 3;
  const extent = ns >= 3 ? robustExtent(p) : 0;
  // Plane thickness: 1 % of the scene's robust size (1-2 cm in a room), so depth noise stays on the plane.
  const tol = Math.max(1e-6, extent * 0.01);

  const meanUp = camerasMeanUp(cameras);
  let up: Vec3;
  let upSource: UpSource;
  let upPlaneFraction: number | undefined;
  if (opts.captureUp) {
    const u = opts.captureUp;
    if (u.length !== 3 || !u.every(Number.isFinite) || Math.hypot(...u) < 1e-9) throw new Error(`findWorldFrame: captureUp must be 3 finite numbers, not all zero (got ${JSON.stringify(u)})`);
    up = norm([...u] as Vec3);
    upSource = 'capture';
  } else {
    const plane = meanUp && ns >= 3 && extent > 0 ? dominantHorizontalPlane(p, normals, meanUp, tol, maxTiltCos, opts.iterations ?? 400) : null;
    if (plane && plane.inliers >= (opts.minPlaneFraction ?? 0.03) * ns) {
      up = plane.n;
      upSource = 'plane';
      upPlaneFraction = plane.inliers / ns;
    } else if (meanUp) {
      up = meanUp;
      upSource = 'cameras';
    } else {
      up = [0, 1, 0];
      upSource = 'none';
    }
  }

  const camHeights = cameras.map((m) => up[0] * m[12] + up[1] * m[13] + up[2] * m[14]);
  const meanCam = camHeights.length ? camHeights.reduce((a, b) => a + b, 0) / camHeights.length : 0;
  const minCam = camHeights.length ? Math.min(...camHeights) : Infinity;
  // A floor is below every camera, by more than the plane thickness.
  const floor = ns >= 3 && extent > 0 ? lowestFloorPeak(p, normals, up, tol, minCam - 2 * tol, opts.minFloorFraction ?? 0.02) : null;
  // No floor seen: `cameraHeight` below the cameras' mean height, below the lowest camera in any case, and
  // not above the bulk of the scene (its 2nd-percentile height along up).
  let floorHeight = floor ? floor.height : cameras.length ? Math.min(meanCam - cameraHeight, minCam - 0.2 * cameraHeight) : 0;
  if (!floor && cameras.length && ns >= 3) {
    const h = new Float64Array(ns);
    for (let i = 0; i < ns; i++) h[i] = up[0] * p[3 * i] + up[1] * p[3 * i + 1] + up[2] * p[3 * i + 2];
    floorHeight = Math.min(floorHeight, percentile(h, 0.02));
  }
  const floorSource: FloorSource = floor ? 'plane' : cameras.length ? 'below-cameras' : 'none';

  const r = rotationBetween(up, [0, 1, 0]);
  const matrix = [r[0], r[1], r[2], 0, r[3], r[4], r[5], 0, r[6], r[7], r[8], 0, 0, -floorHeight, 0, 1];
  const out: WorldFrame = { matrix, up, upSource, floorSource, floorHeight };
  if (upPlaneFraction !== undefined) out.upPlaneFraction = upPlaneFraction;
  if (floor) out.floorPlaneFraction = floor.fraction;
  return out;
}

/**
 * The world frame in words, as the CLI prints it and /scan shows it after an import: where up came from,
 * which capture direction became +y, where the floor is and the shift that put it at y = 0.
 */
export function describeWorldFrame(w: Pick<WorldFrame, 'up' | 'upSource' | 'floorSource' | 'floorHeight' | 'upPlaneFraction'>): string {
  if (w.upSource === 'none') return 'kept as captured';
  const fmt = (a: readonly number[]) => a.map((x) => x.toFixed(3)).join(', ');
  const up =
    w.upSource === 'capture'
      ? "the capture's worldUp"
      : w.upSource === 'plane'
        ? `the dominant horizontal plane (${((w.upPlaneFraction ?? 0) * 100).toFixed(0)} % of points)`
        : "the cameras' mean up (no horizontal plane seen)";
  const floor = w.floorSource === 'plane' ? 'on the lowest large horizontal plane' : "under the cameras (a stated 1.4 units) and the scene's lowest points (no floor seen)";
  return `up from ${up}: capture (${fmt(w.up)}) -> +y; floor ${floor}, shifted ${(-w.floorHeight).toFixed(3)} along y`;
}

/** m * c2w for column-major 4x4s (a capture pose moved into the app world). */
export const transformPose = (m: ArrayLike<number>, c2w: ArrayLike<number>): Float64Array => multiply(m, c2w);

/** Quaternion (x, y, z, w) of the rotation part of a column-major 4x4 (orthonormal). */
export function quaternionOfMatrix(m: ArrayLike<number>): [number, number, number, number] {
  const q = new Float64Array(4);
  quatFromAxes(m[0], m[1], m[2], m[4], m[5], m[6], m[8], m[9], m[10], q);
  return [q[0], q[1], q[2], q[3]];
}

/**
 * Moves Gaussians into the app world in place: centres by m, orientations by m's rotation (scales are
 * per-axis in the Gaussian's own frame and stay). Degree-0 colour is view-independent; higher SH bands
 * would need rotating too, so they are refused rather than silently left in the old frame.
 */
export function applyWorldFrame(g: { count: number; positions: Float32Array; rotations: Float32Array; shDegree?: number }, m: ArrayLike<number>): void {
  if (g.shDegree) throw new Error('applyWorldFrame: SH degree > 0 would need its bands rotated (not supported)');
  const [qx, qy, qz, qw] = quaternionOfMatrix(m);
  const P = g.positions, R = g.rotations;
  for (let i = 0; i < g.count; i++) {
    const x = P[3 * i], y = P[3 * i + 1], z = P[3 * i + 2];
    P[3 * i] = m[0] * x + m[4] * y + m[8] * z + m[12];
    P[3 * i + 1] = m[1] * x + m[5] * y + m[9] * z + m[13];
    P[3 * i + 2] = m[2] * x + m[6] * y + m[10] * z + m[14];
    const bx = R[4 * i], by = R[4 * i + 1], bz = R[4 * i + 2], bw = R[4 * i + 3];
    // q * b (apply b, then the world rotation).
    R[4 * i] = qw * bx + qx * bw + qy * bz - qz * by;
    R[4 * i + 1] = qw * by - qx * bz + qy * bw + qz * bx;
    R[4 * i + 2] = qw * bz + qx * by - qy * bx + qz * bw;
    R[4 * i + 3] = qw * bw - qx * bx - qy * by - qz * bz;
  }
}
