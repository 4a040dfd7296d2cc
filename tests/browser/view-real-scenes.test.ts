/**
 * /view on real captures: the fox (z-up COLMAP photos, stereo depth) and the redkitchen (7-Scenes RGB-D, a
 * tilted KinectFusion world), each reconstructed here by the one pipeline at a small working size and opened
 * through the page's file picker (never written into public/). The view must start upright from a capture
 * camera with the scene filling a good part of the canvas: checked by the share of non-background pixels and
 * by comparing the render with that camera's own photo, upright vs upside down (normalised cross-correlation).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RgbImage } from '../../lib/capture/frame';
import { Reconstruction } from '../../lib/pipeline/reconstruction';
import { writeGlb } from '../../lib/splat/glb';
import { loadCaptureInput } from '../../scripts/cli/load-capture';
import { launchBrowser, openPage, screenshotPath, shootElement, type TestBrowser } from './support/browser';
import { pixelStats } from './support/pixels';
import { uprightScores } from './support/upright';

const SHARED = join(__dirname, '../../../shared/data');

interface Built {
  glb: Uint8Array;
  photos: Map<string, RgbImage>;
  ids: string[];
}

async function build(input: string, views: number, depth: 'stereo' | 'device'): Promise<Built> {
  const cap = await loadCaptureInput(input, { views: { kind: 'count', n: views } });
  const rec = new Reconstruction({ maxSize: 160, depth: { prefer: depth } });
  await rec.addFrames(cap.frames);
  await rec.finalize();
  return { glb: await writeGlb(rec.scene), photos: new Map(cap.frames.map((f) => [f.id, f.image])), ids: rec.scene.info!.cameras.map((c) => c.id) };
}

let tb: TestBrowser;
beforeAll(async () => {
  tb = await launchBrowser();
});
afterAll(async () => {
  await tb?.close();
});

describe('/view on real captures', () => {
  for (const cfg of [
    { name: 'fox', input: join(SHARED, 'fox/transforms.json'), views: 6, depth: 'stereo' as const },
    { name: 'redkitchen', input: join(SHARED, 'redkitchen'), views: 8, depth: 'device' as const },
  ])
    it(`${cfg.name}: starts upright from a capture camera, the scene filling the canvas`, async () => {
      const built = await build(cfg.input, cfg.views, cfg.depth);
      const { page, log } = await openPage(tb, '/view?capture=/samples/missing/');
      await page.waitForSelector('[data-testid="view"][data-state="error"]', { timeout: 30_000 });
      await page.setInputFiles('[data-testid="open-file"]', { name: `${cfg.name}.glb`, mimeType: 'model/gltf-binary', buffer: Buffer.from(built.glb) });
      await page.waitForSelector('[data-testid="view"][data-state="ready"]', { timeout: 60_000 });
      const canvas = '[data-testid="scene-canvas"] canvas';
      let shot = await shootElement(page, canvas);
      let stats = pixelStats(shot);
      for (let i = 0; i < 30 && stats.nonBackground < 0.3; i++) {
        await page.waitForTimeout(500);
        shot = await shootElement(page, canvas);
        stats = pixelStats(shot);
      }
      await shootElement(page, canvas, screenshotPath(`view-real-${cfg.name}`));
      const home = Number(await page.locator('[data-testid="scene-canvas"]').getAttribute('data-home-camera'));
      expect(home).toBeGreaterThanOrEqual(0);
      const scores = uprightScores(shot, built.photos.get(built.ids[home])!);
      console.log(`${cfg.name}: non-background ${(stats.nonBackground * 100).toFixed(0)} %, NCC with camera ${built.ids[home]}'s photo upright ${scores.upright.toFixed(2)}, turned 180° ${scores.flipped.toFixed(2)}`);
      expect(stats.nonBackground).toBeGreaterThan(0.4);
      expect(scores.upright).toBeGreaterThan(0.3);
      expect(scores.upright).toBeGreaterThan(scores.flipped + 0.2);
      await page.close();
      expect(log.errors.filter((e) => !/samples\/missing\/capture\.json|status of 404/.test(e))).toEqual([]);
    }, 180_000);
});
