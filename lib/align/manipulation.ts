/**
 * Moving/turning the placed scene by hand in AR (Quest Browser has no dom-overlay, so DOM buttons are
 * out of reach in the headset). Plain TS: the XR component feeds grip poses and thumbstick axes, this
 * model returns the new Pose2D. Only x, z and yaw change: the scan and local-floor are gravity-aligned,
 * so hand height and tilt are ignored.
 *
 * - One grab (controller squeeze): the scene moves rigidly with the grip, as if held: the grip's
 *   horizontal motion translates it and the change of the grip's yaw turns it about the grip.
 * - Two grabs: the midpoint translates, the yaw of the vector between the hands turns (about the
 *   midpoint); roll/tilt of either hand does nothing.
 * - Thumbstick (not while grabbing): x turns at `yawRateDeg`/s about `pivot`, y pushes/pulls along the
 *   viewer's horizontal view direction at `pushRate` m/s; both with a dead zone.
 * Adding or releasing a hand re-bases the grab at the current pose, so nothing jumps.
 */
import { composePose2D, wrapAngle, type Pose2D } from './pose-2d';

/** A grip in the room frame: position (metres) and yaw about +y (radians, three.js rotation.y). */
export interface GripPose {
  x: number;
  y: number;
  z: number;
  yaw: number;
}

export interface ManipulationOptions {
  /** Thumbstick turn rate at full deflection, degrees per second. */
  yawRateDeg?: number;
  /** Thumbstick push/pull speed at full deflection, metres per second (0 disables push/pull). */
  pushRate?: number;
  /** |axis| below this does nothing; above it the axis is rescaled to 0..1. */
  deadZone?: number;
}

const DEFAULTS: Required<ManipulationOptions> = { yawRateDeg: 45, pushRate: 0.5, deadZone: 0.2 };

function checkFinite(what: string, ...v: number[]): void {
  for (const x of v) if (!Number.isFinite(x)) throw new Error(`${what}: values must be finite (got ${x})`);
}

function checkPose(what: string, p: Pose2D): void {
  checkFinite(what, p.x, p.z, p.yaw);
}

/**
 * Yaw (three.js rotation.y convention) of a column-major 4x4 rotation: the twist about +y in a
 * swing-twist split, atan2(R02 - R20, R00 + R22). Unlike the yaw of one axis it stays defined when the
 * controller points straight down or is rolled 90°.
 */
export function yawFromMatrix4(m: ArrayLike<number>): number {
  if (m.length < 11) throw new Error('yawFromMatrix4: need a 4x4 matrix');
  const s = m[8] - m[2], c = m[0] + m[10];
  checkFinite('yawFromMatrix4', s, c);
  return s === 0 && c === 0 ? 0 : Math.atan2(s, c);
}

/** Grip pose from a column-major 4x4 (e.g. XRPose.transform.matrix). */
export function gripFromMatrix4(m: ArrayLike<number>): GripPose {
  if (m.length !== 16) throw new Error('gripFromMatrix4: need 16 values');
  checkFinite('gripFromMatrix4', m[12], m[13], m[14]);
  return { x: m[12], y: m[13], z: m[14], yaw: yawFromMatrix4(m) };
}

/** Rescales an axis outside the dead zone to (0, 1] with its sign; 0 inside. */
export function applyDeadZone(v: number, deadZone: number): number {
  checkFinite('applyDeadZone', v, deadZone);
  const a = Math.abs(v);
  if (a <= deadZone) return 0;
  return Math.sign(v) * Math.min(1, (a - deadZone) / (1 - deadZone));
}

/** The room-frame motion that takes (x0, z0) to (x1, z1) while turning by `dyaw` about that point. */
function motionAbout(x0: number, z0: number, x1: number, z1: number, dyaw: number): Pose2D {
  const c = Math.cos(dyaw), s = Math.sin(dyaw);
  return { x: x1 - (c * x0 + s * z0), z: z1 - (-s * x0 + c * z0), yaw: dyaw };
}

/** Direction angle of (vx, vz) in the rotation.y convention (R(a) maps +x to (cos a, -sin a)). */
const dirAngle = (vx: number, vz: number) => Math.atan2(-vz, vx);

export class PlacementManipulation {
  private current: Pose2D;
  private readonly opts: Required<ManipulationOptions>;
  /** Grips currently held, by input id ('left', 'right', …), and their poses at the last re-base. */
  private readonly held = new Map<string, GripPose>();
  private readonly start = new Map<string, GripPose>();
  private base: Pose2D;
  private sticking = false;

  constructor(pose: Pose2D, options: ManipulationOptions = {}) {
    checkPose('PlacementManipulation', pose);
    this.opts = { ...DEFAULTS, ...options };
    if (!(this.opts.deadZone >= 0 && this.opts.deadZone < 1)) throw new Error(`PlacementManipulation: deadZone must be in [0, 1) (got ${this.opts.deadZone})`);
    checkFinite('PlacementManipulation options', this.opts.yawRateDeg, this.opts.pushRate);
    this.current = { ...pose };
    this.base = { ...pose };
  }

  get pose(): Pose2D {
    return { ...this.current };
  }

  /** Number of grips held now. */
  get grips(): number {
    return this.held.size;
  }

  holds(id: string): boolean {
    return this.held.has(id);
  }

  heldIds(): string[] {
    return [...this.held.keys()];
  }

