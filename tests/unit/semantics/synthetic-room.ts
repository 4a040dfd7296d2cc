/**
 * A tiny ray-cast room for end-to-end semantics tests: axis-aligned boxes with flat colours, posed
 * pinhole cameras (camera looks down -z, y up, column-major camera-to-world), metric depth and a
 * ground-truth instance map per view.
 */
import type { Frame } from '../../../lib/capture/frame';
import type { MaskGenerator, MaskInput, MaskSet } from '../../../lib/inference/masks/mask-generator';
import { maskSetFromLabels } from '../../../lib/inference/masks/mask-generator';
import { GaussianScene } from '../../../lib/splat/gaussian-scene';

export interface RoomObject {
  id: number;
  label: string;
  min: [number, number, number];
  max: [number, number, number];
  rgb: [number, number, number];
}

export const ROOM: RoomObject[] = [
  { id: 1, label: 'wall', min: [-6, -1, -5.1], max: [6, 5, -5], rgb: [170, 170, 180] },
  { id: 2, label: 'floor', min: [-6, -0.1, -5.1], max: [6, 0, 1], rgb: [120, 90, 60] },
  { id: 3, label: 'couch', min: [-1.6, 0, -3.2], max: [-0.2, 0.8, -2.4], rgb: [200, 40, 40] },
  { id: 4, label: 'lamp', min: [0.7, 0, -3.4], max: [1.0, 1.4, -3.1], rgb: [230, 210, 60] },
  { id: 5, label: 'lamp', min: [2.2, 0, -3.4], max: [2.5, 1.4, -3.1], rgb: [230, 210, 60] },
];

export interface RoomView {
  frame: Frame;
  /** Ground-truth object id per pixel (0 = nothing hit). */
  gt: Int32Array;
}

export function renderRoom(position: [number, number, number], yaw: number, W = 64, H = 48, objects = ROOM): RoomView {
  const f = W * 0.7;
  const intr = { fx: f, fy: f, cx: W / 2, cy: H / 2, width: W, height: H };
  const c = Math.cos(yaw), s = Math.sin(yaw);
  // Rotation about +y by yaw; columns = camera axes in world.
  const m = new Float64Array([c, 0, -s, 0, 0, 1, 0, 0, s, 0, c, 0, position[0], position[1], position[2], 1]);
  const data = new Uint8Array(W * H * 3);
  const depth = new Float32Array(W * H);
  const gt = new Int32Array(W * H);
  for (let v = 0; v < H; v++)
    for (let u = 0; u < W; u++) {
      const dc = [(u + 0.5 - intr.cx) / f, -(v + 0.5 - intr.cy) / f, -1];
      const d = [m[0] * dc[0] + m[4] * dc[1] + m[8] * dc[2], m[1] * dc[0] + m[5] * dc[1] + m[9] * dc[2], m[2] * dc[0] + m[6] * dc[1] + m[10] * dc[2]];
      let best = Infinity;
      let hit: RoomObject | null = null;
      for (const o of objects) {
        let t0 = 0, t1 = Infinity;
        for (let a = 0; a < 3; a++) {
          if (Math.abs(d[a]) < 1e-12) {
            if (position[a] < o.min[a] || position[a] > o.max[a]) t0 = Infinity;
            continue;
          }
          const ta = (o.min[a] - position[a]) / d[a], tb = (o.max[a] - position[a]) / d[a];
          t0 = Math.max(t0, Math.min(ta, tb));
          t1 = Math.min(t1, Math.max(ta, tb));
        }
        if (t0 <= t1 && t0 > 0 && t0 < best) [best, hit] = [t0, o];
      }
      if (!hit) continue;
      const p = v * W + u;
      depth[p] = best; // dc has z = -1, so the ray parameter is the depth along -z
      gt[p] = hit.id;
      data.set(hit.rgb, p * 3);
    }
  const frame: Frame = {
    id: `view@${position.join(',')}`,
    image: { width: W, height: H, data },
    intrinsics: intr,
    cameraToWorld: m,
    timestamp: 0,
    depth: { width: W, height: H, data: depth, intrinsics: intr },
  };
  return { frame, gt };
}

/** Ground-truth masks: one mask per object id present in the view. */
export class GroundTruthMasks implements MaskGenerator {
  readonly id = 'gt-masks';
  constructor(private readonly byImage: Map<unknown, Int32Array>) {}
  async generate(input: MaskInput): Promise<MaskSet> {
    const gt = this.byImage.get(input.image);
    if (!gt) throw new Error('no ground truth for this image');
    const ids = [...new Set(gt)].filter((x) => x > 0).sort((a, b) => a - b);
    const remap = new Map(ids.map((id, i) => [id, i + 1]));
    const labels = Int32Array.from(gt, (x) => remap.get(x) ?? 0);
    return maskSetFromLabels(labels, input.image.width, input.image.height, ids.length);
  }
}

/** One Gaussian per pixel with depth, at its back-projected point (what pixel-aligned geometry gives). */
export function gaussiansFromViews(views: RoomView[], bankDim: number): GaussianScene {
  const scene = new GaussianScene({ bankDim });
  views.forEach((rv, vi) => {
    const { frame } = rv;
    const { width: W, height: H } = frame.image;
    const k = frame.intrinsics;
    const m = frame.cameraToWorld;
    for (let v = 0; v < H; v++)
      for (let u = 0; u < W; u++) {
        const z = frame.depth!.data[v * W + u];
        if (!(z > 0)) continue;
        const xc = ((u + 0.5 - k.cx) / k.fx) * z, yc = -((v + 0.5 - k.cy) / k.fy) * z, zc = -z;
        const g = scene.allocate(1);
        scene.positions[g * 3] = m[0] * xc + m[4] * yc + m[8] * zc + m[12];
        scene.positions[g * 3 + 1] = m[1] * xc + m[5] * yc + m[9] * zc + m[13];
        scene.positions[g * 3 + 2] = m[2] * xc + m[6] * yc + m[10] * zc + m[14];
        scene.sourceView[g] = vi;
        scene.sourcePixel[g] = v * W + u;
      }
  });
  return scene;
}
