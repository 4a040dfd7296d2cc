/**
 * Depth benchmark: plane-sweep stereo per reference view (the hot loop): the default coarse-to-fine sweep against
 * the exhaustive sweep (every plane at every pixel) measured in the same run, with how far their depths differ,
 * and two more baselines: a naive ZNCC that sums every window pixel per plane (O(window) per pixel, run on a few
 * planes and scaled), and a plain memory pass over a stored float32 cost volume of the same size (what any method
 * that materialises the volume pays at least once). Also the per-view cost of the other stages.
 *
 * Full: 270x480, 128 planes, 3 sources (the fox capture when ../shared is present, else a synthetic scene).
 * Quick: 135x240, 32 planes.
 */
import { existsSync } from 'node:fs';
import type { Frame } from '../../lib/capture/frame';
import { planeSweep, type PlaneSweepOptions, type PlaneSweepResult } from '../../lib/inference/depth/plane-sweep';
import { makeStereoView, type StereoView } from '../../lib/inference/depth/stereo-view';
import { crossViewAgreement } from '../../lib/inference/depth/cross-view-filter';
import { fillDepthHoles } from '../../lib/inference/depth/hole-fill';
import { estimateDepthRange, selectSourceViews } from '../../lib/inference/depth/source-views';
import { timeIt, type BenchTable } from './table';

/** Reference-only baseline: per plane, warp each source (nearest neighbour) and sum the whole window per pixel. */
function naiveZncc(ref: StereoView, sources: StereoView[], opts: PlaneSweepOptions): Float32Array {
  const W = ref.width, H = ref.height, N = W * H;
  const r = ((opts.window ?? 7) - 1) >> 1;
  const D = opts.planes ?? 128;
  const best = new Float32Array(N).fill(-Infinity);
  const warped = sources.map(() => new Float32Array(N));
  const kr = ref.camera;
  for (let p = 0; p < D; p++) {
    const q = 1 / opts.near + (p * (1 / opts.far - 1 / opts.near)) / (D - 1);
    sources.forEach((s, si) => {
      const rel = new Float64Array(16);
      // source_from_ref = worldToCamera(s) * cameraToWorld(ref)
      for (let c = 0; c < 4; c++)
        for (let rr = 0; rr < 4; rr++) {
          let acc = 0;
          for (let k = 0; k < 4; k++) acc += s.worldToCamera[k * 4 + rr] * ref.cameraToWorld[c * 4 + k];
          rel[c * 4 + rr] = acc;
        }
      const ks = s.camera;
      const out = warped[si];
      for (let v = 0; v < H; v++)
        for (let u = 0; u < W; u++) {
          const d = 1 / q;
          const X = ((u + 0.5 - kr.cx) / kr.fx) * d, Y = (-(v + 0.5 - kr.cy) / kr.fy) * d, Z = -d;
          const x = rel[0] * X + rel[4] * Y + rel[8] * Z + rel[12];
          const y = rel[1] * X + rel[5] * Y + rel[9] * Z + rel[13];
          const z = rel[2] * X + rel[6] * Y + rel[10] * Z + rel[14];
          const su = Math.round((ks.fx * x) / -z + ks.cx - 0.5), sv = Math.round((-ks.fy * y) / -z + ks.cy - 0.5);
          out[v * W + u] = su >= 0 && sv >= 0 && su < s.width && sv < s.height ? s.gray[sv * s.width + su] : 0;
        }
    });
    for (let v = r; v < H - r; v++)
      for (let u = r; u < W - r; u++) {
        let agg = 0;
        for (const w of warped) {
          let si = 0, sw = 0, sii = 0, sww = 0, siw = 0;
          for (let dv = -r; dv <= r; dv++)
            for (let du = -r; du <= r; du++) {
              const j = (v + dv) * W + u + du;
              const a = ref.gray[j], b = w[j];
              si += a;
              sw += b;
              sii += a * a;
              sww += b * b;
              siw += a * b;
            }
          const n = (2 * r + 1) ** 2;
          agg += (siw - (si * sw) / n) / Math.sqrt((sii - (si * si) / n + 1e-4) * (sww - (sw * sw) / n + 1e-4));
        }
        const i = v * W + u;
        if (agg > best[i]) best[i] = agg;
      }
  }
  return best;
}

