import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { randomBytes, createHash } from 'node:crypto';
import { readdir, readFile, truncate, unlink, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { openSqliteSceneStore, BLOB_DIR, type SqliteSceneStore, type SqliteSceneStoreOptions } from '../../../lib/share/sqlite-scene-store';
import { CODE_ALPHABET, CODE_RE, SCENE_ID_RE, TOKEN_RE, hashToken } from '../../../lib/share/share-ids';
import { DEFAULT_MAX_UPLOAD_BYTES } from '../../../lib/share/share-config';
import { chunkedStream, countingStream, until, readAll, sceneBytes, tempDir, testConfig, type TempDir, refusal } from './share-fixtures';

let t: TempDir;
let store: SqliteSceneStore | null = null;
let reports: string[] = [];

beforeEach(async () => {
  t = await tempDir();
  reports = [];
});
afterEach(async () => {
  await store?.close();
  store = null;
  await t.cleanup();
});

async function open(over: Partial<SqliteSceneStoreOptions> & { cfg?: Parameters<typeof testConfig>[1] } = {}) {
  const { cfg, ...rest } = over;
  await store?.close();
  const r = await openSqliteSceneStore({ config: testConfig(t.dir, cfg), report: (m) => reports.push(m), ...rest });
  store = r.store;
  return r;
}

const blobDir = () => path.join(t.dir, BLOB_DIR);
const blobFiles = async () => (await readdir(blobDir())).filter((n) => n !== 'tmp').sort();

/** The info of a stored scene, releasing its open file (null when not found). */
async function peek(code: string, token: string) {
  const f = await store!.get(code, token);
  await f?.body.cancel();
  return f?.info ?? null;
}


describe('SqliteSceneStore: round trip', () => {
  it('stores glb and compact scenes byte-exactly and serves them by code + token', async () => {
    await open();
    for (const format of ['glb', 'compact'] as const) {
      const bytes = await sceneBytes(format, 40, format === 'glb' ? 3 : 4);
      const r = await store!.create({ body: chunkedStream(bytes, 777), declaredLength: bytes.byteLength });
      expect(r.id).toMatch(SCENE_ID_RE);
      expect(r.code).toMatch(CODE_RE);
      expect(r.token).toMatch(TOKEN_RE);
      const f = await store!.get(r.code, r.token);
      expect(f).not.toBeNull();
      expect(f!.info.format).toBe(format);
      expect(f!.info.gaussians).toBe(40);
      expect(f!.size).toBe(bytes.byteLength);
      expect(f!.info.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
      expect(await readAll(f!.body)).toEqual(bytes);
      // Codes are typed by people: lower case finds the same scene.
      const lower = await store!.get(r.code.toLowerCase(), r.token);
      expect(lower?.info.id).toBe(r.id);
      await lower!.body.cancel();
    }
  });

  it('stores only the token hash, never the token', async () => {
    await open();
    const r = await store!.create({ body: await sceneBytes('compact') });
    const db = await readFile(path.join(t.dir, 'scenes.sqlite'));
    const wal = await readFile(path.join(t.dir, 'scenes.sqlite-wal')).catch(() => Buffer.alloc(0));
    const all = Buffer.concat([db, wal]);
    expect(all.includes(Buffer.from(r.token))).toBe(false);
    expect(all.includes(hashToken(r.token))).toBe(true);
  });

  it('files uploads with a presented token under it and lists per token, newest first', async () => {
    let now = 1_800_000_000_000;
    await open({ clock: { now: () => now } });
    const a = await store!.create({ body: await sceneBytes('glb', 8, 1) });
    now += 1000;
    const b = await store!.create({ body: await sceneBytes('compact', 9, 2), token: a.token });
    const other = await store!.create({ body: await sceneBytes('compact', 10, 3) });
    expect(b.token).toBe(a.token);
    expect(other.token).not.toBe(a.token);
    const mine = await store!.list(a.token);
    expect(mine.map((s) => s.code)).toEqual([b.code, a.code]);
    expect(mine.map((s) => s.gaussians)).toEqual([9, 8]);
    expect((await store!.list(other.token)).map((s) => s.code)).toEqual([other.code]);
    expect(await store!.list(randomBytes(32).toString('base64url'))).toEqual([]);
    expect(await store!.list('not a token')).toEqual([]);
    await expect(store!.create({ body: await sceneBytes('glb'), token: 'short' })).rejects.toMatchObject({ status: 401 });
  });

  it('delete removes row and blob; a second delete and a later get find nothing', async () => {
    await open();
    const r = await store!.create({ body: await sceneBytes('glb') });
    expect(await blobFiles()).toEqual([r.id]);
    expect(await store!.delete(r.code, randomBytes(32).toString('base64url'))).toBe(false);
    expect(await store!.delete(r.code, r.token)).toBe(true);
    expect(await blobFiles()).toEqual([]);
    expect(await store!.delete(r.code, r.token)).toBe(false);
    expect(await store!.get(r.code, r.token)).toBeNull();
  });

  it('persists across close and reopen', async () => {
    await open();
    const bytes = await sceneBytes('glb', 16, 9);
    const r = await store!.create({ body: bytes });
    await store!.close();
    const { recovery } = await open();
    expect(recovery).toEqual({ expired: 0, orphanBlobs: 0, missingBlobs: [], tempFiles: 0 });
    const f = await store!.get(r.code, r.token);
    expect(await readAll(f!.body)).toEqual(bytes);
  });
});

describe('SqliteSceneStore: refusals', () => {
  it('refuses a declared Content-Length over the default 200 MiB limit without reading the body', async () => {
    await open();
    const body = countingStream(1 << 20);
    const e = await refusal(store!.create({ body: body.stream, declaredLength: DEFAULT_MAX_UPLOAD_BYTES + 1 }));
    expect(e.status).toBe(413);
    expect(e.message).toMatch(/Content-Length/);
    expect(body.pulled()).toBe(0);
  });

  it('stops reading a body that outgrows the limit while streaming (missing or lying length)', async () => {
    const limit = 64 * 1024;
    await open({ cfg: { maxUploadBytes: limit } });
    for (const declaredLength of [null, 1000]) {
      const body = countingStream(100 * limit, 4096);
      const e = await refusal(store!.create({ body: body.stream, declaredLength }));
      expect(e.status).toBe(413);
      expect(e.message).toMatch(/while streaming/);
      // At most the limit plus what the stream had queued: never the 6.4 MB it offered.
      expect(body.pulled()).toBeLessThanOrEqual(limit + 3 * 4096);
      expect(body.cancelled()).toBe(true);
    }
    expect(await blobFiles()).toEqual([]);
    // Exactly at the limit is fine (a valid scene padded by nothing: just check the counter's edge).
    const exact = await sceneBytes('compact', 8);
    await open({ cfg: { maxUploadBytes: exact.byteLength } });
    await expect(store!.create({ body: chunkedStream(exact, 50) })).resolves.toMatchObject({ code: expect.stringMatching(CODE_RE) });
  });

  it('refuses truncated, corrupt and foreign files with a 400 naming the problem, storing nothing', async () => {
    await open();
    const glb = await sceneBytes('glb', 32);
    const compact = await sceneBytes('compact', 32);
    const cases: [string, Uint8Array, RegExp][] = [
      ['truncated glb', glb.subarray(0, Math.floor(glb.byteLength / 2)), /glb.*(truncated|does not match)/],
      ['glb cut inside its header', glb.subarray(0, 10), /glb/],
      ['truncated compact', compact.subarray(0, compact.byteLength - 7), /compact|SGSC|truncated/i],
      ['png bytes', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]), /unknown format.*89 50 4e 47/],
      ['json text', new TextEncoder().encode('{"asset":{"version":"2.0"}}'), /looks like JSON/],
      ['ply', await sceneBytes('ply', 8), /\.ply file was uploaded/],
      ['empty', new Uint8Array(0), /empty body/],
    ];
    for (const [what, bytes, re] of cases) {
      const e = await refusal(store!.create({ body: bytes }));
      expect(e.status, what).toBe(400);
      expect(e.reason, what).toBe('invalid_scene');
      expect(e.message, what).toMatch(re);
    }
    // A bit flip inside the glb's JSON chunk also fails validation.
    const flipped = glb.slice();
    flipped[30] ^= 0xff;
    expect((await refusal(store!.create({ body: flipped }))).status).toBe(400);
    expect(await blobFiles()).toEqual([]);
  });

  it('answers null for a wrong token, exactly as for an unknown code', async () => {
    await open();
    const r = await store!.create({ body: await sceneBytes('compact') });
    const r2 = await store!.create({ body: await sceneBytes('compact', 5, 2) });
    expect(await store!.get(r.code, r2.token)).toBeNull();
    expect(await store!.get(r.code, randomBytes(32).toString('base64url'))).toBeNull();
    expect(await store!.get(r.code, r.token.slice(0, 42))).toBeNull();
    const unknown = [...CODE_ALPHABET.slice(0, 6)].join('') === r.code ? 'ZZZZZZ' : CODE_ALPHABET.slice(0, 6);
    expect(await store!.get(unknown, r.token)).toBeNull();
  });

  it('never lets codes or ids with path tricks near the file system', async () => {
    await open();
    const r = await store!.create({ body: await sceneBytes('compact') });
    const before = await readdir(t.dir, { recursive: true });
    const tricks = ['../../etc/passwd', '..', '%2e%2e', '%2e%2e%2f', '/etc/passwd', 'C:\\Windows', '..\\..', `${r.code.slice(0, 5)}\0`, `AB\0CDE`, r.code + '/', 'A'.repeat(10_000), r.id, '', ' '];
    for (const code of tricks) {
      expect(await store!.get(code, r.token), JSON.stringify(code.slice(0, 20))).toBeNull();
      expect(await store!.delete(code, r.token)).toBe(false);
    }
    // The blob store refuses any id that is not 32 hex characters before building a path.
    const blobs = store!.blobs;
    for (const id of ['../x', '/etc/passwd', '..', `${'a'.repeat(32)}/..`, `${'a'.repeat(31)}\0`, 'A'.repeat(32), 'a'.repeat(33), '%2e%2e']) {
      await expect(blobs.put(id, new Uint8Array([1]))).rejects.toThrow(/invalid blob id/);
      await expect(blobs.get(id)).rejects.toThrow(/invalid blob id/);
      await expect(blobs.delete(id)).rejects.toThrow(/invalid blob id/);
    }
    expect(await readdir(t.dir, { recursive: true })).toEqual(before);
    expect((await peek(r.code, r.token))?.id).toBe(r.id);
  });
});

