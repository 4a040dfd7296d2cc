/** Where to put the orbit camera to look through a capture frame (its pose and field of view). */
import type { FrameSummary } from './scene-build';

export interface CameraHome {
  position: [number, number, number];
  /** Orbit target: a point straight ahead of the camera at the frame's typical depth. */
  target: [number, number, number];
  up: [number, number, number];
  /** Vertical field of view in degrees (three.js PerspectiveCamera.fov). */
  fovYDeg: number;
}

export function cameraHomeFromFrame(f: Pick<FrameSummary, 'cameraToWorld' | 'intrinsics' | 'depth'>): CameraHome {
  const m = f.cameraToWorld;
  if (!m || m.length !== 16) throw new Error('cameraHomeFromFrame: cameraToWorld must have 16 numbers');
  const k = f.intrinsics;
  if (!(k.fy > 0 && k.height > 0)) throw new Error(`cameraHomeFromFrame: bad intrinsics fy=${k.fy} height=${k.height}`);
  const dist = f.depth && f.depth.max > 0 ? (f.depth.min + f.depth.max) / 2 : 2;
  const position: [number, number, number] = [m[12], m[13], m[14]];
  // Camera looks down its -z axis: forward = -(third column); up = second column.
  const target: [number, number, number] = [m[12] - m[8] * dist, m[13] - m[9] * dist, m[14] - m[10] * dist];
  const up: [number, number, number] = [m[4], m[5], m[6]];
  const fovYDeg = (2 * Math.atan(k.height / 2 / k.fy) * 180) / Math.PI;
  return { position, target, up, fovYDeg };
}

/**
 * For a scene without capture frames (an opened .ply/.glb): stand back from the box's centre along
 * +z and a little above, far enough to see the whole box with a 60° field of view.
 */
export function cameraHomeFromBounds(b: { min: [number, number, number]; max: [number, number, number] }): CameraHome {
  const c: [number, number, number] = [0, 1, 2].map((k) => (b.min[k] + b.max[k]) / 2) as [number, number, number];
  const extent = Math.max(1e-3, ...[0, 1, 2].map((k) => b.max[k] - b.min[k]));
  if (!c.every(Number.isFinite) || !Number.isFinite(extent)) throw new Error('cameraHomeFromBounds: bounds are not finite');
  const d = extent * 1.2;
  return { position: [c[0], c[1] + d * 0.3, c[2] + d], target: c, up: [0, 1, 0], fovYDeg: 60 };
}
