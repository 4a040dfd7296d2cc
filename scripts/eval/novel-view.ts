/**
 * npm run eval -- novel-view --data <transforms.json | capture folder | bundle.zip>
 *     [--holdout-every 5 | --context i,j,k --targets a,b] [--scale 0.25] [--max-targets N]
 *     [--depth fastdepth|mvs|mvs-raw|mvs+fastdepth|device|all] [--renderer gaussians|forward-splat|both]
 *     [--nearest 4] [--gaussian-scale 0.5] [--png 3] [--png-depth mvs] [--out docs/img/results] [--json]
 *     [--registration auto|off] [--condition on|off] [--depth-size WxH] [--mvs-weights on|off] [--filled-gate on|off]
 *
 * The reference protocol of ../shared/README.md on any posed capture: existing frames sorted by name, every
 * N-th held out as a target (or explicit --context / --targets indices into that sorted list), images
 * area-averaged by --scale, the `nearest` context views nearest each target (camera centres) rendered into
 * the target, PSNR (all pixels, no mask) and SSIM against the photo.
 *
 * Depth sources of a context view (all on its pinhole grid, then mapped to its own distorted grid for the
 * forward splat):
 *   mvs-raw       plane sweep (128 inverse-depth planes, 7x7 ZNCC, 3 nearest context views, best 2 of 3),
 *                 unfiltered (the reference's 14.2 dB row);
 *   mvs           the same, confidence + cross-view filtered, holes filled by edge-aware smoothing (21.7 dB row);
 *   fastdepth     FastDepth with a per-view scale and shift (inverse depth, RANSAC) fitted to the filtered
 *                 stereo depth of the same view (not photometrically as in the reference's 19.2 dB row);
 *   mvs+fastdepth filtered stereo, holes filled with that fitted FastDepth, then smoothed (depth-source.ts's
 *                 monocularHoleFill);
 *   device        the capture's own depth (captures with depth: bundles, 7-Scenes, TUM), conditioned
 *                 (depth-conditioning.ts; --condition off: raw) in context order with the incremental multi-view
 *                 agreement, holes filled as the depth source does; --depth-size WxH box-subsamples it first;
 *                 our Gaussians fuse the filled pixels through the pipeline's FilledDepthGate (--filled-gate off:
 *                 every fill is fused like a measured pixel).
 * With device depth on every context view the colour camera is registered to the depth camera on the context views
 * (colour-registration.ts; --registration off keeps the capture's intrinsics) and used for every frame, stereo too.
 * Stereo for a context view only uses context views. Sweeps and FastDepth outputs are cached per
 * (capture, frame, resolution) under data/cache/eval/ (gitignored).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { DepthMap, Frame } from '../../lib/capture/frame';
import { scaleIntrinsics } from '../../lib/capture/frame';
import { encodePng } from '../../lib/capture/png';
import { nodeFolderFiles } from '../../lib/capture/node-files';
import { importTransformsJson, loadFrame } from '../../lib/capture/transforms-json';
import { applyColourRegistration, registerColourCamera, type RegistrationDecision } from '../../lib/inference/depth/colour-registration';
import { boxSubsampleDepth } from '../../lib/inference/depth/depth-conditioning';
import { DepthEstimator } from '../../lib/inference/depth/depth-source';
import { gaussianOptionsFor } from '../../lib/pipeline/reconstruction';
import { isIdentityDistortion } from '../../lib/inference/depth/lens-distortion';
import { resampleDepthMap } from '../../lib/inference/depth/depth-resample';
import { evaluateForwardSplat, nearestViews, type SplatView } from '../../lib/inference/depth/forward-splat-eval';
import { fillDepthHoles } from '../../lib/inference/depth/hole-fill';
import { pickSources, refinedConfidence, refineView, sweepView } from '../../lib/inference/depth/multi-view-stereo';
import { DEFAULT_PLANE_SWEEP_MODE, type PlaneSweepResult } from '../../lib/inference/depth/plane-sweep';
import { applyScaleShift, fitScaleShift } from '../../lib/inference/depth/scale-shift-fit';
import { frameDepthToPinholeGrid, makeStereoView, pinholeDepthToFrameGrid, resampleRgb, type StereoView } from '../../lib/inference/depth/stereo-view';
import { psnr, ssim } from '../../lib/splat/image-metrics';
import { errorHeatmap, sideBySide } from '../../lib/eval/image-panels';
import { renderGaussianView, type PinholeView } from '../../lib/eval/gaussian-view-eval';
import { barChartSvg } from '../../lib/eval/svg-chart';
import { optList, optNumber, optString, UsageError, type ParsedArgs } from '../cli/args';
import { loadCaptureInput } from '../cli/load-capture';
import { terminalProgress } from '../cli/progress-bar';
import { loadBundledFastDepth } from '../cli/node-models';

export const DEPTH_SOURCES = ['fastdepth', 'mvs-raw', 'mvs', 'mvs+fastdepth', 'device'] as const;
export type DepthSource = (typeof DEPTH_SOURCES)[number];
const REFERENCE: Record<string, number> = { 'nearest photo': 16.8, fastdepth: 19.2, 'mvs-raw': 14.2, mvs: 21.7 };

const CACHE_ROOT = 'data/cache/eval';

interface Loaded {
  name: string;
  frames: Frame[];
  skipped: { id: string; reason: string }[];
  cacheKey: string;
}

/** Frames sorted by id (file stem), images scaled; decoded images cached (decoding 50 phone JPEGs takes a while). */
async function loadSorted(data: string, scale: number, log: (s: string) => void): Promise<Loaded> {
  const abs = resolve(data);
  const isJson = data.endsWith('.json') || (statSync(data).isDirectory() && existsSync(join(data, 'transforms.json')) && !existsSync(join(data, 'capture.json')));
  const cacheKey = createHash('sha1').update(`${abs}|${scale}`).digest('hex').slice(0, 10);
  if (isJson) {
    const dir = data.endsWith('.json') ? dirname(data) : data;
    const path = data.endsWith('.json') ? basename(data) : 'transforms.json';
    const imp = await importTransformsJson(nodeFolderFiles(dir), { path });
    const recs = [...imp.frames].sort((a, b) => (a.imagePath < b.imagePath ? -1 : a.imagePath > b.imagePath ? 1 : 0));
    const cdir = join(CACHE_ROOT, 'images', cacheKey);
    mkdirSync(cdir, { recursive: true });
    const frames: Frame[] = [];
    const skipped = [...imp.skipped];
    for (let i = 0; i < recs.length; i++) {
      const r = recs[i];
      const file = join(cdir, `${r.id}.json`);
      if (existsSync(file) && existsSync(file + '.rgb')) {
        const m = JSON.parse(readFileSync(file, 'utf8'));
        frames.push({ id: r.id, image: { width: m.width, height: m.height, data: new Uint8Array(readFileSync(file + '.rgb')) }, intrinsics: m.intrinsics, cameraToWorld: Float64Array.from(r.cameraToWorld), timestamp: r.timestamp });
        continue;
      }
      try {
        const f = await loadFrame(r, { scale, depth: false });
        writeFileSync(file + '.rgb', f.image.data);
        writeFileSync(file, JSON.stringify({ width: f.image.width, height: f.image.height, intrinsics: f.intrinsics }));
        frames.push(f);
        process.stderr.write(`\rdecoding ${i + 1}/${recs.length} ${r.id}   `);
      } catch (e) {
        skipped.push({ id: r.id, reason: (e as Error).message });
      }
    }
    process.stderr.write('\n');
    if (imp.skipped.length) log(`${imp.skipped.length} frame(s) listed in ${path} skipped (e.g. ${imp.skipped[0].id}: ${imp.skipped[0].reason})`);
    return { name: basename(resolve(dir)), frames, skipped, cacheKey };
  }
  const cap = await loadCaptureInput(data, { scale });
  const frames = [...cap.frames].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { name: cap.name, frames, skipped: cap.skipped, cacheKey };
}

