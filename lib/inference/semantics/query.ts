/**
 * Text query -> 3D instances.
 *
 * 1. The text is normalised (trim, lower case, collapsed spaces) and embedded once per distinct
 *    normalised text (cached), as are the canonical phrases "object", "things", "stuff".
 * 2. LERF relevancy per BANK ENTRY (M rows, not N Gaussians):
 *      score(f) = min_c exp(t f.q) / (exp(t f.q) + exp(t f.c)) = min_c 1 / (1 + exp(t (f.c - f.q)))
 *    with cosine similarities and temperature t = 10; entries scoring above 0.5 are selected. A score of
 *    exactly 0.5 (within float noise, RELEVANCY_TIE) means f.q = f.c: the entry prefers the query no more
 *    than "object", which is what an all-zero (unembedded) row or a text the encoder cannot tell from the
 *    canonical phrases gives; it is never an answer.
 * 3. One pass over the Gaussians' Uint16 semantic indices through a Uint8 lookup table of the
 *    selected entries gives the selected Gaussians.
 * 4. Selected Gaussians are grouped into instances: by bank entry when the bank holds instances
 *    (InstanceAssociator: instanceId >= 0), otherwise by connected components of occupied voxels
 *    (26-neighbourhood) of their positions (K-means entries are kinds, not objects).
 * 5. Each instance: centroid, gravity-aligned AABB, yaw-oriented box (2D PCA on x, z), Gaussian
 *    count, score (best entry score inside), label (that entry's label). Sorted by score, then size.
 */
import type { TextEmbedder } from '../embedder';
import type { GaussianScene } from '../../splat/gaussian-scene';
import type { Box3, SemanticBank } from '../../splat/semantic-bank';
import { normalizeRows } from './mask-crops';

export const CANONICAL_PHRASES: readonly string[] = Object.freeze(['object', 'things', 'stuff']);
export const RELEVANCY_TEMPERATURE = 10;
export const RELEVANCY_THRESHOLD = 0.5;
/**
 * Float noise around a tie: f.q and f.c are Float32 dot products (relative error ~1e-7 each), so at t = 10 a
 * true tie can score 0.5 +- ~1e-6. A real preference of 1e-4 in cosine is 0.5 + 2.5e-4.
 */
export const RELEVANCY_TIE = 1e-5;

/** Whether a relevancy selects its entry: above the threshold by more than float noise (a tie is no answer). */
export function isAnswerScore(score: number, threshold = RELEVANCY_THRESHOLD): boolean {
  return score > threshold + RELEVANCY_TIE;
}

/** What a query reads of a scene: positions, each Gaussian's bank row and the bank (a GaussianScene is one). */
export type QueryScene = Pick<GaussianScene, 'count' | 'positions' | 'semantic' | 'bank'>;

/** Box rotated about +y: apply `rotation.y = yaw` to a box of size 2*halfExtents centred at `center`. */
export interface YawBox {
  center: [number, number, number];
  halfExtents: [number, number, number];
  /** Radians about +y (right-handed): the box's local +x axis is (cos yaw, 0, -sin yaw) in world. */
  yaw: number;
}

export interface QueryInstance {
  score: number;
  label: string;
  /** Bank rows whose Gaussians form this instance. */
  bankIndices: number[];
  centroid: [number, number, number];
  /** Gravity-aligned (world axis-aligned, y up) box. */
  box: Box3;
  yawBox: YawBox;
  count: number;
}

