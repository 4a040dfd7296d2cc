import { describe, expect, it } from 'vitest';
import { ScanCoverage, depthFromPoints, describeThinArea, nominalDepth, relativeDirection, type CoverageReport } from '../../../lib/pipeline/scan-coverage';
import { ScanSession } from '../../../lib/pipeline/scan-session';
import type { DepthMap, Frame, Intrinsics } from '../../../lib/capture/frame';
import { renderCapture } from '../../../lib/sim/render-capture';
import { loadRoom } from '../../../lib/sim/room';
import { readSemRoom } from '../../../scripts/samples';
import { GraphSegmentationGenerator } from '../../../lib/inference/masks/graph-segmentation';
import { OracleClip } from '../../../lib/inference/semantics/oracle-embedder';

/** Camera-to-world at `pos` looking at `target` (column-major, camera looks down -z, y up). */
function lookAt(pos: [number, number, number], target: [number, number, number]): Float64Array {
  const f = [target[0] - pos[0], target[1] - pos[1], target[2] - pos[2]];
  const fl = Math.hypot(f[0], f[1], f[2]);
  const z = f.map((v) => -v / fl); // camera +z points away from the target
  let x = [z[2], 0, -z[0]]; // world up x z
  const xl = Math.hypot(x[0], x[1], x[2]);
  x = x.map((v) => v / xl);
  const y = [z[1] * x[2] - z[2] * x[1], z[2] * x[0] - z[0] * x[2], z[0] * x[1] - z[1] * x[0]];
  return Float64Array.from([...x, 0, ...y, 0, ...z, 0, ...pos, 1]);
}

const K: Intrinsics = { fx: 50, fy: 50, cx: 32, cy: 24, width: 64, height: 48 };

/**
 * Depth map of a scene made of a vertical cylinder (centre cx, cz, radius r, from y = 0 to top) and,
 * optionally, a wall (the plane z = wallZ, facing +z). Side surfaces only; nothing else is hit.
 */
function renderDepth(m: Float64Array, scene: { cyl?: [number, number, number, number]; wallZ?: number }, k = K): DepthMap {
  const data = new Float32Array(k.width * k.height);
  const o = [m[12], m[13], m[14]];
  for (let v = 0; v < k.height; v++) {
    for (let u = 0; u < k.width; u++) {
      const dc = [(u + 0.5 - k.cx) / k.fx, -(v + 0.5 - k.cy) / k.fy, -1]; // z-depth 1 ray, camera space
      const d = [0, 1, 2].map((i) => m[i] * dc[0] + m[4 + i] * dc[1] + m[8 + i] * dc[2]);
      let best = Infinity;
      if (scene.cyl) {
        const [cx, cz, r, top] = scene.cyl;
        const px = o[0] - cx, pz = o[2] - cz;
        const a = d[0] * d[0] + d[2] * d[2], b = 2 * (px * d[0] + pz * d[2]), c = px * px + pz * pz - r * r;
        const disc = b * b - 4 * a * c;
        if (a > 0 && disc >= 0) {
          const t = (-b - Math.sqrt(disc)) / (2 * a);
          const y = o[1] + t * d[1];
          if (t > 0 && y >= 0 && y <= top) best = t;
        }
      }
      if (scene.wallZ !== undefined && d[2] !== 0) {
        const t = (scene.wallZ - o[2]) / d[2];
        const y = o[1] + t * d[1];
        if (t > 0 && y >= 0 && y <= 3 && t < best) best = t;
      }
      if (best < Infinity) data[v * k.width + u] = best; // t is the z-depth since the ray has unit -z
    }
  }
  return { width: k.width, height: k.height, data, intrinsics: k };
}

const CYL: [number, number, number, number] = [0, 0, 0.4, 1];

