/**
 * Feeds raw WebXR input (no controller/hand models needed) into a PlacementManipulation once per XR
 * frame: a source is grabbing while it squeezes (the session's squeezestart/squeezeend, tracked in
 * `squeezing`, or the xr-standard grip button, buttons[1]); its grip space (else target-ray space) is
 * posed in the reference space; xr-standard thumbsticks (axes 2, 3) of all sources are summed.
 * Structural types so Node tests drive it with plain objects.
 */
import { gripFromMatrix4, type PlacementManipulation } from '../../align/manipulation';
import { transformPlan } from '../../align/pose-2d';

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
  private readonly ids = new WeakMap<object, string>();
  private next = 0;

  /**
   * One frame. `pivotLocal`: scene point (local x, z) the thumbstick turns about; `viewDir`: the
   * viewer's forward (room x, z). A source that disappeared ends its grab. Throws on non-finite poses
   * (the model's errors); the caller decides what to drop.
   */
  step(
    m: PlacementManipulation,
    frame: XrPosingFrameLike,
    ref: unknown,
    sources: Iterable<XrInputLike>,
    dt: number,
    pivotLocal: readonly [number, number] | null,
    viewDir: readonly [number, number],
  ): void {
    const present = new Set<string>();
    let ax = 0, ay = 0;
    for (const src of sources) {
      let id = this.ids.get(src);
      if (!id) this.ids.set(src, (id = `${src.handedness}-${this.next++}`));
      present.add(id);
      const gp = src.gamepad?.mapping === 'xr-standard' ? src.gamepad : null;
      const squeezed = this.squeezing.has(src) || !!(gp && gp.buttons.length > 1 && gp.buttons[1].pressed);
      if (squeezed) {
        // Tracking lost for a frame: keep holding without moving.
        const p = frame.getPose((src.gripSpace ?? src.targetRaySpace) as never, ref as never);
        if (p) {
          const g = gripFromMatrix4(p.transform.matrix);
          if (m.holds(id)) m.grabMove(id, g);
          else m.grabStart(id, g);
        }
      } else if (m.holds(id)) m.grabEnd(id);
      if (gp && gp.axes.length >= 4) {
        ax += gp.axes[2];
        ay += gp.axes[3];
      }
    }
    for (const id of m.heldIds()) if (!present.has(id)) m.grabEnd(id);
    if (pivotLocal) {
      const pv = transformPlan(m.pose, new Float32Array([pivotLocal[0], pivotLocal[1]]));
      m.thumbstick(clamp1(ax), clamp1(ay), Math.min(Math.max(dt, 0), 0.1), [pv[0], pv[1]], viewDir);
    }
  }
}
