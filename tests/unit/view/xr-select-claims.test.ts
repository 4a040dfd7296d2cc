/**
 * Selects that start on the in-XR query panel belong to it: the claim is decided once per select from the
 * panel's ray test, and the placement input then neither places (tap) nor drags the scene with it.
 */
import { describe, expect, it } from 'vitest';
import { PlacementManipulation } from '../../../lib/align/manipulation';
import { pose2DToMatrix4 } from '../../../lib/align/pose-2d';
import { XrManipulationInput, type XrInputLike } from '../../../lib/web/view/xr-manipulation-input';
import { XrSelectClaims } from '../../../lib/web/view/xr-select-claims';

describe('XrSelectClaims', () => {
  it('decides at the first held() of a select and keeps that decision until released', () => {
    const c = new XrSelectClaims();
    const a = {}, b = {};
    c.setOver(a, true);
    expect(c.held(a)).toBe(true);
    expect(c.held(b)).toBe(false);
    // The ray leaves the panel mid-select (a key pressed, then the hand drifts): still the panel's.
    c.setOver(a, false);
    expect(c.held(a)).toBe(true);
    expect(c.isClaimed(a)).toBe(true);
    // A select that started off the panel stays unclaimed when the ray comes onto it.
    c.setOver(b, true);
    expect(c.held(b)).toBe(false);
    c.released(a);
    c.released(a);
    expect(c.isClaimed(a)).toBe(false);
    expect(c.held(a)).toBe(false);
    c.released(b);
    expect(c.held(b)).toBe(true);
    c.reset();
    expect(c.isOver(b)).toBe(false);
    expect(c.isClaimed(b)).toBe(false);
  });
});

describe('XrManipulationInput with claims', () => {
  function source() {
    const state = { m: pose2DToMatrix4({ x: 0, z: 0, yaw: 0 }), trigger: false };
    const grip = {}, ray = {};
    const src: XrInputLike = {
      handedness: 'right',
      gripSpace: grip,
      targetRaySpace: ray,
      get gamepad() {
        return { mapping: 'xr-standard', axes: [0, 0, 0, 0], buttons: [{ pressed: state.trigger }, { pressed: false }] };
      },
    };
    const frame = { getPose: (s: unknown) => (s === grip || s === ray ? { transform: { matrix: state.m } } : null) };
    const at = (x: number, z: number) => {
      state.m = pose2DToMatrix4({ x, z, yaw: 0 });
      state.m[13] = 1.2;
    };
    return { src, state, frame, at };
  }

  it('a still select on the panel is no tap; the same select off the panel is one', () => {
    for (const onPanel of [true, false]) {
      const m = new PlacementManipulation({ x: 1, z: 2, yaw: 0 });
      const input = new XrManipulationInput();
      const claims = new XrSelectClaims();
      input.claims = claims;
      const s = source();
      s.at(0.2, -0.3);
      claims.setOver(s.src, onPanel);
      s.state.trigger = true;
      expect(input.step(m, s.frame, 'ref', [s.src], 0.01, null, [0, -1])).toBe(0);
      s.state.trigger = false;
      expect(input.step(m, s.frame, 'ref', [s.src], 0.01, null, [0, -1])).toBe(onPanel ? 0 : 1);
      expect(claims.isClaimed(s.src)).toBe(false); // released with the select
      expect(m.pose).toEqual({ x: 1, z: 2, yaw: 0 });
    }
  });

  it('a claimed select that moves does not drag, even after the ray leaves the panel; the next select off it does', () => {
    const m = new PlacementManipulation({ x: 1, z: 2, yaw: 0 });
    const input = new XrManipulationInput();
    const claims = new XrSelectClaims();
    input.claims = claims;
    const s = source();
    s.at(0, 0);
    claims.setOver(s.src, true);
    // The panel's selectstart handler decides first (as the event comes before the frame callbacks).
    expect(claims.held(s.src)).toBe(true);
    input.selecting.add(s.src);
    input.step(m, s.frame, 'ref', [s.src], 0.01, null, [0, -1]);
    claims.setOver(s.src, false);
    s.at(0.4, -0.3);
    input.step(m, s.frame, 'ref', [s.src], 0.01, null, [0, -1]);
    expect(m.active).toBe(false);
    input.selecting.delete(s.src);
    expect(input.step(m, s.frame, 'ref', [s.src], 0.01, null, [0, -1])).toBe(0);
    expect(m.pose).toEqual({ x: 1, z: 2, yaw: 0 });
    // Off the panel now: a moving select drags as before.
    input.selecting.add(s.src);
    input.step(m, s.frame, 'ref', [s.src], 0.01, null, [0, -1]);
    s.at(0.6, -0.3);
    input.step(m, s.frame, 'ref', [s.src], 0.01, null, [0, -1]);
    expect(m.pose.x).toBeCloseTo(1.2, 9);
    input.selecting.delete(s.src);
    expect(input.step(m, s.frame, 'ref', [s.src], 0.01, null, [0, -1])).toBe(0);
  });
});
