/**
 * Where a live scan is thin: a horizontal grid (x/z cells, 0.5 m by default) over what the keyframes saw,
 * each cell remembering from which horizontal directions it was looked at. Splats of a surface seen from
 * one side only look right from that side and smear from any other, so the scan UI points the user at
 * those areas ("the area 2.1 m ahead-left was seen from one side only: walk around it").
 *
 * Per keyframe (`addView`), the depth map is sampled on a coarse pixel grid (about 80 samples across) and
 * back-projected to world points. For each point:
 * - horizontal surfaces (floor, ceiling, table tops: |normal.y| > 0.7) are skipped: they look the same
 *   from every side and would otherwise drown the report; the normal comes from the neighbouring samples,
 *   and samples across a depth jump (an occluding edge) are skipped too;
 * - the cell counts the point and records the sector its normal faces ("facing").
 * Each cell the view touched then records the sector of the direction it was seen FROM (cell centre to
 * camera; a camera within one cell of it uses its own reversed heading).
 *
 * Sectors are world-fixed: sector i spans [i, i+1) * 360/sectors degrees, counter-clockwise seen from above
 * starting at +x (so 90° is -z). A surface facing sector f can only be seen from the sectors less than 90°
 * away from f: those are the cell's reachable sectors, and the ones not yet seen are its missing
 * directions (a wall is never asked to be seen from behind). A cell with enough points is thin while it was
 * seen from fewer than `minSectors` sectors and still has missing directions. Thin cells are grouped into
 * 4-connected regions, biggest first.
 *
 * The grid is dense (typed arrays indexed by cell) over the bounding box of what was seen and grows with
 * the scan; it never exceeds `maxCells` cells: points that would need more are dropped and counted
 * (`report().droppedPoints`, `capped`). Views are idempotent in sectors but not in counts: feed each
 * keyframe once (ScanSession does).
 */
import type { DepthMap, Intrinsics } from '../capture/frame';

export interface ScanCoverageOptions {
  /** Cell edge in metres (default 0.5). */
  cellSize?: number;
  /** Horizontal direction sectors (default 8, at most 16). */
  sectors?: number;
  /** A cell seen from at least this many sectors is well covered (default 3). */
  minSectors?: number;
  /** Sample points a cell needs to count as seen surface (default 4). */
  minPoints?: number;
  /** Hard cap on grid cells (default 16384: e.g. 64 x 64 m at 0.5 m). */
  maxCells?: number;
  /** Depth samples across the map's width (default 80; the step is rounded to whole pixels). */
  samplesAcross?: number;
  /** Depth beyond this many metres is ignored (default 8: device depth is noise beyond). */
  maxDepth?: number;
  /** Depth samples with a confidence below this are ignored (default 0.2). */
  minConfidence?: number;
  /** Thin areas reported (default 8; `thinAreaCount` counts them all). */
  maxAreas?: number;
}

/** A connected group of thin cells. */
export interface ThinArea {
  /** Point-weighted centre, world x and z (metres). */
  centre: [number, number];
  /** Mean height (world y) of its surface points. */
  height: number;
  /** Radius (m) of a floor disc covering its cells. */
  radius: number;
  cells: number;
  points: number;
  /** Sectors it was seen from (union over its cells). */
  seenSectors: number[];
  /** Reachable sectors (facing its surfaces) not seen yet. */
  missingSectors: number[];
  /** 'one-side': every direction it was seen from lies within a quarter turn; 'few': wider, but fewer than minSectors sectors. */
  severity: 'one-side' | 'few';
}

/** Structured-clone friendly (plain numbers and arrays): it crosses the scan worker boundary. */
export interface CoverageReport {
  cellSize: number;
  sectors: number;
  minSectors: number;
  /** Keyframes folded in. */
  views: number;
  /** Cells with at least minPoints surface points. */
  cellsSeen: number;
  /** Of those, cells seen from at least minSectors sectors. */
  cellsWellSeen: number;
  /** Cells with surface points seen from fewer than minSectors sectors and still missing directions. */
  thinCells: number;
  /** Connected thin regions (all of them; `thinAreas` lists the biggest). */
  thinAreaCount: number;
  thinAreas: ThinArea[];
  /** Grid extent, world x/z of its outer edges (null before the first point). */
  bounds: { minX: number; minZ: number; maxX: number; maxZ: number } | null;
  /** Points dropped because the grid would have exceeded maxCells. */
  droppedPoints: number;
  capped: boolean;
}

