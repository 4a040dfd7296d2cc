/**
 * Ray-cast synthetic scenes for the depth tests: a textured back wall at z = -wallDepth (world), optionally a
 * textured card (a box's front face) floating in front of it, and a flat untextured patch on the wall.
 * Cameras look down -z with identity rotation unless a yaw is given. Exact depth comes with every image.
 */
import type { Frame, Intrinsics } from '../../../lib/capture/frame';

export interface Scene {
  wallDepth: number;
  /** Card rectangle [x0, x1] x [y0, y1] at z = -cardDepth; none when cardDepth is 0. */
  cardDepth: number;
  card: [number, number, number, number];
  /** Region of the wall (flatFromX < x < flatToX) with constant grey: no texture. */
  flatFromX: number;
  /** End of the flat region (default: none, it runs to the right). */
  flatToX?: number;
}

export const defaultScene: Scene = { wallDepth: 3, cardDepth: 2, card: [-0.35, 0.25, -0.3, 0.3], flatFromX: 0.9 };

/** Smooth value noise with features of about `cell` world units, values 0..1. */
function noise(x: number, y: number, cell: number, seed: number): number {
  const h = (i: number, j: number) => {
    let t = Math.imul(i * 73856093 + seed, 1) ^ Math.imul(j, 19349663);
    t = Math.imul(t ^ (t >>> 13), 1274126177);
    return ((t ^ (t >>> 16)) >>> 0) / 4294967296;
  };
  const gx = x / cell, gy = y / cell;
  const i = Math.floor(gx), j = Math.floor(gy);
  const fx = gx - i, fy = gy - j;
  const sx = fx * fx * (3 - 2 * fx), sy = fy * fy * (3 - 2 * fy);
  const a = h(i, j), b = h(i + 1, j), c = h(i, j + 1), d = h(i + 1, j + 1);
  return (a + (b - a) * sx) * (1 - sy) + (c + (d - c) * sx) * sy;
}

/** Camera-to-world with a position and a yaw (radians, about +y). */
export function pose(x: number, y: number, z: number, yaw = 0): Float64Array {
  const c = Math.cos(yaw), s = Math.sin(yaw);
  // Column-major: columns are the camera axes in world coordinates.
  return Float64Array.from([c, 0, -s, 0, 0, 1, 0, 0, s, 0, c, 0, x, y, z, 1]);
}

export function intrinsics(width: number, height: number, f = 0.9 * width): Intrinsics {
  return { fx: f, fy: f, cx: width / 2, cy: height / 2, width, height };
}

/** Renders the scene into a Frame (RGB from grey texture) and returns the exact depth (-z, camera) too. */
export function renderView(scene: Scene, k: Intrinsics, c2w: Float64Array, id: string): { frame: Frame; depth: Float32Array } {
  const { width: W, height: H } = k;
  const data = new Uint8Array(W * H * 3);
  const depth = new Float32Array(W * H);
  for (let v = 0; v < H; v++)
    for (let u = 0; u < W; u++) {
      // Supersample 2x2 so the image is band-limited like a real camera's.
      let g = 0, dz = 0;
      for (let sy = 0; sy < 2; sy++)
        for (let sx = 0; sx < 2; sx++) {
          const x = (u + 0.25 + 0.5 * sx - k.cx) / k.fx, y = -(v + 0.25 + 0.5 * sy - k.cy) / k.fy;
          // Ray in world coordinates.
          const dx = c2w[0] * x + c2w[4] * y - c2w[8];
          const dy = c2w[1] * x + c2w[5] * y - c2w[9];
          const dzw = c2w[2] * x + c2w[6] * y - c2w[10];
          const ox = c2w[12], oy = c2w[13], oz = c2w[14];
          let t = Infinity, val = 0.5;
          if (scene.cardDepth > 0) {
            const tc = (-scene.cardDepth - oz) / dzw;
            const px = ox + tc * dx, py = oy + tc * dy;
            const [x0, x1, y0, y1] = scene.card;
            if (tc > 0 && px >= x0 && px <= x1 && py >= y0 && py <= y1) {
              t = tc;
              val = 0.15 + 0.7 * noise(px, py, 0.05, 7);
            }
          }
          if (t === Infinity) {
            t = (-scene.wallDepth - oz) / dzw;
            const px = ox + t * dx, py = oy + t * dy;
            val = px > scene.flatFromX && px < (scene.flatToX ?? Infinity) ? 0.55 : 0.1 + 0.8 * noise(px, py, 0.08, 3);
          }
          g += val / 4;
          // Depth along the camera's -z of this sample: t times the ray's -z component in camera space (1).
          dz += t / 4;
        }
      const i = v * W + u;
      data[3 * i] = data[3 * i + 1] = data[3 * i + 2] = Math.round(g * 255);
      depth[i] = dz;
    }
  return { frame: { id, image: { width: W, height: H, data }, intrinsics: k, cameraToWorld: c2w, timestamp: 0 }, depth };
}
