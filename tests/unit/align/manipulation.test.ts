/**
 * Hand manipulation of the placement: a point of the scene held in the hand must stay in the hand
 * (translation and twist), y and tilt never matter, release keeps the pose, thumbstick dead zone and
 * rate, two-hand yaw, and continuing from a pose set from outside (auto-align).
 */
import { describe, expect, it } from 'vitest';
import { applyDeadZone, gripFromMatrix4, manipulationLabel, PlacementManipulation, yawFromMatrix4, type GripPose } from '../../../lib/align/manipulation';
import { invertPose2D, pose2DToMatrix4, transformPlan, wrapAngle, type Pose2D } from '../../../lib/align/pose-2d';

const DEG = Math.PI / 180;
const grip = (x: number, z: number, yawDeg = 0, y = 1.2): GripPose => ({ x, y, z, yaw: yawDeg * DEG });
/** Scene point (local) that is at room (x, z) under pose p. */
// Float32 plans: compare positions to 1e-6 m.
const localOf = (p: Pose2D, x: number, z: number) => transformPlan(invertPose2D(p), new Float32Array([x, z]));
const roomOf = (p: Pose2D, local: Float32Array) => transformPlan(p, local);

function expectPose(a: Pose2D, b: Pose2D, tol = 1e-9) {
  expect(Math.abs(a.x - b.x)).toBeLessThan(tol);
  expect(Math.abs(a.z - b.z)).toBeLessThan(tol);
  expect(Math.abs(wrapAngle(a.yaw - b.yaw))).toBeLessThan(tol);
}

describe('PlacementManipulation: one grab', () => {
  it('translation follows the hand on the floor plane', () => {
    const start = { x: 0.4, z: -1.1, yaw: 30 * DEG };
    const m = new PlacementManipulation(start);
    m.grabStart('right', grip(0.2, -0.5, 10));
    const p = m.grabMove('right', grip(0.9, -0.2, 10, 1.6));
    expectPose(p, { x: start.x + 0.7, z: start.z + 0.3, yaw: start.yaw });
  });

  it('yaw follows the twist and the held point stays in the hand', () => {
    const start = { x: -0.3, z: 0.8, yaw: -20 * DEG };
    const m = new PlacementManipulation(start);
    const held = localOf(start, 1.0, 0.5);
    m.grabStart('left', grip(1.0, 0.5, 170));
    // Move and twist across the ±180° seam: +25°.
    const p = m.grabMove('left', grip(1.4, 0.1, -165));
    expect(wrapAngle(p.yaw - start.yaw) / DEG).toBeCloseTo(25, 9);
    const at = roomOf(p, held);
    expect(at[0]).toBeCloseTo(1.4, 6);
    expect(at[1]).toBeCloseTo(0.1, 6);
  });

  it('hand height never changes the pose (y locked)', () => {
    const start = { x: 1, z: 2, yaw: 0.3 };
    const m = new PlacementManipulation(start);
    m.grabStart('right', grip(0, 0, 0, 0.9));
    expectPose(m.grabMove('right', grip(0, 0, 0, 2.1)), start);
    expect(Object.keys(m.pose).sort()).toEqual(['x', 'yaw', 'z']);
  });

  it('release keeps the pose; moves after release are ignored', () => {
    const m = new PlacementManipulation({ x: 0, z: 0, yaw: 0 });
    m.grabStart('right', grip(0, 0));
    const moved = m.grabMove('right', grip(0.5, 0.25, 12));
    expect(m.active).toBe(true);
    expectPose(m.grabEnd('right'), moved);
    expect(m.active).toBe(false);
    expectPose(m.grabMove('right', grip(3, 3, 90)), moved);
    // A second grab continues from there instead of jumping back.
    m.grabStart('right', grip(5, 5, 40));
    expectPose(m.grabMove('right', grip(5.1, 5, 40)), { ...moved, x: moved.x + 0.1 });
  });
});

describe('PlacementManipulation: two hands', () => {
  it('yaw follows the vector between the hands, translation the midpoint', () => {
    const start = { x: 0.2, z: 0.1, yaw: 0 };
    const m = new PlacementManipulation(start);
    m.grabStart('left', grip(-0.3, 0, 0));
    m.grabStart('right', grip(0.3, 0, 0));
    // Turn the hands' vector by +30° about the midpoint (x' = c x + s z, z' = -s x + c z) and shift by (0.2, -0.1);
    // twist both wrists wildly: wrist yaw must not matter with two hands.
    const c = Math.cos(30 * DEG), s = Math.sin(30 * DEG);
    const p = m.grabMove('left', grip(-0.3 * c + 0.2, 0.3 * s - 0.1, 80));
    const q = m.grabMove('right', grip(0.3 * c + 0.2, -0.3 * s - 0.1, -60));
    expect(p.yaw).not.toBeCloseTo(q.yaw, 3); // the first move alone turned it differently
    expect(q.yaw / DEG).toBeCloseTo(30, 9);
    // The scene point under the old midpoint is under the new midpoint.
    const held = localOf(start, 0, 0);
    const at = roomOf(q, held);
    expect(at[0]).toBeCloseTo(0.2, 6);
    expect(at[1]).toBeCloseTo(-0.1, 6);
  });

  it('releasing one hand continues with the other without a jump', () => {
    const m = new PlacementManipulation({ x: 0, z: 0, yaw: 0 });
    m.grabStart('left', grip(-0.3, 0));
    m.grabStart('right', grip(0.3, 0));
    const two = m.grabMove('right', grip(0.3, 0.2));
    expect(m.grips).toBe(2);
    expectPose(m.grabEnd('left'), two);
    expectPose(m.grabMove('right', grip(0.3, 0.2)), two);
    expectPose(m.grabMove('right', grip(0.4, 0.2)), { ...two, x: two.x + 0.1 });
  });
});