export interface QueryAnswer {
  query: string;
  instances: QueryInstance[];
  /** Why `instances` is empty (absent when something was found). */
  reason?: string;
  /** Relevancy per bank row (row 0 = 0); for answers from stored labels 1 where the label matched, else 0. */
  entryScores: Float32Array;
  /** Per bank row, 1 where the row is part of the answer (what the splat highlight lights up). */
  rows: Uint8Array;
  /**
   * How the answer was found: 'relevancy' (CLIP text embedding scored against the bank, open vocabulary) or
   * 'stored labels' (the bank entries' names matched through synonyms; no text encoder was available).
   */
  answeredFrom: 'relevancy' | 'stored labels';
  /** Said with the answer, found or not: e.g. that it comes from stored labels and the model would add open vocabulary. */
  note?: string;
  /** Indices of the selected Gaussians (before the minimum-instance-size filter). */
  selection: Uint32Array;
  timings: { embedMs: number; scoreMs: number; selectMs: number; groupMs: number };
}

export interface QueryOptions {
  temperature?: number;
  threshold?: number;
  canonical?: readonly string[];
  /**
   * How selected Gaussians become instances. 'voxels': connected components on a voxel grid; 'entries': one
   * instance per bank entry; 'both': voxel components joined when they share a bank entry (an instance entry
   * seen in separate pieces stays one object, and pieces of one object from several entries join when they touch).
   * 'auto' (default): for an instance bank, 'entries' when its masks are whole objects and 'both' when they come from
   * graph segmentation (parts of objects: bank.maskSource starts with "graph"); 'voxels' for a K-means bank.
   */
  grouping?: 'auto' | 'entries' | 'voxels' | 'both';
  /** Voxel edge for connected components, metres (default 0.1). */
  voxelSize?: number;
  /** Instances with fewer Gaussians are dropped as noise (default 20: a few stray splats are not an object). */
  minGaussians?: number;
}

export function normalizeQueryText(text: string): string {
  return text.trim().toLowerCase().replace(/\s+/g, ' ');
}

/**
 * LERF relevancy of row `fRow` of f ([*, dim]) for unit query q against canonical rows canon
 * ([nc, dim]). Written as a logistic of the similarity gap so large t cannot overflow exp().
 */
export function relevancy(f: Float32Array, fRow: number, q: Float32Array, canon: Float32Array, dim: number, t = RELEVANCY_TEMPERATURE): number {
  const off = fRow * dim;
  let fq = 0;
  for (let j = 0; j < dim; j++) fq += f[off + j] * q[j];
  let best = Infinity;
  for (let c = 0; c < canon.length / dim; c++) {
    let fc = 0;
    for (let j = 0; j < dim; j++) fc += f[off + j] * canon[c * dim + j];
    const s = 1 / (1 + Math.exp(t * (fc - fq)));
    if (s < best) best = s;
  }
  return best;
}

/** Relevancy for every bank row (row 0, background, scores 0). */
export function scoreBank(bank: SemanticBank, q: Float32Array, canon: Float32Array, t = RELEVANCY_TEMPERATURE): Float32Array {
  const out = new Float32Array(bank.count);
  for (let r = 1; r < bank.count; r++) out[r] = relevancy(bank.embeddings, r, q, canon, bank.dim, t);
  return out;
}

/**
 * Writes the indices i < count with lut[semantic[i]] != 0 into `out` (length >= count); returns how
 * many. The hot loop of a query: one Uint16 read and one Uint8 read per Gaussian.
 */
export function selectGaussians(semantic: Uint16Array, count: number, lut: Uint8Array, out: Uint32Array): number {
  if (lut.length < 65536) throw new Error(`selectGaussians: lookup table must cover all 65536 Uint16 indices, has ${lut.length}`);
  if (out.length < count) throw new Error(`selectGaussians: output holds ${out.length}, need ${count}`);
  let n = 0;
  for (let i = 0; i < count; i++) {
    out[n] = i;
    n += lut[semantic[i]];
  }
  return n;
}

