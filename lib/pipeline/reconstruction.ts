/**
 * The SegSplat reconstruction as one incremental pipeline, shared by the CLI, the browser worker and the tests:
 *
 *   frame → depth (DepthEstimator: device | stereo | network | monocular) → pixel-aligned Gaussians
 *         → fusion into the scene (budgeted) → masks → masked-crop CLIP embeddings → memory bank → indices
 *
 * Frames are brought to one working resolution first so the depth grid, the mask grid and the Gaussians'
 * sourcePixel all address the same pixels. Semantics are optional: without a mask generator and an image
 * embedder the scene is geometry only (every index 0), which is what the app shows when models are missing.
 */
import type { Frame } from '../capture/frame';
import { scaleIntrinsics } from '../capture/frame';
import { resizeArea } from '../capture/image-ops';
import { DepthEstimator, type DepthSourceKind, type DepthSourceOptions, type MonocularDepthModel } from '../inference/depth/depth-source';
import type { ImageEmbedder } from '../inference/embedder';
import type { MaskGenerator } from '../inference/masks/mask-generator';
import { SemanticBuilder, type BankMode } from '../inference/semantics/semantic-builder';
import type { VocabularyLabeler } from '../inference/semantics/vocabulary-labeler';
import type { AssociatorOptions } from '../inference/semantics/instance-associator';
import { GaussianScene } from '../splat/gaussian-scene';
import { gaussiansFromDepth, type DepthToGaussiansOptions } from '../splat/gaussians-from-depth';
import { SceneFusion, type FusionOptions } from '../splat/fusion';
import { noProgress, type ProgressCallback } from './progress';

export const STAGES = ['depth', 'gaussians', 'fusion', 'masks', 'embeddings', 'bank+index'] as const;
export type Stage = (typeof STAGES)[number];

export interface ReconstructionOptions {
  /** Working resolution; default: the first frame's image size (frames of other sizes are resampled). */
  width?: number;
  height?: number;
  depth?: {
    prefer?: DepthSourceKind;
    monocular?: MonocularDepthModel;
    network?: MonocularDepthModel;
    stereo?: DepthSourceOptions['stereo'];
    monocularHoleFill?: boolean;
  };
  gaussians?: DepthToGaussiansOptions;
  fusion?: FusionOptions;
  /** Hard Gaussian budget of the scene (default 2M). */
  budget?: number;
  semantics?: {
    generator: MaskGenerator;
    embedder: ImageEmbedder;
    mode: BankMode;
    labeler?: VocabularyLabeler;
    associator?: AssociatorOptions;
  };
  progress?: ProgressCallback;
}

export interface ViewReport {
  view: number;
  id: string;
  depthSource: DepthSourceKind;
  gaussians: number;
  merged: number;
  masks: number;
}

export interface ReconstructionReport {
  views: ViewReport[];
  gaussians: number;
  bankEntries: number;
  /** Distinct physical instances in the bank (instances mode), else bank entries with support. */
  instances: number;
  /** Milliseconds per stage, summed over views. */
  stageMs: Record<Stage, number>;
  totalMs: number;
}

/** Wraps a method so its time is added to a stage's counter (masks and embeddings run inside the semantic builder). */
function timed<T extends object>(obj: T, method: keyof T, into: Record<Stage, number>, stage: Stage): T {
  const fn = obj[method] as unknown as (...a: unknown[]) => Promise<unknown>;
  return new Proxy(obj, {
    get(target, key, recv) {
      if (key !== method) return Reflect.get(target, key, recv);
      return async (...args: unknown[]) => {
        const t0 = performance.now();
        try {
          return await fn.apply(target, args);
        } finally {
          into[stage] += performance.now() - t0;
        }
      };
    },
  });
}

export class Reconstruction {
  readonly scene: GaussianScene;
  readonly fusion: SceneFusion;
  readonly frames: Frame[] = [];
  readonly stageMs: Record<Stage, number> = { depth: 0, gaussians: 0, fusion: 0, masks: 0, embeddings: 0, 'bank+index': 0 };
  private readonly semantics: SemanticBuilder | null;
  private readonly reports: ViewReport[] = [];
  private readonly progress: ProgressCallback;
  private width = 0;
  private height = 0;

  constructor(private readonly options: ReconstructionOptions = {}) {
    const sem = options.semantics;
    this.scene = new GaussianScene({ budget: options.budget ?? 2_000_000, bankDim: sem?.embedder.dim ?? 1, initialCapacity: 1 << 16 });
    if (sem) {
      this.scene.bank.embedder = sem.embedder.id;
      this.scene.bank.maskSource = sem.generator.id;
    }
    this.fusion = new SceneFusion(this.scene, options.fusion);
    this.progress = options.progress ?? noProgress;
    this.semantics = sem
      ? new SemanticBuilder({
          generator: timed(sem.generator, 'generate', this.stageMs, 'masks'),
          embedder: timed(sem.embedder, 'embedImages', this.stageMs, 'embeddings'),
          mode: sem.mode,
          labeler: sem.labeler,
          associator: sem.associator,
        })
      : null;
    if (options.width !== undefined || options.height !== undefined) {
      if (!Number.isInteger(options.width) || !Number.isInteger(options.height) || options.width! < 8 || options.height! < 8)
        throw new Error(`reconstruction: working resolution must be two integers >= 8, got ${options.width}x${options.height}`);
      this.width = options.width!;
      this.height = options.height!;
    }
  }

