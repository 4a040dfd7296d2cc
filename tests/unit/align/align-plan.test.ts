/**
 * Plan registration: synthetic rooms with known poses, then the real case: the living_room sample's
 * Gaussians (built from the shipped capture, whose world frame IS the room's frame) against the room's
 * own WebXR-style data (@iwer/sem living_room planes and global mesh), from deliberately wrong starts.
 */
import { describe, expect, it, beforeAll } from 'vitest';
import { nodeFolderFiles } from '../../../lib/capture/node-files';
import { buildSceneFromBundle } from '../../../lib/web/scene-build';
import { alignPlan, alignmentError } from '../../../lib/align/align-plan';
import { planFromPositions, planFromSurfaces } from '../../../lib/align/plan-points';
import { composePose2D, invertPose2D, pose2DFromMatrix4, pose2DToMatrix4, transformPlan, wrapAngle, type Pose2D } from '../../../lib/align/pose-2d';
import { NearestGrid } from '../../../lib/align/nearest-grid';
import { roomEntities } from '../view/room-entities';

const DEG = Math.PI / 180;

/** An L-shaped room outline with a "sofa" block: no rotational symmetry. */
function lRoom(step = 0.05): Float32Array {
  const pts: number[] = [];
  const seg = (ax: number, az: number, bx: number, bz: number) => {
    const n = Math.ceil(Math.hypot(bx - ax, bz - az) / step);
    for (let k = 0; k < n; k++) pts.push(ax + ((bx - ax) * k) / n, az + ((bz - az) * k) / n);
  };
  const poly = [[0, 0], [5, 0], [5, 3], [2.5, 3], [2.5, 4.5], [0, 4.5]];
  for (let i = 0; i < poly.length; i++) seg(poly[i][0], poly[i][1], poly[(i + 1) % poly.length][0], poly[(i + 1) % poly.length][1]);
  const sofa = [[0.5, 0.5], [2.5, 0.5], [2.5, 1.4], [0.5, 1.4]];
  for (let i = 0; i < 4; i++) seg(sofa[i][0], sofa[i][1], sofa[(i + 1) % 4][0], sofa[(i + 1) % 4][1]);
  return new Float32Array(pts);
}

describe('pose-2d', () => {
  it('compose / invert / matrix round trips', () => {
    const a: Pose2D = { x: 1, z: -2, yaw: 0.7 }, b: Pose2D = { x: -0.3, z: 0.5, yaw: -2.9 };
    const id = composePose2D(a, invertPose2D(a));
    expect(Math.hypot(id.x, id.z)).toBeLessThan(1e-12);
    expect(Math.abs(id.yaw)).toBeLessThan(1e-12);
    const p = new Float32Array([0.4, 1.1]);
    const viaTwo = transformPlan(a, transformPlan(b, p));
    const viaOne = transformPlan(composePose2D(a, b), p);
    expect(Math.hypot(viaTwo[0] - viaOne[0], viaTwo[1] - viaOne[1])).toBeLessThan(1e-5);
    const back = pose2DFromMatrix4(pose2DToMatrix4(b));
    expect(back.x).toBeCloseTo(b.x, 12);
    expect(wrapAngle(back.yaw - b.yaw)).toBeCloseTo(0, 12);
    // three.js convention: yaw +90 deg takes +x to -z.
    const q = transformPlan({ x: 0, z: 0, yaw: Math.PI / 2 }, new Float32Array([1, 0]));
    expect(q[0]).toBeCloseTo(0, 6);
    expect(q[1]).toBeCloseTo(-1, 6);
  });
});

describe('NearestGrid', () => {
  it('finds the nearest target within a cell', () => {
    const t = new Float32Array([0, 0, 1, 0, 0, 1]);
    const g = new NearestGrid(t, 0.01, 0.5);
    expect(g.nearestAt(0.9, 0.05)).toBe(1);
    expect(g.nearestAt(0.1, 0.8)).toBe(2);
    expect(g.nearestAt(0.5, 0.5)).toBe(-1); // 0.707 m from all: beyond the radius
    expect(() => new NearestGrid(new Float32Array(0))).toThrow(/xz pairs/);
  });
});

