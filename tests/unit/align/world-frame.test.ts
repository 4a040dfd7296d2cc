/**
 * The app world frame (y up, floor at y = 0) found by the one pipeline, one test per source of up:
 * the capture's own up (a rotated copy of the sample room that states its worldUp), the dominant
 * horizontal plane (the same rotated room without it; the real RGB-D kitchen), and the cameras' mean up
 * (the fox: a wall-mounted head, z-up COLMAP, no horizontal plane in sight).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyWorldFrame, findWorldFrame, rotationBetween, transformPose, type Vec3 } from '../../../lib/align/world-frame';
import { readCaptureBundle } from '../../../lib/capture/capture-bundle';
import type { Frame } from '../../../lib/capture/frame';
import { nodeFolderFiles } from '../../../lib/capture/node-files';
import { Reconstruction } from '../../../lib/pipeline/reconstruction';
import { loadCaptureInput } from '../../../scripts/cli/load-capture';

const SHARED = join(__dirname, '../../../../shared/data');
const deg = (a: ArrayLike<number>, b: ArrayLike<number>) => (Math.acos(Math.max(-1, Math.min(1, (a[0] * b[0] + a[1] * b[1] + a[2] * b[2]) / Math.hypot(a[0], a[1], a[2]) / Math.hypot(b[0], b[1], b[2])))) * 180) / Math.PI;
const apply3 = (m: ArrayLike<number>, v: Vec3): Vec3 => [m[0] * v[0] + m[4] * v[1] + m[8] * v[2], m[1] * v[0] + m[5] * v[1] + m[9] * v[2], m[2] * v[0] + m[6] * v[1] + m[10] * v[2]];

/** A rigid transform that tips the world 35° about x and 20° about z, and moves it. */
function tipped(): number[] {
  const a = (35 * Math.PI) / 180, b = (20 * Math.PI) / 180;
  const rx = [1, 0, 0, 0, 0, Math.cos(a), Math.sin(a), 0, 0, -Math.sin(a), Math.cos(a), 0, 0, 0, 0, 1];
  const rz = [Math.cos(b), Math.sin(b), 0, 0, -Math.sin(b), Math.cos(b), 0, 0, 0, 0, 1, 0, 0, 0, 0, 1];
  const m = Array.from(transformPose(rz, rx));
  m[12] = 3;
  m[13] = -2;
  m[14] = 0.5;
  return m;
}

async function sampleRoom(views: number): Promise<Frame[]> {
  const b = await readCaptureBundle(nodeFolderFiles('public/samples/living_room'));
  const step = Math.max(1, Math.floor(b.frames.length / views));
  return b.frames.filter((_f, i) => i % step === 0).slice(0, views);
}

