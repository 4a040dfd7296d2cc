/**
 * Browser model store: download a model file on demand (with progress), verify it, keep it in Cache Storage
 * so the next visit loads offline. `caches` and `fetch` are injectable so Node tests can drive it with fakes.
 * With no network and nothing cached, getFile throws ModelUnavailableError and the caller carries on without
 * that model (e.g. geometry without semantics).
 */
import type { ProgressCallback } from '../runtime/model-session';
import type { ModelEntry, ModelFile } from './manifest';
import type { ModelSource } from './model-source';
import { ModelIntegrityError, ModelUnavailableError, verifyModelFile } from './model-source';

/** The subset of the Cache interface used here. */
export interface CacheLike {
  match(request: string): Promise<Response | undefined>;
  put(request: string, response: Response): Promise<void>;
  delete(request: string): Promise<boolean>;
}

export interface CacheStorageLike {
  open(cacheName: string): Promise<CacheLike>;
}

export type FetchLike = (url: string, init?: { signal?: AbortSignal }) => Promise<Response>;

export interface ModelCacheOptions {
  /** Cache Storage (globalThis.caches in a page or worker); null disables caching. */
  caches?: CacheStorageLike | null;
  fetch?: FetchLike;
  cacheName?: string;
  /** Base for app-relative URLs such as /models/fastdepth_7.onnx (the page origin in a browser). */
  baseUrl?: string;
  signal?: AbortSignal;
}

export const MODEL_CACHE_NAME = 'segsplat-models-v1';

export class ModelCache implements ModelSource {
  private readonly caches: CacheStorageLike | null;
  private readonly fetchFn: FetchLike | null;
  private readonly cacheName: string;
  private readonly baseUrl?: string;
  private readonly signal?: AbortSignal;

  constructor(options: ModelCacheOptions = {}) {
    const g = globalThis as { caches?: CacheStorageLike; fetch?: FetchLike };
    this.caches = options.caches === undefined ? (g.caches ?? null) : options.caches;
    this.fetchFn = options.fetch ?? (g.fetch ? g.fetch.bind(globalThis) : null);
    this.cacheName = options.cacheName ?? MODEL_CACHE_NAME;
    this.baseUrl = options.baseUrl;
    this.signal = options.signal;
  }

  private resolve(url: string): string {
    if (/^[a-z]+:/i.test(url) || !this.baseUrl) return url;
    return new URL(url, this.baseUrl).toString();
  }

  /** True when the file is already in Cache Storage. */
  async has(file: ModelFile): Promise<boolean> {
    if (!this.caches) return false;
    const cache = await this.caches.open(this.cacheName);
    return (await cache.match(this.resolve(file.url))) !== undefined;
  }

  async getFile(entry: ModelEntry, file: ModelFile, onProgress?: ProgressCallback): Promise<Uint8Array> {
    const url = this.resolve(file.url);
    const cache = this.caches ? await this.caches.open(this.cacheName).catch(() => null) : null;
    if (cache) {
      const hit = await cache.match(url);
      if (hit) {
        const bytes = new Uint8Array(await hit.arrayBuffer());
        try {
          await verifyModelFile(entry, file, bytes);
          onProgress?.({ modelId: entry.id, stage: 'cache', loaded: bytes.byteLength, total: bytes.byteLength });
          return bytes;
        } catch (e) {
          if (!(e instanceof ModelIntegrityError)) throw e;
          await cache.delete(url); // a stale or truncated entry: download again
        }
      }
    }
    const bytes = await this.download(entry, file, url, onProgress);
    await verifyModelFile(entry, file, bytes);
    if (cache) {
      try {
        await cache.put(url, new Response(bytes as unknown as BodyInit, { headers: { 'content-type': 'application/octet-stream' } }));
      } catch {
        // Quota exceeded or private mode: the model still works for this session.
      }
    }
    return bytes;
  }

  private async download(entry: ModelEntry, file: ModelFile, url: string, onProgress?: ProgressCallback): Promise<Uint8Array> {
    if (!this.fetchFn) throw new ModelUnavailableError(entry.id, file.name, url, 'no fetch() in this environment');
    let res: Response;
    try {
      res = await this.fetchFn(url, { signal: this.signal });
    } catch (e) {
      throw new ModelUnavailableError(entry.id, file.name, url, `not cached and the download failed (offline? ${(e as Error).message})`);
    }
    if (!res.ok) throw new ModelUnavailableError(entry.id, file.name, url, `download answered HTTP ${res.status} ${res.statusText}`);
    const header = Number(res.headers.get('content-length') ?? '');
    const total = Number.isFinite(header) && header > 0 ? header : (file.bytes ?? 0);
    if (!res.body) {
      const bytes = new Uint8Array(await res.arrayBuffer());
      onProgress?.({ modelId: entry.id, stage: 'download', loaded: bytes.byteLength, total: total || bytes.byteLength });
      return bytes;
    }
    const reader = res.body.getReader();
    const chunks: Uint8Array[] = [];
    let loaded = 0;
    onProgress?.({ modelId: entry.id, stage: 'download', loaded: 0, total });
    for (;;) {
      let step: ReadableStreamReadResult<Uint8Array>;
      try {
        step = await reader.read();
      } catch (e) {
        throw new ModelUnavailableError(entry.id, file.name, url, `download interrupted after ${loaded} bytes (${(e as Error).message})`);
      }
      if (step.done) break;
      chunks.push(step.value);
      loaded += step.value.byteLength;
      if (file.bytes !== null && loaded > file.bytes) {
        await reader.cancel().catch(() => undefined);
        throw new ModelIntegrityError(entry.id, file.name, `download exceeds the expected ${file.bytes} bytes`);
      }
      onProgress?.({ modelId: entry.id, stage: 'download', loaded, total });
    }
    const out = new Uint8Array(loaded);
    let o = 0;
    for (const c of chunks) {
      out.set(c, o);
      o += c.byteLength;
    }
    return out;
  }
}
