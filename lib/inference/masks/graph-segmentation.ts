/**
 * Weight-free mask generator: Felzenszwalb-Huttenlocher graph segmentation (IJCV 2004) on colour,
 * depth and normals. Runs when no SAM-family model is installed.
 *
 * Graph: one node per pixel, 8-neighbour edges. Edge weight between pixels p, q:
 *   w = |rgb_p - rgb_q| / 255                                  (Euclidean, after a Gaussian blur)
 *     + depthWeight  * |z_p - z_q| / min(z_p, z_q)             (relative depth discontinuity)
 *     + normalWeight * (1 - n_p . n_q)                          (normal angle; 1 at 90 degrees)
 * The depth and normal terms are 0 where either pixel has no depth. Relative depth is used so that a
 * 5 cm step means the same at 0.5 m and 5 m is not over-segmenting far surfaces (a step
 * at distance z scales with z).
 *
 * FH merge rule: edges in ascending weight; components C1, C2 joined when
 *   w <= min(Int(C1) + k/|C1|, Int(C2) + k/|C2|),  Int(C) = largest edge weight inside C's MST.
 * Then components smaller than `minSize` are merged into a neighbour across their weakest edges.
 * Edges are ordered with a 16-bit counting sort of the quantised weights (O(E), no comparisons).
 * Every pixel gets a label (no "none"), so masks cover the image like SAM's "everything" mode.
 */
import type { DepthMap, Intrinsics } from '../../capture/frame';
import { scaleIntrinsics } from '../../capture/frame';
import { checkRgbImage, maskSetFromLabels, type MaskGenerator, type MaskInput, type MaskSet } from './mask-generator';

export interface GraphSegmentationOptions {
  /** FH scale parameter k in weight units (weights ~0..2; default 1.0 ~ 255 in 8-bit colour units). */
  k?: number;
  /** Components below this many pixels are merged away (default: max(20, image area / 300): smaller regions are
   * too small for CLIP to recognise, and with noisy monocular depth area/1000 gave ~290 masks per 256x256 view). */
  minSize?: number;
  /** Gaussian blur sigma on colour before differencing, pixels (default 0 = off: blurring makes
   * 1-px strips of mixed colour along every edge, which then survive as their own segments). */
  sigma?: number;
  /** Components thinner than this (area / longest box side, pixels) are merged away like small
   * ones (default 2): edge strips of anti-aliased or mixed pixels. */
  minWidth?: number;
  /** Weight of the relative depth discontinuity term (default 4). */
  depthWeight?: number;
  /** Weight of the normal-angle term (default 1). */
  normalWeight?: number;
}

const QUANT = 65536;

function gaussianBlurRgb(data: Uint8Array, W: number, H: number, sigma: number): Float32Array {
  const out = new Float32Array(W * H * 3);
  for (let i = 0; i < out.length; i++) out[i] = data[i];
  if (!(sigma > 0)) return out;
  const r = Math.max(1, Math.ceil(sigma * 4));
  const ker = new Float32Array(2 * r + 1);
  let sum = 0;
  for (let i = -r; i <= r; i++) sum += ker[i + r] = Math.exp(-(i * i) / (2 * sigma * sigma));
  for (let i = 0; i < ker.length; i++) ker[i] /= sum;
  const tmp = new Float32Array(W * H * 3);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      let a = 0, b = 0, c = 0;
      for (let i = -r; i <= r; i++) {
        const xx = Math.min(W - 1, Math.max(0, x + i));
        const p = (y * W + xx) * 3;
        const k = ker[i + r];
        a += out[p] * k;
        b += out[p + 1] * k;
        c += out[p + 2] * k;
      }
      const q = (y * W + x) * 3;
      tmp[q] = a;
      tmp[q + 1] = b;
      tmp[q + 2] = c;
    }
  }
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      let a = 0, b = 0, c = 0;
      for (let i = -r; i <= r; i++) {
        const yy = Math.min(H - 1, Math.max(0, y + i));
        const p = (yy * W + x) * 3;
        const k = ker[i + r];
        a += tmp[p] * k;
        b += tmp[p + 1] * k;
        c += tmp[p + 2] * k;
      }
      const q = (y * W + x) * 3;
      out[q] = a;
      out[q + 1] = b;
      out[q + 2] = c;
    }
  }
  return out;
}

