/**
 * Nearest-point lookup over 2D plan points on a regular grid: per cell, the index of the nearest target
 * point (within `radius`) and its distance from the cell centre. Built once per target plan; a lookup is
 * one array read, which is what makes exhaustive yaw x translation scoring and ICP cheap.
 */
export class NearestGrid {
  readonly x0: number;
  readonly z0: number;
  readonly nx: number;
  readonly nz: number;
  /** Index of the nearest target point per cell, -1 when none lies within radius. */
  readonly nearest: Int32Array;
  /** Distance from the cell centre to that point (radius when none). */
  readonly dist: Float32Array;

  constructor(readonly target: Float32Array, readonly cell = 0.05, readonly radius = 0.5, margin = 1) {
    const n = target.length / 2;
    if (!Number.isInteger(n) || n === 0) throw new Error(`NearestGrid: target must hold xz pairs, got ${target.length} values`);
    if (!(cell > 0) || !(radius > 0)) throw new Error(`NearestGrid: cell ${cell} and radius ${radius} must be > 0`);
    let a = Infinity, b = Infinity, c = -Infinity, d = -Infinity;
    for (let i = 0; i < n; i++) {
      const x = target[2 * i], z = target[2 * i + 1];
      if (!Number.isFinite(x) || !Number.isFinite(z)) throw new Error(`NearestGrid: target point ${i} is not finite`);
      a = Math.min(a, x); b = Math.min(b, z); c = Math.max(c, x); d = Math.max(d, z);
    }
    this.x0 = a - margin;
    this.z0 = b - margin;
    this.nx = Math.ceil((c - a + 2 * margin) / cell) + 1;
    this.nz = Math.ceil((d - b + 2 * margin) / cell) + 1;
    if (this.nx * this.nz > 16_000_000) throw new Error(`NearestGrid: ${this.nx} x ${this.nz} cells is too many (plan ${(c - a).toFixed(1)} x ${(d - b).toFixed(1)} m at ${cell} m)`);
    // Bucket the targets at `radius` so each cell checks the 3x3 buckets around it.
    const bw = Math.ceil((this.nx * cell) / radius) + 1, bh = Math.ceil((this.nz * cell) / radius) + 1;
    const counts = new Int32Array(bw * bh + 1);
    const bucketOf = (i: number) => Math.floor((target[2 * i] - this.x0) / radius) * bh + Math.floor((target[2 * i + 1] - this.z0) / radius);
    for (let i = 0; i < n; i++) counts[bucketOf(i) + 1]++;
    for (let k = 0; k < bw * bh; k++) counts[k + 1] += counts[k];
    const items = new Int32Array(n);
    const fill = counts.slice(0, bw * bh);
    for (let i = 0; i < n; i++) items[fill[bucketOf(i)]++] = i;
    this.nearest = new Int32Array(this.nx * this.nz).fill(-1);
    this.dist = new Float32Array(this.nx * this.nz).fill(radius);
    for (let ix = 0; ix < this.nx; ix++) {
      const cx = this.x0 + (ix + 0.5) * cell;
      const bx = Math.floor((cx - this.x0) / radius);
      for (let iz = 0; iz < this.nz; iz++) {
        const cz = this.z0 + (iz + 0.5) * cell;
        const bz = Math.floor((cz - this.z0) / radius);
        let best = radius * radius, bi = -1;
        for (let u = Math.max(0, bx - 1); u <= Math.min(bw - 1, bx + 1); u++)
          for (let v = Math.max(0, bz - 1); v <= Math.min(bh - 1, bz + 1); v++) {
            const k = u * bh + v;
            for (let q = counts[k]; q < counts[k + 1]; q++) {
              const i = items[q];
              const dx = target[2 * i] - cx, dz = target[2 * i + 1] - cz;
              const d2 = dx * dx + dz * dz;
              if (d2 < best) {
                best = d2;
                bi = i;
              }
            }
          }
        const c = ix * this.nz + iz;
        this.nearest[c] = bi;
        if (bi >= 0) this.dist[c] = Math.sqrt(best);
      }
    }
  }

  /** Cell index of (x, z), or -1 outside the grid. */
  cellOf(x: number, z: number): number {
    const ix = Math.floor((x - this.x0) / this.cell), iz = Math.floor((z - this.z0) / this.cell);
    if (!(ix >= 0 && iz >= 0 && ix < this.nx && iz < this.nz)) return -1;
    return ix * this.nz + iz;
  }

  /** Approximate distance to the nearest target (cell centre based), capped at radius. */
  distanceAt(x: number, z: number): number {
    const c = this.cellOf(x, z);
    return c < 0 ? this.radius : this.dist[c];
  }

  /** Index of the nearest target point (exact up to the cell size), or -1. */
  nearestAt(x: number, z: number): number {
    const c = this.cellOf(x, z);
    return c < 0 ? -1 : this.nearest[c];
  }
}
