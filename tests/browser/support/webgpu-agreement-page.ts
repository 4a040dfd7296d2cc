/**
 * Page-side code of tests/browser/webgpu-gaussians.test.ts (bundled by the test with esbuild and
 * loaded into a blank page): reads a frame of a capture bundle over HTTP, runs Gaussians from depth
 * on the CPU reference and through HeavyStages (WebGPU when the page has an adapter, software ones
 * included: here the only one is SwiftShader), and returns
 * the counts and the largest differences per parameter.
 */
import type { Frame } from '@/lib/capture/frame';
import { readCaptureBundle } from '@/lib/capture/capture-bundle';
import { httpFiles } from '@/lib/web/http-files';
import { GaussianScene } from '@/lib/splat/gaussian-scene';
import { gaussiansFromDepth } from '@/lib/splat/gaussians-from-depth';
import { HeavyStages } from '@/lib/gpu/heavy-stages';
import { createSweepKernel } from '@/lib/inference/depth/plane-sweep-kernel';
import { planeSweep, type PlaneSweepMode } from '@/lib/inference/depth/plane-sweep';
import { conditionSensorDepth, type ConditioningOptions, type ConditioningReport } from '@/lib/inference/depth/depth-conditioning';
import { decodeRgb, decodeSensorDepthPng } from '@/lib/capture/image-codec';
import type { DepthMap } from '@/lib/capture/frame';
import { makeStereoView } from '@/lib/inference/depth/stereo-view';
import { estimateDepthRange } from '@/lib/inference/depth/source-views';
import { importTransformsJson, loadFrame } from '@/lib/capture/transforms-json';

export interface GaussiansAgreement {
  backend: string;
  reason?: string;
  adapter: string;
  software: boolean;
  stride: number;
  cpu: { count: number; invalid: number; flying: number; outsideImage: number; ms: number };
  gpu: { count: number; invalid: number; flying: number; outsideImage: number; ms: number };
  sourceMismatch: number;
  viewMismatch: number;
  maxPos: number;
  maxScaleRel: number;
  minRotDot: number;
  maxColor: number;
  maxOpacity: number;
  maxWeightRel: number;
}

/**
 * The frame with every case the kernel decides on: missing and NaN depth, a depth step (edges), a
 * column of flying pixels on the step, confidence from 0 to 0.99, and depth intrinsics shifted so
 * rays at one border miss the image.
 */
function edited(frame: Frame): Frame {
  const dm = frame.depth!;
  const W = dm.width, H = dm.height;
  const d = Float32Array.from(dm.data);
  for (let v = 10; v < 20; v++) d.fill(0, v * W, (v + 1) * W);
  for (let u = 5; u < 15; u++) d[30 * W + u] = NaN;
  for (let v = 100; v < 160; v++) {
    for (let u = 100; u < 180; u++) d[v * W + u] *= 1.4;
    d[v * W + 180] *= 1.2;
  }
  const confidence = new Float32Array(W * H);
  for (let i = 0; i < W * H; i++) confidence[i] = ((i * 7919) % 100) / 100;
  const k = dm.intrinsics ?? frame.intrinsics;
  return { ...frame, depth: { ...dm, data: d, confidence, intrinsics: { ...k, cx: k.cx + 20 } } };
}

/**
 * `fox` set: `bundleUrl` is the fox folder and the frame's depth its CPU stereo depth at width x height
 * against `fox.sources` (the fox has no sensor), on the photo's own image and intrinsics.
 */
