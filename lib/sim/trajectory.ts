/**
 * A plausible hand-held scanning walk through a scanned room, deterministic per seed.
 *
 * 1. Free space: a 10 cm grid over the floor. A cell is blocked when scanned geometry between
 *    knee and head height (floor + 0.15 .. 2.0 m) falls in it, when it lies outside the FLOOR
 *    rectangle, or when the scan saw no floor within 0.3 m (unscanned parts of a room). Walkable cells keep a clearance from anything blocked (0.5 m, relaxed step by step
 *    to 0.25 m until the walkable region covers ENOUGH_AREA); the largest 4-connected walkable
 *    region is used.
 * 2. Waypoints: a seeded random walk over walkable cells, legs of 0.6..1.5 m whose straight
 *    segment stays walkable, avoiding U-turns; of 10 random candidate legs the one ending farthest
 *    from earlier waypoints wins (explore the room), until the path is ~STEP_M per keyframe long.
 * 3. Path: a Catmull-Rom spline through the waypoints resampled at equal arc length (one sample
 *    per keyframe). A spline that overshoots into blocked space is retried with another walk.
 * 4. Looking: each waypoint gets a look target, a labelled object 1..3 m away when there is one
 *    (least recently looked at first), otherwise a point 2 m ahead at table height. Between
 *    waypoints yaw / pitch blend smoothly (shortest angle) from one target to the next; slow
 *    value-noise wobble in yaw, pitch and roll, and a +-2 cm walking bob around EYE_HEIGHT.
 * 5. Distance check: a coarse 40x30 depth render per keyframe; where its median depth is outside
 *    LOOK_NEAR..LOOK_FAR the camera turns to the nearest yaw that fits (nearest to the previous
 *    keyframe's turn first). The heading is then unwrapped, smoothed and limited to MAX_TURN per
 *    keyframe; check + smooth run three times, as smoothing can undo a correction.
 * Poses are camera-to-world, column-major 4x4, camera looking down -z with +y up.
 */
import { rasterizeGeometry, type RasterScene } from './rasterizer';
import type { RoomScene } from './room';

export const EYE_HEIGHT = 1.5;
/** Preferred distance (m) from the path to anything blocked, relaxed for small rooms. */
export const CLEARANCES = [0.5, 0.4, 0.32, 0.25];
/** A walkable region this large (m^2) is enough to stop relaxing the clearance. */
const ENOUGH_AREA = 1.5;
export const STEP_M = 0.2;
const CELL = 0.1;

export interface TrajectoryOptions {
  seed: number;
  /** Keyframes, 2..200 (the product's captures use 20..60). */
  views: number;
}

export interface Trajectory {
  /** Camera-to-world per keyframe, column-major. */
  poses: Float64Array[];
  /** Object id each keyframe mostly looks at (0 = no object, just the room). */
  lookAt: number[];
}

/** Seeded PRNG (mulberry32): uniform [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface FreeSpace {
  x0: number;
  z0: number;
  nx: number;
  nz: number;
  cell: number;
  /** Distance (m) from each cell centre to the nearest blocked cell (capped at 2 m). */
  clearance: Float32Array;
  /** 1 = in the walkable region used for paths. */
  walkable: Uint8Array;
  /** The clearance (m) the walkable region keeps. */
  minClearance: number;
}

/** Whether a world x, z is inside the room's FLOOR rectangle (true when the room has none). */
export function insideFloor(room: RoomScene, x: number, z: number, margin = 0): boolean {
  const f = room.planes.find((p) => p.label === 'FLOOR');
  if (!f) return x >= room.boundsMin[0] && x <= room.boundsMax[0] && z >= room.boundsMin[2] && z <= room.boundsMax[2];
  const dx = x - f.origin[0], dz = z - f.origin[2];
  const u = dx * f.axisU[0] + dz * f.axisU[2];
  const v = dx * f.axisV[0] + dz * f.axisV[2];
  return u >= f.uMin + margin && u <= f.uMax - margin && v >= f.vMin + margin && v <= f.vMax - margin;
}

