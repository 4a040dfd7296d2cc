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
import { GaussianScene } from '../../splat/gaussian-scene';
import { sceneArrays, thinUniformly } from '../scene-build';
import type { ScanQueryAnswer, ScanUpdate, ScanWorkerInit } from './scan-protocol';
import { SemanticQuery } from '../../inference/semantics/query';
import type { TextEmbedder } from '../../inference/embedder';
import { SimInstanceMasks, simOracleClip } from './sim-semantics';

export class ScanWorkerCore {
  readonly session: ScanSession;
  private readonly sim: SimInstanceMasks | null;
  private pumping = false;
  private readonly query: SemanticQuery | null;

  constructor(
    private readonly init: ScanWorkerInit,
    private readonly onUpdate: (u: ScanUpdate) => void,
    private readonly onError: (message: string) => void,
    monocular?: MonocularDepthModel,
  ) {
    if (!Number.isInteger(init.maxSplats) || init.maxSplats < 1) throw new Error(`scan worker: maxSplats must be a positive integer, got ${init.maxSplats}`);
    this.sim = init.simObjects ? new SimInstanceMasks() : null;
    const clip = this.sim ? simOracleClip(this.sim, init.simObjects!) : null;
    const text: TextEmbedder | null = clip ? clip.text : null;
    this.query = text ? new SemanticQuery(text) : null;
    this.session = new ScanSession({
      budget: init.budget,
      width: init.width,
      height: init.height,
      depth: monocular ? { monocular } : undefined,
      semantics: this.sim && clip ? { generator: this.sim, embedder: clip.image, mode: 'instances', labeler: new VocabularyLabeler(clip.text) } : undefined,
    });
  }

  missing(): string[] {
    const out: string[] = [];
    if (!this.session.semantics) out.push('semantic models (mask generator + CLIP) are not installed: the scene is geometry only, without labels');
    const w = this.session.status().waiting;
    if (w) out.push(w);
    return out;
  }

  add(frame: Frame, simInstance?: Uint16Array): void {
    this.session.add(frame);
    if (this.sim && simInstance) this.sim.register(frame.image, simInstance);
    void this.pump();
  }

  private update(): ScanUpdate {
    const scene = this.session.reconstruction.scene;
    let gaussians;
    if (scene.count > this.init.maxSplats) {
      // Thin a copy: the scene itself keeps every Gaussian for export.
      const copy = new GaussianScene({ budget: scene.count, initialCapacity: scene.count });
      copy.count = scene.count;
      copy.positions.set(scene.positions.subarray(0, scene.count * 3));
      copy.scales.set(scene.scales.subarray(0, scene.count * 3));
      copy.rotations.set(scene.rotations.subarray(0, scene.count * 4));
      copy.opacities.set(scene.opacities.subarray(0, scene.count));
      copy.colors.set(scene.colors.subarray(0, scene.count * 3));
      thinUniformly(copy, this.init.maxSplats);
      gaussians = sceneArrays(copy);
    } else gaussians = sceneArrays(scene);
    return { status: this.session.status(), labels: this.session.labels(), gaussians, missing: this.missing() };
  }

  /** Runs steps until nothing can run; posts one update per step (and one at the start). */
  async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      this.onUpdate(this.update());
      for (;;) {
        const st = this.session.status();
        if (st.queued === 0 || st.waiting) break;
        try {
          await this.session.step();
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
  async ask(text: string): Promise<{ answers: ScanQueryAnswer[]; reason: string | null }> {
    if (!this.query) return { answers: [], reason: 'semantic models (mask generator + CLIP) are not installed: this scan is geometry only and cannot answer queries' };
    if (this.session.status().reconstructed === 0) return { answers: [], reason: 'nothing reconstructed yet' };
    const a = await this.query.query(this.session.reconstruction.scene, text);
    return {
      answers: a.instances.map((i) => ({ label: i.label, score: i.score, centroid: i.centroid, count: i.count })),
      reason: a.instances.length ? null : (a.reason ?? 'not found'),
    };
  }

  async export(format: 'glb' | 'ply'): Promise<Uint8Array> {
    if (this.session.reconstruction.scene.count === 0) throw new Error('nothing to export yet: no Gaussians were built');
    return writeSceneFile(this.session.reconstruction.scene, format);
  }
}
