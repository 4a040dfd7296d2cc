/**
 * A scene file opened on /view, kept WITH its semantics (unlike lib/web/scene-build.ts, which keeps only
 * what the renderer needs): the GaussianScene (positions + Uint16 semantic indices + bank) for queries
 * and the render arrays, thinned together so Gaussian i is the same splat in both.
 */
import { readSceneFile } from '../../splat/scene-file';
import type { GaussianScene } from '../../splat/gaussian-scene';
import { sceneArrays, thinForDisplay, type GaussianArrays } from '../scene-build';

export interface ViewScene {
  name: string;
  scene: GaussianScene;
  arrays: GaussianArrays;
  /** Gaussians in the file, before thinning to the renderer budget. */
  fileCount: number;
  /** Bank rows besides background: 0 means geometry only (no open-vocabulary queries). */
  bankEntries: number;
  embedder: string;
}

export async function loadViewScene(name: string, bytes: Uint8Array, opts: { maxGaussians: number }): Promise<ViewScene> {
  if (!Number.isInteger(opts.maxGaussians) || opts.maxGaussians <= 0) throw new Error(`loadViewScene: maxGaussians must be a positive integer (got ${opts.maxGaussians})`);
  const scene = await readSceneFile(bytes, name);
  const fileCount = scene.count;
  thinForDisplay(scene, opts.maxGaussians);
  return { name, scene, arrays: sceneArrays(scene), fileCount, bankEntries: scene.bank.count - 1, embedder: scene.bank.embedder };
}