export function freeSpace(room: RoomScene): FreeSpace {
  const x0 = room.boundsMin[0] - CELL, z0 = room.boundsMin[2] - CELL;
  const nx = Math.ceil((room.boundsMax[0] - x0) / CELL) + 2;
  const nz = Math.ceil((room.boundsMax[2] - z0) / CELL) + 2;
  if (nx * nz > 4_000_000) throw new Error(`trajectory: room too large for the free-space grid (${nx}x${nz})`);
  const blocked = new Uint8Array(nx * nz);
  const lo = room.floorY + 0.15, hi = room.floorY + 2.0;
  const P = room.positions;
  const floorSeen = new Uint8Array(nx * nz);
  const mark = (x: number, y: number, z: number) => {
    const i = Math.floor((x - x0) / CELL), k = Math.floor((z - z0) / CELL);
    if (i < 0 || i >= nx || k < 0 || k >= nz) return;
    if (y < room.floorY + 0.1) floorSeen[k * nx + i] = 1;
    else if (y >= lo && y <= hi) blocked[k * nx + i] = 1;
  };
  for (let t = 0; t < room.triangleCount; t++) {
    const o = t * 9;
    const ax = P[o], ay = P[o + 1], az = P[o + 2];
    const bx = P[o + 3] - ax, by = P[o + 4] - ay, bz = P[o + 5] - az;
    const cx = P[o + 6] - ax, cy = P[o + 7] - ay, cz = P[o + 8] - az;
    const len = Math.max(Math.hypot(bx, by, bz), Math.hypot(cx, cy, cz), Math.hypot(cx - bx, cy - by, cz - bz));
    const n = Math.min(200, Math.max(1, Math.ceil(len / (CELL / 2))));
    for (let i = 0; i <= n; i++)
      for (let j = 0; i + j <= n; j++) mark(ax + (bx * i + cx * j) / n, ay + (by * i + cy * j) / n, az + (bz * i + cz * j) / n);
  }
  // Walk only where the scan saw floor nearby (within 0.3 m): unscanned parts of a room are
  // holes in every view.
  const R0 = 3;
  for (let k = 0; k < nz; k++)
    for (let i = 0; i < nx; i++) {
      let seen = false;
      for (let dk = -R0; dk <= R0 && !seen; dk++)
        for (let di = -R0; di <= R0 && !seen; di++) {
          const kk = k + dk, ii = i + di;
          if (kk >= 0 && kk < nz && ii >= 0 && ii < nx && floorSeen[kk * nx + ii]) seen = true;
        }
      if (!seen || !insideFloor(room, x0 + (i + 0.5) * CELL, z0 + (k + 0.5) * CELL)) blocked[k * nx + i] = 1;
    }
  // Brute-force distance to the nearest blocked cell within 2 m (grids are ~60x60).
  const R = Math.ceil(2 / CELL);
  const clearance = new Float32Array(nx * nz);
  for (let k = 0; k < nz; k++)
    for (let i = 0; i < nx; i++) {
      let best = 2;
      if (blocked[k * nx + i]) best = 0;
      else
        for (let dk = -R; dk <= R; dk++)
          for (let di = -R; di <= R; di++) {
            const kk = k + dk, ii = i + di;
            const outside = kk < 0 || kk >= nz || ii < 0 || ii >= nx;
            if (outside || blocked[kk * nx + ii]) {
              const d = Math.hypot(di, dk) * CELL - CELL / 2;
              if (d < best) best = d;
            }
          }
      clearance[k * nx + i] = best;
    }
  let best: { walkable: Uint8Array; size: number; minClearance: number } | null = null;
  for (const need of CLEARANCES) {
    const r = largestRegion(clearance, nx, nz, need);
    if (!best || r.size > best.size) best = { ...r, minClearance: need };
    if (r.size * CELL * CELL >= ENOUGH_AREA) {
      best = { ...r, minClearance: need };
      break;
    }
  }
  if (!best || best.size < 4)
    throw new Error(`trajectory: the room has no walkable space with ${CLEARANCES[CLEARANCES.length - 1]} m clearance`);
  return { x0, z0, nx, nz, cell: CELL, clearance, walkable: best.walkable, minClearance: best.minClearance };
}