describe('PlacementManipulation: thumbstick', () => {
  it('has a dead zone and turns at the set rate about the pivot', () => {
    const start = { x: 1, z: 1, yaw: 0 };
    const m = new PlacementManipulation(start, { yawRateDeg: 45, deadZone: 0.2 });
    expectPose(m.thumbstick(0.15, -0.19, 1, [1, 1], [0, -1]), start);
    expect(m.active).toBe(false);
    // Full left for 2 s at 45°/s: +90° (left = counter-clockwise from above = +yaw).
    let p = start;
    for (let i = 0; i < 20; i++) p = m.thumbstick(-1, 0, 0.1, [2, 1], [0, -1]);
    expect(m.active).toBe(true);
    expect(p.yaw / DEG).toBeCloseTo(90, 9);
    // The pivot stays put: the scene point that was at (2, 1) is still there.
    const at = roomOf(p, localOf(start, 2, 1));
    expect(at[0]).toBeCloseTo(2, 6);
    expect(at[1]).toBeCloseTo(1, 6);
    m.thumbstick(0, 0, 0.1, [2, 1], [0, -1]);
    expect(m.active).toBe(false);
    expect(applyDeadZone(0.6, 0.2)).toBeCloseTo(0.5, 12);
    expect(applyDeadZone(-1, 0.2)).toBe(-1);
  });

  it('pushes along the view direction and is ignored while grabbing', () => {
    const m = new PlacementManipulation({ x: 0, z: 0, yaw: 0.5 }, { pushRate: 0.5 });
    const p = m.thumbstick(0, -1, 1, [0, 0], [3, 4]); // stick forward, looking along (0.6, 0.8)
    expectPose(p, { x: 0.3, z: 0.4, yaw: 0.5 });
    m.grabStart('right', grip(0, 0));
    expectPose(m.thumbstick(1, 1, 1, [0, 0], [1, 0]), p);
  });
});

describe('PlacementManipulation: outside changes and bad input', () => {
  it('continues from a pose set by auto-align, also mid-grab', () => {
    const m = new PlacementManipulation({ x: 0, z: 0, yaw: 0 });
    const aligned = { x: 0.9, z: -0.4, yaw: 12 * DEG };
    m.setPose(aligned);
    expectPose(m.pose, aligned);
    m.grabStart('right', grip(1, 1));
    m.grabMove('right', grip(1.2, 1));
    const realigned = { x: -0.5, z: 0.5, yaw: -3 * DEG };
    m.setPose(realigned);
    expectPose(m.grabMove('right', grip(1.2, 1.1)), { ...realigned, z: realigned.z + 0.1 });
  });

  it('reads grip yaw from a matrix whatever the tilt, and rejects non-finite input', () => {
    const yawed = pose2DToMatrix4({ x: 0.5, z: -0.2, yaw: 40 * DEG });
    expect(yawFromMatrix4(yawed) / DEG).toBeCloseTo(40, 9);
    // Same yaw, then pitched 80° down about the local x axis (controller pointing at the floor).
    const c = Math.cos(40 * DEG), s = Math.sin(40 * DEG), cp = Math.cos(-80 * DEG), sp = Math.sin(-80 * DEG);
    // R = Ry(40°) Rx(-80°), column-major.
    const ry = [c, 0, -s, 0, 1, 0, s, 0, c];
    const rx = [1, 0, 0, 0, cp, sp, 0, -sp, cp];
    const r = new Array(9).fill(0);
    for (let col = 0; col < 3; col++) for (let row = 0; row < 3; row++) for (let k = 0; k < 3; k++) r[col * 3 + row] += ry[k * 3 + row] * rx[col * 3 + k];
    const m = [r[0], r[1], r[2], 0, r[3], r[4], r[5], 0, r[6], r[7], r[8], 0, 1, 1.3, 2, 1];
    expect(yawFromMatrix4(m) / DEG).toBeCloseTo(40, 9);
    expect(gripFromMatrix4(m)).toMatchObject({ x: 1, y: 1.3, z: 2 });
    expect(() => new PlacementManipulation({ x: NaN, z: 0, yaw: 0 })).toThrow(/finite/);
    const mm = new PlacementManipulation({ x: 0, z: 0, yaw: 0 });
    expect(() => mm.grabStart('right', grip(0, Infinity))).toThrow(/grabStart\(right\).*finite/);
    expect(() => mm.thumbstick(0.5, 0, -1, [0, 0], [0, 1])).toThrow(/dt/);
    expect(() => new PlacementManipulation({ x: 0, z: 0, yaw: 0 }, { deadZone: 1 })).toThrow(/deadZone/);
  });

  it('labels the change across the ±180° seam', () => {
    const text = manipulationLabel({ x: 1.2, z: -0.3, yaw: -170 * DEG }, { x: 0.9, z: 0.1, yaw: 175 * DEG });
    expect(text).toContain('moved 0.50 m');
    expect(text).toContain('turned +15.0°');
    expect(text).toMatch(/^x 1\.20 z -0\.30 m · -170°/);
  });
});
