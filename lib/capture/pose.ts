/** Small column-major 4x4 helpers for camera-to-world poses (three.js element order). */

export type Mat4 = Float64Array | Float32Array | number[];

/** Element (row r, column c) of a column-major 4x4. */
export const at = (m: ArrayLike<number>, r: number, c: number): number => m[c * 4 + r];

/** Converts a row-major nested array (transforms.json `transform_matrix`) to column-major. */
export function fromRowMajorRows(rows: number[][]): Float64Array {
  const m = new Float64Array(16);
  for (let r = 0; r < 4; r++) for (let c = 0; c < 4; c++) m[c * 4 + r] = rows[r][c];
  return m;
}

export function multiply(a: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  const out = new Float64Array(16);
  for (let c = 0; c < 4; c++)
    for (let r = 0; r < 4; r++) {
      let s = 0;
      for (let k = 0; k < 4; k++) s += a[k * 4 + r] * b[c * 4 + k];
      out[c * 4 + r] = s;
    }
  return out;
}

/** Inverse of a rigid transform [R t; 0 1] (no general inverse needed for poses). */
export function invertRigid(m: ArrayLike<number>): Float64Array {
  const out = new Float64Array(16);
  for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) out[c * 4 + r] = m[r * 4 + c];
  const tx = m[12], ty = m[13], tz = m[14];
  for (let r = 0; r < 3; r++) out[12 + r] = -(out[r] * tx + out[4 + r] * ty + out[8 + r] * tz);
  out[15] = 1;
  return out;
}

export function transformPoint(m: ArrayLike<number>, x: number, y: number, z: number): [number, number, number] {
  return [
    m[0] * x + m[4] * y + m[8] * z + m[12],
    m[1] * x + m[5] * y + m[9] * z + m[13],
    m[2] * x + m[6] * y + m[10] * z + m[14],
  ];
}

/**
 * Why a pose is unusable, or null when it is a finite rigid transform:
 * orthonormal rotation with det +1 (within tol) and bottom row 0 0 0 1.
 */
export function rigidPoseProblem(m: ArrayLike<number>, tol = 1e-3): string | null {
  if (!m || m.length !== 16) return `pose must have 16 numbers, got ${m ? m.length : 'none'}`;
  for (let i = 0; i < 16; i++) if (!Number.isFinite(m[i])) return `pose element ${i} is not finite (${m[i]})`;
  if (Math.abs(m[3]) > tol || Math.abs(m[7]) > tol || Math.abs(m[11]) > tol || Math.abs(m[15] - 1) > tol)
    return `pose bottom row must be 0 0 0 1, got ${m[3]} ${m[7]} ${m[11]} ${m[15]}`;
  for (let i = 0; i < 3; i++)
    for (let j = 0; j < 3; j++) {
      let d = 0;
      for (let k = 0; k < 3; k++) d += m[i * 4 + k] * m[j * 4 + k];
      const want = i === j ? 1 : 0;
      if (Math.abs(d - want) > tol * 10)
        return `pose rotation is not orthonormal (column ${i}.${j} dot = ${d.toFixed(4)}, scale or shear present)`;
    }
  const det =
    m[0] * (m[5] * m[10] - m[9] * m[6]) - m[4] * (m[1] * m[10] - m[9] * m[2]) + m[8] * (m[1] * m[6] - m[5] * m[2]);
  if (det < 0) return `pose rotation is a reflection (det ${det.toFixed(4)})`;
  return null;
}

/**
 * The nearest rotation to the 3x3 block of `m` (polar decomposition by Newton's iteration
 * R <- (R + R^-T) / 2), translation and bottom row kept. Text pose files carry 7-8 digits, so their
 * rotations are orthonormal to ~1e-4 only; quaternions and inverse-by-transpose need better.
 * Returns null when the block is singular or a reflection (no rotation is near it).
 */
export function orthonormalized(m: ArrayLike<number>): Float64Array | null {
  const out = Float64Array.from(m as ArrayLike<number>);
  // r[c*3 + row]: the 3x3 block, column-major like the 4x4.
  let r = [out[0], out[1], out[2], out[4], out[5], out[6], out[8], out[9], out[10]];
  for (let it = 0; it < 20; it++) {
    const [a, b, c, d, e, f, g, h, i] = r; // columns (a b c), (d e f), (g h i)
    // cRC = cofactor of (row C, column R), so [c00..c22] in order is the cofactor matrix column-major.
    const c00 = e * i - f * h, c01 = f * g - d * i, c02 = d * h - e * g;
    const c10 = c * h - b * i, c11 = a * i - c * g, c12 = b * g - a * h;
    const c20 = b * f - c * e, c21 = c * d - a * f, c22 = a * e - b * d;
    const det = a * c00 + b * c01 + c * c02;
    if (!(det > 1e-9)) return null;
    const invT = [c00, c01, c02, c10, c11, c12, c20, c21, c22].map((v) => v / det); // R^-T = cofactors / det
    const next = r.map((v, k) => 0.5 * (v + invT[k]));
    let delta = 0;
    for (let k = 0; k < 9; k++) delta = Math.max(delta, Math.abs(next[k] - r[k]));
    r = next;
    if (delta < 1e-15) break;
  }
  out[0] = r[0]; out[1] = r[1]; out[2] = r[2];
  out[4] = r[3]; out[5] = r[4]; out[6] = r[5];
  out[8] = r[6]; out[9] = r[7]; out[10] = r[8];
  return out;
}

/**
 * OpenCV camera axes (x right, y down, z forward: COLMAP, 7-Scenes, TUM, ScanNet) -> Frame's OpenGL
 * axes (x right, y up, looking down -z): c2w * diag(1, -1, -1, 1), i.e. the y and z columns negated.
 */
export function openCvToOpenGlCamera(c2w: ArrayLike<number>): Float64Array {
  const out = Float64Array.from(c2w as ArrayLike<number>);
  for (let r = 0; r < 3; r++) {
    out[4 + r] = -out[4 + r];
    out[8 + r] = -out[8 + r];
  }
  return out;
}
