/**
 * What an answer lights up, in the form the renderer's shader hook consumes: a flag per semantic
 * bank row (tiny, so a new question uploads a few hundred bytes, never the splats) plus boxes for
 * answers that have no bank rows (room labels from the headset). Gaussians whose row is flagged or
 * whose centre lies in a box are highlighted; all others are dimmed.
 *
 * The GPU side is lib/web/splat-highlight-modifier.ts (a Spark dyno objectModifier); this file holds
 * the plain parts it shares with Node: building a highlight from an answer, the texture layouts, the
 * look, and a CPU reference of the selection (the page's highlighted count, tests, the benchmark).
 */
export interface SplatHighlight {
  /** Per bank row: 1 = that row's Gaussians belong to the answer. Row 0 (no semantics) is never flagged. */
  entries: Uint8Array;
  /** Boxes in the scene's own frame, 6 floats each (min x y z, max x y z). */
  boxes: Float32Array;
}

/** The look of an answer (the shader bakes these in as constants). */
export interface HighlightStyle {
  /** Opacity factor of unselected Gaussians. */
  dimOpacity: number;
  /** How far unselected colours move to their grey (0 = keep, 1 = grey). */
  desaturate: number;
  /** Brightness factor of unselected colours. */
  dimBrightness: number;
  /** Tint mixed into selected colours, and how much. */
  tint: [number, number, number];
  tintAmount: number;
  /** Selected opacity = min(1, opacity * opacityGain + opacityLift). */
  opacityGain: number;
  opacityLift: number;
}

/** Selected splats keep their colour with a warm tint; the rest are greyed to 45 % and made faint. */
export const DEFAULT_HIGHLIGHT: Readonly<HighlightStyle> = Object.freeze({
  dimOpacity: 0.25,
  desaturate: 0.7,
  dimBrightness: 0.45,
  tint: [1, 0.85, 0.2] as [number, number, number],
  tintAmount: 0.35,
  opacityGain: 1.2,
  opacityLift: 0.05,
});

/** Margin by which room-label boxes are grown: a lamp's box from the headset hugs the real lamp, the splats scatter a few cm. */
export const BOX_MARGIN = 0.05;

/** Bank rows are Uint16 indices, so a flag table never needs more than this many entries. */
export const MAX_BANK_ROWS = 65536;

/** Texture widths (powers of two: the shader splits an index with a shift and a mask). */
export const SEMANTIC_TEXTURE_WIDTH = 4096;
export const FLAG_TEXTURE_WIDTH = 256;

/** Flags rows whose relevancy reaches the threshold (the same rule the query selects Gaussians by); row 0 never. */
export function entriesFromScores(entryScores: Float32Array, threshold: number): Uint8Array {
  if (!Number.isFinite(threshold)) throw new Error(`entriesFromScores: threshold must be a finite number, got ${threshold}`);
  if (entryScores.length > MAX_BANK_ROWS) throw new Error(`entriesFromScores: ${entryScores.length} bank rows, at most ${MAX_BANK_ROWS} (Uint16 indices)`);
  const out = new Uint8Array(entryScores.length);
  for (let r = 1; r < entryScores.length; r++) out[r] = entryScores[r] >= threshold ? 1 : 0;
  return out;
}

/** Boxes ({min, max} in the scene frame) grown by `margin` metres, packed 6 floats each. */
export function boxesFromAabbs(boxes: readonly { min: ArrayLike<number>; max: ArrayLike<number> }[], margin = BOX_MARGIN): Float32Array {
  if (!(margin >= 0) || !Number.isFinite(margin)) throw new Error(`boxesFromAabbs: margin must be a finite number >= 0, got ${margin}`);
  const out = new Float32Array(boxes.length * 6);
  boxes.forEach((b, k) => {
    for (let a = 0; a < 3; a++) {
      const lo = b.min[a], hi = b.max[a];
      if (!Number.isFinite(lo) || !Number.isFinite(hi) || lo > hi) throw new Error(`boxesFromAabbs: box ${k} has a bad extent on axis ${'xyz'[a]}: ${lo}..${hi}`);
      out[6 * k + a] = lo - margin;
      out[6 * k + 3 + a] = hi + margin;
    }
  });
  return out;
}

/** Throws when a highlight is malformed (the renderer would silently misread it). */
export function checkHighlight(h: SplatHighlight): void {
  if (!(h.entries instanceof Uint8Array)) throw new Error('SplatHighlight: entries must be a Uint8Array');
  if (!(h.boxes instanceof Float32Array)) throw new Error('SplatHighlight: boxes must be a Float32Array');
  if (h.entries.length > MAX_BANK_ROWS) throw new Error(`SplatHighlight: ${h.entries.length} entries, at most ${MAX_BANK_ROWS}`);
  if (h.boxes.length % 6 !== 0) throw new Error(`SplatHighlight: boxes hold ${h.boxes.length} floats, not a multiple of 6`);
}

