/**
 * Feeds raw WebXR input (no controller/hand models needed) into the placement gestures once per XR
 * frame (lib/align/placement-gestures.ts says what each gesture does): a source selects between the
 * session's selectstart/selectend (tracked in `selecting`; the xr-standard trigger, buttons[0], counts
 * too) and squeezes between squeezestart/squeezeend (`squeezing`, or the xr-standard grip button,
 * buttons[1]). Only the start/end events are used, never `select` itself: browsers fire it on release,
 * the iwer emulator on press, and whether a select places is decided here, not by the event. Its grip
 * space (else target-ray space) is posed in the reference space; xr-standard thumbsticks (axes 2, 3) of
 * all sources are summed. A select claimed by the in-XR query panel (`claims`, xr-select-claims.ts) is
 * not a select here: it neither places nor drags. Structural types so Node tests drive it with plain objects.
 */
import { gripFromMatrix4, type GripPose, type PlacementManipulation } from '../../align/manipulation';
import { PlacementGestures, type GestureOptions, type GestureSource } from '../../align/placement-gestures';
import { transformPlan } from '../../align/pose-2d';
import type { XrSelectClaims } from './xr-select-claims';

/**
 * Event the manipulator dispatches on the XRSession when a select was a tap (the page places the scene
 * at the reticle); a plain `Event`, so the page needs nothing but the session to listen.
 */
export const PLACE_TAP_EVENT = 'segsplat-place-tap';

export interface XrGamepadLike {
  mapping: string;
  axes: ArrayLike<number>;
  buttons: ArrayLike<{ pressed: boolean }>;
}

export interface XrInputLike {
  handedness: string;
  gripSpace?: unknown;
  targetRaySpace: unknown;
  gamepad?: XrGamepadLike | null;
}

export interface XrPosingFrameLike {
  getPose(space: never, base: never): { transform: { matrix: ArrayLike<number> } } | null | undefined;
}

const clamp1 = (v: number) => Math.max(-1, Math.min(1, v));

export class XrManipulationInput {
  /** Sources between squeezestart and squeezeend (the component adds/removes them). */
  readonly squeezing = new Set<object>();
  /** Sources between selectstart and selectend. */
  readonly selecting = new Set<object>();
  /** Selects that started on the query panel belong to it (null: no panel, every select is ours). */
  claims: XrSelectClaims | null = null;
  private readonly gestures: PlacementGestures;
  private readonly ids = new WeakMap<object, string>();
  private next = 0;

  constructor(options: GestureOptions = {}) {
    this.gestures = new PlacementGestures(options);
  }

  /**
   * One frame. `pivotLocal`: scene point (local x, z) the thumbstick turns about; `viewDir`: the
   * viewer's forward (room x, z). A source that disappeared ends its grab. Returns the number of taps
   * (selects that ended without becoming a drag: place the scene). Throws on non-finite poses (the
   * model's errors); the caller decides what to drop.
   */
  step(
    m: PlacementManipulation,
    frame: XrPosingFrameLike,
    ref: unknown,
    sources: Iterable<XrInputLike>,
    dt: number,
    pivotLocal: readonly [number, number] | null,
    viewDir: readonly [number, number],
  ): number {
    const list: GestureSource[] = [];
    let ax = 0, ay = 0;
    for (const src of sources) {
      let id = this.ids.get(src);
      if (!id) this.ids.set(src, (id = `${src.handedness}-${this.next++}`));
      const gp = src.gamepad?.mapping === 'xr-standard' ? src.gamepad : null;
      const squeeze = this.squeezing.has(src) || !!(gp && gp.buttons.length > 1 && gp.buttons[1].pressed);
      let select = this.selecting.has(src) || !!(gp && gp.buttons.length > 0 && gp.buttons[0].pressed);
      if (this.claims) {
        if (select) select = !this.claims.held(src);
        else this.claims.released(src);
      }
      let grip: GripPose | null = null;
      if (squeeze || select) {
        const p = frame.getPose((src.gripSpace ?? src.targetRaySpace) as never, ref as never);
        if (p) grip = gripFromMatrix4(p.transform.matrix);
      }
      list.push({ id, select, squeeze, grip });
      if (gp && gp.axes.length >= 4) {
        ax += gp.axes[2];
        ay += gp.axes[3];
      }
    }
    const taps = this.gestures.step(m, list).length;
    if (pivotLocal) {
      const pv = transformPlan(m.pose, new Float32Array([pivotLocal[0], pivotLocal[1]]));
      m.thumbstick(clamp1(ax), clamp1(ay), Math.min(Math.max(dt, 0), 0.1), [pv[0], pv[1]], viewDir);
    }
    return taps;
  }

  /** Forgets every source and event state (a new session). */
  reset(): void {
    this.squeezing.clear();
    this.selecting.clear();
    this.gestures.reset();
  }
}
