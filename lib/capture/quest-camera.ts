/**
 * Quest 3 passthrough capture: the headset grants no WebXR camera-access, so frames come from
 * getUserMedia ("Headset cameras" permission) on their own clock. Each video frame's pose is
 * interpolated from the XR viewer poses buffered around its capture time, then moved from the head
 * to the camera by a fixed per-device offset. Such keyframes are marked approxPose.
 *
 * The calibration values below are NOMINAL (from the published passthrough-camera geometry:
 * 1280x960 stream, ~ 82 deg horizontal field of view, left camera ~ 3.2 cm left of and 1 cm below
 * the eyes' centre, 7 cm forward, pitched down 5 deg), not measured on a device; per-unit
 * calibration replaces them when known.
 */
import type { Intrinsics } from './frame';
import { scaleIntrinsics } from './frame';
import { multiply, rigidPoseProblem } from './pose';

export interface QuestCameraCalibration {
  device: string;
  /** Substring of the user agent that identifies the device. */
  userAgentMatch: string;
  /** Intrinsics of the stream at their own width/height (scaled to the stream actually delivered). */
  intrinsics: Intrinsics;
  /** Camera-to-head (viewer space), column-major 4x4, metres; camera looks down -z. */
  cameraToHead: Float64Array;
  /** Milliseconds from the sensor exposure to the video frame's timestamp (subtracted). */
  latencyMs: number;
}

function pitchedOffset(x: number, y: number, z: number, pitchDeg: number): Float64Array {
  const a = (pitchDeg * Math.PI) / 180;
  const c = Math.cos(a), s = Math.sin(a);
  // Rotation about +x by pitch (negative = looking down), then translation.
  return Float64Array.from([1, 0, 0, 0, 0, c, s, 0, 0, -s, c, 0, x, y, z, 1]);
}

export const QUEST_CAMERA_CALIBRATIONS: readonly QuestCameraCalibration[] = [
  {
    device: 'Meta Quest 3',
    userAgentMatch: 'Quest 3',
    intrinsics: { fx: 740, fy: 740, cx: 640, cy: 480, width: 1280, height: 960 },
    cameraToHead: pitchedOffset(-0.032, -0.01, -0.07, -5),
    latencyMs: 0,
  },
];

/** The calibration for this device with intrinsics scaled to the delivered stream, or null when unknown. */
export function questCalibrationFor(userAgent: string, streamWidth: number, streamHeight: number): QuestCameraCalibration | null {
  const cal = QUEST_CAMERA_CALIBRATIONS.find((c) => userAgent.includes(c.userAgentMatch));
  if (!cal) return null;
  if (!(streamWidth > 0) || !(streamHeight > 0)) throw new Error(`quest camera: bad stream size ${streamWidth}x${streamHeight}`);
  const k = cal.intrinsics;
  // A stream of another aspect ratio is a crop we cannot place: refuse rather than guess.
  if (Math.abs(streamWidth / streamHeight - k.width / k.height) > 0.01)
    throw new Error(`quest camera: stream ${streamWidth}x${streamHeight} has another aspect ratio than the calibrated ${k.width}x${k.height}`);
  return { ...cal, intrinsics: scaleIntrinsics(k, streamWidth, streamHeight) };
}

/** Rotation part of a column-major pose as a unit quaternion x, y, z, w. */
export function quaternionFromPose(m: ArrayLike<number>): [number, number, number, number] {
  const m00 = m[0], m11 = m[5], m22 = m[10];
  const tr = m00 + m11 + m22;
  let x, y, z, w;
  if (tr > 0) {
    const s = 0.5 / Math.sqrt(tr + 1);
    w = 0.25 / s;
    x = (m[6] - m[9]) * s;
    y = (m[8] - m[2]) * s;
    z = (m[1] - m[4]) * s;
  } else if (m00 > m11 && m00 > m22) {
    const s = 2 * Math.sqrt(1 + m00 - m11 - m22);
    w = (m[6] - m[9]) / s;
    x = 0.25 * s;
    y = (m[4] + m[1]) / s;
    z = (m[8] + m[2]) / s;
  } else if (m11 > m22) {
    const s = 2 * Math.sqrt(1 + m11 - m00 - m22);
    w = (m[8] - m[2]) / s;
    x = (m[4] + m[1]) / s;
    y = 0.25 * s;
    z = (m[9] + m[6]) / s;
  } else {
    const s = 2 * Math.sqrt(1 + m22 - m00 - m11);
    w = (m[1] - m[4]) / s;
    x = (m[8] + m[2]) / s;
    y = (m[9] + m[6]) / s;
    z = 0.25 * s;
  }
  const n = Math.hypot(x, y, z, w);
  return [x / n, y / n, z / n, w / n];
}

/** Column-major pose from a quaternion x, y, z, w and a translation. */
export function poseFromQuaternion(q: ArrayLike<number>, t: ArrayLike<number>): Float64Array {
  const [x, y, z, w] = [q[0], q[1], q[2], q[3]];
  return Float64Array.from([
    1 - 2 * (y * y + z * z), 2 * (x * y + z * w), 2 * (x * z - y * w), 0,
    2 * (x * y - z * w), 1 - 2 * (x * x + z * z), 2 * (y * z + x * w), 0,
    2 * (x * z + y * w), 2 * (y * z - x * w), 1 - 2 * (x * x + y * y), 0,
    t[0], t[1], t[2], 1,
  ]);
}

