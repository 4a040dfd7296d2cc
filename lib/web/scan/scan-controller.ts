/**
 * The /scan page's state outside React: the stored scan (IndexedDB), the reconstruction worker, the
 * keyframe selector and guidance, and the frame sources (WebXR camera-access, Quest passthrough, or
 * the TEST-ONLY simulated camera). React components subscribe and render `state`; the XR loop calls
 * `onXrFrame` every frame, which returns at once unless a keyframe is due.
 */
import type { Frame } from '../../capture/frame';
import { KeyframeSelector } from '../../capture/keyframe-selector';
import { KeyframeStore, StorageQuotaError, type ScanRecord } from '../../capture/keyframe-store';
import { sharpnessScore } from '../../capture/sharpness';
import { intrinsicsFromProjection } from '../../capture/xr-intrinsics';
import { ScanGuidance, meanLuma, type ScanWarning } from './guidance';
import { openIdbKeyValue } from './idb-key-value';
import type { ScanUpdate, SemanticModelState } from './scan-protocol';
import type { SplatHighlight } from '../../splat/splat-highlight';
import type { ViewAnswer } from '../view/view-answer';
import type { ScanAnchorStatus } from './scan-anchor';
import { startScanWorker, type ScanWorkerHandle } from './scan-worker-client';
import type { SimCamera } from './sim-camera';
import { readCpuDepth, viewHasCamera, XrCameraReader } from './xr-camera';
import type { QuestPassthrough } from './quest-passthrough';
import { measureSpan } from '../user-timing';
import { APPLY_SLICE, DisplaySplats, deltaBytes } from '../../splat/scene-delta';
import type { SceneFraming } from '../camera-home';

/** What the live display cost so far (tests assert on it; the panel could show it). */
export interface LiveStats {
  updates: number;
  /** Bytes of display deltas received, in total and the largest single one. */
  bytes: number;
  maxBytes: number;
  /** Deltas that reset the display (the first one, and a rebuild when semantics turn on). */
  resets: number;
  /** Main-thread milliseconds spent applying deltas, in total and the longest slice (one task's part, see APPLY_SLICE). */
  applyMs: number;
  maxApplyMs: number;
  /** Tasks the applies took (a delta of more than APPLY_SLICE changed slots takes several). */
  applySlices: number;
  /** Keyframes taken in the XR loop, and the main-thread ms of the XR frames that took them (read, judge, store, post), total and longest. */
  keyframes: number;
  keyframeMs: number;
  maxKeyframeMs: number;
  /** TEST-ONLY camera (?test-camera=sim): the longest rasterisation of a keyframe, part of maxKeyframeMs (a device reads its camera instead). */
  maxTestCameraMs: number;
  /** Per update: delta bytes, changed slots, keyframes reconstructed and Gaussians in the scene after it, the worker step's ms. */
  perUpdate: { bytes: number; slots: number; reconstructed: number; scene: number; stepMs: number }[];
}

/**
 * The last query and its answer, held here so the DOM panel (rows with distances) and the XR canvas
 * (markers, splat highlight) show the same one. Answers are in the scan's world frame; `markers` and
 * `distances` are what the canvas placed this frame (world frame of the current session, after the anchor).
 */
export interface ScanAnswerState {
  /** Grows with every answer (tests wait on it). */
  seq: number;
  asked: string;
  answers: ViewAnswer[];
  /** Why nothing was found (answers empty). */
  reason: string | null;
  highlight: SplatHighlight | null;
  /** Marker centroids in world coordinates, as drawn (empty until the canvas drew them). */
  markers: [number, number, number][];
  /** Metres from the user's camera, per answer (empty until the canvas drew them). */
  distances: number[];
}

/** Keyframe facts the page lists (and tests compare with the emulator). */
export interface KeyframeInfo {
  id: string;
  cameraToWorld: number[];
  intrinsics: Frame['intrinsics'];
  timestamp: number;
  hasDepth: boolean;
  approxPose: boolean;
  /** The XR view's projection matrix and viewport the intrinsics came from (none for imports/resume). */
  projection?: number[];
  viewport?: { x: number; y: number; width: number; height: number };
}

export type CameraSourceKind = 'camera-access' | 'quest-passthrough' | 'test-sim' | 'none';

