/**
 * The gesture mapping: a select (trigger / pinch) released without moving is a tap (place) and moves
 * nothing; a select that moves past the threshold drags the scene by the whole motion and never
 * places; squeeze holds at once; a pinch while another hand holds joins as the second hand (turn);
 * sources that vanish cancel their select; frame rate does not matter.
 */
import { describe, expect, it } from 'vitest';
import { PlacementManipulation, type GripPose } from '../../../lib/align/manipulation';
import { PlacementGestures, type GestureSource } from '../../../lib/align/placement-gestures';
import { wrapAngle, type Pose2D } from '../../../lib/align/pose-2d';

const DEG = Math.PI / 180;
const grip = (x: number, z: number, yawDeg = 0, y = 1.2): GripPose => ({ x, y, z, yaw: yawDeg * DEG });
const src = (id: string, g: GripPose | null, select = false, squeeze = false): GestureSource => ({ id, select, squeeze, grip: g });

function expectPose(a: Pose2D, b: Pose2D, tol = 1e-9) {
  expect(Math.abs(a.x - b.x)).toBeLessThan(tol);
  expect(Math.abs(a.z - b.z)).toBeLessThan(tol);
  expect(Math.abs(wrapAngle(a.yaw - b.yaw))).toBeLessThan(tol);
}

const START = { x: 0.5, z: -1, yaw: 20 * DEG };

describe('PlacementGestures: tap or drag', () => {
  it('a pinch released without moving is a tap: nothing moves, one tap', () => {
    const m = new PlacementManipulation(START);
    const g = new PlacementGestures();
    expect(g.step(m, [src('right', grip(0.2, -0.4))])).toEqual([]);
    expect(g.step(m, [src('right', grip(0.2, -0.4), true)])).toEqual([]);
    expect(g.pending('right')).toBe(true);
    // Hand jitter under the threshold (2 cm, 10°) while pinching, however many frames.
    for (let i = 0; i < 50; i++) expect(g.step(m, [src('right', grip(0.2 + 0.02 * Math.sin(i), -0.4, 10 * Math.cos(i)), true)])).toEqual([]);
    expect(m.active).toBe(false);
    expect(g.step(m, [src('right', grip(0.21, -0.4))])).toEqual(['right']);
    expectPose(m.pose, START);
    expect(g.pending('right')).toBe(false);
  });

  it('a pinch that moves drags the scene by the whole motion and never taps', () => {
    const m = new PlacementManipulation(START);
    const g = new PlacementGestures();
    g.step(m, [src('left', grip(0, 0), true)]);
    g.step(m, [src('left', grip(0.01, 0), true)]);
    expect(m.active).toBe(false);
    g.step(m, [src('left', grip(0.05, 0.02), true)]);
    expect(m.active).toBe(true);
    expectPose(m.pose, { ...START, x: START.x + 0.05, z: START.z + 0.02 });
    g.step(m, [src('left', grip(0.4, -0.3), true)]);
    // Coming back under the threshold from the start is still a drag.
    g.step(m, [src('left', grip(0.005, 0), true)]);
    g.step(m, [src('left', grip(0.3, 0.25), true)]);
    expect(g.step(m, [src('left', grip(0.9, 0.9))])).toEqual([]);
    expect(m.active).toBe(false);
    expectPose(m.pose, { ...START, x: START.x + 0.3, z: START.z + 0.25 });
  });

  it('a wrist twist past the threshold is a drag that turns', () => {
    const m = new PlacementManipulation(START);
    const g = new PlacementGestures({ dragDegrees: 15 });
    g.step(m, [src('right', grip(0.3, 0.3, 170), true)]);
    g.step(m, [src('right', grip(0.3, 0.3, -170), true)]); // 20° across the seam
    expect(m.active).toBe(true);
    expect(wrapAngle(m.pose.yaw - START.yaw) / DEG).toBeCloseTo(20, 9);
    expect(g.step(m, [src('right', grip(0.3, 0.3, -170))])).toEqual([]);
  });

  it('height alone is not motion (the scene never changes height)', () => {
    const m = new PlacementManipulation(START);
    const g = new PlacementGestures();
    g.step(m, [src('right', grip(0, 0, 0, 1.0), true)]);
    g.step(m, [src('right', grip(0, 0, 0, 1.5), true)]);
    expect(g.step(m, [src('right', grip(0, 0, 0, 1.5))])).toEqual(['right']);
  });

  it('a tap does not depend on how many frames it took (one frame or many)', () => {
    const m = new PlacementManipulation(START);
    const g = new PlacementGestures();
    g.step(m, [src('right', grip(0, 0), true)]);
    expect(g.step(m, [src('right', grip(0, 0))])).toEqual(['right']);
  });
});

