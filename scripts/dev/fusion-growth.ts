/**
 * Scene size as views are fused (docs/RESULTS.md 4): runs lib/pipeline/reconstruction.ts (the CLI's pipeline,
 * geometry only, default depth source and fusion) over a capture and prints the scene's Gaussian count after every
 * `every`-th view, the fusion time per view, and the sizes of the final scene as .glb and compact (.sgsc).
 *
 *   npx tsx scripts/dev/fusion-growth.ts <capture> [every=10] [old] [--write PREFIX]
 *
 * `old` runs the fusion as it was before the depth-noise tolerance and the density limit
 * ({ depthNoise: null, poseError: 0, densityRatio: 0 }), everything else the same.
 */
import { writeFileSync } from 'node:fs';
import { loadCaptureInput } from '../cli/load-capture';
import { loadBundledFastDepth } from '../cli/node-models';
import { Reconstruction } from '../../lib/pipeline/reconstruction';
import { writeSceneFile } from '../../lib/splat/scene-file';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const wi = args.indexOf('--write');
  const prefix = wi >= 0 ? args.splice(wi, 2)[1] : null;
  const [input, everyArg, mode] = args;
  if (!input) throw new Error('usage: fusion-growth.ts <capture> [every=10] [old] [--write PREFIX]');
  const every = Number(everyArg ?? 10);
  const cap = await loadCaptureInput(input, { views: { kind: 'all' } });
  const rec = new Reconstruction({
    depth: { monocular: await loadBundledFastDepth() },
    fusion: mode === 'old' ? { depthNoise: null, poseError: 0, densityRatio: 0 } : undefined,
  });
  const rows: { views: number; gaussians: number; fusionMsPerView: number }[] = [];
  let lastMs = 0, lastViews = 0;
  for (let i = 0; i < cap.frames.length; i += every) {
    await rec.addFrames(cap.frames.slice(i, i + every));
    const views = Math.min(cap.frames.length, i + every);
    const ms = rec.stageMs.fusion;
    rows.push({ views, gaussians: rec.scene.count, fusionMsPerView: +((ms - lastMs) / (views - lastViews)).toFixed(1) });
    lastMs = ms;
    lastViews = views;
    console.error(`${views} views: ${rec.scene.count} Gaussians (fusion ${rows[rows.length - 1].fusionMsPerView} ms/view)`);
  }
  await rec.finalize();
  const glb = await writeSceneFile(rec.scene, 'glb');
  const compact = await writeSceneFile(rec.scene, 'compact');
  if (prefix) {
    writeFileSync(prefix + '.glb', glb);
    writeFileSync(prefix + '.sgsc', compact);
  }
  const rep = rec.report();
  console.log(JSON.stringify({ input, mode: mode ?? 'new', working: rep.working, rows, gaussians: rec.scene.count, glbMB: +(glb.length / 1e6).toFixed(2), compactMB: +(compact.length / 1e6).toFixed(2), stageMs: rep.stageMs }));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