const popcount = (m: number) => {
  let n = 0;
  for (; m; m &= m - 1) n++;
  return n;
};
const bitsOf = (m: number, sectors: number) => {
  const out: number[] = [];
  for (let i = 0; i < sectors; i++) if (m & (1 << i)) out.push(i);
  return out;
};

function checkPose(cameraToWorld: ArrayLike<number>, who: string): void {
  if (!cameraToWorld || cameraToWorld.length !== 16) throw new Error(`${who}: cameraToWorld must have 16 values, got ${cameraToWorld?.length}`);
  for (let i = 0; i < 16; i++) if (!Number.isFinite(cameraToWorld[i])) throw new Error(`${who}: cameraToWorld has a non-finite value at index ${i}`);
}

function checkDepth(depth: DepthMap, who: string): void {
  if (!depth || !(depth.data instanceof Float32Array)) throw new Error(`${who}: depth.data must be a Float32Array`);
  const { width, height, intrinsics: k } = depth;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 2 || height < 2) throw new Error(`${who}: depth size must be integers >= 2, got ${width}x${height}`);
  if (depth.data.length !== width * height) throw new Error(`${who}: depth has ${depth.data.length} values for ${width}x${height} (${width * height} expected)`);
  if (depth.confidence && depth.confidence.length !== width * height) throw new Error(`${who}: depth confidence has ${depth.confidence.length} values for ${width}x${height}`);
  if (!k || k.width !== width || k.height !== height) throw new Error(`${who}: depth intrinsics describe ${k?.width}x${k?.height}, the depth map is ${width}x${height}`);
  if (!(k.fx > 0) || !(k.fy > 0) || !Number.isFinite(k.cx) || !Number.isFinite(k.cy)) throw new Error(`${who}: depth intrinsics need positive fx, fy and finite cx, cy`);
}

export class ScanCoverage {
  readonly cellSize: number;
  readonly sectors: number;
  readonly minSectors: number;
  readonly minPoints: number;
  readonly maxCells: number;
  private readonly samplesAcross: number;
  private readonly maxDepth: number;
  private readonly minConfidence: number;
  private readonly maxAreas: number;

  // Dense grid: cell (ix, iz) in integer cell coordinates lives at (iz - z0) * nx + (ix - x0).
  private x0 = 0;
  private z0 = 0;
  private nx = 0;
  private nz = 0;
  private seen = new Uint16Array(0);
  private facing = new Uint16Array(0);
  private count = new Uint32Array(0);
  private sumX = new Float64Array(0);
  private sumY = new Float64Array(0);
  private sumZ = new Float64Array(0);
  private stamp = new Int32Array(0);
  private views = 0;
  private dropped = 0;
  private capped = false;
  // Per-view scratch: world x, y, z and facing sector of the accepted samples.
  private pts = new Float32Array(0);
  private face = new Int8Array(0);

  constructor(opts: ScanCoverageOptions = {}) {
    const who = 'ScanCoverage';
    this.cellSize = opts.cellSize ?? 0.5;
    this.sectors = opts.sectors ?? 8;
    this.minSectors = opts.minSectors ?? 3;
    this.minPoints = opts.minPoints ?? 4;
    this.maxCells = opts.maxCells ?? 16384;
    this.samplesAcross = opts.samplesAcross ?? 80;
    this.maxDepth = opts.maxDepth ?? 8;
    this.minConfidence = opts.minConfidence ?? 0.2;
    this.maxAreas = opts.maxAreas ?? 8;
    if (!(this.cellSize > 0.01 && this.cellSize <= 10)) throw new Error(`${who}: cellSize must be in (0.01, 10] m, got ${opts.cellSize}`);
    if (!Number.isInteger(this.sectors) || this.sectors < 4 || this.sectors > 16) throw new Error(`${who}: sectors must be an integer in 4..16, got ${opts.sectors}`);
    if (!Number.isInteger(this.minSectors) || this.minSectors < 1 || this.minSectors > this.sectors) throw new Error(`${who}: minSectors must be an integer in 1..sectors, got ${opts.minSectors}`);
    if (!Number.isInteger(this.minPoints) || this.minPoints < 1) throw new Error(`${who}: minPoints must be a positive integer, got ${opts.minPoints}`);
    if (!Number.isInteger(this.maxCells) || this.maxCells < 1) throw new Error(`${who}: maxCells must be a positive integer, got ${opts.maxCells}`);
    if (!Number.isInteger(this.samplesAcross) || this.samplesAcross < 2) throw new Error(`${who}: samplesAcross must be an integer >= 2, got ${opts.samplesAcross}`);
    if (!(this.maxDepth > 0)) throw new Error(`${who}: maxDepth must be positive, got ${opts.maxDepth}`);
    if (!Number.isInteger(this.maxAreas) || this.maxAreas < 0) throw new Error(`${who}: maxAreas must be a non-negative integer, got ${opts.maxAreas}`);
  }