async function loadViews(width: number, height: number): Promise<{ views: StereoView[]; source: string }> {
  const fox = new URL('../../../shared/data/fox/transforms.json', import.meta.url);
  if (existsSync(fox)) {
    const { importTransformsJson, loadFrame } = await import('../../lib/capture/transforms-json');
    const { nodeFolderFiles } = await import('../../lib/capture/node-files');
    const imp = await importTransformsJson(nodeFolderFiles(new URL('.', fox).pathname));
    const records = [...imp.frames].sort((a, b) => (a.imagePath < b.imagePath ? -1 : 1)).slice(5, 13);
    const frames: Frame[] = [];
    for (const r of records) frames.push(await loadFrame(r, { scale: width / r.intrinsics.width }));
    return { views: frames.map((f) => makeStereoView(f, width, height)), source: 'fox capture frames 0008.. (real photos)' };
  }
  const { renderView, pose, intrinsics, defaultScene } = await import('../../tests/unit/depth/synthetic-scene');
  const k = intrinsics(width, height);
  const frames = [0, 0.15, -0.15, 0.05].map((x, i) => renderView(defaultScene, k, pose(x, i === 3 ? 0.15 : 0, 0), `s${i}`).frame);
  return { views: frames.map((f) => makeStereoView(f, width, height)), source: 'synthetic textured scene' };
}