/** Centroid, AABB and yaw-oriented box of the Gaussians `idx` (positions [N, 3]). */
export function describeInstance(positions: Float32Array, idx: ArrayLike<number>): { centroid: [number, number, number]; box: Box3; yawBox: YawBox } {
  const n = idx.length;
  if (n === 0) throw new Error('describeInstance: no Gaussians');
  // One gather pass: an instance's Gaussians are scattered through the scene, so every read of
  // positions is a cache miss; the later passes then run on contiguous x/z copies.
  const xs = new Float32Array(n), zs = new Float32Array(n);
  let sx = 0, sy = 0, sz = 0;
  let x0 = Infinity, y0 = Infinity, z0 = Infinity, x1 = -Infinity, y1 = -Infinity, z1 = -Infinity;
  for (let k = 0; k < n; k++) {
    const i = idx[k] * 3;
    const x = positions[i], y = positions[i + 1], z = positions[i + 2];
    xs[k] = x;
    zs[k] = z;
    sx += x; sy += y; sz += z;
    if (x < x0) x0 = x;
    if (y < y0) y0 = y;
    if (z < z0) z0 = z;
    if (x > x1) x1 = x;
    if (y > y1) y1 = y;
    if (z > z1) z1 = z;
  }
  const cx = sx / n, cy = sy / n, cz = sz / n;
  let cxx = 0, cxz = 0, czz = 0;
  for (let k = 0; k < n; k++) {
    const dx = xs[k] - cx, dz = zs[k] - cz;
    cxx += dx * dx; cxz += dx * dz; czz += dz * dz;
  }
  // Major axis of the x-z covariance: angle theta from +x towards +z.
  const theta = 0.5 * Math.atan2(2 * cxz, cxx - czz);
  const ux = Math.cos(theta), uz = Math.sin(theta);
  let a0 = Infinity, a1 = -Infinity, b0 = Infinity, b1 = -Infinity;
  for (let k = 0; k < n; k++) {
    const a = xs[k] * ux + zs[k] * uz;
    const b = -xs[k] * uz + zs[k] * ux;
    if (a < a0) a0 = a;
    if (a > a1) a1 = a;
    if (b < b0) b0 = b;
    if (b > b1) b1 = b;
  }
  const am = (a0 + a1) / 2, bm = (b0 + b1) / 2;
  const yawBox: YawBox = {
    center: [am * ux - bm * uz, (y0 + y1) / 2, am * uz + bm * ux],
    halfExtents: [(a1 - a0) / 2, (y1 - y0) / 2, (b1 - b0) / 2],
    yaw: -theta,
  };
  return { centroid: [cx, cy, cz], box: { min: [x0, y0, z0], max: [x1, y1, z1] }, yawBox };
}

/** Connected components (26-neighbourhood) of the occupied voxels of the selected Gaussians. */
export function voxelComponents(positions: Float32Array, selection: Uint32Array, voxelSize: number): Int32Array {
  if (!(voxelSize > 0)) throw new Error(`voxelComponents: voxelSize must be > 0, got ${voxelSize}`);
  const inv = 1 / voxelSize;
  // Keys must stay below 2^53 to be exact doubles: 3 x 16 bits (+-32768 voxels per axis, 3.2 km at 0.1 m).
  // (A 3 x 21-bit key overflowed and made distant voxels collide, joining far-apart objects.)
  const OFF = 1 << 15;
  const S = 1 << 16;
  const keyOf = (ix: number, iy: number, iz: number) => (ix * S + iy) * S + iz;
  const voxelId = new Map<number, number>();
  const vox = new Int32Array(selection.length);
  const coords: number[] = [];
  for (let k = 0; k < selection.length; k++) {
    const i = selection[k] * 3;
    const ix = Math.floor(positions[i] * inv) + OFF, iy = Math.floor(positions[i + 1] * inv) + OFF, iz = Math.floor(positions[i + 2] * inv) + OFF;
    if (!(ix >= 0 && iy >= 0 && iz >= 0 && ix < S && iy < S && iz < S)) throw new Error(`voxelComponents: Gaussian ${selection[k]} has a position outside the voxel range (+-${(OFF * voxelSize).toFixed(0)} m)`);
    const key = keyOf(ix, iy, iz);
    let id = voxelId.get(key);
    if (id === undefined) {
      id = voxelId.size;
      voxelId.set(key, id);
      coords.push(ix, iy, iz);
    }
    vox[k] = id;
  }
  const V = voxelId.size;
  const parent = new Int32Array(V);
  for (let v = 0; v < V; v++) parent[v] = v;
  const find = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]];
      x = parent[x];
    }
    return x;
  };
  for (let v = 0; v < V; v++) {
    const ix = coords[v * 3], iy = coords[v * 3 + 1], iz = coords[v * 3 + 2];
    for (let dx = -1; dx <= 1; dx++)
      for (let dy = -1; dy <= 1; dy++)
        for (let dz = -1; dz <= 1; dz++) {
          if (dx === 0 && dy === 0 && dz === 0) continue;
          const w = voxelId.get(keyOf(ix + dx, iy + dy, iz + dz));
          if (w === undefined) continue;
          const a = find(v), b = find(w);
          if (a !== b) parent[a] = b;
        }
  }
  const comp = new Int32Array(selection.length);
  const compId = new Map<number, number>();
  for (let k = 0; k < selection.length; k++) {
    const r = find(vox[k]);
    let c = compId.get(r);
    if (c === undefined) {
      c = compId.size;
      compId.set(r, c);
    }
    comp[k] = c;
  }
  return comp;
}