export interface ScanState {
  storeReady: boolean;
  /** Unfinished scans found in storage (offered for resume). */
  resumable: ScanRecord[];
  scan: ScanRecord | null;
  keyframes: KeyframeInfo[];
  update: ScanUpdate | null;
  warnings: ScanWarning[];
  source: CameraSourceKind;
  /** Why scanning cannot happen here, in words (no camera access...). */
  blocked: string | null;
  notes: string[];
  storageError: string | null;
  error: string | null;
  startedAt: number | null;
  finished: boolean;
  /** The worker's real semantic models (null until it reports; never for the test camera). */
  model: SemanticModelState | null;
  /** The scan's XR anchor (lib/web/scan/scan-anchor.ts): 'refused' means the scene is not re-anchored. */
  anchor: ScanAnchorStatus;
  answer: ScanAnswerState | null;
  /** Imports: the orbit view's start, orbit centre and floor grid (the latest the worker sent; null for live scans). */
  framing: SceneFraming | null;
}

const SIM_WIDTH = 160;

export class ScanController {
  state: ScanState = {
    storeReady: false,
    resumable: [],
    scan: null,
    keyframes: [],
    update: null,
    warnings: [],
    source: 'none',
    blocked: null,
    notes: [],
    storageError: null,
    error: null,
    startedAt: null,
    finished: false,
    model: null,
    anchor: 'waiting',
    answer: null,
    framing: null,
  };
  private readonly listeners = new Set<() => void>();
  private store: KeyframeStore | null = null;
  private worker: ScanWorkerHandle | null = null;
  /** The worker reconstructs an import (its app world found from the capture) rather than a live scan. */
  private importWorker = false;
  private selector = new KeyframeSelector();
  private guidance = new ScanGuidance();
  private camera: XrCameraReader | null = null;
  private session: XRSession | null = null;
  private nextIndex = 0;
  private saving: Promise<unknown> = Promise.resolve();
  private quest: QuestPassthrough | null = null;
  /** The displayed splats, edited in place by each update's delta (components/scan/ScanSplats.tsx uploads them). */
  readonly display: DisplaySplats;
  readonly liveStats: LiveStats = { updates: 0, bytes: 0, maxBytes: 0, resets: 0, applyMs: 0, maxApplyMs: 0, applySlices: 0, keyframes: 0, keyframeMs: 0, maxKeyframeMs: 0, maxTestCameraMs: 0, perUpdate: [] };

  constructor(
    private readonly opts: { maxSplats: number; budget?: number; sim: SimCamera | null; modelsBase?: string; testModels?: boolean },
  ) {
    this.display = new DisplaySplats(opts.maxSplats);
  }

  /**
   * Updates wait here and are applied in order, at most APPLY_SLICE changed slots per task: a step that
   * rewrote 100k shown Gaussians would otherwise be one main-thread task that grows with the change.
   */
  private readonly applyQueue: ScanUpdate[] = [];
  private applyAt = 0;
  private applyScheduled = false;

  private applyUpdate(update: ScanUpdate): void {
    this.applyQueue.push(update);
    if (!this.applyScheduled) this.applySlice();
  }

  private applySlice(): void {
    this.applyScheduled = false;
    const update = this.applyQueue[0];
    if (!update) return;
    const d = update.delta;
    const to = Math.min(d.slots.length, this.applyAt + APPLY_SLICE);
    const t0 = performance.now();
    try {
      this.display.apply(d, this.applyAt, to);
    } catch (e) {
      this.applyQueue.length = 0;
      this.applyAt = 0;
      this.set({ error: `Could not show the scan's update: ${msg(e)}` });
      return;
    }
    const ms = performance.now() - t0;
    measureSpan('apply', t0);
    const st = this.liveStats;
    st.applyMs += ms;
    st.maxApplyMs = Math.max(st.maxApplyMs, ms);
    st.applySlices++;
    if (to < d.slots.length) {
      this.applyAt = to;
    } else {
      this.applyQueue.shift();
      this.applyAt = 0;
      const bytes = deltaBytes(d);
      st.updates++;
      st.bytes += bytes;
      st.maxBytes = Math.max(st.maxBytes, bytes);
      if (d.reset) st.resets++;
      st.perUpdate.push({ bytes, slots: d.slots.length, reconstructed: update.status.reconstructed, scene: d.sceneCount, stepMs: update.timing.stepMs });
      this.set(update.framing ? { update, framing: update.framing } : { update });
    }
    if (this.applyQueue.length) {
      this.applyScheduled = true;
      setTimeout(() => this.applySlice(), 0);
    }
  }

  /** Quest 3: frames come from the passthrough camera opened (with its permission) before entering AR. */
  attachQuestPassthrough(q: QuestPassthrough): void {
    this.quest?.stop();
    this.quest = q;
  }

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private set(patch: Partial<ScanState>): void {
    this.state = { ...this.state, ...patch };
    for (const fn of this.listeners) fn();
  }

