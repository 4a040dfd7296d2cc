/**
 * The paper's semantic memory bank: K-means over all mask embeddings of all views.
 *
 * M = ceil(1.2 x totalMasks / views). Spherical K-means (cosine similarity on unit vectors): assignment
 * by largest dot product, centroid = re-normalised mean of its members; k-means++ seeding with
 * distance 1 - cos and a seeded RNG, so a given input always gives the same bank. Each mask takes its
 * nearest centroid; bank rows 1..M' are the normalised centroids (row 0 stays background). Clusters
 * that end empty are dropped, so M' <= M and no bank row is without a mask.
 */
import type { SemanticBank } from '../../splat/semantic-bank';
import { mulberry32 } from './seeded-random';

/** M = ceil(1.2 x masks / views), clamped to 1..masks (0 when there are no masks). */
export function bankSize(totalMasks: number, views: number, factor = 1.2): number {
  if (!Number.isInteger(totalMasks) || totalMasks < 0) throw new Error(`bankSize: totalMasks must be a non-negative integer, got ${totalMasks}`);
  if (!Number.isInteger(views) || views <= 0) throw new Error(`bankSize: views must be a positive integer, got ${views}`);
  if (!(factor > 0)) throw new Error(`bankSize: factor must be > 0, got ${factor}`);
  if (totalMasks === 0) return 0;
  // Round off float noise (1.2 * 10 / 2 = 6.000000000000001) before the ceiling.
  const m = Math.ceil(Math.round(((factor * totalMasks) / views) * 1e9) / 1e9);
  return Math.min(totalMasks, Math.max(1, m));
}

export interface KMeansOptions {
  seed?: number;
  maxIterations?: number;
}

export interface KMeansResult {
  /** [k, dim] unit centroids. */
  centroids: Float32Array;
  /** [n] cluster of each point. */
  assignment: Int32Array;
  /** Members per cluster. */
  sizes: Int32Array;
  k: number;
  iterations: number;
}

function dot(a: Float32Array, ai: number, b: Float32Array, bi: number, dim: number): number {
  let s = 0;
  for (let j = 0; j < dim; j++) s += a[ai + j] * b[bi + j];
  return s;
}

/**
 * Spherical K-means with k-means++ seeding. `data` is [n, dim] of unit vectors.
 * Returns exactly k clusters (some may be empty if there are fewer distinct points than k).
 */
export function sphericalKMeans(data: Float32Array, dim: number, k: number, options: KMeansOptions = {}): KMeansResult {
  if (!Number.isInteger(dim) || dim <= 0) throw new Error(`sphericalKMeans: dim must be a positive integer, got ${dim}`);
  if (data.length % dim !== 0) throw new Error(`sphericalKMeans: ${data.length} values is not a multiple of dim ${dim}`);
  const n = data.length / dim;
  if (!Number.isInteger(k) || k < 1 || k > n) throw new Error(`sphericalKMeans: k must be an integer in 1..${n}, got ${k}`);
  const rand = mulberry32(options.seed ?? 1);
  const maxIt = options.maxIterations ?? 100;
  const C = new Float32Array(k * dim);
  // k-means++: first centre uniform, then proportional to squared cosine distance to the nearest centre.
  const best = new Float64Array(n).fill(Infinity);
  let pick = Math.min(n - 1, Math.floor(rand() * n));
  for (let c = 0; c < k; c++) {
    C.set(data.subarray(pick * dim, pick * dim + dim), c * dim);
    let total = 0;
    for (let i = 0; i < n; i++) {
      const d = Math.max(0, 1 - dot(data, i * dim, C, c * dim, dim));
      if (d < best[i]) best[i] = d;
      total += best[i] * best[i];
    }
    if (c + 1 === k) break;
    if (total > 0) {
      let r = rand() * total;
      pick = n - 1;
      for (let i = 0; i < n; i++) {
        r -= best[i] * best[i];
        if (r <= 0 && best[i] > 0) {
          pick = i;
          break;
        }
      }
    } else pick = Math.min(n - 1, Math.floor(rand() * n));
  }

  const assignment = new Int32Array(n).fill(-1);
  const sizes = new Int32Array(k);
  const sims = new Float64Array(n);
  let it = 0;
  for (; it < maxIt; it++) {
    let changed = 0;
    for (let i = 0; i < n; i++) {
      let bc = 0;
      let bs = -Infinity;
      for (let c = 0; c < k; c++) {
        const s = dot(data, i * dim, C, c * dim, dim);
        if (s > bs) {
          bs = s;
          bc = c;
        }
      }
      sims[i] = bs;
      if (assignment[i] !== bc) {
        assignment[i] = bc;
        changed++;
      }
    }
    if (changed === 0 && it > 0) break;
    C.fill(0);
    sizes.fill(0);
    for (let i = 0; i < n; i++) {
      const c = assignment[i];
      sizes[c]++;
      for (let j = 0; j < dim; j++) C[c * dim + j] += data[i * dim + j];
    }
    for (let c = 0; c < k; c++) {
      if (sizes[c] === 0) {
        // Empty cluster: restart it at the point worst served by its centre.
        let worst = 0;
        for (let i = 1; i < n; i++) if (sims[i] < sims[worst]) worst = i;
        C.set(data.subarray(worst * dim, worst * dim + dim), c * dim);
        sims[worst] = Infinity;
        continue;
      }
      let s = 0;
      for (let j = 0; j < dim; j++) s += C[c * dim + j] * C[c * dim + j];
      if (s > 0) {
        const inv = 1 / Math.sqrt(s);
        for (let j = 0; j < dim; j++) C[c * dim + j] *= inv;
      }
    }
  }
  sizes.fill(0);
  for (let i = 0; i < n; i++) sizes[assignment[i]]++;
  return { centroids: C, assignment, sizes, k, iterations: it };
}

