/**
 * Spark's own level of detail vs our display thinning, rendered by Spark (issue 11): `npm run bench -- --only
 * spark-lod` (opt-in: it renders a ~2M-splat scene in headless Chromium on software WebGL, minutes).
 *
 * The scene, 200k budget and scoring cameras are display-thinning's (scripts/bench/support/thinning-scene.ts).
 * In a page (tests/browser/support/spark-lod-page.ts, Debian's Chromium, WebGL2 on SwiftShader) Spark renders
 * from each scoring camera: the full scene (the reference, LoD off, as the viewer draws it today), our thinned
 * 200k sets (LoD off), and the full scene with Spark's LoD tree (PackedSplats.createLodSplats, tiny and quality
 * builds) at SparkRenderer lodSplatCount = 200k. Score: PSNR against Spark's render of the full scene. Spark's
 * LoD picks splats per viewpoint (and fewer where they would be under a pixel), so its "drew" count is per image.
 */
import { createServer } from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import type { GaussianScene } from '../../lib/splat/gaussian-scene';
import { psnr } from '../../lib/splat/image-metrics';
import { CHROMIUM_ARGS, chromiumPath } from '../../tests/browser/support/browser';
import type { SparkCamera, SparkRenderResult } from '../../tests/browser/support/spark-lod-page';
import { METHODS, thinned, thinningSetup, type ThinningSetup } from './support/thinning-scene';
import type { BenchTable } from './table';

export const optIn = true;

const DIR = '.bench/spark-lod';

function writeSet(key: string, s: GaussianScene): void {
  const n = s.count;
  const parts = [s.positions.subarray(0, 3 * n), s.scales.subarray(0, 3 * n), s.rotations.subarray(0, 4 * n), s.opacities.subarray(0, n), s.colors.subarray(0, 3 * n)];
  const out = new Uint8Array(4 + parts.reduce((a, p) => a + p.byteLength, 0));
  new DataView(out.buffer).setUint32(0, n, true);
  let o = 4;
  for (const p of parts) {
    out.set(new Uint8Array(p.buffer, p.byteOffset, p.byteLength), o);
    o += p.byteLength;
  }
  writeFileSync(join(DIR, `${key}.bin`), out);
}

const toFloat = (b64: string) => Float32Array.from(Buffer.from(b64, 'base64'), (v) => v / 255);

/**
 * Knobs that make the full scene fit a shared CPU (each is stated in the table's notes): SPARK_LOD_SIZE=WxH (image
 * size, default half the working size), SPARK_LOD_CAMERAS=n (the first n scoring cameras, default all 4),
 * SPARK_LOD_BUDGET=n (the display budget, default the thinning bench's), SPARK_LOD_QUALITY=0 (skip the quality
 * LoD build).
 */
