/** Node-side input for the CLIs: any capture layout lib/capture/import-capture.ts reads, as a folder or .zip, or a transforms.json, as Frames. */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { Frame } from '../../lib/capture/frame';
import { zipFiles } from '../../lib/capture/bundle-files';
import { nodeFolderFiles } from '../../lib/capture/node-files';
import { loadFrame } from '../../lib/capture/frame-record';
import { describeSkipped, importCapture, type CaptureFormat } from '../../lib/capture/import-capture';
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
  format: CaptureFormat;
  frames: Frame[];
  /** Frames that could not be used, each with the reason (missing image, bad pose ...). */
  skipped: { id: string; reason: string }[];
  /** Problems that did not cost a frame, and facts the user should know (which intrinsics were used). */
  warnings: string[];
  /** Total usable frames before the view selection. */
  available: number;
}

/**
 * Loads `input` (a capture folder of any layout importCapture reads, a .zip of one, or a
 * transforms.json), selects views, and scales images by `scale` (transforms.json photos are large:
 * 0.25 turns 1080x1920 into 270x480).
 */
export async function loadCaptureInput(input: string, opts: { views?: ViewSelection; scale?: number } = {}): Promise<LoadedCapture> {
  if (!existsSync(input)) throw new Error(`input not found: ${input}`);
  const sel = opts.views ?? { kind: 'all' };
  const scale = opts.scale ?? 1;
  const isDir = statSync(input).isDirectory();
  let imp;
  if (!isDir && /\.json$/i.test(input)) {
    const dir = dirname(input);
    imp = await importCapture(nodeFolderFiles(dir), { name: basename(resolve(dir)), transformsPath: basename(input) });
  } else if (isDir) imp = await importCapture(nodeFolderFiles(input), { name: basename(resolve(input)) });
  else if (/\.zip$/i.test(input)) imp = await importCapture(zipFiles(new Uint8Array(readFileSync(input))), { name: basename(input).replace(/\.zip$/i, '') });
  else throw new UsageError(`${input}: not a capture folder, .zip or transforms .json`);
  if (imp.frames.length === 0) throw new Error(`${input}: no usable frames (${describeSkipped(imp.skipped) || 'the capture lists none'})`);
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
  return { name: imp.name, format: imp.format, frames, skipped, warnings: imp.warnings, available: imp.frames.length };
}