  /** Cells allocated now (never more than maxCells). */
  get allocatedCells(): number {
    return this.nx * this.nz;
  }

  /** Sector of a horizontal direction (x, z), world-fixed (see the file comment). */
  sectorOf(dx: number, dz: number): number {
    const a = Math.atan2(-dz, dx); // counter-clockwise from +x seen from above
    const s = Math.floor(((a < 0 ? a + 2 * Math.PI : a) * this.sectors) / (2 * Math.PI));
    return s >= this.sectors ? 0 : s;
  }

  /** Unit horizontal direction (x, z) at the middle of a sector. */
  sectorDirection(sector: number): [number, number] {
    const a = ((sector + 0.5) * 2 * Math.PI) / this.sectors;
    return [Math.cos(a), -Math.sin(a)];
  }

  /**
   * Folds in one keyframe: its camera-to-world (column-major, camera looks down -z) and a depth map of what
   * it saw (metric z-depth, with the depth map's own intrinsics).
   */
  addView(cameraToWorld: ArrayLike<number>, depth: DepthMap): void {
    checkPose(cameraToWorld, 'ScanCoverage.addView');
    checkDepth(depth, 'ScanCoverage.addView');
    const m = cameraToWorld;
    const { width: W, height: H, data, confidence, intrinsics: k } = depth;
    const step = Math.max(1, Math.round(W / this.samplesAcross));
    const sw = Math.floor((W - 1) / step) + 1, sh = Math.floor((H - 1) / step) + 1;
    // Camera-space samples (x, y, z) first, so normals can use the neighbours.
    const cam = new Float32Array(sw * sh * 3);
    const ok = new Uint8Array(sw * sh);
    for (let j = 0; j < sh; j++) {
      const v = j * step;
      for (let i = 0; i < sw; i++) {
        const u = i * step, p = v * W + u;
        const d = data[p];
        if (!(d > 0) || d > this.maxDepth || (confidence && !(confidence[p] >= this.minConfidence))) continue;
        const s = j * sw + i;
        cam[3 * s] = ((u + 0.5 - k.cx) / k.fx) * d;
        cam[3 * s + 1] = (-(v + 0.5 - k.cy) / k.fy) * d;
        cam[3 * s + 2] = -d;
        ok[s] = 1;
      }
    }
    if (this.pts.length < sw * sh * 3) {
      this.pts = new Float32Array(sw * sh * 3);
      this.face = new Int8Array(sw * sh);
    }
    const pts = this.pts, face = this.face;
    let n = 0;
    let minX = Infinity, maxX = -Infinity, minZ = Infinity, maxZ = -Infinity;
    const cs = this.cellSize;
    for (let j = 0; j < sh; j++) {
      for (let i = 0; i < sw; i++) {
        const s = j * sw + i;
        if (!ok[s]) continue;
        // Neighbours right (or left) and below (or above) for the normal.
        const r = i + 1 < sw ? s + 1 : s - 1, b = j + 1 < sh ? s + sw : s - sw;
        if (!ok[r] || !ok[b]) continue;
        const z = cam[3 * s + 2];
        // A depth jump of more than 10% + 5 cm between neighbours is an occluding edge, not a surface.
        const tol = 0.1 * -z + 0.05;
        if (Math.abs(cam[3 * r + 2] - z) > tol || Math.abs(cam[3 * b + 2] - z) > tol) continue;
        const ax = cam[3 * r] - cam[3 * s], ay = cam[3 * r + 1] - cam[3 * s + 1], az = cam[3 * r + 2] - z;
        const bx = cam[3 * b] - cam[3 * s], by = cam[3 * b + 1] - cam[3 * s + 1], bz = cam[3 * b + 2] - z;
        let nx = ay * bz - az * by, ny = az * bx - ax * bz, nz = ax * by - ay * bx;
        // Face the camera (the point is at -z: the normal must point back towards the origin).
        const x = cam[3 * s], y = cam[3 * s + 1];
        if (nx * x + ny * y + nz * z > 0) {
          nx = -nx;
          ny = -ny;
          nz = -nz;
        }
        const wnx = m[0] * nx + m[4] * ny + m[8] * nz;
        const wny = m[1] * nx + m[5] * ny + m[9] * nz;
        const wnz = m[2] * nx + m[6] * ny + m[10] * nz;
        const len2 = wnx * wnx + wny * wny + wnz * wnz;
        if (!(len2 > 0) || wny * wny > 0.49 * len2) continue; // horizontal surface (|n.y| > 0.7)
        const wx = m[0] * x + m[4] * y + m[8] * z + m[12];
        const wy = m[1] * x + m[5] * y + m[9] * z + m[13];
        const wz = m[2] * x + m[6] * y + m[10] * z + m[14];
        pts[3 * n] = wx;
        pts[3 * n + 1] = wy;
        pts[3 * n + 2] = wz;
        face[n] = this.sectorOf(wnx, wnz);
        n++;
        if (wx < minX) minX = wx;
        if (wx > maxX) maxX = wx;
        if (wz < minZ) minZ = wz;
        if (wz > maxZ) maxZ = wz;
      }
    }
    this.views++;
    if (n === 0) return;
    this.fit(Math.floor(minX / cs), Math.floor(minZ / cs), Math.floor(maxX / cs), Math.floor(maxZ / cs));

    const stampId = this.views;
    const touched: number[] = [];
    for (let q = 0; q < n; q++) {
      const ix = Math.floor(pts[3 * q] / cs) - this.x0, iz = Math.floor(pts[3 * q + 2] / cs) - this.z0;
      if (ix < 0 || iz < 0 || ix >= this.nx || iz >= this.nz) {
        this.dropped++;
        continue;
      }
      const c = iz * this.nx + ix;
      this.count[c]++;
      this.sumX[c] += pts[3 * q];
      this.sumY[c] += pts[3 * q + 1];
      this.sumZ[c] += pts[3 * q + 2];
      this.facing[c] |= 1 << face[q];
      if (this.stamp[c] !== stampId) {
        this.stamp[c] = stampId;
        touched.push(c);
      }
    }
    const camX = m[12], camZ = m[14];
    // Reversed heading, for cells the camera stands in or next to.
    const hx = m[8], hz = m[10];
    const headingSector = Math.hypot(hx, hz) > 1e-6 ? this.sectorOf(hx, hz) : -1;
    for (const c of touched) {
      const cx = (this.x0 + (c % this.nx) + 0.5) * cs, cz = (this.z0 + Math.floor(c / this.nx) + 0.5) * cs;
      const dx = camX - cx, dz = camZ - cz;
      const sec = dx * dx + dz * dz > cs * cs ? this.sectorOf(dx, dz) : headingSector;
      if (sec >= 0) this.seen[c] |= 1 << sec;
    }
  }