/** Largest 4-connected region of cells with at least `need` metres of clearance. */
function largestRegion(clearance: Float32Array, nx: number, nz: number, need: number): { walkable: Uint8Array; size: number } {
  const ok = (c: number) => clearance[c] >= need;
  const label = new Int32Array(nx * nz).fill(-1);
  let bestLabel = -1, bestSize = 0;
  const stack: number[] = [];
  for (let c = 0, next = 0; c < nx * nz; c++) {
    if (!ok(c) || label[c] >= 0) continue;
    let size = 0;
    label[c] = next;
    stack.push(c);
    while (stack.length) {
      const q = stack.pop()!;
      size++;
      const i = q % nx, k = (q - i) / nx;
      const nb = [i > 0 ? q - 1 : -1, i < nx - 1 ? q + 1 : -1, k > 0 ? q - nx : -1, k < nz - 1 ? q + nx : -1];
      for (const r of nb)
        if (r >= 0 && ok(r) && label[r] < 0) {
          label[r] = next;
          stack.push(r);
        }
    }
    if (size > bestSize) {
      bestSize = size;
      bestLabel = next;
    }
    next++;
  }
  const walkable = new Uint8Array(nx * nz);
  for (let c = 0; c < nx * nz; c++) if (label[c] === bestLabel) walkable[c] = 1;
  return { walkable, size: bestSize };
}

function cellOf(fs: FreeSpace, x: number, z: number): number {
  const i = Math.floor((x - fs.x0) / fs.cell), k = Math.floor((z - fs.z0) / fs.cell);
  if (i < 0 || i >= fs.nx || k < 0 || k >= fs.nz) return -1;
  return k * fs.nx + i;
}

/** Clearance (m) at a world x, z; 0 outside the grid. */
export function clearanceAt(fs: FreeSpace, x: number, z: number): number {
  const c = cellOf(fs, x, z);
  return c < 0 ? 0 : fs.clearance[c];
}

function segmentWalkable(fs: FreeSpace, ax: number, az: number, bx: number, bz: number): boolean {
  const n = Math.ceil(Math.hypot(bx - ax, bz - az) / 0.05);
  for (let s = 0; s <= n; s++) {
    const c = cellOf(fs, ax + ((bx - ax) * s) / n, az + ((bz - az) * s) / n);
    if (c < 0 || !fs.walkable[c]) return false;
  }
  return true;
}

/** 1D smooth value noise in [-1, 1] along t, from a seeded table. */
function noise1(table: Float64Array, t: number): number {
  const i = Math.floor(t);
  let f = t - i;
  f = f * f * (3 - 2 * f);
  const a = table[((i % table.length) + table.length) % table.length];
  const b = table[(((i + 1) % table.length) + table.length) % table.length];
  return a + (b - a) * f;
}

function wrapAngle(a: number): number {
  while (a > Math.PI) a -= 2 * Math.PI;
  while (a < -Math.PI) a += 2 * Math.PI;
  return a;
}

/** Camera-to-world from eye, yaw (0 = looking down -z, positive turns left), pitch (up +) and roll. */
export function poseFromYawPitch(eye: [number, number, number], yaw: number, pitch: number, roll = 0): Float64Array {
  const cp = Math.cos(pitch);
  const f = [-Math.sin(yaw) * cp, Math.sin(pitch), -Math.cos(yaw) * cp];
  // right = f x up, normalised; up' = right x f.
  let rx = -f[2], rz = f[0];
  const rl = Math.hypot(rx, rz);
  rx /= rl;
  rz /= rl;
  const right = [rx, 0, rz];
  const up = [right[1] * f[2] - right[2] * f[1], right[2] * f[0] - right[0] * f[2], right[0] * f[1] - right[1] * f[0]];
  const cr = Math.cos(roll), sr = Math.sin(roll);
  const x = [0, 1, 2].map((k) => cr * right[k] + sr * up[k]);
  const y = [0, 1, 2].map((k) => -sr * right[k] + cr * up[k]);
  const m = new Float64Array(16);
  m.set([x[0], x[1], x[2], 0, y[0], y[1], y[2], 0, -f[0], -f[1], -f[2], 0, eye[0], eye[1], eye[2], 1]);
  return m;
}