export async function run(opts: { quick: boolean }): Promise<BenchTable[]> {
  const width = opts.quick ? 135 : 270, height = opts.quick ? 240 : 480;
  const planes = opts.quick ? 32 : 128;
  const { views, source } = await loadViews(width, height);
  const ref = views[1];
  const others = views.filter((v) => v !== ref);
  const srcIdx = selectSourceViews(ref.cameraToWorld, others.map((v) => v.cameraToWorld), 3);
  const sources = srcIdx.map((i) => others[i]);
  const range = estimateDepthRange(ref.cameraToWorld, others.map((v) => v.cameraToWorld));
  const sweepOpts: PlaneSweepOptions = { ...range, planes, window: 7, bestK: 2 };
  const N = width * height;

  const fullOpts: PlaneSweepOptions = { ...sweepOpts, mode: 'full' };
  let result = planeSweep(ref, sources, sweepOpts); // warm-up (JIT)
  let exhaustive = planeSweep(ref, sources, fullOpts);
  const reps = opts.quick ? 2 : 3;
  const full = await timeIt(() => (exhaustive = planeSweep(ref, sources, fullOpts)), reps);
  const sweep = await timeIt(() => (result = planeSweep(ref, sources, sweepOpts)), reps);
  const twoFull = await timeIt(() => planeSweep(ref, sources.slice(0, 2), { ...fullOpts, bestK: 2 }), reps);
  const two = await timeIt(() => planeSweep(ref, sources.slice(0, 2), { ...sweepOpts, bestK: 2 }), reps);

  const naivePlanes = 4;
  const naive = await timeIt(() => naiveZncc(ref, sources, { ...sweepOpts, planes: naivePlanes }), 1);
  const naivePerView = { wallMs: (naive.wallMs * planes) / naivePlanes, cpuMs: (naive.cpuMs * planes) / naivePlanes };

  const volume = new Float32Array(planes * N);
  const memPass = await timeIt(() => {
    for (let p = 0; p < planes; p++) volume.fill(p, p * N, (p + 1) * N);
    let s = 0;
    for (let i = 0; i < volume.length; i++) s += volume[i];
    return s;
  }, 3);

  const perPlanePixelNs = (full.cpuMs * 1e6) / (planes * N * sources.length);
  const qStep = Math.abs(1 / range.far - 1 / range.near) / (planes - 1);
  const confident = (r: PlaneSweepResult, i: number) => r.score[i] >= 0.5 && r.margin[i] >= 0.02;
  let agree = 0, confFull = 0, confAgree = 0, confFast = 0;
  for (let i = 0; i < N; i++) {
    const a = exhaustive.depth[i], b = result.depth[i];
    const same = a > 0 && b > 0 && Math.abs(1 / a - 1 / b) <= 1.01 * qStep;
    if (same) agree++;
    if (confident(exhaustive, i)) {
      confFull++;
      if (same) confAgree++;
    }
    if (confident(result, i)) confFast++;
  }
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  const t1: BenchTable = {
    title: `Plane-sweep stereo, one reference view (${width}x${height}, ${planes} planes, ${sources.length} sources, 7x7 ZNCC, best 2)`,
    columns: ['method', 'wall ms', 'CPU ms', 'ratio (CPU) vs exhaustive sweep'],
    rows: [
      ['baseline: exhaustive sweep (mode full: box-filtered ZNCC, streaming WTA, every plane)', full.wallMs, full.cpuMs, 1],
      ['coarse-to-fine sweep (default: exhaustive at the pyramid top, then +-band planes per 48 px tile per level)', sweep.wallMs, sweep.cpuMs, sweep.cpuMs / full.cpuMs],
      ['exhaustive sweep, 2 sources (mean of both)', twoFull.wallMs, twoFull.cpuMs, twoFull.cpuMs / full.cpuMs],
      ['coarse-to-fine sweep, 2 sources (mean of both)', two.wallMs, two.cpuMs, two.cpuMs / full.cpuMs],
      [`baseline: naive window ZNCC (${naivePlanes} planes, scaled to ${planes})`, naivePerView.wallMs, naivePerView.cpuMs, naivePerView.cpuMs / full.cpuMs],
      [`baseline: write + read a float32 cost volume (${((planes * N * 4) / 2 ** 20).toFixed(0)} MiB)`, memPass.wallMs, memPass.cpuMs, memPass.cpuMs / full.cpuMs],
    ],
    notes: [
      `${source}; exhaustive: ${perPlanePixelNs.toFixed(1)} ns CPU per pixel x plane x source; target 1000 ms per view on one core.`,
      `Coarse-to-fine vs exhaustive: depth within one plane step at ${pct(agree / N)} of pixels; confident (score >= 0.5, margin >= 0.02): ${pct(confFull / N)} exhaustive (${pct(confAgree / confFull)} of them matched), ${pct(confFast / N)} coarse-to-fine.`,
      'Single-threaded; CPU time from process.cpuUsage (wall time includes contention from other processes).',
    ],
  };

  // The other per-view stages, relative to the sweep.
  const filteredDepth = result.depth.map((d, i) => (result.score[i] > 0.5 && result.margin[i] > 0.02 ? d : 0));
  const posedRef = { camera: ref.camera, cameraToWorld: ref.cameraToWorld, worldToCamera: ref.worldToCamera, depth: filteredDepth };
  const posedSrc = sources.map((s) => ({ camera: s.camera, cameraToWorld: s.cameraToWorld, worldToCamera: s.worldToCamera, depth: filteredDepth }));
  const filter = await timeIt(() => crossViewAgreement(posedRef, posedSrc), 3);
  const fill = await timeIt(() => fillDepthHoles(filteredDepth, ref.gray, width, height), 3);
  const t2: BenchTable = {
    title: `Depth refinement stages per view (${width}x${height})`,
    columns: ['stage', 'wall ms', 'CPU ms', 'ratio (CPU) vs plane sweep'],
    rows: [
      ['coarse-to-fine plane sweep (baseline)', sweep.wallMs, sweep.cpuMs, 1],
      [`cross-view agreement (${sources.length} views)`, filter.wallMs, filter.cpuMs, filter.cpuMs / sweep.cpuMs],
      ['edge-aware hole fill + smoothing', fill.wallMs, fill.cpuMs, fill.cpuMs / sweep.cpuMs],
    ],
  };
  return [t1, t2, await sensorStages(opts), await roomStereoStages(opts)];
}

