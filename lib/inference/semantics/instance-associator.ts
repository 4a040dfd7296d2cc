/**
 * Our memory bank: cross-view association of masks in 3D, incrementally, one bank entry per physical
 * object (instance), instead of the paper's K-means over embeddings alone.
 *
 * Each mask is reduced to the set of voxels (edge `voxelSize`) its pixels' world points fall in.
 * A new mask joins an existing entry when
 *   overlap = min(1, |{v in V_mask : N(v) ∩ V_entry ≠ ∅}| / min(|V_mask|, |V_entry|)) >= minOverlap,
 *   N(v) = v and its 26 neighbours (the same space, tolerant to voxel-boundary straddling), and
 *   cos(embedding_mask, mean_entry) >= minCosine                             (the same kind of thing).
 * The overlap coefficient (intersection over the smaller set), not IoU, because two views see
 * different sides of an object, so a new view's voxels are typically a subset of, or partly disjoint
 * from, what was seen before. If the mask qualifies for several entries, those entries are merged
 * (later evidence linking earlier fragments), except that two entries that were separate masks in
 * one view are never merged when `separateSameView` is set: that view saw them as two things.
 * A mask matching nothing starts a new entry. Entry state: running sum of unit embeddings (mean =
 * sum / |sum|), support (masks merged), source views, voxel set, world AABB, point count.
 *
 * Output: `toBank` writes one bank row per live entry (instanceId = entry id) and gives per view the
 * mask -> bank index table, so earlier views' masks follow their entry through later merges.
 */
import type { Box3, SemanticBank } from '../../splat/semantic-bank';

export interface AssociatorOptions {
  /** Voxel edge for the spatial overlap test, metres (default 0.05). */
  voxelSize?: number;
  /** Minimum overlap coefficient of voxel sets (default 0.2). */
  minOverlap?: number;
  /** Minimum cosine similarity of the mask embedding and the entry's mean (default 0.8). */
  minCosine?: number;
  /** Masks with fewer finite world points are not associated (bank index 0) (default 8). */
  minPoints?: number;
  /** Never merge two entries both observed as distinct masks in one view (default true). */
  separateSameView?: boolean;
  /** 1 (default): a mask voxel counts as shared when any of its 26 neighbours or itself belongs to the
   * entry, which tolerates surfaces lying on voxel boundaries and sparse far-away sampling; 0: exact. */
  neighbourhood?: 0 | 1;
}

export interface InstanceEntry {
  /** Stable entry id (>= 1). */
  id: number;
  /** Unit mean embedding. */
  embedding: Float32Array;
  support: number;
  sourceViews: number[];
  box: Box3;
  /** World points that fell in the entry's masks. */
  points: number;
  /** Distinct voxels covered. */
  voxels: number;
}

interface EntryState {
  id: number;
  alive: boolean;
  sum: Float64Array;
  support: number;
  views: Set<number>;
  voxels: Set<number>;
  min: [number, number, number];
  max: [number, number, number];
  points: number;
}

const OFF = 65536;
const SPAN = 131072;

export class InstanceAssociator {
  readonly dim: number;
  readonly options: Required<AssociatorOptions>;
  private readonly entries: EntryState[] = [];
  /** parent[id] = id it was merged into (itself when alive); index 0 unused. */
  private readonly parent: number[] = [0];
  /** Voxel key -> entries that cover it (live ids only). */
  private readonly voxelIndex = new Map<number, number[]>();
  /** Per view, mask id -> entry id (0 = not associated), as assigned at the time. */
  private readonly viewMasks = new Map<number, Int32Array>();

  constructor(dim: number, options: AssociatorOptions = {}) {
    if (!Number.isInteger(dim) || dim <= 0) throw new Error(`InstanceAssociator: dim must be a positive integer, got ${dim}`);
    this.dim = dim;
    this.options = {
      voxelSize: options.voxelSize ?? 0.05,
      minOverlap: options.minOverlap ?? 0.2,
      minCosine: options.minCosine ?? 0.8,
      minPoints: options.minPoints ?? 8,
      separateSameView: options.separateSameView ?? true,
      neighbourhood: options.neighbourhood ?? 1,
    };
    const o = this.options;
    if (!(o.voxelSize > 0)) throw new Error(`InstanceAssociator: voxelSize must be > 0, got ${o.voxelSize}`);
    if (!(o.minOverlap > 0 && o.minOverlap <= 1)) throw new Error(`InstanceAssociator: minOverlap must be in (0, 1], got ${o.minOverlap}`);
    if (!(o.minCosine >= -1 && o.minCosine <= 1)) throw new Error(`InstanceAssociator: minCosine must be in -1..1, got ${o.minCosine}`);
    if (!(o.minPoints >= 1)) throw new Error(`InstanceAssociator: minPoints must be >= 1, got ${o.minPoints}`);
  }

