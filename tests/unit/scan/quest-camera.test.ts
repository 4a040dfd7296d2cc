import { describe, expect, it } from 'vitest';
import { multiply, rigidPoseProblem, transformPoint } from '../../../lib/capture/pose';
import { rotationAngleDeg } from '../../../lib/capture/keyframe-selector';
import { interpolatePose, PoseBuffer, poseFromQuaternion, quaternionFromPose, questCalibrationFor, questCameraToWorld } from '../../../lib/capture/quest-camera';

const yaw = (deg: number, t: [number, number, number] = [0, 0, 0]) => {
  const a = (deg * Math.PI) / 180;
  return poseFromQuaternion([0, Math.sin(a / 2), 0, Math.cos(a / 2)], t);
};

describe('pose interpolation', () => {
  it('quaternion <-> matrix round-trips for rotations in every branch', () => {
    for (const q of [[0, 0, 0, 1], [1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0.1, -0.7, 0.2, 0.3]]) {
      const n = Math.hypot(...q);
      const m = poseFromQuaternion(q.map((v) => v / n), [1, 2, 3]);
      expect(rigidPoseProblem(m)).toBeNull();
      const back = poseFromQuaternion(quaternionFromPose(m), [1, 2, 3]);
      for (let i = 0; i < 16; i++) expect(back[i]).toBeCloseTo(m[i], 10);
    }
  });

  it('slerps rotation and lerps translation', () => {
    const a = yaw(0, [0, 1.5, 0]);
    const b = yaw(90, [1, 1.5, -2]);
    const mid = interpolatePose(a, b, 0.25);
    expect(rotationAngleDeg(a, mid)).toBeCloseTo(22.5, 6);
    expect(rotationAngleDeg(mid, b)).toBeCloseTo(67.5, 6);
    expect([mid[12], mid[13], mid[14]]).toEqual([0.25, 1.5, -0.5]);
    // Shortest arc: -170 to 170 degrees passes through 180, not 0.
    const far = interpolatePose(yaw(-170), yaw(170), 0.5);
    expect(rotationAngleDeg(far, yaw(180))).toBeCloseTo(0, 5);
    expect(() => interpolatePose(a, b, 1.5)).toThrow(/fraction/);
  });
});

describe('PoseBuffer', () => {
  it('interpolates between the bracketing poses, refuses outside the buffer and across gaps', () => {
    const buf = new PoseBuffer(4);
    buf.push(0, yaw(0, [0, 0, 0]));
    buf.push(10, yaw(10, [0.1, 0, 0]));
    buf.push(20, yaw(20, [0.2, 0, 0]));
    const p = buf.poseAt(15)!;
    expect(p.gapMs).toBe(10);
    expect(p.pose[12]).toBeCloseTo(0.15, 12);
    expect(rotationAngleDeg(p.pose, yaw(15))).toBeCloseTo(0, 5);
    expect(buf.poseAt(-1)).toBeNull();
    expect(buf.poseAt(25)!.pose[12]).toBeCloseTo(0.2, 12); // newest pose within the extrapolation window
    expect(buf.poseAt(100)).toBeNull();
    buf.push(300, yaw(30));
    expect(buf.poseAt(150)).toBeNull(); // 280 ms gap
    buf.push(310, yaw(31));
    expect(buf.size).toBe(4);
    expect(buf.poseAt(5)).toBeNull(); // dropped from the ring
    expect(() => buf.push(305, yaw(0))).toThrow(/not after/);
    expect(() => buf.push(400, new Float64Array(16))).toThrow(/bottom row/);
  });
});

describe('Quest calibration', () => {
  it('scales intrinsics to the stream, refuses other aspect ratios and unknown devices', () => {
    const ua = 'Mozilla/5.0 (X11; Linux x86_64; Quest 3) AppleWebKit/537.36 OculusBrowser/35.0';
    const cal = questCalibrationFor(ua, 640, 480)!;
    expect(cal.intrinsics.width).toBe(640);
    expect(cal.intrinsics.fx).toBeCloseTo(370, 9);
    expect(cal.intrinsics.cx).toBeCloseTo(320, 9);
    expect(() => questCalibrationFor(ua, 640, 360)).toThrow(/aspect ratio/);
    expect(questCalibrationFor('Mozilla/5.0 (Linux; Android 14; Pixel 8)', 640, 480)).toBeNull();
  });

  it('places the camera on the head: offset moves with the head, camera looks slightly down', () => {
    const cal = questCalibrationFor('Quest 3', 1280, 960)!;
    const head = yaw(90, [1, 1.6, 0]);
    const cam = questCameraToWorld(head, cal);
    expect(rigidPoseProblem(cam)).toBeNull();
    const expected = transformPoint(head, cal.cameraToHead[12], cal.cameraToHead[13], cal.cameraToHead[14]);
    expect([cam[12], cam[13], cam[14]].map((v, i) => v - expected[i]).every((d) => Math.abs(d) < 1e-12)).toBe(true);
    expect(-cam[9]).toBeLessThan(0); // -z axis has a downward component
    expect(multiply(head, cal.cameraToHead)).toEqual(cam);
  });
});