describe('SqliteSceneStore: concurrency', () => {
  it('gives many parallel uploads distinct ids, codes and tokens, all retrievable', async () => {
    await open({ cfg: { maxConcurrentUploads: 64 } });
    const N = 24;
    const inputs = await Promise.all(Array.from({ length: N }, (_, i) => sceneBytes(i % 2 ? 'glb' : 'compact', 4 + i, i + 1)));
    const receipts = await Promise.all(inputs.map((b) => store!.create({ body: chunkedStream(b, 512) })));
    expect(new Set(receipts.map((r) => r.id)).size).toBe(N);
    expect(new Set(receipts.map((r) => r.code)).size).toBe(N);
    expect(new Set(receipts.map((r) => r.token)).size).toBe(N);
    const back = await Promise.all(receipts.map(async (r) => readAll((await store!.get(r.code, r.token))!.body)));
    back.forEach((b, i) => expect(b).toEqual(inputs[i]));
    expect((await blobFiles()).length).toBe(N);
  });

  it('queues uploads past maxConcurrentUploads, and answers 503 + Retry-After only when the queue is full or the wait runs out', async () => {
    await open({ cfg: { maxConcurrentUploads: 2, maxQueuedUploads: 1, queueWaitMs: 300, retryAfterS: 3 } });
    const bytes = await sceneBytes('compact');
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const held = () =>
      new ReadableStream<Uint8Array>({
        async pull(c) {
          await gate;
          c.enqueue(bytes);
          c.close();
        },
      });
    const first = [store!.create({ body: held() }), store!.create({ body: held() })];
    // Third waits in the queue; fourth finds the queue full and is refused at once.
    const queued = store!.create({ body: bytes });
    await until(() => store!.uploadStats().queued === 1);
    expect(store!.uploadStats()).toMatchObject({ running: 2, queued: 1 });
    const full = await refusal(store!.create({ body: bytes }));
    expect(full.status).toBe(503);
    expect(full.retryAfterS).toBe(3);
    // The queued one gives up after queueWaitMs with the same 503 (the running two still hold their slots).
    const waited = await refusal(queued);
    expect(waited.status).toBe(503);
    expect(waited.message).toMatch(/waited 300 ms/);
    release();
    const done = await Promise.all(first);
    expect(done[0].code).not.toBe(done[1].code);
    expect(store!.uploadStats()).toEqual({ running: 0, queued: 0, heldBytes: 0 });

    // A queued upload whose slot frees within the wait is admitted, not refused (a long wait: timing-proof on a loaded machine).
    await open({ cfg: { maxConcurrentUploads: 1, maxQueuedUploads: 1, queueWaitMs: 60_000 } });
    let release2!: () => void;
    const gate2 = new Promise<void>((r) => (release2 = r));
    const running = store!.create({
      body: new ReadableStream<Uint8Array>({
        async pull(c) {
          await gate2;
          c.enqueue(bytes);
          c.close();
        },
      }),
    });
    const admitted = store!.create({ body: bytes });
    await until(() => store!.uploadStats().queued === 1);
    release2();
    await expect(running).resolves.toBeTruthy();
    await expect(admitted).resolves.toBeTruthy();
    expect(store!.uploadStats()).toEqual({ running: 0, queued: 0, heldBytes: 0 });
  });

  it('retries a colliding code and gives up cleanly when no code is free', async () => {
    const fixed = new Uint8Array([0, 1, 2, 3, 4, 5]);
    let codeDraws = 0;
    let collide = 2;
    await open({
      random: (n) => {
        if (n !== 6) return randomBytes(n);
        codeDraws++;
        return collide-- > 0 ? fixed : randomBytes(6);
      },
    });
    const a = await store!.create({ body: await sceneBytes('compact', 4, 1) });
    const b = await store!.create({ body: await sceneBytes('compact', 5, 2) });
    expect(a.code).toBe('234567');
    expect(b.code).not.toBe(a.code);
    expect(codeDraws).toBe(3); // b's first draw collided
    await store!.close();

    await open({ random: (n) => (n === 6 ? fixed : randomBytes(n)) });
    await expect(store!.create({ body: await sceneBytes('compact', 6, 3) })).rejects.toThrow(/no free share code/);
    expect(await blobFiles()).toEqual([a.id, b.id].sort());
  });
});

