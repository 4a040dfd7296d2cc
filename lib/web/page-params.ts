/** Query parameters of the scene pages (/demo, /view), validated. */
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
  const raw = p.get('max-splats');
  const maxSplats = raw === null ? DEFAULT_MAX_GAUSSIANS : Number(raw);
  if (!Number.isInteger(maxSplats) || maxSplats < 1 || maxSplats > 8_000_000)
    throw new Error(`max-splats=${raw}: must be an integer between 1 and 8000000`);
  return { capture, maxSplats };
}