  /** Grows the grid to hold cells [ix0..ix1] x [iz0..iz1] when that stays within maxCells. */
  private fit(ix0: number, iz0: number, ix1: number, iz1: number): void {
    if (this.nx > 0) {
      if (ix0 >= this.x0 && iz0 >= this.z0 && ix1 < this.x0 + this.nx && iz1 < this.z0 + this.nz) return;
      ix0 = Math.min(ix0, this.x0);
      iz0 = Math.min(iz0, this.z0);
      ix1 = Math.max(ix1, this.x0 + this.nx - 1);
      iz1 = Math.max(iz1, this.z0 + this.nz - 1);
    }
    let w = ix1 - ix0 + 1, h = iz1 - iz0 + 1;
    if (w * h > this.maxCells) {
      this.capped = true;
      if (this.nx > 0) return; // keep the grid; points outside it are dropped
      // First view already too wide: a maxCells square around the middle of what it saw.
      const side = Math.max(1, Math.floor(Math.sqrt(this.maxCells)));
      const mx = Math.floor((ix0 + ix1) / 2), mz = Math.floor((iz0 + iz1) / 2);
      w = Math.min(w, side);
      h = Math.min(h, Math.floor(this.maxCells / w));
      ix0 = mx - Math.floor(w / 2);
      iz0 = mz - Math.floor(h / 2);
    } else {
      // Room to grow into, so a walking scan does not reallocate every keyframe.
      const mw = Math.max(2, w >> 1), mh = Math.max(2, h >> 1);
      if ((w + 2 * mw) * (h + 2 * mh) <= this.maxCells) {
        ix0 -= mw;
        iz0 -= mh;
        w += 2 * mw;
        h += 2 * mh;
      }
    }
    const old = { x0: this.x0, z0: this.z0, nx: this.nx, nz: this.nz, seen: this.seen, facing: this.facing, count: this.count, sumX: this.sumX, sumY: this.sumY, sumZ: this.sumZ, stamp: this.stamp };
    const N = w * h;
    this.x0 = ix0;
    this.z0 = iz0;
    this.nx = w;
    this.nz = h;
    this.seen = new Uint16Array(N);
    this.facing = new Uint16Array(N);
    this.count = new Uint32Array(N);
    this.sumX = new Float64Array(N);
    this.sumY = new Float64Array(N);
    this.sumZ = new Float64Array(N);
    this.stamp = new Int32Array(N);
    for (let oz = 0; oz < old.nz; oz++) {
      for (let ox = 0; ox < old.nx; ox++) {
        const o = oz * old.nx + ox;
        const c = (oz + old.z0 - iz0) * w + (ox + old.x0 - ix0);
        this.seen[c] = old.seen[o];
        this.facing[c] = old.facing[o];
        this.count[c] = old.count[o];
        this.sumX[c] = old.sumX[o];
        this.sumY[c] = old.sumY[o];
        this.sumZ[c] = old.sumZ[o];
        this.stamp[c] = old.stamp[o];
      }
    }
  }