  async init(): Promise<void> {
    try {
      this.store = new KeyframeStore(await openIdbKeyValue());
      const all = await this.store.listScans();
      this.set({ storeReady: true, resumable: all.filter((s) => !s.finished && s.keyframeIds.length > 0) });
    } catch (e) {
      this.set({ storageError: `Keyframes cannot be saved on this device: ${msg(e)}` });
    }
  }

  private ensureWorker(imported?: { worldUp?: [number, number, number] }): ScanWorkerHandle {
    if (!this.worker) this.importWorker = Boolean(imported);
    this.worker ??= startScanWorker(
      {
        budget: this.opts.budget ?? 300_000,
        maxSplats: this.opts.maxSplats,
        simObjects: this.opts.sim?.objects,
        monocular: !this.opts.sim,
        modelsBase: this.opts.modelsBase,
        testModels: this.opts.testModels,
        ...(imported ? { findWorld: true, ...(imported.worldUp ? { worldUp: imported.worldUp } : {}) } : {}),
      },
      (update) => this.applyUpdate(update),
      (message) => this.set({ error: message }),
      (model) => this.set({ model }),
    );
    return this.worker;
  }

  setAnchorStatus(anchor: ScanAnchorStatus): void {
    if (this.state.anchor !== anchor) this.set({ anchor });
  }

  /** "Download semantic model": the worker fetches the CLIP pair; later keyframes (and the ones done) get labels. */
  downloadSemantics(): void {
    this.ensureWorker().downloadSemantics();
  }

  private async ensureScan(name: string): Promise<ScanRecord | null> {
    if (this.state.scan) return this.state.scan;
    if (!this.store) return null;
    try {
      const scan = await this.store.createScan(name);
      this.set({ scan, startedAt: this.state.startedAt ?? Date.now() });
      return scan;
    } catch (e) {
      this.set({ storageError: storageMessage(e) });
      return null;
    }
  }

  /** Loads a stored scan into the reconstruction; `continueCapture` keeps appending to it. */
  async resume(scanId: string, continueCapture: boolean): Promise<void> {
    if (!this.store) return;
    try {
      const rec = await this.store.getScan(scanId);
      if (!rec) throw new Error(`scan ${scanId} is gone`);
      const frames = await this.store.loadKeyframes(scanId);
      const w = this.ensureWorker();
      // TEST-ONLY: the sim camera's oracle semantics need each keyframe's instance map, which is not
      // stored; re-rendering it at the stored pose and intrinsics gives the same map the capture had.
      for (const f of frames) w.addKeyframe(f, this.opts.sim?.shoot(f.cameraToWorld, f.intrinsics).instance);
      this.nextIndex = frames.length;
      // Later keyframes must be judged against where the stored scan ended.
      this.selector.reset();
      this.set({
        scan: continueCapture ? rec : null,
        resumable: this.state.resumable.filter((s) => s.id !== scanId),
        keyframes: frames.map((f) => infoOf(f)),
        startedAt: Date.now(),
        notes: [...this.state.notes, `${continueCapture ? 'Resumed' : 'Rebuilt'} "${rec.name}" from ${frames.length} stored keyframes.`],
      });
      if (!continueCapture) await this.store.setFinished(scanId);
    } catch (e) {
      this.set({ error: `Could not load the stored scan: ${msg(e)}` });
    }
  }

  async discard(scanId: string): Promise<void> {
    await this.store?.deleteScan(scanId).catch(() => {});
    this.set({ resumable: this.state.resumable.filter((s) => s.id !== scanId) });
  }

  /**
   * Imported frames (capture bundle, transforms.json...) go through the same reconstruction, which turns the
   * capture's world upright (up, floor at y = 0) as the CLI does. Frames imported into a scan that is already
   * live stay in its XR frame (the worker's frame is chosen when it starts).
   */
  importFrames(frames: Frame[], name: string, opts: { worldUp?: [number, number, number] } = {}): void {
    const joinsLive = this.worker !== null && !this.importWorker;
    const w = this.ensureWorker(opts);
    const infos = frames.map((f) => infoOf(f));
    w.addKeyframes(frames);
    const note = `Imported ${frames.length} frames from ${name}${joinsLive ? " into the live scan's frame (not re-oriented)" : ''}.`;
    this.set({ keyframes: [...this.state.keyframes, ...infos], startedAt: this.state.startedAt ?? Date.now(), notes: [...this.state.notes, note] });
  }