/** Size of a data texture filled row by row: value k sits at x = k % width, y = floor(k / width). */
export interface TextureLayout {
  width: number;
  height: number;
}

/** Width x height of a texture holding `n` values row by row (at least one texel). */
export function textureLayout(n: number, width: number): TextureLayout {
  if (!Number.isInteger(n) || n < 0) throw new Error(`textureLayout: bad count ${n}`);
  return { width, height: Math.max(1, Math.ceil(n / width)) };
}

/** The per-splat bank rows padded to the semantic texture (uploaded once per scene): 2 bytes per splat. */
export function semanticTextureData(semantic: Uint16Array, count: number): { data: Uint16Array } & TextureLayout {
  if (semantic.length < count) throw new Error(`semanticTextureData: ${semantic.length} bank rows for ${count} Gaussians`);
  const layout = textureLayout(count, SEMANTIC_TEXTURE_WIDTH);
  const data = new Uint16Array(layout.width * layout.height);
  data.set(semantic.subarray(0, count));
  return { data, ...layout };
}

/** Fills `into` (a flag texture's data, grown when too small) with the entries; returns the array to upload. */
export function flagTextureData(entries: Uint8Array, into?: Uint8Array): { data: Uint8Array } & TextureLayout {
  const layout = textureLayout(entries.length, FLAG_TEXTURE_WIDTH);
  const size = layout.width * layout.height;
  const data = into && into.length >= size ? into : new Uint8Array(size);
  data.set(entries);
  data.fill(0, entries.length);
  return { data, width: layout.width, height: data.length / layout.width };
}

/** The box floats as texels (2 RGBA32F texels per box: min, max), grown when too small; returns the array to upload. */
export function boxTextureData(boxes: Float32Array, into?: Float32Array): { data: Float32Array } & TextureLayout {
  const n = boxes.length / 6;
  const width = Math.max(2, 2 * n);
  const data = into && into.length >= width * 4 ? into : new Float32Array(width * 4);
  data.fill(0);
  for (let k = 0; k < n; k++) {
    data.set(boxes.subarray(6 * k, 6 * k + 3), 8 * k);
    data.set(boxes.subarray(6 * k + 3, 6 * k + 6), 8 * k + 4);
  }
  return { data, width: data.length / 4, height: 1 };
}

/** The renderable part the CPU reference needs. */
export interface HighlightSplats {
  count: number;
  positions: Float32Array;
  semantic?: Uint16Array;
}

/**
 * CPU reference of the shader's choice (1 = highlighted): row flagged, or centre inside a box. Same
 * rules as the GLSL, including a row past the entries being unflagged.
 */
export function highlightMask(h: SplatHighlight, g: HighlightSplats): Uint8Array {
  checkHighlight(h);
  const { count, positions, semantic } = g;
  const m = new Uint8Array(count);
  const { entries, boxes } = h;
  const nb = boxes.length / 6;
  for (let i = 0; i < count; i++) {
    const row = semantic ? semantic[i] : 0;
    if (row !== 0 && row < entries.length && entries[row]) {
      m[i] = 1;
      continue;
    }
    const x = positions[3 * i], y = positions[3 * i + 1], z = positions[3 * i + 2];
    for (let b = 0; b < nb; b++) {
      const o = 6 * b;
      if (x >= boxes[o] && y >= boxes[o + 1] && z >= boxes[o + 2] && x <= boxes[o + 3] && y <= boxes[o + 4] && z <= boxes[o + 5]) {
        m[i] = 1;
        break;
      }
    }
  }
  return m;
}

/** Gaussians per bank row (computed once per scene, so counting an entries-only answer is O(bank rows)). */
export function rowCounts(semantic: Uint16Array, count: number): Uint32Array {
  if (semantic.length < count) throw new Error(`rowCounts: ${semantic.length} bank rows for ${count} Gaussians`);
  let max = 0;
  for (let i = 0; i < count; i++) if (semantic[i] > max) max = semantic[i];
  const out = new Uint32Array(max + 1);
  for (let i = 0; i < count; i++) out[semantic[i]]++;
  return out;
}

/** How many Gaussians the highlight selects; with `counts` (rowCounts) and no boxes it does not visit the splats. */
export function highlightedCount(h: SplatHighlight, g: HighlightSplats, counts?: Uint32Array): number {
  if (counts && h.boxes.length === 0) {
    checkHighlight(h);
    let n = 0;
    const end = Math.min(h.entries.length, counts.length);
    for (let r = 1; r < end; r++) if (h.entries[r]) n += counts[r];
    return n;
  }
  const m = highlightMask(h, g);
  let n = 0;
  for (let i = 0; i < m.length; i++) n += m[i];
  return n;
}
