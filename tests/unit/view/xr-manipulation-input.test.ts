/**
 * Raw WebXR input → placement: plain objects shaped like XRInputSource/XRFrame (no controller models),
 * squeeze by event set or xr-standard grip button, grip space preferred, thumbsticks summed, a vanished
 * source ending its grab; selects (event set or trigger) are taps when still and drags when moved.
 */
import { describe, expect, it } from 'vitest';
import { PlacementManipulation } from '../../../lib/align/manipulation';
import { pose2DToMatrix4, type Pose2D } from '../../../lib/align/pose-2d';
import { XrManipulationInput, type XrInputLike } from '../../../lib/web/view/xr-manipulation-input';

const DEG = Math.PI / 180;

/** A controller whose grip space is posed at (x, y, z) turned `yawDeg`. */
function controller(handedness: string) {
  const grip = { name: `${handedness}-grip` };
  const ray = { name: `${handedness}-ray` };
  const state = { m: pose2DToMatrix4({ x: 0, z: 0, yaw: 0 }), squeeze: false, trigger: false, axes: [0, 0, 0, 0] };
  const src: XrInputLike = {
    handedness,
    gripSpace: grip,
    targetRaySpace: ray,
    get gamepad() {
      return { mapping: 'xr-standard', axes: state.axes, buttons: [{ pressed: state.trigger }, { pressed: state.squeeze }] };
    },
  };
  const at = (x: number, y: number, z: number, yawDeg = 0) => {
    const m = pose2DToMatrix4({ x, z, yaw: yawDeg * DEG });
    m[13] = y;
    state.m = m;
  };
  return { src, grip, ray, state, at };
}

function frameFor(...cs: ReturnType<typeof controller>[]) {
  const asked: unknown[] = [];
  return {
    asked,
    getPose(space: unknown) {
      asked.push(space);
      const c = cs.find((k) => k.grip === space || k.ray === space);
      return c ? { transform: { matrix: c.state.m } } : null;
    },
  };
}

const near = (a: Pose2D, b: Pose2D) => {
  expect(a.x).toBeCloseTo(b.x, 9);
  expect(a.z).toBeCloseTo(b.z, 9);
  expect(a.yaw).toBeCloseTo(b.yaw, 9);
};

