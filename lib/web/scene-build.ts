/**
 * Capture bundle -> frame summaries + Gaussians, the work behind /demo and /view. No DOM: it runs
 * in the scene-build worker (lib/web/scene-build.worker.ts), on the main thread as a fallback, and
 * in Node tests, with whichever BundleFiles and ImageCodec the caller has.
 */
import type { BundleFiles } from '../capture/bundle-files';
import { zipFiles } from '../capture/bundle-files';
import { readCaptureBundle } from '../capture/capture-bundle';
import type { Intrinsics } from '../capture/frame';
import type { ImageCodec } from '../capture/image-codec';
import type { ProgressCallback } from '../pipeline/progress';
import { GaussianScene } from '../splat/gaussian-scene';
import { gaussiansFromDepth } from '../splat/gaussians-from-depth';
import { isGlb, readGlb } from '../splat/glb';
import { isPly, readPly } from '../splat/ply';
import { makeThumbnail, type RgbaThumbnail } from './thumbnail';
import { labelSceneFromAnnotations, type AnnotationSemantics } from '../inference/semantics/annotation-bank';
import { readSampleAnnotations } from '../sim/sample-annotations';
import { displaySelection, growDisplayed, type DisplayThinning } from '../splat/display-importance';
import type { CaptureCamera } from '../splat/scene-info';

export interface FrameSummary {
  id: string;
  intrinsics: Intrinsics;
  /** Camera-to-world, column-major 4x4. */
  cameraToWorld: number[];
  timestamp: number;
  approxPose: boolean;
  /** Depth statistics in metres over valid pixels; null when the frame has no depth. */
  depth: { width: number; height: number; min: number; max: number; validFraction: number } | null;
  thumbnail: RgbaThumbnail;
}

export interface CaptureSummary {
  name: string;
  attribution?: string;
  skipped: { id: string; reason: string }[];
  frames: FrameSummary[];
}

/** The renderable subset of a GaussianScene (layouts as in lib/splat/gaussian-scene.ts), trimmed to count. */
export interface GaussianArrays {
  count: number;
  positions: Float32Array;
  scales: Float32Array;
  rotations: Float32Array;
  opacities: Float32Array;
  colors: Float32Array;
  /** Bank row per Gaussian (0 = none), for the renderer's semantic highlight; absent when the scene has no semantics. */
  semantic?: Uint16Array;
}

export interface SceneBuildOptions {
  codec?: ImageCodec;
  maxFrames?: number;
  /** Thin the result to at most this many Gaussians (renderer budget; thinForDisplay: even spread, kept splats grown). Default 200k. */
  maxGaussians?: number;
  thumbnailSide?: number;
  onProgress?: ProgressCallback;
  /**
   * The capture's instance annotations, when it has them (a rendered sample's `<name>.groundtruth/` folder,
   * docs/SAMPLES.md): the Gaussians get a bank of the annotated objects' labels. A folder without
   * instances.json is no annotations; a broken one is reported in the result, the scene still builds.
   */
  annotations?: BundleFiles;
}

export const DEFAULT_MAX_GAUSSIANS = 200_000;

export interface SceneBuildResult {
  capture: CaptureSummary;
  gaussians: GaussianArrays;
  /** Gaussians before thinning to maxGaussians. */
  builtCount: number;
  /** Bank entries named by the capture's annotations (gaussians.semantic points at them); absent without annotations. */
  semantics?: AnnotationSemantics;
  /** Why the annotations could not be used (the scene was built without them). */
  semanticsError?: string;
}

function depthStats(data: Float32Array): { min: number; max: number; validFraction: number } {
  let min = Infinity;
  let max = -Infinity;
  let valid = 0;
  for (let i = 0; i < data.length; i++) {
    const d = data[i];
    if (!(d > 0) || !Number.isFinite(d)) continue;
    valid++;
    if (d < min) min = d;
    if (d > max) max = d;
  }
  return valid ? { min, max, validFraction: valid / data.length } : { min: 0, max: 0, validFraction: 0 };
}

/** Smallest pixel stride that brings `pixels` samples down to at most `target`. */
export function strideForBudget(pixels: number, target: number): number {
  if (!(pixels >= 0) || !(target > 0)) throw new Error(`strideForBudget: bad pixels ${pixels} or target ${target}`);
  return Math.max(1, Math.ceil(Math.sqrt(pixels / target)));
}

/**
 * Thins the scene in place to at most `target` Gaussians for display (lib/splat/display-importance.ts): an even
 * spread in file order (default) or sampled by importance (`method: 'ranked'`: opacity x projected area in the
 * capture cameras the scene carries, or `cameras`), the kept ones grown in-plane to cover for the dropped ones
 * (`grow`, default on). Measured (npm run bench -- --only display-thinning, redkitchen): growing is worth +5 dB
 * against the full scene's render, ranking on top of it 1.7 dB less than the even spread, so the default is
 * uniform + grown. File order is preserved.
 */
export function thinForDisplay(scene: GaussianScene, target: number, opts: { cameras?: readonly CaptureCamera[]; method?: DisplayThinning; grow?: boolean } = {}): void {
  if (!Number.isInteger(target) || target < 0) throw new Error(`thinForDisplay: target must be a non-negative integer (got ${target})`);
  if (scene.count <= target) return;
  const { keep, represents } = displaySelection(scene, target, { cameras: opts.cameras ?? scene.info?.cameras, method: opts.method ?? 'uniform' });
  const rep = represents.filter((_r, i) => keep[i] === 1);
  scene.compact(keep);
  if (opts.grow ?? true) growDisplayed(scene.scales, rep, scene.count);
}

