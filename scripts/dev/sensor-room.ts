/**
 * A long walk through a scanned room (@iwer/sem, real scale) written as an RGB-D capture bundle, for scene-size
 * measurements at 100 keyframes (docs/RESULTS.md 4): lib/sim renders colour and exact depth along the walk of
 * lib/sim/trajectory.ts (0.2 m per keyframe), then, with `--sensor`, the depth is made Kinect-like so the pipeline
 * meets what a real RGB-D capture gives it:
 *  - the depth camera sees a narrower field than the colour camera (the central 84 % x 84 %, ~70 % of the colour
 *    pixels: the kitchen's device depth covers 68 % of each working view),
 *  - z^2 noise (the Kinect model of depth-conditioning.ts, sigma = 1.2 mm + 1.9 mm (z - 0.4)^2, seeded), depth
 *    quantised to 1 mm (png16) and nothing beyond 4.5 m.
 * Not a real capture: colour is the scan's texture, poses are exact.
 *
 *   npx tsx scripts/dev/sensor-room.ts <room> <views> <out folder> [--sensor] [--width 640 --height 480] [--seed 1]
 */
import { readdir, rm } from 'node:fs/promises';
import { writeCaptureBundle } from '../../lib/capture/capture-bundle';
import type { Frame } from '../../lib/capture/frame';
import { nodeFolderFiles } from '../../lib/capture/node-files';
import { KINECT_NOISE } from '../../lib/inference/depth/depth-conditioning';
import { renderCapture } from '../../lib/sim/render-capture';
import { loadRoom } from '../../lib/sim/room';
import { mulberry32 } from '../../lib/sim/trajectory';
import { readSemRoom } from '../samples';

function sensorLike(f: Frame, rand: () => number): Frame {
  const d = f.depth!;
  const k = d.intrinsics;
  const w = Math.round(d.width * 0.84), h = Math.round(d.height * 0.84);
  const ox = Math.floor((d.width - w) / 2), oy = Math.floor((d.height - h) / 2);
  const out = new Float32Array(w * h);
  for (let v = 0; v < h; v++)
    for (let u = 0; u < w; u++) {
      const z = d.data[(v + oy) * d.width + u + ox];
      if (!(z > 0) || z > 4.5) continue;
      // Box-Muller normal deviate.
      const g = Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
      const r = Math.max(0, z - 0.4);
      out[v * w + u] = z + g * (KINECT_NOISE.a + KINECT_NOISE.b * r * r);
    }
  return { ...f, depth: { width: w, height: h, data: out, intrinsics: { fx: k.fx, fy: k.fy, cx: k.cx - ox, cy: k.cy - oy, width: w, height: h } } };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const opt = (name: string, def: number) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? Number(args.splice(i, 2)[1]) : def;
  };
  const width = opt('width', 640), height = opt('height', 480), seed = opt('seed', 1);
  const si = args.indexOf('--sensor');
  const sensor = si >= 0 && !!args.splice(si, 1);
  const [room, viewsArg, out] = args;
  if (!room || !viewsArg || !out) throw new Error('usage: sensor-room.ts <room> <views> <out folder> [--sensor] [--width W --height H] [--seed N]');
  const t0 = performance.now();
  const scene = loadRoom(readSemRoom(room));
  const capture = renderCapture(scene, { seed, views: Number(viewsArg), width, height, onProgress: (a, b) => process.stderr.write(`\r  rendering ${a}/${b}`) });
  const rand = mulberry32(seed + 7);
  const frames = sensor ? capture.frames.map((f) => sensorLike(f, rand)) : capture.frames;
  try {
    if ((await readdir(out)).includes('capture.json')) await rm(out, { recursive: true });
  } catch {
    /* no folder yet */
  }
  await writeCaptureBundle(nodeFolderFiles(out), { name: `${room}-${frames.length}${sensor ? '-sensor' : ''}`, frames }, undefined, { depthFormat: 'png16', worldUp: [0, 1, 0] });
  let path = 0;
  for (let i = 1; i < frames.length; i++) {
    const a = frames[i - 1].cameraToWorld, b = frames[i].cameraToWorld;
    path += Math.hypot(a[12] - b[12], a[13] - b[13], a[14] - b[14]);
  }
  process.stderr.write(`\n${room}: ${frames.length} keyframes ${width}x${height}, walk ${path.toFixed(1)} m${sensor ? ', Kinect-like depth' : ''} -> ${out} (${((performance.now() - t0) / 1000).toFixed(0)} s)\n`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