describe('XrManipulationInput', () => {
  it('grip button drags the scene with the grip pose; release keeps it', () => {
    const m = new PlacementManipulation({ x: 0, z: 0, yaw: 0 });
    const input = new XrManipulationInput();
    const r = controller('right');
    const frame = frameFor(r);
    r.at(0.1, 1.1, -0.4);
    input.step(m, frame, 'ref', [r.src], 1 / 72, [0, 0], [0, -1]);
    expect(m.active).toBe(false);
    r.state.squeeze = true;
    input.step(m, frame, 'ref', [r.src], 1 / 72, [0, 0], [0, -1]);
    expect(frame.asked.at(-1)).toBe(r.grip);
    r.at(0.5, 1.5, -0.1, 20);
    input.step(m, frame, 'ref', [r.src], 1 / 72, [0, 0], [0, -1]);
    expect(m.pose.yaw / DEG).toBeCloseTo(20, 9);
    const held = m.pose;
    r.state.squeeze = false;
    r.at(2, 1, 2, 90);
    input.step(m, frame, 'ref', [r.src], 1 / 72, [0, 0], [0, -1]);
    expect(m.active).toBe(false);
    near(m.pose, held);
  });

  it('squeeze events count as grabbing; a vanished source ends its grab', () => {
    const m = new PlacementManipulation({ x: 1, z: 1, yaw: 0 });
    const input = new XrManipulationInput();
    const l = controller('left');
    const frame = frameFor(l);
    l.at(0, 1, 0);
    input.squeezing.add(l.src);
    input.step(m, frame, 'ref', [l.src], 0.01, null, [0, -1]);
    l.at(0.3, 1, 0);
    input.step(m, frame, 'ref', [l.src], 0.01, null, [0, -1]);
    near(m.pose, { x: 1.3, z: 1, yaw: 0 });
    expect(m.grips).toBe(1);
    input.step(m, frame, 'ref', [], 0.01, null, [0, -1]);
    expect(m.grips).toBe(0);
    near(m.pose, { x: 1.3, z: 1, yaw: 0 });
  });

  it('two squeezing controllers turn by the vector between them', () => {
    const m = new PlacementManipulation({ x: 0, z: 0, yaw: 0 });
    const input = new XrManipulationInput();
    const l = controller('left'), r = controller('right');
    const frame = frameFor(l, r);
    l.at(-0.3, 1, 0);
    r.at(0.3, 1, 0);
    l.state.squeeze = r.state.squeeze = true;
    input.step(m, frame, 'ref', [l.src, r.src], 0.01, null, [0, -1]);
    // Right hand swings back (+z) around the left: the vector turns clockwise from above (negative yaw).
    r.at(-0.3 + 0.6 * Math.cos(30 * DEG), 1, 0.6 * Math.sin(30 * DEG), 55);
    input.step(m, frame, 'ref', [l.src, r.src], 0.01, null, [0, -1]);
    expect(m.pose.yaw / DEG).toBeCloseTo(-30, 9);
  });

  it('thumbsticks of both controllers are summed, with the dead zone', () => {
    const m = new PlacementManipulation({ x: 0, z: 0, yaw: 0 }, { yawRateDeg: 45, deadZone: 0.2 });
    const input = new XrManipulationInput();
    const l = controller('left'), r = controller('right');
    const frame = frameFor(l, r);
    l.state.axes = [0, 0, -0.1, 0];
    r.state.axes = [0, 0, -0.05, 0];
    input.step(m, frame, 'ref', [l.src, r.src], 0.05, [0, 0], [0, -1]);
    expect(m.pose.yaw).toBe(0);
    l.state.axes = [0, 0, -0.6, 0];
    r.state.axes = [0, 0, -0.6, 0]; // sum clamped to full left
    input.step(m, frame, 'ref', [l.src, r.src], 0.05, [0, 0], [0, -1]);
    expect(m.pose.yaw / DEG).toBeCloseTo(45 * 0.05, 9);
  });

  it('a pinch (select events, hand without an xr-standard gamepad) released still is one tap and moves nothing', () => {
    const m = new PlacementManipulation({ x: 1, z: 2, yaw: 0 });
    const input = new XrManipulationInput();
    const h = controller('right');
    const hand: XrInputLike = { handedness: 'right', gripSpace: h.grip, targetRaySpace: h.ray, gamepad: { mapping: '', axes: [], buttons: [{ pressed: false }] } };
    const frame = frameFor(h);
    h.at(0.2, 1.3, -0.3);
    input.selecting.add(hand);
    expect(input.step(m, frame, 'ref', [hand], 0.01, [0, 0], [0, -1])).toBe(0);
    h.at(0.21, 1.35, -0.3);
    expect(input.step(m, frame, 'ref', [hand], 0.01, [0, 0], [0, -1])).toBe(0);
    input.selecting.delete(hand);
    expect(input.step(m, frame, 'ref', [hand], 0.01, [0, 0], [0, -1])).toBe(1);
    near(m.pose, { x: 1, z: 2, yaw: 0 });
  });

  it('a pinch that moves drags (no tap); the trigger button counts as select', () => {
    const m = new PlacementManipulation({ x: 1, z: 2, yaw: 0 });
    const input = new XrManipulationInput();
    const r = controller('right');
    const frame = frameFor(r);
    r.at(0, 1, 0);
    r.state.trigger = true;
    input.step(m, frame, 'ref', [r.src], 0.01, null, [0, -1]);
    r.at(0.25, 1, -0.1);
    input.step(m, frame, 'ref', [r.src], 0.01, null, [0, -1]);
    near(m.pose, { x: 1.25, z: 1.9, yaw: 0 });
    r.state.trigger = false;
    expect(input.step(m, frame, 'ref', [r.src], 0.01, null, [0, -1])).toBe(0);
    expect(m.active).toBe(false);
    near(m.pose, { x: 1.25, z: 1.9, yaw: 0 });
  });
});