  /** Sectors less than 90° from any sector in `facing`: where a surface facing there can be seen from. */
  private reachable(facing: number): number {
    const S = this.sectors, quarter = S / 4;
    let out = 0;
    for (let f = 0; f < S; f++) {
      if (!(facing & (1 << f))) continue;
      for (let o = -Math.ceil(quarter) + 1; o < quarter; o++) out |= 1 << (((f + o) % S) + S) % S;
    }
    return out;
  }

  /** Sectors spanned by the shortest cyclic arc holding every set bit (a walk straddling a sector edge spans 2). */
  private arcOf(mask: number): number {
    const S = this.sectors;
    if (!mask) return 0;
    // The arc is S minus the longest cyclic run of empty sectors.
    let longest = 0;
    for (let start = 0; start < S; start++) {
      let run = 0;
      while (run < S && !(mask & (1 << ((start + run) % S)))) run++;
      longest = Math.max(longest, run);
    }
    return S - longest;
  }

  report(): CoverageReport {
    const N = this.nx * this.nz, S = this.sectors;
    let cellsSeen = 0, wellSeen = 0, thinCells = 0;
    const thin = new Uint8Array(N);
    const missingOf = new Uint16Array(N);
    for (let c = 0; c < N; c++) {
      if (this.count[c] < this.minPoints) continue;
      cellsSeen++;
      const n = popcount(this.seen[c]);
      if (n >= this.minSectors) {
        wellSeen++;
        continue;
      }
      const missing = this.reachable(this.facing[c]) & ~this.seen[c];
      if (!missing) continue;
      thin[c] = 1;
      missingOf[c] = missing;
      thinCells++;
    }
    // 4-connected regions of thin cells (8-connectivity chains a room's walls into one ring).
    const label = new Int32Array(N).fill(-1);
    const queue = new Int32Array(N);
    const regions: { cells: number[]; points: number }[] = [];
    for (let c0 = 0; c0 < N; c0++) {
      if (!thin[c0] || label[c0] >= 0) continue;
      const id = regions.length;
      const cells: number[] = [];
      let head = 0, tail = 0, points = 0;
      queue[tail++] = c0;
      label[c0] = id;
      while (head < tail) {
        const c = queue[head++];
        cells.push(c);
        points += this.count[c];
        const cx = c % this.nx, cz = (c - cx) / this.nx;
        for (let e = 0; e < 4; e++) {
          const x = cx + (e === 0 ? 1 : e === 1 ? -1 : 0), z = cz + (e === 2 ? 1 : e === 3 ? -1 : 0);
          if (x < 0 || z < 0 || x >= this.nx || z >= this.nz) continue;
          const d = z * this.nx + x;
          if (thin[d] && label[d] < 0) {
            label[d] = id;
            queue[tail++] = d;
          }
        }
      }
      regions.push({ cells, points });
    }
    regions.sort((a, b) => b.cells.length - a.cells.length || b.points - a.points);
    const cs = this.cellSize;
    const half = (n: number) => Math.ceil(n / 2);
    const thinAreas: ThinArea[] = regions.slice(0, this.maxAreas).map(({ cells, points }) => {
      let sx = 0, sy = 0, sz = 0, oneSide = 0;
      const seenVotes = new Int32Array(S), missingVotes = new Int32Array(S);
      for (const c of cells) {
        sx += this.sumX[c];
        sy += this.sumY[c];
        sz += this.sumZ[c];
        for (let k = 0; k < S; k++) {
          if (this.seen[c] & (1 << k)) seenVotes[k]++;
          if (missingOf[c] & (1 << k)) missingVotes[k]++;
        }
        if (this.arcOf(this.seen[c]) <= Math.max(1, Math.floor(S / 4))) oneSide++;
      }
      // What most of its cells share: a region spanning a room is seen from everywhere in union, but each
      // cell only from a few places.
      const byMajority = (votes: Int32Array) => {
        let out = 0, any = 0;
        for (let k = 0; k < S; k++) {
          if (votes[k] >= half(cells.length)) out |= 1 << k;
          if (votes[k] > 0) any |= 1 << k;
        }
        return out || any;
      };
      const centre: [number, number] = [sx / points, sz / points];
      let radius = 0;
      for (const c of cells) {
        const x = (this.x0 + (c % this.nx) + 0.5) * cs, z = (this.z0 + Math.floor(c / this.nx) + 0.5) * cs;
        radius = Math.max(radius, Math.hypot(x - centre[0], z - centre[1]) + cs / 2);
      }
      const seen = byMajority(seenVotes);
      return {
        centre,
        height: sy / points,
        radius,
        cells: cells.length,
        points,
        seenSectors: bitsOf(seen, S),
        missingSectors: bitsOf(byMajority(missingVotes) & ~seen, S),
        severity: oneSide >= half(cells.length) ? 'one-side' : 'few',
      };
    });
    return {
      cellSize: cs,
      sectors: S,
      minSectors: this.minSectors,
      views: this.views,
      cellsSeen,
      cellsWellSeen: wellSeen,
      thinCells,
      thinAreaCount: regions.length,
      thinAreas,
      bounds: N ? { minX: this.x0 * cs, minZ: this.z0 * cs, maxX: (this.x0 + this.nx) * cs, maxZ: (this.z0 + this.nz) * cs } : null,
      droppedPoints: this.dropped,
      capped: this.capped,
    };
  }
}