/**
 * Stereo-on-rooms stages per keyframe (source selection, texture measure, trust, planar fill) against the plane
 * sweep of the same view in the same run: redkitchen frames 150..190 every 10 (real Kinect colour, 640x480; quick:
 * 320x240), a synthetic room render when ../shared is absent.
 */
async function roomStereoStages(opts: { quick: boolean }): Promise<BenchTable> {
  const { localTexture, refineView } = await import('../../lib/inference/depth/multi-view-stereo');
  const { scoreSourceView, typicalSceneDepth } = await import('../../lib/inference/depth/source-views');
  const kitchen = new URL('../../../shared/data/redkitchen/', import.meta.url);
  const [w, h] = opts.quick ? [320, 240] : [640, 480];
  let frames: Frame[];
  let source: string;
  if (existsSync(new URL('camera-intrinsics.txt', kitchen))) {
    const { loadCaptureInput } = await import('../cli/load-capture');
    frames = (await loadCaptureInput(kitchen.pathname, { views: { kind: 'list', indices: [0, 10, 20, 30, 40] } })).frames;
    source = `redkitchen frames 150..190 every 10 (real Kinect colour, ${w}x${h}; the capture's intrinsics, not registered)`;
  } else {
    const { renderView, pose, intrinsics, defaultScene } = await import('../../tests/unit/depth/synthetic-scene');
    const k = intrinsics(640, 480);
    frames = [0, 0.05, 0.1, 0.15, 0.2].map((x, i) => renderView(defaultScene, k, pose(x, 0, 0), `s${i}`).frame);
    source = `synthetic render (${w}x${h})`;
  }
  const views = frames.map((g) => makeStereoView(g, w, h));
  const ref = 2, others = [0, 1, 3, 4];
  const poses = others.map((i) => views[i].cameraToWorld);
  const range = estimateDepthRange(views[ref].cameraToWorld, poses);
  const srcIdx = selectSourceViews(views[ref].cameraToWorld, poses, 3, { camera: views[ref].camera, cameras: others.map((i) => views[i].camera) }).map((i) => others[i]);
  const sweepOf = (i: number, src: number[]) => planeSweep(views[i], src.map((k) => views[k]), { ...range, planes: 128, window: 7, bestK: 2 });
  const sweep = await timeIt(() => sweepOf(ref, srcIdx), 1);
  const sweeps: (PlaneSweepResult | undefined)[] = [];
  sweeps[ref] = sweepOf(ref, srcIdx);
  for (const k of srcIdx) sweeps[k] = sweepOf(k, [ref, ...others.filter((o) => o !== k)].slice(0, 3));
  const select = await timeIt(() => {
    const d = typicalSceneDepth(views[ref].cameraToWorld, poses);
    return poses.map((m) => scoreSourceView(views[ref].cameraToWorld, m, { sceneDepth: d, camera: views[ref].camera }));
  }, 3);
  const tex = await timeIt(() => localTexture(views[ref].gray, w, h), 3);
  const refine = await timeIt(() => refineView(views, sweeps, ref, srcIdx), 3);
  const r = refineView(views, sweeps, ref, srcIdx);
  const flatFill = await timeIt(() => fillDepthHoles(r.filtered, views[ref].gray, w, h, { confidence: r.confidence, planar: false }), 3);
  const planarFill = await timeIt(() => fillDepthHoles(r.filtered, views[ref].gray, w, h, { confidence: r.confidence, planar: true }), 3);
  const ratio = (t: { cpuMs: number }) => t.cpuMs / sweep.cpuMs;
  return {
    title: `Stereo on rooms, stages per keyframe (${w}x${h})`,
    columns: ['stage', 'wall ms', 'CPU ms', 'ratio (CPU) vs plane sweep'],
    rows: [
      ['baseline: plane sweep of the view (coarse-to-fine, 128 planes, 3 sources)', sweep.wallMs, sweep.cpuMs, 1],
      ['source selection: overlap x parallax score of 4 candidates', select.wallMs, select.cpuMs, ratio(select)],
      ['window texture (7x7 grey std, weak-texture test)', tex.wallMs, tex.cpuMs, ratio(tex)],
      ['hole fill, zero-order (before)', flatFill.wallMs, flatFill.cpuMs, ratio(flatFill)],
      ['hole fill, planar (now: slopes + extrapolation)', planarFill.wallMs, planarFill.cpuMs, ratio(planarFill)],
      [`refineView: filters + texture + planar fill (now; ${(100 * r.trusted).toFixed(1)} % trusted, ${(100 * r.weakTexture).toFixed(1)} % weak texture)`, refine.wallMs, refine.cpuMs, ratio(refine)],
    ],
    notes: [source],
  };
}

