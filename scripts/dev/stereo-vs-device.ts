/**
 * Scratch: stereo depth of an RGB-D capture's context views against its own (registered) device depth, per view:
 * the share of pixels the filters trust, and how often trusted / filled depth is within 5 % of the sensor.
 *   npx tsx scripts/dev/stereo-vs-device.ts ../shared/data/redkitchen 0,10,20,30,40,49 [--scale 0.5] [--tol 0.1] [--max-rel 0.01]
 */
import type { Frame } from '../../lib/capture/frame';
import { scaleIntrinsics } from '../../lib/capture/frame';
import { estimateColourRegistration } from '../../lib/inference/depth/colour-registration';
import { resampleDepthMap } from '../../lib/inference/depth/depth-resample';
import { refineView, sweepView } from '../../lib/inference/depth/multi-view-stereo';
import type { PlaneSweepResult } from '../../lib/inference/depth/plane-sweep';
import { makeStereoView } from '../../lib/inference/depth/stereo-view';
import { loadCaptureInput } from '../cli/load-capture';

const args = process.argv.slice(2);
const opt = (k: string, d?: string) => { const i = args.indexOf(`--${k}`); return i >= 0 ? args[i + 1] : d; };
const scale = Number(opt('scale', '1'));
const TOL = Number(opt('tol', '0.1'));
const maxRel = opt('max-rel') ? Number(opt('max-rel')) : undefined;
const cap = await loadCaptureInput(args[0], { scale });
const frames: Frame[] = [...cap.frames].sort((a, b) => (a.id < b.id ? -1 : 1));
const context = args[1].split(',').map(Number);
const reg = estimateColourRegistration(context.map((i) => frames[i]));
for (const f of frames) f.intrinsics = scaleIntrinsics(reg.intrinsics, f.image.width, f.image.height);
for (const f of frames) delete f.intrinsics.distortion;
const W = frames[0].image.width, H = frames[0].image.height;
const views = context.map((i) => makeStereoView(frames[i], W, H));
const sweeps: (PlaneSweepResult | undefined)[] = [];
const srcs: number[][] = [];
const get = (k: number) => { if (!sweeps[k]) { const s = sweepView(views, k); sweeps[k] = s.result; srcs[k] = s.sources; } };
const rows: string[] = [];
let all = { n: 0, t: 0, tok: 0, fok: 0, fn: 0 };
for (let k = 0; k < views.length; k++) {
  get(k);
  for (const s of srcs[k]) get(s);
  const r = refineView(views, sweeps, k, srcs[k], { filter: { maxRelDepth: maxRel } });
  const dev = resampleDepthMap(frames[context[k]].depth!, scaleIntrinsics(frames[context[k]].intrinsics, W, H)).data;
  const ratios: number[] = [];
  let n = 0, t = 0, tok = 0, fok = 0, fn = 0, rok = 0, sc = 0, scok = 0, mc = 0;
  const sw = sweeps[k]!;
  for (let p = 0; p < W * H; p++) {
    if (r.filtered[p] > 0) t++;
    if (!(dev[p] > 0)) continue;
    n++;
    if (Math.abs(sw.depth[p] - dev[p]) < TOL * dev[p]) rok++;
    if (sw.score[p] >= 0.5 && sw.margin[p] >= 0.02) ratios.push(sw.depth[p] / dev[p]);
    if (sw.score[p] >= 0.5) { sc++; if (Math.abs(sw.depth[p] - dev[p]) < TOL * dev[p]) scok++; if (sw.margin[p] >= 0.02) mc++; }
    if (r.filtered[p] > 0 && Math.abs(r.filtered[p] - dev[p]) < TOL * dev[p]) tok++;
    if (r.filled[p] > 0) { fn++; if (Math.abs(r.filled[p] - dev[p]) < TOL * dev[p]) fok++; }
  }
  const trusted = r.trusted;
  rows.push(`${views[k].id} sources ${srcs[k].map((s) => views[s].id.slice(-3)).join(',')} filtered ${(100 * t / (W * H)).toFixed(1)}%${trusted !== undefined ? ` trusted ${(100 * trusted).toFixed(1)}%` : ''} of which within TOL ${(100 * tok / Math.max(1, t)).toFixed(1)}%; raw withinTOL ${(100 * rok / n).toFixed(1)}% score>=.5 ${(100 * sc / n).toFixed(1)}% (withinTOL ${(100 * scok / Math.max(1, sc)).toFixed(1)}%, margin ok ${(100 * mc / Math.max(1, sc)).toFixed(1)}%) ratio q25/50/75 ${[0.25, 0.5, 0.75].map((q) => ratios.sort((a, b) => a - b)[Math.floor(q * ratios.length)]?.toFixed(3)).join('/')} range ${sw.near.toFixed(2)}-${sw.far.toFixed(2)}; filled within TOL ${(100 * fok / Math.max(1, fn)).toFixed(1)}%`);
  all = { n: all.n + n, t: all.t + t, tok: all.tok + tok, fok: all.fok + fok, fn: all.fn + fn };
}
console.log(rows.join('\n'));
console.log(`ALL filtered ${(100 * all.t / (views.length * W * H)).toFixed(1)}% withinTOL ${(100 * all.tok / all.t).toFixed(1)}%; filled withinTOL ${(100 * all.fok / all.fn).toFixed(1)}%`);
