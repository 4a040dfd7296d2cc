/**
 * Per-view metric depth behind one interface, with the source chosen per frame:
 * 1. device  - the frame already carries depth (WebXR depth sensing): passed through, resampled to the working
 *              resolution with its own intrinsics;
 * 2. stereo  - weight-free multi-view plane sweep (plane-sweep.ts): the default whenever >= 2 posed views exist;
 * 3. network - a user-supplied ONNX depth network (onnx-depth-network.ts; I/O contract in docs/DEPTH.md);
 * 4. monocular - FastDepth (lib/inference/models/fastdepth.ts), the single-view fallback; its scale and shift are
 *              fitted per view against device depth or stereo whenever those exist (and it can fill stereo holes).
 *
 * Output: a DepthMap at the working resolution, pixel-aligned with the frame's image resampled to that size, whose
 * intrinsics are the frame's own scaled (lens distortion kept), with a 0..1 confidence.
 */
import { DepthAgreement, type AgreementOptions, type ConditioningOptions } from './depth-conditioning';
import type { DepthMap, Frame, RgbImage } from '../../capture/frame';
import { scaleIntrinsics } from '../../capture/frame';
import { rigidPoseProblem } from '../../capture/pose';
import { pixelMapBetween, resampleDepthMap } from './depth-resample';
import { fillDepthHoles } from './hole-fill';
import { fillWithMonocular } from './monocular-hole-fill';
import { refinedConfidence, refineView, sweepViewInputs, viewTrustWeight, type RefineSettings, type SweepSettings } from './multi-view-stereo';
import { HeavyStages } from '../../gpu/heavy-stages';
import type { PlaneSweepResult } from './plane-sweep';
import { estimateDepthRange, selectSourceViews } from './source-views';
import type { ScaleShiftFit } from './scale-shift-fit';
import {
  distortedToPinholeMap,
  frameDepthToPinholeGrid,
  lumaOf,
  makeStereoView,
  pinholeDepthToFrameGrid,
  remap,
  resampleRgb,
  type StereoView,
} from './stereo-view';

export type DepthSourceKind = 'device' | 'stereo' | 'network' | 'monocular';

/**
 * A single-image depth estimator. FastDepth (lib/inference/models/fastdepth.ts) satisfies it as is; so does
 * OnnxDepthNetwork for single-view exports. Output: metres along -z at the image's size (relative scale is fine:
 * it is fitted when metric depth exists).
 */
export interface MonocularDepthModel {
  readonly id: string;
  estimate(image: RgbImage): Promise<{ width: number; height: number; data: Float32Array }>;
}

export interface DepthEstimate {
  kind: DepthSourceKind;
  depth: DepthMap;
  /** Set when a monocular map was fitted to metric depth (or filled stereo holes). */
  fit?: ScaleShiftFit;
  /**
   * Share of the view's pixels whose depth is trusted, 0..1: stereo, the pixels that survived the confidence,
   * cross-view and texture tests (the rest is filled); device, the measured pixels; network / monocular, 0.
   */
  trusted: number;
  /**
   * Pixels whose depth was filled rather than measured (device holes: FILLED_HOLE inside the sensor's field,
   * FILLED_OUTSIDE where the colour camera sees past it; 0 = measured or no depth). Set for device depth only.
   * The pipeline keeps filled pixels out of the scene where earlier views already cover them (filled-depth.ts).
   */
  filled?: Uint8Array;
  notes: string[];
}

/** Values of DepthEstimate.filled. */
export const FILLED_HOLE = 1;
export const FILLED_OUTSIDE = 2;

