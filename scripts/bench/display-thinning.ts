/**
 * Display thinning: the redkitchen (real RGB-D room, device depth) reconstructed to the 2M-Gaussian budget, thinned
 * to the 200k display budget uniformly (the old way) or ranked by display importance (opacity x projected area
 * from the capture cameras, lib/splat/display-importance.ts), then rendered by the CPU reference rasteriser from
 * capture cameras and scored against the render of the full scene (PSNR, all pixels). The ranking uses at most 24
 * cameras (an even spread); the scoring cameras are capture cameras outside that spread, so a splat ranked high
 * by a camera is never scored from the same camera. Quick mode: 10 frames at long side 320, thinned to 10 %.
 */
import { existsSync } from 'node:fs';
import { Reconstruction } from '../../lib/pipeline/reconstruction';
import { renderGaussians } from '../../lib/splat/cpu-renderer';
import { displaySelection, growDisplayed, type DisplayOptions } from '../../lib/splat/display-importance';
import { GaussianScene } from '../../lib/splat/gaussian-scene';
import { psnr } from '../../lib/splat/image-metrics';
import { loadCaptureInput } from '../cli/load-capture';
import type { BenchTable } from './table';

const KITCHEN = '../shared/data/redkitchen';

function copyScene(s: GaussianScene): GaussianScene {
  const c = new GaussianScene({ budget: Math.max(1, s.count), initialCapacity: Math.max(1, s.count), bankDim: 1 });
  c.count = s.count;
  c.positions.set(s.positions.subarray(0, 3 * s.count));
  c.scales.set(s.scales.subarray(0, 3 * s.count));
  c.rotations.set(s.rotations.subarray(0, 4 * s.count));
  c.opacities.set(s.opacities.subarray(0, s.count));
  c.colors.set(s.colors.subarray(0, 3 * s.count));
  return c;
}

export async function run({ quick }: { quick: boolean }): Promise<BenchTable[]> {
  if (!existsSync(KITCHEN)) throw new Error(`${KITCHEN} not found (../shared/data/redkitchen is the evaluation capture)`);
  const cap = await loadCaptureInput(KITCHEN, { views: quick ? { kind: 'count', n: 10 } : { kind: 'all' } });
  const rec = new Reconstruction({ maxSize: quick ? 320 : 640, depth: { prefer: 'device' }, budget: 2_000_000 });
  await rec.addFrames(cap.frames);
  await rec.finalize();
  const full = rec.scene;
  const cameras = full.info!.cameras;
  const budget = quick ? Math.round(full.count / 10) : 200_000;
  const maxCameras = 24;
  const ranking = new Set(cameras.length > maxCameras ? Array.from({ length: maxCameras }, (_, k) => Math.floor((k * cameras.length) / maxCameras)) : cameras.map((_c, i) => i));
  let scoring = cameras.map((_c, i) => i).filter((i) => !ranking.has(i));
  if (!scoring.length) scoring = [...ranking];
  scoring = scoring.filter((_i, k) => k % Math.max(1, Math.floor(scoring.length / 4)) === 0).slice(0, 4);
  const W = 160, H = 120;
  const render = (s: GaussianScene, i: number) => renderGaussians(s, { intrinsics: cameras[i].intrinsics, cameraToWorld: cameras[i].cameraToWorld, width: W, height: H }, { semantics: false }).color;
  const reference = scoring.map((i) => render(full, i));

  const methods: { name: string; opts: DisplayOptions; grow: boolean }[] = [
    { name: 'uniform (old) [baseline]', opts: { method: 'uniform' }, grow: false },
    { name: 'uniform, kept splats grown to cover (default)', opts: { method: 'uniform' }, grow: true },
    { name: 'ranked by opacity x projected area, grown', opts: { method: 'ranked', cameras, maxCameras }, grow: true },
    { name: 'ranked, not grown', opts: { method: 'ranked', cameras, maxCameras }, grow: false },
    { name: 'ranked by opacity x world footprint (no cameras), grown', opts: { method: 'ranked' }, grow: true },
  ];
  const rows: (string | number)[][] = [];
  let basePsnr = 0;
  for (const m of methods) {
    const t0 = performance.now();
    const { keep, represents } = displaySelection(full, budget, m.opts);
    const ms = performance.now() - t0;
    const thin = copyScene(full);
    const rep = represents.filter((_r, i) => keep[i] === 1);
    thin.compact(keep);
    if (m.grow) growDisplayed(thin.scales, rep, thin.count);
    const scores = scoring.map((i, k) => psnr({ width: W, height: H, data: render(thin, i) }, { width: W, height: H, data: reference[k] }));
    const mean = scores.reduce((a, b) => a + b, 0) / scores.length;
    if (m === methods[0]) basePsnr = mean;
    rows.push([m.name, thin.count, Math.round(ms), +mean.toFixed(2), +(mean - basePsnr).toFixed(2)]);
  }
  return [
    {
      title: `Display thinning: ${budget.toLocaleString('en')} of ${full.count.toLocaleString('en')} Gaussians (redkitchen, ${cap.frames.length} frames, device depth, ${rec.report().working.width}x${rec.report().working.height})`,
      columns: ['selection', 'kept', 'select ms', 'PSNR dB vs full scene', 'dB vs uniform'],
      rows,
      notes: [
        `Rendered at ${W}x${H} by lib/splat/cpu-renderer.ts from ${scoring.length} capture cameras not used for the ranking (frames ${scoring.map((i) => cameras[i].id).join(', ')}); PSNR of the thinned render against the full scene's render, mean over the cameras.`,
        "Spark's own LoD (PackedSplats.createLodSplats + SparkRenderer lodSplatCount, @sparkjsdev/spark 2.2) builds its tree in a browser worker (WebGL/wasm) and is not measured here.",
      ],
    },
  ];
}