async function gaussiansAgreement(
  bundleUrl: string,
  frameIndex: number,
  strides: number[],
  edit: boolean,
  confidenceOpacity?: number,
  fox?: { sources: number[]; width: number; height: number },
): Promise<GaussiansAgreement[]> {
  let exact: Frame;
  if (fox) exact = (await foxStereo({ kind: 'fox', url: bundleUrl, ref: frameIndex, ...fox })).frame;
  else exact = (await readCaptureBundle(httpFiles(bundleUrl), { maxFrames: frameIndex + 1 })).frames[frameIndex];
  if (!exact?.depth) throw new Error(`frame ${frameIndex} of ${bundleUrl} has no depth`);
  const frame = edit ? edited(exact) : exact;
  const stages = await HeavyStages.create({ allowSoftware: true });
  const out: GaussiansAgreement[] = [];
  for (const stride of strides) {
    const a = new GaussianScene({ initialCapacity: 1 }), b = new GaussianScene({ initialCapacity: 1 });
    let t = performance.now();
    const ra = gaussiansFromDepth(a, frame, 3, { stride, confidenceOpacity });
    const cpuMs = performance.now() - t;
    // First call compiles the pipeline; time the second.
    await stages.gaussiansFromDepth(new GaussianScene({ initialCapacity: 1 }), frame, 3, { stride, confidenceOpacity });
    t = performance.now();
    const run = await stages.gaussiansFromDepth(b, frame, 3, { stride, confidenceOpacity });
    const gpuMs = performance.now() - t;
    const rb = run.result;
    const n = Math.min(a.count, b.count);
    let sourceMismatch = 0, viewMismatch = 0, maxPos = 0, maxScaleRel = 0, minRotDot = 1, maxColor = 0, maxOpacity = 0, maxWeightRel = 0;
    for (let i = 0; i < n; i++) {
      if (a.sourcePixel[i] !== b.sourcePixel[i]) sourceMismatch++;
      if (a.sourceView[i] !== b.sourceView[i]) viewMismatch++;
      let dot = 0;
      for (let c = 0; c < 3; c++) {
        maxPos = Math.max(maxPos, Math.abs(a.positions[i * 3 + c] - b.positions[i * 3 + c]));
        maxScaleRel = Math.max(maxScaleRel, Math.abs(a.scales[i * 3 + c] - b.scales[i * 3 + c]) / a.scales[i * 3 + c]);
        maxColor = Math.max(maxColor, Math.abs(a.colors[i * 3 + c] - b.colors[i * 3 + c]));
      }
      for (let c = 0; c < 4; c++) dot += a.rotations[i * 4 + c] * b.rotations[i * 4 + c];
      // q and -q are the same rotation (Shepperd's branches may pick either sign).
      minRotDot = Math.min(minRotDot, Math.abs(dot));
      maxOpacity = Math.max(maxOpacity, Math.abs(a.opacities[i] - b.opacities[i]));
      maxWeightRel = Math.max(maxWeightRel, Math.abs(a.weight[i] - b.weight[i]) / a.weight[i]);
    }
    out.push({
      backend: run.backend,
      reason: run.reason,
      adapter: stages.gpu?.adapter ?? '',
      software: stages.gpu?.software ?? false,
      stride,
      cpu: { count: ra.count, invalid: ra.invalid, flying: ra.flying, outsideImage: ra.outsideImage, ms: cpuMs },
      gpu: { count: rb.count, invalid: rb.invalid, flying: rb.flying, outsideImage: rb.outsideImage, ms: gpuMs },
      sourceMismatch, viewMismatch, maxPos, maxScaleRel, minRotDot, maxColor, maxOpacity, maxWeightRel,
    });
  }
  return out;
}

(globalThis as unknown as { gaussiansAgreement: typeof gaussiansAgreement }).gaussiansAgreement = gaussiansAgreement;