/** Pose between a (s = 0) and b (s = 1): translation linear, rotation slerp (shortest arc). */
export function interpolatePose(a: ArrayLike<number>, b: ArrayLike<number>, s: number): Float64Array {
  if (!(s >= 0 && s <= 1)) throw new Error(`interpolatePose: fraction must be in [0, 1], got ${s}`);
  const qa = quaternionFromPose(a);
  const qb = quaternionFromPose(b);
  let dot = qa[0] * qb[0] + qa[1] * qb[1] + qa[2] * qb[2] + qa[3] * qb[3];
  if (dot < 0) {
    for (let i = 0; i < 4; i++) qb[i] = -qb[i];
    dot = -dot;
  }
  let wa: number, wb: number;
  if (dot > 0.9995) {
    wa = 1 - s;
    wb = s;
  } else {
    const th = Math.acos(dot);
    wa = Math.sin((1 - s) * th) / Math.sin(th);
    wb = Math.sin(s * th) / Math.sin(th);
  }
  const q = [0, 1, 2, 3].map((i) => wa * qa[i] + wb * qb[i]);
  const n = Math.hypot(q[0], q[1], q[2], q[3]);
  const t = [0, 1, 2].map((i) => a[12 + i] + s * (b[12 + i] - a[12 + i]));
  return poseFromQuaternion(q.map((v) => v / n), t);
}

export interface InterpolatedPose {
  /** Viewer (head) to world at the requested time. */
  pose: Float64Array;
  /** Milliseconds between the two buffered poses used (0 when exact); large gaps make poor poses. */
  gapMs: number;
}

/**
 * Ring buffer of XR viewer poses by timestamp (ms, the XR frame clock, which is performance.now()'s
 * clock, the same one requestVideoFrameCallback reports). Poses must arrive in time order.
 */
export class PoseBuffer {
  private readonly times: Float64Array;
  private readonly poses: Float64Array;
  private start = 0;
  private count = 0;

  constructor(readonly capacity = 240) {
    if (!Number.isInteger(capacity) || capacity < 2 || capacity > 100_000) throw new Error(`PoseBuffer: capacity must be an integer 2..100000, got ${capacity}`);
    this.times = new Float64Array(capacity);
    this.poses = new Float64Array(capacity * 16);
  }

  get size(): number {
    return this.count;
  }

  push(timestamp: number, viewerToWorld: ArrayLike<number>): void {
    if (!Number.isFinite(timestamp)) throw new Error(`PoseBuffer: timestamp must be finite, got ${timestamp}`);
    const problem = rigidPoseProblem(viewerToWorld);
    if (problem) throw new Error(`PoseBuffer: ${problem}`);
    if (this.count > 0 && timestamp <= this.times[(this.start + this.count - 1) % this.capacity])
      throw new Error(`PoseBuffer: timestamp ${timestamp} is not after the last one`);
    let slot: number;
    if (this.count < this.capacity) slot = (this.start + this.count++) % this.capacity;
    else {
      slot = this.start;
      this.start = (this.start + 1) % this.capacity;
    }
    this.times[slot] = timestamp;
    for (let i = 0; i < 16; i++) this.poses[slot * 16 + i] = viewerToWorld[i];
  }

  private at(k: number): { t: number; pose: Float64Array } {
    const slot = (this.start + k) % this.capacity;
    return { t: this.times[slot], pose: this.poses.slice(slot * 16, slot * 16 + 16) };
  }

  /**
   * Head pose at `timestamp`, interpolated between the bracketing buffered poses. Null when the time
   * is outside the buffer (older than its first pose, or newer than its last by more than maxExtrapolateMs,
   * in which case the newest pose is used as is) or when the bracketing poses are more than maxGapMs apart.
   */
  poseAt(timestamp: number, opts: { maxGapMs?: number; maxExtrapolateMs?: number } = {}): InterpolatedPose | null {
    const maxGap = opts.maxGapMs ?? 100;
    const maxExtra = opts.maxExtrapolateMs ?? 20;
    if (this.count === 0 || !Number.isFinite(timestamp)) return null;
    const first = this.at(0);
    const last = this.at(this.count - 1);
    if (timestamp < first.t) return null;
    if (timestamp >= last.t) return timestamp - last.t <= maxExtra ? { pose: last.pose, gapMs: 0 } : null;
    let lo = 0, hi = this.count - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (this.at(mid).t <= timestamp) lo = mid;
      else hi = mid;
    }
    const a = this.at(lo), b = this.at(hi);
    const gap = b.t - a.t;
    if (gap > maxGap) return null;
    return { pose: interpolatePose(a.pose, b.pose, (timestamp - a.t) / gap), gapMs: gap };
  }
}

/** Camera-to-world of a passthrough frame: the interpolated head pose times the camera's offset on the head. */
export function questCameraToWorld(headToWorld: ArrayLike<number>, cal: QuestCameraCalibration): Float64Array {
  return multiply(headToWorld, cal.cameraToHead);
}
