/** Ray-cast synthetic views of textured rectangles: exact depth, colour and pose for splat tests. */
import type { Frame, Intrinsics } from '../../../lib/capture/frame';

export type Vec3 = [number, number, number];

/** Camera-to-world (column-major) for a camera at `eye` looking at `target` (camera looks down -z). */
export function lookAt(eye: Vec3, target: Vec3, up: Vec3 = [0, 1, 0]): Float64Array {
  const z = norm(sub(eye, target));
  const x = norm(cross(up, z));
  const y = cross(z, x);
  return new Float64Array([x[0], x[1], x[2], 0, y[0], y[1], y[2], 0, z[0], z[1], z[2], 0, eye[0], eye[1], eye[2], 1]);
}

export const sub = (a: Vec3, b: Vec3): Vec3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
export const dot = (a: Vec3, b: Vec3) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
export const cross = (a: Vec3, b: Vec3): Vec3 => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
export const norm = (a: Vec3): Vec3 => {
  const l = Math.hypot(a[0], a[1], a[2]);
  return [a[0] / l, a[1] / l, a[2] / l];
};

/** A rectangle: centre, two orthogonal half-extent axes, and a colour function of world position. */
export interface Rect {
  center: Vec3;
  axisU: Vec3;
  axisV: Vec3;
  color: (p: Vec3) => Vec3;
}

export function intrinsics(width: number, height: number, fov = 60): Intrinsics {
  const fx = width / 2 / Math.tan((fov * Math.PI) / 360);
  return { fx, fy: fx, cx: width / 2, cy: height / 2, width, height };
}

/** Smooth colour texture (period ~0.5 m) so re-rendering is well posed. */
export const smoothTexture = (p: Vec3): Vec3 => [
  0.5 + 0.4 * Math.sin(p[0] * 9 + p[2] * 3),
  0.5 + 0.4 * Math.sin(p[1] * 11 + 1),
  0.5 + 0.4 * Math.cos((p[0] + p[1]) * 7 + p[2] * 5),
];

/** Renders depth (z along -z) and colour of the nearest rectangle per pixel centre. */
export function castFrame(id: string, pose: Float64Array, k: Intrinsics, rects: Rect[], opts: { depthScale?: number } = {}): Frame {
  const { width: W, height: H } = k;
  const img = new Uint8Array(W * H * 3);
  const ds = opts.depthScale ?? 1;
  const dW = Math.round(W * ds), dH = Math.round(H * ds);
  const depth = new Float32Array(dW * dH);
  const R = (v: Vec3): Vec3 => [pose[0] * v[0] + pose[4] * v[1] + pose[8] * v[2], pose[1] * v[0] + pose[5] * v[1] + pose[9] * v[2], pose[2] * v[0] + pose[6] * v[1] + pose[10] * v[2]];
  const eye: Vec3 = [pose[12], pose[13], pose[14]];
  const hit = (xc: number, yc: number): { t: number; c: Vec3 } | null => {
    const dir = R([xc, yc, -1]);
    let best: { t: number; c: Vec3 } | null = null;
    for (const r of rects) {
      const n = cross(r.axisU, r.axisV);
      const den = dot(n, dir);
      if (Math.abs(den) < 1e-12) continue;
      const t = dot(n, sub(r.center, eye)) / den;
      if (t <= 0 || (best && t >= best.t)) continue;
      const p: Vec3 = [eye[0] + t * dir[0], eye[1] + t * dir[1], eye[2] + t * dir[2]];
      const q = sub(p, r.center);
      const a = dot(q, r.axisU) / dot(r.axisU, r.axisU), b = dot(q, r.axisV) / dot(r.axisV, r.axisV);
      if (Math.abs(a) > 1 || Math.abs(b) > 1) continue;
      best = { t, c: r.color(p) };
    }
    return best;
  };
  for (let v = 0; v < H; v++)
    for (let u = 0; u < W; u++) {
      const h = hit((u + 0.5 - k.cx) / k.fx, -(v + 0.5 - k.cy) / k.fy);
      const c = h ? h.c : ([0, 0, 0] as Vec3);
      for (let ch = 0; ch < 3; ch++) img[(v * W + u) * 3 + ch] = Math.max(0, Math.min(255, Math.round(c[ch] * 255)));
    }
  const kd: Intrinsics = { fx: k.fx * ds, fy: k.fy * ds, cx: k.cx * ds, cy: k.cy * ds, width: dW, height: dH };
  for (let v = 0; v < dH; v++)
    for (let u = 0; u < dW; u++) {
      const h = hit((u + 0.5 - kd.cx) / kd.fx, -(v + 0.5 - kd.cy) / kd.fy);
      depth[v * dW + u] = h ? h.t : 0;
    }
  return {
    id,
    image: { width: W, height: H, data: img },
    intrinsics: k,
    cameraToWorld: pose,
    timestamp: 0,
    depth: { width: dW, height: dH, data: depth, intrinsics: kd },
  };
}

/** A textured wall 4 m wide, 3 m high, facing +z at z = 0, centred at (0, 1.5, 0). */
export const wall = (color = smoothTexture): Rect => ({ center: [0, 1.5, 0], axisU: [2, 0, 0], axisV: [0, 1.5, 0], color });
