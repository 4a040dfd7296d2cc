import { describe, expect, it } from 'vitest';
import { rasterize, rasterizeGeometry, valueNoise3, type RasterScene } from '../../../lib/sim/rasterizer';

const K = { fx: 100, fy: 100, cx: 50, cy: 50, width: 100, height: 100 };
const IDENTITY = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1];

function scene(tris: number[][], ids: number[]): RasterScene {
  return { positions: new Float32Array(tris.flat()), triangleCount: tris.length, objectId: new Uint16Array(ids) };
}

/** Axis-aligned square [x0, x1] x [y0, y1] at depth d (z = -d), as two triangles. */
function square(x0: number, x1: number, y0: number, y1: number, d: number): number[][] {
  return [
    [x0, y0, -d, x1, y0, -d, x1, y1, -d],
    [x0, y0, -d, x1, y1, -d, x0, y1, -d],
  ];
}

describe('rasterizer', () => {
  it('covers exactly the analytic footprint of a fronto-parallel square, at its depth, with its id', () => {
    // x in [-0.5, 0.5] at 2 m projects to u in [25, 75]: pixel centres 25.5 .. 74.5, 50 columns.
    const out = rasterizeGeometry(scene(square(-0.5, 0.5, -0.5, 0.5, 2), [7, 7]), { intrinsics: K, cameraToWorld: IDENTITY });
    let covered = 0;
    for (let v = 0; v < 100; v++)
      for (let u = 0; u < 100; u++) {
        const p = v * 100 + u;
        const inside = u >= 25 && u < 75 && v >= 25 && v < 75;
        expect(out.depth[p] > 0).toBe(inside);
        if (inside) {
          covered++;
          expect(out.depth[p]).toBe(2);
          expect(out.instance[p]).toBe(7);
        } else expect(out.instance[p]).toBe(0);
      }
    expect(covered).toBe(2500);
  });

  it('gives pixel centres on a shared edge to exactly one triangle (top-left rule)', () => {
    // The square's diagonal runs through pixel centres (25.5, 25.5), (26.5, 26.5), ...
    const [a, b] = square(-0.5, 0.5, -0.5, 0.5, 2);
    const ca = rasterizeGeometry(scene([a], [1]), { intrinsics: K, cameraToWorld: IDENTITY });
    const cb = rasterizeGeometry(scene([b], [2]), { intrinsics: K, cameraToWorld: IDENTITY });
    let n = 0;
    for (let p = 0; p < 10000; p++) {
      const ina = ca.triangle[p] >= 0, inb = cb.triangle[p] >= 0;
      expect(ina && inb).toBe(false);
      if (ina || inb) n++;
    }
    expect(n).toBe(2500);
  });

  it('interpolates depth perspective-correctly on a slanted plane', () => {
    // Plane z = -2 - 0.5 x. Ray (a, b, -1) t meets it where t = 2 / (1 - 0.5 a); depth along -z = t.
    const tri = [-1, -1, -2 + 0.5, 1, -1, -2 - 0.5, 0, 1.5, -2];
    const out = rasterizeGeometry(scene([tri], [3]), { intrinsics: K, cameraToWorld: IDENTITY });
    let checked = 0;
    for (let v = 0; v < 100; v++)
      for (let u = 0; u < 100; u++) {
        const p = v * 100 + u;
        if (!(out.depth[p] > 0)) continue;
        const a = (u + 0.5 - K.cx) / K.fx;
        expect(out.depth[p]).toBeCloseTo(2 / (1 - 0.5 * a), 4);
        checked++;
      }
    expect(checked).toBeGreaterThan(1000);
  });

  it('keeps the nearest surface and clips geometry that passes behind the camera', () => {
    // A floor 1.5 m below the camera reaching from behind it to 10 m ahead, and a square in front.
    const floor = [
      [-5, -1.5, 3, 5, -1.5, 3, 5, -1.5, -10],
      [-5, -1.5, 3, 5, -1.5, -10, -5, -1.5, -10],
    ];
    const sc = scene([...floor, ...square(-0.2, 0.2, -2, 0.2, 1)], [1, 1, 9, 9]);
    const out = rasterizeGeometry(sc, { intrinsics: K, cameraToWorld: IDENTITY });
    // Square: x in [-0.2, 0.2] at 1 m -> u 30..70, y down to -2 covers the lower image: id 9 at 1 m.
    expect(out.instance[60 * 100 + 50]).toBe(9);
    expect(out.depth[60 * 100 + 50]).toBeCloseTo(1, 6);
    // Beside the square, lower rows see the floor: depth 1.5 / ((v + 0.5 - cy) / fy).
    for (const v of [70, 80, 99]) {
      const p = v * 100 + 10;
      expect(out.instance[p]).toBe(1);
      expect(out.depth[p]).toBeCloseTo(1.5 / ((v + 0.5 - 50) / 100), 4);
    }
    // Upper half: nothing.
    expect(out.depth[20 * 100 + 10]).toBe(0);
    expect(out.triangle[20 * 100 + 10]).toBe(-1);
  });

  it('follows the camera pose (camera-to-world, looking down -z)', () => {
    // Camera at (0, 0, 5) turned 180 deg about y looks down +z: a square at z = +8 is 3 m ahead.
    const pose = [-1, 0, 0, 0, 0, 1, 0, 0, 0, 0, -1, 0, 0, 0, 5, 1];
    const sq = square(-0.5, 0.5, -0.5, 0.5, -8); // at z = +8
    const out = rasterizeGeometry(scene(sq, [4, 4]), { intrinsics: K, cameraToWorld: pose });
    expect(out.depth[50 * 100 + 50]).toBeCloseTo(3, 5);
    // Only the far square exists; the identity camera sees nothing of it (it is behind).
    const back = rasterizeGeometry(scene(sq, [4, 4]), { intrinsics: K, cameraToWorld: IDENTITY });
    expect(back.triangle.every((t) => t === -1)).toBe(true);
  });

  it('shades lit surfaces brighter than unlit ones and textures them', () => {
    const sc = { ...scene(square(-1, 1, -1, 1, 2), [1, 1]), albedo: new Uint8Array([200, 100, 50, 200, 100, 50]) };
    const lit = rasterize(sc, { intrinsics: K, cameraToWorld: IDENTITY }, { lightDir: [0, 0, 1], texture: 0 });
    const dark = rasterize(sc, { intrinsics: K, cameraToWorld: IDENTITY }, { lightDir: [0, 1, 0], texture: 0, ambient: 0.4 });
    const p = (50 * 100 + 50) * 3;
    expect([lit.rgb[p], lit.rgb[p + 1], lit.rgb[p + 2]]).toEqual([200, 100, 50]);
    expect(dark.rgb[p]).toBe(Math.round(200 * 0.4));
    const tex = rasterize(sc, { intrinsics: K, cameraToWorld: IDENTITY }, { lightDir: [0, 0, 1] });
    const reds = new Set<number>();
    for (let q = 0; q < 10000; q++) if (tex.triangle[q] >= 0) reds.add(tex.rgb[q * 3]);
    expect(reds.size).toBeGreaterThan(20);
    expect(valueNoise3(0.1, 0.2, 0.3, 0.03)).toBe(valueNoise3(0.1, 0.2, 0.3, 0.03));
  });

  it('rejects bad cameras and scenes', () => {
    const sc = scene(square(-1, 1, -1, 1, 2), [1, 1]);
    expect(() => rasterizeGeometry(sc, { intrinsics: { ...K, fx: 0 }, cameraToWorld: IDENTITY })).toThrow(/focal/);
    expect(() => rasterizeGeometry(sc, { intrinsics: { ...K, width: 0 }, cameraToWorld: IDENTITY })).toThrow(/size/);
    expect(() => rasterizeGeometry(sc, { intrinsics: K, cameraToWorld: [1, 2, 3] })).toThrow(/16/);
    expect(() => rasterizeGeometry({ ...sc, triangleCount: 5 }, { intrinsics: K, cameraToWorld: IDENTITY })).toThrow(/positions/);
  });
});