export function sceneArrays(scene: GaussianScene): GaussianArrays {
  const n = scene.count;
  return {
    count: n,
    positions: scene.positions.slice(0, n * 3),
    scales: scene.scales.slice(0, n * 3),
    rotations: scene.rotations.slice(0, n * 4),
    opacities: scene.opacities.slice(0, n),
    colors: scene.colors.slice(0, n * 3),
    semantic: scene.semantic.slice(0, n),
  };
}

export async function buildSceneFromBundle(files: BundleFiles, opts: SceneBuildOptions = {}): Promise<SceneBuildResult> {
  const progress = opts.onProgress ?? (() => {});
  const maxGaussians = opts.maxGaussians ?? DEFAULT_MAX_GAUSSIANS;
  if (!Number.isInteger(maxGaussians) || maxGaussians <= 0) throw new Error(`maxGaussians must be a positive integer (got ${opts.maxGaussians})`);
  progress({ stage: 'read', done: 0, total: 1, detail: 'reading capture.json, images and depth' });
  const bundle = await readCaptureBundle(files, { codec: opts.codec, maxFrames: opts.maxFrames });
  progress({ stage: 'read', done: 1, total: 1, detail: `${bundle.frames.length} frames` });
  if (bundle.frames.length === 0) {
    const why = bundle.skipped.map((s) => `${s.id}: ${s.reason}`).join('; ');
    throw new Error(`capture "${bundle.name}" has no usable frames${why ? ` (${why})` : ''}`);
  }
  const frames: FrameSummary[] = bundle.frames.map((f) => ({
    id: f.id,
    intrinsics: { ...f.intrinsics },
    cameraToWorld: Array.from(f.cameraToWorld),
    timestamp: f.timestamp,
    approxPose: Boolean(f.approxPose),
    depth: f.depth ? { width: f.depth.width, height: f.depth.height, ...depthStats(f.depth.data) } : null,
    thumbnail: makeThumbnail(f.image, opts.thumbnailSide),
  }));
  const scene = new GaussianScene({ budget: 8_000_000 });
  const withDepth = bundle.frames.filter((f) => f.depth).length;
  let done = 0;
  // Stride each view so the views together stay within the budget; a stride also widens each
  // Gaussian (scale ∝ stride), so the surface stays closed, unlike thinning afterwards.
  const perView = maxGaussians / Math.max(1, withDepth);
  for (let v = 0; v < bundle.frames.length; v++) {
    const frame = bundle.frames[v];
    if (!frame.depth) continue;
    gaussiansFromDepth(scene, frame, v, { stride: strideForBudget(frame.depth.width * frame.depth.height, perView) });
    progress({ stage: 'gaussians', done: ++done, total: withDepth, detail: `view ${v + 1}/${bundle.frames.length}: ${scene.count} Gaussians` });
  }
  const builtCount = scene.count;
  const labels = opts.annotations ? await annotate(scene, bundle.frames, opts.annotations, progress) : {};
  thinForDisplay(scene, maxGaussians, { cameras: frames.map((f) => ({ id: f.id, cameraToWorld: f.cameraToWorld, intrinsics: f.intrinsics })) });
  const capture: CaptureSummary = { name: bundle.name, skipped: bundle.skipped, frames };
  if (bundle.attribution !== undefined) capture.attribution = bundle.attribution;
  return { capture, gaussians: sceneArrays(scene), builtCount, ...labels };
}

async function annotate(
  scene: GaussianScene,
  frames: readonly { id: string; image: { width: number; height: number } }[],
  files: BundleFiles,
  progress: ProgressCallback,
): Promise<Pick<SceneBuildResult, 'semantics' | 'semanticsError'>> {
  try {
    const ann = await readSampleAnnotations(files);
    if (!ann) return {};
    const { semantics, labelled } = labelSceneFromAnnotations(scene, frames.map((f) => ({ id: f.id, width: f.image.width, height: f.image.height })), ann);
    progress({ stage: 'read', done: 1, total: 1, detail: `${semantics.entries.length} labelled objects from ${ann.source} (${labelled} Gaussians)` });
    return { semantics };
  } catch (e) {
    return { semanticsError: `annotations not used: ${e instanceof Error ? e.message : String(e)}` };
  }
}

const isZip = (b: Uint8Array) => b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04;

/**
 * A file the user opened: a Gaussian scene (.ply INRIA layout, .glb KHR_gaussian_splatting) is
 * shown as is (thinned to maxGaussians), a capture bundle .zip is built like a served bundle.
 * The type comes from the file's magic bytes, not its name.
 */
export async function buildSceneFromFile(name: string, bytes: Uint8Array, opts: SceneBuildOptions = {}): Promise<SceneBuildResult> {
  const progress = opts.onProgress ?? (() => {});
  const maxGaussians = opts.maxGaussians ?? DEFAULT_MAX_GAUSSIANS;
  if (!Number.isInteger(maxGaussians) || maxGaussians <= 0) throw new Error(`maxGaussians must be a positive integer (got ${opts.maxGaussians})`);
  if (isZip(bytes)) return buildSceneFromBundle(zipFiles(bytes), opts);
  let scene: GaussianScene;
  progress({ stage: 'read', done: 0, total: 1, detail: name });
  if (isPly(bytes)) scene = readPly(bytes);
  else if (isGlb(bytes)) scene = await readGlb(bytes);
  else throw new Error(`${name}: not a Gaussian scene (.ply, .glb) or a capture bundle (.zip)`);
  progress({ stage: 'read', done: 1, total: 1, detail: `${scene.count} Gaussians` });
  const builtCount = scene.count;
  thinForDisplay(scene, maxGaussians);
  return { capture: { name, skipped: [], frames: [] }, gaussians: sceneArrays(scene), builtCount };
}
