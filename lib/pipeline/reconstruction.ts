/**
 * The SegSplat reconstruction as one incremental pipeline, shared by the CLI, the browser worker and the tests:
 *
 *   frame → depth (DepthEstimator: device | stereo | network | monocular) → pixel-aligned Gaussians
 *         → fusion into the scene (budgeted) → masks → masked-crop CLIP embeddings → memory bank → indices
 *
 * Frames are brought to one working resolution first (the long side at most `maxSize`, 480 px by default:
 * a 1080x1920 phone photo at full size costs ~16x the stereo and fusion time for no better novel views) so the depth grid, the mask
 * grid and the Gaussians' sourcePixel all address the same pixels.
 *
 * World frame: after the first batch's geometry is fused, the app frame (y up, floor at y = 0) is found
 * (lib/align/world-frame.ts: the capture's `worldUp`, else the dominant horizontal plane, else the cameras'
 * mean up) and applied to the scene and every pose, before semantics see any view, so bank boxes, the
 * scene and the capture cameras all share it; later batches are moved into it as they arrive.
 * `keepWorld` skips this (live scans already run in the XR local-floor frame).
 *
 * Device depth (RGB-D captures, phones, Quest): the colour camera is registered to the depth camera once, from the
 * first keyframes with depth (colour-registration.ts `registerColourCamera`; kept as given unless the estimate
 * clearly improves agreement, so registered sensors stay as they are), and applied to every frame of that sensor;
 * the depth is conditioned (depth-conditioning.ts: invalid values, flying pixels, colour-snapped edges, z^2 noise,
 * incremental multi-view agreement across batches) and its Gaussians use the confidence as a fusion weight only
 * (`confidenceOpacity: 0`). The novel-view eval's device path is this one. Semantics are optional: without a mask generator and an image
 * embedder the scene is geometry only (every index 0), which is what the app shows when models are missing.
 */
import type { Frame } from '../capture/frame';
import { scaleIntrinsics } from '../capture/frame';
import { resizeArea } from '../capture/image-ops';
import { DepthEstimator, type DepthSourceKind, type DepthSourceOptions, type MonocularDepthModel } from '../inference/depth/depth-source';
import { applyColourRegistration, registerColourCamera, type RegistrationDecision, type RegistrationStageOptions } from '../inference/depth/colour-registration';
import { DepthAgreement } from '../inference/depth/depth-conditioning';
import type { ImageEmbedder } from '../inference/embedder';
import type { MaskGenerator } from '../inference/masks/mask-generator';
import { SemanticBuilder, type BankMode } from '../inference/semantics/semantic-builder';
import type { VocabularyLabeler } from '../inference/semantics/vocabulary-labeler';
import type { AssociatorOptions } from '../inference/semantics/instance-associator';
import { GaussianScene } from '../splat/gaussian-scene';
import type { DepthToGaussiansOptions } from '../splat/gaussians-from-depth';
import { HeavyStages, type HeavyStagesReport } from '../gpu/heavy-stages';
import { SceneFusion, type FusionOptions } from '../splat/fusion';
import { FilledDepthGate, type FilledDepthGateOptions, type GateReport } from '../splat/filled-depth-gate';
import { DEFAULT_MAX_SIZE } from './working-size';
import { applyWorldFrame, findWorldFrame, IDENTITY_WORLD, transformPose, type Vec3, type WorldFrame, type WorldFrameOptions } from '../align/world-frame';
import type { SceneInfo } from '../splat/scene-info';
import { noProgress, type ProgressCallback } from './progress';

export const STAGES = ['depth', 'gaussians', 'fusion', 'masks', 'embeddings', 'bank+index'] as const;
export type Stage = (typeof STAGES)[number];

export { DEFAULT_MAX_SIZE };

/** A capture whose first this-many frames hold no two device keyframes with baseline is not registered. */
const REGISTRATION_WAIT_FRAMES = 30;

