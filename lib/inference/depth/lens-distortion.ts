/**
 * Brown-Conrady (OpenCV / COLMAP OPENCV) lens distortion on normalised image coordinates.
 *
 * Stereo runs on undistorted (pinhole) images because plane homographies only hold for a pinhole camera;
 * depth is then mapped back onto the frame's own (distorted) pixel grid so that it stays pixel-aligned with
 * the RGB image, its masks and its Gaussians.
 *
 * Normalised coordinates here are image-convention (x right, y DOWN), i.e. x = (u - cx) / fx, y = (v - cy) / fy
 * in continuous pixel coordinates; the y-up camera frame only enters when rays are built.
 */
import type { Distortion } from '../../capture/frame';

/** Distorts normalised coordinates; writes into out[0], out[1]. */
export function distortNormalized(d: Distortion, x: number, y: number, out: Float64Array | number[]): void {
  const r2 = x * x + y * y;
  const radial = 1 + r2 * (d.k1 + r2 * (d.k2 + r2 * (d.k3 ?? 0)));
  out[0] = x * radial + 2 * d.p1 * x * y + d.p2 * (r2 + 2 * x * x);
  out[1] = y * radial + d.p1 * (r2 + 2 * y * y) + 2 * d.p2 * x * y;
}

/**
 * Inverse of distortNormalized by fixed-point iteration (converges in a few steps for phone-lens
 * distortion; 20 iterations bound the cost). Writes into out[0], out[1].
 */
export function undistortNormalized(d: Distortion, xd: number, yd: number, out: Float64Array | number[]): void {
  let x = xd;
  let y = yd;
  const k3 = d.k3 ?? 0;
  for (let it = 0; it < 20; it++) {
    const r2 = x * x + y * y;
    const radial = 1 + r2 * (d.k1 + r2 * (d.k2 + r2 * k3));
    const dx = 2 * d.p1 * x * y + d.p2 * (r2 + 2 * x * x);
    const dy = d.p1 * (r2 + 2 * y * y) + 2 * d.p2 * x * y;
    const nx = (xd - dx) / radial;
    const ny = (yd - dy) / radial;
    const step = Math.abs(nx - x) + Math.abs(ny - y);
    x = nx;
    y = ny;
    if (step < 1e-10) break;
  }
  out[0] = x;
  out[1] = y;
}

/** True when a distortion is absent or all of its coefficients are zero. */
export function isIdentityDistortion(d: Distortion | undefined): boolean {
  return !d || (d.k1 === 0 && d.k2 === 0 && d.p1 === 0 && d.p2 === 0 && !d.k3);
}

/** Throws when a distortion has a non-finite coefficient (it would poison every pixel silently). */
export function checkDistortion(d: Distortion | undefined, what: string): void {
  if (!d) return;
  for (const k of ['k1', 'k2', 'p1', 'p2', 'k3'] as const) {
    const v = d[k];
    if (v !== undefined && !Number.isFinite(v)) throw new Error(`${what}: distortion ${k} is not finite (${v})`);
  }
}