/** Depth resampled (nearest) to W x H; 0 where missing or non-finite. */
export function resampleDepth(depth: DepthMap, W: number, H: number): Float32Array {
  if (depth.data.length !== depth.width * depth.height) throw new Error(`resampleDepth: depth has ${depth.data.length} values, expected ${depth.width}x${depth.height}`);
  const out = new Float32Array(W * H);
  for (let v = 0; v < H; v++) {
    const dv = Math.min(depth.height - 1, Math.floor(((v + 0.5) * depth.height) / H));
    for (let u = 0; u < W; u++) {
      const du = Math.min(depth.width - 1, Math.floor(((u + 0.5) * depth.width) / W));
      const z = depth.data[dv * depth.width + du];
      out[v * W + u] = Number.isFinite(z) && z > 0 ? z : 0;
    }
  }
  return out;
}

/** Unit camera-space normals from a depth map (0 vector where undefined). */
export function normalsFromDepth(z: Float32Array, W: number, H: number, k: Intrinsics): Float32Array {
  const n = new Float32Array(W * H * 3);
  const px = (u: number, v: number, out: number[]): boolean => {
    const d = z[v * W + u];
    if (!(d > 0)) return false;
    out[0] = ((u + 0.5 - k.cx) / k.fx) * d;
    out[1] = ((v + 0.5 - k.cy) / k.fy) * d;
    out[2] = d;
    return true;
  };
  const c = [0, 0, 0], a = [0, 0, 0], b = [0, 0, 0];
  // One-sided differences towards the neighbour with the closer depth, so pixels on either side of a
  // depth step get their own surface's normal instead of a bogus one spanning the step.
  const side = (u: number, v: number, du: number, dv: number, out: number[]): boolean => {
    const z0 = z[v * W + u];
    const u1 = u + du, v1 = v + dv, u2 = u - du, v2 = v - dv;
    const okF = u1 >= 0 && u1 < W && v1 >= 0 && v1 < H && z[v1 * W + u1] > 0;
    const okB = u2 >= 0 && u2 < W && v2 >= 0 && v2 < H && z[v2 * W + u2] > 0;
    if (!okF && !okB) return false;
    const fwd = okF && (!okB || Math.abs(z[v1 * W + u1] - z0) <= Math.abs(z[v2 * W + u2] - z0));
    if (!px(fwd ? u1 : u2, fwd ? v1 : v2, out)) return false;
    const s = fwd ? 1 : -1;
    out[0] = (out[0] - c[0]) * s;
    out[1] = (out[1] - c[1]) * s;
    out[2] = (out[2] - c[2]) * s;
    return true;
  };
  for (let v = 0; v < H; v++) {
    for (let u = 0; u < W; u++) {
      if (!px(u, v, c) || !side(u, v, 1, 0, a) || !side(u, v, 0, 1, b)) continue;
      const nx = a[1] * b[2] - a[2] * b[1], ny = a[2] * b[0] - a[0] * b[2], nz = a[0] * b[1] - a[1] * b[0];
      const len = Math.hypot(nx, ny, nz);
      if (len > 0) {
        const p = (v * W + u) * 3;
        n[p] = nx / len;
        n[p + 1] = ny / len;
        n[p + 2] = nz / len;
      }
    }
  }
  return n;
}

/**
 * Edge indices 0..E-1 in ascending weight, by a counting sort of the weights quantised to 16 bits
 * (O(E), stable). Weights closer than max/65535 may come out in either order, which FH does not
 * notice: its thresholds are far coarser.
 */