describe('alignPlan on a synthetic L-shaped room', () => {
  const room = lRoom();
  for (const truth of [{ x: 0.7, z: -0.4, yaw: 35 * DEG }, { x: -1.1, z: 0.3, yaw: -150 * DEG }]) {
    it(`recovers x ${truth.x}, z ${truth.z}, yaw ${(truth.yaw / DEG).toFixed(0)} deg from identity`, () => {
      // Scene = room seen through truth^-1 (so truth maps scene -> room), with noise, missing the last tenth.
      const scene = transformPlan(invertPose2D(truth), room).subarray(0, Math.floor(room.length * 0.45) * 2);
      let s = 1;
      const rnd = () => ((s = (s * 16807) % 2147483647) / 2147483647 - 0.5) * 0.02;
      const noisy = scene.map((v) => v + rnd());
      const r = alignPlan(noisy, room, { initial: { x: 0, z: 0, yaw: 0 } });
      const err = alignmentError(r.pose, truth);
      expect(err.metres).toBeLessThan(0.02);
      expect(err.degrees).toBeLessThan(0.5);
      expect(r.residualCm).toBeLessThan(2);
      expect(r.correction.degrees).toBeGreaterThan(30);
    });
  }
  it('refuses empty plans with a clear message', () => {
    expect(() => alignPlan(new Float32Array(0), room)).toThrow(/scene plan/);
    expect(() => alignPlan(room, new Float32Array(2))).toThrow(/room plan/);
  });
});

describe('alignPlan: living_room sample scene vs the emulated Quest room data', () => {
  let scenePlan: Float32Array;
  let roomPlan: Float32Array;
  beforeAll(async () => {
    const built = await buildSceneFromBundle(nodeFolderFiles('public/samples/living_room'), { maxGaussians: 60_000 });
    scenePlan = planFromPositions(built.gaussians.positions, built.gaussians.count);
    roomPlan = planFromSurfaces(roomEntities('living_room'));
  }, 60_000);

  const starts: Pose2D[] = [
    { x: 0.8, z: -0.5, yaw: 40 * DEG },
    { x: -0.6, z: 0.9, yaw: -120 * DEG },
    { x: 1.2, z: 0.4, yaw: 170 * DEG },
  ];
  for (const start of starts) {
    it(`from a wrong start (x ${start.x}, z ${start.z}, yaw ${(start.yaw / DEG).toFixed(0)} deg) finds the true pose within 5 cm and 2 deg`, () => {
      // The user placed the scene at `start` (scene -> room); the truth is the identity.
      const r = alignPlan(scenePlan, roomPlan, { initial: start });
      const err = alignmentError(r.pose, { x: 0, z: 0, yaw: 0 });
      expect(err.metres).toBeLessThan(0.05);
      expect(err.degrees).toBeLessThan(2);
      expect(r.residualCm).toBeLessThan(5);
      expect(r.inlierFraction).toBeGreaterThan(0.5);
      expect(r.correction.degrees).toBeGreaterThan(30);
    });
  }
});

describe('poseAt', () => {
  it('puts the given scene point on the target', async () => {
    const { poseAt } = await import('../../../lib/align/pose-2d');
    const p = poseAt(1, 2, -0.5, 0.7, 0.9);
    const q = transformPlan(p, new Float32Array([1, 2]));
    expect(q[0]).toBeCloseTo(-0.5, 5);
    expect(q[1]).toBeCloseTo(0.7, 5);
    expect(p.yaw).toBe(0.9);
    expect(() => poseAt(NaN, 0, 0, 0, 0)).toThrow(/finite/);
  });
});
