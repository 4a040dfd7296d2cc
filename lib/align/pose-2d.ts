/**
 * Gravity-aligned rigid pose: a scan and WebXR local-floor share "y up", so placing one in the other
 * leaves only a translation in x, z and a yaw about +y (y offset is 0: both floors are at y = 0).
 *
 * Convention (three.js `rotation.y = yaw`, right-handed): world = R(yaw) p + (x, 0, z) with
 *   x' = cos(yaw) px + sin(yaw) pz,   z' = -sin(yaw) px + cos(yaw) pz.
 */
export interface Pose2D {
  x: number;
  z: number;
  /** Radians about +y. */
  yaw: number;
}

export const IDENTITY_POSE_2D: Readonly<Pose2D> = Object.freeze({ x: 0, z: 0, yaw: 0 });

/** Wraps an angle to (-pi, pi]. */
export function wrapAngle(a: number): number {
  const t = a - 2 * Math.PI * Math.floor((a + Math.PI) / (2 * Math.PI));
  return t <= -Math.PI ? t + 2 * Math.PI : t;
}

/** (a ∘ b): first b, then a. */
export function composePose2D(a: Pose2D, b: Pose2D): Pose2D {
  const c = Math.cos(a.yaw), s = Math.sin(a.yaw);
  return { x: c * b.x + s * b.z + a.x, z: -s * b.x + c * b.z + a.z, yaw: wrapAngle(a.yaw + b.yaw) };
}

export function invertPose2D(p: Pose2D): Pose2D {
  const c = Math.cos(p.yaw), s = Math.sin(p.yaw);
  // R^T (-t): R^T has x' = c x - s z, z' = s x + c z.
  return { x: -(c * p.x - s * p.z), z: -(s * p.x + c * p.z), yaw: wrapAngle(-p.yaw) };
}

/** Applies a pose to xz pairs ([x0, z0, x1, z1, ...]) into `out` (may be the input). */
export function transformPlan(p: Pose2D, xz: Float32Array, out = new Float32Array(xz.length)): Float32Array {
  const c = Math.cos(p.yaw), s = Math.sin(p.yaw);
  for (let i = 0; i < xz.length; i += 2) {
    const x = xz[i], z = xz[i + 1];
    out[i] = c * x + s * z + p.x;
    out[i + 1] = -s * x + c * z + p.z;
  }
  return out;
}

/** Column-major 4x4 (three.js Matrix4.elements order). */
export function pose2DToMatrix4(p: Pose2D): number[] {
  const c = Math.cos(p.yaw), s = Math.sin(p.yaw);
  return [c, 0, -s, 0, 0, 1, 0, 0, s, 0, c, 0, p.x, 0, p.z, 1];
}

/**
 * Nearest Pose2D to a column-major 4x4 rigid transform (its rotation projected on yaw; y translation
 * and tilt dropped). Throws when the matrix is not finite.
 */
export function pose2DFromMatrix4(m: ArrayLike<number>): Pose2D {
  if (m.length !== 16 || !Array.from(m).every(Number.isFinite)) throw new Error('pose2DFromMatrix4: need 16 finite values');
  // Image of local +x is (m0, m1, m2) = (cos yaw, ., -sin yaw).
  return { x: m[12], z: m[14], yaw: Math.atan2(-m[2], m[0]) };
}

/** Difference b^-1 a as translation (m) and yaw (degrees), for reporting an alignment correction or error. */
export function poseDifference(a: Pose2D, b: Pose2D): { metres: number; degrees: number } {
  return { metres: Math.hypot(a.x - b.x, a.z - b.z), degrees: Math.abs(wrapAngle(a.yaw - b.yaw)) * (180 / Math.PI) };
}

/**
 * The pose that puts scene point (cx, cz) at room point (hx, hz) with the given yaw: how a hit-test
 * placement moves the scene's floor-plan centre onto the reticle without turning it.
 */
export function poseAt(cx: number, cz: number, hx: number, hz: number, yaw: number): Pose2D {
  const c = Math.cos(yaw), s = Math.sin(yaw);
  for (const v of [cx, cz, hx, hz, yaw]) if (!Number.isFinite(v)) throw new Error('poseAt: coordinates and yaw must be finite');
  return { x: hx - (c * cx + s * cz), z: hz - (-s * cx + c * cz), yaw };
}