export function orderEdges(ew: Float32Array, E: number): Int32Array {
  if (E > ew.length) throw new Error(`orderEdges: ${E} edges but ${ew.length} weights`);
  let wMax = 0;
  for (let e = 0; e < E; e++) {
    const w = ew[e];
    if (!(w >= 0)) throw new Error(`orderEdges: edge ${e} has weight ${w}`);
    if (w > wMax) wMax = w;
  }
  const qs = wMax > 0 ? (QUANT - 1) / wMax : 0;
  const counts = new Uint32Array(QUANT + 1);
  const qw = new Uint16Array(E);
  for (let e = 0; e < E; e++) {
    const q = Math.floor(ew[e] * qs);
    qw[e] = q;
    counts[q + 1]++;
  }
  for (let i = 1; i <= QUANT; i++) counts[i] += counts[i - 1];
  const order = new Int32Array(E);
  for (let e = 0; e < E; e++) order[counts[qw[e]]++] = e;
  return order;
}

function find(parent: Int32Array, x: number): number {
  let r = x;
  while (parent[r] !== r) r = parent[r];
  while (parent[x] !== r) {
    const nx = parent[x];
    parent[x] = r;
    x = nx;
  }
  return r;
}

/**
 * FH segmentation of an image (plus optional depth). Returns a label map 1..K covering every pixel.
 */