export interface DepthSourceOptions {
  /** Working resolution of the output (the reference protocol uses 270x480 for 1080x1920 phone frames). */
  width: number;
  height: number;
  monocular?: MonocularDepthModel;
  network?: MonocularDepthModel;
  /** Fill holes of device depth (default true): with the monocular model fitted to it when one is loaded. */
  fillDeviceHoles?: boolean;
  /** Views a multi-view network gets per frame: the frame and its best posed neighbours (default 2). */
  networkViews?: number;
  /** Force a source (errors if it cannot run for a frame). Multi-view networks need prefer: 'network' where
   * stereo could run, since stereo comes first otherwise. */
  prefer?: DepthSourceKind;
  stereo?: SweepSettings & RefineSettings;
  /** Fill stereo holes with the monocular model anchored to the stereo depth (monocular-hole-fill.ts) instead of
   * edge-aware smoothing alone. Off by default: on the fox capture it does not help (docs/DEPTH.md). */
  monocularHoleFill?: boolean;
  /**
   * Condition device depth before resampling (depth-conditioning.ts: invalid values, edge band, specks, z^2 noise
   * confidence, multi-view agreement against the device frames conditioned before it). Off here by default; the
   * pipeline turns it on and builds those Gaussians with `confidenceOpacity: 0` (a noise confidence must not make
   * surfaces see-through).
   */
  conditionDevice?: boolean | { conditioning?: ConditioningOptions; agreement?: AgreementOptions };
  /** Runs the plane sweep and the device-depth conditioning (WebGPU or CPU, lib/gpu/heavy-stages.ts); default: the CPU kernels. */
  stages?: HeavyStages;
  /** The agreement's memory of keyframes conditioned before this estimator (the pipeline keeps one across batches). */
  deviceAgreement?: DepthAgreement;
}

/** A network that takes posed views (OnnxDepthNetwork with a multi-view export). */
interface MultiViewDepthModel extends MonocularDepthModel {
  readonly multiView: true;
  estimateViews(
    views: { image: RgbImage; intrinsics: Frame['intrinsics']; cameraToWorld: ArrayLike<number> }[],
  ): Promise<{ depth: { width: number; height: number; data: Float32Array }[] }>;
}

const isMultiView = (m: MonocularDepthModel | undefined): m is MultiViewDepthModel =>
  !!m && (m as Partial<MultiViewDepthModel>).multiView === true && typeof (m as Partial<MultiViewDepthModel>).estimateViews === 'function';

const hasDeviceDepth = (f: Frame): boolean =>
  !!f.depth && f.depth.width > 0 && f.depth.height > 0 && f.depth.data?.length === f.depth.width * f.depth.height;

/** A frame can take part in stereo when its pose is a finite rigid transform and it is not an interpolated pose. */
export const isStereoUsable = (f: Frame): boolean => !f.approxPose && rigidPoseProblem(f.cameraToWorld) === null;

/**
 * Which source depth for `frames[index]` comes from: device depth when the frame carries it, stereo when it and
 * at least one other frame are posed, then the user network, then the monocular model.
 */
export function chooseDepthSource(
  frames: Frame[],
  index: number,
  available: { network?: boolean; monocular?: boolean; prefer?: DepthSourceKind } = {},
): DepthSourceKind {
  const f = frames[index];
  if (!f) throw new Error(`depth source: no frame at index ${index} (have ${frames.length})`);
  const poseProblem = rigidPoseProblem(f.cameraToWorld);
  if (poseProblem) throw new Error(`depth source: frame ${f.id} has an unusable camera pose: ${poseProblem}`);
  const posedOthers = frames.filter((g, k) => k !== index && isStereoUsable(g)).length;
  const can: Record<DepthSourceKind, boolean> = {
    device: hasDeviceDepth(f),
    stereo: !f.approxPose && posedOthers >= 1,
    network: !!available.network,
    monocular: !!available.monocular,
  };
  if (available.prefer) {
    if (!can[available.prefer]) {
      const why: Record<DepthSourceKind, string> = {
        device: 'the frame carries no depth',
        stereo: `stereo needs at least 2 posed views (frame ${f.id} has ${posedOthers} posed neighbour(s)${f.approxPose ? ' and an interpolated pose' : ''})`,
        network: 'no user depth network is loaded',
        monocular: 'no monocular depth model is loaded',
      };
      throw new Error(`depth source "${available.prefer}" cannot run for frame ${f.id}: ${why[available.prefer]}`);
    }
    return available.prefer;
  }
  for (const k of ['device', 'stereo', 'network', 'monocular'] as const) if (can[k]) return k;
  throw new Error(
    `no depth source for frame ${f.id}: it carries no device depth, has no posed neighbour for stereo, and no depth network or monocular model is loaded`,
  );
}

