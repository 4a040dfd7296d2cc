import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { rigidPoseProblem } from '../../../lib/capture/pose';
import { rasterizeGeometry } from '../../../lib/sim/rasterizer';
import { loadRoom, type RoomScene } from '../../../lib/sim/room';
import { EYE_HEIGHT, insideFloor, mulberry32, walkTrajectory } from '../../../lib/sim/trajectory';

const semRoom = (name: string) =>
  loadRoom(JSON.parse(readFileSync(new URL(`../../../node_modules/@iwer/sem/captures/${name}.json`, import.meta.url), 'utf8')));

/** Smallest distance from a point to any mesh vertex (brute force). */
function nearestVertex(room: RoomScene, x: number, y: number, z: number): number {
  let best = Infinity;
  const P = room.positions;
  for (let i = 0; i < P.length; i += 3) {
    const d = (P[i] - x) ** 2 + (P[i + 1] - y) ** 2 + (P[i + 2] - z) ** 2;
    if (d < best) best = d;
  }
  return Math.sqrt(best);
}

function angleBetween(a: Float64Array, b: Float64Array): number {
  // Rotation angle of a^T b from its trace.
  let tr = 0;
  for (let i = 0; i < 3; i++) for (let k = 0; k < 3; k++) tr += a[i * 4 + k] * b[i * 4 + k];
  return Math.acos(Math.max(-1, Math.min(1, (tr - 1) / 2)));
}

describe('walkTrajectory', () => {
  const room = semRoom('living_room');
  const traj = walkTrajectory(room, { seed: 1, views: 30 });

  it('walks at eye height, inside the room, away from the scanned surfaces', () => {
    expect(traj.poses).toHaveLength(30);
    for (const m of traj.poses) {
      expect(rigidPoseProblem(m)).toBeNull();
      const [x, y, z] = [m[12], m[13], m[14]];
      expect(Math.abs(y - room.floorY - EYE_HEIGHT)).toBeLessThan(0.06);
      expect(insideFloor(room, x, z, 0.2)).toBe(true);
      expect(x).toBeGreaterThan(room.boundsMin[0]);
      expect(x).toBeLessThan(room.boundsMax[0]);
      expect(z).toBeGreaterThan(room.boundsMin[2]);
      expect(z).toBeLessThan(room.boundsMax[2]);
      expect(nearestVertex(room, x, y, z)).toBeGreaterThan(0.2);
      // Camera up stays roughly up (hand-held, no rolling over).
      expect(m[5]).toBeGreaterThan(0.75);
    }
  });

  it('moves smoothly and looks at surfaces 1..3 m away, at several objects', () => {
    for (let k = 1; k < traj.poses.length; k++) {
      const a = traj.poses[k - 1], b = traj.poses[k];
      const step = Math.hypot(a[12] - b[12], a[13] - b[13], a[14] - b[14]);
      expect(step).toBeGreaterThan(0.02);
      expect(step).toBeLessThan(0.5);
      expect(angleBetween(a, b)).toBeLessThan((30 * Math.PI) / 180);
    }
    const K = { fx: 50, fy: 50, cx: 40, cy: 30, width: 80, height: 60 };
    let inBand = 0;
    for (const pose of traj.poses) {
      const g = rasterizeGeometry(room, { intrinsics: K, cameraToWorld: pose });
      const d = Array.from(g.depth, (v) => (v > 0 ? v : 100)).sort((p, q) => p - q);
      const med = d[d.length >> 1];
      if (med >= 0.9 && med <= 3.3) inBand++;
    }
    expect(inBand / traj.poses.length).toBeGreaterThanOrEqual(0.85);
    expect(new Set(traj.lookAt.filter((id) => id > 0)).size).toBeGreaterThanOrEqual(3);
  });

  it('is deterministic per seed', () => {
    const again = walkTrajectory(room, { seed: 1, views: 30 });
    again.poses.forEach((m, k) => expect(Array.from(m)).toEqual(Array.from(traj.poses[k])));
    const other = walkTrajectory(room, { seed: 2, views: 30 });
    expect(Array.from(other.poses[5])).not.toEqual(Array.from(traj.poses[5]));
    const r1 = mulberry32(42), r2 = mulberry32(42);
    for (let i = 0; i < 5; i++) expect(r1()).toBe(r2());
  });

  it('finds a walk in every @iwer/sem room and rejects bad view counts', () => {
    for (const name of ['music_room', 'office_large', 'meeting_room', 'office_small']) {
      const r = semRoom(name);
      const t = walkTrajectory(r, { seed: 3, views: 20 });
      expect(t.poses).toHaveLength(20);
      for (const m of t.poses) {
        expect(insideFloor(r, m[12], m[14])).toBe(true);
        expect(Math.abs(m[13] - r.floorY - EYE_HEIGHT)).toBeLessThan(0.06);
      }
    }
    expect(() => walkTrajectory(room, { seed: 1, views: 1 })).toThrow(/views/);
    expect(() => walkTrajectory(room, { seed: 1, views: 2.5 })).toThrow(/views/);
  });
});