export function segmentGraph(input: MaskInput, options: GraphSegmentationOptions = {}): MaskSet {
  const { image, depth } = input;
  checkRgbImage(image, 'segmentGraph');
  const W = image.width;
  const H = image.height;
  const N = W * H;
  const kScale = options.k ?? 1.0;
  const minSize = options.minSize ?? Math.max(20, Math.round(N / 300));
  const depthWeight = options.depthWeight ?? 4;
  const normalWeight = options.normalWeight ?? 1;
  if (!(kScale >= 0)) throw new Error(`segmentGraph: k must be >= 0, got ${kScale}`);
  if (!(minSize >= 1)) throw new Error(`segmentGraph: minSize must be >= 1, got ${minSize}`);
  if (!(depthWeight >= 0) || !(normalWeight >= 0)) throw new Error('segmentGraph: depthWeight and normalWeight must be >= 0');

  const col = gaussianBlurRgb(image.data, W, H, options.sigma ?? 0);
  let z: Float32Array | null = null;
  let nrm: Float32Array | null = null;
  if (depth) {
    z = resampleDepth(depth, W, H);
    if (normalWeight > 0) {
      const k = input.intrinsics ? scaleIntrinsics(input.intrinsics, W, H) : scaleIntrinsics(depth.intrinsics, W, H);
      nrm = normalsFromDepth(z, W, H, k);
    }
  }

  // 8-neighbourhood without duplicates: right, down, down-right, down-left.
  const maxE = 4 * N;
  const ea = new Int32Array(maxE);
  const eb = new Int32Array(maxE);
  const ew = new Float32Array(maxE);
  let E = 0;
  const inv255 = 1 / 255;
  const weight = (p: number, q: number): number => {
    const p3 = p * 3, q3 = q * 3;
    const dr = col[p3] - col[q3], dg = col[p3 + 1] - col[q3 + 1], db = col[p3 + 2] - col[q3 + 2];
    let w = Math.sqrt(dr * dr + dg * dg + db * db) * inv255;
    if (z) {
      const zp = z[p], zq = z[q];
      if (zp > 0 && zq > 0) {
        w += (depthWeight * Math.abs(zp - zq)) / Math.min(zp, zq);
        if (nrm) {
          const dot = nrm[p3] * nrm[q3] + nrm[p3 + 1] * nrm[q3 + 1] + nrm[p3 + 2] * nrm[q3 + 2];
          // A zero normal (undefined) gives dot 0; ignore it rather than call it a 90-degree crease.
          const defined = nrm[p3] !== 0 || nrm[p3 + 1] !== 0 || nrm[p3 + 2] !== 0;
          const definedQ = nrm[q3] !== 0 || nrm[q3 + 1] !== 0 || nrm[q3 + 2] !== 0;
          if (defined && definedQ && dot < 1) w += normalWeight * (1 - dot);
        }
      }
    }
    return w;
  };
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const p = y * W + x;
      if (x + 1 < W) { ea[E] = p; eb[E] = p + 1; ew[E++] = weight(p, p + 1); }
      if (y + 1 < H) {
        ea[E] = p; eb[E] = p + W; ew[E++] = weight(p, p + W);
        if (x + 1 < W) { ea[E] = p; eb[E] = p + W + 1; ew[E++] = weight(p, p + W + 1); }
        if (x > 0) { ea[E] = p; eb[E] = p + W - 1; ew[E++] = weight(p, p + W - 1); }
      }
    }
  }

  const order = orderEdges(ew, E);

  const parent = new Int32Array(N);
  const size = new Int32Array(N).fill(1);
  const thresh = new Float32Array(N).fill(kScale);
  for (let i = 0; i < N; i++) parent[i] = i;
  for (let i = 0; i < E; i++) {
    const e = order[i];
    const a = find(parent, ea[e]);
    const b = find(parent, eb[e]);
    if (a === b) continue;
    const w = ew[e];
    if (w <= thresh[a] && w <= thresh[b]) {
      const [big, small] = size[a] >= size[b] ? [a, b] : [b, a];
      parent[small] = big;
      size[big] += size[small];
      thresh[big] = w + kScale / size[big];
    }
  }
  // Thin components (strips along edges) are treated like small ones.
  const minWidth = options.minWidth ?? 2;
  const thin = new Uint8Array(N);
  if (minWidth > 0) {
    const bx0 = new Int32Array(N).fill(W), by0 = new Int32Array(N).fill(H), bx1 = new Int32Array(N), by1 = new Int32Array(N);
    for (let p = 0; p < N; p++) {
      const r = find(parent, p);
      const x = p % W, y = (p - x) / W;
      if (x < bx0[r]) bx0[r] = x;
      if (y < by0[r]) by0[r] = y;
      if (x + 1 > bx1[r]) bx1[r] = x + 1;
      if (y + 1 > by1[r]) by1[r] = y + 1;
    }
    for (let p = 0; p < N; p++) if (parent[p] === p && size[p] / Math.max(bx1[p] - bx0[p], by1[p] - by0[p]) < minWidth) thin[p] = 1;
  }
  // Small components: merge along edges in ascending order (their weakest boundary first).
  for (let i = 0; i < E; i++) {
    const e = order[i];
    const a = find(parent, ea[e]);
    const b = find(parent, eb[e]);
    if (a !== b && (size[a] < minSize || size[b] < minSize || thin[a] || thin[b])) {
      const [big, small] = thin[a] && !thin[b] ? [b, a] : thin[b] && !thin[a] ? [a, b] : size[a] >= size[b] ? [a, b] : [b, a];
      parent[small] = big;
      size[big] += size[small];
      thin[big] = 0;
    }
  }

  const labels = new Int32Array(N);
  const idOf = new Int32Array(N).fill(0);
  let K = 0;
  for (let p = 0; p < N; p++) {
    const r = find(parent, p);
    if (idOf[r] === 0) idOf[r] = ++K;
    labels[p] = idOf[r];
  }
  return maskSetFromLabels(labels, W, H, K);
}

export class GraphSegmentationGenerator implements MaskGenerator {
  readonly id = 'graph-fh';
  constructor(private readonly options: GraphSegmentationOptions = {}) {}
  async generate(input: MaskInput): Promise<MaskSet> {
    return segmentGraph(input, this.options);
  }
}
