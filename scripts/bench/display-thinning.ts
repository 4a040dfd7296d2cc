/**
 * Display thinning (issue 11): a ~2M-Gaussian scene thinned to the 200k display budget uniformly (the old way),
 * uniformly with the kept splats grown (thinForDisplay's default), or ranked by display importance (opacity x
 * projected area from the capture cameras, lib/splat/display-importance.ts), then rendered by the CPU reference
 * rasteriser from capture cameras not used for the ranking and scored against the render of the full scene (PSNR,
 * all pixels). The scene, budget and cameras are scripts/bench/support/thinning-scene.ts's (the fox as the CLI
 * builds it; quick mode: 10 % of a 10-frame redkitchen). Spark's own level of detail on the same scene and
 * cameras: scripts/bench/spark-lod.ts.
 */
import { renderGaussians } from '../../lib/splat/cpu-renderer';
import type { GaussianScene } from '../../lib/splat/gaussian-scene';
import { psnr } from '../../lib/splat/image-metrics';
import { METHODS, thinned, thinningSetup } from './support/thinning-scene';
import type { BenchTable } from './table';

export async function run({ quick }: { quick: boolean }): Promise<BenchTable[]> {
  const setup = await thinningSetup(quick);
  const { full, cameras, scoring, budget } = setup;
  // Half the working size: the CPU rasteriser's cost is per (Gaussian, tile), and 2M Gaussians at full size take minutes.
  const k0 = cameras[scoring[0]].intrinsics;
  const W = Math.round(k0.width / 2), H = Math.round(k0.height / 2);
  const render = (s: GaussianScene, i: number) => renderGaussians(s, { intrinsics: cameras[i].intrinsics, cameraToWorld: cameras[i].cameraToWorld, width: W, height: H }, { semantics: false }).color;
  const t0 = performance.now();
  const reference = scoring.map((i) => render(full, i));
  const fullRenderMs = (performance.now() - t0) / scoring.length;

  const rows: (string | number)[][] = [];
  const json: Record<string, number>[] = [];
  let basePsnr = 0;
  for (const m of METHODS) {
    const { scene: thin, ms } = thinned(setup, m);
    const t1 = performance.now();
    const scores = scoring.map((i, k) => psnr({ width: W, height: H, data: render(thin, i) }, { width: W, height: H, data: reference[k] }, { peak: 1 }));
    const renderMs = (performance.now() - t1) / scoring.length;
    const mean = scores.reduce((a, b) => a + b, 0) / scores.length;
    if (m === METHODS[0]) basePsnr = mean;
    rows.push([m.name, thin.count, Math.round(ms), +mean.toFixed(2), +(mean - basePsnr).toFixed(2), scores.map((s) => s.toFixed(1)).join(' / '), Math.round(renderMs)]);
    json.push({ kept: thin.count, of: full.count, selectMs: ms, psnr: mean, vsUniform: mean - basePsnr });
  }
  return [
    {
      title: `Display thinning: ${budget.toLocaleString('en')} of ${full.count.toLocaleString('en')} Gaussians (${setup.label}), CPU reference renders`,
      columns: ['selection', 'kept', 'select ms', 'PSNR dB vs full scene', 'dB vs uniform', 'per camera dB', 'render ms'],
      rows,
      json,
      notes: [
        `Rendered at ${W}x${H} by lib/splat/cpu-renderer.ts from ${scoring.length} capture cameras not used for the ranking (${scoring.map((i) => cameras[i].id).join(', ')}; the ranking uses an even spread of 24 of the ${cameras.length}); PSNR of the thinned render against the full scene's render (${Math.round(fullRenderMs)} ms each), mean over the cameras.`,
        `Scene: ${setup.source}. Command: \`npm run bench -- --only display-thinning\` (\`--quick\`: 10 % of a 10-frame redkitchen).`,
      ],
    },
  ];
}
