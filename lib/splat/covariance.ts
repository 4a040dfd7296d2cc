/**
 * Rotation and covariance maths shared by Gaussian construction, fusion and the CPU renderer.
 *
 * Conventions: quaternions are x, y, z, w (unit); 3x3 matrices are row-major in a flat array;
 * a symmetric 3x3 covariance is stored as 6 numbers [xx, xy, xz, yy, yz, zz]; a symmetric 2x2
 * covariance as 3 numbers [xx, xy, yy]. Every function writes into a caller-owned array at an
 * offset so hot loops allocate nothing.
 */

type Out = { [i: number]: number };

/** Row-major rotation matrix of the unit quaternion (x, y, z, w), written to out[o..o+8]. */
export function quatToMat3(x: number, y: number, z: number, w: number, out: Out, o = 0): void {
  const xx = x * x, yy = y * y, zz = z * z;
  const xy = x * y, xz = x * z, yz = y * z, wx = w * x, wy = w * y, wz = w * z;
  out[o] = 1 - 2 * (yy + zz);
  out[o + 1] = 2 * (xy - wz);
  out[o + 2] = 2 * (xz + wy);
  out[o + 3] = 2 * (xy + wz);
  out[o + 4] = 1 - 2 * (xx + zz);
  out[o + 5] = 2 * (yz - wx);
  out[o + 6] = 2 * (xz - wy);
  out[o + 7] = 2 * (yz + wx);
  out[o + 8] = 1 - 2 * (xx + yy);
}

/**
 * Unit quaternion (x, y, z, w) of the rotation whose columns are the orthonormal right-handed
 * axes a (local x), b (local y), c (local z). Shepperd's method: branch on the largest diagonal
 * term so the square root never sees a tiny number.
 */
export function quatFromAxes(
  ax: number, ay: number, az: number,
  bx: number, by: number, bz: number,
  cx: number, cy: number, cz: number,
  out: Out, o = 0,
): void {
  // m = [[ax bx cx], [ay by cy], [az bz cz]]
  const tr = ax + by + cz;
  let x: number, y: number, z: number, w: number;
  if (tr > 0) {
    const s = 0.5 / Math.sqrt(tr + 1);
    w = 0.25 / s;
    x = (bz - cy) * s;
    y = (cx - az) * s;
    z = (ay - bx) * s;
  } else if (ax > by && ax > cz) {
    const s = 2 * Math.sqrt(1 + ax - by - cz);
    w = (bz - cy) / s;
    x = 0.25 * s;
    y = (bx + ay) / s;
    z = (cx + az) / s;
  } else if (by > cz) {
    const s = 2 * Math.sqrt(1 + by - ax - cz);
    w = (cx - az) / s;
    x = (bx + ay) / s;
    y = 0.25 * s;
    z = (cy + bz) / s;
  } else {
    const s = 2 * Math.sqrt(1 + cz - ax - by);
    w = (ay - bx) / s;
    x = (cx + az) / s;
    y = (cy + bz) / s;
    z = 0.25 * s;
  }
  const n = 1 / Math.sqrt(x * x + y * y + z * z + w * w);
  out[o] = x * n;
  out[o + 1] = y * n;
  out[o + 2] = z * n;
  out[o + 3] = w * n;
}

/** Shortest-arc unit quaternion taking local +z onto the unit vector n (x, y, z, w). */
export function quatFromZTo(nx: number, ny: number, nz: number, out: Out, o = 0): void {
  // q = (z × n, 1 + z·n) normalised; for n = -z any half-turn about a horizontal axis works.
  if (nz < -0.999999) {
    out[o] = 1; out[o + 1] = 0; out[o + 2] = 0; out[o + 3] = 0;
    return;
  }
  const x = -ny, y = nx, w = 1 + nz;
  const s = 1 / Math.sqrt(x * x + y * y + w * w);
  out[o] = x * s;
  out[o + 1] = y * s;
  out[o + 2] = 0;
  out[o + 3] = w * s;
}

/** Local +z axis (the surface normal of a flat Gaussian) of quaternion (x, y, z, w), unnormalised input tolerated. */
export function quatAxisZ(x: number, y: number, z: number, w: number, out: Out, o = 0): void {
  const inv = 1 / (x * x + y * y + z * z + w * w);
  out[o] = 2 * (x * z + w * y) * inv;
  out[o + 1] = 2 * (y * z - w * x) * inv;
  out[o + 2] = 1 - 2 * (x * x + y * y) * inv;
}