describe('SqliteSceneStore: crash safety and repair', () => {
  it('a failure between blob write and metadata write leaves no orphan and loses nothing acknowledged', async () => {
    let fail = false;
    await open({
      hooks: {
        afterBlobPut: () => {
          if (fail) throw new Error('injected failure after blob write');
        },
      },
    });
    const kept = await store!.create({ body: await sceneBytes('glb', 12, 1) });
    fail = true;
    await expect(store!.create({ body: await sceneBytes('glb', 13, 2) })).rejects.toThrow(/injected failure/);
    expect(await blobFiles()).toEqual([kept.id]);
    expect(await store!.list(kept.token)).toHaveLength(1);
    expect((await peek(kept.code, kept.token))?.gaussians).toBe(12);
  });

  it('open removes orphan blobs and temp files, and reports and drops rows whose blob is gone', async () => {
    await open();
    const a = await store!.create({ body: await sceneBytes('glb', 10, 1) });
    const b = await store!.create({ body: await sceneBytes('compact', 11, 2) });
    const c = await store!.create({ body: await sceneBytes('compact', 12, 3) });
    await store!.close();
    // What crashes and accidents leave behind: an orphan, a half-written temp file, a lost blob, a cut blob.
    const orphan = 'f'.repeat(32);
    await writeFile(path.join(blobDir(), orphan), await sceneBytes('compact', 3, 4));
    await writeFile(path.join(blobDir(), 'tmp', `${'e'.repeat(32)}.0123456789ab`), new Uint8Array(100));
    await unlink(path.join(blobDir(), b.id));
    await truncate(path.join(blobDir(), c.id), 50);
    const { recovery } = await open({ cfg: { orphanGraceMs: 0 } });
    expect(recovery.orphanBlobs).toBe(1);
    expect(recovery.tempFiles).toBe(1);
    expect(recovery.missingBlobs.sort()).toEqual([b.id, c.id].sort());
    expect(reports.join('\n')).toContain(b.id);
    expect(reports.join('\n')).toMatch(new RegExp(`${c.id}: blob is 50 bytes`));
    expect(await blobFiles()).toEqual([a.id]);
    expect(await readdir(path.join(blobDir(), 'tmp'))).toEqual([]);
    expect(await store!.get(b.code, b.token)).toBeNull();
    expect((await peek(a.code, a.token))?.gaussians).toBe(10);
  });

  it('a blob lost while the store runs is reported on get and its row removed', async () => {
    await open();
    const r = await store!.create({ body: await sceneBytes('compact') });
    await unlink(path.join(blobDir(), r.id));
    expect(await store!.get(r.code, r.token)).toBeNull();
    expect(reports.some((m) => m.includes(r.id) && /missing/.test(m))).toBe(true);
    expect(await store!.list(r.token)).toEqual([]);
  });

  it('keeps young orphans (another process may be mid-upload) until the grace period has passed', async () => {
    let now = Date.now();
    await open({ clock: { now: () => now }, cfg: { orphanGraceMs: 60_000 } });
    const orphan = 'a'.repeat(32);
    await writeFile(path.join(blobDir(), orphan), new Uint8Array(10));
    const sec = Math.floor(now / 1000);
    await utimes(path.join(blobDir(), orphan), sec, sec);
    expect((await store!.sweep()).orphanBlobs).toBe(0);
    expect(await blobFiles()).toEqual([orphan]);
    now += 61_000;
    expect((await store!.sweep()).orphanBlobs).toBe(1);
    expect(await blobFiles()).toEqual([]);
  });
});

