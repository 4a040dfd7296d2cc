/**
 * Answer highlight by recolouring (the fallback named in the brief: the scene's PackedSplats are rebuilt
 * from these arrays rather than patched by a Spark dyno objectModifier): selected Gaussians keep their
 * colour, lifted towards a tint, the rest are greyed and made faint, so the answer stands out in the room.
 */
import type { GaussianArrays } from '../scene-build';

export interface HighlightStyle {
  /** Opacity factor of unselected Gaussians (default 0.25). */
  dimOpacity: number;
  /** How far unselected colours move to their grey (default 0.7). */
  desaturate: number;
  /** Brightness factor of unselected colours (default 0.45). */
  dimBrightness: number;
  /** Tint mixed into selected colours (default warm yellow) and how much (default 0.35). */
  tint: [number, number, number];
  tintAmount: number;
}

export const DEFAULT_HIGHLIGHT: HighlightStyle = { dimOpacity: 0.25, desaturate: 0.7, dimBrightness: 0.45, tint: [1, 0.85, 0.2], tintAmount: 0.35 };

/** Per-Gaussian mask (1 = selected) from selection indices; throws on an index past count. */
export function selectionMask(count: number, selections: readonly ArrayLike<number>[]): Uint8Array {
  const m = new Uint8Array(count);
  for (const sel of selections)
    for (let k = 0; k < sel.length; k++) {
      const i = sel[k];
      if (!(i >= 0 && i < count)) throw new Error(`selectionMask: index ${i} outside 0..${count - 1}`);
      m[i] = 1;
    }
  return m;
}

/** Gaussians inside any of the given boxes (grown by `margin` metres) (device-label answers have no Gaussians of their own). */
export function gaussiansNear(g: GaussianArrays, boxes: readonly { min: number[]; max: number[] }[], margin = 0.05): Uint32Array {
  const out: number[] = [];
  for (let i = 0; i < g.count; i++) {
    const x = g.positions[3 * i], y = g.positions[3 * i + 1], z = g.positions[3 * i + 2];
    for (const b of boxes)
      if (x >= b.min[0] - margin && x <= b.max[0] + margin && y >= b.min[1] - margin && y <= b.max[1] + margin && z >= b.min[2] - margin && z <= b.max[2] + margin) {
        out.push(i);
        break;
      }
  }
  return Uint32Array.from(out);
}

/** New GaussianArrays with highlight colours/opacities; positions etc. are shared, not copied. */
export function highlightArrays(g: GaussianArrays, mask: Uint8Array, style: HighlightStyle = DEFAULT_HIGHLIGHT): GaussianArrays {
  if (mask.length < g.count) throw new Error(`highlightArrays: mask has ${mask.length} entries for ${g.count} Gaussians`);
  const colors = new Float32Array(g.count * 3);
  const opacities = new Float32Array(g.count);
  const [tr, tg, tb] = style.tint;
  for (let i = 0; i < g.count; i++) {
    const r = g.colors[3 * i], gg = g.colors[3 * i + 1], b = g.colors[3 * i + 2];
    if (mask[i]) {
      const t = style.tintAmount;
      colors[3 * i] = r + t * (tr - r);
      colors[3 * i + 1] = gg + t * (tg - gg);
      colors[3 * i + 2] = b + t * (tb - b);
      opacities[i] = Math.min(1, g.opacities[i] * 1.2 + 0.05);
    } else {
      const grey = 0.299 * r + 0.587 * gg + 0.114 * b;
      const d = style.desaturate, k = style.dimBrightness;
      colors[3 * i] = k * (r + d * (grey - r));
      colors[3 * i + 1] = k * (gg + d * (grey - gg));
      colors[3 * i + 2] = k * (b + d * (grey - b));
      opacities[i] = g.opacities[i] * style.dimOpacity;
    }
  }
  return { ...g, colors, opacities };
}
