/**
 * Heavy stages per keyframe at 640x480, CPU reference vs WebGPU kernel (lib/gpu/heavy-stages.ts), in
 * headless Chromium (tests/browser/support/webgpu-page.ts: Debian's Chromium, no app build). Here the
 * only adapter is SwiftShader, a CPU emulation of a GPU: its times say nothing about a GPU. A Node
 * WebGPU binding is not used: `webgpu@0.6.2` (Dawn) finds no adapter on this machine (Dawn rejects
 * Mesa 22.3's lavapipe), see docs/SCAN.md.
 *
 * Stages with a WebGPU kernel: Gaussians from depth and the exhaustive plane sweep. The coarse-to-fine
 * sweep and depth conditioning are CPU only.
 */
import type { BenchTable } from './table';
import type { GaussiansTiming, SweepAgreement } from '../../tests/browser/support/webgpu-agreement-page';
import { openWebGpuPage } from '../../tests/browser/support/webgpu-page';

export async function run(opts: { quick: boolean }): Promise<BenchTable[]> {
  const wp = await openWebGpuPage();
  try {
    const reps = opts.quick ? 3 : 9;
    const t = await wp.page.evaluate(
      ([url, r]) => (globalThis as unknown as { gaussiansTiming: (u: string, f: number, w: number, h: number, r: number) => Promise<GaussiansTiming> }).gaussiansTiming(url, 2, 640, 480, r),
      [wp.base + '/samples/living_room/', reps] as const,
    );
    // The exhaustive sweep at a reduced size: on SwiftShader its direct window sums take ~6 s at 160x120
    // with 48 planes, so 640x480 x 128 planes would take minutes per keyframe.
    const sw = await wp.page.evaluate(
      ([url]) =>
        (globalThis as unknown as { sweepAgreement: (u: string, ref: number, src: number[], w: number, h: number, d: number) => Promise<SweepAgreement> }).sweepAgreement(
          url, 2, [1, 3, 4], 160, 120, 48,
        ),
      [wp.base + '/samples/living_room/'] as const,
    );
    if (wp.errors.length) throw new Error(`webgpu bench page errors: ${wp.errors.join('; ')}`);
    const label = t.backend !== 'webgpu' ? 'no WebGPU adapter: CPU fallback ran' : t.software ? `software adapter (${t.adapter}), not GPU times` : `GPU adapter (${t.adapter})`;
    return [
      {
        title: 'Heavy stages per keyframe, CPU vs WebGPU, in Chromium',
        columns: ['stage', 'Gaussians', 'CPU ms [baseline]', 'WebGPU ms', 'x CPU', 'WebGPU adapter'],
        rows: [
          ['Gaussians from depth (stride 1), 640x480', t.count, t.cpuMs, t.gpuMs, t.gpuMs / t.cpuMs, label],
          [`plane sweep, exhaustive (${sw.width}x${sw.height}, ${sw.planes} planes, ${sw.sources} sources, 7x7)`, '-', sw.cpuMs, sw.gpuMs, sw.gpuMs / sw.cpuMs, sw.backend !== 'webgpu' ? 'CPU fallback ran' : label],
        ],
        notes: [
          `Sample room frame 2 resampled (nearest) to ${t.width}x${t.height}; median of ${reps} runs each after one warm-up; WebGPU ms include upload, dispatch, readback and the host compaction into the scene.`,
          `Plane sweep: CPU one cold run, WebGPU one run after a warm-up, at ${sw.width}x${sw.height} because SwiftShader runs the GPU kernel's direct window sums at ~6 s per keyframe there (640x480 x 128 planes would take minutes); ${(sw.depthAgree * 100).toFixed(1)} % of pixels with the same depth on both. Coarse-to-fine search and depth conditioning: no WebGPU kernel yet, no row.`,
        ],
        json: [
          { gaussians: t.count, cpuMs: t.cpuMs, gpuMs: t.gpuMs, softwareAdapter: t.software ? 1 : 0 },
          { sweepPixels: sw.width * sw.height, planes: sw.planes, cpuMs: sw.cpuMs, gpuMs: sw.gpuMs, softwareAdapter: t.software ? 1 : 0 },
        ],
      },
    ];
  } finally {
    await wp.close();
  }
}