/** The frame resampled (nearest) to width x height: depth, confidence, image and both intrinsics. */
function resized(frame: Frame, width: number, height: number): Frame {
  const dm = frame.depth!;
  const sx = dm.width / width, sy = dm.height / height;
  const data = new Float32Array(width * height);
  for (let v = 0; v < height; v++) for (let u = 0; u < width; u++) data[v * width + u] = dm.data[Math.floor(v * sy) * dm.width + Math.floor(u * sx)];
  const im = frame.image;
  const ix = im.width / width, iy = im.height / height;
  const img = new Uint8Array(width * height * 3);
  for (let v = 0; v < height; v++)
    for (let u = 0; u < width; u++) {
      const s = (Math.floor(v * iy) * im.width + Math.floor(u * ix)) * 3, o = (v * width + u) * 3;
      img[o] = im.data[s]; img[o + 1] = im.data[s + 1]; img[o + 2] = im.data[s + 2];
    }
  // Intrinsics describe their own image size; the kernels rescale them to the arrays.
  return { ...frame, image: { ...im, width, height, data: img }, depth: { ...dm, width, height, data, confidence: undefined } };
}

export interface GaussiansTiming {
  width: number;
  height: number;
  count: number;
  backend: string;
  adapter: string;
  software: boolean;
  cpuMs: number;
  gpuMs: number;
}

const median = (xs: number[]): number => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Median wall time of Gaussians from depth on a sample frame resampled to width x height, CPU and HeavyStages. */
async function gaussiansTiming(bundleUrl: string, frameIndex: number, width: number, height: number, reps: number): Promise<GaussiansTiming> {
  const bundle = await readCaptureBundle(httpFiles(bundleUrl), { maxFrames: frameIndex + 1 });
  const frame = resized(bundle.frames[frameIndex], width, height);
  const stages = await HeavyStages.create({ allowSoftware: true });
  const cpu: number[] = [], gpu: number[] = [];
  let count = 0, backend = '';
  // One untimed call each: JIT warm-up and the pipeline compile.
  gaussiansFromDepth(new GaussianScene({ initialCapacity: width * height }), frame, 0);
  await stages.gaussiansFromDepth(new GaussianScene({ initialCapacity: width * height }), frame, 0);
  for (let i = 0; i < reps; i++) {
    const a = new GaussianScene({ initialCapacity: width * height }), b = new GaussianScene({ initialCapacity: width * height });
    let t = performance.now();
    count = gaussiansFromDepth(a, frame, 0).count;
    cpu.push(performance.now() - t);
    t = performance.now();
    backend = (await stages.gaussiansFromDepth(b, frame, 0)).backend;
    gpu.push(performance.now() - t);
  }
  return { width, height, count, backend, adapter: stages.gpu?.adapter ?? '', software: stages.gpu?.software ?? false, cpuMs: median(cpu), gpuMs: median(gpu) };
}

(globalThis as unknown as { gaussiansTiming: typeof gaussiansTiming }).gaussiansTiming = gaussiansTiming;

export interface SweepAgreement {
  width: number;
  height: number;
  planes: number;
  sources: number;
  mode: PlaneSweepMode;
  /** Pixels with a depth on either side. */
  pixels: number;
  /** Pixels where one side has a depth and the other none. */
  validMismatch: number;
  /** Fraction of pixels whose depths agree within 0.1 % (same winning plane and parabola). */
  depthAgree: number;
  /** Largest |score difference| over the agreeing pixels. */
  maxScore: number;
  /** Largest |margin difference| over the agreeing pixels (the runner-up plane can flip on a near-tie). */
  maxMargin: number;
  /** Fraction of the agreeing pixels whose margins agree within 1e-3. */
  marginAgree: number;
  cpuMs: number;
  gpuMs: number;
  adapter: string;
  backend: string;
  reason?: string;
}

/**
 * The exhaustive plane sweep of frame `refIndex` against `srcIndices` at width x height, CPU kernel vs
 * WebGPU. `bundleUrl` is a capture bundle, or a folder with a transforms.json (the fox) when
 * `transforms` is set; the depth range comes from the poses (estimateDepthRange) for the latter.
 */
