/** Messages between the page and lib/web/scene-build.worker.ts. */
import type { ProgressEvent } from '../pipeline/progress';
import type { SceneBuildResult } from './scene-build';

/** What to build: a served capture bundle folder, or a file the user opened. */
export type SceneSource = string | { name: string; bytes: Uint8Array };

export interface SceneBuildRequest {
  type: 'build';
  /** Absolute URL of the bundle folder (workers have no page URL to resolve against), or file bytes. */
  source: string | { name: string; bytes: Uint8Array };
  maxFrames?: number;
  maxGaussians?: number;
}

export type SceneBuildMessage =
  | { type: 'progress'; event: ProgressEvent }
  | { type: 'done'; result: SceneBuildResult }
  | { type: 'error'; message: string };

/** Every big buffer in a result, so postMessage moves them instead of copying. */
export function resultTransferables(r: SceneBuildResult): Transferable[] {
  const g = r.gaussians;
  const list: ArrayBufferLike[] = [g.positions.buffer, g.scales.buffer, g.rotations.buffer, g.opacities.buffer, g.colors.buffer];
  for (const f of r.capture.frames) list.push(f.thumbnail.data.buffer);
  return [...new Set(list)].filter((b): b is ArrayBuffer => b instanceof ArrayBuffer);
}

/**
 * Where a served bundle folder's annotations would be: the sibling `<folder>.groundtruth/` that the sample
 * renderer writes (docs/SAMPLES.md). Any other bundle simply has none there (404: no labels).
 */
export function annotationsUrlFor(bundleUrl: string): string {
  const u = new URL(bundleUrl);
  u.pathname = `${u.pathname.replace(/\/+$/, '')}.groundtruth/`;
  u.search = '';
  u.hash = '';
  return u.href;
}
