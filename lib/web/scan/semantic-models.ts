/**
 * The scan worker's real semantic models: the manifest's default CLIP pair (image + text towers and the
 * tokenizer) from the browser's model cache (ModelCache: Cache Storage, downloaded on request with
 * progress), on onnxruntime-web wasm. Masks come from graph segmentation (no SAM weights needed), so
 * the CLIP pair is all a real scan needs for labels and queries.
 *
 * `installed()` never downloads: a scan starts geometry-only and the page asks before fetching
 * hundreds of megabytes.
 */
import type { ClipPair } from '../../inference/embedder';
import { loadClipPair } from '../../inference/clip/clip-pair';
import { findPair, type ModelFile } from '../../inference/models/manifest';
import { ModelCache } from '../../inference/models/model-cache';
import type { ProgressCallback } from '../../inference/runtime/model-session';
import type { OrtModule } from '../../inference/runtime/ort-module';
import { loadOrt } from '../ort-web';
import { loadManifest } from '../view/query-model';

/** What ScanWorkerCore needs from a semantic model provider (Node tests pass fakes). */
export interface SemanticModels {
  /** Manifest id of the CLIP pair. */
  readonly pairId: string;
  /** True when every file is already cached (no network touched). */
  installed(): Promise<boolean>;
  /** Reads the files (downloading what is missing, with progress) and starts both towers. */
  load(onProgress: ProgressCallback): Promise<ClipPair>;
}

/** `testModels`: TEST-ONLY (?models=/test-models/), the manifest may list stand-in models. */
export async function browserSemanticModels(modelsBase = '/models/', testModels = false): Promise<SemanticModels> {
  const manifest = await loadManifest(modelsBase, testModels);
  const pairId = manifest.defaults.clip;
  if (!pairId) throw new Error('the model manifest names no default CLIP pair');
  const entries = findPair(manifest, pairId, ['clip-image', 'clip-text']);
  const files: ModelFile[] = entries.flatMap((e) => [...e.files, ...(e.tokenizer ? [e.tokenizer.file] : [])]);
  const cache = new ModelCache({ baseUrl: new URL(modelsBase, globalThis.location.href).href });
  return {
    pairId,
    async installed() {
      for (const f of files) if (!(await cache.has(f).catch(() => false))) return false;
      return true;
    },
    async load(onProgress) {
      const ort = (await loadOrt('wasm')) as unknown as OrtModule;
      return loadClipPair(ort, manifest, pairId, cache, { providers: ['wasm'], onProgress });
    },
  };
}