export class SemanticQuery {
  private readonly cache = new Map<string, Float32Array>();
  private canonCache: Float32Array | null = null;
  private readonly scratch = new SelectionScratch();
  readonly options: Required<QueryOptions>;

  constructor(private readonly text: TextEmbedder, options: QueryOptions = {}) {
    this.options = {
      temperature: options.temperature ?? RELEVANCY_TEMPERATURE,
      threshold: options.threshold ?? RELEVANCY_THRESHOLD,
      canonical: options.canonical ?? CANONICAL_PHRASES,
      grouping: options.grouping ?? 'auto',
      voxelSize: options.voxelSize ?? 0.1,
      minGaussians: options.minGaussians ?? 20,
    };
    if (this.options.canonical.length === 0) throw new Error('SemanticQuery: at least one canonical phrase is needed');
    if (!(this.options.temperature > 0)) throw new Error(`SemanticQuery: temperature must be > 0, got ${this.options.temperature}`);
  }

  private async embed(texts: string[]): Promise<Float32Array> {
    const e = await this.text.embedTexts(texts);
    if (e.length !== texts.length * this.text.dim) throw new Error(`SemanticQuery: text embedder ${this.text.id} returned ${e.length} values for ${texts.length} texts of dim ${this.text.dim}`);
    return normalizeRows(e, this.text.dim, 'SemanticQuery');
  }

  /** Unit embedding of a query, cached by normalised text. */
  async embedQuery(text: string): Promise<Float32Array> {
    const key = normalizeQueryText(text);
    if (!key) throw new Error('SemanticQuery: empty query');
    let q = this.cache.get(key);
    if (!q) {
      q = await this.embed([key]);
      if (this.cache.size > 1000) this.cache.clear();
      this.cache.set(key, q);
    }
    return q;
  }

  async canonicalEmbeddings(): Promise<Float32Array> {
    if (!this.canonCache) this.canonCache = await this.embed([...this.options.canonical]);
    return this.canonCache;
  }

