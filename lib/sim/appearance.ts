/**
 * Per-triangle albedo of a scanned room: every labelled object gets a named colour from its id
 * (stable across runs and across views), structure gets fixed
 * plausible colours (pale walls, warm wooden floor, white ceiling), unlabelled clutter a neutral
 * gray-beige. The rasterizer multiplies these by shading and a world-space noise texture.
 */
import { SURFACE_CEILING, SURFACE_FLOOR, SURFACE_WALL, type RoomScene } from './room';

const STRUCTURE_RGB: Record<number, [number, number, number]> = {
  [SURFACE_WALL]: [206, 198, 184],
  [SURFACE_FLOOR]: [150, 112, 78],
  [SURFACE_CEILING]: [228, 228, 222],
};
const CLUTTER_RGB: [number, number, number] = [168, 164, 152];

/**
 * Named colours for labelled objects, cycled by object id. Named (not hashed) so that an end-to-end test can
 * ask for "the red one" with the colour-only stand-in CLIP, and the ground truth can say which object is red.
 * Walls, floor and ceiling use the beige/brown/white structure colours above; the palette avoids those.
 */
export const OBJECT_PALETTE: readonly { name: string; rgb: [number, number, number] }[] = [
  { name: 'red', rgb: [205, 32, 32] },
  { name: 'blue', rgb: [34, 64, 205] },
  { name: 'green', rgb: [40, 165, 52] },
  { name: 'yellow', rgb: [232, 214, 40] },
  { name: 'purple', rgb: [124, 42, 166] },
  { name: 'orange', rgb: [242, 134, 22] },
  { name: 'pink', rgb: [240, 150, 184] },
  { name: 'black', rgb: [24, 24, 28] },
];

export function objectColorName(id: number): string {
  return OBJECT_PALETTE[(Math.max(1, id) - 1) % OBJECT_PALETTE.length].name;
}

/** Deterministic named colour for an object id (see OBJECT_PALETTE). */
export function objectColor(id: number): [number, number, number] {
  const c = OBJECT_PALETTE[(Math.max(1, id) - 1) % OBJECT_PALETTE.length].rgb;
  return [c[0], c[1], c[2]];
}

/** 3 bytes RGB per triangle of the room. */
export function roomAlbedo(room: RoomScene): Uint8Array {
  const out = new Uint8Array(room.triangleCount * 3);
  const objRgb = new Map<number, [number, number, number]>();
  for (const o of room.objects) objRgb.set(o.id, objectColor(o.id));
  for (let t = 0; t < room.triangleCount; t++) {
    const id = room.objectId[t];
    const c = (id && objRgb.get(id)) || STRUCTURE_RGB[room.surface[t]] || CLUTTER_RGB;
    out[t * 3] = c[0];
    out[t * 3 + 1] = c[1];
    out[t * 3 + 2] = c[2];
  }
  return out;
}
