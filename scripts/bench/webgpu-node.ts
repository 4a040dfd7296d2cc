/**
 * The heavy stages, CPU reference vs WebGPU kernel, in Node through Dawn (npm `webgpu`: the WebGPU
 * implementation Chromium ships, as a Node addon), for machines with a GPU. It runs the SAME page code
 * as the Chromium bench and the agreement tests (tests/browser/support/webgpu-agreement-page.ts, which
 * drives lib/gpu/heavy-stages.ts), with `navigator.gpu` taken from Dawn and the samples read from disk,
 * so the figures are the kernels' and their agreement with the CPU is re-checked on real hardware.
 *
 * `npm run bench -- --only webgpu-node` (the binding is not a dependency: `npm install --no-save
 * webgpu@0.6.2`, or WEBGPU_NODE=/path/to/webgpu/index.js). scripts/gpu-bench.sh packs this file for a
 * bare GPU machine and runs it there. Without a binding or without an adapter (this 2-core VM: Dawn
 * rejects Mesa 22.3's lavapipe) the table says why and shows no times.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, normalize } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BenchTable } from './table';
import { formatTable } from './table';
import type { ConditioningAgreement, GaussiansAgreement, GaussiansTiming, SweepAgreement } from '../../tests/browser/support/webgpu-agreement-page';

const ORIGIN = 'http://segsplat.local';

interface DawnModule {
  create(flags: string[]): GPU;
  globals: Record<string, unknown>;
}

/** The Dawn binding, or why there is none. */
async function loadDawn(): Promise<{ ok: true; dawn: DawnModule } | { ok: false; reason: string }> {
  const spec = process.env.WEBGPU_NODE ? pathToFileURL(process.env.WEBGPU_NODE).href : 'webgpu';
  try {
    const m = (await import(spec)) as Partial<DawnModule> & { default?: Partial<DawnModule> };
    const create = m.create ?? m.default?.create;
    const globals = m.globals ?? m.default?.globals;
    if (!create || !globals) return { ok: false, reason: `${spec} has no create()/globals (not the npm 'webgpu' package?)` };
    return { ok: true, dawn: { create, globals } };
  } catch (e) {
    return { ok: false, reason: `no Node WebGPU binding (${(e as Error).message.split('\n')[0]}); npm install --no-save webgpu@0.6.2, or set WEBGPU_NODE` };
  }
}

/** fetch() over folders on disk: the page code reads bundles through httpFiles(url). */
function diskFetch(mounts: Record<string, string>): typeof fetch {
  return (async (input: string | URL | Request) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const path = decodeURIComponent(url.pathname);
    const mount = Object.keys(mounts).find((m) => path.startsWith(m));
    if (!mount) return new Response(null, { status: 404 });
    const dir = normalize(mounts[mount]);
    const file = normalize(join(dir, path.slice(mount.length)));
    if (!file.startsWith(dir)) return new Response(null, { status: 404 });
    try {
      return new Response(await readFile(file));
    } catch {
      return new Response(null, { status: 404 });
    }
  }) as typeof fetch;
}

type PageApi = {
  gaussiansAgreement(u: string, f: number, strides: number[], edit: boolean, co?: number): Promise<GaussiansAgreement[]>;
  gaussiansTiming(u: string, f: number, w: number, h: number, reps: number): Promise<GaussiansTiming>;
  sweepAgreement(u: string, ref: number, src: number[], w: number, h: number, planes: number, transforms?: boolean, mode?: 'full' | 'coarse-to-fine', warmup?: boolean): Promise<SweepAgreement>;
  conditioningAgreement(src: { kind: 'bundle'; url: string; frame: number }, variants: { name: string; guide?: boolean }[]): Promise<ConditioningAgreement[]>;
};

function notRun(reason: string): BenchTable[] {
  return [{ title: 'Heavy stages per keyframe, CPU vs WebGPU, Node + Dawn', columns: ['stage', 'result'], rows: [['all', `not run: ${reason}`]] }];
}