/**
 * Depth for the frames of one capture. Stereo sweeps are cached per frame, because filtering a view checks it
 * against its source views' own sweeps; call depthFor for each frame you need.
 */
export class DepthEstimator {
  private readonly views: (StereoView | undefined)[] = [];
  private readonly stereoIndex: number[] = [];
  private readonly sweeps = new Map<number, { result: PlaneSweepResult; sources: number[] }>();
  /** Keyframes' conditioned device depth seen so far (conditionDevice), for the multi-view agreement. */
  private agreement: DepthAgreement | undefined;
  private readonly stages: HeavyStages;

  constructor(
    readonly frames: Frame[],
    readonly options: DepthSourceOptions,
  ) {
    if (!Number.isInteger(options.width) || !Number.isInteger(options.height) || options.width < 8 || options.height < 8)
      throw new Error(`depth estimator: working resolution must be integers >= 8, got ${options.width}x${options.height}`);
    this.stages = options.stages ?? new HeavyStages(null, 'no HeavyStages given to the depth estimator');
    frames.forEach((f, i) => {
      if (isStereoUsable(f)) this.stereoIndex.push(i);
    });
  }

  kindFor(index: number): DepthSourceKind {
    return chooseDepthSource(this.frames, index, {
      network: !!this.options.network,
      monocular: !!this.options.monocular,
      prefer: this.options.prefer,
    });
  }

