/**
 * The reference protocol on the fox capture (see ../shared/README.md and lib/inference/depth/forward-splat-eval.ts):
 * existing frames sorted by name, every 5th a target, the other 40 context; 270x480; the 4 context views nearest
 * each target forward-splatted with their depth; PSNR over all pixels. Stereo for a context view uses context views
 * only. Sweeps and FastDepth outputs are cached in data/cache/ (gitignored).
 *
 *   npx tsx scripts/dev/depth-eval.ts [--targets 10] [--planes 128] [--sources 3] [--mode full|coarse-to-fine] [--band 4]
 *     [--json out.json]
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CACHE_DIR, foxSplit, loadFoxFrames } from './depth-fox-data';
import { makeStereoView, pinholeDepthToFrameGrid, resampleRgb, type StereoView } from '../../lib/inference/depth/stereo-view';
import { refineView, sweepView, type RefineSettings, type SweepSettings } from '../../lib/inference/depth/multi-view-stereo';
import type { PlaneSweepResult } from '../../lib/inference/depth/plane-sweep';
import { evaluateForwardSplat, nearestViews, type SplatView } from '../../lib/inference/depth/forward-splat-eval';
import { applyScaleShift, fitScaleShift } from '../../lib/inference/depth/scale-shift-fit';
import { fillWithMonocular } from '../../lib/inference/depth/monocular-hole-fill';
import { psnr, ssim } from '../../lib/splat/image-metrics';
import { loadFastDepth } from '../../lib/inference/models/fastdepth';
import { loadNodeOrt } from '../../lib/inference/runtime/node-ort';
import { shippedManifest } from '../../lib/inference/models/manifest';
import { DirectoryModelSource } from '../../lib/inference/models/node-model-source';

const args = process.argv.slice(2);
const arg = (name: string, def: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const W = 270, H = 480;
const sweepSettings: SweepSettings = {
  planes: Number(arg('planes', '128')),
  window: Number(arg('window', '7')),
  sources: Number(arg('sources', '3')),
  bestK: Number(arg('bestk', '2')),
  mode: arg('mode', 'coarse-to-fine') as SweepSettings['mode'],
  band: Number(arg('band', '4')),
};
const refine: RefineSettings = {
  filter: {
    minScore: Number(arg('min-score', '0.5')),
    minMargin: Number(arg('min-margin', '0.02')),
    minAgreeing: Number(arg('min-agree', '2')),
    maxReprojPx: Number(arg('max-px', '1')),
    maxRelDepth: Number(arg('max-rel', '0.01')),
  },
  fill: { sigmaColor: Number(arg('sigma', '0.06')), smoothPasses: Number(arg('smooth', '1')) },
};
const nTargets = Number(arg('targets', '10'));

const { frames, missing } = await loadFoxFrames(W, H);
const { targets, context } = foxSplit(frames.length);
console.error(`fox: ${frames.length} frames (${missing.length} listed but missing), ${targets.length} targets, ${context.length} context`);
const ctxViews: StereoView[] = context.map((i) => makeStereoView(frames[i], W, H));
const ctxRgb = context.map((i) => resampleRgb(frames[i].image, W, H));
const splatView = (k: number, depth?: Float32Array): SplatView => ({
  rgb: ctxRgb[k],
  depth,
  intrinsics: ctxViews[k].frameIntrinsics,
  cameraToWorld: ctxViews[k].cameraToWorld,
});

// --- sweeps, cached ---
const key = `${sweepSettings.planes}p-w${sweepSettings.window}-s${sweepSettings.sources}-k${sweepSettings.bestK}-${sweepSettings.mode === 'full' ? 'full' : `c2f-b${sweepSettings.band}`}`;
const sweeps: (PlaneSweepResult | undefined)[] = [];
const sweepSources: number[][] = [];
let sweepCpuMs = 0, sweepCount = 0;
function getSweep(k: number): PlaneSweepResult {
  if (sweeps[k]) return sweeps[k]!;
  const file = join(CACHE_DIR, 'mvs', `${ctxViews[k].id}-${key}.bin`);
  const meta = file.replace(/\.bin$/, '.json');
  const n = W * H;
  if (existsSync(file) && existsSync(meta)) {
    const buf = readFileSync(file);
    const f = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
    const m = JSON.parse(readFileSync(meta, 'utf8'));
    sweeps[k] = { width: W, height: H, depth: f.slice(0, n), score: f.slice(n, 2 * n), margin: f.slice(2 * n, 3 * n), near: m.near, far: m.far, planes: m.planes };
    sweepSources[k] = m.sources;
    return sweeps[k]!;
  }
  const c0 = process.cpuUsage();
  const s = sweepView(ctxViews, k, sweepSettings);
  const c = process.cpuUsage(c0);
  sweepCpuMs += (c.user + c.system) / 1000;
  sweepCount++;
  mkdirSync(join(CACHE_DIR, 'mvs'), { recursive: true });
  const out = new Float32Array(3 * n);
  out.set(s.result.depth, 0);
  out.set(s.result.score, n);
  out.set(s.result.margin, 2 * n);
  writeFileSync(file, new Uint8Array(out.buffer));
  writeFileSync(meta, JSON.stringify({ near: s.result.near, far: s.result.far, planes: s.result.planes, sources: s.sources }));
  sweeps[k] = s.result;
  sweepSources[k] = s.sources;
  process.stderr.write(`sweep ${ctxViews[k].id}: ${((c.user + c.system) / 1000).toFixed(0)} ms cpu\n`);
  return s.result;
}

// --- FastDepth, cached ---
async function fastDepthAll(needed: number[]): Promise<Map<number, Float32Array>> {
  const out = new Map<number, Float32Array>();
  const todo = needed.filter((k) => {
    const file = join(CACHE_DIR, 'fastdepth', `${ctxViews[k].id}-${W}x${H}.bin`);
    if (!existsSync(file)) return true;
    const buf = readFileSync(file);
    out.set(k, new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength)));
    return false;
  });
  if (todo.length) {
    const model = await loadFastDepth(await loadNodeOrt(), shippedManifest(), new DirectoryModelSource());
    mkdirSync(join(CACHE_DIR, 'fastdepth'), { recursive: true });
    for (const k of todo) {
      const d = await model.estimate(frames[context[k]].image);
      out.set(k, d.data);
      writeFileSync(join(CACHE_DIR, 'fastdepth', `${ctxViews[k].id}-${W}x${H}.bin`), new Uint8Array(d.data.buffer, d.data.byteOffset, d.data.byteLength));
    }
  }
  return out;
}

// Context views used by the evaluated targets, and the views their cross-check needs.
const tSel = targets.slice(0, nTargets);
const ctxPoses = ctxViews.map((v) => v.cameraToWorld);
const used = new Set<number>();
for (const t of tSel) for (const k of nearestViews(frames[t].cameraToWorld, ctxPoses, 4)) used.add(k);
const usedList = [...used].sort((a, b) => a - b);
for (const k of usedList) {
  getSweep(k);
  for (const s of sweepSources[k]) getSweep(s);
}
if (sweepCount) console.error(`computed ${sweepCount} sweeps, mean ${(sweepCpuMs / sweepCount).toFixed(0)} ms cpu each`);

// Depth variants per used context view, all on the frame (distorted) grid.
type Variant = 'mvs-raw' | 'mvs-filtered' | 'mvs-filled' | 'fastdepth-fit' | 'mvs+fastdepth';
const variants: Record<Variant, Map<number, Float32Array>> = {
  'mvs-raw': new Map(),
  'mvs-filtered': new Map(),
  'mvs-filled': new Map(),
  'fastdepth-fit': new Map(),
  'mvs+fastdepth': new Map(),
};
const mono = await fastDepthAll(usedList);
const fitLog: string[] = [];
for (const k of usedList) {
  const v = ctxViews[k];
  const sw = sweeps[k]!;
  const r = refineView(ctxViews, sweeps, k, sweepSources[k], refine);
  variants['mvs-raw'].set(k, pinholeDepthToFrameGrid(v, sw.depth));
  variants['mvs-filtered'].set(k, pinholeDepthToFrameGrid(v, r.filtered));
  variants['mvs-filled'].set(k, pinholeDepthToFrameGrid(v, r.filled));
  // FastDepth lives on the frame grid; fit it against the filtered stereo there.
  const m = mono.get(k)!;
  const filteredFrame = variants['mvs-filtered'].get(k)!;
  const fit = fitScaleShift(m, filteredFrame, { space: 'inverse', band: 0.05 });
  fitLog.push(`${v.id}: scale ${fit.scale.toPrecision(3)} shift ${fit.shift.toPrecision(3)} inliers ${fit.inliers}/${fit.samples}`);
  const fitted = applyScaleShift(m, fit);
  variants['fastdepth-fit'].set(k, fitted);
  // Combined: stereo where it survived the filters, FastDepth anchored to it in the holes (monocular-hole-fill.ts).
  const gray = new Float32Array(W * H);
  for (let i = 0; i < W * H; i++) gray[i] = 0.299 * ctxRgb[k][3 * i] + 0.587 * ctxRgb[k][3 * i + 1] + 0.114 * ctxRgb[k][3 * i + 2];
  const conf = pinholeDepthToFrameGrid(v, r.confidence.map((c, i) => (r.filtered[i] > 0 ? Math.max(c, 1e-3) : 0)));
  variants['mvs+fastdepth'].set(k, fillWithMonocular(filteredFrame, conf, m, gray, W, H, refine.fill).depth);
}
if (args.includes('--verbose')) console.error(fitLog.join('\n'));

const rows: { name: string; psnr: number; ssim: number; coverage: number }[] = [];
// Nearest photo baseline.
{
  let p = 0, s = 0;
  for (const t of tSel) {
    const tgt = resampleRgb(frames[t].image, W, H);
    const k = nearestViews(frames[t].cameraToWorld, ctxPoses, 1)[0];
    const a = { width: W, height: H, data: ctxRgb[k], channels: 3 }, b = { width: W, height: H, data: tgt, channels: 3 };
    p += psnr(a, b, { peak: 1 });
    s += ssim(a, b, { peak: 1 });
  }
  rows.push({ name: 'nearest photo', psnr: p / tSel.length, ssim: s / tSel.length, coverage: 1 });
}
const perTarget: Record<string, number[]> = {};
for (const name of Object.keys(variants) as Variant[]) {
  let p = 0, s = 0, c = 0;
  perTarget[name] = [];
  for (const t of tSel) {
    const tgt: SplatView = { rgb: resampleRgb(frames[t].image, W, H), intrinsics: makeStereoView(frames[t], W, H).frameIntrinsics, cameraToWorld: frames[t].cameraToWorld };
    const ctx = ctxViews.map((_, k) => splatView(k, variants[name].get(k)));
    const near = nearestViews(frames[t].cameraToWorld, ctxPoses, 4);
    // evaluateForwardSplat picks the same 4 nearest; only those carry depth here.
    const r = evaluateForwardSplat(tgt, near.map((k) => ctx[k]), { count: 4 });
    p += r.psnr;
    s += r.ssim;
    c += r.coverage;
    perTarget[name].push(Number(r.psnr.toFixed(2)));
  }
  rows.push({ name, psnr: p / tSel.length, ssim: s / tSel.length, coverage: c / tSel.length });
}
console.log(`targets ${tSel.map((t) => frames[t].id).join(' ')}; sweep ${key}; filter ${JSON.stringify(refine.filter)}; fill ${JSON.stringify(refine.fill)}`);
console.log('| depth | PSNR dB | SSIM | coverage |\n|---|---|---|---|');
for (const r of rows) console.log(`| ${r.name} | ${r.psnr.toFixed(2)} | ${r.ssim.toFixed(3)} | ${(100 * r.coverage).toFixed(1)}% |`);
if (args.includes('--verbose')) console.log(JSON.stringify(perTarget));
const jsonOut = arg('json', '');
if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ rows, perTarget, sweep: sweepSettings, refine }, null, 2));