export function walkTrajectory(room: RoomScene, opts: TrajectoryOptions): Trajectory {
  const { seed, views } = opts;
  if (!Number.isInteger(views) || views < 2 || views > 200) throw new Error(`trajectory: views must be an integer 2..200, got ${views}`);
  if (!Number.isFinite(seed)) throw new Error(`trajectory: seed must be a finite number, got ${seed}`);
  const rnd = mulberry32(Math.floor(seed) ^ 0x5eed);
  const fs = freeSpace(room);
  const cells: number[] = [];
  for (let c = 0; c < fs.walkable.length; c++) if (fs.walkable[c]) cells.push(c);
  const centre = (c: number): [number, number] => [fs.x0 + ((c % fs.nx) + 0.5) * fs.cell, fs.z0 + (Math.floor(c / fs.nx) + 0.5) * fs.cell];
  const wantLen = Math.min(20, Math.max(2, views * STEP_M));

  let path: [number, number][] | null = null;
  let wayK: number[] = [];
  let way: [number, number][] = [];
  for (let attempt = 0; attempt < 40 && !path; attempt++) {
    // Start in the roomier part of the room so the first views are not against a wall.
    let start = cells[Math.floor(rnd() * cells.length)];
    for (let k = 0; k < 8; k++) {
      const c = cells[Math.floor(rnd() * cells.length)];
      if (fs.clearance[c] > fs.clearance[start]) start = c;
    }
    way = [centre(start)];
    let len = 0;
    let heading = rnd() * 2 * Math.PI;
    for (let guard = 0; len < wantLen && guard < 60; guard++) {
      const [ax, az] = way[way.length - 1];
      // Several walkable leg candidates; keep the one that explores (ends farthest from where the
      // walk has been), so a short walk still crosses the room instead of circling.
      let best: { bx: number; bz: number; dir: number; legLen: number; score: number } | null = null;
      for (let c = 0; c < 10; c++) {
        const dir = heading + (rnd() - 0.5) * Math.PI * 1.3 + (guard > 20 ? rnd() * 2 * Math.PI : 0);
        const legLen = Math.min(wantLen - len + 0.3, 0.6 + rnd() * 0.9);
        const bx = ax + Math.cos(dir) * legLen, bz = az + Math.sin(dir) * legLen;
        if (!segmentWalkable(fs, ax, az, bx, bz)) continue;
        let near = Infinity;
        for (const [wx, wz] of way) near = Math.min(near, Math.hypot(bx - wx, bz - wz));
        const score = near + 0.3 * rnd();
        if (!best || score > best.score) best = { bx, bz, dir, legLen, score };
      }
      if (!best) continue;
      way.push([best.bx, best.bz]);
      len += best.legLen;
      heading = best.dir;
    }
    if (len < Math.min(wantLen, 1.5)) continue;
    const sampled = resampleSpline(way, views);
    if (sampled.pts.every(([x, z]) => clearanceAt(fs, x, z) >= fs.minClearance * 0.6)) {
      path = sampled.pts;
      wayK = sampled.wayK;
    }
  }
  if (!path) throw new Error('trajectory: could not find a walk through the room for this seed');

  // Look targets per waypoint: an object whose box is 0.8..3 m away, preferring ones not looked
  // at recently, then small turns from the previous look direction.
  const objects = room.objects.filter((o) => o.triangleCount >= 20);
  const lastUsed = new Map<number, number>();
  const wayTargets: { p: [number, number, number]; id: number }[] = [];
  let prevYaw = Math.atan2(-(way[1][0] - way[0][0]), -(way[1][1] - way[0][1]));
  for (let w = 0; w < way.length; w++) {
    const [x, z] = way[w];
    const cand = objects
      .map((o) => {
        const gx = Math.max(o.aabbMin[0] - x, 0, x - o.aabbMax[0]);
        const gz = Math.max(o.aabbMin[2] - z, 0, z - o.aabbMax[2]);
        const yaw = Math.atan2(-(o.box.center[0] - x), -(o.box.center[2] - z));
        return { o, d: Math.hypot(gx, gz), turn: Math.abs(wrapAngle(yaw - prevYaw)), yaw };
      })
      .filter(({ d }) => d >= 0.8 && d <= 3);
    const pool = cand;
    if (pool.length) {
      // Unseen objects first (turning round for them if need be, as a person scanning does),
      // then the smallest turn.
      const rank = (c: (typeof cand)[number]) => (lastUsed.get(c.o.id) ?? -99) + (c.turn > (120 * Math.PI) / 180 ? 1.5 : 0);
      pool.sort((a, b) => rank(a) - rank(b) || a.turn - b.turn);
      const pick = pool[Math.min(pool.length - 1, Math.floor(rnd() * Math.min(2, pool.length)))];
      lastUsed.set(pick.o.id, w);
      prevYaw = pick.yaw;
      wayTargets.push({ p: [...pick.o.box.center] as [number, number, number], id: pick.o.id });
      continue;
    }
    const a = prevYaw + (rnd() - 0.5) * Math.PI * 0.6;
    prevYaw = a;
    wayTargets.push({ p: [x - Math.sin(a) * 2, room.floorY + 0.8, z - Math.cos(a) * 2], id: 0 });
  }
  const table = new Float64Array(64);
  for (let i = 0; i < table.length; i++) table[i] = rnd() * 2 - 1;
  const bobPhase = rnd() * 2 * Math.PI;
  const eyes: [number, number, number][] = [];
  const yaws: number[] = [];
  const pitches: number[] = [];
  const lookAt: number[] = [];
  for (let k = 0; k < views; k++) {
    const [x, z] = path[k];
    const y = room.floorY + EYE_HEIGHT + 0.02 * Math.sin(bobPhase + k * 1.3) + 0.01 * noise1(table, k * 0.37 + 11);
    let w = 0;
    while (w < way.length - 2 && wayK[w + 1] <= k) w++;
    const k0 = wayK[w], k1 = Math.max(wayK[w + 1], k0 + 1e-6);
    let s = Math.min(1, Math.max(0, (k - k0) / (k1 - k0)));
    s = s * s * (3 - 2 * s);
    const aim = (tp: [number, number, number]) => {
      const dx = tp[0] - x, dy = tp[1] - y, dz = tp[2] - z;
      return [Math.atan2(-dx, -dz), Math.atan2(dy, Math.hypot(dx, dz))];
    };
    const A = wayTargets[w], B = wayTargets[Math.min(w + 1, way.length - 1)];
    const [ya, pa] = aim(A.p);
    const [yb, pb] = aim(B.p);
    eyes.push([x, y, z]);
    yaws.push(ya + wrapAngle(yb - ya) * s + 0.12 * noise1(table, k * 0.23 + 3));
    pitches.push(Math.max(-0.6, Math.min(0.15, pa + (pb - pa) * s)) + 0.05 * noise1(table, k * 0.29 + 29));
    lookAt.push(s < 0.5 ? A.id : B.id);
  }
  // Keep what the camera looks at 1..3 m away: where the view is too close (a wall right in
  // front) or too far, turn towards the nearest yaw whose coarse depth median fits, then smooth the
  // turns so the walk stays a walk.
  const probe: RasterScene = { positions: room.positions, triangleCount: room.triangleCount, objectId: room.objectId };
  const offsets = [0, 0.2, -0.2, 0.4, -0.4, 0.7, -0.7, 1.0, -1.0, 1.4, -1.4, 1.9, -1.9, 2.5, -2.5, Math.PI];
  const correct = (heading: number[]): number[] => {
    let prevOff = 0;
    return heading.map((yaw, k) => {
      // Try the turns closest to the previous keyframe's first, so corrections do not flip sides.
      const order = [...offsets].sort((a, b) => Math.abs(a - prevOff) - Math.abs(b - prevOff) || a - b);
      let bestOff = prevOff, bestErr = Infinity;
      for (const off of order) {
        const med = medianDepth(probe, poseFromYawPitch(eyes[k], yaw + off, pitches[k]));
        const err = med < LOOK_NEAR ? LOOK_NEAR - med : med > LOOK_FAR ? med - LOOK_FAR : 0;
        if (err < bestErr - 1e-9) {
          bestErr = err;
          bestOff = off;
        }
        if (err === 0) break;
      }
      prevOff = bestOff;
      return yaw + bestOff;
    });
  };
  // Check distances and smooth, three times: each pass fixes most of what the last smoothing broke.
  const heading = smoothHeading(correct(smoothHeading(correct(smoothHeading(correct(yaws))))));
  const poses: Float64Array[] = [];
  for (let k = 0; k < views; k++) {
    const roll = 0.035 * noise1(table, k * 0.31 + 47);
    poses.push(poseFromYawPitch(eyes[k], heading[k], pitches[k], roll));
  }
  return { poses, lookAt };
}

