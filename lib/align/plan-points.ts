/**
 * 3D points -> a 2D floor plan (xz pairs) for registration: only points in a height band (above the
 * floor, below the ceiling: walls and furniture, which pin down x, z and yaw; the floor and ceiling
 * are flat and say nothing about them), merged to one point (the mean) per grid cell so dense and
 * sparse sources weigh the same per metre of wall.
 */
export interface PlanOptions {
  /** Height band in metres (default 0.2 .. 2.0 above a floor at y = 0). */
  minY?: number;
  maxY?: number;
  /** Merge cell in metres (default 0.05). */
  cell?: number;
  /** Keep at most this many plan points (evenly thinned; default 20000). */
  maxPoints?: number;
}

const resolve = (o: PlanOptions) => {
  const r = { minY: o.minY ?? 0.2, maxY: o.maxY ?? 2.0, cell: o.cell ?? 0.05, maxPoints: o.maxPoints ?? 20000 };
  if (!(r.maxY > r.minY)) throw new Error(`plan points: maxY ${r.maxY} must be above minY ${r.minY}`);
  if (!(r.cell > 0)) throw new Error(`plan points: cell must be > 0, got ${r.cell}`);
  if (!(Number.isInteger(r.maxPoints) && r.maxPoints > 0)) throw new Error(`plan points: maxPoints must be a positive integer, got ${r.maxPoints}`);
  return r;
};

/** Accumulates xz points per cell; `points()` gives the cell means. */
export class PlanAccumulator {
  private readonly sums = new Map<number, number>();
  private sx: number[] = [];
  private sz: number[] = [];
  private n: number[] = [];
  readonly options: Required<PlanOptions>;
  constructor(opts: PlanOptions = {}) {
    this.options = resolve(opts);
  }
  /** Adds one 3D point (ignored outside the band or when not finite). */
  add(x: number, y: number, z: number): void {
    const o = this.options;
    if (!(y >= o.minY && y <= o.maxY) || !Number.isFinite(x) || !Number.isFinite(z)) return;
    const ix = Math.floor(x / o.cell), iz = Math.floor(z / o.cell);
    if (Math.abs(ix) > 1e6 || Math.abs(iz) > 1e6) return; // far outside any room: not a plan point
    const key = (ix + 1048576) * 2097152 + (iz + 1048576);
    let k = this.sums.get(key);
    if (k === undefined) {
      k = this.n.length;
      this.sums.set(key, k);
      this.sx.push(0);
      this.sz.push(0);
      this.n.push(0);
    }
    this.sx[k] += x;
    this.sz[k] += z;
    this.n[k]++;
  }
  get cells(): number {
    return this.n.length;
  }
  points(): Float32Array {
    const m = this.n.length;
    const keep = Math.min(m, this.options.maxPoints);
    const out = new Float32Array(keep * 2);
    for (let j = 0; j < keep; j++) {
      const k = Math.floor((j * m) / keep);
      out[2 * j] = this.sx[k] / this.n[k];
      out[2 * j + 1] = this.sz[k] / this.n[k];
    }
    return out;
  }
}

/** Plan of Gaussian centres (positions xyz, first `count`). */
export function planFromPositions(positions: Float32Array, count: number, opts: PlanOptions = {}): Float32Array {
  if (!Number.isInteger(count) || count < 0 || positions.length < count * 3) throw new Error(`planFromPositions: count ${count} does not fit ${positions.length} position values`);
  const acc = new PlanAccumulator(opts);
  for (let i = 0; i < count; i++) acc.add(positions[3 * i], positions[3 * i + 1], positions[3 * i + 2]);
  return acc.points();
}

/**
 * Plan of the headset's room data: triangle meshes are sampled over their surface (a scanned wall is a
 * few big triangles: its vertices alone would leave the wall empty), polygons (plane outlines) along
 * their edges (a vertical plane's outline projects onto its whole wall line).
 */
export function planFromSurfaces(surfaces: readonly { points: Float32Array; indices?: Uint32Array; kind: 'plane' | 'mesh' }[], opts: PlanOptions = {}): Float32Array {
  const acc = new PlanAccumulator(opts);
  const step = acc.options.cell / 2;
  const P = (a: Float32Array, i: number) => [a[3 * i], a[3 * i + 1], a[3 * i + 2]];
  for (const s of surfaces) {
    const p = s.points;
    const nv = Math.floor(p.length / 3);
    if (s.kind === 'plane') {
      for (let i = 0; i < nv; i++) {
        const a = P(p, i), b = P(p, (i + 1) % nv);
        const len = Math.hypot(b[0] - a[0], b[1] - a[1], b[2] - a[2]);
        const n = Math.min(10000, Math.ceil(len / step));
        for (let k = 0; k <= n; k++) {
          const t = n ? k / n : 0;
          acc.add(a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1]), a[2] + t * (b[2] - a[2]));
        }
      }
    } else if (s.indices && s.indices.length >= 3) {
      const idx = s.indices;
      for (let t = 0; t + 2 < idx.length; t += 3) {
        if (idx[t] >= nv || idx[t + 1] >= nv || idx[t + 2] >= nv) throw new Error(`planFromSurfaces: triangle ${t / 3} indexes past the ${nv} vertices`);
        const a = P(p, idx[t]), b = P(p, idx[t + 1]), c = P(p, idx[t + 2]);
        const lo = Math.min(a[1], b[1], c[1]), hi = Math.max(a[1], b[1], c[1]);
        if (hi < acc.options.minY || lo > acc.options.maxY) continue;
        const l1 = Math.hypot(b[0] - a[0], b[1] - a[1], b[2] - a[2]);
        const l2 = Math.hypot(c[0] - a[0], c[1] - a[1], c[2] - a[2]);
        const n = Math.min(400, Math.max(1, Math.ceil(Math.max(l1, l2) / step)));
        for (let i = 0; i <= n; i++)
          for (let j = 0; i + j <= n; j++) {
            const u = i / n, v = j / n;
            acc.add(a[0] + u * (b[0] - a[0]) + v * (c[0] - a[0]), a[1] + u * (b[1] - a[1]) + v * (c[1] - a[1]), a[2] + u * (b[2] - a[2]) + v * (c[2] - a[2]));
          }
      }
    } else {
      for (let i = 0; i < nv; i++) acc.add(p[3 * i], p[3 * i + 1], p[3 * i + 2]);
    }
  }
  return acc.points();
}