  async depthFor(index: number): Promise<DepthEstimate> {
    const kind = this.kindFor(index);
    const f = this.frames[index];
    const k = scaleIntrinsics(f.intrinsics, this.options.width, this.options.height);
    if (!k.distortion) delete k.distortion;
    if (kind === 'device') {
      let sensor = f.depth!;
      const cd = this.options.conditionDevice;
      const condNotes: string[] = [];
      if (cd) {
        const o = cd === true ? {} : cd;
        // The colour image on the depth grid guides the edge test (registered edges keep their band).
        const img = f.image;
        const luma = lumaOf(resampleRgb(img, img.width, img.height), img.width * img.height);
        const guide = remap(luma, img.width, img.height, 1, pixelMapBetween(sensor.intrinsics, scaleIntrinsics(f.intrinsics, img.width, img.height)));
        const c = (await this.stages.conditionDepth(sensor, { guide, ...o.conditioning })).result;
        this.agreement ??= this.options.deviceAgreement ?? new DepthAgreement(o.agreement);
        const a = this.agreement.add(c.depth, f.cameraToWorld);
        sensor = c.depth;
        const r = c.report;
        const edges = r.edgeAgreement === undefined ? '' : ` (${r.flying} flying; ${(100 * r.edgeAgreement).toFixed(0)} % of colour-checked edges on their colour boundary)`;
        condNotes.push(`conditioned: ${r.edge} edge-band${edges}, ${r.specks} speck, ${a.contradicted} contradicted pixels dropped; ${a.agreed} confirmed by ${a.neighbours} earlier keyframe(s)`);
      }
      const depth = resampleDepthMap(sensor, k);
      const measured = depth.data.map((d) => (d > 0 ? 1 : 0));
      if (!depth.confidence) depth.confidence = measured;
      const notes = [`device depth ${f.depth!.width}x${f.depth!.height} resampled`, ...condNotes];
      let fit: ScaleShiftFit | undefined;
      let filledMask: Uint8Array | undefined;
      const holes = measured.length - measured.reduce((a, b) => a + b, 0);
      if (holes > 0 && holes < measured.length && this.options.fillDeviceHoles !== false) {
        // Sensor holes (outside its field of view, dark or shiny surfaces): the monocular model anchored to the
        // measured depth when there is one, edge-aware smoothing otherwise; filled pixels get confidence 0.1.
        const guide = lumaOf(resampleRgb(f.image, k.width, k.height), k.width * k.height);
        const conf = depth.confidence.map((c, i) => (depth.data[i] > 0 ? Math.max(c, 1e-3) : 0));
        let filled: Float32Array;
        if (this.options.monocular) {
          const mono = await this.monocularAtWorkingSize(this.options.monocular, f);
          const fused = fillWithMonocular(depth.data, conf, mono, guide, k.width, k.height, { ...this.options.stereo?.fill, smoothPasses: 0 });
          fit = fused.fit;
          filled = fused.depth;
          notes.push(`${holes} holes filled with ${this.options.monocular.id} fitted to the device depth`);
        } else {
          filled = fillDepthHoles(depth.data, guide, k.width, k.height, { ...this.options.stereo?.fill, confidence: conf, smoothPasses: 0 });
          notes.push(`${holes} holes filled by edge-aware smoothing`);
        }
        // Outside the sensor's field: the working pixel's ray misses the depth grid (resampleDepthMap's test).
        const map = pixelMapBetween(k, sensor.intrinsics);
        const sw = sensor.width, sh = sensor.height;
        filledMask = new Uint8Array(filled.length);
        for (let i = 0; i < filled.length; i++)
          if (!(depth.data[i] > 0) && filled[i] > 0) {
            depth.data[i] = filled[i];
            depth.confidence[i] = 0.1;
            const x = map[2 * i], y = map[2 * i + 1];
            filledMask[i] = x >= 0 && y >= 0 && x <= sw && y <= sh ? FILLED_HOLE : FILLED_OUTSIDE;
          }
      }
      return { kind, depth, fit, notes, trusted: (measured.length - holes) / measured.length, ...(filledMask && { filled: filledMask }) };
    }
    if (kind === 'stereo') return this.stereo(index);
    if (kind === 'network' && isMultiView(this.options.network) && this.stereoIndex.length >= 2 && isStereoUsable(f)) {
      // A multi-view network (e.g. an exported DepthSplat) sees the frame with its best posed neighbours.
      const others = this.stereoIndex.filter((k) => k !== index);
      const picked = selectSourceViews(f.cameraToWorld, others.map((k) => this.frames[k].cameraToWorld), (this.options.networkViews ?? 2) - 1, {
        camera: f.intrinsics,
        cameras: others.map((k) => this.frames[k].intrinsics),
      }).map(
        (k) => others[k],
      );
      const views = [index, ...picked].map((k) => ({ image: this.frames[k].image, intrinsics: this.frames[k].intrinsics, cameraToWorld: this.frames[k].cameraToWorld }));
      const net = this.options.network;
      const out = (await net.estimateViews(views)).depth[0];
      const kImg = scaleIntrinsics(f.intrinsics, out.width, out.height);
      const kOut = scaleIntrinsics(f.intrinsics, this.options.width, this.options.height);
      delete kImg.distortion;
      delete kOut.distortion;
      const data = resampleDepthMap({ width: out.width, height: out.height, data: out.data, intrinsics: kImg }, kOut).data;
      return {
        kind,
        depth: { width: k.width, height: k.height, data, intrinsics: k, confidence: data.map((d) => (d > 0 ? 0.5 : 0)) },
        notes: [`${net.id} with ${picked.map((q) => this.frames[q].id).join(', ')}`],
        trusted: 0,
      };
    }
    const model = kind === 'network' ? this.options.network! : this.options.monocular!;
    const raw = await this.monocularAtWorkingSize(model, f);
    return {
      kind,
      depth: { width: k.width, height: k.height, data: raw, intrinsics: k, confidence: raw.map((d) => (d > 0 ? 0.3 : 0)) },
      notes: [`${model.id}: single view, scale as the model predicts it (no metric reference to fit against)`],
      trusted: 0,
    };
  }

  /** A monocular model's depth on the working grid of frame f. */
  private async monocularAtWorkingSize(model: MonocularDepthModel, f: Frame): Promise<Float32Array> {
    const out = await model.estimate(f.image);
    if (!out || out.data.length !== out.width * out.height) throw new Error(`${model.id}: depth output does not match its size`);
    for (let i = 0; i < out.data.length; i++)
      if (!Number.isFinite(out.data[i])) throw new Error(`${model.id}: non-finite depth at pixel ${i}`);
    const kImg = scaleIntrinsics(f.intrinsics, out.width, out.height);
    const kOut = scaleIntrinsics(f.intrinsics, this.options.width, this.options.height);
    // Same camera, different grids: no undistortion needed (both carry the same distortion).
    delete kImg.distortion;
    delete kOut.distortion;
    return resampleDepthMap({ width: out.width, height: out.height, data: out.data, intrinsics: kImg }, kOut).data;
  }

