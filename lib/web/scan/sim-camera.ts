/**
 * TEST-ONLY camera (?test-camera=sim): the iwer emulator grants no camera-access, so browser tests
 * get their images by rasterizing the same @iwer/sem room the emulator loaded (served from
 * /xr-rooms/<room>.json) at the emulated view's pose and intrinsics with lib/sim. It also returns
 * the rasterizer's depth (standing in for device depth) and instance map (for sim-semantics.ts).
 */
import type { DepthMap, Intrinsics, RgbImage } from '../../capture/frame';
import { roomAlbedo } from '../../sim/appearance';
import { rasterize, type RasterScene } from '../../sim/rasterizer';
import { loadRoom } from '../../sim/room';

export interface SimShot {
  image: RgbImage;
  depth: DepthMap;
  instance: Uint16Array;
}

export interface SimCamera {
  /** Instance id -> Space Setup label (LAMP, COUCH, ...). */
  objects: Record<number, string>;
  shoot(cameraToWorld: ArrayLike<number>, intrinsics: Intrinsics): SimShot;
}

export async function loadSimCamera(room: string): Promise<SimCamera> {
  const res = await fetch(`/xr-rooms/${room}.json`);
  if (!res.ok) throw new Error(`test camera: room ${room} not found (HTTP ${res.status})`);
  const scene = loadRoom(await res.json());
  const raster: RasterScene = { positions: scene.positions, triangleCount: scene.triangleCount, objectId: scene.objectId, albedo: roomAlbedo(scene) };
  return {
    objects: Object.fromEntries(scene.objects.map((o) => [o.id, o.label])),
    shoot(cameraToWorld, intrinsics) {
      const out = rasterize(raster, { intrinsics, cameraToWorld, near: 0.05 }, { background: [24, 26, 30] });
      const confidence = new Float32Array(out.depth.length);
      for (let i = 0; i < confidence.length; i++) confidence[i] = out.depth[i] > 0 ? 1 : 0;
      return {
        image: { width: intrinsics.width, height: intrinsics.height, data: out.rgb },
        depth: { width: intrinsics.width, height: intrinsics.height, data: out.depth, intrinsics: { ...intrinsics }, confidence },
        instance: out.instance,
      };
    },
  };
}