  /** The frame at the working resolution (image resampled, intrinsics scaled, device depth kept as is). */
  private atWorkingSize(f: Frame): Frame {
    if (!this.width) {
      this.width = f.image.width;
      this.height = f.image.height;
    }
    if (f.image.width === this.width && f.image.height === this.height) return f;
    return { ...f, image: resizeArea(f.image, this.width, this.height), intrinsics: scaleIntrinsics(f.intrinsics, this.width, this.height) };
  }

  /**
   * Reconstructs a batch of frames (all frames first, so stereo sees every posed neighbour), then finalises
   * the bank. Incremental callers use addFrames repeatedly and finalize when they want fresh semantics.
   */
  async addFrames(frames: Frame[]): Promise<ViewReport[]> {
    const first = this.frames.length;
    for (const f of frames) this.frames.push(this.atWorkingSize(f));
    const estimator = new DepthEstimator(this.frames, {
      width: this.width,
      height: this.height,
      prefer: this.options.depth?.prefer,
      monocular: this.options.depth?.monocular,
      network: this.options.depth?.network,
      stereo: this.options.depth?.stereo,
      monocularHoleFill: this.options.depth?.monocularHoleFill,
    });
    const out: ViewReport[] = [];
    const n = this.frames.length - first;
    for (let k = 0; k < n; k++) {
      const view = first + k;
      const frame = this.frames[view];
      const detail = `view ${k + 1}/${n} (${frame.id})`;
      this.progress({ stage: 'depth', done: k, total: n, detail });
      let t = performance.now();
      const est = await estimator.depthFor(view);
      this.stageMs.depth += performance.now() - t;
      const withDepth: Frame = { ...frame, depth: est.depth };

      this.progress({ stage: 'gaussians', done: k, total: n, detail });
      t = performance.now();
      const tmp = new GaussianScene({ budget: this.width * this.height + 1, bankDim: 1, initialCapacity: this.width * this.height });
      const g = gaussiansFromDepth(tmp, withDepth, view, this.options.gaussians);
      this.stageMs.gaussians += performance.now() - t;

      t = performance.now();
      const fused = this.fusion.addView(view, tmp);
      this.stageMs.fusion += performance.now() - t;

      let masks = 0;
      if (this.semantics) {
        this.progress({ stage: 'semantics', done: k, total: n, detail });
        const built = await this.semantics.addView(view, withDepth, undefined, { width: this.width, height: this.height });
        masks = built.masks.count;
      }
      const r: ViewReport = { view, id: frame.id, depthSource: est.kind, gaussians: g.count, merged: fused.merged, masks };
      out.push(r);
      this.reports.push(r);
    }
    this.progress({ stage: 'views', done: n, total: n });
    return out;
  }

  /** Rebuilds the bank from every view so far and assigns every Gaussian its index. */
  async finalize(): Promise<void> {
    if (!this.semantics) return;
    this.progress({ stage: 'bank', done: 0, total: 1 });
    const t = performance.now();
    await this.semantics.finalize(this.scene);
    this.stageMs['bank+index'] += performance.now() - t;
    this.progress({ stage: 'bank', done: 1, total: 1 });
  }

  report(): ReconstructionReport {
    const bank = this.scene.bank;
    const ids = new Set<number>();
    let supported = 0;
    for (let i = 1; i < bank.count; i++) {
      if (bank.meta[i].instanceId >= 0) ids.add(bank.meta[i].instanceId);
      if (bank.meta[i].support > 0) supported++;
    }
    const totalMs = Object.values(this.stageMs).reduce((a, b) => a + b, 0);
    return {
      views: [...this.reports],
      gaussians: this.scene.count,
      bankEntries: bank.count - 1,
      instances: ids.size > 0 ? ids.size : supported,
      stageMs: { ...this.stageMs },
      totalMs,
    };
  }
}

/** One-shot helper: all frames, then the bank. */
export async function reconstruct(frames: Frame[], options: ReconstructionOptions = {}): Promise<{ scene: GaussianScene; report: ReconstructionReport }> {
  if (frames.length === 0) throw new Error('reconstruct: no frames given');
  const r = new Reconstruction(options);
  await r.addFrames(frames);
  await r.finalize();
  return { scene: r.scene, report: r.report() };
}
