/**
 * What the scan worker does, without the worker plumbing (so Node tests drive it directly):
 * keyframes in, ScanSession steps one at a time, updates out. Steps never overlap, and a keyframe
 * that arrives during a step just waits in the queue: the page's XR loop never waits on this.
 */
import type { Frame } from '../../capture/frame';
import { ScanSession } from '../../pipeline/scan-session';
import type { MonocularDepthModel } from '../../inference/depth/depth-source';
import { VocabularyLabeler } from '../../inference/semantics/vocabulary-labeler';
import { writeSceneFile } from '../../splat/scene-file';
import { SceneDeltaTracker, deltaBytes } from '../../splat/scene-delta';
import { GaussianScene } from '../../splat/gaussian-scene';
import type { Reconstruction } from '../../pipeline/reconstruction';
import type { ScanQueryResult, ScanUpdate, ScanWorkerInit, SemanticModelState } from './scan-protocol';
import { SemanticQuery } from '../../inference/semantics/query';
import { answerQuestion } from '../../inference/semantics/answer-question';
import type { TextEmbedder } from '../../inference/embedder';
import { SimInstanceMasks, simOracleClip } from './sim-semantics';
import type { ClipPair } from '../../inference/embedder';
import { GraphSegmentationGenerator } from '../../inference/masks/graph-segmentation';
import type { SemanticModels } from './semantic-models';
import type { HeavyStages } from '../../gpu/heavy-stages';
import { frameScene, type SceneFraming } from '../camera-home';

/** Real semantic models for the worker, and where their state goes (the page's panel). */
export interface ScanWorkerModels {
  source: SemanticModels;
  onState: (s: SemanticModelState) => void;
}

export class ScanWorkerCore {
  readonly session: ScanSession;
  private readonly sim: SimInstanceMasks | null;
  private pumping = false;
  private query: SemanticQuery | null;
  private model: SemanticModelState;
  /** Loaded while a step ran: applied between steps (the session cannot switch mid-step). */
  private pendingClip: ClipPair | null = null;
  private loading: Promise<void> | null = null;
  /** Resolves once the initial cache check (and load, when cached) is over: tests and callers await it. */
  readonly ready: Promise<void>;
  /** The display mirror: what changed since the last update goes out as a delta, never the whole scene. */
  private readonly tracker: SceneDeltaTracker;
  private watched: Reconstruction | null = null;
  private lastStepMs = 0;
  /** Keyframes reconstructed when the last framing was sent (imports only; -1: none sent). */
  private framedAt = -1;

  constructor(
    private readonly init: ScanWorkerInit,
    private readonly onUpdate: (u: ScanUpdate) => void,
    private readonly onError: (message: string) => void,
    monocular?: MonocularDepthModel,
    private readonly models?: ScanWorkerModels,
    /** Where the heavy stages run (the worker: HeavyStages.create({ gpu: navigator.gpu })); default HeavyStages.create(). */
    stages?: HeavyStages | Promise<HeavyStages>,
  ) {
    if (!Number.isInteger(init.maxSplats) || init.maxSplats < 1) throw new Error(`scan worker: maxSplats must be a positive integer, got ${init.maxSplats}`);
    this.tracker = new SceneDeltaTracker(new GaussianScene({ budget: 1, initialCapacity: 1 }), init.maxSplats);
    this.sim = init.simObjects ? new SimInstanceMasks() : null;
    const clip = this.sim ? simOracleClip(this.sim, init.simObjects!) : null;
    const text: TextEmbedder | null = clip ? clip.text : null;
    this.query = text ? new SemanticQuery(text) : null;
    this.session = new ScanSession({
      budget: init.budget,
      width: init.width,
      height: init.height,
      depth: monocular ? { monocular } : undefined,
      keepWorld: !init.findWorld,
      // An import's floor is found from the first step: let it see up to 8 views (a live scan's first step stays short).
      ...(init.findWorld ? { firstBatch: 8 } : {}),
      ...(init.findWorld && init.worldUp ? { worldUp: init.worldUp } : {}),
      semantics: this.sim && clip ? { generator: this.sim, embedder: clip.image, mode: 'instances', labeler: new VocabularyLabeler(clip.text) } : undefined,
      stages,
    });
    this.model = this.sim ? { state: 'unused' } : models ? { state: 'checking', modelId: models.source.pairId } : { state: 'missing' };
    this.ready = this.sim || !models ? Promise.resolve() : this.checkInstalled();
  }

  /** The display mirror (which scene Gaussian each display slot shows). */
  get display(): SceneDeltaTracker {
    return this.tracker;
  }

  get modelState(): SemanticModelState {
    return this.model;
  }

  private setModel(s: SemanticModelState): void {
    this.model = s;
    this.models?.onState(s);
  }

  private async checkInstalled(): Promise<void> {
    const m = this.models!;
    let installed = false;
    try {
      installed = await m.source.installed();
    } catch (e) {
      this.setModel({ state: 'failed', modelId: m.source.pairId, message: `model cache check failed: ${e instanceof Error ? e.message : String(e)}` });
      return;
    }
    if (installed) await this.downloadSemantics();
    else this.setModel({ state: 'missing', modelId: m.source.pairId });
  }