async function sweepAgreement(
  bundleUrl: string,
  refIndex: number,
  srcIndices: number[],
  width: number,
  height: number,
  planes: number,
  transforms = false,
  mode: PlaneSweepMode = 'full',
  /** Run the WebGPU side once untimed first (the pipeline compile); off for the bench's large sizes. */
  warmup = true,
): Promise<SweepAgreement> {
  const need = [refIndex, ...srcIndices];
  let frames: Frame[];
  let range = { near: 0.4, far: 8 };
  if (transforms) {
    const imp = await importTransformsJson(httpFiles(bundleUrl));
    frames = [];
    for (const i of need) frames[i] = await loadFrame(imp.frames[i]);
    range = estimateDepthRange(frames[refIndex].cameraToWorld, imp.frames.map((r) => r.cameraToWorld));
  } else frames = (await readCaptureBundle(httpFiles(bundleUrl), { maxFrames: Math.max(...need) + 1 })).frames;
  const view = (i: number) => makeStereoView(frames[i], width, height);
  const ref = view(refIndex), sources = srcIndices.map(view);
  const set = { planes, ...range, radius: 3, bestK: Math.min(2, sources.length), noiseStd: 0.01 };
  const stages = await HeavyStages.create({ allowSoftware: true });
  let a: { depth: Float32Array; score: Float32Array; margin: Float32Array };
  let b: typeof a;
  let t = performance.now();
  let cpuMs: number, gpuMs: number;
  let run: { backend: string; reason?: string };
  if (mode === 'full') {
    const kernel = createSweepKernel(ref, sources, set);
    const all = Array.from({ length: planes }, (_, p) => p);
    kernel.sweepRect(0, width, 0, height, all, planes);
    a = kernel.result();
    cpuMs = performance.now() - t;
    if (warmup) await stages.sweepAll(ref, sources, set);
    t = performance.now();
    const r = await stages.sweepAll(ref, sources, set);
    gpuMs = performance.now() - t;
    b = r.result;
    run = r;
  } else {
    // The pipeline's call: planeSweep (CPU) against HeavyStages.planeSweep, the same options.
    const opts = { planes, near: set.near, far: set.far, window: 2 * set.radius + 1, bestK: set.bestK, noiseStd: set.noiseStd, mode };
    a = planeSweep(ref, sources, opts);
    cpuMs = performance.now() - t;
    if (warmup) await stages.planeSweep(ref, sources, opts);
    t = performance.now();
    const r = await stages.planeSweep(ref, sources, opts);
    gpuMs = performance.now() - t;
    b = r.result;
    run = r;
  }
  let pixels = 0, validMismatch = 0, agree = 0, maxScore = 0, maxMargin = 0, marginOk = 0;
  for (let i = 0; i < width * height; i++) {
    if (!(a.depth[i] > 0) && !(b.depth[i] > 0)) continue;
    pixels++;
    if (!(a.depth[i] > 0) || !(b.depth[i] > 0)) {
      validMismatch++;
      continue;
    }
    if (Math.abs(a.depth[i] - b.depth[i]) <= 1e-3 * a.depth[i]) {
      agree++;
      maxScore = Math.max(maxScore, Math.abs(a.score[i] - b.score[i]));
      maxMargin = Math.max(maxMargin, Math.abs(a.margin[i] - b.margin[i]));
      if (Math.abs(a.margin[i] - b.margin[i]) <= 1e-3) marginOk++;
    }
  }
  return { width, height, planes, mode, sources: sources.length, pixels, validMismatch, depthAgree: agree / pixels, maxScore, maxMargin, marginAgree: marginOk / agree, cpuMs, gpuMs, adapter: stages.gpu?.adapter ?? '', backend: run.backend, reason: run.reason };
}

(globalThis as unknown as { sweepAgreement: typeof sweepAgreement }).sweepAgreement = sweepAgreement;

