/**
 * The live scan's reconstruction state, driven by the scan worker (lib/web/scan/scan.worker.ts) and by
 * Node tests: keyframes are queued as they arrive and `step()` folds the queued ones into one growing
 * Reconstruction, then (when semantics are available) refreshes the memory bank so labels can float
 * over what was seen.
 *
 * Depth per keyframe: device depth when the keyframe has it; otherwise plane-sweep stereo, which needs
 * a second posed view, so a depthless first keyframe waits for the next one; FastDepth (if a model was
 * given) covers single views. The caller learns why keyframes wait through `status().waiting`.
 *
 * World frame: live keyframes are posed in the XR local-floor frame (y up, floor at 0) and keep it
 * (`keepWorld`, the default). An imported capture (`keepWorld: false`) is in its own world (the fox's COLMAP
 * world is z-up): its first step finds the app frame as the CLI does (lib/align/world-frame.ts, once, in
 * Reconstruction) and every later keyframe, the coverage grid and the saved scene are in that frame.
 */
import type { Frame } from '../capture/frame';
import { invertRigid, multiply } from '../capture/pose';
import { assertValidFrame } from '../capture/validate-frame';
import type { WorldFrame } from '../align/world-frame';
import { Reconstruction, type ReconstructionOptions, type ViewReport } from './reconstruction';
import { ScanCoverage, depthFromPoints, nominalDepth, type CoverageReport, type ScanCoverageOptions } from './scan-coverage';
import { HeavyStages, type HeavyStagesReport } from '../gpu/heavy-stages';

export interface ScanSessionOptions extends Omit<ReconstructionOptions, 'budget'> {
  /** Hard Gaussian budget of the scene (default 300k: what a phone renders smoothly). */
  budget?: number;
  /** Bank entries need at least this many observations (masks) to get a floating label (default 2). */
  minLabelSupport?: number;
  /** At most this many keyframes per step, so one step stays short and the UI stays current (default 4). */
  maxBatch?: number;
  /** The first step takes up to this many (default maxBatch): an import's world frame (floor included) is found
   * from the first step's geometry, so seeing more of the capture there places the floor under more of it. */
  firstBatch?: number;
  /** Without an explicit width/height, the working resolution is the first keyframe's size shrunk to at
   * most this width (default 320): phone photos at full size would make every step seconds long. */
  maxWorkingWidth?: number;
  /** The spatial coverage grid behind the guidance (lib/pipeline/scan-coverage.ts). */
  coverage?: ScanCoverageOptions;
}

export interface FloatingLabel {
  /** Bank row. */
  entry: number;
  label: string;
  /** Box centre, world metres. */
  position: [number, number, number];
  support: number;
}

export interface ScanStatus {
  keyframes: number;
  /** Keyframes already in the reconstruction. */
  reconstructed: number;
  /** Keyframes queued and why they wait, if they do. */
  queued: number;
  waiting: string | null;
  gaussians: number;
  budget: number;
  semantics: boolean;
  depthSources: Record<string, number>;
  /** Where the scan is thin: floor cells with surface seen from few directions (lib/pipeline/scan-coverage.ts). */
  coverage: CoverageReport;
  /** Which backend (WebGPU or CPU, and why) each heavy stage ran on; null until the stages are ready. */
  backends: HeavyStagesReport | null;
  /** Capture -> app world transform (upSource 'none': the keyframes' own frame kept); null until the first step decides it. */
  world: WorldFrame | null;
}

export class ScanSession {
  private rec: Reconstruction | null = null;
  private readonly queue: Frame[] = [];
  private readonly ids = new Set<string>();
  private readonly reports: ViewReport[] = [];
  private readonly budget: number;
  private readonly minLabelSupport: number;
  private readonly maxBatch: number;
  private readonly hasMonocular: boolean;
  private running = false;
  private readonly coverage: ScanCoverage;
  /** Keyframes already folded into the coverage (a semantics rebuild re-queues them: count once). */
  private readonly covered = new Set<string>();
  /** Working size chosen by the first keyframe (kept so a rebuild uses the same one). */
  private working: { width?: number; height?: number } | null = null;
  /** One runner for the whole scan (a semantics rebuild makes a new Reconstruction, not a new GPU device). */
  private stages: HeavyStages | null = null;