export async function run(opts: { quick: boolean }): Promise<BenchTable[]> {
  const loaded = await loadDawn();
  if (!loaded.ok) return notRun(loaded.reason);
  const { dawn } = loaded;
  // Dawn's constructors and enums (GPUBufferUsage, ...) are globals in a browser; the kernels use them so.
  for (const [k, v] of Object.entries(dawn.globals)) if (!(k in globalThis)) (globalThis as Record<string, unknown>)[k] = v;
  const gpu = dawn.create([]);
  const adapter = await gpu.requestAdapter();
  if (!adapter) return notRun('Dawn found no adapter on this machine');
  Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });

  // The checkout (public/samples); the packed copy sets it to the checkout it was carried into.
  const root = process.env.SEGSPLAT_ROOT ?? process.cwd();
  const fox = process.env.SEGSPLAT_FOX ?? join(root, '..', 'shared', 'data', 'fox');
  const mounts: Record<string, string> = { '/samples/': join(root, 'public', 'samples') };
  if (existsSync(join(fox, 'transforms.json'))) mounts['/fox/'] = fox;
  const realFetch = globalThis.fetch;
  globalThis.fetch = diskFetch(mounts);
  try {
    await import('../../tests/browser/support/webgpu-agreement-page');
    const api = globalThis as unknown as PageApi;
    const sample = `${ORIGIN}/samples/living_room/`;
    const reps = opts.quick ? 3 : 9;
    const planes = opts.quick ? 64 : 128;
    const agree = await api.gaussiansAgreement(sample, 2, [1, 2], true);
    const t = await api.gaussiansTiming(sample, 2, 640, 480, reps);
    const c2f = await api.sweepAgreement(sample, 2, [1, 3, 4], 640, 480, planes, false, 'coarse-to-fine', true);
    const sw = await api.sweepAgreement(sample, 2, [1, 3, 4], 640, 480, planes, false, 'full', true);
    const foxC2f = mounts['/fox/'] ? await api.sweepAgreement(`${ORIGIN}/fox/`, 2, [1, 3], 270, 480, planes, true, 'coarse-to-fine', true) : null;
    const condRuns: ConditioningAgreement[] = [];
    for (let i = 0; i < (opts.quick ? 1 : 5); i++) condRuns.push((await api.conditioningAgreement({ kind: 'bundle', url: sample, frame: 2 }, [{ name: 'colour guide', guide: true }]))[0]);
    const med = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const cond = { ...condRuns[0], cpuMs: med(condRuns.map((r) => r.cpu.ms)), gpuMs: med(condRuns.map((r) => r.gpu.ms)) };
    const label = (backend: string) => (backend !== 'webgpu' ? 'CPU fallback ran' : t.software ? `software adapter (${t.adapter}), not GPU times` : `GPU (${t.adapter}), Dawn`);
    const sweepRow = (name: string, s: SweepAgreement) => [
      `plane sweep, ${name} (${s.width}x${s.height}, ${s.planes} planes, ${s.sources} sources, 7x7)`, '-', s.cpuMs, s.gpuMs, s.cpuMs / s.gpuMs,
      `${(s.depthAgree * 100).toFixed(2)} % same depth, ${s.validMismatch} valid-mismatch px`, label(s.backend),
    ];
    const rows: (string | number)[][] = [
      ['Gaussians from depth (stride 1), sample room 640x480', t.count, t.cpuMs, t.gpuMs, t.cpuMs / t.gpuMs, agreeText(agree), label(t.backend)],
      sweepRow('coarse-to-fine, sample room', c2f),
      sweepRow('exhaustive, sample room', sw),
    ];
    if (foxC2f) rows.push(sweepRow('coarse-to-fine, fox photos', foxC2f));
    rows.push([
      `depth conditioning with colour guide, sample room ${cond.width}x${cond.height}`, cond.cpu.kept, cond.cpuMs, cond.gpuMs, cond.cpuMs / cond.gpuMs,
      `${cond.keepMismatch} kept-pixel mismatches, confidence <= ${cond.maxConf.toExponential(1)}`, label(cond.backend),
    ]);
    return [
      {
        title: 'Heavy stages per keyframe, CPU vs WebGPU, Node + Dawn',
        columns: ['stage', 'Gaussians', 'CPU ms [baseline]', 'WebGPU ms', 'CPU / WebGPU', 'agreement with the CPU', 'backend'],
        rows,
        notes: [
          `Node ${process.version}, npm webgpu (Dawn) adapter: ${t.adapter}${t.software ? ' (SOFTWARE: not GPU times)' : ''}. CPU = the JavaScript reference kernel on one core of the same machine, in the same run.`,
          `Gaussians: median of ${reps} runs after one warm-up each; WebGPU ms include upload, dispatch, readback and the host compaction into the scene. Sweeps: CPU one cold run, WebGPU one run after a warm-up (pipeline compile excluded). Conditioning: median of ${condRuns.length} runs.`,
          'Agreement: Gaussians from depth on the edited sample frame (holes, NaN, a depth step, flying pixels, confidence, shifted depth intrinsics) at strides 1 and 2; sweep: share of pixels whose depth agrees within 0.1 %.',
          ...(foxC2f ? [] : ['No fox row: ../shared/data/fox (or SEGSPLAT_FOX) not found.']),
        ],
        json: [
          { gaussians: t.count, cpuMs: t.cpuMs, gpuMs: t.gpuMs, softwareAdapter: t.software ? 1 : 0 },
          ...[c2f, sw, ...(foxC2f ? [foxC2f] : [])].map((x) => ({ sweepPixels: x.width * x.height, planes: x.planes, cpuMs: x.cpuMs, gpuMs: x.gpuMs, depthAgree: x.depthAgree })),
          { conditioningPixels: cond.width * cond.height, cpuMs: cond.cpuMs, gpuMs: cond.gpuMs, keepMismatch: cond.keepMismatch },
        ],
      },
    ];
  } finally {
    globalThis.fetch = realFetch;
  }
}

function agreeText(rows: GaussiansAgreement[]): string {
  return rows
    .map((a) => `stride ${a.stride}: ${a.gpu.count}/${a.cpu.count} Gaussians, ${a.sourceMismatch} pixel mismatches, pos <= ${a.maxPos.toExponential(1)} m, colour <= ${a.maxColor.toExponential(1)}`)
    .join('; ');
}

// Run directly (the packed copy on a bare GPU machine: scripts/gpu-bench.sh): print the tables.
if (process.argv[1] && /webgpu-node\.(ts|mjs|js)$/.test(process.argv[1])) {
  const quick = process.argv.includes('--quick');
  run({ quick })
    .then((tables) => {
      for (const tb of tables) console.log(formatTable(tb) + '\n');
      if (process.argv.includes('--json')) console.log(JSON.stringify({ rows: tables.flatMap((tb) => tb.json ?? []) }));
      process.exit(0);
    })
    .catch((e) => {
      console.error(`webgpu-node: ${(e as Error).stack ?? e}`);
      process.exit(1);
    });
}