export interface ReconstructionOptions {
  /** Working resolution; default: the first frame's image size brought to `maxSize` (frames of other sizes are resampled). */
  width?: number;
  height?: number;
  /** Without width/height: the working resolution's long side is at most this (default 480; 0 = the frames' own size). */
  maxSize?: number;
  /** Keep the capture's own frame (no up/floor change). */
  keepWorld?: boolean;
  /** The capture's own up (bundle `worldUp`, a gravity file), in the capture frame. */
  worldUp?: Vec3;
  /** Tuning of the world-frame search (e.g. cameraHeight when no floor is seen). */
  world?: Omit<WorldFrameOptions, 'captureUp'>;
  /** A world frame already decided for these frames (a scan rebuilt when semantics turn on): applied to every frame, never searched again. */
  fixedWorld?: WorldFrame;
  depth?: {
    prefer?: DepthSourceKind;
    monocular?: MonocularDepthModel;
    network?: MonocularDepthModel;
    stereo?: DepthSourceOptions['stereo'];
    monocularHoleFill?: boolean;
    /** Condition device depth (default true; false: the sensor's values as they come, holes still filled). */
    conditionDevice?: boolean;
    /**
     * Filled device-depth pixels yield to the scene (default true; lib/splat/filled-depth-gate.ts): they become
     * Gaussians only where no earlier view covers that surface, and an earlier view's fills that this view measured
     * through are removed. false: every filled pixel is fused like a measured one (the scene grows with each view's fills).
     */
    filledGate?: boolean | FilledDepthGateOptions;
  };
  /**
   * Depth-to-colour registration of device depth (default 'auto': estimated from the first keyframes with depth,
   * applied only when it clearly improves agreement); 'off' keeps the capture's intrinsics.
   */
  registration?: 'auto' | 'off' | RegistrationStageOptions;
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
  /**
   * Where the heavy stages run (Gaussians from depth, the plane sweep, device-depth conditioning):
   * default HeavyStages.create(), i.e. WebGPU when navigator.gpu gives a device, else the CPU kernels
   * (Node: no navigator.gpu), with the reason in the report.
   */
  stages?: HeavyStages | Promise<HeavyStages>;
}

export interface ViewReport {
  view: number;
  id: string;
  depthSource: DepthSourceKind;
  /** Share of the view's depth pixels that are trusted (stereo: survived its filters; the rest filled, weighted down). */
  trusted: number;
  gaussians: number;
  merged: number;
  masks: number;
  /** Gaussians in the scene after this view was fused. */
  scene: number;
  /** Filled device-depth pixels: earlier views' elements carved, this view's dropped and kept (absent for other sources). */
  filled?: GateReport;
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
  /** Working resolution of depth, stereo and fusion. */
  working: { width: number; height: number };
  /** The scene's Gaussians by the depth pixel they came from (device depth: measured, or filled in a hole or outside the sensor's field). */
  census: { measured: number; filledHole: number; filledOutside: number };
  /** The capture -> app world transform applied (identity with upSource 'none' under keepWorld). */
  world: WorldFrame;
  /** Which backend (WebGPU or CPU, and why) each heavy stage ran on; null before the first batch. */
  backends: HeavyStagesReport | null;
  /** The depth-to-colour registration stage: null until decided (no frames with device depth yet, or 'off'). */
  registration: (RegistrationDecision & { fromView: number }) | null;
}

/**
 * Gaussian options for a view: conditioned device depth's confidence and stereo's (scaled by the view's trusted
 * share) are weights for the fusion, not a chance of being wrong: as opacity they made whole low-trust stereo
 * views see-through (the fox in /view).
 */