  /** Called when the immersive session starts: picks the frame source and explains what is missing. */
  sessionStarted(session: XRSession, gl: WebGL2RenderingContext, granted: string[]): void {
    this.session = session;
    this.selector.reset();
    const notes: string[] = [];
    let source: CameraSourceKind = 'none';
    let blocked: string | null = null;
    if (this.opts.sim) {
      source = 'test-sim';
      notes.push('TEST camera: images are rendered from the emulated room (?test-camera=sim), not read from a camera.');
    } else if (this.quest) {
      source = 'quest-passthrough';
      notes.push('Quest passthrough camera: poses are interpolated to each video frame (keyframes marked approximate).');
    } else if (granted.includes('camera-access')) {
      try {
        this.camera = new XrCameraReader(gl, session);
        source = 'camera-access';
      } catch (e) {
        blocked = `Scanning is impossible here: ${msg(e)}. Import a capture instead.`;
      }
    } else {
      blocked =
        'Scanning is impossible here: this device refused WebXR camera access, so the app cannot read camera images. ' +
        'Use Chrome on an ARCore phone, or import a capture bundle / transforms.json below.';
    }
    if (!blocked && !this.opts.sim && !granted.includes('depth-sensing'))
      notes.push('No depth sensing: depth comes from multi-view stereo, which needs at least 2 keyframes from different positions.');
    this.ensureWorker();
    this.set({ source, blocked, notes: [...new Set([...this.state.notes, ...notes])], startedAt: this.state.startedAt ?? Date.now() });
  }

  sessionEnded(): void {
    this.session = null;
    this.camera = null;
  }

  /** Every XR frame: cheap unless a keyframe is due. */
  onXrFrame(frame: XRFrame, refSpace: XRReferenceSpace, baseLayer: XRWebGLLayer | null, now: number): void {
    if (this.state.blocked || this.state.finished || this.state.source === 'none') return;
    const t0 = performance.now();
    const pose = frame.getViewerPose(refSpace);
    if (!pose) {
      this.guidance.trackingLost(now);
      this.refreshWarnings(now);
      return;
    }
    const view = pose.views[0];
    if (this.quest) this.quest.pushViewerPose(now, pose.transform.matrix);
    let grabbed: { frame: Frame; simInstance?: Uint16Array; info: KeyframeInfo } | null = null;
    let grabError: string | null = null;
    const grab = () => {
      try {
        grabbed = this.grab(frame, view, baseLayer, now);
      } catch (e) {
        grabError = msg(e);
      }
      return grabbed ? sharpnessScore(grabbed.frame.image) : 0;
    };
    // Quest: the camera is not the eye; judge motion by the head pose and grab after acceptance.
    const d = this.selector.consider({
      cameraToWorld: this.quest ? pose.transform.matrix : view.transform.matrix,
      timestamp: now,
      emulatedPosition: pose.emulatedPosition,
      sharpness: this.quest ? undefined : grab,
    });
    this.guidance.decision(d, now);
    if (d.accepted && this.quest) grab();
    if (grabError) this.set({ error: `Could not read the camera: ${grabError}` });
    const g = grabbed as { frame: Frame; simInstance?: Uint16Array; info: KeyframeInfo } | null;
    if (d.accepted && g) {
      this.guidance.brightness(meanLuma(g.frame.image), now);
      void this.keep(g.frame, g.simInstance, g.info);
    }
    this.refreshWarnings(now);
    if (g) {
      const ms = performance.now() - t0;
      measureSpan('keyframe', t0);
      const st = this.liveStats;
      st.keyframes += d.accepted ? 1 : 0;
      st.keyframeMs += ms;
      st.maxKeyframeMs = Math.max(st.maxKeyframeMs, ms);
    }
  }

  private refreshWarnings(now: number): void {
    const w = this.guidance.active(now);
    if (w.join() !== this.state.warnings.join()) this.set({ warnings: w });
  }

