/**
 * The exhaustive plane sweep (windowed ZNCC cost, best-K aggregation, winner-take-all with the
 * parabola) on WebGPU agrees with the CPU kernel on real frames of the sample room, in headless
 * Chromium on the software adapter. The GPU sums each window directly in f32 where the CPU slides f64
 * sums, so near-ties between planes may fall either way. Tolerances: the same pixels get a depth;
 * >= 99.5 % of them the same depth within 0.1 % (same winning plane and parabola), on those scores
 * within 1e-3 and on >= 99.5 % of those margins within 1e-3 (the margin's runner-up plane can flip on a
 * near-tie). Sample room (160x120, 48 planes, 3 sources, 7x7 window, best 2), measured on the software
 * adapter: 100 % depths, scores 2.1e-5, margins 1.6e-5. Fox (real photos, 90x160, 2 sources): skipped
 * when ../shared/data/fox is absent.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { SweepAgreement } from './support/webgpu-agreement-page';
import { openWebGpuPage, type WebGpuPage } from './support/webgpu-page';

// The fox (instant-ngp, 50 photos with poses) lives in ../shared, never in the project.
const FOX = join(process.cwd(), '..', 'shared', 'data', 'fox');

let wp: WebGpuPage;
beforeAll(async () => {
  wp = await openWebGpuPage(process.cwd(), existsSync(FOX) ? { '/fox/': FOX } : {});
});
afterAll(async () => {
  await wp?.close();
});

type Sweep = (u: string, ref: number, src: number[], w: number, h: number, d: number, transforms: boolean) => Promise<SweepAgreement>;

function expectAgreement(r: SweepAgreement): void {
  expect(r.backend, r.reason).toBe('webgpu');
  expect(r.pixels).toBeGreaterThan(0.5 * r.width * r.height);
  expect(r.validMismatch).toBe(0);
  expect(r.depthAgree).toBeGreaterThan(0.995);
  expect(r.maxScore).toBeLessThan(1e-3);
  expect(r.marginAgree).toBeGreaterThan(0.995);
  expect(wp.errors).toEqual([]);
}

it('WebGPU and CPU plane sweeps agree on sample-room frames', async () => {
  const r = await wp.page.evaluate(
    ([url]) => (globalThis as unknown as { sweepAgreement: Sweep }).sweepAgreement(url, 2, [1, 3, 4], 160, 120, 48, false),
    [wp.base + '/samples/living_room/'] as const,
  );
  console.log(JSON.stringify(r));
  expectAgreement(r);
}, 90_000);

it.skipIf(!existsSync(FOX))('WebGPU and CPU plane sweeps agree on fox photos', async () => {
  const r = await wp.page.evaluate(
    ([url]) => (globalThis as unknown as { sweepAgreement: Sweep }).sweepAgreement(url, 2, [1, 3], 90, 160, 48, true),
    [wp.base + '/fox/'] as const,
  );
  console.log(JSON.stringify(r));
  expectAgreement(r);
}, 90_000);
