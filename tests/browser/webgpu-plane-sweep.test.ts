/**
 * The plane sweep (windowed ZNCC cost, best-K aggregation, winner-take-all with the parabola) on
 * WebGPU agrees with the CPU on real frames, in headless Chromium on the software adapter: the
 * coarse-to-fine search as the pipeline runs it (HeavyStages.planeSweep against planeSweep: each
 * pyramid level one kernel request, the next level's bands planned on the host from it) and the
 * exhaustive request alone. The GPU sums each window directly in f32 where the CPU slides f64 sums,
 * so near-ties between planes may fall either way (and then, coarse-to-fine, a tile's band too).
 * Tolerances: the same pixels get a depth; >= 99.5 % of them the same depth within 0.1 % (same
 * winning plane and parabola), on those scores within 1e-3 and on >= 99.5 % of those margins within
 * 1e-3 (the margin's runner-up plane can flip on a near-tie). Measured on the software adapter:
 * sample room coarse-to-fine (frame 2 against 1, 3, 4 at 160x120, 48 planes, 7x7, best 2) 100 % of
 * 19155 depths, scores 2.1e-5, margins 1.6e-5; fox coarse-to-fine (real photos, frame 2 against 1
 * and 3 at 90x160) 99.95 % of 14399 depths, scores 1.9e-4, margins 99.99 %. Fox tests are skipped
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

type Sweep = (u: string, ref: number, src: number[], w: number, h: number, d: number, transforms: boolean, mode?: 'full' | 'coarse-to-fine') => Promise<SweepAgreement>;

function expectAgreement(r: SweepAgreement): void {
  expect(r.backend, r.reason).toBe('webgpu');
  expect(r.pixels).toBeGreaterThan(0.5 * r.width * r.height);
  expect(r.validMismatch).toBe(0);
  expect(r.depthAgree).toBeGreaterThan(0.995);
  expect(r.maxScore).toBeLessThan(1e-3);
  expect(r.marginAgree).toBeGreaterThan(0.995);
  expect(wp.errors).toEqual([]);
}

// The exhaustive mode (one request, one tile with every plane; also the coarsest level of the
// coarse-to-fine tests below), kept small: SwiftShader runs the direct window sums slowly.
it('WebGPU and CPU exhaustive plane sweeps agree on sample-room frames', async () => {
  const r = await wp.page.evaluate(
    ([url]) => (globalThis as unknown as { sweepAgreement: Sweep }).sweepAgreement(url, 2, [1, 3, 4], 80, 60, 24, false),
    [wp.base + '/samples/living_room/'] as const,
  );
  console.log(JSON.stringify(r));
  expectAgreement(r);
}, 90_000);

// The default mode, as the pipeline runs it (HeavyStages.planeSweep against planeSweep): every pyramid
// level's kernel on WebGPU, the bands planned on the host from the level above as on the CPU.
it('WebGPU and CPU coarse-to-fine plane sweeps agree on sample-room frames', async () => {
  const r = await wp.page.evaluate(
    ([url]) => (globalThis as unknown as { sweepAgreement: Sweep }).sweepAgreement(url, 2, [1, 3, 4], 160, 120, 48, false, 'coarse-to-fine'),
    [wp.base + '/samples/living_room/'] as const,
  );
  console.log(JSON.stringify(r));
  expectAgreement(r);
}, 90_000);

it.skipIf(!existsSync(FOX))('WebGPU and CPU coarse-to-fine plane sweeps agree on fox photos', async () => {
  const r = await wp.page.evaluate(
    ([url]) => (globalThis as unknown as { sweepAgreement: Sweep }).sweepAgreement(url, 2, [1, 3], 90, 160, 48, true, 'coarse-to-fine'),
    [wp.base + '/fox/'] as const,
  );
  console.log(JSON.stringify(r));
  expectAgreement(r);
}, 90_000);