/** Unwraps a heading sequence, smooths it (binomial kernel, twice) and limits it to MAX_TURN per step. */
function smoothHeading(desired: number[]): number[] {
  const n = desired.length;
  const un = [desired[0]];
  for (let k = 1; k < n; k++) un.push(un[k - 1] + wrapAngle(desired[k] - desired[k - 1]));
  let sm = un;
  const kern = [1, 4, 6, 4, 1];
  for (let pass = 0; pass < 2; pass++)
    sm = sm.map((_, k) => {
      let acc = 0, wsum = 0;
      for (let j = -2; j <= 2; j++) {
        const q = Math.min(n - 1, Math.max(0, k + j));
        acc += kern[j + 2] * sm[q];
        wsum += kern[j + 2];
      }
      return acc / wsum;
    });
  for (let k = 1; k < n; k++) sm[k] = sm[k - 1] + Math.max(-MAX_TURN, Math.min(MAX_TURN, sm[k] - sm[k - 1]));
  return sm;
}

/** Distance band (m) for the median depth of a view. */
export const LOOK_NEAR = 1.0;
export const LOOK_FAR = 3.0;
/** Largest heading change between keyframes (radians, 18 deg). */
export const MAX_TURN = (15 * Math.PI) / 180;
const PROBE_K = { fx: 25.1, fy: 25.1, cx: 20, cy: 15, width: 40, height: 30 };