  private grab(frame: XRFrame, view: XRView, baseLayer: XRWebGLLayer | null, now: number): { frame: Frame; simInstance?: Uint16Array; info: KeyframeInfo } | null {
    const id = `f${String(this.nextIndex).padStart(4, '0')}`;
    if (this.quest) {
      const f = this.quest.grab(id);
      return f ? { frame: f, info: infoOf(f) } : null;
    }
    const vp = baseLayer?.getViewport(view) ?? null;
    if (!vp) return null;
    const viewport = { x: vp.x, y: vp.y, width: vp.width, height: vp.height };
    const projection = Array.from(view.projectionMatrix);
    const cameraToWorld = Float64Array.from(view.transform.matrix);
    if (this.opts.sim) {
      const width = SIM_WIDTH;
      const height = Math.max(8, Math.round((SIM_WIDTH * vp.height) / vp.width));
      const K = intrinsicsFromProjection(view.projectionMatrix, viewport, { width, height });
      const t0 = performance.now();
      const shot = this.opts.sim.shoot(cameraToWorld, K);
      measureSpan('test-camera', t0);
      this.liveStats.maxTestCameraMs = Math.max(this.liveStats.maxTestCameraMs, performance.now() - t0);
      const f: Frame = { id, image: shot.image, intrinsics: K, cameraToWorld, timestamp: now, depth: shot.depth };
      return { frame: f, simInstance: shot.instance, info: { ...infoOf(f), projection, viewport } };
    }
    if (!this.camera || !this.session || !viewHasCamera(view)) return null;
    const image = this.camera.read(view);
    if (!image) return null;
    const K = intrinsicsFromProjection(view.projectionMatrix, viewport, { width: image.width, height: image.height });
    const f: Frame = { id, image, intrinsics: K, cameraToWorld, timestamp: now };
    const depth = readCpuDepth(frame, view, this.session, K);
    if (depth) f.depth = depth;
    return { frame: f, info: { ...infoOf(f), projection, viewport } };
  }

  /** Stores the keyframe (in order), then hands it to the worker. */
  private async keep(f: Frame, simInstance: Uint16Array | undefined, info: KeyframeInfo): Promise<void> {
    this.nextIndex++;
    this.set({ keyframes: [...this.state.keyframes, info] });
    this.ensureWorker().addKeyframe(f, simInstance);
    const job = this.saving.then(async () => {
      const scan = await this.ensureScan(`Scan ${new Date().toISOString().slice(0, 16).replace('T', ' ')}`);
      if (!scan || !this.store) return;
      try {
        const rec = await this.store.addKeyframe(scan.id, f);
        this.set({ scan: rec });
      } catch (e) {
        this.set({ storageError: storageMessage(e) });
      }
    });
    this.saving = job;
    await job;
  }

  /** Resolves when every keyframe taken so far is in storage. */
  flushed(): Promise<unknown> {
    return this.saving;
  }

  async finish(): Promise<void> {
    await this.saving;
    if (this.state.scan && this.store) await this.store.setFinished(this.state.scan.id).catch(() => {});
    this.set({ finished: true });
  }

  /** Asks the live scene; the answer lands in `state.answer` (panel and canvas), and is returned. */
  async ask(text: string): Promise<ScanAnswerState> {
    const r = this.worker ? await this.worker.ask(text) : { answers: [], reason: 'nothing was scanned yet', highlight: null };
    const answer: ScanAnswerState = {
      seq: (this.state.answer?.seq ?? 0) + 1,
      asked: text,
      // Banks built without a labeler have empty labels: the question itself names what was found.
      answers: r.answers.map((a, i) => ({ source: 'scene', label: a.label || text, score: a.score, centroid: a.centroid, box: a.box, sceneIndex: i })),
      reason: r.reason,
      highlight: r.highlight,
      markers: [],
      distances: [],
    };
    this.set({ answer });
    return answer;
  }

  /**
   * The canvas reports where it drew the answer markers and how far they are from the user, every
   * frame; the state changes (and the panel re-renders) only when that moved by a centimetre.
   */
  answerPlaced(seq: number, markers: [number, number, number][], distances: number[]): void {
    const a = this.state.answer;
    if (!a || a.seq !== seq) return;
    const key = (m: number[][], d: number[]) => `${m.map((p) => p.map((v) => v.toFixed(2)).join(',')).join(';')}|${d.map((v) => v.toFixed(2)).join(',')}`;
    if (key(markers, distances) === key(a.markers, a.distances)) return;
    this.set({ answer: { ...a, markers, distances } });
  }

  async exportScene(format: 'glb' | 'ply'): Promise<Uint8Array> {
    if (!this.worker) throw new Error('nothing was reconstructed yet');
    return this.worker.exportScene(format);
  }

  dispose(): void {
    this.applyQueue.length = 0;
    this.worker?.terminate();
    this.worker = null;
    this.quest?.stop();
    this.listeners.clear();
  }
}

function infoOf(f: Frame): KeyframeInfo {
  return {
    id: f.id,
    cameraToWorld: Array.from(f.cameraToWorld),
    intrinsics: { ...f.intrinsics },
    timestamp: f.timestamp,
    hasDepth: Boolean(f.depth),
    approxPose: Boolean(f.approxPose),
  };
}

const msg = (e: unknown) => (e instanceof Error ? e.message : String(e));

function storageMessage(e: unknown): string {
  if (e instanceof StorageQuotaError) return `Storage full: ${e.message}`;
  return `Saving keyframes failed: ${msg(e)}`;
}
