/** Camera frusta as line segments (world space), to show where each capture frame was taken. */
import type { Intrinsics } from '../capture/frame';
import { transformPoint } from '../capture/pose';

/**
 * 8 segments (4 from the optical centre to the image corners at `depth` metres along -z, 4 around
 * the image rectangle) = 16 points x 3 floats. Corners use the pixel-edge coordinates 0..W, 0..H
 * with a top-left image origin; camera +y is up, so image v grows towards camera -y.
 */
export function frustumSegments(k: Intrinsics, cameraToWorld: ArrayLike<number>, depth = 0.15): Float32Array {
  if (!(k.fx > 0 && k.fy > 0)) throw new Error(`frustumSegments: focal lengths must be positive (fx=${k.fx}, fy=${k.fy})`);
  if (!(depth > 0)) throw new Error(`frustumSegments: depth must be positive (got ${depth})`);
  const corner = (u: number, v: number) => transformPoint(cameraToWorld, ((u - k.cx) / k.fx) * depth, (-(v - k.cy) / k.fy) * depth, -depth);
  const o = transformPoint(cameraToWorld, 0, 0, 0);
  const c = [corner(0, 0), corner(k.width, 0), corner(k.width, k.height), corner(0, k.height)];
  const pts: number[] = [];
  for (let i = 0; i < 4; i++) pts.push(...o, ...c[i]);
  for (let i = 0; i < 4; i++) pts.push(...c[i], ...c[(i + 1) % 4]);
  return new Float32Array(pts);
}

/** All frames' frusta concatenated (for one LineSegments object). */
export function allFrustumSegments(frames: { intrinsics: Intrinsics; cameraToWorld: ArrayLike<number> }[], depth = 0.15): Float32Array {
  const out = new Float32Array(frames.length * 48);
  frames.forEach((f, i) => out.set(frustumSegments(f.intrinsics, f.cameraToWorld, depth), i * 48));
  return out;
}
