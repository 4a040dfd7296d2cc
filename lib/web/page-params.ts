/** Query parameters shared by the pages (/demo, /view, /scan), validated. */
import { DEFAULT_MAX_GAUSSIANS } from './scene-build';

export const DEFAULT_CAPTURE_URL = '/samples/living_room/';

export interface ScenePageParams {
  /** Same-origin path of a capture bundle folder. */
  capture: string;
  /** Renderer budget (?max-splats=N). */
  maxSplats: number;
}

export function readScenePageParams(search: string): ScenePageParams {
  const p = new URLSearchParams(search);
  const capture = p.get('capture') ?? DEFAULT_CAPTURE_URL;
  // Only same-origin paths: COEP blocks other origins anyway, and a link must not make the page
  // fetch from an arbitrary host.
  if (!capture.startsWith('/') || capture.startsWith('//') || capture.includes('..'))
    throw new Error(`capture=${capture}: must be a path on this site, like ${DEFAULT_CAPTURE_URL}`);
  return { capture, maxSplats: readMaxSplats(search) };
}

/** `?max-splats=N`: the renderer budget. */
export function readMaxSplats(search: string): number {
  const raw = new URLSearchParams(search).get('max-splats');
  const maxSplats = raw === null ? DEFAULT_MAX_GAUSSIANS : Number(raw);
  if (!Number.isInteger(maxSplats) || maxSplats < 1 || maxSplats > 8_000_000)
    throw new Error(`max-splats=${raw}: must be an integer between 1 and 8000000`);
  return maxSplats;
}

export const DEFAULT_MODELS_BASE = '/models/';

/**
 * Test-only `models=/test-models/`: replaces the model base URL (the browser tests serve the TEST
 * STAND-IN models there with Playwright routes; the shipped app never sets it). testModels is true
 * only then, and only then are stand-ins accepted.
 */
export function readModelsParam(search: string): { modelsBase: string; testModels: boolean } {
  const models = new URLSearchParams(search).get('models');
  if (models !== null && (!models.startsWith('/') || models.startsWith('//') || models.includes('..') || !models.endsWith('/')))
    throw new Error(`models=${models}: must be a path on this site ending in /`);
  return { modelsBase: models ?? DEFAULT_MODELS_BASE, testModels: models !== null };
}
