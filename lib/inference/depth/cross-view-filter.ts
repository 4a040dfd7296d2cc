/**
 * Geometric (cross-view) consistency of per-view depth maps, as in COLMAP / MVSNet fusion: a reference pixel's
 * 3D point is projected into another view, that view's own depth there is lifted back to 3D and reprojected into
 * the reference; the pixel agrees with that view when the round trip lands within `maxReprojPx` pixels and
 * `maxRelDepth` relative depth. Wrong matches rarely agree across independently estimated views.
 */
import type { PinholeCamera } from './stereo-view';
import { multiply } from '../../capture/pose';

export interface PosedDepth {
  camera: PinholeCamera;
  cameraToWorld: ArrayLike<number>;
  worldToCamera: ArrayLike<number>;
  /** Depth (-z) on the camera's pinhole grid; 0 = none. */
  depth: Float32Array;
}

export interface ConsistencyOptions {
  maxReprojPx?: number;
  maxRelDepth?: number;
}

/** For every reference pixel, how many of `others` agree with its depth (0..others.length). */
export function crossViewAgreement(ref: PosedDepth, others: PosedDepth[], opts: ConsistencyOptions = {}): Uint8Array {
  const maxPx2 = (opts.maxReprojPx ?? 1) ** 2;
  const maxRel = opts.maxRelDepth ?? 0.01;
  const { width: W, height: H, fx, fy, cx, cy } = ref.camera;
  if (ref.depth.length !== W * H) throw new Error(`cross-view filter: reference depth has ${ref.depth.length} values, expected ${W * H}`);
  if (others.length > 255) throw new Error('cross-view filter: at most 255 other views');
  const count = new Uint8Array(W * H);
  for (const o of others) {
    const k = o.camera;
    if (o.depth.length !== k.width * k.height) throw new Error('cross-view filter: a source depth map does not match its camera size');
    // ref camera -> other camera and back, as 3x4 blocks of the column-major products.
    const a = multiply(o.worldToCamera, ref.cameraToWorld);
    const b = multiply(ref.worldToCamera, o.cameraToWorld);
    for (let v = 0; v < H; v++)
      for (let u = 0; u < W; u++) {
        const i = v * W + u;
        const d = ref.depth[i];
        if (!(d > 0)) continue;
        // Reference point in camera coordinates (y up, looking down -z).
        const X = ((u + 0.5 - cx) / fx) * d, Y = (-(v + 0.5 - cy) / fy) * d, Z = -d;
        const ox = a[0] * X + a[4] * Y + a[8] * Z + a[12];
        const oy = a[1] * X + a[5] * Y + a[9] * Z + a[13];
        const oz = a[2] * X + a[6] * Y + a[10] * Z + a[14];
        if (oz > -1e-9) continue;
        const pu = (k.fx * ox) / -oz + k.cx, pv = (-k.fy * oy) / -oz + k.cy;
        const qu = Math.floor(pu), qv = Math.floor(pv);
        if (qu < 0 || qv < 0 || qu >= k.width || qv >= k.height) continue;
        const od = o.depth[qv * k.width + qu];
        if (!(od > 0)) continue;
        // The other view's own point at that pixel (pixel centre), back into the reference.
        const X2 = ((qu + 0.5 - k.cx) / k.fx) * od, Y2 = (-(qv + 0.5 - k.cy) / k.fy) * od, Z2 = -od;
        const rx = b[0] * X2 + b[4] * Y2 + b[8] * Z2 + b[12];
        const ry = b[1] * X2 + b[5] * Y2 + b[9] * Z2 + b[13];
        const rz = b[2] * X2 + b[6] * Y2 + b[10] * Z2 + b[14];
        if (rz > -1e-9) continue;
        const ru = (fx * rx) / -rz + cx - 0.5, rv = (-fy * ry) / -rz + cy - 0.5;
        const du = ru - u, dv = rv - v;
        if (du * du + dv * dv > maxPx2) continue;
        if (Math.abs(-rz - d) > maxRel * d) continue;
        count[i]++;
      }
  }
  return count;
}

export interface DepthFilterOptions extends ConsistencyOptions {
  /** Minimum aggregated ZNCC at the winning plane (default 0.5). */
  minScore?: number;
  /** Minimum margin of the peak over the best non-adjacent plane (default 0.02). */
  minMargin?: number;
  /** Minimum number of other views that must agree (default 1; 0 disables the geometric check). */
  minAgreeing?: number;
}

/**
 * Keeps the confident, geometrically consistent depths of a view (others' depth maps should be their own
 * confidence-filtered plane-sweep results) and returns the filtered copy (0 = removed) and a 0..1 confidence.
 */
export function filterDepth(
  ref: PosedDepth,
  score: Float32Array,
  margin: Float32Array,
  others: PosedDepth[],
  opts: DepthFilterOptions = {},
): { depth: Float32Array; confidence: Float32Array; agreeing: Uint8Array } {
  const minScore = opts.minScore ?? 0.5;
  const minMargin = opts.minMargin ?? 0.02;
  const minAgree = opts.minAgreeing ?? 1;
  const n = ref.depth.length;
  if (score.length !== n || margin.length !== n) throw new Error('filterDepth: score/margin size differs from the depth map');
  if (minAgree > others.length)
    throw new Error(`filterDepth: ${minAgree} agreeing views required but only ${others.length} other depth maps given`);
  const agreeing = minAgree > 0 ? crossViewAgreement(ref, others, opts) : new Uint8Array(n);
  const depth = new Float32Array(n);
  const confidence = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const d = ref.depth[i];
    if (!(d > 0) || score[i] < minScore || margin[i] < minMargin || agreeing[i] < minAgree) continue;
    depth[i] = d;
    confidence[i] = Math.max(0, Math.min(1, score[i])) * (others.length ? Math.min(1, (agreeing[i] + 1) / (others.length + 1)) : 1);
  }
  return { depth, confidence, agreeing };
}
