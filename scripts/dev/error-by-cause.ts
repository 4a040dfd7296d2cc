/**
 * Where the novel-view error of an RGB-D target sits (docs/RESULTS.md 1b): reads the eval's comparison panel
 * (photo | render | error, written by `npm run eval -- novel-view --png N`) and splits the squared error by the
 * TARGET's own sensor depth, mapped onto the colour grid through the registered colour camera:
 *   depth edges     within 3 px of an occlusion edge (misregistration, flying pixels, disocclusion borders);
 *   no depth        the sensor measured nothing there (specular, dark, outside its field of view at the border);
 *   surfaces        the rest (colour: blur, white balance, sensor noise).
 *
 *   npx tsx scripts/dev/error-by-cause.ts <panel.png> <7-scenes folder> <frame index> <fx> <cx> <cy>
 */
import { readFileSync } from 'node:fs';
import { loadCaptureInput } from '../cli/load-capture';
import { decodePng } from '../../lib/capture/png';
import { resampleDepthMap } from '../../lib/inference/depth/depth-resample';

async function main(): Promise<void> {
  const [panel, folder, index, fx, cx, cy] = process.argv.slice(2);
  const png = decodePng(new Uint8Array(readFileSync(panel)));
  const cap = await loadCaptureInput(folder, { views: { kind: 'list', indices: [Number(index)] } });
  const f = cap.frames[0];
  // Panels are side by side with a gutter between them (lib/eval/image-panels.ts sideBySide).
  const W = f.image.width, H = f.image.height, gap = (png.width - 3 * W) / 2;
  if (png.height !== H || !(gap >= 0)) throw new Error(`${panel}: ${png.width}x${png.height} is not three ${W}x${H} panels`);
  const kc = { fx: Number(fx), fy: Number(fx), cx: Number(cx), cy: Number(cy), width: W, height: H };
  const d = resampleDepthMap(f.depth!, kc).data;
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
  const names = ['surfaces', 'depth edges', 'no depth'];
  const se = [0, 0, 0], n = [0, 0, 0];
  let total = 0;
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
      total += e / 3;
    }
  const psnr = (s: number, m: number) => (10 * Math.log10(m / s)).toFixed(2);
  console.log(`${panel}: overall ${psnr(total, W * H)} dB`);
  console.log('| region | pixels | share of squared error | PSNR in region | overall PSNR if the region were perfect |');
  console.log('|---|---|---|---|---|');
  for (let c = 0; c < 3; c++)
    console.log(`| ${names[c]} | ${((100 * n[c]) / (W * H)).toFixed(1)}% | ${((100 * se[c]) / total).toFixed(1)}% | ${psnr(se[c], n[c])} | ${psnr(total - se[c], W * H)} |`);
}

void main();
