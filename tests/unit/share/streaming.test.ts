/**
 * Uploads spooled to disk and validated from the file (whole decode for small files, the bounded
 * chunked check for large ones), admission by byte budget and disk space, and Range downloads.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readdir, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { openSqliteSceneStore, BLOB_DIR, type SqliteSceneStore } from '../../../lib/share/sqlite-scene-store';
import { handleGetScene, handleHeadScene, parseRange } from '../../../lib/share/share-http';
import type { ShareConfig } from '../../../lib/share/share-config';
import { chunkedStream, readAll, sceneBytes, smallScene, tempDir, testConfig, until, type TempDir, refusal } from './share-fixtures';
import { writeSceneFile } from '../../../lib/splat/scene-file';

let t: TempDir;
let store: SqliteSceneStore | null = null;

beforeEach(async () => {
  t = await tempDir();
});
afterEach(async () => {
  await store?.close();
  store = null;
  await t.cleanup();
});

async function open(cfg: Partial<ShareConfig> = {}) {
  await store?.close();
  store = (await openSqliteSceneStore({ config: testConfig(t.dir, cfg), report: () => {} })).store;
  return store;
}

const tmpFiles = () => readdir(path.join(t.dir, BLOB_DIR, 'tmp'));
const blobFiles = async () => (await readdir(path.join(t.dir, BLOB_DIR))).filter((n) => n !== 'tmp');


describe('spooled uploads', () => {
  it('streams a chunked upload to disk and stores it byte-exactly, with the SHA-256 of the bytes', async () => {
    await open();
    const bytes = await sceneBytes('glb', 3000, 2);
    const r = await store!.create({ body: chunkedStream(bytes, 4096), declaredLength: bytes.byteLength });
    const info = await store!.head(r.code, r.token);
    expect(info).toMatchObject({ bytes: bytes.byteLength, gaussians: 3000, sha256: createHash('sha256').update(bytes).digest('hex') });
    const f = await store!.get(r.code, r.token);
    expect(await readAll(f!.body)).toEqual(bytes);
    expect(await tmpFiles()).toEqual([]);
  });

  it('refuses a body shorter than its Content-Length (truncated) with 400 and leaves nothing on disk', async () => {
    await open();
    const bytes = await sceneBytes('glb', 100);
    const e = await refusal(store!.create({ body: chunkedStream(bytes.subarray(0, 500), 100), declaredLength: bytes.byteLength }));
    expect(e.status).toBe(400);
    expect(e.message).toMatch(/500 bytes but Content-Length said/);
    expect(await tmpFiles()).toEqual([]);
    expect(await blobFiles()).toEqual([]);
  });

  it('refuses a body that breaks off mid-stream (client gone) with 400 and removes the spool file', async () => {
    await open();
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(c) {
        if (sent++ < 3) c.enqueue(new Uint8Array(1000));
        else c.error(new Error('socket hang up'));
      },
    });
    const e = await refusal(store!.create({ body }));
    expect(e.status).toBe(400);
    expect(e.message).toMatch(/broke off after 3000 bytes \(socket hang up\)/);
    expect(await tmpFiles()).toEqual([]);
  });
});

describe('validation of large files in bounded chunks (above fullParseBytes)', () => {
  // fullParseBytes 1: every file takes the chunked path that 100 MB uploads take.
  const cfg = { fullParseBytes: 1 };

  it('accepts valid glb and compact files and records their Gaussian counts', async () => {
    await open(cfg);
    for (const format of ['glb', 'compact'] as const) {
      const bytes = await sceneBytes(format, 5000, 3);
      const r = await store!.create({ body: bytes });
      expect((await store!.head(r.code, r.token))?.gaussians).toBe(5000);
    }
  });

  it('refuses truncated, lying, non-finite and corrupt files with a 400 naming the problem, storing nothing', async () => {
    await open(cfg);
    const glb = await sceneBytes('glb', 2000, 4);
    const compact = await sceneBytes('compact', 2000, 4);
    // writeGlb refuses NaN itself, so poke one into the written bytes, inside POSITION's bufferView.
    const nanGlb = new Uint8Array(await writeSceneFile(smallScene(2000, 4), 'glb'));
    const jsonLen = new DataView(nanGlb.buffer).getUint32(12, true);
    const json = JSON.parse(new TextDecoder().decode(nanGlb.subarray(20, 20 + jsonLen)));
    const posAcc = json.accessors[json.meshes[0].primitives[0].attributes.POSITION];
    const view = json.bufferViews[posAcc.bufferView];
    const binStart = 20 + jsonLen + ((4 - ((20 + jsonLen) % 4)) % 4) + 8;
    new DataView(nanGlb.buffer).setFloat32(binStart + (view.byteOffset ?? 0) + (posAcc.byteOffset ?? 0) + 12 * 77 + 4, NaN, true);
    const badDeflate = compact.slice();
    for (let i = 200; i < 260; i++) badDeflate[i] ^= 0x5a;
    const lyingCompact = compact.slice();
    new DataView(lyingCompact.buffer).setUint32(8, 1999, true); // count no longer matches the payload
    const cases: [Uint8Array, RegExp][] = [
      [glb.subarray(0, glb.byteLength - 100), /glb: header length \d+ does not match/],
      [nanGlb, /glb: \S+ value NaN of Gaussian \d+ is not finite/],
      [compact.subarray(0, compact.byteLength - 50), /compact: header says \d+ compressed bytes/],
      [badDeflate, /compact: (deflate stream is corrupt|payload inflate)/],
      [lyingCompact, /compact: header payload size \d+ does not match its counts/],
      [await sceneBytes('ply', 10), /\.ply file was uploaded/],
    ];
    for (const [bytes, msg] of cases) {
      const e = await refusal(store!.create({ body: bytes }));
      expect(e.status).toBe(400);
      expect(e.message).toMatch(msg);
    }
    expect(await tmpFiles()).toEqual([]);
    expect(await blobFiles()).toEqual([]);
  });
});

describe('admission by byte budget and disk space', () => {
  it('admits by reserved bytes: uploads beyond maxInFlightBytes wait for a slot instead of failing', async () => {
    const bytes = await sceneBytes('compact', 50);
    await open({ maxInFlightBytes: 3 * bytes.byteLength, maxUploadBytes: bytes.byteLength * 2, queueWaitMs: 10_000 });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const held = () => chunkedStreamAfter(gate, bytes);
    const running = store!.create({ body: held(), declaredLength: bytes.byteLength });
    const running2 = store!.create({ body: held(), declaredLength: bytes.byteLength });
    // A chunked upload (no length) reserves maxUploadBytes = 2 x size: does not fit next to the two, so it waits.
    const waiting = store!.create({ body: chunkedStream(bytes, 100), declaredLength: null });
    await until(() => store!.uploadStats().queued === 1);
    expect(store!.uploadStats()).toMatchObject({ running: 2, queued: 1, heldBytes: 2 * bytes.byteLength });
    release();
    await Promise.all([running, running2, waiting]);
    expect(store!.uploadStats()).toEqual({ running: 0, queued: 0, heldBytes: 0 });
  });

  it('answers 507 at once when the disk cannot hold the upload and nothing else is in flight', async () => {
    await open({ minFreeDiskBytes: Number.MAX_SAFE_INTEGER });
    const e = await refusal(store!.create({ body: await sceneBytes('compact') }));
    expect(e.status).toBe(507);
    expect(e.message).toMatch(/disk has \d+ bytes free/);
  });

  it('a client that goes away while queued leaves the queue', async () => {
    await open({ maxConcurrentUploads: 1, queueWaitMs: 10_000 });
    const bytes = await sceneBytes('compact');
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const first = store!.create({ body: chunkedStreamAfter(gate, bytes) });
    const ac = new AbortController();
    const queued = store!.create({ body: bytes, signal: ac.signal });
    await until(() => store!.uploadStats().queued === 1);
    ac.abort();
    expect((await refusal(queued)).message).toMatch(/cancelled by the client/);
    expect(store!.uploadStats().queued).toBe(0);
    release();
    await first;
  });

  it('keeps a young temp file of another process at open, removes a stale one', async () => {
    await open();
    await store!.close();
    const tmp = path.join(t.dir, BLOB_DIR, 'tmp');
    await writeFile(path.join(tmp, 'up-young'), new Uint8Array(10));
    await writeFile(path.join(tmp, 'up-stale'), new Uint8Array(10));
    const old = (Date.now() - 120_000) / 1000;
    await utimes(path.join(tmp, 'up-stale'), old, old);
    await open({ orphanGraceMs: 60_000 });
    expect(await tmpFiles()).toEqual(['up-young']);
  });
});

function chunkedStreamAfter(gate: Promise<void>, bytes: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    async pull(c) {
      await gate;
      c.enqueue(bytes.slice());
      c.close();
    },
  });
}

describe('Range downloads and HEAD', () => {
  it('parses single byte ranges per RFC 9110', () => {
    expect(parseRange(null, 100)).toBeNull();
    expect(parseRange('bytes=0-9', 100)).toEqual({ start: 0, end: 9 });
    expect(parseRange('bytes=90-', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=-10', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=50-500', 100)).toEqual({ start: 50, end: 99 });
    expect(parseRange('bytes=100-', 100)).toBe('unsatisfiable');
    expect(parseRange('bytes=9-3', 100)).toBe('unsatisfiable');
    expect(parseRange('bytes=0-1,5-6', 100)).toBeNull(); // several ranges: the whole file
    expect(parseRange('items=0-1', 100)).toBeNull();
  });

  it('answers 206 with Content-Range and exactly those bytes, 416 outside the file, 200 when If-Range does not match', async () => {
    await open();
    const bytes = await sceneBytes('glb', 800, 5);
    const r = await store!.create({ body: bytes });
    const get = (headers: Record<string, string>) =>
      handleGetScene(new Request(`http://x/api/scenes/${r.code}`, { headers: { authorization: `Bearer ${r.token}`, ...headers } }), store!, r.code);
    const part = await get({ range: 'bytes=1000-4999' });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 1000-4999/${bytes.byteLength}`);
    expect(part.headers.get('accept-ranges')).toBe('bytes');
    expect(new Uint8Array(await part.arrayBuffer())).toEqual(bytes.subarray(1000, 5000));
    const tail = await get({ range: 'bytes=-100', 'if-range': part.headers.get('etag')! });
    expect(tail.status).toBe(206);
    expect(new Uint8Array(await tail.arrayBuffer())).toEqual(bytes.subarray(bytes.byteLength - 100));
    const bad = await get({ range: `bytes=${bytes.byteLength}-` });
    expect(bad.status).toBe(416);
    expect(bad.headers.get('content-range')).toBe(`bytes */${bytes.byteLength}`);
    const changed = await get({ range: 'bytes=0-9', 'if-range': '"0000"' });
    expect(changed.status).toBe(200);
    expect(new Uint8Array(await changed.arrayBuffer())).toEqual(bytes);
  });

  it('HEAD answers from the metadata row without opening the file; 404 and 401 stay bodiless', async () => {
    await open();
    const bytes = await sceneBytes('compact', 100);
    const r = await store!.create({ body: bytes });
    let opened = 0;
    const blobs = store!.blobs;
    const origGet = blobs.get.bind(blobs);
    blobs.get = (...a) => (opened++, origGet(...a));
    const head = (h: Record<string, string>) => handleHeadScene(new Request(`http://x/api/scenes/${r.code}`, { method: 'HEAD', headers: h }), store!, r.code);
    const ok = await head({ authorization: `Bearer ${r.token}` });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('x-scene-bytes')).toBe(String(bytes.byteLength));
    expect(ok.body).toBeNull();
    expect(opened).toBe(0);
    expect((await head({ authorization: `Bearer ${'A'.repeat(43)}` })).status).toBe(404);
    expect((await head({})).status).toBe(401);
  });
});