describe('SqliteSceneStore: expiry', () => {
  it('codes die at their TTL (404 at once) and the sweep deletes them', async () => {
    let now = 1_800_000_000_000;
    const ttlMs = 7 * 24 * 3600 * 1000;
    await open({ clock: { now: () => now }, cfg: { ttlMs, sweepIntervalMs: 3600_000 } });
    const old = await store!.create({ body: await sceneBytes('compact', 4, 1) });
    expect(old.expiresAt).toBe(now + ttlMs);
    now += ttlMs / 2;
    const young = await store!.create({ body: await sceneBytes('compact', 5, 2), token: old.token });
    now = old.expiresAt - 1;
    const f = await store!.get(old.code, old.token);
    expect(f).not.toBeNull();
    await f!.body.cancel();
    now = old.expiresAt;
    expect(await store!.get(old.code, old.token)).toBeNull();
    expect(await store!.delete(old.code, old.token)).toBe(false);
    expect((await store!.list(old.token)).map((s) => s.code)).toEqual([young.code]);
    // Invisible already; the blob goes with the sweep (list() above started one in the background).
    await store!.sweep();
    expect(await blobFiles()).toEqual([young.id]);
    now = young.expiresAt + 1;
    expect((await store!.sweep()).expired).toBe(1);
    expect(await blobFiles()).toEqual([]);
  });

  it('sweep at open removes what expired while the server was down', async () => {
    let now = 1_800_000_000_000;
    await open({ clock: { now: () => now }, cfg: { ttlMs: 1000 } });
    await store!.create({ body: await sceneBytes('compact') });
    await store!.close();
    now += 1000;
    const { recovery } = await open({ clock: { now: () => now }, cfg: { ttlMs: 1000 } });
    expect(recovery.expired).toBe(1);
    expect(await blobFiles()).toEqual([]);
  });
});
