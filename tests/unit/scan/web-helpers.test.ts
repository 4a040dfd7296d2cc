import { describe, expect, it } from 'vitest';
import { depthMapFromCpuDepth, rgbaToRgbFlipped } from '../../../lib/web/scan/xr-camera';
import { readScanPageParams } from '../../../lib/web/scan/scan-params';
import { qrSvg, shareScene, viewUrlFor } from '../../../lib/web/scan/share-scene';

describe('camera read-back helpers', () => {
  it('flips WebGL rows to a top-left origin and drops alpha', () => {
    // 2x2 RGBA, bottom row first as readPixels returns it.
    const rgba = new Uint8Array([1, 2, 3, 255, 4, 5, 6, 255, 7, 8, 9, 255, 10, 11, 12, 255]);
    const img = rgbaToRgbFlipped(rgba, 2, 2);
    expect(Array.from(img.data)).toEqual([7, 8, 9, 10, 11, 12, 1, 2, 3, 4, 5, 6]);
    expect(() => rgbaToRgbFlipped(rgba, 3, 2)).toThrow(/bytes for 3x2/);
  });

  it('resamples CPU depth through normDepthBufferFromNormView onto the image aspect with scaled intrinsics', () => {
    // 4x2 buffer of raw uint16 millimetres; value = 1000 + 100 * x + 10 * y.
    const raw = new Uint16Array(8);
    for (let y = 0; y < 2; y++) for (let x = 0; x < 4; x++) raw[y * 4 + x] = 1000 + 100 * x + 10 * y;
    const K = { fx: 80, fy: 80, cx: 40, cy: 20, width: 80, height: 40 };
    // Identity mapping.
    const id = new Float32Array([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
    const d = depthMapFromCpuDepth({ width: 4, height: 2, rawValueToMeters: 0.001, data: raw.buffer, normDepthBufferFromNormView: { matrix: id } }, 'luminance-alpha', K);
    expect([d.width, d.height]).toEqual([4, 2]);
    expect(d.intrinsics.fx).toBeCloseTo(4, 12);
    expect(d.intrinsics.cy).toBeCloseTo(1, 12);
    expect(d.data[0]).toBeCloseTo(1.0, 6);
    expect(d.data[7]).toBeCloseTo(1.31, 6);
    // A buffer stored mirrored in x (x' = 1 - x): the first view pixel reads the last buffer column.
    const mirror = new Float32Array([-1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 1]);
    const m = depthMapFromCpuDepth({ width: 4, height: 2, rawValueToMeters: 0.001, data: raw.buffer, normDepthBufferFromNormView: { matrix: mirror } }, 'luminance-alpha', K);
    expect(m.data[0]).toBeCloseTo(1.3, 6);
    const f32 = new Float32Array(8).fill(2.5);
    expect(depthMapFromCpuDepth({ width: 4, height: 2, rawValueToMeters: 1, data: f32.buffer, normDepthBufferFromNormView: { matrix: id } }, 'float32', K).data[5]).toBe(2.5);
  });
});

describe('scan page parameters', () => {
  it('accepts the test camera only inside the emulated session with a room', () => {
    expect(readScanPageParams('?xr-emulate=quest3&room=living_room&test-camera=sim')).toEqual({ simRoom: 'living_room', maxSplats: 200000, modelsBase: '/models/', testModels: false });
    expect(readScanPageParams('?max-splats=5000')).toEqual({ simRoom: null, maxSplats: 5000, modelsBase: '/models/', testModels: false });
    expect(readScanPageParams('?models=/test-models/')).toMatchObject({ modelsBase: '/test-models/', testModels: true });
    expect(() => readScanPageParams('?models=https://evil.example/')).toThrow(/models=/);
    expect(() => readScanPageParams('?test-camera=sim')).toThrow(/needs the emulated session/);
    expect(() => readScanPageParams('?xr-emulate=quest3&room=none&test-camera=sim')).toThrow(/with a room/);
    expect(() => readScanPageParams('?test-camera=webcam')).toThrow(/only "sim"/);
    expect(() => readScanPageParams('?max-splats=0')).toThrow(/max-splats/);
  });
});

describe('sharing', () => {
  it('posts the .glb and builds the /view link; server errors keep their message', async () => {
    const calls: { url: string; init: RequestInit }[] = [];
    const ok = (async (url: string, init: RequestInit) => {
      calls.push({ url, init });
      return new Response(JSON.stringify({ id: 'x', code: 'H5P5NG', token: 'tok/en', expiresAt: '2026-12-01' }), { status: 201 });
    }) as unknown as typeof fetch;
    const s = await shareScene(new Uint8Array([1, 2, 3]), 'https://host', { fetch: ok });
    expect(calls[0].url).toBe('/api/scenes');
    expect(calls[0].init.method).toBe('POST');
    expect(s.viewUrl).toBe('https://host/view?code=H5P5NG#token=tok%2Fen');
    expect(viewUrlFor('http://a', 'C', 'T')).toBe('http://a/view?code=C#token=T');
    const bad = (async () => new Response(JSON.stringify({ error: 'invalid_scene', message: 'glb: truncated' }), { status: 400 })) as unknown as typeof fetch;
    await expect(shareScene(new Uint8Array(1), 'https://host', { fetch: bad })).rejects.toThrow(/HTTP 400.*glb: truncated/);
    expect(qrSvg('https://host/view?code=H5P5NG')).toMatch(/^<svg[\s\S]*<\/svg>$/);
  });
});
