/**
 * Renders a synthetic posed capture of a scanned room: frames (RGB + metric depth, like a phone
 * with a depth sensor) and, kept apart, the ground truth an evaluation needs (per-frame instance
 * id maps and the objects table). The frames alone are what the product would see.
 */
import type { Frame, Intrinsics } from '../capture/frame';
import { roomAlbedo } from './appearance';
import { rasterize, type RasterScene } from './rasterizer';
import type { RoomObject, RoomScene } from './room';
import { walkTrajectory } from './trajectory';

export interface RenderCaptureOptions {
  seed: number;
  views: number;
  width: number;
  height: number;
  /** Horizontal field of view in degrees (default 65, a phone main camera). */
  hfovDeg?: number;
  /** Milliseconds between keyframes (default 400: 0.2 m steps at a slow walk). */
  frameIntervalMs?: number;
  /** Called after each rendered frame. */
  onProgress?: (done: number, total: number) => void;
}

/** One object of the ground truth, JSON-ready (metres, world frame). */
export interface GroundTruthObject {
  id: number;
  label: string;
  uuid: string;
  source: 'box' | 'plane';
  box: { center: number[]; size: number[]; quaternion: number[] };
  aabb: { min: number[]; max: number[] };
  /** Triangles of the scan carrying this id (0: the object is labelled but not in the mesh). */
  triangles: number;
}

export interface GroundTruthFrame {
  id: string;
  width: number;
  height: number;
  /** Instance id per pixel (GroundTruthObject.id, 0 = structure / unlabelled / nothing). */
  instance: Uint16Array;
  /** Object ids visible in this frame with their pixel counts. */
  visible: { id: number; pixels: number }[];
}

export interface SampleGroundTruth {
  objects: GroundTruthObject[];
  frames: GroundTruthFrame[];
}

export interface RenderedCapture {
  frames: Frame[];
  groundTruth: SampleGroundTruth;
}

const round6 = (v: number) => Math.round(v * 1e6) / 1e6;

export function groundTruthObjects(objects: RoomObject[]): GroundTruthObject[] {
  return objects.map((o) => ({
    id: o.id,
    label: o.label,
    uuid: o.uuid,
    source: o.source,
    box: {
      center: o.box.center.map(round6),
      size: o.box.halfSize.map((h) => round6(2 * h)),
      quaternion: o.box.quaternion.map(round6),
    },
    aabb: { min: o.aabbMin.map(round6), max: o.aabbMax.map(round6) },
    triangles: o.triangleCount,
  }));
}

/** Pinhole intrinsics with the principal point at the image centre. */
export function pinholeIntrinsics(width: number, height: number, hfovDeg: number): Intrinsics {
  if (!(hfovDeg > 1 && hfovDeg < 170)) throw new Error(`hfovDeg must be in (1, 170), got ${hfovDeg}`);
  const f = width / 2 / Math.tan((hfovDeg * Math.PI) / 360);
  return { fx: f, fy: f, cx: width / 2, cy: height / 2, width, height };
}

export function renderCapture(room: RoomScene, opts: RenderCaptureOptions): RenderedCapture {
  const { seed, views, width, height } = opts;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 8 || height < 8 || width > 4096 || height > 4096)
    throw new Error(`renderCapture: width and height must be integers 8..4096, got ${width}x${height}`);
  const K = pinholeIntrinsics(width, height, opts.hfovDeg ?? 65);
  const interval = opts.frameIntervalMs ?? 400;
  const traj = walkTrajectory(room, { seed, views });
  const scene: RasterScene = { positions: room.positions, triangleCount: room.triangleCount, objectId: room.objectId, albedo: roomAlbedo(room) };
  const frames: Frame[] = [];
  const gtFrames: GroundTruthFrame[] = [];
  traj.poses.forEach((pose, k) => {
    const out = rasterize(scene, { intrinsics: K, cameraToWorld: pose, near: 0.05 }, { background: [24, 26, 30] });
    const id = `f${String(k).padStart(4, '0')}`;
    const confidence = new Float32Array(width * height);
    for (let p = 0; p < confidence.length; p++) confidence[p] = out.depth[p] > 0 ? 1 : 0;
    frames.push({
      id,
      image: { width, height, data: out.rgb },
      intrinsics: { ...K },
      cameraToWorld: new Float64Array(pose),
      timestamp: k * interval,
      depth: { width, height, data: out.depth, intrinsics: { ...K }, confidence },
    });
    const counts = new Map<number, number>();
    for (let p = 0; p < out.instance.length; p++) if (out.instance[p]) counts.set(out.instance[p], (counts.get(out.instance[p]) ?? 0) + 1);
    gtFrames.push({
      id,
      width,
      height,
      instance: out.instance,
      visible: [...counts.entries()].sort((a, b) => a[0] - b[0]).map(([oid, pixels]) => ({ id: oid, pixels })),
    });
    opts.onProgress?.(k + 1, views);
  });
  return { frames, groundTruth: { objects: groundTruthObjects(room.objects), frames: gtFrames } };
}