export function gaussianOptionsFor(kind: DepthSourceKind, conditioned: boolean, base: DepthToGaussiansOptions = {}): DepthToGaussiansOptions {
  return (kind === 'device' && conditioned) || kind === 'stereo' ? { confidenceOpacity: 0, ...base } : base;
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
  /** Rebuilt once when the world frame is applied (its spatial hash indexes positions). */
  fusion: SceneFusion;
  readonly frames: Frame[] = [];
  readonly stageMs: Record<Stage, number> = { depth: 0, gaussians: 0, fusion: 0, masks: 0, embeddings: 0, 'bank+index': 0 };
  private readonly semantics: SemanticBuilder | null;
  private readonly reports: ViewReport[] = [];
  private readonly progress: ProgressCallback;
  private width = 0;
  private height = 0;
  /** Null until decided (after the first batch's geometry), then fixed for the reconstruction. */
  private worldFrame: WorldFrame | null = null;
  private stagesP: Promise<HeavyStages> | null = null;
  /** The heavy stages' runner, once made (by the first addFrames). */
  stages: HeavyStages | null = null;
  /** Decided once (see registerColourCamera); fromView: the first view it was applied to. */
  private registration: (RegistrationDecision & { fromView: number }) | null = null;
  private registrationOpen = false;
  /** Device keyframes conditioned so far, across batches (a live scan adds a few at a time). */
  private readonly agreement = new DepthAgreement();
  /** Filled device-depth pixels of the views so far, and the test that keeps them from piling up (filled-depth-gate.ts). */
  private readonly gate: FilledDepthGate;

  constructor(private readonly options: ReconstructionOptions = {}) {
    const sem = options.semantics;
    this.scene = new GaussianScene({ budget: options.budget ?? 2_000_000, bankDim: sem?.embedder.dim ?? 1, initialCapacity: 1 << 16 });
    if (sem) {
      this.scene.bank.embedder = sem.embedder.id;
      this.scene.bank.maskSource = sem.generator.id;
    }
    this.fusion = new SceneFusion(this.scene, options.fusion);
    const fg = options.depth?.filledGate;
    this.gate = new FilledDepthGate(typeof fg === 'object' ? fg : {});
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
    const ms = options.maxSize ?? DEFAULT_MAX_SIZE;
    if (!Number.isInteger(ms) || ms < 0 || (ms > 0 && ms < 8)) throw new Error(`reconstruction: maxSize must be 0 (no limit) or an integer >= 8, got ${options.maxSize}`);
    if (options.keepWorld) this.worldFrame = IDENTITY_WORLD;
    else if (options.fixedWorld) this.worldFrame = options.fixedWorld;
  }

  /** The capture -> app transform, once decided (null before the first batch). */
  get world(): WorldFrame | null {
    return this.worldFrame;
  }

  /** The frame at the working resolution (image resampled, intrinsics scaled, device depth kept as is). */
  private atWorkingSize(f: Frame): Frame {
    if (!this.width) {
      const ms = this.options.maxSize ?? DEFAULT_MAX_SIZE;
      const s = ms > 0 ? Math.min(1, ms / Math.max(f.image.width, f.image.height)) : 1;
      this.width = Math.max(8, Math.round(f.image.width * s));
      this.height = Math.max(8, Math.round(f.image.height * s));
    }
    if (f.image.width === this.width && f.image.height === this.height) return f;
    return { ...f, image: resizeArea(f.image, this.width, this.height), intrinsics: scaleIntrinsics(f.intrinsics, this.width, this.height) };
  }

  /**
   * Reconstructs a batch of frames (all frames first, so stereo sees every posed neighbour), then finalises
   * the bank. Incremental callers use addFrames repeatedly and finalize when they want fresh semantics.
   */
  async addFrames(frames: Frame[]): Promise<ViewReport[]> {
    const stages = (this.stages ??= await (this.stagesP ??= Promise.resolve(this.options.stages ?? HeavyStages.create())));
    const first = this.frames.length;
    for (const f of frames) {
      const w = this.atWorkingSize(f);
      this.frames.push(this.worldFrame && this.worldFrame.upSource !== 'none' ? { ...w, cameraToWorld: transformPose(this.worldFrame.matrix, w.cameraToWorld) } : w);
    }
    this.registerColour(first);
    const conditioned = this.options.depth?.conditionDevice ?? true;
    // Semantics wait for the world frame (their boxes must be in it): the first batch keeps its depth until then.
    const deferred: { k: number; view: number; frame: Frame }[] = [];
    const estimator = new DepthEstimator(this.frames, {
      width: this.width,
      height: this.height,
      prefer: this.options.depth?.prefer,
      monocular: this.options.depth?.monocular,
      network: this.options.depth?.network,
      stereo: this.options.depth?.stereo,
      monocularHoleFill: this.options.depth?.monocularHoleFill,
      stages,
      conditionDevice: conditioned,
      deviceAgreement: this.agreement,
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
      await stages.gaussiansFromDepth(tmp, withDepth, view, gaussianOptionsFor(est.kind, conditioned, this.options.gaussians));
      this.stageMs.gaussians += performance.now() - t;

      t = performance.now();
      const m = withDepth.cameraToWorld;
      const filled = est.filled
        ? this.gate.apply(this.fusion, view, tmp, { intrinsics: est.depth.intrinsics ?? withDepth.intrinsics, cameraToWorld: m, depth: est.depth.data, filled: est.filled }, this.options.depth?.filledGate === false)
        : undefined;
      // The camera centre sets the fusion's depth-noise tolerance (noise grows with range).
      const fused = this.fusion.addView(view, tmp, undefined, { origin: [m[12], m[13], m[14]] });
      this.stageMs.fusion += performance.now() - t;

      const r: ViewReport = { view, id: frame.id, depthSource: est.kind, trusted: est.trusted, gaussians: tmp.count, merged: fused.merged, scene: this.scene.count, masks: 0, ...(filled && { filled }) };
      out.push(r);
      this.reports.push(r);
      if (!this.semantics) continue;
      if (!this.worldFrame) deferred.push({ k, view, frame: withDepth });
      else r.masks = await this.semanticsFor(view, withDepth, k, n);
    }
    if (!this.worldFrame && (this.scene.count > 0 || deferred.length > 0)) this.decideWorld();
    for (const d of deferred) out[d.k].masks = await this.semanticsFor(d.view, { ...d.frame, cameraToWorld: this.frames[d.view].cameraToWorld }, d.k, n);
    this.progress({ stage: 'views', done: n, total: n });
    return out;
  }

  /**
   * The registration stage: decided at the first batch that holds two device-depth keyframes with baseline (from
   * the first of them only), then applied to the frames of this and every later batch. Views reconstructed
   * before the decision keep the capture's camera (a live scan's first batch, at most).
   */
  private registerColour(first: number): void {
    const opt = this.options.registration ?? 'auto';
    if (opt === 'off') return;
    if ((!this.registration || this.registrationOpen) && this.frames.some((f) => f.depth)) {
      this.progress({ stage: 'registration', done: 0, total: 1 });
      this.registration = { ...registerColourCamera(this.frames, opt === 'auto' ? {} : opt), fromView: first };
      this.progress({ stage: 'registration', done: 1, total: 1 });
      // Too few keyframes with baseline yet (a scan that has not moved): try again with the next batch, for a while.
      this.registrationOpen = this.registration.keyframes.length < 2 && this.frames.length < REGISTRATION_WAIT_FRAMES;
    }
    if (!this.registration) return;
    for (let i = first; i < this.frames.length; i++) this.frames[i] = applyColourRegistration(this.frames[i], this.registration);
  }

  private async semanticsFor(view: number, frame: Frame, k: number, n: number): Promise<number> {
    this.progress({ stage: 'semantics', done: k, total: n, detail: `view ${k + 1}/${n} (${frame.id})` });
    const built = await this.semantics!.addView(view, frame, undefined, { width: this.width, height: this.height });
    return built.masks.count;
  }

  /** Finds the app world frame from the fused scene and the poses, and moves the scene and poses into it. */
  private decideWorld(): void {
    const w = findWorldFrame(this.scene.positions, this.scene.count, this.frames.map((f) => f.cameraToWorld), { ...this.options.world, captureUp: this.options.worldUp, rotations: this.scene.rotations });
    this.worldFrame = w;
    applyWorldFrame(this.scene, w.matrix);
    for (let i = 0; i < this.frames.length; i++) this.frames[i] = { ...this.frames[i], cameraToWorld: transformPose(w.matrix, this.frames[i].cameraToWorld) };
    this.agreement.transform(w.matrix);
    // The fusion's spatial hash indexes the old positions: a fresh fusion re-registers every element.
    this.fusion = new SceneFusion(this.scene, this.options.fusion);
  }

  /** Capture cameras (poses in the app world, working-resolution pinhole intrinsics) and the world transform, for the scene file. */
  sceneInfo(): SceneInfo {
    const w = this.worldFrame ?? IDENTITY_WORLD;
    return {
      cameras: this.frames.map((f) => ({
        id: f.id,
        cameraToWorld: Array.from(f.cameraToWorld),
        intrinsics: { fx: f.intrinsics.fx, fy: f.intrinsics.fy, cx: f.intrinsics.cx, cy: f.intrinsics.cy, width: f.intrinsics.width, height: f.intrinsics.height },
      })),
      world: { matrix: [...w.matrix], upSource: w.upSource, floorSource: w.floorSource },
      ...(this.registration && {
        colourRegistration: {
          status: this.registration.status,
          reason: this.registration.reason,
          given: { ...this.registration.given },
          intrinsics: { ...this.registration.intrinsics },
          before: Number.isFinite(this.registration.before) ? this.registration.before : null,
          after: Number.isFinite(this.registration.after) ? this.registration.after : null,
        },
      }),
    };
  }

  /** Rebuilds the bank from every view so far and assigns every Gaussian its index. */
  async finalize(): Promise<void> {
    this.scene.info = this.sceneInfo();
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
      working: { width: this.width, height: this.height },
      census: this.gate.census(this.scene),
      world: this.worldFrame ?? IDENTITY_WORLD,
      backends: this.stages?.report() ?? null,
      registration: this.registration && { ...this.registration, keyframes: [...this.registration.keyframes] },
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
