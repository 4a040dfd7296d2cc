import { describe, expect, it } from 'vitest';
import { KeyframeSelector, rotationAngleDeg } from '../../../lib/capture/keyframe-selector';
import { laplacianVariance, RunningMedian, sharpnessScore } from '../../../lib/capture/sharpness';
import { resizeArea, resizeBilinear } from '../../../lib/capture/image-ops';
import { poseYaw, rng } from './helpers';

function texture(w: number, h: number, seed: number) {
  const r = rng(seed);
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const v = ((Math.floor(x / 3) + Math.floor(y / 3)) % 2) * 160 + Math.floor(r() * 60);
      data.fill(v, (y * w + x) * 3, (y * w + x) * 3 + 3);
    }
  return { width: w, height: h, data };
}

/** Defocus stand-in: shrink then enlarge again. */
const blur = (img: ReturnType<typeof texture>, f: number) =>
  resizeBilinear(resizeArea(img, Math.round(img.width / f), Math.round(img.height / f)), img.width, img.height);

describe('sharpness', () => {
  it('Laplacian variance is 0 on flat and linear images and drops with blur', () => {
    const flat = { width: 8, height: 8, data: new Float32Array(64).fill(9) };
    expect(laplacianVariance(flat)).toBe(0);
    const ramp = { width: 8, height: 8, data: new Float32Array(64).map((_, i) => 3 * (i % 8) + 5 * Math.floor(i / 8)) };
    expect(laplacianVariance(ramp)).toBeCloseTo(0, 6);
    const img = texture(640, 480, 1);
    const sharp = sharpnessScore(img);
    const soft = sharpnessScore(blur(img, 4));
    const softer = sharpnessScore(blur(img, 8));
    expect(sharp).toBeGreaterThan(0);
    expect(soft).toBeLessThan(0.5 * sharp);
    expect(softer).toBeLessThan(soft);
    expect(() => laplacianVariance({ width: 2, height: 2, data: new Float32Array(4) })).toThrow(/too small/);
  });

  it('RunningMedian keeps the last `window` values', () => {
    const m = new RunningMedian(3);
    expect(Number.isNaN(m.median())).toBe(true);
    for (const v of [10, 1, 5]) m.push(v);
    expect(m.median()).toBe(5);
    m.push(100); // window now 1, 5, 100
    expect(m.median()).toBe(5);
    m.push(200); // 5, 100, 200
    expect(m.median()).toBe(100);
    const even = new RunningMedian(4);
    [4, 1, 3, 2].forEach((v) => even.push(v));
    expect(even.median()).toBe(2.5);
    expect(() => m.push(NaN)).toThrow(/finite/);
  });
});

