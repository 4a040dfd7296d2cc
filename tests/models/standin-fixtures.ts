/**
 * Test helpers over the stand-in models: generated on demand, loaded through the same runtime, manifest
 * and DirectoryModelSource as real models. Also synthetic images.
 */
import type { RgbImage } from '../../lib/capture/frame';
import { DirectoryModelSource } from '../../lib/inference/models/node-model-source';
import { loadNodeOrt } from '../../lib/inference/runtime/node-ort';
import type { OrtModule } from '../../lib/inference/runtime/ort-module';
import { ensureStandins, type Standins } from './make-standins';

export interface StandinEnv extends Standins {
  ort: OrtModule;
  source: DirectoryModelSource;
}

let env: Promise<StandinEnv> | null = null;

export function standinEnv(): Promise<StandinEnv> {
  if (!env) {
    env = (async () => {
      const s = await ensureStandins();
      return { ...s, ort: await loadNodeOrt(), source: new DirectoryModelSource({ dir: s.dir, root: '/' }) };
    })();
  }
  return env;
}

/** width x height image filled with `bg`, with axis-aligned rectangles of other colours. */
export function syntheticImage(
  width: number,
  height: number,
  bg: [number, number, number],
  rects: { x: number; y: number; w: number; h: number; rgb: [number, number, number] }[] = [],
): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) data.set(bg, i * 3);
  for (const r of rects) {
    for (let y = r.y; y < r.y + r.h; y++) for (let x = r.x; x < r.x + r.w; x++) data.set(r.rgb, (y * width + x) * 3);
  }
  return { width, height, data };
}