/**
 * Sensor-depth stages per keyframe at 640x480 (../shared/data/redkitchen when present, a synthetic render
 * otherwise), against reading the depth (16-bit PNG decode) and, in the full run, the plane sweep of the same
 * view at the same size, measured in the same run.
 */
async function sensorStages(opts: { quick: boolean }): Promise<BenchTable> {
  const { readFileSync } = await import('node:fs');
  const { decodeDepthPng16, encodeDepthPng16 } = await import('../../lib/capture/image-codec');
  const { conditionSensorDepth, DepthAgreement } = await import('../../lib/inference/depth/depth-conditioning');
  const { applyColourRegistration, registerColourCamera } = await import('../../lib/inference/depth/colour-registration');
  const { pixelMapBetween } = await import('../../lib/inference/depth/depth-resample');
  const { lumaOf, remap, resampleRgb } = await import('../../lib/inference/depth/stereo-view');
  const { scaleIntrinsics } = await import('../../lib/capture/frame');
  const { GaussianScene } = await import('../../lib/splat/gaussian-scene');
  const { gaussiansFromDepth } = await import('../../lib/splat/gaussians-from-depth');
  const { SceneFusion } = await import('../../lib/splat/fusion');
  const kitchen = new URL('../../../shared/data/redkitchen/', import.meta.url);
  let frames: Frame[];
  let png: Uint8Array;
  let source: string;
  if (existsSync(new URL('camera-intrinsics.txt', kitchen))) {
    const { loadCaptureInput } = await import('../cli/load-capture');
    const cap = await loadCaptureInput(kitchen.pathname, { views: { kind: 'list', indices: [0, 5, 10, 15, 20] } });
    frames = cap.frames;
    png = new Uint8Array(readFileSync(new URL('frame-000150.depth.png', kitchen)));
    source = 'redkitchen frames 150..170 (real Kinect, 640x480)';
  } else {
    const { renderView, pose, intrinsics, defaultScene } = await import('../../tests/unit/depth/synthetic-scene');
    const k = intrinsics(640, 480);
    frames = [0, 0.05, 0.1, 0.15, 0.2].map((x, i) => {
      const r = renderView(defaultScene, k, pose(x, 0, 0), `s${i}`);
      return { ...r.frame, depth: { width: 640, height: 480, data: r.depth, intrinsics: k } };
    });
    png = encodeDepthPng16(640, 480, frames[0].depth!.data);
    source = 'synthetic 640x480 render';
  }
  const read = await timeIt(() => decodeDepthPng16(png), 3);
  // The registration stage as the pipeline runs it (once per capture, from the first keyframes), then applied.
  const reg = await timeIt(() => registerColourCamera(frames), 1);
  const decision = registerColourCamera(frames);
  frames = frames.map((g) => applyColourRegistration(g, decision));
  const f = frames[4];
  const cond = await timeIt(() => conditionSensorDepth(f.depth!), 3);
  // Snap or drop: the colour image through the registered colour camera onto the depth grid, then the snapping pass.
  const guided = () => {
    const img = f.image;
    const luma = lumaOf(resampleRgb(img, img.width, img.height), img.width * img.height);
    const guide = remap(luma, img.width, img.height, 1, pixelMapBetween(f.depth!.intrinsics, scaleIntrinsics(f.intrinsics, img.width, img.height)));
    return conditionSensorDepth(f.depth!, { guide });
  };
  const snap = await timeIt(guided, 3);
  const snapReport = guided().report;
  const agreeOnce = () => {
    const ag = new DepthAgreement();
    for (const g of frames.slice(0, 3)) ag.add(conditionSensorDepth(g.depth!).depth, g.cameraToWorld);
    const d = conditionSensorDepth(f.depth!).depth;
    return () => ag.add({ ...d, data: d.data.slice(), confidence: d.confidence!.slice() }, f.cameraToWorld);
  };
  const agree = await timeIt(agreeOnce(), 3);
  const staged = frames.map((g, i) => {
    const s = new GaussianScene({ budget: 400_000, bankDim: 1 });
    gaussiansFromDepth(s, { ...g, depth: conditionSensorDepth(g.depth!).depth }, i, { confidenceOpacity: 0 });
    return s;
  });
  const build = await timeIt(() => gaussiansFromDepth(new GaussianScene({ budget: 400_000, bankDim: 1 }), f, 0), 3);
  const fuse = (o: { blend?: boolean; normalRadius?: number }) => async () => {
    const scene = new GaussianScene({ budget: 2_000_000, bankDim: 1 });
    const fu = new SceneFusion(scene, o);
    for (let i = 0; i < 4; i++) fu.addView(i, staged[i]);
    const t = await timeIt(() => fu.addView(4, staged[4]), 1);
    return { ...t, count: scene.count };
  };
  const fOld = await (await fuse({ blend: false, normalRadius: 1 }))();
  const fNew = await (await fuse({}))();
  const rows: (string | number)[][] = [['baseline: read the depth (16-bit PNG decode)', read.wallMs, read.cpuMs, 1]];
  if (!opts.quick) {
    const views = frames.map((g) => makeStereoView(g, 640, 480));
    const range = estimateDepthRange(views[4].cameraToWorld, views.slice(0, 4).map((v) => v.cameraToWorld));
    const sweep = await timeIt(() => planeSweep(views[4], views.slice(1, 4), { ...range, planes: 128, window: 7, bestK: 2 }), 1);
    rows.push(['plane sweep of the same view (coarse-to-fine, 128 planes, 3 sources)', sweep.wallMs, sweep.cpuMs, sweep.cpuMs / read.cpuMs]);
  }
  rows.push(
    ['conditionSensorDepth without colour (invalid, edge band everywhere, specks, z^2 confidence)', cond.wallMs, cond.cpuMs, cond.cpuMs / read.cpuMs],
    [`conditionSensorDepth with edge snapping (colour guide remapped + snap or drop; ${snapReport.snapped} px snapped, ${snapReport.edge} dropped)`, snap.wallMs, snap.cpuMs, snap.cpuMs / read.cpuMs],
    ['DepthAgreement.add against 3 earlier keyframes', agree.wallMs, agree.cpuMs, agree.cpuMs / read.cpuMs],
    [`registration stage, once per capture (registerColourCamera: ${decision.keyframes.length} keyframes, ${decision.status})`, reg.wallMs, reg.cpuMs, reg.cpuMs / read.cpuMs],
    ['registration stage, per keyframe of a 50-keyframe capture (the once-only cost / 50; applying it is free)', reg.wallMs / 50, reg.cpuMs / 50, reg.cpuMs / 50 / read.cpuMs],
    ['gaussiansFromDepth (one Gaussian per pixel)', build.wallMs, build.cpuMs, build.cpuMs / read.cpuMs],
    [`fusion addView, 5th keyframe: winner only, isotropic match (before; scene ${fOld.count})`, fOld.wallMs, fOld.cpuMs, fOld.cpuMs / read.cpuMs],
    [`fusion addView, 5th keyframe: blended, match +-3 rho along the normal (now; scene ${fNew.count})`, fNew.wallMs, fNew.cpuMs, fNew.cpuMs / read.cpuMs],
  );
  return {
    title: 'Sensor depth stages per keyframe (640x480)',
    columns: ['stage', 'wall ms', 'CPU ms', 'ratio (CPU) vs depth read'],
    rows,
    notes: [
      `${source}. Fused scene sizes after 5 keyframes show how many redundant observations merge instead of adding Gaussians.`,
      `Registration: ${decision.reason}.`,
    ],
  };
}