export interface ConditioningAgreement {
  name: string;
  width: number;
  height: number;
  backend: string;
  reason?: string;
  cpu: ConditioningReport & { ms: number };
  gpu: ConditioningReport & { ms: number };
  /** Pixels kept on one side and dropped on the other. */
  keepMismatch: number;
  /** Pixels both keep with different depths (a snap on one side only). */
  depthMismatch: number;
  /** Largest |depth difference| over pixels both keep (the kernel copies the measurement or the snap's depth: 0 unless depthMismatch). */
  maxDepth: number;
  /** Largest |confidence difference| over pixels both keep. */
  maxConf: number;
}

/** Luma 0..1 of `img` sampled (nearest) onto a width x height grid: the colour guide of the edge test. */
function lumaGuide(img: { width: number; height: number; data: Uint8Array }, width: number, height: number): Float32Array {
  const out = new Float32Array(width * height);
  for (let v = 0; v < height; v++)
    for (let u = 0; u < width; u++) {
      const o = (Math.floor(((v + 0.5) * img.height) / height) * img.width + Math.floor(((u + 0.5) * img.width) / width)) * 3;
      out[v * width + u] = (0.299 * img.data[o] + 0.587 * img.data[o + 1] + 0.114 * img.data[o + 2]) / 255;
    }
  return out;
}

type ConditioningSource =
  | { kind: 'bundle'; url: string; frame: number }
  | { kind: 'kitchen'; url: string; id: string }
  | { kind: 'fox'; url: string; ref: number; sources: number[]; width: number; height: number }
  | { kind: 'step'; width: number; height: number };

/**
 * Two near boxes (1 m) on a far wall (2 m), each with a column of flying pixels (1.5 m) on its right edge,
 * and a colour image whose boxes sit 1 and 2 px to the right of the depth's (colour and depth misregistered):
 * every snap decision (boundaries moved, flying pixels relabelled, far-side pixels, a colour edge beyond the
 * snap radius dropped with the band) on a map small enough for SwiftShader.
 */
function stepInput(src: Extract<ConditioningSource, { kind: 'step' }>): { depth: DepthMap; image: { width: number; height: number; data: Uint8Array } } {
  const W = src.width, H = src.height;
  const data = new Float32Array(W * H), img = new Uint8Array(W * H * 3);
  const boxes = [
    { u0: Math.round(W / 8), u1: Math.round((3 * W) / 8), shift: 1 },
    { u0: Math.round((5 * W) / 8), u1: Math.round((7 * W) / 8), shift: 2 },
  ];
  const inBox = (u: number, v: number, colour: boolean) => v >= H / 4 && v < (3 * H) / 4 && boxes.some((b) => u >= b.u0 + (colour ? b.shift : 0) && u < b.u1 + (colour ? b.shift : 0));
  for (let v = 0; v < H; v++)
    for (let u = 0; u < W; u++) {
      const i = v * W + u;
      // A slight slope so depths differ pixel to pixel, well under the edge threshold.
      data[i] = (inBox(u, v, false) ? 1 : 2) + 0.0002 * u;
      if (v >= H / 4 && v < (3 * H) / 4 && boxes.some((b) => u === b.u1)) data[i] = 1.5;
      img.fill(inBox(u, v, true) ? 200 : 60, 3 * i, 3 * i + 3);
    }
  return { depth: { width: W, height: H, data, intrinsics: { fx: W, fy: W, cx: W / 2, cy: H / 2, width: W, height: H } }, image: { width: W, height: H, data: img } };
}

/** The depth map to condition and the colour image beside it. */
async function conditioningInput(src: ConditioningSource): Promise<{ depth: DepthMap; image: { width: number; height: number; data: Uint8Array } }> {
  if (src.kind === 'bundle') {
    const f = (await readCaptureBundle(httpFiles(src.url), { maxFrames: src.frame + 1 })).frames[src.frame];
    if (!f?.depth) throw new Error(`frame ${src.frame} of ${src.url} has no depth`);
    return { depth: f.depth, image: f.image };
  }
  if (src.kind === 'kitchen') {
    // A real Kinect v1 map (7-Scenes: millimetres, 0 and 65535 = no measurement) and its colour frame.
    const get = async (name: string) => new Uint8Array(await (await fetch(src.url + name)).arrayBuffer());
    const d = decodeSensorDepthPng(await get(`${src.id}.depth.png`), 1 / 1000);
    const image = decodeRgb(await get(`${src.id}.color.png`));
    return { depth: { ...d, intrinsics: { fx: 585, fy: 585, cx: 320, cy: 240, width: d.width, height: d.height } }, image };
  }
  if (src.kind === 'step') return stepInput(src);
  const { frame } = await foxStereo(src);
  return { depth: frame.depth!, image: frame.image };
}