  /** Views added so far. */
  get views(): number[] {
    return [...this.viewMasks.keys()];
  }

  /** Live entry count. */
  get size(): number {
    let n = 0;
    for (const e of this.entries) if (e.alive) n++;
    return n;
  }

  /** The live entry an id now belongs to (follows merges). */
  resolve(id: number): number {
    if (!Number.isInteger(id) || id < 0 || id >= this.parent.length) throw new RangeError(`InstanceAssociator: unknown entry ${id}`);
    let r = id;
    while (this.parent[r] !== r) r = this.parent[r];
    return r;
  }

  private key(x: number, y: number, z: number): number {
    const s = 1 / this.options.voxelSize;
    const ix = Math.floor(x * s) + OFF, iy = Math.floor(y * s) + OFF, iz = Math.floor(z * s) + OFF;
    if (ix < 0 || iy < 0 || iz < 0 || ix >= SPAN || iy >= SPAN || iz >= SPAN) return -1;
    return (ix * SPAN + iy) * SPAN + iz;
  }

  /** Key offsets of the voxels a mask voxel is compared with: itself, or its 3x3x3 block. */
  private neighbourOffsets(): number[] {
    if (this.options.neighbourhood === 0) return [0];
    const out: number[] = [];
    for (let dx = -1; dx <= 1; dx++) for (let dy = -1; dy <= 1; dy++) for (let dz = -1; dz <= 1; dz++) out.push((dx * SPAN + dy) * SPAN + dz);
    return out;
  }

