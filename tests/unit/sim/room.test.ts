import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { boxContains, GROW_MARGIN, loadRoom, SURFACE_CEILING, SURFACE_FLOOR, SURFACE_WALL } from '../../../lib/sim/room';

const semRoom = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../../../node_modules/@iwer/sem/captures/${name}.json`, import.meta.url), 'utf8'));

const b64 = (a: Float32Array | Uint32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');

describe('loadRoom on the @iwer/sem living_room', () => {
  const json = semRoom('living_room') as { spatialEntities: { semanticLabel_META: string; triangleMesh_META?: { indices: string } }[] };
  const room = loadRoom(json);

  it('has the expected labelled categories, two lamps and the whole global mesh', () => {
    const labels = new Set(room.objects.map((o) => o.label));
    for (const l of ['LAMP', 'COUCH', 'TABLE', 'STORAGE', 'WALL_ART', 'WINDOW_FRAME']) expect(labels.has(l)).toBe(true);
    const lamps = room.objects.filter((o) => o.label === 'LAMP');
    expect(lamps).toHaveLength(2);
    for (const l of lamps) expect(l.triangleCount).toBeGreaterThan(50);
    const mesh = json.spatialEntities.find((e) => e.triangleMesh_META)!;
    expect(room.triangleCount).toBe(Buffer.from(mesh.triangleMesh_META!.indices, 'base64').length / 12);
    room.objects.forEach((o, i) => expect(o.id).toBe(i + 1));
    expect(Math.max(...room.objectId)).toBeLessThanOrEqual(room.objects.length);
  });

  it('is y-up metres with the floor near y = 0 (WebXR local-floor)', () => {
    expect(Math.abs(room.floorY)).toBeLessThan(0.1);
    expect(room.ceilingY).toBeGreaterThan(2.2);
    expect(room.boundsMin[1]).toBeGreaterThan(-0.1);
    expect(room.boundsMin[1]).toBeLessThan(0.1);
    const size = [0, 1, 2].map((k) => room.boundsMax[k] - room.boundsMin[k]);
    for (const s of size) expect(s).toBeGreaterThan(2); // a room, not centimetres or millimetres
    for (const s of size) expect(s).toBeLessThan(15);
    // Floor triangles lie low and are horizontal, ceiling triangles high, walls vertical.
    const P = room.positions;
    const stats = (cls: number) => {
      let n = 0, y = 0, ny = 0;
      for (let t = 0; t < room.triangleCount; t++) {
        if (room.surface[t] !== cls) continue;
        const o = t * 9;
        const e1 = [P[o + 3] - P[o], P[o + 4] - P[o + 1], P[o + 5] - P[o + 2]];
        const e2 = [P[o + 6] - P[o], P[o + 7] - P[o + 1], P[o + 8] - P[o + 2]];
        const c = [e1[1] * e2[2] - e1[2] * e2[1], e1[2] * e2[0] - e1[0] * e2[2], e1[0] * e2[1] - e1[1] * e2[0]];
        ny += Math.abs(c[1]) / Math.hypot(c[0], c[1], c[2]);
        y += (P[o + 1] + P[o + 4] + P[o + 7]) / 3;
        n++;
      }
      return { n, y: y / n, ny: ny / n };
    };
    const floor = stats(SURFACE_FLOOR), ceil = stats(SURFACE_CEILING), wall = stats(SURFACE_WALL);
    expect(floor.n).toBeGreaterThan(500);
    expect(Math.abs(floor.y)).toBeLessThan(0.1);
    expect(floor.ny).toBeGreaterThan(0.9);
    expect(ceil.y).toBeGreaterThan(2.2);
    expect(wall.ny).toBeLessThan(0.3);
  });

  it('gives lamp triangles lamp ids inside the lamp boxes', () => {
    const lamp = room.objects.find((o) => o.label === 'LAMP')!;
    const P = room.positions;
    let n = 0;
    for (let t = 0; t < room.triangleCount; t++) {
      if (room.objectId[t] !== lamp.id) continue;
      const o = t * 9;
      const c = [(P[o] + P[o + 3] + P[o + 6]) / 3, (P[o + 1] + P[o + 4] + P[o + 7]) / 3, (P[o + 2] + P[o + 5] + P[o + 8]) / 3];
      expect(boxContains(lamp.box, c[0], c[1], c[2], GROW_MARGIN + 1e-6)).toBe(true);
      n++;
    }
    expect(n).toBe(lamp.triangleCount);
  });
});

describe('loadRoom conventions on a hand-made capture', () => {
  // Entity rotated +90 deg about y and moved to (1, 0, 0): local (1, 0, 0) -> world (1, 0, -1).
  const s = Math.SQRT1_2;
  const make = (indices = new Uint32Array([0, 1, 2, 0, 2, 3])) => ({
    type: 'scene',
    spatialEntities: [
      {
        uuid: 'mesh',
        semanticLabel_META: 'GLOBAL_MESH',
        locatable_META: { position: { x: 1, y: 0, z: 0 }, orientation: { x: 0, y: s, z: 0, w: s } },
        triangleMesh_META: {
          vertices: b64(new Float32Array([1, 0, 0, 1, 1, 0, 1.2, 1, 0, 1.2, 0, 0])),
          indices: b64(indices),
        },
      },
      {
        uuid: 'box',
        semanticLabel_META: 'LAMP',
        // Box local [-0.1, 0.1] x [0, 2] x [-0.1, 0.1] at (1, 0, -1.1): holds the mesh's centroids.
        locatable_META: { position: { x: 1, y: 0, z: -1.1 }, orientation: { x: 0, y: 0, z: 0, w: 1 } },
        bounded3D_META: { offset: { x: -0.1, y: 0, z: -0.1 }, extent: { width: 0.2, height: 2, depth: 0.2 } },
      },
    ],
  });

  it('applies the entity pose to the mesh and assigns box ids', () => {
    const room = loadRoom(make());
    expect(room.triangleCount).toBe(2);
    expect(room.positions[0]).toBeCloseTo(1, 6);
    expect(room.positions[1]).toBeCloseTo(0, 6);
    expect(room.positions[2]).toBeCloseTo(-1, 6);
    expect(room.positions[6]).toBeCloseTo(1, 6); // (1.2, 1, 0) -> (1, 1, -1.2)
    expect(room.positions[8]).toBeCloseTo(-1.2, 6);
    expect(room.objects).toHaveLength(1);
    expect(room.objects[0].label).toBe('LAMP');
    expect(Array.from(room.objectId)).toEqual([1, 1]);
    expect(room.objects[0].aabbMin[2]).toBeCloseTo(-1.2, 6);
  });

  it('grows an object into connected triangles just outside its box, not into loose ones', () => {
    const json = make(new Uint32Array([0, 1, 2, 0, 2, 3, 4, 5, 6]));
    const m = json.spatialEntities[0].triangleMesh_META!;
    // Vertices 4..6: a loose triangle 5..7 cm outside the box (world x = 1 + local z, z = -local x).
    m.vertices = b64(new Float32Array([1, 0, 0, 1, 1, 0, 1.2, 1, 0, 1.2, 0, 0, 1.05, 0, 0, 1.05, 0.3, 0, 1.07, 0, 0]));
    // Box z in [-1.25, -1.12]: triangle 1 (centroid z -1.133) inside, triangle 0 (z -1.067) 5 cm out.
    const box = json.spatialEntities[1];
    box.locatable_META.position.z = -1.185;
    box.bounded3D_META!.offset.z = -0.065;
    box.bounded3D_META!.extent.depth = 0.13;
    const room = loadRoom(json);
    expect(Array.from(room.objectId)).toEqual([1, 1, 0]);
    expect(room.objects[0].triangleCount).toBe(2);
  });

  it('rejects malformed input with a clear error', () => {
    expect(() => loadRoom(null)).toThrow(/room JSON/);
    expect(() => loadRoom({ spatialEntities: [] })).toThrow(/no triangleMesh_META/);
    expect(() => loadRoom(make(new Uint32Array([0, 1, 9])))).toThrow(/out of range/);
    const bad = make();
    (bad.spatialEntities[0].locatable_META.position as { x: unknown }).x = 'one';
    expect(() => loadRoom(bad)).toThrow(/position.x/);
  });
});

describe('every @iwer/sem room loads', () => {
  it.each(['music_room', 'office_large', 'meeting_room', 'office_small'])('%s', (name) => {
    const room = loadRoom(semRoom(name));
    expect(room.triangleCount).toBeGreaterThan(1000);
    expect(room.objects.length).toBeGreaterThan(2);
    expect(Math.abs(room.floorY)).toBeLessThan(0.1);
    expect(room.ceilingY - room.floorY).toBeGreaterThan(2.2);
  });
});