  private view(i: number): StereoView {
    let v = this.views[i];
    if (!v) {
      v = makeStereoView(this.frames[i], this.options.width, this.options.height);
      this.views[i] = v;
    }
    return v;
  }

  /** Sweep of frame i (a frame index) against sources among the stereo-usable frames. */
  private async sweep(i: number): Promise<{ result: PlaneSweepResult; sources: number[] }> {
    const hit = this.sweeps.get(i);
    if (hit) return hit;
    // Select sources from poses alone, so only the views actually matched get built (resampled, undistorted).
    const others = this.stereoIndex.filter((k) => k !== i);
    if (!others.length) throw new Error(`multi-view stereo needs at least 2 posed views, frame ${this.frames[i].id} has no posed neighbour`);
    const poses = others.map((k) => this.frames[k].cameraToWorld);
    const st = this.options.stereo ?? {};
    const cameras = others.map((k) => this.frames[k].intrinsics);
    const picked = selectSourceViews(this.frames[i].cameraToWorld, poses, st.sources ?? 3, { camera: this.frames[i].intrinsics, cameras }).map((k) => others[k]);
    if (!picked.length) throw new Error(`multi-view stereo: no usable source view for frame ${this.frames[i].id} (all too close, looking away or not overlapping)`);
    const idx = [i, ...picked];
    const range = st.near && st.far ? { near: st.near, far: st.far } : estimateDepthRange(this.frames[i].cameraToWorld, poses);
    const inp = sweepViewInputs(idx.map((k) => this.view(k)), 0, { ...st, sources: picked.length, ...range });
    const run = await this.stages.planeSweep(inp.ref, inp.sources, inp.opts);
    const out = { result: run.result, sources: inp.picked.map((k) => idx[k]) };
    this.sweeps.set(i, out);
    return out;
  }

  private async stereo(i: number): Promise<DepthEstimate> {
    const own = await this.sweep(i);
    for (const s of own.sources) await this.sweep(s);
    // refineView works on index lists over one views array: use frame indices directly.
    const views: StereoView[] = [];
    const sweeps: (PlaneSweepResult | undefined)[] = [];
    for (const k of [i, ...own.sources]) {
      views[k] = this.view(k);
      sweeps[k] = this.sweeps.get(k)!.result;
    }
    const r = refineView(views, sweeps, i, own.sources, this.options.stereo);
    const v = this.view(i);
    const notes = [
      `plane sweep against ${own.sources.map((k) => this.frames[k].id).join(', ')}; ${(100 * r.trusted).toFixed(1)} % trusted, ${(100 * r.weakTexture).toFixed(1)} % weak texture, view weight ${viewTrustWeight(r.trusted).toFixed(2)}`,
    ];
    let pinhole = r.filled;
    let fit: ScaleShiftFit | undefined;
    if (this.options.monocularHoleFill && this.options.monocular) {
      const mono = frameDepthToPinholeGrid(v, await this.monocularAtWorkingSize(this.options.monocular, this.frames[i]));
      const fused = fillWithMonocular(r.filtered, r.confidence, mono, v.gray, v.width, v.height, this.options.stereo?.fill);
      fit = fused.fit;
      pinhole = fused.depth;
      notes.push(`holes filled with ${this.options.monocular.id} fitted to stereo (${fit.inliers}/${fit.samples} inliers)`);
    }
    const data = pinholeDepthToFrameGrid(v, pinhole);
    // Confidence: the filter's where stereo survived, low where filled, times the view's trust weight (a view
    // stereo barely trusts contributes less to the fusion).
    const confPin = refinedConfidence({ ...r, filled: pinhole });
    const confidence = v.frameIntrinsics.distortion ? remap(confPin, v.width, v.height, 1, distortedToPinholeMap(v.frameIntrinsics)) : confPin;
    return { kind: 'stereo', depth: { width: v.width, height: v.height, data, intrinsics: v.frameIntrinsics, confidence }, fit, notes, trusted: r.trusted };
  }
}
