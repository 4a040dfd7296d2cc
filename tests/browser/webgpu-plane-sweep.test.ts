/**
 * The exhaustive plane sweep (windowed ZNCC cost, best-K aggregation, winner-take-all with the
 * parabola) on WebGPU agrees with the CPU kernel on real frames of the sample room, in headless
 * Chromium on the software adapter. The GPU sums each window directly in f32 where the CPU slides f64
 * sums, so near-ties between planes may fall either way. Tolerances: the same pixels get a depth;
 * >= 99.5 % of them the same depth within 0.1 % (same winning plane and parabola), and on those scores
 * and margins within 1e-3. Measured on the software adapter: 100 %, 2.1e-5, 1.6e-5 (160x120, 48 planes,
 * 3 sources, 7x7 window, best 2).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { SweepAgreement } from './support/webgpu-agreement-page';
import { openWebGpuPage, type WebGpuPage } from './support/webgpu-page';

let wp: WebGpuPage;
beforeAll(async () => {
  wp = await openWebGpuPage();
});
afterAll(async () => {
  await wp?.close();
});

it('WebGPU and CPU plane sweeps agree on sample-room frames', async () => {
  const r = await wp.page.evaluate(
    ([url]) =>
      (globalThis as unknown as { sweepAgreement: (u: string, ref: number, src: number[], w: number, h: number, d: number) => Promise<SweepAgreement> }).sweepAgreement(
        url, 2, [1, 3, 4], 160, 120, 48,
      ),
    [wp.base + '/samples/living_room/'] as const,
  );
  console.log(JSON.stringify(r));
  expect(r.backend, r.reason).toBe('webgpu');
  expect(r.pixels).toBeGreaterThan(0.5 * r.width * r.height);
  expect(r.validMismatch).toBe(0);
  expect(r.depthAgree).toBeGreaterThan(0.995);
  expect(r.maxScore).toBeLessThan(1e-3);
  expect(r.maxMargin).toBeLessThan(1e-3);
  expect(wp.errors).toEqual([]);
}, 90_000);