describe('ScanCoverage', () => {
  it('covers an object from all sides when the camera orbits it', () => {
    const c = new ScanCoverage();
    for (let i = 0; i < 16; i++) {
      const a = (i / 16) * 2 * Math.PI;
      const m = lookAt([2.5 * Math.cos(a), 1, 2.5 * Math.sin(a)], [0, 0.5, 0]);
      c.addView(m, renderDepth(m, { cyl: CYL }));
    }
    const r = c.report();
    expect(r.views).toBe(16);
    expect(r.cellsSeen).toBeGreaterThanOrEqual(4); // the 0.8 m cylinder spans the 4 cells around the origin
    expect(r.cellsWellSeen).toBe(r.cellsSeen);
    expect(r.thinCells).toBe(0);
    expect(r.thinAreas).toEqual([]);
    expect(structuredClone(r)).toEqual(r);
  });

  it('leaves the object thin when it is seen from one side, centred on it, with the sides it misses', () => {
    const c = new ScanCoverage();
    // A short sideways walk 3 m in front of it (+z side), looking at it.
    for (const x of [-0.3, -0.1, 0.1, 0.3]) {
      const m = lookAt([x, 1.2, 3], [0, 0.5, 0]);
      c.addView(m, renderDepth(m, { cyl: CYL }));
    }
    const r = c.report();
    expect(r.cellsSeen).toBeGreaterThan(0);
    expect(r.cellsWellSeen).toBe(0);
    expect(r.thinAreaCount).toBe(1);
    const a = r.thinAreas[0];
    expect(a.severity).toBe('one-side');
    expect(a.cells).toBe(r.thinCells);
    // Its centre is on the seen (+z) half of the cylinder.
    expect(Math.abs(a.centre[0])).toBeLessThan(0.2);
    expect(a.centre[1]).toBeGreaterThan(0);
    expect(a.centre[1]).toBeLessThan(0.45);
    expect(a.height).toBeGreaterThan(0.1);
    expect(a.radius).toBeGreaterThan(0.25);
    // Seen from +z: the walk straddles the boundary between sectors 5 and 6 (270°, straight +z).
    expect(a.seenSectors).toEqual([5, 6]);
    // Missing: the sectors to its sides (+x and -x), which its surfaces face too.
    expect(a.missingSectors).toContain(c.sectorOf(1, 0.2));
    expect(a.missingSectors).toContain(c.sectorOf(-1, 0.2));
    expect(a.missingSectors).not.toContain(a.seenSectors[0]);
    // Worded from where the walk ended: ahead, about 3 m, not yet seen from its left and right.
    const text = describeThinArea(a, r, lookAt([0, 1.2, 3], [0, 0.5, 0]));
    expect(text).toMatch(/^the area 2\.[6-9] m ahead \(near x -?0\.\d\d, z 0\.\d\d\) was seen from one side only: walk around it \(not yet from its left, right\)$/);

    // Walking around it clears the thin area.
    for (let i = 0; i < 8; i++) {
      const ang = (i / 8) * 2 * Math.PI;
      const m = lookAt([2.5 * Math.cos(ang), 1, 2.5 * Math.sin(ang)], [0, 0.5, 0]);
      c.addView(m, renderDepth(m, { cyl: CYL }));
    }
    expect(c.report().thinCells).toBe(0);
  });

  it('never asks for a wall to be seen from behind, and ignores the floor', () => {
    const c = new ScanCoverage();
    const m = lookAt([0, 1.5, 2], [0, 1.5, 0]);
    c.addView(m, renderDepth(m, { wallZ: 0 }));
    const r = c.report();
    expect(r.thinAreaCount).toBeGreaterThan(0);
    expect(r.thinAreas[0].severity).toBe('one-side');
    const back = c.sectorOf(0, -1);
    for (const a of r.thinAreas) expect(a.missingSectors).not.toContain(back);
    // Three sectors face the wall's side: once seen from all three, it is done.
    for (const x of [-2.5, 2.5]) {
      const m2 = lookAt([x, 1.5, 1.5], [0, 1.5, 0]);
      c.addView(m2, renderDepth(m2, { wallZ: 0 }));
    }
    const wallCells = c.report();
    expect(wallCells.cellsWellSeen).toBeGreaterThan(0);

    // A camera looking straight at the floor sees only horizontal surface: nothing counts.
    const floor = new ScanCoverage();
    const down = Float64Array.from([1, 0, 0, 0, 0, 0, -1, 0, 0, 1, 0, 0, 0, 1.5, 0, 1]);
    floor.addView(down, { width: 64, height: 48, data: new Float32Array(64 * 48).fill(1.5), intrinsics: K });
    expect(floor.report()).toMatchObject({ views: 1, cellsSeen: 0, thinCells: 0, bounds: null });
  });

  it('grows with the scan and never exceeds its cell cap', () => {
    const c = new ScanCoverage();
    const m1 = lookAt([0, 1, 3], [0, 0.5, 0]);
    c.addView(m1, renderDepth(m1, { cyl: CYL }));
    const first = c.report();
    // A second object 20 m away: the grid grows and keeps what it had.
    const far: [number, number, number, number] = [20, -10, 0.4, 1];
    const m2 = lookAt([20, 1, -7], [20, 0.5, -10]);
    c.addView(m2, renderDepth(m2, { cyl: far }));
    const r = c.report();
    expect(r.cellsSeen).toBeGreaterThan(first.cellsSeen);
    expect(r.bounds!.maxX).toBeGreaterThan(20);
    expect(r.bounds!.minZ).toBeLessThan(-10);
    expect(r.thinAreaCount).toBe(2);
    expect(r.capped).toBe(false);

    const small = new ScanCoverage({ maxCells: 16 });
    small.addView(m1, renderDepth(m1, { cyl: CYL }));
    small.addView(m2, renderDepth(m2, { cyl: far }));
    const s = small.report();
    expect(small.allocatedCells).toBeLessThanOrEqual(16);
    expect(s.capped).toBe(true);
    expect(s.droppedPoints).toBeGreaterThan(0);
    expect(s.cellsSeen).toBeGreaterThan(0); // the first object is still there
    // A first view already wider than the cap keeps a cap-sized window of it.
    const wide = new ScanCoverage({ maxCells: 4, cellSize: 0.1 });
    const mw = lookAt([0, 1.5, 2], [0, 1.5, 0]);
    wide.addView(mw, renderDepth(mw, { wallZ: 0 }));
    expect(wide.allocatedCells).toBeLessThanOrEqual(4);
    expect(wide.report().capped).toBe(true);
  });

  it('refuses bad poses, depth maps and options with clear errors', () => {
    const c = new ScanCoverage();
    const m = lookAt([0, 1, 3], [0, 0.5, 0]);
    const d = renderDepth(m, { cyl: CYL });
    const nan = Float64Array.from(m);
    nan[13] = Number.NaN;
    expect(() => c.addView(nan, d)).toThrow(/non-finite value at index 13/);
    expect(() => c.addView([1, 2, 3], d)).toThrow(/16 values/);
    expect(() => c.addView(m, { ...d, data: new Float32Array(10) })).toThrow(/10 values for 64x48/);
    expect(() => c.addView(m, { ...d, intrinsics: { ...K, width: 320, height: 240 } })).toThrow(/intrinsics describe 320x240, the depth map is 64x48/);
    expect(() => c.addView(m, { ...d, confidence: new Float32Array(5) })).toThrow(/confidence has 5 values/);
    expect(() => new ScanCoverage({ sectors: 32 })).toThrow(/sectors/);
    expect(() => new ScanCoverage({ minSectors: 9 })).toThrow(/minSectors/);
    expect(() => new ScanCoverage({ maxCells: 0 })).toThrow(/maxCells/);
    expect(() => new ScanCoverage({ cellSize: 0 })).toThrow(/cellSize/);
    expect(() => relativeDirection(nan, 0, 0)).toThrow(/non-finite/);
    expect(c.report().views).toBe(0); // nothing was half-added
  });
});