  constructor(private readonly options: ScanSessionOptions = {}) {
    // Live keyframes are posed in the XR local-floor frame (y up, floor at 0) and the coverage grid shares it.
    // Heavy stages: WebGPU when navigator.gpu gives a device (the scan worker passes its own), else the CPU.
    const stages = Promise.resolve(options.stages ?? HeavyStages.create());
    void stages.then((s) => (this.stages = s));
    this.options = { keepWorld: true, ...options, stages };
    this.coverage = new ScanCoverage(options.coverage);
    this.budget = options.budget ?? 300_000;
    if (!Number.isInteger(this.budget) || this.budget < 1) throw new Error(`ScanSession: budget must be a positive integer, got ${options.budget}`);
    this.minLabelSupport = options.minLabelSupport ?? 2;
    this.maxBatch = options.maxBatch ?? 4;
    if (!Number.isInteger(this.maxBatch) || this.maxBatch < 1) throw new Error(`ScanSession: maxBatch must be a positive integer, got ${options.maxBatch}`);
    this.hasMonocular = Boolean(options.depth?.monocular || options.depth?.network);
  }

  /** The reconstruction; its working size is fixed by the first keyframe (see maxWorkingWidth). */
  get reconstruction(): Reconstruction {
    this.rec ??= new Reconstruction({ ...this.options, budget: this.budget });
    return this.rec;
  }

  /** The reconstruction if one was made (unlike `reconstruction`, never makes one). */
  get current(): Reconstruction | null {
    return this.rec;
  }

  private build(first: Frame): void {
    if (this.rec) return;
    let { width, height } = this.options;
    if (width === undefined && height === undefined) {
      const maxW = this.options.maxWorkingWidth ?? 320;
      const s = Math.min(1, maxW / first.image.width);
      width = Math.max(8, Math.round(first.image.width * s));
      height = Math.max(8, Math.round(first.image.height * s));
    }
    this.working = width === undefined && height === undefined ? {} : { width, height };
    this.rec = new Reconstruction({ ...this.options, ...this.working, budget: this.budget });
  }

  /** Live scans keep the keyframes' frame; imports get the app world found by the reconstruction. */
  private get keepsWorld(): boolean {
    return this.options.keepWorld !== false;
  }

  get semantics(): boolean {
    return Boolean(this.options.semantics);
  }

  /** Queues a keyframe (ids must be unique within the scan). */
  add(frame: Frame): void {
    if (!frame || !frame.id) throw new Error('ScanSession: keyframe without id');
    if (this.ids.has(frame.id)) throw new Error(`ScanSession: keyframe ${frame.id} was already added`);
    // Device depth covers its keyframe at once (and a bad pose or depth map is refused here, before queuing);
    // depthless keyframes, and every keyframe of an import (whose app frame the first step decides), are
    // covered once reconstructed (see step).
    const coverNow = Boolean(frame.depth) && this.keepsWorld;
    if (coverNow) this.coverage.addView(frame.cameraToWorld, frame.depth!);
    else if (!this.keepsWorld) assertValidFrame(frame);
    this.build(frame);
    if (coverNow) this.covered.add(frame.id);
    this.ids.add(frame.id);
    this.queue.push(frame);
  }

  /**
   * Turns semantics on mid-scan (a model finished downloading). The bank's dimension is fixed when the
   * scene is made, so the reconstruction is rebuilt: every keyframe already in it goes back to the front
   * of the queue and the next steps redo them with masks and embeddings. Not allowed while a step runs.
   */
  enableSemantics(semantics: NonNullable<ReconstructionOptions['semantics']>): void {
    if (this.running) throw new Error('ScanSession: cannot enable semantics while a step runs');
    if (!semantics || !semantics.generator || !semantics.embedder) throw new Error('ScanSession: enableSemantics needs a mask generator and an image embedder');
    // The world frame is decided once: the rebuild gets the same one, and the keyframes their capture poses back.
    const world = this.rec?.world && this.rec.world.upSource !== 'none' ? this.rec.world : null;
    const back = world ? invertRigid(world.matrix) : null;
    const done = this.rec ? this.rec.frames.map((f) => (back ? { ...f, cameraToWorld: multiply(back, f.cameraToWorld) } : f)) : [];
    this.options.semantics = semantics;
    this.reports.length = 0;
    this.queue.unshift(...done);
    this.rec = this.working ? new Reconstruction({ ...this.options, ...this.working, ...(world ? { fixedWorld: world } : {}), budget: this.budget }) : null;
  }

