/**
 * `npx tsx scripts/bench/support/spark-lod-smoke.ts`: the spark-lod page end to end on a small synthetic scene (a
 * 20,000-splat coloured plane, 2,000 kept, 32x32, 2 cameras) in under a minute: checks that Spark's LoD builds and
 * renders headless before the full-scale bench (about 5 minutes on the 762k fox at 90x160 with the knobs in
 * docs/BENCH.md). Not a result about real scenes.
 */
import { GaussianScene } from '../../../lib/splat/gaussian-scene';
import { sparkLodTables } from '../spark-lod';
import { formatTable } from '../table';
const n = 20000;
const s = new GaussianScene({ budget: n, initialCapacity: n, bankDim: 1 });
s.count = n;
for (let i = 0; i < n; i++) {
  const u = (i % 200) / 200, v = Math.floor(i / 200) / 100;
  s.positions.set([u * 2 - 1, v * 2 - 1, -3], 3 * i);
  s.scales.set([0.01, 0.01, 0.002], 3 * i);
  s.rotations.set([0, 0, 0, 1], 4 * i);
  s.opacities[i] = 0.9;
  s.colors.set([u, v, 0.5], 3 * i);
}
const cam = (x: number) => ({ id: `c${x}`, cameraToWorld: [1,0,0,0, 0,1,0,0, 0,0,1,0, x*0.1,0,0,1], intrinsics: { fx: 60, fy: 60, cx: 32, cy: 32, width: 64, height: 64 } });
s.info = { cameras: [0,1,2,3].map(cam) };
const t = await sparkLodTables({ label: 'synthetic', source: 'smoke', full: s, cameras: s.info.cameras, budget: 2000, scoring: [1, 3] });
for (const x of t) console.log(formatTable(x));
