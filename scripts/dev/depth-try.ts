/** Scratch: one plane sweep on the fox capture, timed, with PNG dumps to data/cache/. Args: [ref] [planes] [mode] */
import { writeFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import { loadFoxFrames, foxSplit, CACHE_DIR } from './depth-fox-data';
import { makeStereoView } from '../../lib/inference/depth/stereo-view';
import { planeSweep, type PlaneSweepMode } from '../../lib/inference/depth/plane-sweep';
import { estimateDepthRange, selectSourceViews } from '../../lib/inference/depth/source-views';

const { frames } = await loadFoxFrames();
const { context } = foxSplit(frames.length);
const refI = Number(process.argv[2] ?? 6);
const planes = Number(process.argv[3] ?? 128);
const ctx = context.filter((i) => i !== refI);
const views = frames.map((f) => makeStereoView(f, 270, 480));
const poses = ctx.map((i) => frames[i].cameraToWorld);
const src = selectSourceViews(frames[refI].cameraToWorld, poses, 3).map((k) => ctx[k]);
const range = estimateDepthRange(frames[refI].cameraToWorld, poses);
console.log('ref', frames[refI].id, 'sources', src.map((i) => frames[i].id), range);
const c0 = process.cpuUsage(); const t0 = performance.now();
const mode = (process.argv[4] ?? 'coarse-to-fine') as PlaneSweepMode;
const res = planeSweep(views[refI], src.map((i) => views[i]), { ...range, planes, mode });
const cpu = process.cpuUsage(c0);
console.log('wall', (performance.now() - t0).toFixed(0), 'ms cpu', ((cpu.user + cpu.system) / 1000).toFixed(0), 'ms');
const panels: Uint8Array[] = [];
function dump(_name: string, data: Float32Array, w: number, h: number, lo: number, hi: number) {
  const out = new Uint8Array(w * h);
  for (let i = 0; i < w * h; i++) out[i] = data[i] > 0 || lo < 0 || lo === 0 ? Math.max(0, Math.min(255, ((data[i] - lo) / (hi - lo)) * 255)) : 0;
  panels.push(out);
}
const inv = res.depth.map((d) => (d > 0 ? 1 / d : 0));
dump('gray', views[refI].gray, 270, 480, 0, 1);
dump('invdepth', inv, 270, 480, 1 / range.far, 1 / range.near);
dump('score', res.score, 270, 480, 0, 1);
dump('margin', res.margin, 270, 480, 0, 0.5);
const png = new PNG({ width: 270 * panels.length, height: 480 });
panels.forEach((pan, k) => { for (let y = 0; y < 480; y++) for (let x = 0; x < 270; x++) { const o = 4 * (y * 270 * panels.length + k * 270 + x); png.data[o] = png.data[o + 1] = png.data[o + 2] = pan[y * 270 + x]; png.data[o + 3] = 255; } });
writeFileSync(`${CACHE_DIR}/try-all.png`, PNG.sync.write(png));
const sorted = Array.from(res.depth).filter((d) => d > 0).sort((a, b) => a - b);
console.log('depth pct', [0.05, 0.25, 0.5, 0.75, 0.95].map((p) => sorted[Math.floor(p * sorted.length)].toFixed(2)));
