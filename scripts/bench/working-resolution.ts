/**
 * Working resolution: the fox (real 1080x1920 phone photos, stereo depth) reconstructed by the one pipeline at
 * the photos' full size (the old default, maxSize 0) and at the working resolution (DEFAULT_MAX_SIZE, the
 * default), on the same few consecutive views in the same run: a few minutes, so it stays in the default bench.
 * The whole 50-view CLI run, old vs new in one run, is the opt-in `npm run bench -- --only fox-run`
 * (scripts/bench/fox-run.ts): its full-size baseline alone takes ~12 minutes of one core.
 */
import { existsSync } from 'node:fs';
import { DEFAULT_MAX_SIZE, Reconstruction, STAGES } from '../../lib/pipeline/reconstruction';
import { loadCaptureInput } from '../cli/load-capture';
import type { BenchTable } from './table';

const FOX = '../shared/data/fox/transforms.json';

export async function run({ quick }: { quick: boolean }): Promise<BenchTable[]> {
  if (!existsSync(FOX)) throw new Error(`${FOX} not found (../shared/data/fox is the evaluation capture)`);
  const n = quick ? 2 : 3;
  const cap = await loadCaptureInput(FOX, { views: { kind: 'list', indices: [...Array(n).keys()].map((i) => i + 8) } });
  const rows: (string | number)[][] = [];
  let base = { wall: 0, cpu: 0 };
  for (const [name, maxSize] of [
    ['full size (old default) [baseline]', 0],
    [`working resolution (maxSize ${DEFAULT_MAX_SIZE}, default)`, DEFAULT_MAX_SIZE],
  ] as const) {
    const rec = new Reconstruction({ maxSize, depth: { prefer: 'stereo' }, budget: 2_000_000 });
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await rec.addFrames(cap.frames);
    await rec.finalize();
    const wall = performance.now() - t0;
    const c = process.cpuUsage(c0);
    const cpu = (c.user + c.system) / 1000;
    if (maxSize === 0) base = { wall, cpu };
    const r = rec.report();
    rows.push([name, `${r.working.width}x${r.working.height}`, ...STAGES.slice(0, 3).map((s) => Math.round(r.stageMs[s])), Math.round(wall), Math.round(cpu), r.gaussians, +(base.cpu / cpu).toFixed(2)]);
  }
  return [
    {
      title: `Working resolution: fox, ${n} consecutive views (frames 8..${8 + n - 1} of the sorted list), stereo depth, geometry only`,
      columns: ['path', 'working size', ...STAGES.slice(0, 3).map((s) => `${s} ms`), 'wall ms', 'CPU ms', 'Gaussians', 'speed-up (CPU) vs full size'],
      rows,
      notes: [
        'Target (issue 11): the fox CLI run at least 8x faster than at full size, with held-out novel-view PSNR no worse than 25.8 dB (docs/RESULTS.md).',
        'CPU time from process.cpuUsage: wall time on this shared 2-core machine includes other people\'s processes.',
      ],
    },
  ];
}