/** Σ = R diag(s)² Rᵀ for linear scales s and a quaternion (normalised here), as 6 numbers. */
export function covariance3D(
  sx: number, sy: number, sz: number,
  qx: number, qy: number, qz: number, qw: number,
  out: Out, o = 0,
): void {
  const qn = 1 / Math.sqrt(qx * qx + qy * qy + qz * qz + qw * qw);
  const x = qx * qn, y = qy * qn, z = qz * qn, w = qw * qn;
  const xx = x * x, yy = y * y, zz = z * z;
  const xy = x * y, xz = x * z, yz = y * z, wx = w * x, wy = w * y, wz = w * z;
  // M = R S (columns of R scaled)
  const m00 = (1 - 2 * (yy + zz)) * sx, m01 = 2 * (xy - wz) * sy, m02 = 2 * (xz + wy) * sz;
  const m10 = 2 * (xy + wz) * sx, m11 = (1 - 2 * (xx + zz)) * sy, m12 = 2 * (yz - wx) * sz;
  const m20 = 2 * (xz - wy) * sx, m21 = 2 * (yz + wx) * sy, m22 = (1 - 2 * (xx + yy)) * sz;
  out[o] = m00 * m00 + m01 * m01 + m02 * m02;
  out[o + 1] = m00 * m10 + m01 * m11 + m02 * m12;
  out[o + 2] = m00 * m20 + m01 * m21 + m02 * m22;
  out[o + 3] = m10 * m10 + m11 * m11 + m12 * m12;
  out[o + 4] = m10 * m20 + m11 * m21 + m12 * m22;
  out[o + 5] = m20 * m20 + m21 * m21 + m22 * m22;
}

/** The 0.3 px² isotropic low-pass 3DGS adds to every projected covariance (a pixel-sized minimum footprint). */
export const LOW_PASS_PX2 = 0.3;

/**
 * EWA splatting (Zwicker et al.; 3DGS): Σ' = J W Σ Wᵀ Jᵀ + 0.3 I.
 *
 * `wc` is the world-to-camera rotation (row-major 3x3), (tx, ty, tz) the mean in camera space
 * (camera looks down -z), fx, fy the focal lengths in pixels; image v grows downwards, so
 * u = cx + fx·x/(-z), v = cy - fy·y/(-z). As in 3DGS the Jacobian is evaluated at x/z, y/z clamped
 * to 1.3× the half field of view (limX = 1.3·W/(2fx)), which keeps splats far outside the view
 * from exploding. Writes [xx, xy, yy] (pixels²) to out[o..o+2].
 */
export function projectCovariance(
  cov: ArrayLike<number>, co: number,
  wc: ArrayLike<number>,
  tx: number, ty: number, tz: number,
  fx: number, fy: number, limX: number, limY: number,
  out: Out, o = 0,
): void {
  const zc = -tz;
  let xr = tx / zc, yr = ty / zc;
  xr = xr < -limX ? -limX : xr > limX ? limX : xr;
  yr = yr < -limY ? -limY : yr > limY ? limY : yr;
  // J = [[fx/zc, 0, fx·x/zc²], [0, -fy/zc, -fy·y/zc²]] with x/zc, y/zc clamped
  const j00 = fx / zc, j02 = (fx * xr) / zc;
  const j11 = -fy / zc, j12 = (-fy * yr) / zc;
  // T = J W (2x3)
  const t00 = j00 * wc[0] + j02 * wc[6], t01 = j00 * wc[1] + j02 * wc[7], t02 = j00 * wc[2] + j02 * wc[8];
  const t10 = j11 * wc[3] + j12 * wc[6], t11 = j11 * wc[4] + j12 * wc[7], t12 = j11 * wc[5] + j12 * wc[8];
  const s00 = cov[co], s01 = cov[co + 1], s02 = cov[co + 2], s11 = cov[co + 3], s12 = cov[co + 4], s22 = cov[co + 5];
  // T Σ
  const a0 = t00 * s00 + t01 * s01 + t02 * s02, a1 = t00 * s01 + t01 * s11 + t02 * s12, a2 = t00 * s02 + t01 * s12 + t02 * s22;
  const b0 = t10 * s00 + t11 * s01 + t12 * s02, b1 = t10 * s01 + t11 * s11 + t12 * s12, b2 = t10 * s02 + t11 * s12 + t12 * s22;
  out[o] = a0 * t00 + a1 * t01 + a2 * t02 + LOW_PASS_PX2;
  out[o + 1] = a0 * t10 + a1 * t11 + a2 * t12;
  out[o + 2] = b0 * t10 + b1 * t11 + b2 * t12 + LOW_PASS_PX2;
}