  private mean(e: EntryState): Float32Array {
    const out = new Float32Array(this.dim);
    let s = 0;
    for (let j = 0; j < this.dim; j++) s += e.sum[j] * e.sum[j];
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let j = 0; j < this.dim; j++) out[j] = e.sum[j] * inv;
    return out;
  }

  private cosine(e: EntryState, emb: Float32Array, off: number): number {
    let s = 0, d = 0, n = 0;
    for (let j = 0; j < this.dim; j++) {
      d += e.sum[j] * emb[off + j];
      s += e.sum[j] * e.sum[j];
      n += emb[off + j] * emb[off + j];
    }
    return s > 0 && n > 0 ? d / Math.sqrt(s * n) : 0;
  }

  private indexVoxel(key: number, id: number): void {
    const list = this.voxelIndex.get(key);
    if (!list) this.voxelIndex.set(key, [id]);
    else if (!list.includes(id)) list.push(id);
  }

  /** Merges entry `from` into `into` (both live). */
  private merge(into: EntryState, from: EntryState): void {
    for (let j = 0; j < this.dim; j++) into.sum[j] += from.sum[j];
    into.support += from.support;
    into.points += from.points;
    for (const v of from.views) into.views.add(v);
    for (const k of from.voxels) {
      into.voxels.add(k);
      const list = this.voxelIndex.get(k)!;
      const i = list.indexOf(from.id);
      if (i >= 0) list.splice(i, 1);
      if (!list.includes(into.id)) list.push(into.id);
    }
    for (let a = 0; a < 3; a++) {
      into.min[a] = Math.min(into.min[a], from.min[a]);
      into.max[a] = Math.max(into.max[a], from.max[a]);
    }
    from.alive = false;
    from.voxels = new Set();
    this.parent[from.id] = into.id;
  }

  private sharesView(a: EntryState, b: EntryState): boolean {
    const [s, l] = a.views.size <= b.views.size ? [a.views, b.views] : [b.views, a.views];
    for (const v of s) if (l.has(v)) return true;
    return false;
  }

  /**
   * Adds one segmented view.
   * @param view frame index (each view once)
   * @param labels label map 0..K, row-major [h, w]
   * @param embeddings [K, dim] unit embeddings, row k-1 = mask k
   * @param worldPoints [h * w * 3] world point per pixel, NaN where unknown
   * @returns mask id -> entry id (0 = not associated: too few world points), length K+1
   */
  addView(view: number, labels: Int32Array, embeddings: Float32Array, worldPoints: Float32Array): Int32Array {
    if (!Number.isInteger(view) || view < 0) throw new Error(`InstanceAssociator.addView: view must be a non-negative integer, got ${view}`);
    if (this.viewMasks.has(view)) throw new Error(`InstanceAssociator.addView: view ${view} was already added`);
    if (embeddings.length % this.dim !== 0) throw new Error(`InstanceAssociator.addView: ${embeddings.length} embedding values are not rows of dim ${this.dim}`);
    if (worldPoints.length !== labels.length * 3) throw new Error(`InstanceAssociator.addView: ${worldPoints.length / 3} world points for ${labels.length} pixels`);
    const K = embeddings.length / this.dim;
    for (let k = 0; k < K * this.dim; k++) if (!Number.isFinite(embeddings[k])) throw new Error(`InstanceAssociator.addView: view ${view} embedding value ${k} is not finite`);

    const vox: Set<number>[] = Array.from({ length: K + 1 }, () => new Set<number>());
    const cnt = new Int32Array(K + 1);
    const bmin = new Float64Array((K + 1) * 3).fill(Infinity);
    const bmax = new Float64Array((K + 1) * 3).fill(-Infinity);
    for (let i = 0; i < labels.length; i++) {
      const l = labels[i];
      if (l === 0) continue;
      if (l < 0 || l > K) throw new Error(`InstanceAssociator.addView: label ${l} at pixel ${i} but only ${K} embeddings`);
      const x = worldPoints[i * 3], y = worldPoints[i * 3 + 1], z = worldPoints[i * 3 + 2];
      if (!Number.isFinite(x) || !Number.isFinite(y) || !Number.isFinite(z)) continue;
      const key = this.key(x, y, z);
      if (key < 0) continue;
      vox[l].add(key);
      cnt[l]++;
      const b = l * 3;
      if (x < bmin[b]) bmin[b] = x;
      if (y < bmin[b + 1]) bmin[b + 1] = y;
      if (z < bmin[b + 2]) bmin[b + 2] = z;
      if (x > bmax[b]) bmax[b] = x;
      if (y > bmax[b + 1]) bmax[b + 1] = y;
      if (z > bmax[b + 2]) bmax[b + 2] = z;
    }

    const o = this.options;
    const offsets = this.neighbourOffsets();
    const result = new Int32Array(K + 1);
    // Masks are matched against the entries as they were before this view, then applied, so the
    // order of masks inside a view does not change which entries they find.
    const plans: { mask: number; targets: number[] }[] = [];
    // Every acceptable (mask, entry) pair; `rank` is the overlap relative to the LARGER voxel set, so a big mask
    // prefers the entry of its own size over a small neighbour it happens to touch (the gate uses the smaller set
    // so partial views of an object still match).
    const pairs: { mask: number; id: number; rank: number; cos: number }[] = [];
    for (let m = 1; m <= K; m++) {
      if (cnt[m] < o.minPoints) continue;
      const inter = new Map<number, number>();
      const hit = new Set<number>();
      for (const k of vox[m]) {
        hit.clear();
        for (const d of offsets) {
          const list = this.voxelIndex.get(k + d);
          if (list) for (const id of list) hit.add(id);
        }
        for (const id of hit) inter.set(id, (inter.get(id) ?? 0) + 1);
      }
      for (const [id, n] of inter) {
        const e = this.entries[id - 1];
        const overlap = Math.min(1, n / Math.min(vox[m].size, e.voxels.size));
        if (overlap < o.minOverlap) continue;
        const cos = this.cosine(e, embeddings, (m - 1) * this.dim);
        if (cos >= o.minCosine) pairs.push({ mask: m, id, rank: Math.min(1, n / Math.max(vox[m].size, e.voxels.size)), cos });
      }
      plans.push({ mask: m, targets: [] });
    }
    pairs.sort((a, b) => b.rank - a.rank || b.cos - a.cos || a.mask - b.mask || a.id - b.id);
    const byMask = new Map(plans.map((p) => [p.mask, p]));
    if (o.separateSameView) {
      // Two masks of one view are two objects: each existing entry takes at most one mask of this view
      // (greedy by rank), and a mask's further candidates are merge partners only if no other mask of this view
      // claimed them.
      const taken = new Map<number, number>(); // entry id -> mask
      const first = new Set<number>();
      for (const pr of pairs) {
        if (first.has(pr.mask) || taken.has(pr.id)) continue;
        taken.set(pr.id, pr.mask);
        first.add(pr.mask);
        byMask.get(pr.mask)!.targets.push(pr.id);
      }
      for (const pr of pairs) if (first.has(pr.mask) && !taken.has(pr.id)) byMask.get(pr.mask)!.targets.push(pr.id);
    } else {
      for (const pr of pairs) byMask.get(pr.mask)!.targets.push(pr.id);
    }

    for (const { mask: m, targets } of plans) {
      // Earlier masks of this view may have merged some targets away: follow them.
      const live = [...new Set(targets.map((t) => this.resolve(t)))];
      let e: EntryState;
      if (live.length === 0) {
        const id = this.entries.length + 1;
        e = { id, alive: true, sum: new Float64Array(this.dim), support: 0, views: new Set(), voxels: new Set(), min: [Infinity, Infinity, Infinity], max: [-Infinity, -Infinity, -Infinity], points: 0 };
        this.entries.push(e);
        this.parent.push(id);
      } else {
        e = this.entries[live[0] - 1];
        for (const other of live.slice(1)) {
          const f = this.entries[other - 1];
          if (!f.alive || f === e) continue;
          if (o.separateSameView && this.sharesView(e, f)) continue;
          this.merge(e, f);
        }
      }
      const off = (m - 1) * this.dim;
      for (let j = 0; j < this.dim; j++) e.sum[j] += embeddings[off + j];
      e.support++;
      e.points += cnt[m];
      e.views.add(view);
      for (const k of vox[m]) {
        e.voxels.add(k);
        this.indexVoxel(k, e.id);
      }
      for (let a = 0; a < 3; a++) {
        e.min[a] = Math.min(e.min[a], bmin[m * 3 + a]);
        e.max[a] = Math.max(e.max[a], bmax[m * 3 + a]);
      }
      result[m] = e.id;
    }
    this.viewMasks.set(view, result);
    return result;
  }

  /** Live entries with their current state. */
  list(): InstanceEntry[] {
    return this.entries
      .filter((e) => e.alive)
      .map((e) => ({
        id: e.id,
        embedding: this.mean(e),
        support: e.support,
        sourceViews: [...e.views].sort((a, b) => a - b),
        box: { min: [...e.min] as [number, number, number], max: [...e.max] as [number, number, number] },
        points: e.points,
        voxels: e.voxels.size,
      }));
  }

  /** Mask id -> live entry id for a view (follows merges). */
  viewEntries(view: number): Int32Array {
    const m = this.viewMasks.get(view);
    if (!m) throw new Error(`InstanceAssociator: view ${view} was never added`);
    return m.map((id) => (id === 0 ? 0 : this.resolve(id)));
  }

  /**
   * Rewrites `bank` with one row per live entry (row order = entry id order; label '' until a
   * labeler names it; instanceId = entry id).
   * @returns entry id -> bank index, and per view the mask id -> bank index table
   */
  toBank(bank: SemanticBank): { entryToBank: Map<number, number>; maskToBank: Map<number, Uint16Array> } {
    if (bank.dim !== this.dim) throw new Error(`InstanceAssociator.toBank: bank dim ${bank.dim} != associator dim ${this.dim}`);
    bank.clear();
    const entryToBank = new Map<number, number>();
    for (const e of this.list()) entryToBank.set(e.id, bank.add(e.embedding, { label: '', instanceId: e.id, sourceViews: e.sourceViews, box: e.box, support: e.support }));
    const maskToBank = new Map<number, Uint16Array>();
    for (const view of this.viewMasks.keys()) {
      const ids = this.viewEntries(view);
      const t = new Uint16Array(ids.length);
      for (let k = 1; k < ids.length; k++) t[k] = ids[k] ? entryToBank.get(ids[k])! : 0;
      maskToBank.set(view, t);
    }
    return { entryToBank, maskToBank };
  }
}
