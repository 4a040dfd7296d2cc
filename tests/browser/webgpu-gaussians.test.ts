/**
 * Gaussians from depth: the WebGPU kernel (lib/gpu) agrees with the CPU reference on a real frame
 * of the sample room (exact depth, 320x240), in headless Chromium on its software WebGPU adapter
 * (SwiftShader, `--enable-unsafe-webgpu`). The page code is bundled here with esbuild and served by
 * a tiny server of this test (with public/samples), so no app page is involved.
 *
 * Tolerances (f32 on the GPU vs f64 on the CPU, metre-scale room): same counts (Gaussians, invalid,
 * flying, outside) and same source pixels, i.e. every keep/drop decision identical; positions within
 * 1e-5 m; scales and weights within 1e-4 relative; rotations |q_cpu · q_gpu| >= 1 - 5e-5 (about 0.6°; q and -q are
 * one rotation); colours and opacities within 1e-6.
 */
import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchBrowser, type TestBrowser } from './support/browser';
import type { GaussiansAgreement } from './support/webgpu-agreement-page';

let tb: TestBrowser;
let server: Server;
let base = '';

beforeAll(async () => {
  const bundle = await build({
    entryPoints: [join(process.cwd(), 'tests/browser/support/webgpu-agreement-page.ts')],
    bundle: true, format: 'esm', write: false, platform: 'browser', target: 'es2022', logLevel: 'silent',
  });
  const js = bundle.outputFiles[0].text;
  const publicDir = join(process.cwd(), 'public');
  server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    if (path === '/') return res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>webgpu agreement</title><script type="module" src="/page.js"></script>');
    if (path === '/page.js') return res.writeHead(200, { 'content-type': 'text/javascript' }).end(js);
    const file = normalize(join(publicDir, path));
    if (!path.startsWith('/samples/') || !file.startsWith(publicDir)) return res.writeHead(404).end();
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': extname(file) === '.json' ? 'application/json' : 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  tb = await launchBrowser();
});
afterAll(async () => {
  await tb?.close();
  await new Promise((r) => server?.close(r));
});

it.each([
  { name: 'exact depth', edit: false, strides: [1, 3] },
  { name: 'edited depth (holes, NaN, a step, flying pixels, confidence, rays outside the image)', edit: true, strides: [1, 2] },
])('WebGPU and CPU Gaussians from depth agree on a sample-room frame: $name', async ({ edit, strides }) => {
  const page = await tb.context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(base + '/', { waitUntil: 'load' });
  await page.waitForFunction(() => 'gaussiansAgreement' in globalThis);
  const rows = await page.evaluate(
    ([url, s, e]) =>
      (globalThis as unknown as { gaussiansAgreement: (u: string, f: number, s: number[], e: boolean) => Promise<GaussiansAgreement[]> }).gaussiansAgreement(url, 2, s, e),
    [base + '/samples/living_room/', strides, edit] as const,
  );
  console.log(JSON.stringify(rows));
  for (const r of rows) {
    expect(r.backend, `stride ${r.stride}: ${r.reason}`).toBe('webgpu');
    expect(r.software).toBe(true);
    expect(r.cpu.count).toBeGreaterThan(1000);
    if (edit) {
      expect(r.cpu.invalid).toBeGreaterThan(0);
      expect(r.cpu.flying).toBeGreaterThan(0);
      expect(r.cpu.outsideImage).toBeGreaterThan(0);
    }
    expect(r.gpu.count).toBe(r.cpu.count);
    expect(r.gpu.invalid).toBe(r.cpu.invalid);
    expect(r.gpu.flying).toBe(r.cpu.flying);
    expect(r.gpu.outsideImage).toBe(r.cpu.outsideImage);
    expect(r.sourceMismatch).toBe(0);
    expect(r.viewMismatch).toBe(0);
    expect(r.maxPos).toBeLessThan(1e-5);
    expect(r.maxScaleRel).toBeLessThan(1e-4);
    expect(r.maxWeightRel).toBeLessThan(1e-4);
    expect(r.minRotDot).toBeGreaterThan(1 - 5e-5);
    expect(r.maxColor).toBeLessThan(1e-6);
    expect(r.maxOpacity).toBeLessThan(1e-6);
  }
  await page.close();
  expect(errors).toEqual([]);
}, 90_000);
