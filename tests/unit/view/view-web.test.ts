import { describe, expect, it } from 'vitest';
import { readViewParams, normalizeShareCode } from '../../../lib/web/view/view-params';
import { fetchSharedScene, SharedSceneError } from '../../../lib/web/view/shared-scene';
import { combineAnswers, placeBox, placePoint } from '../../../lib/web/view/view-answer';
import { roomEntitiesFromFrame } from '../../../lib/web/view/xr-room';
import type { QueryAnswer } from '../../../lib/inference/semantics/query';

const TOKEN = 'W4sS' + 'x'.repeat(39);

describe('readViewParams', () => {
  it('reads code from the query and token from the fragment', () => {
    const p = readViewParams('?code=h5p5ng&max-splats=1000', `#token=${TOKEN}`);
    expect(p).toMatchObject({ code: 'H5P5NG', token: TOKEN, maxSplats: 1000, modelsBase: '/models/', testModels: false });
  });
  it('takes the test-only models base and refuses other origins', () => {
    expect(readViewParams('?models=/test-models/', '').testModels).toBe(true);
    expect(() => readViewParams('?models=https://evil.example/', '')).toThrow(/path on this site/);
    expect(() => readViewParams('?models=//evil.example/', '')).toThrow(/path on this site/);
  });
  it('refuses malformed codes and tokens with a message', () => {
    expect(() => normalizeShareCode('ABC10O')).toThrow(/not a scene code/);
    expect(() => readViewParams('?code=H5P5NG', '#token=short')).toThrow(/43-character/);
    expect(readViewParams('', '').code).toBeNull();
  });
});

function fakeFetch(status: number, body: Uint8Array | string, headers: Record<string, string> = {}) {
  const calls: { url: string; init?: RequestInit }[] = [];
  const f = async (url: string, init?: RequestInit) => {
    calls.push({ url, init });
    return new Response(typeof body === 'string' ? body : (body as unknown as BodyInit), { status, headers });
  };
  return { f, calls };
}

describe('fetchSharedScene', () => {
  it('downloads with the bearer token and reports progress against X-Scene-Bytes', async () => {
    const bytes = new Uint8Array(5000).map((_, i) => i & 255);
    const { f, calls } = fakeFetch(200, bytes, { 'x-scene-bytes': '5000', 'x-scene-format': 'glb', 'x-scene-gaussians': '12' });
    const seen: [number, number][] = [];
    const d = await fetchSharedScene('h5p5ng', TOKEN, { fetch: f, onProgress: (l, t) => seen.push([l, t]) });
    expect(calls[0].url).toBe('/api/scenes/H5P5NG');
    expect(new Headers(calls[0].init?.headers).get('authorization')).toBe(`Bearer ${TOKEN}`);
    expect(d.bytes).toEqual(bytes);
    expect(d).toMatchObject({ code: 'H5P5NG', format: 'glb', gaussians: 12 });
    expect(seen.at(-1)).toEqual([5000, 5000]);
  });
  it('maps 404 and 401 to readable errors, and catches a short download', async () => {
    await expect(fetchSharedScene('H5P5NG', TOKEN, { fetch: fakeFetch(404, '{}').f })).rejects.toThrow(/unknown or expired code H5P5NG/);
    await expect(fetchSharedScene('H5P5NG', TOKEN, { fetch: fakeFetch(401, '{}').f })).rejects.toThrow(/refused the token/);
    const fast = { maxAttempts: 2, baseDelayMs: 1 };
    await expect(fetchSharedScene('H5P5NG', TOKEN, { fetch: fakeFetch(200, new Uint8Array(10), { 'x-scene-bytes': '20' }).f, retry: fast })).rejects.toThrow(/stopped at 10 of 20/);
    // 503 is retried (tests/unit/share/share-transfer.test.ts); when retries run out the error says so.
    const err = await fetchSharedScene('H5P5NG', TOKEN, { fetch: fakeFetch(503, '{"message":"busy"}').f, retry: fast }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SharedSceneError);
    expect((err as Error).message).toMatch(/server busy after 2 attempts/);
  });
});

describe('combineAnswers', () => {
  it('places scene answers by the pose before merging with room labels', () => {
    const pose = { x: 1, z: 0, yaw: Math.PI / 2 };
    expect(placePoint([1, 0.5, 0], pose).map((v) => +v.toFixed(6))).toEqual([1, 0.5, -1]);
    const b = placeBox({ min: [0, 0, 0], max: [1, 1, 2] }, pose);
    expect(b.min.map((v) => +v.toFixed(6))).toEqual([1, 0, -1]);
    expect(b.max.map((v) => +v.toFixed(6))).toEqual([3, 1, 0]);
    const scene = { instances: [{ label: 'lamp', score: 0.6, centroid: [1, 1, 0], box: { min: [0.9, 0.9, -0.1], max: [1.1, 1.1, 0.1] } }] } as unknown as QueryAnswer;
    const device = { query: 'lamp', labels: ['LAMP'], instances: [{ source: 'device' as const, label: 'LAMP', kind: 'mesh' as const, count: 8, centroid: [1, 1, -1] as [number, number, number], box: { min: [0.9, 0.9, -1.1] as [number, number, number], max: [1.1, 1.1, -0.9] as [number, number, number] } }] };
    const m = combineAnswers(scene, device, pose);
    expect(m).toHaveLength(1);
    expect(m[0].source).toBe('both');
    expect(combineAnswers(scene, device, { x: 0, z: 0, yaw: 0 })).toHaveLength(2);
  });
});

describe('roomEntitiesFromFrame', () => {
  it('poses plane polygons and mesh vertices into the reference space', () => {
    const translate = (x: number) => ({ transform: { matrix: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, x, 0, 0, 1] } });
    const frame = {
      detectedPlanes: [{ planeSpace: 'p', polygon: [{ x: 0, y: 0, z: 0 }, { x: 1, y: 0, z: 0 }, { x: 1, y: 0, z: 1 }], semanticLabel: 'table' }],
      detectedMeshes: [{ meshSpace: 'm', vertices: new Float32Array([0, 0, 0, 0, 1, 0, 1, 0, 0]), indices: new Uint32Array([0, 1, 2]), semanticLabel: 'lamp' }],
      getPose: (space: unknown) => (space === 'p' ? translate(2) : translate(-1)),
    };
    const e = roomEntitiesFromFrame(frame, 'ref');
    expect(e.map((x) => [x.label, x.kind])).toEqual([['TABLE', 'plane'], ['LAMP', 'mesh']]);
    expect(Array.from(e[0].points.subarray(0, 3))).toEqual([2, 0, 0]);
    expect(Array.from(e[1].points.subarray(6, 9))).toEqual([0, 0, 0]);
  });
});