/** Median depth of a coarse 40x30 render (misses count as far). */
function medianDepth(scene: RasterScene, pose: Float64Array): number {
  const g = rasterizeGeometry(scene, { intrinsics: PROBE_K, cameraToWorld: pose, near: 0.05 });
  const d = Array.from(g.depth, (v) => (v > 0 ? v : 100)).sort((a, b) => a - b);
  return d[d.length >> 1];
}

/**
 * Uniform Catmull-Rom through the points, resampled at n equal arc-length positions; wayK[i] is
 * where (in fractional keyframe units) the path passes waypoint i.
 */
function resampleSpline(pts: [number, number][], n: number): { pts: [number, number][]; wayK: number[] } {
  const dense: [number, number][] = [];
  const P = (i: number) => pts[Math.max(0, Math.min(pts.length - 1, i))];
  for (let i = 0; i < pts.length - 1; i++) {
    const p0 = P(i - 1), p1 = P(i), p2 = P(i + 1), p3 = P(i + 2);
    for (let s = 0; s < 20; s++) {
      const t = s / 20, t2 = t * t, t3 = t2 * t;
      const f = (a: number, b: number, c: number, d: number) =>
        0.5 * (2 * b + (-a + c) * t + (2 * a - 5 * b + 4 * c - d) * t2 + (-a + 3 * b - 3 * c + d) * t3);
      dense.push([f(p0[0], p1[0], p2[0], p3[0]), f(p0[1], p1[1], p2[1], p3[1])]);
    }
  }
  dense.push(pts[pts.length - 1]);
  const cum = [0];
  for (let i = 1; i < dense.length; i++) cum.push(cum[i - 1] + Math.hypot(dense[i][0] - dense[i - 1][0], dense[i][1] - dense[i - 1][1]));
  const total = cum[cum.length - 1];
  const out: [number, number][] = [];
  let j = 0;
  for (let k = 0; k < n; k++) {
    const target = (total * k) / (n - 1);
    while (j < dense.length - 2 && cum[j + 1] < target) j++;
    const seg = cum[j + 1] - cum[j];
    const s = seg > 0 ? (target - cum[j]) / seg : 0;
    out.push([dense[j][0] + (dense[j + 1][0] - dense[j][0]) * s, dense[j][1] + (dense[j + 1][1] - dense[j][1]) * s]);
  }
  const wayK = pts.map((_, i) => (total > 0 ? (cum[Math.min(i * 20, cum.length - 1)] / total) * (n - 1) : 0));
  return { pts: out, wayK };
}
