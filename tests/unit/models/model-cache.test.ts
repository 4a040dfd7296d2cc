import { describe, expect, it } from 'vitest';
import type { ModelEntry } from '../../../lib/inference/models/manifest';
import type { CacheLike, CacheStorageLike } from '../../../lib/inference/models/model-cache';
import { ModelCache } from '../../../lib/inference/models/model-cache';
import { ModelIntegrityError, ModelUnavailableError, sha256Hex } from '../../../lib/inference/models/model-source';
import type { LoadProgress } from '../../../lib/inference/runtime/model-session';

class FakeCaches implements CacheStorageLike {
  readonly store = new Map<string, Uint8Array>();
  async open(): Promise<CacheLike> {
    const store = this.store;
    return {
      async match(url: string) {
        const b = store.get(url);
        return b ? new Response(b.slice() as unknown as BodyInit) : undefined;
      },
      async put(url: string, res: Response) {
        store.set(url, new Uint8Array(await res.arrayBuffer()));
      },
      async delete(url: string) {
        return store.delete(url);
      },
    };
  }
}

const payload = new Uint8Array(100_000).map((_, i) => (i * 7) & 255);

async function entryFor(bytes: Uint8Array, known = true): Promise<ModelEntry> {
  return {
    id: 'test-model',
    role: 'depth',
    title: 't',
    standIn: true,
    license: 'MIT',
    source: 'test',
    files: [{ name: 'm.onnx', url: '/models/m.onnx', bytes: known ? bytes.byteLength : null, sha256: known ? await sha256Hex(bytes) : null }],
    inputs: [{ name: 'x', dtype: 'float32', shape: [1] }],
    outputs: [{ name: 'y', dtype: 'float32', shape: [1] }],
    maxBatch: 1,
  };
}

/** A fetch serving `bytes` in 4 chunks; counts calls. */
function fakeFetch(bytes: Uint8Array) {
  const calls: string[] = [];
  const fn = async (url: string) => {
    calls.push(url);
    const q = Math.ceil(bytes.length / 4);
    let i = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(c) {
        if (i >= 4) return c.close();
        c.enqueue(bytes.slice(i * q, (i + 1) * q));
        i++;
      },
    });
    return new Response(body, { headers: { 'content-length': String(bytes.length) } });
  };
  return { fn, calls };
}

describe('ModelCache (browser model store, with fakes)', () => {
  it('downloads with progress, verifies, caches, then serves from the cache', async () => {
    const caches = new FakeCaches();
    const f = fakeFetch(payload);
    const cache = new ModelCache({ caches, fetch: f.fn, baseUrl: 'https://app.example/' });
    const entry = await entryFor(payload);
    const progress: LoadProgress[] = [];
    const got = await cache.getFile(entry, entry.files[0], (p) => progress.push(p));
    expect(got).toEqual(payload);
    expect(f.calls).toEqual(['https://app.example/models/m.onnx']);
    const downloads = progress.filter((p) => p.stage === 'download');
    expect(downloads.length).toBeGreaterThanOrEqual(4);
    expect(downloads.at(-1)).toMatchObject({ loaded: payload.length, total: payload.length });
    expect(downloads.map((p) => p.loaded)).toEqual([...downloads.map((p) => p.loaded)].sort((a, b) => a - b));
    expect(await cache.has(entry.files[0])).toBe(true);

    const again: LoadProgress[] = [];
    expect(await cache.getFile(entry, entry.files[0], (p) => again.push(p))).toEqual(payload);
    expect(f.calls.length).toBe(1);
    expect(again.map((p) => p.stage)).toEqual(['cache']);
  });

  it('fails clearly when offline and nothing is cached', async () => {
    const cache = new ModelCache({
      caches: new FakeCaches(),
      fetch: async () => {
        throw new TypeError('fetch failed');
      },
      baseUrl: 'https://app.example/',
    });
    const entry = await entryFor(payload);
    const err = await cache.getFile(entry, entry.files[0]).catch((e) => e);
    expect(err).toBeInstanceOf(ModelUnavailableError);
    expect(err.message).toContain('Model "test-model" file "m.onnx" is not available');
    expect(err.message).toContain('offline? fetch failed');
    expect(err.message).toContain('https://app.example/models/m.onnx');
  });

  it('reports HTTP errors and rejects a download that fails verification (and does not cache it)', async () => {
    const entry = await entryFor(payload);
    const c404 = new ModelCache({ caches: new FakeCaches(), fetch: async () => new Response('no', { status: 404, statusText: 'Not Found' }) });
    await expect(c404.getFile(entry, entry.files[0])).rejects.toThrow(/HTTP 404 Not Found/);
    const tampered = payload.slice();
    tampered[10] ^= 1;
    const caches = new FakeCaches();
    const bad = new ModelCache({ caches, fetch: fakeFetch(tampered).fn });
    const err = await bad.getFile(entry, entry.files[0]).catch((e) => e);
    expect(err).toBeInstanceOf(ModelIntegrityError);
    expect(err.message).toMatch(/sha256 [0-9a-f]{64}, expected/);
    expect(caches.store.size).toBe(0);
  });

  it('replaces a corrupt cached copy by downloading again', async () => {
    const entry = await entryFor(payload);
    const caches = new FakeCaches();
    caches.store.set('/models/m.onnx', payload.slice(0, 500));
    const f = fakeFetch(payload);
    const cache = new ModelCache({ caches, fetch: f.fn });
    expect(await cache.getFile(entry, entry.files[0])).toEqual(payload);
    expect(f.calls.length).toBe(1);
    expect(caches.store.get('/models/m.onnx')?.length).toBe(payload.length);
  });

  it('works without Cache Storage (private mode) and with unknown size/hash', async () => {
    const entry = await entryFor(payload, false);
    const f = fakeFetch(payload);
    const cache = new ModelCache({ caches: null, fetch: f.fn });
    expect(await cache.getFile(entry, entry.files[0])).toEqual(payload);
    expect(await cache.has(entry.files[0])).toBe(false);
  });
});