  /** True while a grab is held or a thumbstick is deflected (the pose may still change). */
  get active(): boolean {
    return this.held.size > 0 || this.sticking;
  }

  /**
   * The pose was set from outside (auto-align, placement at the reticle, the anchor re-localising):
   * continue from it. A grab in progress continues from the new pose with the hands where they are.
   */
  setPose(pose: Pose2D): void {
    checkPose('PlacementManipulation.setPose', pose);
    this.current = { ...pose };
    this.rebase();
  }

  grabStart(id: string, grip: GripPose): Pose2D {
    checkFinite(`grabStart(${id})`, grip.x, grip.y, grip.z, grip.yaw);
    this.held.set(id, { ...grip });
    this.sticking = false;
    this.rebase();
    return this.pose;
  }

  /** Moves of a grip that is not held (released, or never grabbed) are ignored. */
  grabMove(id: string, grip: GripPose): Pose2D {
    if (!this.held.has(id)) return this.pose;
    checkFinite(`grabMove(${id})`, grip.x, grip.y, grip.z, grip.yaw);
    this.held.set(id, { ...grip });
    this.current = composePose2D(this.motion(), this.base);
    return this.pose;
  }

  /** Releasing keeps the pose where the grab left it. */
  grabEnd(id: string): Pose2D {
    if (this.held.delete(id)) this.rebase();
    return this.pose;
  }

  /** Drops every grab (session ended, input source lost) keeping the pose. */
  releaseAll(): Pose2D {
    this.held.clear();
    this.sticking = false;
    this.rebase();
    return this.pose;
  }

  /**
   * Thumbstick for `dt` seconds: `axisX` turns about `pivot` (room x, z; e.g. the scene's centre),
   * `axisY` (-1 = pushed forward, the xr-standard convention) moves along `viewDir` (room x, z of the
   * viewer's forward, any length). Ignored while grabbing.
   */
  thumbstick(axisX: number, axisY: number, dt: number, pivot: readonly [number, number], viewDir: readonly [number, number]): Pose2D {
    checkFinite('thumbstick', axisX, axisY, dt, pivot[0], pivot[1], viewDir[0], viewDir[1]);
    if (dt < 0) throw new Error(`thumbstick: dt must be >= 0 (got ${dt})`);
    if (this.held.size > 0) return this.pose;
    const tx = applyDeadZone(axisX, this.opts.deadZone);
    const ty = applyDeadZone(axisY, this.opts.deadZone);
    this.sticking = tx !== 0 || ty !== 0;
    if (!this.sticking || dt === 0) return this.pose;
    // Stick right turns clockwise seen from above, i.e. negative yaw about +y.
    const dyaw = (-tx * this.opts.yawRateDeg * Math.PI * dt) / 180;
    let mx = 0, mz = 0;
    const len = Math.hypot(viewDir[0], viewDir[1]);
    if (ty !== 0 && len > 1e-6) {
      const step = -ty * this.opts.pushRate * dt;
      mx = (viewDir[0] / len) * step;
      mz = (viewDir[1] / len) * step;
    }
    const m = motionAbout(pivot[0], pivot[1], pivot[0] + mx, pivot[1] + mz, dyaw);
    this.current = composePose2D(m, this.current);
    this.base = { ...this.current };
    return this.pose;
  }

  private rebase(): void {
    this.base = { ...this.current };
    this.start.clear();
    for (const [k, g] of this.held) this.start.set(k, { ...g });
  }

  /** Room-frame motion of the held grips since the last re-base. */
  private motion(): Pose2D {
    const ids = [...this.held.keys()];
    if (ids.length === 1) {
      const a0 = this.start.get(ids[0])!, a1 = this.held.get(ids[0])!;
      return motionAbout(a0.x, a0.z, a1.x, a1.z, wrapAngle(a1.yaw - a0.yaw));
    }
    // Two (or more: the first two count) hands.
    const [p, q] = ids;
    const a0 = this.start.get(p)!, b0 = this.start.get(q)!, a1 = this.held.get(p)!, b1 = this.held.get(q)!;
    const v0x = b0.x - a0.x, v0z = b0.z - a0.z, v1x = b1.x - a1.x, v1z = b1.z - a1.z;
    // Hands (almost) one above the other: the vector between them says nothing about yaw.
    const dyaw = Math.hypot(v0x, v0z) > 0.02 && Math.hypot(v1x, v1z) > 0.02 ? wrapAngle(dirAngle(v1x, v1z) - dirAngle(v0x, v0z)) : 0;
    return motionAbout((a0.x + b0.x) / 2, (a0.z + b0.z) / 2, (a1.x + b1.x) / 2, (a1.z + b1.z) / 2, dyaw);
  }
}

/** In-XR label text: the pose and its change since `from` ("moved 0.42 m, turned +15.0°"). */
export function manipulationLabel(p: Pose2D, from: Pose2D): string {
  const deg = (r: number) => (r * 180) / Math.PI;
  const moved = Math.hypot(p.x - from.x, p.z - from.z);
  const turned = deg(wrapAngle(p.yaw - from.yaw));
  return `x ${p.x.toFixed(2)} z ${p.z.toFixed(2)} m · ${deg(wrapAngle(p.yaw)).toFixed(0)}° (moved ${moved.toFixed(2)} m, turned ${turned >= 0 ? '+' : ''}${turned.toFixed(1)}°)`;
}