describe('PlacementGestures: squeeze and two hands', () => {
  it('squeeze holds at once (no threshold) and a trigger pulled while squeezing never places', () => {
    const m = new PlacementManipulation(START);
    const g = new PlacementGestures();
    g.step(m, [src('right', grip(0, 0), false, true)]);
    expect(m.grips).toBe(1);
    g.step(m, [src('right', grip(0.01, 0), false, true)]);
    expectPose(m.pose, { ...START, x: START.x + 0.01 });
    g.step(m, [src('right', grip(0.01, 0), true, true)]);
    expect(g.step(m, [src('right', grip(0.01, 0), false, true)])).toEqual([]);
    g.step(m, [src('right', grip(0.01, 0))]);
    expect(m.active).toBe(false);
  });

  it('a pinch with the other hand while one hand drags joins as the second hand: the vector between them turns', () => {
    const m = new PlacementManipulation({ x: 0, z: 0, yaw: 0 });
    const g = new PlacementGestures();
    g.step(m, [src('left', grip(-0.3, 0), true), src('right', grip(0.3, 0))]);
    g.step(m, [src('left', grip(-0.3, 0.1), true), src('right', grip(0.3, 0))]);
    expect(m.grips).toBe(1);
    const before = m.pose;
    // The right hand pinches while the left holds: no tap, and both hold now.
    g.step(m, [src('left', grip(-0.3, 0.1), true), src('right', grip(0.3, 0.1), true)]);
    expect(m.grips).toBe(2);
    // Swing the right hand 30° back around the left: clockwise from above, yaw -30°.
    const r = [-0.3 + 0.6 * Math.cos(30 * DEG), 0.1 + 0.6 * Math.sin(30 * DEG)];
    g.step(m, [src('left', grip(-0.3, 0.1), true), src('right', grip(r[0], r[1]), true)]);
    expect(wrapAngle(m.pose.yaw - before.yaw) / DEG).toBeCloseTo(-30, 9);
    expect(g.step(m, [src('left', grip(-0.3, 0.1), true), src('right', grip(r[0], r[1]))])).toEqual([]);
    expect(g.step(m, [src('left', grip(-0.3, 0.1)), src('right', grip(r[0], r[1]))])).toEqual([]);
    expect(m.active).toBe(false);
  });

  it('both hands pinching still: two taps (one placement by the caller); one moves: both hold', () => {
    const m = new PlacementManipulation(START);
    const g = new PlacementGestures();
    g.step(m, [src('left', grip(-0.3, 0), true), src('right', grip(0.3, 0), true)]);
    expect(g.step(m, [src('left', grip(-0.3, 0)), src('right', grip(0.3, 0))])).toEqual(['left', 'right']);
    g.step(m, [src('left', grip(-0.3, 0), true), src('right', grip(0.3, 0), true)]);
    g.step(m, [src('left', grip(-0.3, 0), true), src('right', grip(0.3, 0.2), true)]);
    expect(m.grips).toBe(2);
    expect(g.step(m, [src('left', grip(-0.3, 0)), src('right', grip(0.3, 0.2))])).toEqual([]);
  });

  it('a source that vanishes mid-select is cancelled (no tap) and ends its grab', () => {
    const m = new PlacementManipulation(START);
    const g = new PlacementGestures();
    g.step(m, [src('left', grip(0, 0), true)]);
    expect(g.step(m, [])).toEqual([]);
    g.step(m, [src('right', grip(0, 0), true)]);
    g.step(m, [src('right', grip(0.2, 0), true)]);
    expect(m.grips).toBe(1);
    expect(g.step(m, [])).toEqual([]);
    expect(m.grips).toBe(0);
    expectPose(m.pose, { ...START, x: START.x + 0.2 });
  });

  it('tracking lost mid-select: the threshold counts from the first tracked grip, a hold stays put', () => {
    const m = new PlacementManipulation(START);
    const g = new PlacementGestures();
    g.step(m, [src('right', null, true)]);
    g.step(m, [src('right', grip(1, 1), true)]);
    g.step(m, [src('right', grip(1.1, 1), true)]);
    expect(m.grips).toBe(1);
    g.step(m, [src('right', null, true)]);
    expect(m.grips).toBe(1);
    expectPose(m.pose, { ...START, x: START.x + 0.1 });
  });

  it('rejects bad options and duplicate ids', () => {
    expect(() => new PlacementGestures({ dragMetres: 0 })).toThrow(/dragMetres/);
    const g = new PlacementGestures();
    expect(() => g.step(new PlacementManipulation(START), [src('a', null), src('a', null)])).toThrow(/listed twice/);
  });
});
