/**
 * Structure-of-arrays container for N 3D Gaussians with semantics.
 *
 * Layout and units (see docs/ARCHITECTURE.md):
 * - positions: Float32 x3, world metres;
 * - scales:    Float32 x3, linear standard deviations in metres (not log);
 * - rotations: Float32 x4, unit quaternion in x, y, z, w order (three.js / glTF order;
 *              INRIA .ply stores w first: the readers convert);
 * - opacities: Float32, post-sigmoid 0..1;
 * - colors:    Float32 x3, SH degree-0 colour as display RGB 0..1 (= 0.5 + C0 * f_dc);
 * - shRest:    Float32 x (3 * ((d+1)^2 - 1)) per Gaussian for shDegree d > 0, coefficient-major
 *              with RGB interleaved ([c1.r, c1.g, c1.b, c2.r, ...]); empty for degree 0;
 * - semantic:  Uint16 index into the scene's SemanticBank (0 = background/unknown);
 * - sourceView / sourcePixel: which frame and pixel (v * width + u) produced the Gaussian, so
 *   masks can assign semantics later; sourceView 0xffff = none (loaded from a file);
 * - weight:    Float32 observation weight used by fusion (higher = better observed).
 *
 * The container grows by doubling up to a hard `budget`; going past it throws
 * SceneBudgetError (fusion decides what to evict before calling push).
 */
import { SemanticBank } from './semantic-bank';
import type { SceneInfo } from './scene-info';

export const NO_SOURCE_VIEW = 0xffff;

export class SceneBudgetError extends Error {
  constructor(readonly requested: number, readonly budget: number) {
    super(`Gaussian budget exceeded: ${requested} Gaussians requested, budget is ${budget}`);
    this.name = 'SceneBudgetError';
  }
}

export const shRestCount = (degree: number): number => 3 * ((degree + 1) * (degree + 1) - 1);

export interface GaussianSceneOptions {
  /** Hard limit on the number of Gaussians (default 4M). */
  budget?: number;
  initialCapacity?: number;
  shDegree?: number;
  /** Embedding dimension of the semantic bank (default 512, CLIP ViT-B/16). */
  bankDim?: number;
}

export class GaussianScene {
  count = 0;
  capacity: number;
  readonly budget: number;
  readonly shDegree: number;
  positions: Float32Array;
  scales: Float32Array;
  rotations: Float32Array;
  opacities: Float32Array;
  colors: Float32Array;
  shRest: Float32Array;
  semantic: Uint16Array;
  sourceView: Uint16Array;
  sourcePixel: Uint32Array;
  weight: Float32Array;
  bank: SemanticBank;
  /** Capture cameras and the world transform applied (lib/splat/scene-info.ts); null when unknown (e.g. a foreign .ply). */
  info: SceneInfo | null = null;

  constructor(opts: GaussianSceneOptions = {}) {
    this.budget = opts.budget ?? 4_000_000;
    this.shDegree = opts.shDegree ?? 0;
    if (!Number.isInteger(this.budget) || this.budget <= 0) throw new Error(`GaussianScene: budget must be a positive integer, got ${this.budget}`);
    if (!Number.isInteger(this.shDegree) || this.shDegree < 0 || this.shDegree > 3) throw new Error(`GaussianScene: shDegree must be 0..3, got ${this.shDegree}`);
    this.capacity = Math.min(this.budget, Math.max(1, opts.initialCapacity ?? 1024));
    this.positions = new Float32Array(this.capacity * 3);
    this.scales = new Float32Array(this.capacity * 3);
    this.rotations = new Float32Array(this.capacity * 4);
    this.opacities = new Float32Array(this.capacity);
    this.colors = new Float32Array(this.capacity * 3);
    this.shRest = new Float32Array(this.capacity * shRestCount(this.shDegree));
    this.semantic = new Uint16Array(this.capacity);
    this.sourceView = new Uint16Array(this.capacity);
    this.sourcePixel = new Uint32Array(this.capacity);
    this.weight = new Float32Array(this.capacity);
    this.bank = new SemanticBank(opts.bankDim ?? 512);
  }

  /** Makes room for `n` Gaussians in total; throws SceneBudgetError past the budget. */
  reserve(n: number): void {
    if (n <= this.capacity) return;
    if (n > this.budget) throw new SceneBudgetError(n, this.budget);
    const cap = Math.min(this.budget, Math.max(n, this.capacity * 2));
    const grow = <T extends Float32Array | Uint16Array | Uint32Array>(a: T, per: number): T => {
      const b = new (a.constructor as { new (n: number): T })(cap * per);
      b.set(a.subarray(0, this.count * per));
      return b;
    };
    this.positions = grow(this.positions, 3);
    this.scales = grow(this.scales, 3);
    this.rotations = grow(this.rotations, 4);
    this.opacities = grow(this.opacities, 1);
    this.colors = grow(this.colors, 3);
    this.shRest = grow(this.shRest, shRestCount(this.shDegree));
    this.semantic = grow(this.semantic, 1);
    this.sourceView = grow(this.sourceView, 1);
    this.sourcePixel = grow(this.sourcePixel, 1);
    this.weight = grow(this.weight, 1);
    this.capacity = cap;
  }

  /** Appends `n` zeroed Gaussians (identity rotation) and returns the index of the first. */
  allocate(n: number): number {
    const start = this.count;
    this.reserve(start + n);
    this.count = start + n;
    for (let i = start; i < start + n; i++) {
      this.rotations[i * 4 + 3] = 1;
      this.sourceView[i] = NO_SOURCE_VIEW;
    }
    return start;
  }

  /**
   * Keeps only the Gaussians with keep[i] != 0, preserving order; returns the new count.
   * Used by fusion to drop a view's contribution or merged duplicates.
   */
  compact(keep: Uint8Array): number {
    const sh = shRestCount(this.shDegree);
    let w = 0;
    for (let i = 0; i < this.count; i++) {
      if (!keep[i]) continue;
      if (w !== i) {
        this.positions.copyWithin(w * 3, i * 3, i * 3 + 3);
        this.scales.copyWithin(w * 3, i * 3, i * 3 + 3);
        this.rotations.copyWithin(w * 4, i * 4, i * 4 + 4);
        this.opacities[w] = this.opacities[i];
        this.colors.copyWithin(w * 3, i * 3, i * 3 + 3);
        if (sh) this.shRest.copyWithin(w * sh, i * sh, i * sh + sh);
        this.semantic[w] = this.semantic[i];
        this.sourceView[w] = this.sourceView[i];
        this.sourcePixel[w] = this.sourcePixel[i];
        this.weight[w] = this.weight[i];
      }
      w++;
    }
    this.count = w;
    return w;
  }

  /** Bytes per Gaussian held in memory by the SoA arrays (capacity-independent). */
  bytesPerGaussian(): number {
    return 4 * (3 + 3 + 4 + 1 + 3 + shRestCount(this.shDegree) + 1) + 2 + 2 + 4;
  }
}
