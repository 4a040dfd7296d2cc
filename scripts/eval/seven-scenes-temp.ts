/**
 * TEMPORARY 7-Scenes folder loader for the novel-view eval until lib/capture's reader (branch h11a) lands.
 * frame-XXXXXX.{color.png,depth.png,pose.txt} + camera-intrinsics.txt; OpenCV c2w -> ours (y, z negated).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { Frame, Intrinsics } from '../../lib/capture/frame';
import { scaleIntrinsics } from '../../lib/capture/frame';
import { decodeDepthPng16, decodeRgb } from '../../lib/capture/image-codec';
import { resizeArea, scaledSize } from '../../lib/capture/image-ops';

export function isSevenScenesFolder(dir: string): boolean {
  return existsSync(join(dir, 'camera-intrinsics.txt'));
}

export function loadSevenScenesTemp(dir: string, scale: number): { name: string; frames: Frame[] } {
  const nums = (s: string) => s.trim().split(/\s+/).map(Number);
  const K = nums(readFileSync(join(dir, 'camera-intrinsics.txt'), 'utf8'));
  const stems = readdirSync(dir).filter((f) => f.endsWith('.color.png')).map((f) => f.slice(0, -'.color.png'.length)).sort();
  const frames: Frame[] = [];
  for (const [i, stem] of stems.entries()) {
    const p = nums(readFileSync(join(dir, `${stem}.pose.txt`), 'utf8'));
    const m = new Float64Array(16);
    for (let r = 0; r < 4; r++) for (let c = 0; c < 4; c++) m[c * 4 + r] = p[r * 4 + c] * (c === 1 || c === 2 ? (r < 3 ? -1 : 1) : 1);
    let image = decodeRgb(new Uint8Array(readFileSync(join(dir, `${stem}.color.png`))), stem);
    const d = decodeDepthPng16(new Uint8Array(readFileSync(join(dir, `${stem}.depth.png`))), stem);
    for (let j = 0; j < d.data.length; j++) if (d.data[j] >= 65.535) d.data[j] = 0;
    const k0 = { fx: K[0], fy: K[4], cx: K[2], cy: K[5], width: d.width, height: d.height };
    const rf = Number(process.env.RGB_F || K[0]);
    let intr: Intrinsics = { ...k0, fx: rf, fy: rf, width: image.width, height: image.height };
    if (scale !== 1) {
      const s = scaledSize(image.width, image.height, scale);
      image = resizeArea(image, s.width, s.height);
      intr = scaleIntrinsics(intr, s.width, s.height);
      delete intr.distortion;
    }
    frames.push({ id: stem, image, intrinsics: intr, cameraToWorld: m, timestamp: i * 33.3, depth: { width: d.width, height: d.height, data: d.data, intrinsics: k0 } });
  }
  return { name: basename(resolve(dir)), frames };
}