/**
 * A coarse depth map seen from a pose, from world points (the reconstruction's Gaussian centres): the
 * nearest point per pixel. For keyframes without device depth, whose estimated depth the reconstruction
 * does not keep. `width` pixels across (default 64) with `intrinsics` scaled to it.
 */
export function depthFromPoints(positions: Float32Array, count: number, cameraToWorld: ArrayLike<number>, intrinsics: Intrinsics, width = 64): DepthMap {
  checkPose(cameraToWorld, 'depthFromPoints');
  if (!Number.isInteger(count) || count < 0 || positions.length < count * 3) throw new Error(`depthFromPoints: ${count} points need ${count * 3} values, got ${positions.length}`);
  if (!(intrinsics.width > 0) || !(intrinsics.height > 0) || !(intrinsics.fx > 0) || !(intrinsics.fy > 0)) throw new Error('depthFromPoints: intrinsics need a positive size and focal lengths');
  const W = Math.max(2, Math.round(width)), H = Math.max(2, Math.round((W * intrinsics.height) / intrinsics.width));
  const sx = W / intrinsics.width, sy = H / intrinsics.height;
  const k: Intrinsics = { fx: intrinsics.fx * sx, fy: intrinsics.fy * sy, cx: intrinsics.cx * sx, cy: intrinsics.cy * sy, width: W, height: H };
  const data = new Float32Array(W * H);
  const m = cameraToWorld;
  // World -> camera: R^T (p - t).
  const tx = m[12], ty = m[13], tz = m[14];
  for (let i = 0; i < count; i++) {
    const px = positions[3 * i] - tx, py = positions[3 * i + 1] - ty, pz = positions[3 * i + 2] - tz;
    const x = m[0] * px + m[1] * py + m[2] * pz;
    const y = m[4] * px + m[5] * py + m[6] * pz;
    const d = -(m[8] * px + m[9] * py + m[10] * pz);
    if (!(d > 0.05)) continue;
    const u = Math.floor((x / d) * k.fx + k.cx), v = Math.floor((-y / d) * k.fy + k.cy);
    if (u < 0 || v < 0 || u >= W || v >= H) continue;
    const p = v * W + u;
    if (data[p] === 0 || d < data[p]) data[p] = d;
  }
  return { width: W, height: H, data, intrinsics: k };
}

