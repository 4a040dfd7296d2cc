/**
 * End-to-end pipeline latency per stage (lib/pipeline/reconstruction.ts, the code the browser worker runs) on the
 * living_room sample rendered at 256x256, for 2, 8 and 32 views (quick mode: 2 and 8), two configurations:
 * - device depth (the renderer's metric depth: a phone with depth sensing) + graph masks + TEST STAND-IN CLIP;
 * - FastDepth (the real bundled model) + graph masks + stand-in CLIP: the 8-view < 3 s target row.
 * The baseline of each row is the same configuration at 2 views, so the ratio reads as the cost growth per view count.
 */
import { readFileSync } from 'node:fs';
import { loadRoom } from '../../lib/sim/room';
import { renderCapture } from '../../lib/sim/render-capture';
import { Reconstruction, STAGES } from '../../lib/pipeline/reconstruction';
import { GraphSegmentationGenerator } from '../../lib/inference/masks/graph-segmentation';
import type { Frame } from '../../lib/capture/frame';
import { modelChoice, loadClip, loadBundledFastDepth } from '../cli/node-models';
import type { BenchTable } from './table';

export async function run({ quick }: { quick: boolean }): Promise<BenchTable[]> {
  const room = loadRoom(JSON.parse(readFileSync('node_modules/@iwer/sem/captures/living_room.json', 'utf8')));
  const counts = quick ? [2, 8] : [2, 8, 32];
  const all = renderCapture(room, { seed: 1, views: Math.max(...counts), width: 256, height: 256 }).frames;
  const { clip } = await loadClip(await modelChoice('standin'));
  if (!clip) throw new Error('stand-in CLIP could not be generated');
  const fastDepth = await loadBundledFastDepth();

  const configs: { name: string; prep: (f: Frame) => Frame; prefer?: 'monocular' }[] = [
    { name: 'device depth', prep: (f) => f },
    { name: 'FastDepth', prep: (f) => ({ ...f, depth: undefined }), prefer: 'monocular' },
  ];
  const rows: (string | number)[][] = [];
  for (const cfg of configs) {
    let base = 0;
    for (const n of counts) {
      const step = (all.length - 1) / Math.max(1, n - 1);
      const frames = Array.from({ length: n }, (_, k) => cfg.prep(all[Math.round(k * step)]));
      const rec = new Reconstruction({
        depth: { prefer: cfg.prefer, monocular: fastDepth },
        semantics: { generator: new GraphSegmentationGenerator(), embedder: clip.image, mode: 'instances', associator: { separateSameView: false } },
      });
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      await rec.addFrames(frames);
      await rec.finalize();
      const wall = performance.now() - t0;
      const c = process.cpuUsage(c0);
      const r = rec.report();
      if (n === counts[0]) base = wall;
      rows.push([cfg.name, n, ...STAGES.map((s) => Math.round(r.stageMs[s])), Math.round(wall), Math.round((c.user + c.system) / 1000), r.gaussians, r.bankEntries, +(wall / base).toFixed(2)]);
    }
  }
  return [
    {
      title: 'Pipeline latency per stage, living_room at 256x256 (graph masks, stand-in CLIP, instance bank)',
      columns: ['depth', 'views', ...STAGES.map((s) => `${s} ms`), 'total wall ms', 'CPU ms', 'Gaussians', 'bank', 'vs 2 views'],
      rows,
      notes: [
        'Target (issue 5): 8 views with FastDepth + graph masks + stand-in CLIP under 3 s on this 2-core machine.',
        'Stand-in CLIP is a tiny colour-only test model: a real CLIP image encoder costs more per mask (see docs/MODELS.md).',
      ],
    },
  ];
}
