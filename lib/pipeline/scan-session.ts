/**
 * The live scan's reconstruction state, driven by the scan worker (lib/web/scan/scan.worker.ts) and by
 * Node tests: keyframes are queued as they arrive and `step()` folds the queued ones into one growing
 * Reconstruction, then (when semantics are available) refreshes the memory bank so labels can float
 * over what was seen.
 *
 * Depth per keyframe: device depth when the keyframe has it; otherwise plane-sweep stereo, which needs
 * a second posed view, so a depthless first keyframe waits for the next one; FastDepth (if a model was
 * given) covers single views. The caller learns why keyframes wait through `status().waiting`.
 */
import type { Frame } from '../capture/frame';
import { Reconstruction, type ReconstructionOptions, type ViewReport } from './reconstruction';

export interface ScanSessionOptions extends Omit<ReconstructionOptions, 'budget'> {
  /** Hard Gaussian budget of the scene (default 300k: what a phone renders smoothly). */
  budget?: number;
  /** Bank entries need at least this many observations (masks) to get a floating label (default 2). */
  minLabelSupport?: number;
  /** At most this many keyframes per step, so one step stays short and the UI stays current (default 4). */
  maxBatch?: number;
  /** Without an explicit width/height, the working resolution is the first keyframe's size shrunk to at
   * most this width (default 320): phone photos at full size would make every step seconds long. */
  maxWorkingWidth?: number;
  /** Yaw sectors of the coverage hint (default 12) and keyframes a sector needs to count as seen (default 1). */
  coverageSectors?: number;
  coverageMinKeyframes?: number;
}

/**
 * Coverage hint: which horizontal viewing directions for a live scan: which horizontal viewing directions the keyframes looked along,
 * in yaw sectors around the first keyframe's heading (sector 0 is straight ahead of where the scan began,
 * angles grow counter-clockwise seen from above, i.e. towards the user's left). A room scanned from its
 * middle needs every sector; sectors seen by fewer than `minKeyframes` keyframes are reported so the UI
 * can say "look around: behind, right not covered". Cameras looking (nearly) straight up or down carry
 * no heading and are not counted.
 */

export interface CoverageReport {
  sectors: number;
  /** Keyframes per sector (sector i spans [i, i+1) * 360/sectors degrees left of the start heading, centred). */
  counts: number[];
  /** Sectors seen by fewer than minKeyframes keyframes (empty before the first keyframe). */
  uncovered: number[];
  /** Coarse directions ('front', 'left', 'behind', 'right') whose sectors are all uncovered. */
  directions: string[];
}

const DIRECTIONS: [string, number][] = [['front', 0], ['left', 90], ['behind', 180], ['right', 270]];

export class YawCoverage {
  private readonly counts: Int32Array;
  private start: [number, number] | null = null;

  constructor(readonly sectors = 12, readonly minKeyframes = 1) {
    if (!Number.isInteger(sectors) || sectors < 4 || sectors > 360) throw new Error(`YawCoverage: sectors must be an integer in 4..360, got ${sectors}`);
    if (!Number.isInteger(minKeyframes) || minKeyframes < 1) throw new Error(`YawCoverage: minKeyframes must be a positive integer, got ${minKeyframes}`);
    this.counts = new Int32Array(sectors);
  }

  /** Counts one keyframe by its camera-to-world pose (column-major 4x4, camera looks down -z). */
  add(cameraToWorld: ArrayLike<number>): void {
    if (!cameraToWorld || cameraToWorld.length !== 16) throw new Error('YawCoverage: cameraToWorld must have 16 values');
    const fx = -cameraToWorld[8], fz = -cameraToWorld[10];
    if (!Number.isFinite(fx) || !Number.isFinite(fz)) throw new Error('YawCoverage: cameraToWorld has non-finite values');
    const len = Math.hypot(fx, fz);
    if (len < 0.2) return; // looking at the floor or ceiling: no usable heading
    const f: [number, number] = [fx / len, fz / len];
    this.start ??= f;
    const s = this.start;
    // Positive towards the left: the y component of start x forward.
    const angle = Math.atan2(s[1] * f[0] - s[0] * f[1], s[0] * f[0] + s[1] * f[1]);
    this.counts[this.sectorOf((angle * 180) / Math.PI)]++;
  }

  /** Sector holding a yaw in degrees (sector 0 is centred on 0°). */
  sectorOf(deg: number): number {
    const w = 360 / this.sectors;
    const d = (((deg + w / 2) % 360) + 360) % 360;
    return Math.min(this.sectors - 1, Math.floor(d / w));
  }

  report(): CoverageReport {
    const counts = Array.from(this.counts);
    if (!this.start) return { sectors: this.sectors, counts, uncovered: [], directions: [] };
    const uncovered: number[] = [];
    for (let i = 0; i < this.sectors; i++) if (counts[i] < this.minKeyframes) uncovered.push(i);
    const w = 360 / this.sectors;
    const directions: string[] = [];
    for (const [name, centre] of DIRECTIONS) {
      // The sectors whose centres fall within ±45° of the direction.
      const members: number[] = [];
      for (let i = 0; i < this.sectors; i++) {
        const diff = Math.abs(((i * w - centre + 540) % 360) - 180);
        if (diff <= 45) members.push(i);
      }
      if (members.length && members.every((i) => counts[i] < this.minKeyframes)) directions.push(name);
    }
    return { sectors: this.sectors, counts, uncovered, directions };
  }
}

/** "look around: left, behind not covered", or null when every direction was seen (or nothing yet). */
export function coverageHint(c: CoverageReport): string | null {
  if (c.directions.length === 0) return null;
  return `look around: ${c.directions.join(', ')} not covered`;
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
  /** Viewing directions seen so far, relative to the first keyframe's heading. */
  coverage: CoverageReport;
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
  private readonly coverage: YawCoverage;
  /** Working size chosen by the first keyframe (kept so a rebuild uses the same one). */
  private working: { width?: number; height?: number } | null = null;

  constructor(private readonly options: ScanSessionOptions = {}) {
    this.coverage = new YawCoverage(options.coverageSectors ?? 12, options.coverageMinKeyframes ?? 1);
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

  get semantics(): boolean {
    return Boolean(this.options.semantics);
  }

  /** Queues a keyframe (ids must be unique within the scan). */
  add(frame: Frame): void {
    if (!frame || !frame.id) throw new Error('ScanSession: keyframe without id');
    if (this.ids.has(frame.id)) throw new Error(`ScanSession: keyframe ${frame.id} was already added`);
    this.build(frame);
    this.coverage.add(frame.cameraToWorld);
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
    const done = this.rec ? this.rec.frames.slice() : [];
    this.options.semantics = semantics;
    this.reports.length = 0;
    this.queue.unshift(...done);
    this.rec = this.working ? new Reconstruction({ ...this.options, ...this.working, budget: this.budget }) : null;
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
      const batch = this.queue.splice(0, this.maxBatch);
      const views = await this.reconstruction.addFrames(batch);
      this.reports.push(...views);
      await this.reconstruction.finalize();
      return views;
    } finally {
      this.running = false;
    }
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