describe('KeyframeSelector', () => {
  // 1 s between candidates keeps the speed checks out of the way unless a test wants them.
  const at = (i: number) => i * 1000;

  it('accepts the first frame, then only after >= 0.10 m or >= 10 degrees', () => {
    const s = new KeyframeSelector();
    expect(s.consider({ cameraToWorld: poseYaw(0), timestamp: at(0) })).toMatchObject({ accepted: true, reason: 'first' });
    const near = s.consider({ cameraToWorld: poseYaw(5, 0.05), timestamp: at(1) });
    expect(near).toMatchObject({ accepted: false, reason: 'too-close' });
    expect(near.translation).toBeCloseTo(0.05, 9);
    expect(near.rotationDeg).toBeCloseTo(5, 9);
    expect(s.consider({ cameraToWorld: poseYaw(0, 0.1), timestamp: at(2) })).toMatchObject({ accepted: true, reason: 'moved' });
    // distances count from the last *accepted* keyframe (x = 0.1), not from the rejected one
    expect(s.consider({ cameraToWorld: poseYaw(9.9, 0.1), timestamp: at(3) }).reason).toBe('too-close');
    expect(s.consider({ cameraToWorld: poseYaw(10.01, 0.1), timestamp: at(4) })).toMatchObject({ accepted: true, reason: 'turned' });
    expect(s.keyframeCount).toBe(3);
    expect(Array.from(s.lastKeyframePose!)).toEqual(Array.from(poseYaw(10.01, 0.1)));
  });

  it('rejects limited tracking (emulatedPosition) and unusable poses', () => {
    const s = new KeyframeSelector();
    const d = s.consider({ cameraToWorld: poseYaw(0), timestamp: 0, emulatedPosition: true });
    expect(d).toMatchObject({ accepted: false, reason: 'tracking-limited' });
    const nan = poseYaw(0);
    nan[12] = NaN;
    expect(s.consider({ cameraToWorld: nan, timestamp: 1 })).toMatchObject({ accepted: false, reason: 'tracking-limited' });
    expect(s.keyframeCount).toBe(0);
    expect(s.consider({ cameraToWorld: poseYaw(0), timestamp: 2 }).accepted).toBe(true);
  });

  it('rejects fast translation and fast rotation between consecutive frames', () => {
    const s = new KeyframeSelector({ maxSpeed: 1, maxAngularSpeedDeg: 90 });
    s.consider({ cameraToWorld: poseYaw(0), timestamp: 0 });
    const fast = s.consider({ cameraToWorld: poseYaw(0, 0.2), timestamp: 100 }); // 2 m/s
    expect(fast).toMatchObject({ accepted: false, reason: 'too-fast' });
    if (!fast.accepted) expect(fast.detail).toMatch(/2.00 m\/s/);
    // same place a moment later: slow again, and 0.2 m from the keyframe -> accepted
    expect(s.consider({ cameraToWorld: poseYaw(0, 0.2), timestamp: 1100 })).toMatchObject({ accepted: true, reason: 'moved' });
    const spin = s.consider({ cameraToWorld: poseYaw(20, 0.2), timestamp: 1200 }); // 200 deg/s
    expect(spin).toMatchObject({ accepted: false, reason: 'too-fast' });
  });

  it('rejects blurry images relative to the running median and evaluates sharpness lazily', () => {
    const s = new KeyframeSelector({ minMedianSamples: 3, blurRatio: 0.5 });
    let calls = 0;
    const score = (v: number) => () => {
      calls++;
      return v;
    };
    for (let i = 0; i < 3; i++) expect(s.consider({ cameraToWorld: poseYaw(0, i * 0.2), timestamp: at(i), sharpness: score(100 + i) }).accepted).toBe(true);
    // too close: the (expensive) sharpness function is never called
    s.consider({ cameraToWorld: poseYaw(0, 0.41), timestamp: at(3), sharpness: score(1) });
    expect(calls).toBe(3);
    const blurry = s.consider({ cameraToWorld: poseYaw(0, 0.6), timestamp: at(4), sharpness: score(40) });
    expect(blurry).toMatchObject({ accepted: false, reason: 'blurry', sharpness: 40 });
    // a sharp image at the same spot is accepted (the reference keyframe did not move)
    const ok = s.consider({ cameraToWorld: poseYaw(0, 0.6), timestamp: at(5), sharpness: 90 });
    expect(ok).toMatchObject({ accepted: true, reason: 'moved' });
    expect(ok.translation).toBeCloseTo(0.2, 9);
  });

  it('works with real images: a defocused view of the same texture is rejected', () => {
    const s = new KeyframeSelector({ minMedianSamples: 3 });
    for (let i = 0; i < 4; i++) {
      const img = texture(320, 240, i + 1);
      expect(s.consider({ cameraToWorld: poseYaw(0, i * 0.2), timestamp: at(i), sharpness: () => sharpnessScore(img) }).accepted).toBe(true);
    }
    const smeared = blur(texture(320, 240, 9), 4);
    expect(s.consider({ cameraToWorld: poseYaw(0, 1), timestamp: at(5), sharpness: () => sharpnessScore(smeared) }).reason).toBe('blurry');
  });

  it('validates options and resets', () => {
    expect(() => new KeyframeSelector({ minTranslation: -1 })).toThrow(/minTranslation/);
    const s = new KeyframeSelector();
    s.consider({ cameraToWorld: poseYaw(0), timestamp: 0 });
    s.reset();
    expect(s.keyframeCount).toBe(0);
    expect(s.consider({ cameraToWorld: poseYaw(0), timestamp: 0 }).reason).toBe('first');
    expect(rotationAngleDeg(poseYaw(0), poseYaw(170))).toBeCloseTo(170, 6);
  });
});
