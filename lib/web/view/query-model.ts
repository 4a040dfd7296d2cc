/**
 * The CLIP text tower for /view queries, loaded on demand (the image tower is never needed to ask):
 * manifest from the models base, files through ModelCache (download with progress, Cache Storage so the
 * next visit is offline), session on onnxruntime-web wasm. Browser only.
 *
 * `textModelStatus` answers "is it installed?" without downloading, so the page can say "semantic model
 * not installed" and offer a download button instead of starting a large download by surprise.
 */
import { ClipTextEncoder } from '../../inference/clip/clip-text-encoder';
import { ClipTokenizer } from '../../inference/clip/clip-tokenizer';
import type { TextEmbedder } from '../../inference/embedder';
import { findPair, parseManifest, type ModelEntry, type ModelFile, type ModelManifest } from '../../inference/models/manifest';
import { ModelCache } from '../../inference/models/model-cache';
import { ModelUnavailableError } from '../../inference/models/model-source';
import { loadModelSession, type ProgressCallback } from '../../inference/runtime/model-session';
import type { OrtModule } from '../../inference/runtime/ort-module';
import { loadOrt } from '../ort-web';

export interface TextModelStatus {
  pairId: string;
  entry: ModelEntry;
  files: ModelFile[];
  /** Sum of the files' declared sizes, null when some size is unknown. */
  bytes: number | null;
  /** Every file already in Cache Storage. */
  installed: boolean;
  standIn: boolean;
}

const manifests = new Map<string, Promise<ModelManifest>>();

export function loadManifest(modelsBase: string, allowStandIns: boolean): Promise<ModelManifest> {
  const key = `${modelsBase}|${allowStandIns}`;
  let m = manifests.get(key);
  if (!m) {
    m = (async () => {
      const url = new URL(`${modelsBase}manifest.json`, globalThis.location.href).href;
      const res = await fetch(url, { cache: 'no-cache' });
      if (!res.ok) throw new Error(`model manifest ${url}: HTTP ${res.status}`);
      return parseManifest(await res.json(), { allowStandIns });
    })();
    m.catch(() => manifests.delete(key));
    manifests.set(key, m);
  }
  return m;
}

function cacheFor(modelsBase: string): ModelCache {
  return new ModelCache({ baseUrl: new URL(modelsBase, globalThis.location.href).href });
}

/** Which text model a scene needs (its bank's embedder, else the manifest default) and whether it is cached. */
export async function textModelStatus(modelsBase: string, embedder: string, allowStandIns: boolean): Promise<TextModelStatus> {
  const manifest = await loadManifest(modelsBase, allowStandIns);
  const pairId = embedder || manifest.defaults.clip;
  if (!pairId) throw new Error('the model manifest names no default CLIP pair');
  const [, entry] = findPair(manifest, pairId, ['clip-image', 'clip-text']);
  const files = [entry.files[0], ...(entry.tokenizer ? [entry.tokenizer.file] : [])];
  const cache = cacheFor(modelsBase);
  let installed = true;
  for (const f of files) if (!(await cache.has(f).catch(() => false))) installed = false;
  const sizes = files.map((f) => f.bytes);
  const bytes = sizes.every((b): b is number => typeof b === 'number') ? sizes.reduce((a, b) => a + b, 0) : null;
  return { pairId, entry, files, bytes, installed, standIn: entry.standIn };
}

/** Downloads (or reads from the cache) and starts the text encoder. ModelUnavailableError when it cannot be had. */
export async function loadTextModel(modelsBase: string, status: TextModelStatus, onProgress?: ProgressCallback): Promise<TextEmbedder> {
  const cache = cacheFor(modelsBase);
  const entry = status.entry;
  if (!entry.tokenizer) throw new Error(`text model ${entry.id} has no tokenizer in the manifest`);
  const tok = entry.tokenizer;
  const tokenizerBytes = await cache.getFile(entry, tok.file, onProgress);
  const tokenizer = new ClipTokenizer(tokenizerBytes, { contextLength: tok.contextLength, startId: tok.startId, endId: tok.endId, padId: tok.padId });
  const ort = (await loadOrt('wasm')) as unknown as OrtModule;
  const session = await loadModelSession(ort, entry, cache, { providers: ['wasm'], onProgress });
  return new ClipTextEncoder(session, tokenizer);
}

export const isModelUnavailable = (e: unknown): e is ModelUnavailableError => e instanceof ModelUnavailableError;