export interface NovelViewRow {
  renderer: 'baseline' | 'forward-splat' | 'gaussians';
  depth: string;
  psnr: number;
  ssim: number;
  coverage: number;
  reference: number | null;
  perView: { id: string; psnr: number; ssim: number; coverage: number }[];
}

export async function runNovelView(args: ParsedArgs, log: (s: string) => void): Promise<Record<string, unknown>> {
  const data = optString(args, 'data');
  if (!data) throw new UsageError('novel-view needs --data <transforms.json | capture folder | bundle.zip>');
  if (!existsSync(data)) throw new Error(`--data: ${data} not found`);
  const scale = optNumber(args, 'scale', 0.25)!;
  if (!(scale > 0 && scale <= 1)) throw new UsageError(`--scale must be in (0, 1], got ${scale}`);
  const every = optNumber(args, 'holdout-every', 5)!;
  if (!Number.isInteger(every) || every < 2) throw new UsageError(`--holdout-every must be an integer >= 2, got ${every}`);
  const nearestCount = optNumber(args, 'nearest', 4)!;
  if (!Number.isInteger(nearestCount) || nearestCount < 1) throw new UsageError(`--nearest must be a positive integer, got ${nearestCount}`);
  const depthArg = optString(args, 'depth', 'all')!;
  const rendererArg = optString(args, 'renderer', 'both')!;
  if (!['gaussians', 'forward-splat', 'both'].includes(rendererArg)) throw new UsageError(`--renderer must be gaussians, forward-splat or both, got "${rendererArg}"`);
  const out = optString(args, 'out', 'docs/img/results')!;
  const pngCount = optNumber(args, 'png', 3)!;
  const pngDepth = optString(args, 'png-depth', 'mvs')!;
  const gaussianScale = optNumber(args, 'gaussian-scale');
  if (gaussianScale !== undefined && !(gaussianScale > 0 && gaussianScale <= 4)) throw new UsageError(`--gaussian-scale must be in (0, 4], got ${gaussianScale}`);
  const t0 = performance.now();

  const loaded = await loadSorted(data, scale, log);
  const frames = loaded.frames;
  if (frames.length < 2) throw new Error(`${data}: need at least 2 usable frames, got ${frames.length}`);
  const W = frames[0].image.width, H = frames[0].image.height;
  for (const f of frames) if (f.image.width !== W || f.image.height !== H) throw new Error(`frame ${f.id} is ${f.image.width}x${f.image.height}, expected ${W}x${H} like the first frame`);

  // Split (indices into the sorted frame list).
  let targets: number[], context: number[];
  const ctxArg = optList(args, 'context'), tgtArg = optList(args, 'targets');
  if (ctxArg || tgtArg) {
    if (!ctxArg || !tgtArg) throw new UsageError('--context and --targets go together');
    for (const i of [...ctxArg, ...tgtArg]) if (i >= frames.length) throw new UsageError(`frame index ${i} out of range (${frames.length} usable frames)`);
    if (ctxArg.some((i) => tgtArg.includes(i))) throw new UsageError('a frame cannot be both context and target');
    context = ctxArg;
    targets = tgtArg;
  } else {
    targets = [];
    context = [];
    frames.forEach((_, i) => (i % every === 0 ? targets : context).push(i));
  }
  const maxTargets = optNumber(args, 'max-targets');
  if (maxTargets !== undefined) targets = targets.slice(0, maxTargets);
  if (!targets.length || !context.length) throw new Error('novel-view: need at least one target and one context view');

  const hasDevice = context.every((i) => !!frames[i].depth);
  // Depth-to-colour registration: the pipeline's stage (colour-registration.ts registerColourCamera, as
  // lib/pipeline/reconstruction.ts runs it), decided on the context views only and applied to the sensor's every
  // frame (targets included: the same colour camera took them).
  const regArg = optString(args, 'registration', 'auto')!;
  if (!['auto', 'off'].includes(regArg)) throw new UsageError(`--registration must be auto or off, got "${regArg}"`);
  let registration: RegistrationDecision | null = null;
  if (hasDevice && regArg === 'auto') {
    registration = registerColourCamera(context.map((i) => frames[i]));
    for (let i = 0; i < frames.length; i++) frames[i] = applyColourRegistration(frames[i], registration);
    log(`colour registration ${registration.status}: ${registration.reason} (${registration.keyframes.length} keyframes, ${(registration.ms / 1000).toFixed(1)} s)`);
  }
  let sources: DepthSource[];
  if (depthArg === 'all') sources = hasDevice ? ['device', 'mvs-raw', 'mvs', 'fastdepth', 'mvs+fastdepth'] : ['mvs-raw', 'mvs', 'fastdepth', 'mvs+fastdepth'];
  else {
    sources = depthArg.split(',') as DepthSource[];
    for (const s of sources) if (!DEPTH_SOURCES.includes(s)) throw new UsageError(`--depth must be ${DEPTH_SOURCES.join(', ')} or all (comma-separated allowed), got "${s}"`);
    if (sources.includes('device') && !hasDevice) throw new Error('--depth device: the capture has no depth on every context frame');
  }
  // Device depth: the pipeline's depth source (depth-source.ts, as lib/pipeline/reconstruction.ts runs it):
  // conditioned (edges snapped to colour, specks, z^2 noise, multi-view agreement against the context views
  // conditioned before it, in capture order) unless --condition off, holes filled; --depth-size box-subsamples it
  // first (a phone-like 160x120 map from a 640x480 one).
  const mvsWeightsArg = optString(args, 'mvs-weights', 'on')!;
  if (!['on', 'off'].includes(mvsWeightsArg)) throw new UsageError(`--mvs-weights must be on or off, got "${mvsWeightsArg}"`);
  const mvsWeights = mvsWeightsArg === 'on';
  const mvsConfidence = new Map<number, Float32Array>();
  const trust: Record<string, { trusted: number; weakTexture: number; sources: string[] }> = {};
  const condArg = optString(args, 'condition', 'on')!;
  const gateArg = optString(args, 'filled-gate', 'on')!;
  if (!['on', 'off'].includes(gateArg)) throw new UsageError(`--filled-gate must be on or off, got "${gateArg}"`);
  if (!['on', 'off'].includes(condArg)) throw new UsageError(`--condition must be on or off, got "${condArg}"`);
  const depthSizeArg = optString(args, 'depth-size');
  const deviceDepth = new Map<number, DepthMap>();
  const deviceFilled = new Map<number, Uint8Array>();
  const conditioning: { id: string; notes: string[] }[] = [];
  if (sources.includes('device')) {
    let factor = 1;
    if (depthSizeArg) {
      const m = /^(\d+)x(\d+)$/.exec(depthSizeArg);
      const d0 = frames[context[0]].depth!;
      if (!m || d0.width % Number(m[1]) || d0.width / Number(m[1]) !== d0.height / Number(m[2]))
        throw new UsageError(`--depth-size must be WxH dividing the device depth's ${d0.width}x${d0.height} by one integer, got "${depthSizeArg}"`);
      factor = d0.width / Number(m[1]);
    }
    const ctxFrames = context.map((i) => (factor > 1 ? { ...frames[i], depth: boxSubsampleDepth(frames[i].depth!, factor) } : frames[i]));
    const estimator = new DepthEstimator(ctxFrames, { width: W, height: H, prefer: 'device', conditionDevice: condArg === 'on' });
    for (let k = 0; k < context.length; k++) {
      const e = await estimator.depthFor(k);
      deviceDepth.set(k, e.depth);
      if (e.filled) deviceFilled.set(k, e.filled);
      conditioning.push({ id: frames[context[k]].id, notes: e.notes });
    }
    if (condArg === 'on') log(`device depth: ${conditioning.map((c) => `${c.id}: ${c.notes.slice(1).join('; ')}`).join('\n  ')}`);
  }
  const deviceLabel = `device${depthSizeArg ? ` ${depthSizeArg}` : ''}${condArg === 'off' ? ' raw' : ''}`;
  const labelOf = (src: string) => (src === 'device' ? deviceLabel : src);
  const renderers = rendererArg === 'both' ? (['forward-splat', 'gaussians'] as const) : ([rendererArg] as ('forward-splat' | 'gaussians')[]);
  log(`${loaded.name}: ${frames.length} frames at ${W}x${H} (${loaded.skipped.length} skipped), ${context.length} context, ${targets.length} targets; depth ${sources.join(', ')}; renderers ${renderers.join(', ')}`);

  // The reference figures of ../shared/README.md apply to the fox capture under exactly its protocol.
  const isReferenceProtocol = loaded.name === 'fox' && W === 270 && H === 480 && !ctxArg && every === 5 && nearestCount === 4;
  // Context views needed: the nearest per target.
  const ctxPoses = context.map((i) => frames[i].cameraToWorld);
  const nearest = targets.map((t) => nearestViews(frames[t].cameraToWorld, ctxPoses, nearestCount));
  const needed = [...new Set(nearest.flat())].sort((a, b) => a - b);
  log(`context views needed: ${needed.length} (${nearestCount} nearest per target)`);

  const progress = terminalProgress();
  const views: StereoView[] = context.map((i) => makeStereoView(frames[i], W, H));
  const rgbs: Float32Array[] = context.map((i) => resampleRgb(frames[i].image, W, H));
  const cdir = join(CACHE_ROOT, loaded.cacheKey, `${W}x${H}`);
  mkdirSync(cdir, { recursive: true });
  const timing = { sweepMs: 0, sweeps: 0, sweepCached: 0, fastdepthMs: 0, refineMs: 0, forwardSplatMs: 0, gaussianBuildMs: 0, gaussianRenderMs: 0 };

  // --- plane sweeps (cached on disk per frame) ---
  const sweeps: (PlaneSweepResult | undefined)[] = [];
  const sweepSources: number[][] = [];
  const needMvs = sources.some((s) => s !== 'device');
  const getSweep = (k: number): PlaneSweepResult => {
    if (sweeps[k]) return sweeps[k]!;
    // Keyed on the sweep mode too: results of another algorithm must not be reused.
    // ... and on the cameras (a registered colour camera changes every sweep).
    // ... and on the sources chosen (a change of source selection changes every sweep).
    const picked = pickSources(views, k).sources.map((s) => views[s].id);
    const camKey = createHash('sha1').update(context.join(',') + JSON.stringify(views[k].camera) + picked.join(',')).digest('hex').slice(0, 8);
    const file = join(cdir, `sweep-${views[k].id}-${DEFAULT_PLANE_SWEEP_MODE}-ctx${camKey}.f32`);
    const n = W * H;
    if (existsSync(file) && existsSync(file + '.json')) {
      const buf = readFileSync(file);
      const f = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
      const m = JSON.parse(readFileSync(file + '.json', 'utf8'));
      sweeps[k] = { width: W, height: H, depth: f.slice(0, n), score: f.slice(n, 2 * n), margin: f.slice(2 * n, 3 * n), near: m.near, far: m.far, planes: m.planes };
      sweepSources[k] = m.sources;
      timing.sweepCached++;
      return sweeps[k]!;
    }
    const t = performance.now();
    const s = sweepView(views, k);
    timing.sweepMs += performance.now() - t;
    timing.sweeps++;
    const buf = new Float32Array(3 * n);
    buf.set(s.result.depth, 0);
    buf.set(s.result.score, n);
    buf.set(s.result.margin, 2 * n);
    writeFileSync(file, new Uint8Array(buf.buffer));
    writeFileSync(file + '.json', JSON.stringify({ near: s.result.near, far: s.result.far, planes: s.result.planes, sources: s.sources }));
    sweeps[k] = s.result;
    sweepSources[k] = s.sources;
    return s.result;
  };
  if (needMvs) {
    const todo = new Set<number>();
    for (const k of needed) todo.add(k);
    // Each needed view also needs its sources' sweeps (cross-view check); source lists come with the sweep.
    const done = () => [...todo].filter((k) => sweeps[k]).length;
    for (const k of needed) {
      progress({ stage: 'stereo', done: done(), total: todo.size, detail: views[k].id });
      getSweep(k);
      for (const s of sweepSources[k]) {
        todo.add(s);
        if (!sweeps[s]) {
          progress({ stage: 'stereo', done: done(), total: todo.size, detail: `${views[s].id} (source of ${views[k].id})` });
          getSweep(s);
        }
      }
    }
    progress({ stage: 'stereo', done: todo.size, total: todo.size });
    progress.finish();
    log(`plane sweeps: ${timing.sweeps} computed (${timing.sweeps ? (timing.sweepMs / timing.sweeps / 1000).toFixed(1) : 0} s each), ${timing.sweepCached} from cache`);
  }

  // --- FastDepth (cached) ---
  const mono = new Map<number, Float32Array>();
  if (sources.includes('fastdepth') || sources.includes('mvs+fastdepth')) {
    let model: Awaited<ReturnType<typeof loadBundledFastDepth>> | null = null;
    let i = 0;
    for (const k of needed) {
      progress({ stage: 'fastdepth', done: i++, total: needed.length, detail: views[k].id });
      const file = join(cdir, `fastdepth-${views[k].id}.f32`);
      if (existsSync(file)) {
        const buf = readFileSync(file);
        mono.set(k, new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength)));
        continue;
      }
      model ??= await loadBundledFastDepth();
      const t = performance.now();
      const o = await model.estimate(frames[context[k]].image);
      const kImg = scaleIntrinsics(frames[context[k]].intrinsics, o.width, o.height);
      const kOut = scaleIntrinsics(frames[context[k]].intrinsics, W, H);
      delete kImg.distortion;
      delete kOut.distortion;
      // Same camera on two grids: no undistortion (as depth-source.ts does); frame grid out.
      const d = resampleDepthMap({ width: o.width, height: o.height, data: o.data, intrinsics: kImg }, kOut).data;
      timing.fastdepthMs += performance.now() - t;
      writeFileSync(file, new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
      mono.set(k, d);
    }
    progress({ stage: 'fastdepth', done: needed.length, total: needed.length });
    progress.finish();
  }

  // --- depth variants per needed context view, pinhole grid ---
  const depth: Record<string, Map<number, Float32Array>> = {};
  for (const s of sources) depth[s] = new Map();
  const deviceConfidence = new Map<number, Float32Array>();
  const devicePinholeFilled = new Map<number, Uint8Array>();
  const fits: Record<string, { scale: number; shift: number; inliers: number; samples: number }> = {};
  const fitFailures: { id: string; reason: string }[] = [];
  {
    let i = 0;
    for (const k of needed) {
      progress({ stage: 'depth', done: i++, total: needed.length, detail: views[k].id });
      const v = views[k];
      if (sources.includes('device')) {
        const r = deviceDepth.get(k)!;
        depth.device.set(k, frameDepthToPinholeGrid(v, r.data));
        if (r.confidence && isIdentityDistortion(views[k].frameIntrinsics.distortion)) deviceConfidence.set(k, r.confidence);
        // Filled pixels yield to the scene as in the pipeline (lib/splat/filled-depth-gate.ts); on the pinhole grid only.
        const fm = deviceFilled.get(k);
        if (fm && gateArg === 'on' && isIdentityDistortion(views[k].frameIntrinsics.distortion)) devicePinholeFilled.set(k, fm);
      }
      if (!needMvs) continue;
      const t = performance.now();
      const r = refineView(views, sweeps, k, sweepSources[k]);
      timing.refineMs += performance.now() - t;
      if (depth['mvs-raw']) depth['mvs-raw'].set(k, sweeps[k]!.depth);
      if (depth.mvs) depth.mvs.set(k, r.filled);
      mvsConfidence.set(k, refinedConfidence(r));
      trust[views[k].id] = { trusted: +r.trusted.toFixed(4), weakTexture: +r.weakTexture.toFixed(4), sources: sweepSources[k].map((q) => views[q].id) };
      if (depth.fastdepth || depth['mvs+fastdepth']) {
        const m = frameDepthToPinholeGrid(v, mono.get(k)!);
        let fitted: Float32Array;
        try {
          const fit = fitScaleShift(m, r.filtered, { weights: r.confidence });
          fits[v.id] = { scale: fit.scale, shift: fit.shift, inliers: fit.inliers, samples: fit.samples };
          fitted = applyScaleShift(m, fit);
        } catch (e) {
          // No stereo survived the filters in this view: nothing to fit against; FastDepth keeps its own scale.
          fitFailures.push({ id: v.id, reason: (e as Error).message });
          fitted = m;
        }
        if (depth.fastdepth) depth.fastdepth.set(k, fitted);
        if (depth['mvs+fastdepth']) {
          const comb = new Float32Array(fitted.length), conf = new Float32Array(fitted.length);
          for (let p = 0; p < comb.length; p++) {
            const stereo = r.filtered[p] > 0;
            comb[p] = stereo ? r.filtered[p] : fitted[p];
            conf[p] = stereo ? Math.max(0.05, r.confidence[p]) : 0.02;
          }
          depth['mvs+fastdepth'].set(k, fillDepthHoles(comb, v.gray, v.width, v.height, { confidence: conf }));
        }
      }
    }
    progress({ stage: 'depth', done: needed.length, total: needed.length });
    progress.finish();
  }

  if (Object.keys(trust).length)
    log(`stereo trusted per view: ${Object.entries(trust).map(([id, t]) => `${id} ${(100 * t.trusted).toFixed(1)}% (weak texture ${(100 * t.weakTexture).toFixed(0)}%)`).join(', ')}`);
  if (fitFailures.length) log(`FastDepth could not be fitted in ${fitFailures.length} view(s) (no filtered stereo depth): ${fitFailures.map((f) => f.id).join(', ')}; raw FastDepth scale used there`);
  // --- render and score ---
  const rows: NovelViewRow[] = [];
  const targetRgb = targets.map((t) => resampleRgb(frames[t].image, W, H));
  const targetK = targets.map((t) => makeStereoView(frames[t], W, H).frameIntrinsics);
  const img = (d: Float32Array) => ({ width: W, height: H, data: d, channels: 3 });
  {
    const perView = targets.map((t, j) => {
      const k = nearest[j][0];
      return { id: frames[t].id, psnr: psnr(img(rgbs[k]), img(targetRgb[j]), { peak: 1 }), ssim: ssim(img(rgbs[k]), img(targetRgb[j]), { peak: 1 }), coverage: 1 };
    });
    rows.push(summarise('baseline', 'nearest photo', perView, isReferenceProtocol));
  }
  const pngPick = new Set(Array.from({ length: Math.min(pngCount, targets.length) }, (_, r) => Math.round((r * (targets.length - 1)) / Math.max(1, Math.min(pngCount, targets.length) - 1))));
  const pngs: string[] = [];
  if (pngCount > 0) mkdirSync(out, { recursive: true });
  const total = renderers.length * sources.length * targets.length;
  let step = 0;
  for (const renderer of renderers)
    for (const src of sources) {
      const perView: NovelViewRow['perView'] = [];
      targets.forEach((t, j) => {
        progress({ stage: renderer, done: step++, total, detail: `${src} -> ${frames[t].id}` });
        let render: Float32Array, coverage: number;
        if (renderer === 'forward-splat') {
          const tt = performance.now();
          const ctx: SplatView[] = nearest[j].map((k) => ({ rgb: rgbs[k], depth: pinholeDepthToFrameGrid(views[k], depth[src].get(k)!), intrinsics: views[k].frameIntrinsics, cameraToWorld: views[k].cameraToWorld }));
          const r = evaluateForwardSplat({ rgb: targetRgb[j], intrinsics: targetK[j], cameraToWorld: frames[t].cameraToWorld }, ctx, { count: nearestCount });
          timing.forwardSplatMs += performance.now() - tt;
          render = r.render;
          coverage = r.coverage;
        } else {
          // Stereo confidence (with the view's trust weight) weights the fusion only, as conditioned device depth
          // does; --mvs-weights off gives every stereo pixel the same weight.
          const mvsConf = src === 'mvs' && mvsWeights;
          const pv: PinholeView[] = nearest[j].map((k) => ({ id: views[k].id, rgb: rgbs[k], pinholeDepth: depth[src].get(k)!, pinholeConfidence: src === 'device' ? deviceConfidence.get(k) : mvsConf ? mvsConfidence.get(k) : undefined, pinholeFilled: src === 'device' ? devicePinholeFilled.get(k) : undefined, intrinsics: views[k].frameIntrinsics, cameraToWorld: views[k].cameraToWorld }));
          const gOpts = gaussianOptionsFor(src === 'device' ? 'device' : 'stereo', condArg === 'on', { scaleFactor: gaussianScale });
          const r = renderGaussianView({ intrinsics: targetK[j], cameraToWorld: frames[t].cameraToWorld }, pv, { gaussians: mvsConf ? { ...gOpts, confidenceOpacity: 0 } : gOpts });
          timing.gaussianBuildMs += r.buildMs;
          timing.gaussianRenderMs += r.renderMs;
          render = r.rgb;
          coverage = r.coverage;
        }
        const p = psnr(img(render), img(targetRgb[j]), { peak: 1 });
        const s = ssim(img(render), img(targetRgb[j]), { peak: 1 });
        perView.push({ id: frames[t].id, psnr: p, ssim: s, coverage });
        if (pngPick.has(j) && src === pngDepth) {
          const sheet = sideBySide([
            { width: W, height: H, rgb: targetRgb[j] },
            { width: W, height: H, rgb: render },
            { width: W, height: H, rgb: errorHeatmap(render, targetRgb[j], W, H, 0.5) },
          ]);
          const file = join(out, `${loaded.name}-${frames[t].id}-${renderer}-${src.replace('+', '_')}.png`);
          writeFileSync(file, encodePng({ width: sheet.width, height: sheet.height, channels: 3, bitDepth: 8, data: sheet.data }));
          pngs.push(file);
        }
      });
      rows.push(summarise(renderer, labelOf(src), perView, isReferenceProtocol));
    }
  progress({ stage: 'render', done: total, total });
  progress.finish();

  log('');
  log(`| renderer | depth | PSNR dB | SSIM | coverage | reference PSNR |`);
  log(`|---|---|---|---|---|---|`);
  for (const r of rows) log(`| ${r.renderer} | ${r.depth} | ${r.psnr.toFixed(2)} | ${r.ssim.toFixed(3)} | ${(100 * r.coverage).toFixed(1)}% | ${r.reference ?? '-'} |`);

  let chart: string | null = null;
  if (pngCount > 0) {
    chart = join(out, `${loaded.name}-novel-view-psnr.svg`);
    const cats = ['nearest photo', ...sources];
    const series: { name: string; values: (number | null)[] }[] = renderers.map((rd) => ({ name: rd as string, values: cats.map((c) => (c === 'nearest photo' ? null : (rows.find((r) => r.renderer === rd && r.depth === c)?.psnr ?? null))) }));
    series.unshift({ name: 'baseline', values: cats.map((c) => (c === 'nearest photo' ? rows[0].psnr : null)) });
    if (isReferenceProtocol) series.push({ name: 'reference (shared/README)', values: cats.map((c) => REFERENCE[c] ?? null) });
    writeFileSync(
      chart,
      barChartSvg({
        title: `${loaded.name}: mean PSNR over ${targets.length} held-out views (${W}x${H})`,
        categories: cats,
        series,
        yLabel: 'PSNR dB',
        yMin: 10,
        references: isReferenceProtocol ? [{ value: 21.7, label: 'reference best 21.7 dB' }] : [],
      }),
    );
  }
  const best = rows.filter((r) => r.renderer !== 'baseline').sort((a, b) => b.psnr - a.psnr)[0];
  return {
    task: 'novel-view',
    data,
    capture: loaded.name,
    width: W,
    height: H,
    scale,
    frames: frames.length,
    skipped: loaded.skipped.length,
    targets: targets.map((t) => frames[t].id),
    context: context.length,
    contextUsed: needed.length,
    nearest: nearestCount,
    referenceProtocol: isReferenceProtocol,
    gaussianScale: gaussianScale ?? 0.5,
    rows,
    best: best ? { renderer: best.renderer, depth: best.depth, psnr: best.psnr, ssim: best.ssim } : null,
    registration,
    conditioning,
    stereoTrust: trust,
    fastdepthFits: fits,
    fastdepthFitFailures: fitFailures,
    pngs,
    chart,
    timingsMs: { ...timing, total: performance.now() - t0 },
  };
}

function summarise(renderer: NovelViewRow['renderer'], depth: string, perView: NovelViewRow['perView'], withReference: boolean): NovelViewRow {
  const n = perView.length;
  const mean = (f: (v: NovelViewRow['perView'][number]) => number) => perView.reduce((s, v) => s + f(v), 0) / n;
  return {
    renderer,
    depth,
    psnr: mean((v) => v.psnr),
    ssim: mean((v) => v.ssim),
    coverage: mean((v) => v.coverage),
    reference: withReference && renderer !== 'gaussians' ? (REFERENCE[depth] ?? null) : null,
    perView: perView.map((v) => ({ id: v.id, psnr: +v.psnr.toFixed(3), ssim: +v.ssim.toFixed(4), coverage: +v.coverage.toFixed(4) })),
  };
}