/** A fox photo with its CPU stereo depth (holes, occlusion edges, noise): the fox has no sensor. */
async function foxStereo(src: Extract<ConditioningSource, { kind: 'fox' }>): Promise<{ frame: Frame }> {
  const imp = await importTransformsJson(httpFiles(src.url));
  const frames: Frame[] = [];
  for (const i of [src.ref, ...src.sources]) frames[i] = await loadFrame(imp.frames[i]);
  const view = (i: number) => makeStereoView(frames[i], src.width, src.height);
  const range = estimateDepthRange(frames[src.ref].cameraToWorld, imp.frames.map((r) => r.cameraToWorld));
  const sw = planeSweep(view(src.ref), src.sources.map(view), { planes: 48, ...range });
  const data = sw.depth.map((z, i) => (sw.score[i] > 0.3 ? z : 0));
  const k = view(src.ref).camera;
  const depth: DepthMap = { width: src.width, height: src.height, data, intrinsics: { fx: k.fx, fy: k.fy, cx: k.cx, cy: k.cy, width: src.width, height: src.height } };
  return { frame: { ...frames[src.ref], depth } };
}

/** conditionSensorDepth (CPU) against HeavyStages.conditionDepth on one map, per option set. */
async function conditioningAgreement(src: ConditioningSource, variants: { name: string; guide?: boolean; confidence?: boolean; opts?: ConditioningOptions }[]): Promise<ConditioningAgreement[]> {
  const { depth, image } = await conditioningInput(src);
  const W = depth.width, H = depth.height;
  const stages = await HeavyStages.create({ allowSoftware: true });
  const out: ConditioningAgreement[] = [];
  for (const v of variants) {
    const map: DepthMap = v.confidence ? { ...depth, confidence: Float32Array.from({ length: W * H }, (_, i) => ((i * 7919) % 101) / 100) } : depth;
    const opts: ConditioningOptions = { ...v.opts, guide: v.guide ? lumaGuide(image, W, H) : undefined };
    let t = performance.now();
    const a = conditionSensorDepth(map, opts);
    const cpuMs = performance.now() - t;
    await stages.conditionDepth(map, opts);
    t = performance.now();
    const run = await stages.conditionDepth(map, opts);
    const gpuMs = performance.now() - t;
    const b = run.result;
    let keepMismatch = 0, depthMismatch = 0, maxDepth = 0, maxConf = 0;
    for (let i = 0; i < W * H; i++) {
      const ka = a.depth.data[i] > 0, kb = b.depth.data[i] > 0;
      if (ka !== kb) keepMismatch++;
      else if (ka) {
        if (a.depth.data[i] !== b.depth.data[i]) depthMismatch++;
        maxDepth = Math.max(maxDepth, Math.abs(a.depth.data[i] - b.depth.data[i]));
        maxConf = Math.max(maxConf, Math.abs(a.depth.confidence![i] - b.depth.confidence![i]));
      }
    }
    out.push({ name: v.name, width: W, height: H, backend: run.backend, reason: run.reason, cpu: { ...a.report, ms: cpuMs }, gpu: { ...b.report, ms: gpuMs }, keepMismatch, depthMismatch, maxDepth, maxConf });
  }
  return out;
}

(globalThis as unknown as { conditioningAgreement: typeof conditioningAgreement }).conditioningAgreement = conditioningAgreement;
