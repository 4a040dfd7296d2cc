import { describe, expect, it } from 'vitest';
import type { Frame } from '../../../lib/capture/frame';
import { assertValidFrame, frameProblems } from '../../../lib/capture/validate-frame';
import { intrinsicsFor, makeFrame } from './helpers';

const good = () => makeFrame('ok', 3, { w: 16, h: 12, depth: true, confidence: true });

function expectProblem(mutate: (f: Frame) => void, pattern: RegExp) {
  const f = good();
  mutate(f);
  const problems = frameProblems(f);
  expect(problems.length).toBeGreaterThan(0);
  expect(problems.join('\n')).toMatch(pattern);
  expect(() => assertValidFrame(f)).toThrow(/invalid frame ok:/);
}

describe('frameProblems', () => {
  it('accepts a good frame (with depth and confidence)', () => {
    expect(frameProblems(good())).toEqual([]);
    expect(() => assertValidFrame(good())).not.toThrow();
  });

  it('non-finite pose', () => expectProblem((f) => (f.cameraToWorld[13] = NaN), /cameraToWorld: pose element 13 is not finite/));
  it('non-rigid pose (scale)', () => expectProblem((f) => (f.cameraToWorld[0] *= 1.5), /not orthonormal/));
  it('reflected pose', () =>
    expectProblem((f) => {
      for (let i = 0; i < 3; i++) f.cameraToWorld[i] = -f.cameraToWorld[i];
    }, /reflection/));
  it('pose with 12 numbers', () => expectProblem((f) => (f.cameraToWorld = new Float64Array(12)), /16 numbers/));
  it('zero focal length', () => expectProblem((f) => (f.intrinsics.fx = 0), /focal length fx must be positive \(0\)/));
  it('negative focal length', () => expectProblem((f) => (f.intrinsics.fy = -500), /focal length fy must be positive \(-500\)/));
  it('non-finite focal length', () => expectProblem((f) => (f.intrinsics.fx = Infinity), /focal length fx is not finite/));
  it('non-finite principal point', () => expectProblem((f) => (f.intrinsics.cy = NaN), /principal point cy is not finite/));
  it('principal point far outside the image', () =>
    expectProblem((f) => (f.intrinsics.cx = 0.5 /* normalised coordinates by mistake */ - 100), /principal point \(-99.5, .*\) is far outside the 16x12 image/));
  it('principal point slightly outside is allowed (crops)', () => {
    const f = good();
    f.intrinsics.cx = -2;
    expect(frameProblems(f)).toEqual([]);
  });
  it('non-finite distortion', () =>
    expectProblem((f) => (f.intrinsics.distortion = { k1: NaN, k2: 0, p1: 0, p2: 0 }), /distortion k1 is not finite/));
  it('image data length != w*h*3', () =>
    expectProblem((f) => (f.image.data = new Uint8Array(16 * 12 * 4)), /image data has 768 bytes, expected 576 \(16x12x3 RGB\)/));
  it('intrinsics for another image size', () =>
    expectProblem((f) => (f.intrinsics = intrinsicsFor(32, 24)), /intrinsics describe a 32x24 image but the image is 16x12/));
  it('non-integer image size', () => expectProblem((f) => (f.image.width = 15.5), /image size 15.5x12/));
  it('non-finite timestamp', () => expectProblem((f) => (f.timestamp = NaN), /timestamp is not finite/));
  it('depth data length != its size', () =>
    expectProblem((f) => (f.depth!.data = new Float32Array(10)), /depth data has 10 values, expected 48 \(8x6\)/));
  it('depth intrinsics size != depth size', () =>
    expectProblem((f) => (f.depth!.intrinsics = intrinsicsFor(16, 12)), /depth intrinsics describe a 16x12 image but the depth map is 8x6/));
  it('bad depth intrinsics', () => expectProblem((f) => (f.depth!.intrinsics.fx = -1), /depth intrinsics focal length fx must be positive/));
  it('confidence length mismatch', () =>
    expectProblem((f) => (f.depth!.confidence = new Float32Array(47)), /depth confidence has 47 values, expected 48/));
  it('depth size not matching the image aspect', () =>
    expectProblem((f) => {
      f.depth = { width: 8, height: 8, data: new Float32Array(64), intrinsics: intrinsicsFor(8, 8) };
    }, /depth size 8x8 does not match the image aspect 16x12/));
  it('depth aspect within one pixel of rounding is allowed', () => {
    const f = makeFrame('r', 1, { w: 1080, h: 1920 });
    // 1080x1920 / 7 = 154.3x274.3: rounding to 154x274 keeps the field of view
    f.depth = { width: 154, height: 274, data: new Float32Array(154 * 274), intrinsics: intrinsicsFor(154, 274) };
    expect(frameProblems(f)).toEqual([]);
  });
  it('reports several problems at once', () => {
    const f = good();
    f.intrinsics.fx = 0;
    f.timestamp = Infinity;
    expect(frameProblems(f).length).toBe(2);
  });
});