/** A depth map at one nominal depth: the frustum's rays, for a view nothing better is known about. */
export function nominalDepth(intrinsics: Intrinsics, depth = 2, width = 32): DepthMap {
  if (!(depth > 0)) throw new Error(`nominalDepth: depth must be positive, got ${depth}`);
  const W = Math.max(2, Math.round(width)), H = Math.max(2, Math.round((W * intrinsics.height) / intrinsics.width));
  const sx = W / intrinsics.width, sy = H / intrinsics.height;
  const k: Intrinsics = { fx: intrinsics.fx * sx, fy: intrinsics.fy * sy, cx: intrinsics.cx * sx, cy: intrinsics.cy * sy, width: W, height: H };
  return { width: W, height: H, data: new Float32Array(W * H).fill(depth), intrinsics: k };
}

const WORDS = ['ahead', 'ahead-right', 'right', 'behind-right', 'behind', 'behind-left', 'left', 'ahead-left'];

/**
 * Where a world point (x, z) lies from a pose: horizontal distance and one of eight words relative to
 * where the camera looks ('ahead', 'ahead-left', 'left', ... 'behind', ...). A camera looking straight
 * up or down uses its up axis as "ahead" (the top of the phone points the way the user faces).
 */
export function relativeDirection(cameraToWorld: ArrayLike<number>, x: number, z: number): { distance: number; word: string; angleDeg: number } {
  checkPose(cameraToWorld, 'relativeDirection');
  const m = cameraToWorld;
  let fx = -m[8], fz = -m[10];
  if (Math.hypot(fx, fz) < 0.2) {
    fx = m[4];
    fz = m[6];
  }
  const fl = Math.hypot(fx, fz) || 1;
  fx /= fl;
  fz /= fl;
  const dx = x - m[12], dz = z - m[14];
  // Right of forward (x, z) seen from above with y up: (-fz, fx).
  const ahead = dx * fx + dz * fz, right = -dx * fz + dz * fx;
  const angleDeg = (Math.atan2(right, ahead) * 180) / Math.PI; // clockwise from ahead
  const i = Math.round((((angleDeg % 360) + 360) % 360) / 45) % 8;
  return { distance: Math.hypot(dx, dz), word: WORDS[i], angleDeg };
}

/**
 * The UI's sentence for a thin area, relative to the user's pose:
 * "the area 2.1 m ahead-left (near x 1.20, z -0.40) was seen from one side only: walk around it
 * (not yet from its far side, left)". The missing sides are where the user would have to stand,
 * relative to the area as the user faces it.
 */
export function describeThinArea(area: ThinArea, report: Pick<CoverageReport, 'sectors'>, cameraToWorld: ArrayLike<number>): string {
  const { distance, word } = relativeDirection(cameraToWorld, area.centre[0], area.centre[1]);
  const seen = area.seenSectors.length;
  const how = area.severity === 'one-side' ? 'from one side only' : `from ${seen} of ${report.sectors} directions only`;
  const sides = new Set<string>();
  const m = cameraToWorld;
  for (const s of area.missingSectors) {
    const a = ((s + 0.5) * 2 * Math.PI) / report.sectors;
    const v = relativeDirection(m, m[12] + Math.cos(a), m[14] - Math.sin(a));
    // A viewpoint "ahead" of the user (beyond the area) is its far side; "behind" is the user's side.
    const w = v.word;
    sides.add(w === 'ahead' ? 'far side' : w === 'behind' ? 'near side' : w.includes('left') ? 'left' : w.includes('right') ? 'right' : w);
  }
  const order = ['far side', 'left', 'right', 'near side'];
  const missing = order.filter((s) => sides.has(s));
  const tail = missing.length ? ` (not yet from its ${missing.join(', ')})` : '';
  return `the area ${distance.toFixed(1)} m ${word} (near x ${area.centre[0].toFixed(2)}, z ${area.centre[1].toFixed(2)}) was seen ${how}: walk around it${tail}`;
}
