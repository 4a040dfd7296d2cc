/**
 * Where the novel-view error of an RGB-D target sits (docs/RESULTS.md 1b): reads the eval's comparison panels
 * (photo | render | error, written by `npm run eval -- novel-view --png N --json`) and splits the squared error by
 * the TARGET's own sensor depth, mapped onto the colour grid through the colour camera the eval used:
 *   depth edges     within 3 px of an occlusion edge (misregistration, flying pixels, disocclusion borders);
 *   no depth        the sensor measured nothing there (specular, dark, outside its field of view at the border);
 *   surfaces        the rest (colour: blur, white balance, sensor noise).
 *
 *   npx tsx scripts/dev/error-by-cause.ts <eval output: the JSON line or a file holding it> [--tables]
 *
 * Prints per renderer the region's PSNR over all panels (pooled squared error) and, with --tables, one table per
 * panel. The capture, the targets and the colour camera (its registration) come from the JSON.
 */
import { readFileSync } from 'node:fs';
import { loadCaptureInput } from '../cli/load-capture';
import { decodePng } from '../../lib/capture/png';
import { scaleIntrinsics, type Frame } from '../../lib/capture/frame';
import { resampleDepthMap } from '../../lib/inference/depth/depth-resample';

const NAMES = ['surfaces', 'depth edges', 'no depth'] as const;

/** Squared error per region of one panel; the classes come from the target's sensor depth. */
function split(panel: string, f: Frame, kc: Frame['intrinsics']): { se: number[]; n: number[] } {
  const png = decodePng(new Uint8Array(readFileSync(panel)));
  // Panels are side by side with a gutter between them (lib/eval/image-panels.ts sideBySide).
  const W = f.image.width, H = f.image.height, gap = (png.width - 3 * W) / 2;
  if (png.height !== H || !(gap >= 0)) throw new Error(`${panel}: ${png.width}x${png.height} is not three ${W}x${H} panels`);
  const k = scaleIntrinsics(kc, W, H);
  delete k.distortion;
  const d = resampleDepthMap(f.depth!, k).data;
  const cls = new Uint8Array(W * H); // 0 surfaces, 1 edges, 2 no depth
  for (let v = 0; v < H; v++)
    for (let u = 0; u < W; u++) {
      const i = v * W + u, z = d[i];
      if (!(z > 0)) {
        cls[i] = 2;
        continue;
      }
      for (let dv = -3; dv <= 3 && !cls[i]; dv++)
        for (let du = -3; du <= 3; du++) {
          const uu = u + du, vv = v + dv;
          if (uu < 0 || vv < 0 || uu >= W || vv >= H) continue;
          const zn = d[vv * W + uu];
          if (zn > 0 && Math.abs(zn - z) > 0.05 * z) {
            cls[i] = 1;
            break;
          }
        }
    }
  const se = [0, 0, 0], n = [0, 0, 0];
  for (let v = 0; v < H; v++)
    for (let u = 0; u < W; u++) {
      const i = v * W + u;
      let e = 0;
      for (let c = 0; c < 3; c++) {
        const a = png.data[(v * png.width + u) * 3 + c] / 255, b = png.data[(v * png.width + W + gap + u) * 3 + c] / 255;
        e += (a - b) ** 2;
      }
      se[cls[i]] += e / 3;
      n[cls[i]]++;
    }
  return { se, n };
}

const psnr = (s: number, m: number) => (10 * Math.log10(m / s)).toFixed(2);

function table(title: string, se: number[], n: number[]): void {
  const total = se.reduce((a, b) => a + b, 0), N = n.reduce((a, b) => a + b, 0);
  console.log(`\n${title} (overall ${psnr(total, N)} dB)\n`);
  console.log('| region | pixels | share of squared error | PSNR in region | overall PSNR if the region were perfect |');
  console.log('|---|---|---|---|---|');
  for (let c = 0; c < 3; c++)
    console.log(`| ${NAMES[c]} | ${((100 * n[c]) / N).toFixed(1)}% | ${((100 * se[c]) / total).toFixed(1)}% | ${psnr(se[c], n[c])} | ${psnr(total - se[c], N)} |`);
}

async function main(): Promise<void> {
  const [input, ...flags] = process.argv.slice(2);
  if (!input) throw new Error('usage: npx tsx scripts/dev/error-by-cause.ts <eval JSON output> [--tables]');
  const text = readFileSync(input, 'utf8').trim().split('\n').filter((l) => l.startsWith('{')).pop();
  if (!text) throw new Error(`${input}: no JSON line (run the eval with --json)`);
  const res = JSON.parse(text) as { data: string; pngs: string[]; registration: { intrinsics: Frame['intrinsics'] } | null };
  const cap = await loadCaptureInput(res.data, {});
  const byId = new Map(cap.frames.map((f) => [f.id, f]));
  const pooled = new Map<string, { se: number[]; n: number[] }>();
  for (const panel of res.pngs) {
    const m = /-(frame-\d+|[^-/]+)-(forward-splat|gaussians)-[^/]*\.png$/.exec(panel);
    const f = m && byId.get(m[1]);
    if (!m || !f || !f.depth) throw new Error(`${panel}: cannot tell its target frame (with device depth) from the name`);
    const r = split(panel, f, res.registration?.intrinsics ?? f.intrinsics);
    if (flags.includes('--tables')) table(panel, r.se, r.n);
    const p = pooled.get(m[2]) ?? { se: [0, 0, 0], n: [0, 0, 0] };
    for (let c = 0; c < 3; c++) {
      p.se[c] += r.se[c];
      p.n[c] += r.n[c];
    }
    pooled.set(m[2], p);
  }
  for (const [renderer, p] of pooled) table(`${renderer}, all ${res.pngs.filter((x) => x.includes(`-${renderer}-`)).length} panels pooled`, p.se, p.n);
}

main().catch((e) => {
  console.error((e as Error).message);
  process.exit(1);
});