describe('relativeDirection and the depthless helpers', () => {
  it('words a point relative to where the camera looks', () => {
    const m = lookAt([0, 1.5, 0], [0, 1.5, -1]); // looking down -z
    expect(relativeDirection(m, 0, -2)).toMatchObject({ word: 'ahead', distance: 2 });
    expect(relativeDirection(m, -1, -1).word).toBe('ahead-left');
    expect(relativeDirection(m, 1, 0).word).toBe('right');
    expect(relativeDirection(m, 0, 1).word).toBe('behind');
    expect(relativeDirection(m, -1, 1).word).toBe('behind-left');
    const turned = lookAt([1, 1.5, 1], [2, 1.5, 1]); // looking down +x
    expect(relativeDirection(turned, 1, 0).word).toBe('left');
    expect(relativeDirection(turned, 3, 1).distance).toBeCloseTo(2, 9);
  });

  it('renders world points into a coarse depth map, and a nominal frustum without them', () => {
    const m = lookAt([0, 1, 3], [0, 1, 0]);
    const pts = Float32Array.from([0, 1, 0, 0, 1, 1, 5, 1, 0 /* outside the view */, 0, 1, 4 /* behind */]);
    const d = depthFromPoints(pts, 4, m, K, 32);
    expect(d.width).toBe(32);
    expect(d.height).toBe(24);
    const nonzero = Array.from(d.data).filter((v) => v > 0);
    expect(nonzero).toEqual([2]); // the nearer of the two on the axis
    expect(() => depthFromPoints(pts, 5, m, K)).toThrow(/5 points need 15 values/);
    const n = nominalDepth(K, 2, 16);
    expect(n.intrinsics.width).toBe(16);
    expect(n.data.every((v) => v === 2)).toBe(true);
  });
});

