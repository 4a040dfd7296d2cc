/**
 * Decides, frame by frame during a live scan, whether the current camera view should become a
 * keyframe. A keyframe is due when the camera moved >= 0.10 m or turned >= 10 degrees since the last
 * accepted keyframe, tracking is full 6-DoF (XRPose.emulatedPosition false), the camera is not moving
 * so fast that the image smears, and the image is sharp relative to the capture's recent frames.
 *
 * Checks run cheapest first; the sharpness (which needs the camera image read back from the GPU)
 * is only evaluated when everything else passed, by giving `sharpness` as a function.
 */
import { rigidPoseProblem } from './pose';
import { RunningMedian } from './sharpness';

export type KeyframeRejection = 'too-close' | 'blurry' | 'tracking-limited' | 'too-fast';
export type KeyframeAcceptance = 'first' | 'moved' | 'turned';

export interface KeyframeCandidate {
  /** Camera-to-world, column-major 4x4 (XRView.transform.matrix). */
  cameraToWorld: ArrayLike<number>;
  /** Milliseconds (XRFrame time / performance.now()). */
  timestamp: number;
  /** XRPose.emulatedPosition: true when the runtime lost positional tracking (3-DoF only). */
  emulatedPosition?: boolean;
  /** sharpnessScore() of the image, or a function computing it lazily. Omit to skip the blur check. */
  sharpness?: number | (() => number);
}

interface DecisionBase {
  /** Metres moved since the last keyframe (Infinity before the first). */
  translation: number;
  /** Degrees turned since the last keyframe (Infinity before the first). */
  rotationDeg: number;
  /** The sharpness score when it was evaluated. */
  sharpness?: number;
}

export type KeyframeDecision =
  | (DecisionBase & { accepted: true; reason: KeyframeAcceptance })
  | (DecisionBase & { accepted: false; reason: KeyframeRejection; detail: string });

export interface KeyframeSelectorOptions {
  /** Metres of camera travel that make a new keyframe due (default 0.10). */
  minTranslation?: number;
  /** Degrees of camera rotation that make a new keyframe due (default 10). */
  minRotationDeg?: number;
  /** Reject as blurry below this fraction of the running median sharpness (default 0.5). */
  blurRatio?: number;
  /** Number of recent sharpness scores in the running median (default 31). */
  medianWindow?: number;
  /** Scores needed before the blur test applies; earlier frames pass (default 5). */
  minMedianSamples?: number;
  /** Camera speed above which images smear, m/s between consecutive candidates (default 1.0). */
  maxSpeed?: number;
  /** Angular speed above which images smear, deg/s (default 90). */
  maxAngularSpeedDeg?: number;
}

/** Angle in degrees of the relative rotation between two poses' 3x3 blocks. */
export function rotationAngleDeg(a: ArrayLike<number>, b: ArrayLike<number>): number {
  // trace(Ra^T Rb) = sum over columns of dot(Ra col, Rb col)
  let tr = 0;
  for (let c = 0; c < 3; c++) tr += a[c * 4] * b[c * 4] + a[c * 4 + 1] * b[c * 4 + 1] + a[c * 4 + 2] * b[c * 4 + 2];
  const cos = Math.min(1, Math.max(-1, (tr - 1) / 2));
  return (Math.acos(cos) * 180) / Math.PI;
}

export function translationDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return Math.hypot(a[12] - b[12], a[13] - b[13], a[14] - b[14]);
}

export class KeyframeSelector {
  private readonly opts: Required<KeyframeSelectorOptions>;
  private readonly median: RunningMedian;
  private lastKeyframe: Float64Array | null = null;
  private previous: { pose: Float64Array; timestamp: number } | null = null;
  private accepted = 0;