  /**
   * Loads the CLIP pair (downloading what the cache lacks, progress forwarded) and turns semantics on:
   * the keyframes reconstructed so far are redone with masks and embeddings, later ones get them directly.
   */
  downloadSemantics(): Promise<void> {
    if (!this.models) return Promise.reject(new Error('scan worker: no semantic model source in this build'));
    if (this.sim || this.session.semantics || this.pendingClip) return Promise.resolve();
    const m = this.models;
    this.loading ??= (async () => {
      try {
        const clip = await m.source.load((p) => {
          if (p.stage === 'download') this.setModel({ state: 'downloading', modelId: p.modelId, loaded: p.loaded, total: p.total });
          else if (p.stage === 'create-session') this.setModel({ state: 'loading', modelId: p.modelId });
        });
        this.pendingClip = clip;
        this.query = new SemanticQuery(clip.text);
        this.setModel({ state: 'ready', modelId: m.source.pairId });
        await this.pump();
      } catch (e) {
        this.setModel({ state: 'failed', modelId: m.source.pairId, message: e instanceof Error ? e.message : String(e) });
      } finally {
        this.loading = null;
      }
    })();
    return this.loading;
  }

  private applyPendingSemantics(): void {
    const clip = this.pendingClip;
    if (!clip || this.session.busy) return;
    this.pendingClip = null;
    // Graph segmentation splits one object into parts within a view, so same-view masks are no proof of
    // two objects (as scripts/reconstruct.ts does for --masks graph).
    this.session.enableSemantics({
      generator: new GraphSegmentationGenerator(),
      embedder: clip.image,
      mode: 'instances',
      labeler: new VocabularyLabeler(clip.text),
      associator: { separateSameView: false },
    });
  }

  missing(): string[] {
    const out: string[] = [];
    if (!this.session.semantics && !this.pendingClip) {
      const st = this.model.state;
      if (st === 'failed') out.push(`semantic model could not be loaded (${this.model.message ?? 'unknown error'}): the scene is geometry only, without labels`);
      else if (st === 'downloading' || st === 'loading' || st === 'checking') out.push('semantic models are loading: the scene is geometry only until they are ready');
      else out.push('semantic models (CLIP) are not downloaded: the scene is geometry only, without labels');
    }
    const w = this.session.status().waiting;
    if (w) out.push(w);
    return out;
  }

  add(frame: Frame, simInstance?: Uint16Array): void {
    this.session.add(frame);
    if (this.sim && simInstance) this.sim.register(frame.image, simInstance);
    void this.pump();
  }

  /**
   * An import's frames, all queued before the first step starts: a step takes what is queued when it begins,
   * and the first one decides the world frame (and floor) from its geometry, so it must see more than frame 1.
   */
  addAll(frames: Frame[]): void {
    for (const f of frames) this.session.add(f);
    void this.pump();
  }

  /** Follows the session's reconstruction (it is made on the first keyframe and rebuilt when semantics turn on). */
  private watch(): SceneDeltaTracker {
    const rec = this.session.current;
    if (rec && rec !== this.watched) {
      if (this.watched) this.watched.fusion.changes = null;
      this.tracker.attach(rec.scene);
      rec.fusion.changes = this.tracker;
      this.watched = rec;
    }
    // Finding the world frame replaces the fusion (its spatial hash indexed the old positions): follow it.
    // The Gaussians it moved are all new in that first step, so the next flush encodes them moved.
    if (rec && rec.fusion.changes !== this.tracker) rec.fusion.changes = this.tracker;
    return this.tracker;
  }

  /** Imports: the orbit view's start and the floor grid, with the first Gaussians and each time the queue runs dry. */
  private framing(): SceneFraming | null {
    const rec = this.session.current;
    if (!this.init.findWorld || !rec || rec.scene.count === 0) return null;
    const st = this.session.status();
    const first = this.framedAt < 0;
    if (!first && (st.queued > 0 || st.reconstructed === this.framedAt)) return null;
    this.framedAt = st.reconstructed;
    return frameScene(rec.scene, rec.frames, { floorAtZero: true });
  }

  private update(): ScanUpdate {
    const t0 = performance.now();
    const delta = this.watch().flush();
    const deltaMs = performance.now() - t0;
    return { status: this.session.status(), labels: this.session.labels(), delta, missing: this.missing(), timing: { stepMs: this.lastStepMs, deltaMs, deltaBytes: deltaBytes(delta) }, framing: this.framing() };
  }

  /** Runs steps until nothing can run; posts one update per step (and one at the start). */
  async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      this.applyPendingSemantics();
      this.onUpdate(this.update());
      for (;;) {
        this.applyPendingSemantics();
        const st = this.session.status();
        if (st.queued === 0 || st.waiting) break;
        try {
          // step() would make the reconstruction if it is missing: make it here so the tracker sees all of it.
          void this.session.reconstruction;
          this.watch();
          const t0 = performance.now();
          await this.session.step();
          this.lastStepMs = performance.now() - t0;
        } catch (e) {
          this.onError(`reconstruction failed: ${e instanceof Error ? e.message : String(e)}`);
          break;
        }
        this.onUpdate(this.update());
      }
    } finally {
      this.pumping = false;
    }
  }

  /** The same text query as /view, over the live scene (needs the semantic models). */
  async ask(text: string): Promise<ScanQueryResult> {
    if (!this.query) return { answers: [], reason: 'semantic models (CLIP) are not downloaded: this scan is geometry only and cannot answer queries', highlight: null };
    if (this.session.status().reconstructed === 0) return { answers: [], reason: 'nothing reconstructed yet', highlight: null };
    const a = await answerQuestion(this.session.reconstruction.scene, text, { engine: this.query });
    if (a.instances.length === 0) return { answers: [], reason: a.reason ?? 'not found', highlight: null };
    return {
      answers: a.instances.map((i) => ({ label: i.label, score: i.score, centroid: i.centroid, box: i.box, count: i.count })),
      reason: null,
      highlight: { entries: a.rows, boxes: new Float32Array(0) },
    };
  }

  async export(format: 'glb' | 'ply'): Promise<Uint8Array> {
    if (this.session.reconstruction.scene.count === 0) throw new Error('nothing to export yet: no Gaussians were built');
    return writeSceneFile(this.session.reconstruction.scene, format);
  }
}
