/**
 * What an answer lights up, in the form the renderer's shader hook consumes: a flag per semantic
 * bank row (tiny, so a new question uploads a few hundred bytes, never the splats) plus boxes for
 * answers that have no bank rows (room labels from the headset). Gaussians whose row is flagged or
 * whose centre lies in a box are highlighted; all others are dimmed.
 */
export interface SplatHighlight {
  /** Per bank row: 1 = that row's Gaussians belong to the answer. Row 0 (no semantics) is never flagged. */
  entries: Uint8Array;
  /** Boxes in the scene's own frame, 6 floats each (min x y z, max x y z). */
  boxes: Float32Array;
}