export interface ViewEmbeddings {
  /** Frame index of the view. */
  view: number;
  /** [K, dim] unit embeddings, row k-1 = mask k. */
  embeddings: Float32Array;
}

export interface KMeansBankResult {
  /** Per input view, mask id -> bank index (entry 0 = no mask -> 0). */
  maskToBank: Uint16Array[];
  /** M from the formula; the bank holds M' <= M rows besides background. */
  m: number;
  kmeans: KMeansResult | null;
}

/**
 * Rebuilds `bank` from scratch as the paper's K-means memory bank over every view's mask embeddings.
 * Labels are left empty (a VocabularyLabeler fills them).
 */
export function buildKMeansBank(bank: SemanticBank, views: ViewEmbeddings[], options: KMeansOptions & { factor?: number } = {}): KMeansBankResult {
  if (views.length === 0) throw new Error('buildKMeansBank: no views');
  const dim = bank.dim;
  let total = 0;
  for (const v of views) {
    if (v.embeddings.length % dim !== 0) throw new Error(`buildKMeansBank: view ${v.view} embeddings (${v.embeddings.length} values) are not rows of the bank dim ${dim}`);
    total += v.embeddings.length / dim;
  }
  const m = bankSize(total, views.length, options.factor);
  bank.clear();
  if (total === 0) return { maskToBank: views.map(() => new Uint16Array(1)), m, kmeans: null };
  const all = new Float32Array(total * dim);
  let off = 0;
  for (const v of views) {
    all.set(v.embeddings, off);
    off += v.embeddings.length;
  }
  const km = sphericalKMeans(all, dim, m, options);
  const rowOf = new Int32Array(m);
  const members: number[][] = Array.from({ length: m }, () => []);
  let cursor = 0;
  views.forEach((v, vi) => {
    const K = v.embeddings.length / dim;
    for (let k = 0; k < K; k++) members[km.assignment[cursor + k]].push(vi);
    cursor += K;
  });
  for (let c = 0; c < m; c++) {
    if (km.sizes[c] === 0) continue;
    const sourceViews = [...new Set(members[c].map((vi) => views[vi].view))].sort((a, b) => a - b);
    rowOf[c] = bank.add(km.centroids.subarray(c * dim, (c + 1) * dim), { label: '', instanceId: -1, sourceViews, support: km.sizes[c] });
  }
  cursor = 0;
  const maskToBank = views.map((v) => {
    const K = v.embeddings.length / dim;
    const map = new Uint16Array(K + 1);
    for (let k = 0; k < K; k++) map[k + 1] = rowOf[km.assignment[cursor + k]];
    cursor += K;
    return map;
  });
  return { maskToBank, m, kmeans: km };
}
