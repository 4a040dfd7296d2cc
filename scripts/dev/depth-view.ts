/** Scratch: montage of grey | raw | filtered | filled inverse depth for fox context views (cached sweeps). */
import { writeFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import { CACHE_DIR, foxSplit, loadFoxFrames } from './depth-fox-data';
import { makeStereoView } from '../../lib/inference/depth/stereo-view';
import { refineView, sweepView } from '../../lib/inference/depth/multi-view-stereo';
import type { PlaneSweepResult } from '../../lib/inference/depth/plane-sweep';
import { nearestViews } from '../../lib/inference/depth/forward-splat-eval';

const W = 270, H = 480;
const { frames } = await loadFoxFrames(W, H);
const { targets, context } = foxSplit(frames.length);
const views = context.map((i) => makeStereoView(frames[i], W, H));
const t = targets[Number(process.argv[2] ?? 2)];
const near = nearestViews(frames[t].cameraToWorld, views.map((v) => v.cameraToWorld), 4);
const sweeps: (PlaneSweepResult | undefined)[] = [];
const srcs: number[][] = [];
const get = (k: number) => { if (!sweeps[k]) { const s = sweepView(views, k, { planes: 128 }); sweeps[k] = s.result; srcs[k] = s.sources; } };
const panels: Float32Array[] = [];
for (const k of near) {
  get(k); for (const s of srcs[k]) get(s);
  const r = refineView(views, sweeps, k, srcs[k], {});
  const inv = (d: Float32Array) => d.map((x) => (x > 0 ? 1 / x : 0));
  panels.push(views[k].gray, inv(sweeps[k]!.depth).map((x) => x * 3), inv(r.filtered).map((x) => x * 3), inv(r.filled).map((x) => x * 3));
}
const cols = 4, rows = near.length;
const png = new PNG({ width: W * cols, height: H * rows });
panels.forEach((p, idx) => { const cx = idx % cols, cy = Math.floor(idx / cols); for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) { const o = 4 * ((cy * H + y) * W * cols + cx * W + x); const v = Math.max(0, Math.min(255, p[y * W + x] * 255)); png.data[o] = png.data[o + 1] = png.data[o + 2] = v; png.data[o + 3] = 255; } });
writeFileSync(`${CACHE_DIR}/view-${frames[t].id}.png`, PNG.sync.write(png));
console.log('target', frames[t].id, 'context', near.map((k) => views[k].id));
