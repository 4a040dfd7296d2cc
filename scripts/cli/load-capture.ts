/** Node-side input for the CLIs: a capture bundle folder, a bundle .zip, or a transforms.json, as Frames. */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { Frame } from '../../lib/capture/frame';
import { zipFiles } from '../../lib/capture/bundle-files';
import { nodeFolderFiles } from '../../lib/capture/node-files';
import { readCaptureBundle } from '../../lib/capture/capture-bundle';
import { importTransformsJson, loadFrame } from '../../lib/capture/transforms-json';
import { UsageError } from './args';

export type ViewSelection = { kind: 'all' } | { kind: 'count'; n: number } | { kind: 'list'; indices: number[] };

export function parseViewSelection(v: string | undefined): ViewSelection {
  if (v === undefined || v === 'all') return { kind: 'all' };
  if (/^\d+$/.test(v)) {
    const n = Number(v);
    if (n < 1) throw new UsageError(`--views must be "all", a count >= 1, or a list like 0,3,7 (got "${v}")`);
    return { kind: 'count', n };
  }
  if (/^\d+(,\d+)+$/.test(v)) return { kind: 'list', indices: v.split(',').map(Number) };
  throw new UsageError(`--views must be "all", a count, or a comma-separated list of indices (got "${v}")`);
}

/** Indices into `total` items for a selection; a count takes evenly spaced views (first and last included). */
export function selectIndices(total: number, sel: ViewSelection): number[] {
  if (sel.kind === 'all') return [...Array(total).keys()];
  if (sel.kind === 'list') {
    for (const i of sel.indices) if (i >= total) throw new UsageError(`--views: index ${i} is out of range (the capture has ${total} usable frames)`);
    return sel.indices;
  }
  const n = Math.min(sel.n, total);
  if (n === 1) return [0];
  return [...Array(n).keys()].map((k) => Math.round((k * (total - 1)) / (n - 1)));
}

export interface LoadedCapture {
  name: string;
  frames: Frame[];
  /** Frames that could not be used, each with the reason (missing image, bad pose ...). */
  skipped: { id: string; reason: string }[];
  /** Total usable frames before the view selection. */
  available: number;
}

/**
 * Loads `input` (bundle folder, .zip, or transforms.json / a folder holding one), selects views, and scales images
 * by `scale` (transforms.json photos are large: 0.25 turns 1080x1920 into 270x480).
 */
export async function loadCaptureInput(input: string, opts: { views?: ViewSelection; scale?: number } = {}): Promise<LoadedCapture> {
  if (!existsSync(input)) throw new Error(`input not found: ${input}`);
  const sel = opts.views ?? { kind: 'all' };
  const scale = opts.scale ?? 1;
  const isDir = statSync(input).isDirectory();
  if (input.endsWith('.json') || (isDir && existsSync(`${input}/transforms.json`) && !existsSync(`${input}/capture.json`))) {
    const dir = isDir ? input : dirname(input);
    const path = isDir ? 'transforms.json' : basename(input);
    const imp = await importTransformsJson(nodeFolderFiles(dir), { path });
    if (imp.frames.length === 0) throw new Error(`${input}: no usable frames (${imp.skipped.length} skipped: ${imp.skipped[0]?.reason ?? 'none listed'})`);
    const idx = selectIndices(imp.frames.length, sel);
    const frames: Frame[] = [];
    const skipped = [...imp.skipped];
    for (const i of idx) {
      try {
        frames.push(await loadFrame(imp.frames[i], { scale }));
      } catch (e) {
        skipped.push({ id: imp.frames[i].id, reason: (e as Error).message });
      }
    }
    return { name: basename(dir), frames, skipped, available: imp.frames.length };
  }
  const files = isDir ? nodeFolderFiles(input) : zipFiles(new Uint8Array(readFileSync(input)));
  const b = await readCaptureBundle(files);
  if (b.frames.length === 0) throw new Error(`${input}: no usable frames (${b.skipped.length} skipped: ${b.skipped[0]?.reason ?? 'none listed'})`);
  const idx = selectIndices(b.frames.length, sel);
  let frames = idx.map((i) => b.frames[i]);
  if (scale !== 1) {
    const { resizeArea, scaledSize } = await import('../../lib/capture/image-ops');
    const { scaleIntrinsics } = await import('../../lib/capture/frame');
    frames = frames.map((f) => {
      const s = scaledSize(f.image.width, f.image.height, scale);
      return { ...f, image: resizeArea(f.image, s.width, s.height), intrinsics: scaleIntrinsics(f.intrinsics, s.width, s.height) };
    });
  }
  return { name: b.name, frames, skipped: b.skipped, available: b.frames.length };
}
