/**
 * Sensor-depth conditioning (invalid values, occlusion edges and their band, the colour guide's flying
 * pixels, snap or drop and per-axis edge trust, specks, the z² noise confidence): the WebGPU kernels
 * (lib/gpu/depth-conditioning-*.ts) against the CPU function conditionSensorDepth itself, so a change to the CPU side fails here instead of
 * drifting, in headless Chromium on its software adapter (SwiftShader). Maps: the sample room's device
 * depth (frame 2, exact, 320x240), a real Kinect v1 map of ../shared/data/redkitchen (640x480, 12 %
 * holes), the fox's stereo depth (../shared/data/fox has no sensor: its CPU plane sweep at 90x160
 * stands in for one) and two boxes on a wall whose colour is 1 and 2 px off their depth (320x64, every snap decision); the
 * shared maps are skipped when absent. Variants: defaults; a colour guide (snap or drop); a colour guide
 * with snapRadius 3 and no band (boundaries moved up to 2 px at 320 wide; snapped pixels next to
 * dropped edges); a device confidence with a wider band.
 *
 * Tolerances, in pixels of the map (N = width x height): the GPU is f32 where the CPU is f64, so a jump
 * within rounding of the edge threshold max(edgeJump·z, 4σ(z)), a line's inverse depth within rounding of
 * the grazing-plane test, or a colour profile whose least-squares boundary is within rounding of a tie or
 * of the fit limit, may fall either way. At most 1e-4 N pixels
 * (and 2 on the small maps) kept on one side only, at most as many kept on both with different depths
 * (a snap on one side only), each report count (flying included) within that many of the CPU's; when
 * nothing differs, the whole report identical (edgeAgreement, the share of checked edges, included). Kept depths otherwise identical (the kernel copies the measurement or the snap's
 * depth); confidences within 1e-6.
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
  { name: 'colour guide, snap radius 3, no band', guide: true, opts: { snapRadius: 3, edgeBand: 0 } },
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

const COUNTS = ['invalid', 'edge', 'specks', 'kept', 'registeredEdges', 'snapped', 'flying'] as const;

function expectAgreement(rows: ConditioningAgreement[], dropsSome: boolean): void {
  for (const r of rows) {
    const N = r.width * r.height, tol = Math.max(2, Math.floor(1e-4 * N));
    expect(r.backend, `${r.name}: ${r.reason}`).toBe('webgpu');
    expect(r.cpu.kept).toBeGreaterThan(0.2 * N);
    if (dropsSome) expect(r.cpu.edge).toBeGreaterThan(0);
    expect(r.keepMismatch, r.name).toBeLessThanOrEqual(tol);
    expect(r.depthMismatch, r.name).toBeLessThanOrEqual(tol);
    // flying and edgeAgreement come with a guide only, on both sides.
    expect('flying' in r.gpu, r.name).toBe('flying' in r.cpu);
    expect('edgeAgreement' in r.gpu, r.name).toBe('edgeAgreement' in r.cpu);
    for (const k of COUNTS) expect(Math.abs((r.gpu[k] ?? 0) - (r.cpu[k] ?? 0)), `${r.name}: ${k}`).toBeLessThanOrEqual(tol);
    if (r.keepMismatch === 0 && r.depthMismatch === 0) expect({ ...r.gpu, ms: 0 }, r.name).toEqual({ ...r.cpu, ms: 0 });
    if (r.depthMismatch === 0) expect(r.maxDepth, r.name).toBe(0);
    expect(r.maxConf, r.name).toBeLessThan(1e-6);
  }
  const guided = rows.find((r) => r.name === 'colour guide')!;
  if (dropsSome) expect(guided.cpu.registeredEdges).toBeGreaterThan(0);
  expect(wp.errors).toEqual([]);
}

it('WebGPU and CPU depth conditioning agree on boxes whose colour is 1 and 2 px off their depth (snapped)', async () => {
  const rows = await agreement({ kind: 'step', width: 320, height: 64 });
  expectAgreement(rows, true);
  for (const r of rows.filter((x) => x.name.startsWith('colour guide'))) expect(r.cpu.snapped, r.name).toBeGreaterThan(0);
}, 90_000);

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
