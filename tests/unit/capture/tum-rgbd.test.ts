/**
 * The TUM RGB-D reader, on a TUM sequence the test writes from redkitchen frames: read back, it
 * must match the 7-Scenes reading of the same frames (poses, K, metric depth), associate streams
 * on different clocks, and skip what has no pose.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { memoryFiles } from '../../../lib/capture/bundle-files';
import { loadFrame } from '../../../lib/capture/frame-record';
import { nodeFolderFiles } from '../../../lib/capture/node-files';
import { importSevenScenes } from '../../../lib/capture/seven-scenes';
import { importTumRgbd, isTumFolder, parseTumList, TUM_CAMERAS } from '../../../lib/capture/tum-rgbd';
import { REDKITCHEN, reprojectionErrors } from './rgbd-helpers';
import { writeTumFromRedkitchen } from './tum-fixture';

const FRAMES = [150, 151, 152, 170];

describe('TUM RGB-D folders', () => {
  const fx = writeTumFromRedkitchen(REDKITCHEN, FRAMES);
  afterAll(() => rmSync(fx.dir, { recursive: true, force: true }));

  it('reads back what was written from redkitchen, matching the 7-Scenes reading', async () => {
    const files = nodeFolderFiles(fx.dir);
    expect(await isTumFolder(files)).toBe(true);
    const tum = await importTumRgbd(files);
    expect(tum.listed).toBe(5);
    expect(tum.frames.map((f) => f.id)).toEqual(fx.times.map((t) => t.toFixed(6)));
    expect(tum.skipped).toHaveLength(1);
    expect(tum.skipped[0].reason).toMatch(/no ground-truth pose within 20 ms \(nearest \d+ ms away\)/);
    expect(tum.intrinsics).toMatchObject({ fx: 585, fy: 585, cx: 320, cy: 240, source: 'calibration.txt' });
    expect(tum.warnings).toEqual([]);

    const seven = await importSevenScenes(nodeFolderFiles(REDKITCHEN));
    for (let i = 0; i < FRAMES.length; i++) {
      const ref = seven.frames.find((r) => r.id === `frame-000${FRAMES[i]}`)!;
      const a = await loadFrame(tum.frames[i]);
      const b = await loadFrame(ref);
      expect(a.timestamp).toBeCloseTo(fx.times[i] * 1000, 3);
      expect(a.intrinsics).toEqual(b.intrinsics);
      expect(a.depth!.intrinsics).toEqual(b.depth!.intrinsics);
      // The quaternion of the raw text rotation vs its polar decomposition: same to the text's precision.
      for (let k = 0; k < 16; k++) expect(Math.abs(a.cameraToWorld[k] - b.cameraToWorld[k])).toBeLessThan(5e-4);
      expect(Buffer.from(a.image.data).equals(Buffer.from(b.image.data))).toBe(true);
      let worst = 0;
      for (let k = 0; k < a.depth!.data.length; k++) worst = Math.max(worst, Math.abs(a.depth!.data[k] - b.depth!.data[k]));
      expect(worst).toBeLessThan(1e-6);
    }
    // And the geometry holds on its own: frame 0's depth carried into frame 1 lands on frame 1's.
    const f0 = await loadFrame(tum.frames[0]), f1 = await loadFrame(tum.frames[1]);
    const errs = reprojectionErrors(f0.depth!, f0.cameraToWorld, f1.depth!, f1.cameraToWorld).sort((x, y) => x - y);
    expect(errs[errs.length >> 1]).toBeLessThan(0.025);
  });

  it('takes the Freiburg calibration from the folder name, else the ROS default with a warning', async () => {
    const base = writeTumFromRedkitchen(REDKITCHEN, [150], { calibration: false, dir: join(fx.dir, 'rgbd_dataset_freiburg1_xyz') });
    const fr1 = await importTumRgbd(nodeFolderFiles(base.dir), { name: 'rgbd_dataset_freiburg1_xyz' });
    expect(fr1.intrinsics).toMatchObject({ ...TUM_CAMERAS.fr1 });
    expect((await loadFrame(fr1.frames[0])).intrinsics.distortion).toEqual(TUM_CAMERAS.fr1.distortion);
    const plain = await importTumRgbd(nodeFolderFiles(base.dir), { name: 'kitchen' });
    expect(plain.intrinsics).toMatchObject({ fx: 525, cx: 319.5 });
    expect(plain.warnings.join('\n')).toMatch(/ROS default K/);
  });

  it('keeps colour frames without depth, and names broken lines', async () => {
    const enc = (s: string) => new TextEncoder().encode(s);
    const tiny = (await import('../../../lib/capture/png')).encodePng({ width: 2, height: 2, channels: 3, bitDepth: 8, data: new Uint8Array(12) });
    const files = memoryFiles({
      'rgb.txt': enc('1.0 rgb/1.png\n2.0 rgb/2.png\n'),
      'depth.txt': enc('5.0 depth/5.png\n'),
      'groundtruth.txt': enc('1.0 0 0 0 0 0 0 1\n2.0 0 0 0 0 0 0 1\n'),
      'rgb/1.png': tiny,
      'rgb/2.png': tiny,
    });
    const imp = await importTumRgbd(files);
    expect(imp.frames).toHaveLength(2);
    expect(imp.frames[0].loadDepth).toBeUndefined();
    expect(imp.warnings.join('\n')).toMatch(/2 frame\(s\) have no depth frame within 20 ms/);
    await files.writeFile('groundtruth.txt', enc('1.0 0 0 0 0 0 0 2\n2.0 0 0 0 0 0 0 1\n'));
    const bad = await importTumRgbd(files);
    expect(bad.skipped[0].reason).toMatch(/groundtruth.txt line 1: quaternion is not unit length/);
    expect(() => parseTumList('1.0\n', 'rgb.txt', 1)).toThrow(/rgb.txt line 1: expected a timestamp and 1 value/);
    expect(() => parseTumList('abc x.png\n', 'rgb.txt', 1)).toThrow(/timestamp "abc" is not a number/);
  });
});
