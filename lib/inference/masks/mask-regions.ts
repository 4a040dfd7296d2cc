/**
 * Connected regions of binary masks: SAM's small-region removal (fill small holes, drop small islands).
 */

/**
 * Labels the 8-connected components of pixels equal to `value` in a binary mask.
 * @returns per-pixel component id (0 = not `value`, 1..n) and the area of each component (index id-1)
 */
export function connectedComponents(
  mask: Uint8Array,
  width: number,
  height: number,
  value: 0 | 1,
): { ids: Int32Array; areas: number[] } {
  if (mask.length !== width * height) throw new Error(`connectedComponents: mask has ${mask.length} pixels, expected ${width}x${height}`);
  const ids = new Int32Array(width * height);
  const areas: number[] = [];
  const stack = new Int32Array(width * height);
  for (let s = 0; s < mask.length; s++) {
    if (ids[s] !== 0 || (mask[s] !== 0 ? 1 : 0) !== value) continue;
    const id = areas.length + 1;
    let top = 0;
    let area = 0;
    stack[top++] = s;
    ids[s] = id;
    while (top > 0) {
      const p = stack[--top];
      area++;
      const px = p % width;
      const py = (p - px) / width;
      for (let dy = -1; dy <= 1; dy++) {
        const ny = py + dy;
        if (ny < 0 || ny >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const nx = px + dx;
          if ((dx === 0 && dy === 0) || nx < 0 || nx >= width) continue;
          const q = ny * width + nx;
          if (ids[q] === 0 && (mask[q] !== 0 ? 1 : 0) === value) {
            ids[q] = id;
            stack[top++] = q;
          }
        }
      }
    }
    areas.push(area);
  }
  return { ids, areas };
}

/**
 * SAM's `remove_small_regions` applied both ways, in place: background components smaller than
 * `minArea` (holes) are filled, then foreground components smaller than `minArea` (islands) are
 * removed. If every island is small the largest one is kept, so a real but small object survives.
 * @returns the remaining foreground area
 */
export function removeSmallRegions(mask: Uint8Array, width: number, height: number, minArea: number): number {
  if (!(minArea >= 0)) throw new Error(`removeSmallRegions: minArea must be >= 0, got ${minArea}`);
  if (minArea <= 1) {
    let a = 0;
    for (let i = 0; i < mask.length; i++) a += mask[i] ? 1 : 0;
    return a;
  }
  const holes = connectedComponents(mask, width, height, 0);
  const fill = holes.areas.map((a) => a < minArea);
  if (fill.some(Boolean)) {
    for (let i = 0; i < mask.length; i++) if (holes.ids[i] && fill[holes.ids[i] - 1]) mask[i] = 1;
  }
  const islands = connectedComponents(mask, width, height, 1);
  if (islands.areas.length === 0) return 0;
  let largest = 0;
  for (let c = 1; c < islands.areas.length; c++) if (islands.areas[c] > islands.areas[largest]) largest = c;
  const keep = islands.areas.map((a, c) => a >= minArea || c === largest);
  let area = 0;
  for (let i = 0; i < mask.length; i++) {
    const id = islands.ids[i];
    if (!id) continue;
    if (keep[id - 1]) area++;
    else mask[i] = 0;
  }
  return area;
}