function envInt(name: string): number | undefined {
  const v = process.env[name];
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name}=${v}: expected a positive integer`);
  return n;
}

function envSize(): { W: number; H: number } | undefined {
  const v = process.env.SPARK_LOD_SIZE;
  if (!v) return undefined;
  const m = /^(\d+)x(\d+)$/.exec(v);
  if (!m || +m[1] < 1 || +m[2] < 1) throw new Error(`SPARK_LOD_SIZE=${v}: expected WIDTHxHEIGHT in pixels, e.g. 90x160`);
  return { W: +m[1], H: +m[2] };
}

export async function run({ quick }: { quick: boolean }): Promise<BenchTable[]> {
  const setup = await thinningSetup(quick);
  const budget = envInt('SPARK_LOD_BUDGET') ?? setup.budget;
  if (budget >= setup.full.count) throw new Error(`SPARK_LOD_BUDGET=${budget}: the scene has only ${setup.full.count} splats, nothing to thin`);
  const nCams = envInt('SPARK_LOD_CAMERAS');
  return sparkLodTables({ ...setup, budget, scoring: nCams ? setup.scoring.slice(0, nCams) : setup.scoring }, envSize());
}

/** The table for any setup (the bench's, or a small synthetic one to check the page). */
export async function sparkLodTables(setup: ThinningSetup, size?: { W: number; H: number }): Promise<BenchTable[]> {
  const { full, cameras, scoring, budget } = setup;
  mkdirSync(DIR, { recursive: true });
  writeSet('full', full);
  const keys = ['uniform', 'uniform-grown', 'ranked-grown'];
  const selectMs: Record<string, number> = {};
  for (const key of keys) {
    const m = METHODS.find((x) => x.key === key)!;
    const t = thinned(setup, m);
    selectMs[key] = t.ms;
    writeSet(key, t.scene);
  }

  const bundle = await build({
    entryPoints: ['tests/browser/support/spark-lod-page.ts'],
    bundle: true, format: 'esm', write: false, platform: 'browser', target: 'es2022', logLevel: 'silent',
  });
  const js = bundle.outputFiles[0].text;
  const server = createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/') return res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>spark lod</title><script type="module" src="/page.js"></script>');
    if (path === '/page.js') return res.writeHead(200, { 'content-type': 'text/javascript' }).end(js);
    const m = /^\/data\/([a-z-]+)\.bin$/.exec(path);
    if (!m) return res.writeHead(404).end();
    try {
      res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(await readFile(join(DIR, `${m[1]}.bin`)));
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  const base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  const profile = mkdtempSync(join(tmpdir(), 'segsplat-spark-lod-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: chromiumPath(), headless: true, args: CHROMIUM_ARGS });
  const console_: string[] = [];
  try {
    const page = await context.newPage();
    page.setDefaultTimeout(0);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => console_.push(m.text()));
    await page.goto(base + '/', { waitUntil: 'load' });
    await page.waitForFunction(() => 'sparkRender' in globalThis);
    type Api = {
      sparkLoad: (u: string, k: string) => Promise<{ count: number; ms: number }>;
      sparkBuildLod: (k: string, q: boolean) => Promise<{ ms: number; lodSplats: number }>;
      sparkRender: (k: string, c: SparkCamera[], w: number, h: number, lod: number | null) => Promise<SparkRenderResult>;
      sparkDrop: (k: string) => void;
    };
    const api = <K extends keyof Api>(name: K, ...args: Parameters<Api[K]>) =>
      page.evaluate(([n, a]) => (globalThis as unknown as Record<string, (...x: unknown[]) => unknown>)[n as string](...(a as unknown[])), [name, args] as const) as Promise<Awaited<ReturnType<Api[K]>>>;
    const k0 = cameras[scoring[0]].intrinsics;
    // Half the working size, as the CPU table (135x240 for the fox): software WebGL draws 2M splats slowly. Spark's
    // LoD skips splats under a pixel, so its "drew" column says whether it used the whole 200k here.
    const { W, H } = size ?? { W: Math.round(k0.width / 2), H: Math.round(k0.height / 2) };
    if (Math.abs(W / H - k0.width / k0.height) > 0.02 * (k0.width / k0.height)) throw new Error(`spark-lod: image ${W}x${H} does not have the capture's aspect (${k0.width}x${k0.height})`);
    const cams: SparkCamera[] = scoring.map((i) => ({ cameraToWorld: [...cameras[i].cameraToWorld], fy: (cameras[i].intrinsics.fy * H) / cameras[i].intrinsics.height, height: H }));
    const score = (r: SparkRenderResult, ref: Float32Array[]) => r.images.map((im, k) => psnr({ width: W, height: H, data: toFloat(im) }, { width: W, height: H, data: ref[k] }, { peak: 1 }));

    await api('sparkLoad', `${base}/data/full.bin`, 'full');
    const refRun = await api('sparkRender', 'full', cams, W, H, null);
    const ref = refRun.images.map(toFloat);
    const rows: (string | number)[][] = [];
    const json: Record<string, number>[] = [];
    let baseDb = NaN;
    const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
    const push = (name: string, inSet: number, r: SparkRenderResult, prepMs: number, what: string) => {
      const dbs = score(r, ref);
      const m = mean(dbs);
      if (name.includes('(default)')) baseDb = m;
      rows.push([name, inSet, Math.round(mean(r.drawn)), Math.round(prepMs), what, +m.toFixed(2), dbs.map((d) => d.toFixed(1)).join(' / '), Math.round(mean(r.settleMs)), +mean(r.frames).toFixed(1)]);
      json.push({ inSet, drawn: mean(r.drawn), prepMs, psnr: m });
    };
    for (const key of keys) {
      await api('sparkLoad', `${base}/data/${key}.bin`, key);
      const r = await api('sparkRender', key, cams, W, H, null);
      const m = METHODS.find((x) => x.key === key)!;
      push(`ours: ${m.name.replace(' [baseline]', '')}`, budget, r, selectMs[key], 'select (Node)');
      await api('sparkDrop', key);
    }
    for (const quality of process.env.SPARK_LOD_QUALITY === '0' ? [false] : [false, true]) {
      const b = await api('sparkBuildLod', 'full', quality);
      const r = await api('sparkRender', 'full', cams, W, H, budget);
      push(`Spark LoD (${quality ? 'quality (Bhatt)' : 'tiny, the default'} build), lodSplatCount ${budget.toLocaleString('en')}`, b.lodSplats, r, b.ms, 'LoD build (worker)');
    }
    if (errors.length) throw new Error(`spark-lod page errors: ${errors.join('; ')}`);
    for (const r of rows) r.splice(6, 0, Number.isNaN(baseDb) ? '-' : +((r[5] as number) - baseDb).toFixed(2));
    return [
      {
        title: `Spark renders: our ${budget.toLocaleString('en')} vs Spark's LoD at ${budget.toLocaleString('en')}, against Spark drawing all ${full.count.toLocaleString('en')} (${setup.label})`,
        columns: ['what Spark draws', 'splats in the set', 'Spark drew (mean per image)', 'prep ms', 'prep is', 'PSNR dB vs Spark full', 'dB vs uniform-grown', 'per camera dB', 'settle ms / image', 'frames drawn / image'],
        rows,
        json,
        notes: [
          `Spark ${'2.2'} in headless Debian Chromium, WebGL2 on SwiftShader (software: the times are not GPU times), ${W}x${H}, from ${cams.length} capture cameras not used for the ranking (${scoring.map((i) => cameras[i].id).join(', ')}); reference: Spark drawing the full scene, LoD off (${Math.round(mean(refRun.settleMs))} ms to settle per image). Principal point taken as centred, the same for every row.`,
          `"splats in the set": for a LoD row, the LoD tree's splats (the ${full.count.toLocaleString('en')} leaves plus merged interior nodes). Settle = Spark's update driven (no draw) until the sort (and for LoD the tree traversal) is for this camera, then frames drawn until two consecutive ones agree.`,
          `Scene: ${setup.source}. Command: \`${['SPARK_LOD_SIZE', 'SPARK_LOD_CAMERAS', 'SPARK_LOD_BUDGET', 'SPARK_LOD_QUALITY'].filter((k) => process.env[k]).map((k) => `${k}=${process.env[k]}`).join(' ')} npm run bench -- --only spark-lod\`. Spark's log: ${console_.filter((l) => /LoD/.test(l)).join('; ') || '-'}.`,
        ],
      },
    ];
  } finally {
    await context.close().catch(() => {});
    rmSync(profile, { recursive: true, force: true });
    await new Promise((r) => server.close(r));
  }
}