  async query(scene: QueryScene | null | undefined, text: string): Promise<QueryAnswer> {
    if (typeof text !== 'string' || !normalizeQueryText(text)) throw new Error('SemanticQuery: empty query');
    if (!scene) throw new Error('SemanticQuery: no scene yet (query before any scene/bank exists)');
    const bank = scene.bank;
    if (bank.count <= 1) throw new Error('SemanticQuery: the semantic bank is empty (query before any scene/bank exists)');
    if (bank.dim !== this.text.dim) throw new Error(`SemanticQuery: bank dim ${bank.dim} != text embedder ${this.text.id} dim ${this.text.dim}`);
    const o = this.options;

    const t0 = performance.now();
    const q = await this.embedQuery(text);
    const canon = await this.canonicalEmbeddings();
    const t1 = performance.now();
    const entryScores = scoreBank(bank, q, canon, o.temperature);
    const rows = new Uint8Array(bank.count);
    let bestRow = 0;
    for (let r = 1; r < bank.count; r++) {
      if (isAnswerScore(entryScores[r], o.threshold)) rows[r] = 1;
      if (bestRow === 0 || entryScores[r] > entryScores[bestRow]) bestRow = r;
    }
    const t2 = performance.now();
    const best = bestRow ? `best: "${bank.meta[bestRow].label || `entry ${bestRow}`}" ${entryScores[bestRow].toFixed(3)}` : '';
    const tie = bestRow && !isAnswerScore(entryScores[bestRow], o.threshold) && Math.abs(entryScores[bestRow] - o.threshold) <= RELEVANCY_TIE ? ', a tie with the canonical phrases: no preference' : '';
    const a = answerFromRows(scene, text, rows, entryScores, o, this.scratch, `no bank entry scored above ${o.threshold}; ${best}${tie}`);
    const t4 = performance.now();
    return { ...a, answeredFrom: 'relevancy', timings: { embedMs: t1 - t0, scoreMs: t2 - t1, selectMs: a.selectMs, groupMs: t4 - t2 - a.selectMs } };
  }
}

/** Reusable per-query tables (a lookup over all 65536 Uint16 rows and the selected-index buffer). */
export class SelectionScratch {
  indices = new Uint32Array(0);
  readonly lut = new Uint8Array(65536);
  readonly groupTable = new Int32Array(65536);
}

/**
 * The selected bank rows -> the selected Gaussians -> instances (the grouping of QueryOptions.grouping), shared by
 * relevancy answers and answers from stored labels. `noMatch` says why when no row is selected.
 */
