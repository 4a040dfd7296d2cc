/**
 * The Next.js route handlers called as functions with real Fetch `Request` objects: no server.
 * They use the default store, configured here through the same environment variables as prod.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import * as scenesRoute from '../../../app/api/scenes/route';
import * as sceneRoute from '../../../app/api/scenes/[code]/route';
import { closeSceneStore } from '../../../lib/share/default-scene-store';
import { CODE_RE, TOKEN_RE } from '../../../lib/share/share-ids';
import { countingStream, sceneBytes, tempDir, type TempDir } from './share-fixtures';

const LIMIT = 256 * 1024;
const ENV_KEYS = ['SEGSPLAT_DATA_DIR', 'SEGSPLAT_SHARE_MAX_BYTES', 'SEGSPLAT_SHARE_TTL_SECONDS'] as const;
let t: TempDir;
const savedEnv: Record<string, string | undefined> = {};

beforeAll(async () => {
  t = await tempDir();
  for (const k of ENV_KEYS) savedEnv[k] = process.env[k];
  process.env.SEGSPLAT_DATA_DIR = path.join(t.dir, 'share');
  process.env.SEGSPLAT_SHARE_MAX_BYTES = String(LIMIT);
  delete process.env.SEGSPLAT_SHARE_TTL_SECONDS;
});
afterAll(async () => {
  await closeSceneStore();
  for (const k of ENV_KEYS) {
    if (savedEnv[k] === undefined) delete process.env[k];
    else process.env[k] = savedEnv[k];
  }
  await t.cleanup();
});

const BASE = 'http://localhost:3000/api/scenes';

function upload(data: Uint8Array | ReadableStream<Uint8Array> | null, headers: Record<string, string> = {}): Promise<Response> {
  // A copy typed over a plain ArrayBuffer, as BodyInit wants.
  const body: BodyInit | null = data instanceof Uint8Array ? new Uint8Array(data) : data;
  const init: RequestInit & { duplex?: 'half' } = { method: 'POST', body, headers: { 'content-type': 'model/gltf-binary', ...headers } };
  if (body instanceof ReadableStream) init.duplex = 'half';
  return scenesRoute.POST(new Request(BASE, init));
}

const auth = (token: string) => ({ authorization: `Bearer ${token}` });
const ctx = (code: string) => ({ params: Promise.resolve({ code }) });
const getScene = (code: string, headers: Record<string, string> = {}) =>
  sceneRoute.GET(new Request(`${BASE}/${encodeURIComponent(code)}`, { headers }), ctx(code));
const deleteScene = (code: string, headers: Record<string, string> = {}) =>
  sceneRoute.DELETE(new Request(`${BASE}/${encodeURIComponent(code)}`, { method: 'DELETE', headers }), ctx(code));
const listScenes = (headers: Record<string, string> = {}) => scenesRoute.GET(new Request(BASE, { headers }));

async function created(res: Response): Promise<{ id: string; code: string; token: string; expiresAt: string }> {
  expect(res.status, await res.clone().text()).toBe(201);
  return res.json();
}

async function jsonError(res: Response, status: number): Promise<{ error: string; message: string }> {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/application\/json/);
  expect(res.headers.get('cache-control')).toBe('no-store');
  return res.json();
}

describe('route segment config', () => {
  it('runs on Node and is never statically optimised', () => {
    for (const mod of [scenesRoute, sceneRoute]) {
      expect(mod.runtime).toBe('nodejs');
      expect(mod.dynamic).toBe('force-dynamic');
    }
  });
});

describe('/api/scenes', () => {
  it('POST -> 201 {id, code, token}; GET by code + token -> the same bytes with the right headers', async () => {
    const glb = await sceneBytes('glb', 30, 5);
    const r = await created(await upload(glb, { 'content-length': String(glb.byteLength) }));
    expect(r.code).toMatch(CODE_RE);
    expect(r.token).toMatch(TOKEN_RE);
    expect(Date.parse(r.expiresAt) - Date.now()).toBeGreaterThan(6.9 * 24 * 3600 * 1000); // default TTL 7 days

    const res = await getScene(r.code, auth(r.token));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('model/gltf-binary');
    expect(res.headers.get('content-length')).toBe(String(glb.byteLength));
    expect(res.headers.get('x-scene-bytes')).toBe(String(glb.byteLength));
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('repr-digest')).toBe(`sha-256=:${createHash('sha256').update(glb).digest('base64')}:`);
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(glb);

    const compact = await sceneBytes('compact', 12, 6);
    const c = await created(await upload(compact, { 'content-type': 'application/octet-stream', ...auth(r.token) }));
    expect(c.token).toBe(r.token);
    const cres = await getScene(c.code.toLowerCase(), auth(c.token));
    expect(cres.headers.get('content-type')).toBe('application/octet-stream');
    expect(new Uint8Array(await cres.arrayBuffer())).toEqual(compact);

    const list = await listScenes(auth(r.token));
    expect(list.status).toBe(200);
    const { scenes } = (await list.json()) as { scenes: { code: string; format: string; gaussians: number }[] };
    expect(scenes.map((s) => [s.code, s.format, s.gaussians]).sort()).toEqual([
      [r.code, 'glb', 30],
      [c.code, 'compact', 12],
    ].sort());
  });

  it('DELETE with the token -> 204, then 404', async () => {
    const r = await created(await upload(await sceneBytes('compact')));
    expect((await deleteScene(r.code, auth(randomBytes(32).toString('base64url')))).status).toBe(404);
    const del = await deleteScene(r.code, auth(r.token));
    expect(del.status).toBe(204);
    expect(await del.text()).toBe('');
    await jsonError(await getScene(r.code, auth(r.token)), 404);
    await jsonError(await deleteScene(r.code, auth(r.token)), 404);
  });

  it('413 from Content-Length before reading, and from the stream when the length is missing or lies', async () => {
    const declared = countingStream(LIMIT * 4);
    const e1 = await jsonError(await upload(declared.stream, { 'content-length': String(LIMIT * 4) }), 413);
    expect(e1.error).toBe('too_large');
    expect(declared.pulled()).toBe(0);

    const lengths: Record<string, string>[] = [{}, { 'content-length': '100' }];
    for (const headers of lengths) {
      const s = countingStream(LIMIT * 50, 8192);
      const e = await jsonError(await upload(s.stream, headers), 413);
      expect(e.message).toMatch(/while streaming/);
      expect(s.pulled()).toBeLessThanOrEqual(LIMIT + 3 * 8192);
    }
  });

  it('400 with a JSON error naming the problem for truncated and foreign files', async () => {
    const glb = await sceneBytes('glb', 30);
    const trunc = await jsonError(await upload(glb.subarray(0, glb.byteLength - 100)), 400);
    expect(trunc.error).toBe('invalid_scene');
    expect(trunc.message).toMatch(/glb: .*(truncated|does not match)/);
    const foreign = await jsonError(await upload(new TextEncoder().encode('hello, this is not a scene')), 400);
    expect(foreign.message).toMatch(/unknown format/);
    const bad = await jsonError(await upload(glb, { 'content-length': 'abc' }), 400);
    expect(bad.error).toBe('bad_request');
    const wrongType = await jsonError(await upload(glb, { 'content-type': 'multipart/form-data; boundary=x' }), 415);
    expect(wrongType.message).toMatch(/multipart\/form-data/);
  });

  it('404 for a wrong token and for unknown codes, identical bodies; 401 without a token', async () => {
    const r = await created(await upload(await sceneBytes('compact')));
    const other = await created(await upload(await sceneBytes('compact', 9, 2)));
    const wrong = await jsonError(await getScene(r.code, auth(other.token)), 404);
    const unknownCode = r.code === 'ZZZZZZ' ? 'YYYYYY' : 'ZZZZZZ';
    const unknown = await jsonError(await getScene(unknownCode, auth(r.token)), 404);
    expect(wrong).toEqual(unknown);
    const none = await jsonError(await getScene(r.code), 401);
    expect(none.error).toBe('unauthorized');
    await jsonError(await getScene(r.code, { authorization: `Basic ${r.token}` }), 401);
    await jsonError(await listScenes(), 401);
    const emptyList = await listScenes(auth(randomBytes(32).toString('base64url')));
    expect(await emptyList.json()).toEqual({ scenes: [] });
  });

  it('404 for path tricks in codes, with the data directory untouched', async () => {
    const bytes = await sceneBytes('compact');
    const r = { ...(await created(await upload(bytes))), bytes: bytes.byteLength };
    const dataDir = process.env.SEGSPLAT_DATA_DIR!;
    const before = await readdir(dataDir, { recursive: true });
    const tricks = ['..', '../../etc/passwd', '%2e%2e', '%2e%2e%2fscenes.sqlite', '/etc/passwd', '..%2f..%2f', 'scenes.sqlite', `${r.code}\0`, '\0', 'x'.repeat(5000), r.id, `blobs/${r.id}`];
    for (const code of tricks) {
      await jsonError(await getScene(code, auth(r.token)), 404);
      await jsonError(await deleteScene(code, auth(r.token)), 404);
    }
    expect(await readdir(dataDir, { recursive: true })).toEqual(before);
    const head = await sceneRoute.HEAD(new Request(`${BASE}/${r.code}`, { method: 'HEAD', headers: auth(r.token) }), ctx(r.code));
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(r.bytes));
    expect(head.body).toBeNull();
  });

  it('handles many parallel uploads through the route', async () => {
    const files = await Promise.all(Array.from({ length: 4 }, (_, i) => sceneBytes('glb', 5 + i, 20 + i)));
    const receipts = await Promise.all(files.map(async (f) => created(await upload(f))));
    expect(new Set(receipts.map((r) => r.code)).size).toBe(files.length);
    const back = await Promise.all(receipts.map(async (r) => new Uint8Array(await (await getScene(r.code, auth(r.token))).arrayBuffer())));
    back.forEach((b, i) => expect(b).toEqual(files[i]));
  });

  it('a bad configuration value answers 500 and the next request opens the store again', async () => {
    const token = randomBytes(32).toString('base64url');
    await closeSceneStore();
    process.env.SEGSPLAT_SHARE_MAX_BYTES = '200MB';
    const errors: unknown[] = [];
    const orig = console.error;
    console.error = (...a: unknown[]) => void errors.push(a);
    try {
      await jsonError(await listScenes(auth(token)), 500);
    } finally {
      console.error = orig;
    }
    expect(String(errors[0])).toMatch(/SEGSPLAT_SHARE_MAX_BYTES/);
    process.env.SEGSPLAT_SHARE_MAX_BYTES = String(LIMIT);
    expect((await listScenes(auth(token))).status).toBe(200);
  });
});
