/**
 * Heavy stages per keyframe at 640x480, CPU reference vs WebGPU kernel (lib/gpu/heavy-stages.ts), in
 * headless Chromium (tests/browser/support/webgpu-page.ts: Debian's Chromium, no app build). Here the
 * only adapter is SwiftShader, a CPU emulation of a GPU: its times say nothing about a GPU. A Node
 * WebGPU binding is not used: `webgpu@0.6.2` (Dawn) finds no adapter on this machine (Dawn rejects
 * Mesa 22.3's lavapipe), see docs/SCAN.md.
 *
 * Rows: Gaussians from depth, the plane sweep (coarse-to-fine as the pipeline runs it, and the
 * exhaustive request at a reduced size), depth conditioning of a real Kinect map
 * (../shared/data/redkitchen; the sample room's 320x240 map when absent).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchTable } from './table';
import type { ConditioningAgreement, GaussiansTiming, SweepAgreement } from '../../tests/browser/support/webgpu-agreement-page';
import { openWebGpuPage } from '../../tests/browser/support/webgpu-page';

type Sweep = (u: string, ref: number, src: number[], w: number, h: number, d: number, transforms: boolean, mode: string, warmup: boolean) => Promise<SweepAgreement>;

export async function run(opts: { quick: boolean }): Promise<BenchTable[]> {
  const kitchen = join(process.cwd(), '..', 'shared', 'data', 'redkitchen');
  const hasKitchen = existsSync(join(kitchen, 'frame-000150.depth.png'));
  const wp = await openWebGpuPage(process.cwd(), hasKitchen ? { '/kitchen/': kitchen } : {});
  try {
    const reps = opts.quick ? 3 : 9;
    const room = wp.base + '/samples/living_room/';
    const t = await wp.page.evaluate(
      ([url, r]) => (globalThis as unknown as { gaussiansTiming: (u: string, f: number, w: number, h: number, r: number) => Promise<GaussiansTiming> }).gaussiansTiming(url, 2, 640, 480, r),
      [room, reps] as const,
    );
    // Coarse-to-fine at the keyframe size (the quick run at 320x240): one cold run each, no warm-up
    // (SwiftShader takes tens of seconds per run; the pipeline compile is a one-off of ~0.1 s in it).
    const [cw, ch, cp] = opts.quick ? [320, 240, 64] : [640, 480, 128];
    const c2f = await wp.page.evaluate(
      ([url, w, h, d]) => (globalThis as unknown as { sweepAgreement: Sweep }).sweepAgreement(url, 2, [1, 3, 4], w, h, d, false, 'coarse-to-fine', false),
      [room, cw, ch, cp] as const,
    );
    // The exhaustive request at a reduced size: its direct window sums take ~5 s at 160x120 x 48 planes on SwiftShader.
    const sw = await wp.page.evaluate(
      ([url]) => (globalThis as unknown as { sweepAgreement: Sweep }).sweepAgreement(url, 2, [1, 3, 4], 160, 120, 48, false, 'full', true),
      [room] as const,
    );
    const condSrc = hasKitchen ? { kind: 'kitchen', url: wp.base + '/kitchen/', id: 'frame-000150' } : { kind: 'bundle', url: room, frame: 2 };
    const condRuns: ConditioningAgreement[][] = [];
    for (let i = 0; i < (opts.quick ? 1 : 3); i++)
      condRuns.push(
        await wp.page.evaluate(
          ([src]) => (globalThis as unknown as { conditioningAgreement: (s: unknown, v: unknown) => Promise<ConditioningAgreement[]> }).conditioningAgreement(src, [{ name: 'colour guide', guide: true }]),
          [condSrc] as const,
        ),
      );
    const med = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const cond = { ...condRuns[0][0], cpuMs: med(condRuns.map((r) => r[0].cpu.ms)), gpuMs: med(condRuns.map((r) => r[0].gpu.ms)) };
    if (wp.errors.length) throw new Error(`webgpu bench page errors: ${wp.errors.join('; ')}`);
    const label = t.backend !== 'webgpu' ? 'no WebGPU adapter: CPU fallback ran' : t.software ? `software adapter (${t.adapter}), not GPU times` : `GPU adapter (${t.adapter})`;
    const of = (backend: string) => (backend !== 'webgpu' ? 'CPU fallback ran' : label);
    return [
      {
        title: 'Heavy stages per keyframe, CPU vs WebGPU, in Chromium',
        columns: ['stage', 'Gaussians / kept px', 'CPU ms [baseline]', 'WebGPU ms', 'x CPU', 'WebGPU adapter'],
        rows: [
          ['Gaussians from depth (stride 1), 640x480', t.count, t.cpuMs, t.gpuMs, t.gpuMs / t.cpuMs, label],
          [`plane sweep, coarse-to-fine (${c2f.width}x${c2f.height}, ${c2f.planes} planes, ${c2f.sources} sources, 7x7)`, '-', c2f.cpuMs, c2f.gpuMs, c2f.gpuMs / c2f.cpuMs, of(c2f.backend)],
          [`plane sweep, exhaustive (${sw.width}x${sw.height}, ${sw.planes} planes, ${sw.sources} sources, 7x7)`, '-', sw.cpuMs, sw.gpuMs, sw.gpuMs / sw.cpuMs, of(sw.backend)],
          [`depth conditioning with colour guide, ${cond.width}x${cond.height} (${hasKitchen ? 'redkitchen Kinect' : 'sample room'})`, cond.cpu.kept, cond.cpuMs, cond.gpuMs, cond.gpuMs / cond.cpuMs, of(cond.backend)],
        ],
        notes: [
          `Gaussians: sample room frame 2 resampled (nearest) to ${t.width}x${t.height}; median of ${reps} runs each after one warm-up; WebGPU ms include upload, dispatch, readback and the host compaction into the scene.`,
          `Coarse-to-fine: sample room frame 2 against frames 1, 3, 4, views resampled to ${c2f.width}x${c2f.height}; planeSweep (CPU) vs HeavyStages.planeSweep (every pyramid level one WebGPU request, bands planned on the host), one cold run each; ${(c2f.depthAgree * 100).toFixed(2)} % of ${c2f.pixels} pixels with the same depth on both.`,
          `Exhaustive: CPU one cold run, WebGPU one run after a warm-up; ${(sw.depthAgree * 100).toFixed(1)} % of pixels with the same depth on both.`,
          `Depth conditioning: conditionSensorDepth vs HeavyStages.conditionDepth with the colour guide, as the pipeline runs it (WebGPU: three passes, classify, snap or drop, finish, in one submission; report counted on the host), median of ${condRuns.length} runs after a warm-up each; ${cond.cpu.snapped} px snapped; pixels kept on one side only ${cond.keepMismatch}, kept with different depths ${cond.depthMismatch}.`,
        ],
        json: [
          { gaussians: t.count, cpuMs: t.cpuMs, gpuMs: t.gpuMs, softwareAdapter: t.software ? 1 : 0 },
          { sweepPixels: c2f.width * c2f.height, planes: c2f.planes, coarseToFine: 1, cpuMs: c2f.cpuMs, gpuMs: c2f.gpuMs, softwareAdapter: t.software ? 1 : 0 },
          { sweepPixels: sw.width * sw.height, planes: sw.planes, coarseToFine: 0, cpuMs: sw.cpuMs, gpuMs: sw.gpuMs, softwareAdapter: t.software ? 1 : 0 },
          { conditioningPixels: cond.width * cond.height, cpuMs: cond.cpuMs, gpuMs: cond.gpuMs, softwareAdapter: t.software ? 1 : 0 },
        ],
      },
    ];
  } finally {
    await wp.close();
  }
}