export function answerFromRows(
  scene: QueryScene,
  text: string,
  rows: Uint8Array,
  entryScores: Float32Array,
  options: Pick<Required<QueryOptions>, 'grouping' | 'voxelSize' | 'minGaussians'>,
  scratch: SelectionScratch,
  noMatch: string,
): Omit<QueryAnswer, 'answeredFrom' | 'timings'> & { selectMs: number } {
  const bank = scene.bank;
  if (rows.length !== bank.count || entryScores.length !== bank.count) throw new Error(`answerFromRows: ${rows.length} row flags / ${entryScores.length} scores for a bank of ${bank.count} rows`);
  const t0 = performance.now();
  const lut = scratch.lut;
  lut.fill(0);
  let nSel = 0;
  for (let r = 1; r < bank.count; r++)
    if (rows[r]) {
      lut[r] = 1;
      nSel++;
    }
  if (scratch.indices.length < scene.count) scratch.indices = new Uint32Array(scene.count);
  const n = nSel ? selectGaussians(scene.semantic, scene.count, lut, scratch.indices) : 0;
  const selection = scratch.indices.slice(0, n);
  const selectMs = performance.now() - t0;
  const base = { query: text, entryScores, rows, selection, selectMs };
  if (nSel === 0) return { ...base, instances: [], reason: `nothing in the scene matches "${text}" (${noMatch})` };
  if (n === 0) return { ...base, instances: [], reason: `"${text}" matched ${nSel} bank entr${nSel === 1 ? 'y' : 'ies'} but no Gaussian carries them` };

  const instanceBank = bank.meta.some((m, i) => i > 0 && m.instanceId >= 0);
  const grouping = options.grouping === 'auto' ? (instanceBank ? (bank.maskSource.startsWith('graph') ? 'both' : 'entries') : 'voxels') : options.grouping;
  const comp =
    grouping === 'entries'
      ? groupByEntry(scene.semantic, selection, scratch.groupTable)
      : grouping === 'voxels'
        ? voxelComponents(scene.positions, selection, options.voxelSize)
        : joinByEntry(scene.semantic, selection, voxelComponents(scene.positions, selection, options.voxelSize), scratch.groupTable);
  let nComp = 0;
  for (let k = 0; k < comp.length; k++) if (comp[k] + 1 > nComp) nComp = comp[k] + 1;
  const counts = new Int32Array(nComp);
  for (let k = 0; k < comp.length; k++) counts[comp[k]]++;
  const starts = new Int32Array(nComp + 1);
  for (let c = 0; c < nComp; c++) starts[c + 1] = starts[c] + counts[c];
  const members = new Uint32Array(n);
  const fill = starts.slice(0, nComp);
  for (let k = 0; k < n; k++) members[fill[comp[k]]++] = selection[k];

  const instances: QueryInstance[] = [];
  for (let c = 0; c < nComp; c++) {
    if (counts[c] < options.minGaussians) continue;
    const idx = members.subarray(starts[c], starts[c + 1]);
    const found: number[] = [];
    const seen = lut; // reused as a scratch mark table: selection is done with it
    for (let k = 0; k < idx.length; k++) {
      const r = scene.semantic[idx[k]];
      if (seen[r] !== 2) {
        seen[r] = 2;
        found.push(r);
      }
    }
    for (const r of found) seen[r] = 1;
    const bankIndices = found.sort((a, b) => entryScores[b] - entryScores[a] || a - b);
    const top = bankIndices[0];
    instances.push({ score: entryScores[top], label: bank.meta[top].label, bankIndices, count: idx.length, ...describeInstance(scene.positions, idx) });
  }
  instances.sort((a, b) => b.score - a.score || b.count - a.count);
  if (instances.length === 0) return { ...base, instances, reason: `"${text}" matched ${n} Gaussians, all in groups smaller than ${options.minGaussians}` };
  return { ...base, instances };
}

/** Voxel components merged (union-find) when they share a bank entry; returns dense component ids. */
function joinByEntry(semantic: Uint16Array, selection: Uint32Array, voxelComp: Int32Array, firstComp: Int32Array): Int32Array {
  let nc = 0;
  for (let k = 0; k < voxelComp.length; k++) if (voxelComp[k] + 1 > nc) nc = voxelComp[k] + 1;
  const parent = new Int32Array(nc);
  for (let c = 0; c < nc; c++) parent[c] = c;
  const find = (c: number): number => {
    while (parent[c] !== c) c = parent[c] = parent[parent[c]];
    return c;
  };
  firstComp.fill(-1);
  for (let k = 0; k < selection.length; k++) {
    const r = semantic[selection[k]];
    const c = voxelComp[k];
    if (firstComp[r] < 0) firstComp[r] = c;
    else {
      const a = find(firstComp[r]), b = find(c);
      if (a !== b) parent[a] = b;
    }
  }
  const dense = new Int32Array(nc).fill(-1);
  let next = 0;
  const out = new Int32Array(selection.length);
  for (let k = 0; k < selection.length; k++) {
    const root = find(voxelComp[k]);
    if (dense[root] < 0) dense[root] = next++;
    out[k] = dense[root];
  }
  return out;
}

function groupByEntry(semantic: Uint16Array, selection: Uint32Array, ids: Int32Array): Int32Array {
  // A dense row -> group table (Uint16 rows) instead of a Map: this runs once per selected Gaussian.
  ids.fill(-1);
  let next = 0;
  const comp = new Int32Array(selection.length);
  for (let k = 0; k < selection.length; k++) {
    const r = semantic[selection[k]];
    let c = ids[r];
    if (c < 0) c = ids[r] = next++;
    comp[k] = c;
  }
  return comp;
}