describe('world frame of a reconstruction', () => {
  it('rotationBetween and applyWorldFrame move points and orientations rigidly', () => {
    const r = rotationBetween([0, 0, 1], [0, 1, 0]);
    const m = [r[0], r[1], r[2], 0, r[3], r[4], r[5], 0, r[6], r[7], r[8], 0, 0, -2, 0, 1];
    const g = { count: 1, positions: new Float32Array([1, 2, 3]), rotations: new Float32Array([0, 0, 0, 1]) };
    applyWorldFrame(g, m);
    expect(Array.from(g.positions).map((v) => +v.toFixed(5))).toEqual([1, 3 - 2, -2]);
    // The identity orientation becomes the world rotation itself: its local z axis now points along +y.
    const [x, y, z, w] = g.rotations;
    const zAxis: Vec3 = [2 * (x * z + w * y), 2 * (y * z - w * x), 1 - 2 * (x * x + y * y)];
    expect(deg(zAxis, [0, 1, 0])).toBeLessThan(1e-3);
    expect(() => findWorldFrame(new Float32Array(3), 2, [])).toThrow(/2 points/);
  });

  it("capture's own up: a tipped copy of the sample room that states its worldUp comes back upright, floor at 0", async () => {
    const frames = await sampleRoom(6);
    const T = tipped();
    const moved = frames.map((f) => ({ ...f, cameraToWorld: transformPose(T, f.cameraToWorld) }));
    const rec = new Reconstruction({ maxSize: 80, depth: { prefer: 'device' }, worldUp: apply3(T, [0, 1, 0]) });
    await rec.addFrames(moved);
    await rec.finalize();
    const w = rec.report().world;
    expect(w.upSource).toBe('capture');
    expect(w.floorSource).toBe('plane');
    // Camera heights above the floor are the sample room's own (its floor is y = 0) to a few cm.
    rec.frames.forEach((f, i) => expect(Math.abs(f.cameraToWorld[13] - frames[i].cameraToWorld[13])).toBeLessThan(0.04));
    expect(rec.scene.info?.world?.upSource).toBe('capture');
    expect(rec.scene.info?.cameras).toHaveLength(6);
  });

  it('dominant horizontal plane: the same tipped room without worldUp finds up within 1.5° and the floor within 4 cm', async () => {
    const frames = await sampleRoom(6);
    const T = tipped();
    const moved = frames.map((f) => ({ ...f, cameraToWorld: transformPose(T, f.cameraToWorld) }));
    const rec = new Reconstruction({ maxSize: 80, depth: { prefer: 'device' } });
    await rec.addFrames(moved);
    await rec.finalize();
    const w = rec.report().world;
    expect(w.upSource).toBe('plane');
    expect(w.floorSource).toBe('plane');
    expect(deg(w.up, apply3(T, [0, 1, 0]))).toBeLessThan(1.5);
    rec.frames.forEach((f, i) => {
      expect(Math.abs(f.cameraToWorld[13] - frames[i].cameraToWorld[13])).toBeLessThan(0.04);
      // Each camera's own up axis makes the same angle with world up as in the original room.
      expect(Math.abs(deg([f.cameraToWorld[4], f.cameraToWorld[5], f.cameraToWorld[6]], [0, 1, 0]) - deg([frames[i].cameraToWorld[4], frames[i].cameraToWorld[5], frames[i].cameraToWorld[6]], [0, 1, 0]))).toBeLessThan(1.5);
    });
    // The scene's floor is at y = 0: no more Gaussians below -3 cm than in the sample room as rendered
    // (its own floor is y = 0; depth edges leave a few strays below it).
    const below = (s: { count: number; positions: Float32Array }) => {
      let b = 0;
      for (let i = 0; i < s.count; i++) if (s.positions[3 * i + 1] < -0.03) b++;
      return b / s.count;
    };
    // keepWorld leaves a frame alone and says so.
    const kept = new Reconstruction({ maxSize: 80, depth: { prefer: 'device' }, keepWorld: true });
    await kept.addFrames(frames);
    await kept.finalize();
    expect(kept.report().world.upSource).toBe('none');
    expect(Array.from(kept.frames[0].cameraToWorld)).toEqual(Array.from(frames[0].cameraToWorld));
    expect(below(rec.scene)).toBeLessThan(below(kept.scene) + 0.01);
  });

  it('the real RGB-D kitchen (7-Scenes, not gravity-aligned) ends up with a horizontal floor plane below upright cameras', async () => {
    // Every 5th of the 50 frames, through the product's 7-Scenes importer.
    const cap = await loadCaptureInput(join(SHARED, 'redkitchen'), { views: { kind: 'count', n: 10 } });
    expect(cap.format).toBe('7-scenes');
    const frames = cap.frames;
    const rec = new Reconstruction({ maxSize: 160, depth: { prefer: 'device' } });
    await rec.addFrames(frames);
    await rec.finalize();
    const w = rec.report().world;
    expect(w.upSource).toBe('plane');
    // The capture frame is KinectFusion's arbitrary one: up is far from its +y, so the turn is real.
    expect(deg(w.up, [0, 1, 0])).toBeGreaterThan(10);
    for (const f of rec.frames) {
      // Hand-held at chest height above the floor it found (metric: 7-Scenes depth is in millimetres).
      expect(f.cameraToWorld[13]).toBeGreaterThan(1.0);
      expect(f.cameraToWorld[13]).toBeLessThan(2.0);
      expect(deg([f.cameraToWorld[4], f.cameraToWorld[5], f.cameraToWorld[6]], [0, 1, 0])).toBeLessThan(40); // held roughly upright
    }
  }, 60_000);

  it("cameras' mean up: the fox (z-up COLMAP, a head on a wall: no horizontal plane) turns z to y, floor below every camera", async () => {
    const cap = await loadCaptureInput(join(SHARED, 'fox/transforms.json'), { views: { kind: 'count', n: 6 } });
    const rec = new Reconstruction({ maxSize: 160, depth: { prefer: 'stereo' } });
    await rec.addFrames(cap.frames);
    await rec.finalize();
    const w = rec.report().world;
    expect(w.upSource).toBe('cameras');
    expect(w.floorSource).toBe('below-cameras');
    expect(deg(w.up, [0, 0, 1])).toBeLessThan(10);
    for (const f of rec.frames) expect(f.cameraToWorld[13]).toBeGreaterThan(0);
    expect(rec.report().working).toEqual({ width: 90, height: 160 });
  }, 60_000);
});
