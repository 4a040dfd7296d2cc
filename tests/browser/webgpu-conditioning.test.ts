/**
 * Sensor-depth conditioning (invalid values, occlusion edges and their band, colour-registered edges,
 * specks, the z² noise confidence): the WebGPU kernels (lib/gpu/depth-conditioning-*.ts) against the
 * CPU function conditionSensorDepth itself, so a change to the CPU side fails here instead of drifting,
 * in headless Chromium on its software adapter (SwiftShader). Maps: the sample room's device depth
 * (frame 2, exact, 320x240), a real Kinect v1 map of ../shared/data/redkitchen (640x480, 12 % holes)
 * and the fox's stereo depth (../shared/data/fox has no sensor: its CPU plane sweep at 90x160 stands
 * in for one); the shared maps are skipped when absent. Variants: defaults; a colour guide; a
 * device confidence with a wider band. The colour guide's edge snapping (snap or drop) has no WebGPU kernel yet:
 * that variant checks that the CPU ran and said so.
 *
 * Tolerances: every count of the report identical (invalid, edge, specks, kept, registered edges); at
 * most 1e-4 of the pixels kept on one side only (the GPU's edge threshold max(edgeJump·z, 4σ(z)) is
 * f32, the CPU's f64: a jump within rounding of it may fall either way, and then the counts would
 * differ too, so in practice 0); kept depths identical; confidences within 1e-6.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ConditioningAgreement } from './support/webgpu-agreement-page';
import { openWebGpuPage, type WebGpuPage } from './support/webgpu-page';

const FOX = join(process.cwd(), '..', 'shared', 'data', 'fox');
const KITCHEN = join(process.cwd(), '..', 'shared', 'data', 'redkitchen');

let wp: WebGpuPage;
beforeAll(async () => {
  wp = await openWebGpuPage(process.cwd(), { ...(existsSync(FOX) ? { '/fox/': FOX } : {}), ...(existsSync(KITCHEN) ? { '/kitchen/': KITCHEN } : {}) });
});
afterAll(async () => {
  await wp?.close();
});

const VARIANTS = [
  { name: 'defaults' },
  { name: 'colour guide', guide: true },
  { name: 'device confidence, band 6', confidence: true, opts: { edgeBand: 6 } },
];

async function agreement(src: unknown): Promise<ConditioningAgreement[]> {
  const rows = await wp.page.evaluate(
    ([s, v]) => (globalThis as unknown as { conditioningAgreement: (s: unknown, v: unknown) => Promise<ConditioningAgreement[]> }).conditioningAgreement(s, v),
    [src, VARIANTS] as const,
  );
  console.log(JSON.stringify(rows));
  return rows;
}

function expectAgreement(rows: ConditioningAgreement[], dropsSome: boolean): void {
  for (const r of rows) {
    if (r.name === 'colour guide') {
      // Snapping to the colour guide has no WebGPU kernel yet: HeavyStages runs the CPU and says why.
      expect(r.backend).toBe('cpu');
      expect(r.reason).toMatch(/edge snapping/);
      continue;
    }
    expect(r.backend, `${r.name}: ${r.reason}`).toBe('webgpu');
    expect(r.cpu.kept).toBeGreaterThan(0.2 * r.width * r.height);
    if (dropsSome) expect(r.cpu.edge).toBeGreaterThan(0);
    expect(r.keepMismatch).toBeLessThanOrEqual(1e-4 * r.width * r.height);
    if (r.keepMismatch === 0) expect({ ...r.gpu, ms: 0 }).toEqual({ ...r.cpu, ms: 0 });
    expect(r.maxDepth).toBe(0);
    expect(r.maxConf).toBeLessThan(1e-6);
  }
  const guided = rows.find((r) => r.name === 'colour guide')!;
  if (dropsSome) expect(guided.cpu.registeredEdges).toBeGreaterThan(0);
  expect(wp.errors).toEqual([]);
}

it('WebGPU and CPU depth conditioning agree on a sample-room depth map', async () => {
  expectAgreement(await agreement({ kind: 'bundle', url: wp.base + '/samples/living_room/', frame: 2 }), true);
}, 90_000);

it.skipIf(!existsSync(KITCHEN))('WebGPU and CPU depth conditioning agree on a real Kinect map (redkitchen)', async () => {
  const rows = await agreement({ kind: 'kitchen', url: wp.base + '/kitchen/', id: 'frame-000150' });
  expectAgreement(rows, true);
  expect(rows[0].cpu.invalid).toBeGreaterThan(0.05 * 640 * 480); // the sensor's holes
}, 90_000);

it.skipIf(!existsSync(FOX))('WebGPU and CPU depth conditioning agree on the fox stereo depth', async () => {
  expectAgreement(await agreement({ kind: 'fox', url: wp.base + '/fox/', ref: 2, sources: [1, 3], width: 90, height: 160 }), true);
}, 90_000);