  /** Why queued keyframes cannot be reconstructed yet, or null when the next step can run. */
  private waitingReason(): string | null {
    if (this.queue.length === 0) return null;
    const total = (this.rec?.frames.length ?? 0) + this.queue.length;
    const depthless = this.queue.some((f) => !f.depth);
    if (depthless && !this.hasMonocular && total < 2) return 'no device depth: stereo needs a second keyframe from another position';
    return null;
  }

  get busy(): boolean {
    return this.running;
  }

  /**
   * Reconstructs up to maxBatch queued keyframes and refreshes the bank. Returns the views added
   * (empty when nothing could run). Not re-entrant: a second call while one runs throws.
   */
  async step(): Promise<ViewReport[]> {
    if (this.running) throw new Error('ScanSession: step() is already running');
    if (this.queue.length === 0 || this.waitingReason()) return [];
    this.running = true;
    try {
      const batch = this.queue.splice(0, this.reconstruction.frames.length === 0 ? Math.max(1, this.options.firstBatch ?? this.maxBatch) : this.maxBatch);
      const views = await this.reconstruction.addFrames(batch);
      this.reports.push(...views);
      this.coverAfterStep(batch);
      await this.reconstruction.finalize();
      return views;
    } finally {
      this.running = false;
    }
  }

  /**
   * Keyframes not covered on arrival enter the coverage after their reconstruction, posed as the
   * reconstruction holds them (in the app world for an import). Device depth is used as is; without it the
   * reconstruction keeps no per-view depth, so the surface they saw is the scene's Gaussian centres rendered
   * from their pose (nearest per pixel, 64 px across). A view that sees none of the scene falls back to its
   * frustum's rays at a nominal 2 m, so the area in front of it still counts as seen from there.
   */
  private coverAfterStep(batch: Frame[]): void {
    const rec = this.reconstruction;
    const scene = rec.scene;
    const posed = rec.frames.slice(rec.frames.length - batch.length);
    batch.forEach((f, k) => {
      if (this.covered.has(f.id)) return;
      this.covered.add(f.id);
      const pose = posed[k].cameraToWorld;
      let d = f.depth;
      if (!d) {
        d = depthFromPoints(scene.positions, scene.count, pose, posed[k].intrinsics);
        let filled = 0;
        for (let i = 0; i < d.data.length; i++) if (d.data[i] > 0) filled++;
        if (filled < 16) d = nominalDepth(posed[k].intrinsics);
      }
      this.coverage.addView(pose, d);
    });
  }

  status(): ScanStatus {
    const depthSources: Record<string, number> = {};
    for (const r of this.reports) depthSources[r.depthSource] = (depthSources[r.depthSource] ?? 0) + 1;
    return {
      keyframes: this.ids.size,
      reconstructed: this.rec?.frames.length ?? 0,
      queued: this.queue.length,
      waiting: this.waitingReason(),
      gaussians: this.rec?.scene.count ?? 0,
      budget: this.budget,
      semantics: this.semantics,
      depthSources,
      coverage: this.coverage.report(),
      backends: this.stages?.report() ?? null,
      world: this.rec?.world ?? null,
    };
  }

  /** Bank entries seen often enough, placed at their box centre. */
  labels(): FloatingLabel[] {
    if (!this.rec) return [];
    const bank = this.rec.scene.bank;
    const out: FloatingLabel[] = [];
    for (let i = 1; i < bank.count; i++) {
      const m = bank.meta[i];
      if (!m.box || m.support < this.minLabelSupport || !m.label || m.label === 'background') continue;
      const c = [0, 1, 2].map((k) => (m.box!.min[k] + m.box!.max[k]) / 2) as [number, number, number];
      if (!c.every(Number.isFinite)) continue;
      out.push({ entry: i, label: m.label, position: c, support: m.support });
    }
    return out;
  }
}