  constructor(options: KeyframeSelectorOptions = {}) {
    this.opts = {
      minTranslation: 0.1,
      minRotationDeg: 10,
      blurRatio: 0.5,
      medianWindow: 31,
      minMedianSamples: 5,
      maxSpeed: 1.0,
      maxAngularSpeedDeg: 90,
      ...options,
    };
    for (const [k, v] of Object.entries(this.opts))
      if (typeof v !== 'number' || !(v >= 0) || !Number.isFinite(v)) throw new Error(`KeyframeSelector: option ${k} must be a finite number >= 0 (got ${v})`);
    this.median = new RunningMedian(Math.max(1, Math.round(this.opts.medianWindow)));
  }

  get keyframeCount(): number {
    return this.accepted;
  }

  /** Pose of the last accepted keyframe (a copy), or null. */
  get lastKeyframePose(): Float64Array | null {
    return this.lastKeyframe ? this.lastKeyframe.slice() : null;
  }

  reset(): void {
    this.lastKeyframe = null;
    this.previous = null;
    this.accepted = 0;
    this.median.clear();
  }

  /** Judges a candidate; an accepted one becomes the new reference keyframe. */
  consider(c: KeyframeCandidate): KeyframeDecision {
    const o = this.opts;
    const pose = Float64Array.from(c.cameraToWorld);
    const last = this.lastKeyframe;
    const translation = last ? translationDistance(last, pose) : Infinity;
    const rotationDeg = last ? rotationAngleDeg(last, pose) : Infinity;
    const base = { translation, rotationDeg };
    const reject = (reason: KeyframeRejection, detail: string, sharpness?: number): KeyframeDecision => ({
      ...base,
      accepted: false,
      reason,
      detail,
      ...(sharpness !== undefined ? { sharpness } : {}),
    });

    const poseProblem = rigidPoseProblem(pose);
    if (poseProblem) return reject('tracking-limited', `unusable pose: ${poseProblem}`);
    if (!Number.isFinite(c.timestamp)) throw new Error(`KeyframeSelector: timestamp must be finite (got ${c.timestamp})`);

    const prev = this.previous;
    this.previous = { pose, timestamp: c.timestamp };
    if (c.emulatedPosition) return reject('tracking-limited', 'position is emulated (tracking lost or limited to rotation)');

    if (prev) {
      const dt = (c.timestamp - prev.timestamp) / 1000;
      if (dt > 0) {
        const speed = translationDistance(prev.pose, pose) / dt;
        const angSpeed = rotationAngleDeg(prev.pose, pose) / dt;
        if (speed > o.maxSpeed) return reject('too-fast', `moving at ${speed.toFixed(2)} m/s (max ${o.maxSpeed})`);
        if (angSpeed > o.maxAngularSpeedDeg)
          return reject('too-fast', `turning at ${angSpeed.toFixed(0)} deg/s (max ${o.maxAngularSpeedDeg})`);
      }
    }

    let reason: KeyframeAcceptance;
    if (!last) reason = 'first';
    else if (translation >= o.minTranslation) reason = 'moved';
    else if (rotationDeg >= o.minRotationDeg) reason = 'turned';
    else
      return reject(
        'too-close',
        `moved ${translation.toFixed(3)} m (< ${o.minTranslation}) and turned ${rotationDeg.toFixed(1)} deg (< ${o.minRotationDeg})`,
      );

    let sharpness: number | undefined;
    if (c.sharpness !== undefined) {
      sharpness = typeof c.sharpness === 'function' ? c.sharpness() : c.sharpness;
      if (!Number.isFinite(sharpness)) throw new Error(`KeyframeSelector: sharpness must be finite (got ${sharpness})`);
      const med = this.median.median();
      const enough = this.median.count >= o.minMedianSamples;
      this.median.push(sharpness);
      if (enough && sharpness < o.blurRatio * med)
        return reject('blurry', `sharpness ${sharpness.toFixed(1)} < ${o.blurRatio} x running median ${med.toFixed(1)}`, sharpness);
    }

    this.lastKeyframe = pose;
    this.accepted++;
    return { ...base, accepted: true, reason, ...(sharpness !== undefined ? { sharpness } : {}) };
  }
}
