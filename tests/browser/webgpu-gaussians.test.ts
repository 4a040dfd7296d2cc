/**
 * Gaussians from depth: the WebGPU kernel (lib/gpu) agrees with the CPU reference on a real frame
 * of the sample room (exact depth, 320x240, and the same frame edited to contain every decision) and
 * on a fox photo with its stereo depth (../shared/data/fox, skipped when absent), in headless Chromium on its software WebGPU adapter
 * (SwiftShader, `--enable-unsafe-webgpu`). The page code is bundled with esbuild and served with
 * public/samples by a tiny server of the test (support/webgpu-page.ts): no app page is involved.
 *
 * Tolerances (f32 on the GPU vs f64 on the CPU, metre-scale room): same counts (Gaussians, invalid,
 * flying, outside) and same source pixels, i.e. every keep/drop decision identical; positions within
 * 1e-5 m; scales and weights within 1e-4 relative; rotations |q_cpu · q_gpu| >= 1 - 5e-5 (about 0.6°; q and -q are
 * one rotation); colours and opacities within 1e-6. Fox measured: positions 1.9e-6 m, scales 7.3e-6,
 * |q·q| >= 0.9999995.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { GaussiansAgreement } from './support/webgpu-agreement-page';
import { openWebGpuPage, type WebGpuPage } from './support/webgpu-page';

const FOX = join(process.cwd(), '..', 'shared', 'data', 'fox');

let wp: WebGpuPage;
beforeAll(async () => {
  wp = await openWebGpuPage(process.cwd(), existsSync(FOX) ? { '/fox/': FOX } : {});
});
afterAll(async () => {
  await wp?.close();
});

function expectAgreement(r: GaussiansAgreement): void {
  expect(r.backend, `stride ${r.stride}: ${r.reason}`).toBe('webgpu');
  expect(r.software).toBe(true);
  expect(r.cpu.count).toBeGreaterThan(1000);
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

it.each([
  { name: 'exact depth', edit: false, strides: [1, 3] },
  { name: 'edited depth (holes, NaN, a step, flying pixels, confidence, rays outside the image)', edit: true, strides: [1, 2] },
  { name: 'edited depth, confidenceOpacity 0.3', edit: true, strides: [2], confidenceOpacity: 0.3 },
])('WebGPU and CPU Gaussians from depth agree on a sample-room frame: $name', async ({ edit, strides, confidenceOpacity }) => {
  const rows = await wp.page.evaluate(
    ([url, s, e, co]) =>
      (globalThis as unknown as { gaussiansAgreement: (u: string, f: number, s: number[], e: boolean, co?: number) => Promise<GaussiansAgreement[]> }).gaussiansAgreement(url, 2, s, e, co),
    [wp.base + '/samples/living_room/', strides, edit, confidenceOpacity] as const,
  );
  console.log(JSON.stringify(rows));
  for (const r of rows) {
    if (edit) {
      expect(r.cpu.invalid).toBeGreaterThan(0);
      expect(r.cpu.flying).toBeGreaterThan(0);
      expect(r.cpu.outsideImage).toBeGreaterThan(0);
    }
    expectAgreement(r);
  }
  expect(wp.errors).toEqual([]);
}, 90_000);

// The fox has no sensor: its stereo depth (holes, occlusion edges, noise; 90x160 against frames 1 and 3)
// on the 1080x1920 photo, whose intrinsics differ from the depth grid's.
it.skipIf(!existsSync(FOX))('WebGPU and CPU Gaussians from depth agree on a fox photo with its stereo depth', async () => {
  const rows = await wp.page.evaluate(
    ([url]) =>
      (globalThis as unknown as { gaussiansAgreement: (u: string, f: number, s: number[], e: boolean, co: number | undefined, fox: unknown) => Promise<GaussiansAgreement[]> }).gaussiansAgreement(
        url, 2, [1, 2], false, undefined, { sources: [1, 3], width: 90, height: 160 },
      ),
    [wp.base + '/fox/'] as const,
  );
  console.log(JSON.stringify(rows));
  for (const r of rows) {
    expect(r.cpu.invalid).toBeGreaterThan(0); // stereo holes
    expectAgreement(r);
  }
  expect(wp.errors).toEqual([]);
}, 90_000);
