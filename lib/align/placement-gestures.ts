/**
 * Which input gesture does what to the placed scene, for controllers and hands alike. With hands the
 * pinch is both WebXR's `select` and the only grab gesture Quest Browser reliably reports, so a select
 * must be told apart as a tap (place the scene at the reticle) or a drag (hold the scene):
 *
 * - squeeze (controller grip; a hand only where the browser maps a grab to it): holds at once;
 * - select (trigger / pinch) is *pending* until it either
 *   - moves (horizontal grip motion >= `dragMetres` or grip yaw change >= `dragDegrees`) or
 *     another source holds, or its own source squeezes: it becomes a hold, starting from the grip
 *     where the select began (so the scene follows the whole motion, not the part after the
 *     threshold), and never places;
 *   - ends while still pending: a tap, which places.
 * Any two holding sources are a two-hand grab (PlacementManipulation: midpoint moves, the vector between
 * them turns). No time limit: with the rule purely spatial a slow renderer (or a long still pinch)
 * cannot turn a tap into a drag, and what happens does not depend on the frame rate.
 * A source that disappears mid-select is cancelled (no tap), as WebXR cancels the select.
 */
import { wrapAngle } from './pose-2d';
import type { GripPose, PlacementManipulation } from './manipulation';

export interface GestureOptions {
  /** Horizontal grip motion (metres) that turns a pending select into a drag. */
  dragMetres?: number;
  /** Grip yaw change (degrees) that turns a pending select into a drag. */
  dragDegrees?: number;
}

/** One input source in one frame. */
export interface GestureSource {
  id: string;
  select: boolean;
  squeeze: boolean;
  /** The grip in the room frame, or null while tracking is lost (a hold then stays where it is). */
  grip: GripPose | null;
}

const DEFAULTS: Required<GestureOptions> = { dragMetres: 0.03, dragDegrees: 15 };

interface SourceState {
  selecting: boolean;
  /** The select became a drag (holds until the select ends). */
  dragging: boolean;
  /** Grip when the select began (null until the source was tracked). */
  from: GripPose | null;
}

export class PlacementGestures {
  private readonly opts: Required<GestureOptions>;
  private readonly states = new Map<string, SourceState>();

  constructor(options: GestureOptions = {}) {
    this.opts = { ...DEFAULTS, ...options };
    if (!(this.opts.dragMetres > 0) || !(this.opts.dragDegrees > 0))
      throw new Error(`PlacementGestures: dragMetres and dragDegrees must be > 0 (got ${this.opts.dragMetres}, ${this.opts.dragDegrees})`);
  }

  /** True while the source's select is neither a tap nor a drag yet. */
  pending(id: string): boolean {
    const s = this.states.get(id);
    return !!s && s.selecting && !s.dragging;
  }

  /**
   * One frame with every present source (ids must be unique): drives the grabs of `m` and returns the
   * ids whose select was a tap this frame (the caller places the scene). Sources missing from the list
   * are gone: their grabs end, their pending selects are cancelled.
   */
  step(m: PlacementManipulation, sources: readonly GestureSource[]): string[] {
    const taps: string[] = [];
    const seen = new Set<string>();
    for (const src of sources) {
      if (seen.has(src.id)) throw new Error(`PlacementGestures.step: source id ${src.id} listed twice`);
      seen.add(src.id);
      let st = this.states.get(src.id);
      if (!st) this.states.set(src.id, (st = { selecting: false, dragging: false, from: null }));
      if (src.select && !st.selecting) {
        st.selecting = true;
        st.dragging = false;
        st.from = src.grip && { ...src.grip };
      } else if (!src.select && st.selecting) {
        if (!st.dragging) taps.push(src.id);
        st.selecting = false;
        st.dragging = false;
        st.from = null;
      }
      if (st.selecting && !st.dragging) {
        if (!st.from && src.grip) st.from = { ...src.grip };
        if (src.squeeze || (st.from && src.grip && this.moved(st.from, src.grip))) st.dragging = true;
      }
    }
    for (const id of [...this.states.keys()]) if (!seen.has(id)) this.states.delete(id);

    // A select pending while another source holds joins the hold (two hands), never places.
    const holding = (s: GestureSource) => s.squeeze || !!this.states.get(s.id)?.dragging;
    if (sources.some(holding))
      for (const s of sources) {
        const st = this.states.get(s.id)!;
        if (st.selecting && !st.dragging) st.dragging = true;
      }

    for (const s of sources) {
      const st = this.states.get(s.id)!;
      if (!holding(s)) {
        if (m.holds(s.id)) m.grabEnd(s.id);
        continue;
      }
      if (!s.grip) continue; // tracking lost: keep holding without moving (or start once tracked)
      if (m.holds(s.id)) m.grabMove(s.id, s.grip);
      else if (st.dragging && st.from) {
        // Start where the select began so the motion below the threshold is not lost.
        m.grabStart(s.id, st.from);
        m.grabMove(s.id, s.grip);
      } else m.grabStart(s.id, s.grip);
    }
    for (const id of m.heldIds()) if (!seen.has(id)) m.grabEnd(id);
    return taps;
  }

  /** Forgets every source (session ended). */
  reset(): void {
    this.states.clear();
  }

  private moved(a: GripPose, b: GripPose): boolean {
    return Math.hypot(b.x - a.x, b.z - a.z) >= this.opts.dragMetres || Math.abs(wrapAngle(b.yaw - a.yaw)) >= (this.opts.dragDegrees * Math.PI) / 180;
  }
}
