/**
 * A blank page with the WebGPU agreement code (webgpu-agreement-page.ts, bundled here with esbuild)
 * and the capture samples of public/samples, served by a tiny server of its own, in Debian's
 * Chromium with the software WebGPU adapter. Used by tests/browser/webgpu-*.test.ts and
 * scripts/bench/webgpu.ts; needs no app build.
 */
import { createServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { build } from 'esbuild';
import { chromium, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, chromiumPath } from './browser';

export interface WebGpuPage {
  page: Page;
  /** Base URL of the server (the samples are under /samples/). */
  base: string;
  /** Page errors seen so far. */
  errors: string[];
  close(): Promise<void>;
}

/** `mounts` serves extra folders read-only, e.g. { '/fox/': '../shared/data/fox' } (test data never copied into the project). */
export async function openWebGpuPage(root = process.cwd(), mounts: Record<string, string> = {}): Promise<WebGpuPage> {
  const bundle = await build({
    entryPoints: [join(root, 'tests/browser/support/webgpu-agreement-page.ts')],
    bundle: true, format: 'esm', write: false, platform: 'browser', target: 'es2022', logLevel: 'silent',
  });
  const js = bundle.outputFiles[0].text;
  const publicDir = join(root, 'public');
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    if (path === '/') return res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>webgpu agreement</title><script type="module" src="/page.js"></script>');
    if (path === '/page.js') return res.writeHead(200, { 'content-type': 'text/javascript' }).end(js);
    const mount = Object.keys(mounts).find((m) => path.startsWith(m));
    const dir = mount ? normalize(mounts[mount]) : publicDir;
    const file = normalize(join(dir, mount ? path.slice(mount.length) : path));
    if ((!mount && !path.startsWith('/samples/')) || !file.startsWith(dir)) return res.writeHead(404).end();
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': extname(file) === '.json' ? 'application/json' : 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  const base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  const profile = mkdtempSync(join(tmpdir(), 'segsplat-webgpu-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: chromiumPath(), headless: true, args: CHROMIUM_ARGS });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(base + '/', { waitUntil: 'load' });
  await page.waitForFunction(() => 'gaussiansAgreement' in globalThis);
  return {
    page,
    base,
    errors,
    async close() {
      await context.close().catch(() => {});
      rmSync(profile, { recursive: true, force: true });
      await new Promise((r) => server.close(r));
    },
  };
}
