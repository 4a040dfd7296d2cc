/**
 * A shared scene with semantics for the /view browser tests: reconstructed in Node from the shipped
 * living_room capture (device depth, graph masks, the TEST STAND-IN CLIP: colour-only semantics) and
 * POSTed to /api/scenes; plus the stand-in models served under a test-only base URL by page routes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Route } from 'playwright-core';
import { nodeFolderFiles } from '../../../lib/capture/node-files';
import { readCaptureBundle } from '../../../lib/capture/capture-bundle';
import { Reconstruction } from '../../../lib/pipeline/reconstruction';
import { GraphSegmentationGenerator } from '../../../lib/inference/masks/graph-segmentation';
import { writeSceneFile } from '../../../lib/splat/scene-file';
import { modelChoice, loadClip } from '../../../scripts/cli/node-models';
import { STANDIN_DIR } from '../../models/make-standins';
import { BASE_URL } from './browser';

export interface SharedScene {
  code: string;
  token: string;
  /** Deletes it from the store (call in afterAll). */
  remove(): Promise<void>;
}

/** Reconstructs (views that see the couch, the tables and both lamps) and shares it; ~20–40 s. */
export async function shareStandinScene(): Promise<SharedScene> {
  const { clip } = await loadClip(await modelChoice('standin'));
  const bundle = await readCaptureBundle(nodeFolderFiles('public/samples/living_room'));
  const frames = [0, 2, 4, 8, 10, 24, 25, 26, 27, 28].map((i) => bundle.frames[i]);
  const rec = new Reconstruction({
    width: 160,
    height: 120,
    semantics: { generator: new GraphSegmentationGenerator(), embedder: clip!.image, mode: 'instances', associator: { separateSameView: false } },
  });
  await rec.addFrames(frames);
  await rec.finalize();
  const glb = await writeSceneFile(rec.scene, 'glb');
  const res = await fetch(`${BASE_URL}/api/scenes`, { method: 'POST', headers: { 'content-type': 'model/gltf-binary' }, body: Buffer.from(glb) });
  if (res.status !== 201) throw new Error(`sharing the stand-in scene: HTTP ${res.status} ${await res.text()}`);
  const { code, token } = (await res.json()) as { code: string; token: string };
  return {
    code,
    token,
    remove: async () => {
      await fetch(`${BASE_URL}/api/scenes/${code}`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } }).catch(() => {});
    },
  };
}

/**
 * Serves the stand-in models under `base` (manifest URLs rewritten there); `files: false` answers 404 for
 * the model files. Each base is its own Cache Storage entry in the page, so a fresh base starts "not installed".
 */
export async function serveStandinModels(context: BrowserContext, base: string, files: boolean): Promise<void> {
  // A URL predicate, not a glob: the page URL itself carries ?models=<base> in its query.
  await context.route((url) => url.pathname.startsWith(base), async (route: Route) => {
    const path = new URL(route.request().url()).pathname.slice(base.length);
    if (path === 'manifest.json') {
      const text = readFileSync(join(STANDIN_DIR, 'manifest.json'), 'utf8').replace(/standin:\/\//g, base);
      return route.fulfill({ status: 200, contentType: 'application/json', body: text });
    }
    if (!files || path.includes('..')) return route.fulfill({ status: 404, contentType: 'text/plain', body: 'no such model file' });
    try {
      return route.fulfill({ status: 200, contentType: 'application/octet-stream', body: readFileSync(join(STANDIN_DIR, path)) });
    } catch {
      return route.fulfill({ status: 404, body: '' });
    }
  });
}
