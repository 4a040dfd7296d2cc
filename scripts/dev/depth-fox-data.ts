/**
 * Loader for the fox capture (../shared/data/fox) used by the depth evaluation scripts: existing frames sorted by
 * name, images 4x4 box-averaged to 270x480. Evaluation only: the product never reads ../shared.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Frame } from '../../lib/capture/frame';
import { scaleIntrinsics } from '../../lib/capture/frame';
import { importTransformsJson, loadFrame } from '../../lib/capture/transforms-json';
import { nodeFolderFiles } from '../../lib/capture/node-files';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const FOX_DIR = resolve(root, '../shared/data/fox');
export const CACHE_DIR = join(root, 'data/cache');

/**
 * Frames of the fox capture at width x height (a 1/integer scale of 1080x1920), sorted by file name, through the
 * capture importer (lib/capture/transforms-json.ts, which skips and reports the listed-but-missing images).
 * Downsampled images are cached in data/cache/ because decoding 50 JPEGs takes a while.
 */
export async function loadFoxFrames(width = 270, height = 480): Promise<{ frames: Frame[]; missing: string[] }> {
  const imp = await importTransformsJson(nodeFolderFiles(FOX_DIR));
  const records = [...imp.frames].sort((a, b) => (a.imagePath < b.imagePath ? -1 : a.imagePath > b.imagePath ? 1 : 0));
  const missing = imp.skipped.map((s) => `${s.id}: ${s.reason}`);
  const cache = join(CACHE_DIR, `fox-${width}x${height}.bin`);
  const n = width * height * 3;
  const frames: Frame[] = [];
  if (existsSync(cache) && readFileSync(cache).length === n * records.length) {
    const blob = new Uint8Array(readFileSync(cache));
    records.forEach((r, i) => {
      const k = scaleIntrinsics(r.intrinsics, width, height);
      if (!k.distortion) delete k.distortion;
      frames.push({ id: r.id, image: { width, height, data: blob.subarray(i * n, (i + 1) * n) }, intrinsics: k, cameraToWorld: Float64Array.from(r.cameraToWorld), timestamp: r.timestamp });
    });
    return { frames, missing };
  }
  const blob = new Uint8Array(n * records.length);
  for (let i = 0; i < records.length; i++) {
    const f = await loadFrame(records[i], { scale: width / records[i].intrinsics.width });
    if (f.image.width !== width || f.image.height !== height) throw new Error(`fox: ${records[i].id} loaded at ${f.image.width}x${f.image.height}`);
    blob.set(f.image.data, i * n);
    frames.push({ ...f, image: { width, height, data: blob.subarray(i * n, (i + 1) * n) } });
  }
  mkdirSync(CACHE_DIR, { recursive: true });
  writeFileSync(cache, blob);
  return { frames, missing };
}

/** The reference split: every 5th existing frame (index 0, 5, ...) is a target, the rest context. */
export function foxSplit(count: number, every = 5): { targets: number[]; context: number[] } {
  const targets: number[] = [], context: number[] = [];
  for (let i = 0; i < count; i++) (i % every === 0 ? targets : context).push(i);
  return { targets, context };
}