describe('ScanSession coverage', () => {
  const room = loadRoom(readSemRoom('living_room'));
  const cap = renderCapture(room, { seed: 3, views: 4, width: 64, height: 48 });

  it('covers device-depth keyframes on arrival and depthless ones once reconstructed, each once', async () => {
    const s = new ScanSession({ budget: 20000 });
    s.add(cap.frames[0]);
    const cov: CoverageReport = s.status().coverage;
    expect(cov.views).toBe(1);
    expect(cov.cellsSeen).toBeGreaterThan(0);
    expect(structuredClone(cov)).toEqual(cov);
    const noDepth: Frame[] = cap.frames.slice(1, 3).map((f) => ({ ...f, depth: undefined }));
    for (const f of noDepth) s.add(f);
    expect(s.status().coverage.views).toBe(1); // not yet reconstructed
    await s.step();
    const after = s.status().coverage;
    expect(after.views).toBe(3);
    expect(after.cellsSeen).toBeGreaterThanOrEqual(cov.cellsSeen);

    // A semantics rebuild redoes every keyframe: the coverage counts none twice.
    s.enableSemantics({ generator: new GraphSegmentationGenerator(), embedder: new OracleClip({ dim: 8, labelOfCrop: () => null }).image, mode: 'instances' });
    while (s.status().queued > 0) await s.step();
    expect(s.status().coverage.views).toBe(3);
  });

  it('refuses a keyframe with a bad pose or depth map before queuing it', () => {
    const s = new ScanSession({ budget: 1000 });
    const f = cap.frames[0];
    const bad = Float64Array.from(f.cameraToWorld);
    bad[0] = Number.NaN;
    expect(() => s.add({ ...f, cameraToWorld: bad })).toThrow(/non-finite/);
    expect(() => s.add({ ...f, depth: { ...f.depth!, data: new Float32Array(3) } })).toThrow(/3 values for/);
    expect(s.status().keyframes).toBe(0);
  });
});
