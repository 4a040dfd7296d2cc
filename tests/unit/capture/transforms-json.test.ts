import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { memoryFiles, pickedFiles } from '../../../lib/capture/bundle-files';
import { nodeFolderFiles } from '../../../lib/capture/node-files';
import { encodeDepthPng16, encodeRgbPng } from '../../../lib/capture/image-codec';
import { boxDownsample } from '../../../lib/capture/image-ops';
import { frameProblems } from '../../../lib/capture/validate-frame';
import { importTransformsJson, loadFrame, loadFrames } from '../../../lib/capture/transforms-json';
import { camerasMeanUp } from '../../../lib/align/world-frame';
import { poseYaw, rng } from './helpers';

const FOX = join(__dirname, '../../../../shared/data/fox');
const enc = (o: unknown) => new TextEncoder().encode(JSON.stringify(o));

function png(w: number, h: number, seed = 1) {
  const r = rng(seed);
  const data = new Uint8Array(w * h * 3).map(() => Math.floor(r() * 256));
  return encodeRgbPng({ width: w, height: h, data });
}

/** Row-major 4x4 of a column-major pose. */
const rows = (m: Float64Array) => [0, 1, 2, 3].map((r) => [0, 1, 2, 3].map((c) => m[c * 4 + r]));

describe('importTransformsJson on the fox capture', () => {
  it.skipIf(!existsSync(FOX))('lists 67 frames, imports the 50 with images and reports the 17 missing', async () => {
    const imp = await importTransformsJson(nodeFolderFiles(FOX));
    expect(imp.listed).toBe(67);
    expect(imp.frames.length).toBe(50);
    expect(imp.skipped.length).toBe(17);
    for (const s of imp.skipped) expect(s.reason).toMatch(/^image file images\/\d+\.jpg is missing$/);
    const raw = JSON.parse(await readFile(join(FOX, 'transforms.json'), 'utf8'));
    const first = imp.frames[0];
    expect(first.intrinsics).toMatchObject({ fx: raw.fl_x, fy: raw.fl_y, cx: raw.cx, cy: raw.cy, width: 1080, height: 1920 });
    expect(first.intrinsics.distortion).toEqual({ k1: raw.k1, k2: raw.k2, p1: raw.p1, p2: raw.p2 });
    // Column-major: translation lands in elements 12..14, row 2 / column 0 in element 2.
    const tm = raw.frames.find((f: { file_path: string }) => f.file_path.endsWith(`${first.id}.jpg`)).transform_matrix;
    expect(first.cameraToWorld[12]).toBe(tm[0][3]);
    expect(first.cameraToWorld[13]).toBe(tm[1][3]);
    expect(first.cameraToWorld[2]).toBe(tm[2][0]);
    // The fox world (COLMAP) is z-up, not y-up: the cameras' mean up says so; nothing was rotated.
    const up = camerasMeanUp(imp.frames.map((f) => f.cameraToWorld))!;
    expect(Math.abs(up[2])).toBeGreaterThan(0.9);
  });

  it.skipIf(!existsSync(FOX))('loads one frame lazily at 1/4 by box averaging with scaled intrinsics', async () => {
    const imp = await importTransformsJson(nodeFolderFiles(FOX));
    const rec = imp.frames[3];
    const frame = await loadFrame(rec, { scale: 0.25 });
    expect([frame.image.width, frame.image.height]).toEqual([270, 480]);
    expect(frame.intrinsics.fx).toBeCloseTo(rec.intrinsics.fx / 4, 9);
    expect(frame.intrinsics.cy).toBeCloseTo(rec.intrinsics.cy / 4, 9);
    expect(frame.intrinsics.distortion).toEqual(rec.intrinsics.distortion);
    // maxSize (the long side, as /scan reads imports at the working size) gives the same frame.
    const bySize = await loadFrame(rec, { maxSize: 480 });
    expect([bySize.image.width, bySize.image.height]).toEqual([270, 480]);
    expect(Buffer.from(bySize.image.data).equals(Buffer.from(frame.image.data))).toBe(true);
    expect(bySize.intrinsics).toEqual(frame.intrinsics);
    await expect(loadFrame(rec, { maxSize: 480, scale: 0.5 })).rejects.toThrow(/scale or maxSize/);
    // Smaller images are never enlarged.
    expect((await loadFrame(rec, { maxSize: 4000 })).image.width).toBe(1080);
    expect(frameProblems(frame)).toEqual([]);
    const full = await rec.loadImage();
    const box = boxDownsample(full, 4);
    let maxDiff = 0;
    for (let i = 0; i < box.data.length; i++) maxDiff = Math.max(maxDiff, Math.abs(box.data[i] - frame.image.data[i]));
    expect(maxDiff).toBeLessThanOrEqual(1); // float vs integer rounding only
  });
});

describe('importTransformsJson rules', () => {
  it('takes global intrinsics, per-frame overrides, camera angles, distortion and k3', async () => {
    const pose = rows(poseYaw(30, 1, 2, 3));
    const files = memoryFiles({
      'scene/transforms.json': enc({
        fl_x: 50, fl_y: 52, cx: 15, cy: 11, w: 32, h: 24, k1: 0.1, k2: 0.01, k3: 0.001, p1: 0.002, p2: 0.003,
        frames: [
          { file_path: 'images/a.png', transform_matrix: pose },
          { file_path: './images/b.png', transform_matrix: pose, fl_x: 60, cx: 17, k1: 0 , k2: 0, k3: 0, p1: 0, p2: 0 },
          { file_path: 'images/c.png', transform_matrix: pose, w: 16, h: 12, camera_angle_x: Math.PI / 2, camera_angle_y: Math.PI / 3 },
        ],
      }),
      'scene/images/a.png': png(32, 24),
      'scene/images/b.png': png(32, 24),
      'scene/images/c.png': png(16, 12),
    });
    const imp = await importTransformsJson(files, { path: 'scene/transforms.json' });
    expect(imp.skipped).toEqual([]);
    const [a, b, c] = imp.frames;
    expect(a.intrinsics).toEqual({ fx: 50, fy: 52, cx: 15, cy: 11, width: 32, height: 24, distortion: { k1: 0.1, k2: 0.01, k3: 0.001, p1: 0.002, p2: 0.003 } });
    expect(b.intrinsics).toEqual({ fx: 60, fy: 52, cx: 17, cy: 11, width: 32, height: 24 });
    // Frame-level angles beat global fl_x/fl_y.
    expect(c.intrinsics.fx).toBeCloseTo(8, 9); // 0.5 * 16 / tan(45 deg)
    expect(c.intrinsics.fy).toBeCloseTo(6 / Math.tan(Math.PI / 6), 9);
    expect([c.intrinsics.width, c.intrinsics.height]).toEqual([16, 12]);
    expect(Array.from(a.cameraToWorld)).toEqual(Array.from(poseYaw(30, 1, 2, 3)));
    expect(imp.frames.map((f) => f.imagePath)).toEqual(['scene/images/a.png', 'scene/images/b.png', 'scene/images/c.png']);
    const f = await loadFrame(b);
    expect(frameProblems(f)).toEqual([]);
    expect(f.timestamp).toBe(1);
  });

  it('blender-style: camera_angle_x only, no w/h, file_path without extension', async () => {
    const files = memoryFiles({
      'transforms.json': enc({ camera_angle_x: 0.6911, frames: [{ file_path: './train/r_0', transform_matrix: rows(poseYaw(0)) }] }),
      'train/r_0.png': png(20, 20),
    });
    const imp = await importTransformsJson(files);
    const k = imp.frames[0].intrinsics;
    expect([k.width, k.height, k.cx, k.cy]).toEqual([20, 20, 10, 10]);
    expect(k.fx).toBeCloseTo(10 / Math.tan(0.6911 / 2), 9);
    expect(k.fy).toBe(k.fx);
    expect(k.distortion).toBeUndefined();
  });

  it('skips and reports frames with missing images, bad matrices, unsupported cameras, no focal length', async () => {
    const ok = rows(poseYaw(10));
    const scaled = rows(poseYaw(10)).map((r, i) => (i < 3 ? r.map((v, j) => (j < 3 ? v * 2 : v)) : r));
    const files = memoryFiles({
      'transforms.json': enc({
        fl_x: 10, w: 8, h: 8,
        frames: [
          { file_path: 'a.png', transform_matrix: ok },
          { file_path: 'missing.png', transform_matrix: ok },
          { file_path: 'a2.png', transform_matrix: scaled },
          { file_path: 'a3.png', transform_matrix: [[1, 0, 0], [0, 1, 0]] },
          { file_path: 'a4.png', transform_matrix: ok, camera_model: 'OPENCV_FISHEYE' },
          { file_path: 'a5.png', transform_matrix: ok, fl_x: 'big' },
          { file_path: '../a.png', transform_matrix: ok },
          { transform_matrix: ok },
        ],
      }),
      'a.png': png(8, 8), 'a2.png': png(8, 8), 'a3.png': png(8, 8), 'a4.png': png(8, 8), 'a5.png': png(8, 8),
    });
    const imp = await importTransformsJson(files);
    expect(imp.frames.map((f) => f.id)).toEqual(['a']);
    const why = Object.fromEntries(imp.skipped.map((s) => [s.id, s.reason]));
    expect(why.missing).toBe('image file missing.png is missing');
    expect(why.a2).toMatch(/not orthonormal/);
    expect(why.a3).toMatch(/4x4/);
    expect(why.a4).toMatch(/camera model "OPENCV_FISHEYE" is not supported/);
    expect(why.a5).toMatch(/fl_x must be a finite number/);
    expect(imp.skipped.find((s) => s.reason.includes('escapes'))).toBeTruthy();
    expect(why['#7']).toMatch(/no file_path/);
    const noFocal = memoryFiles({ 'transforms.json': enc({ w: 8, h: 8, frames: [{ file_path: 'a.png', transform_matrix: ok }] }), 'a.png': png(8, 8) });
    expect((await importTransformsJson(noFocal)).skipped[0].reason).toMatch(/no focal length/);
  });

  it('imports nerfstudio depth (16-bit PNG, depth_unit_scale_factor) at its own resolution; a missing depth file is a warning', async () => {
    const depth = Float32Array.from({ length: 8 * 6 }, (_, i) => (i % 5 === 0 ? 0 : 0.5 + i * 0.01));
    const files = memoryFiles({
      'transforms.json': enc({
        fl_x: 40, fl_y: 40, cx: 16, cy: 12, w: 32, h: 24, depth_unit_scale_factor: 0.0005,
        frames: [
          { file_path: 'a.png', depth_file_path: 'depth/a.png', transform_matrix: rows(poseYaw(0)) },
          { file_path: 'b.png', depth_file_path: 'depth/b.png', transform_matrix: rows(poseYaw(5)) },
        ],
      }),
      'a.png': png(32, 24),
      'b.png': png(32, 24),
      // stored in units of 0.5 mm: encodeDepthPng16 writes round(v*1000), so pass metres*2
      'depth/a.png': encodeDepthPng16(8, 6, depth.map((v) => v * 2)),
    });
    const imp = await importTransformsJson(files);
    expect(imp.frames.length).toBe(2);
    expect(imp.warnings).toEqual(['frame b: depth file depth/b.png is missing; kept without depth']);
    const [a, b] = await loadFrames(imp.frames, { scale: 0.5 });
    expect(b.depth).toBeUndefined();
    expect([a.image.width, a.depth!.width, a.depth!.height]).toEqual([16, 8, 6]);
    expect(a.depth!.intrinsics).toEqual({ fx: 10, fy: 10, cx: 4, cy: 3, width: 8, height: 6 });
    for (let i = 0; i < depth.length; i++) expect(a.depth!.data[i]).toBeCloseTo(depth[i], 4);
    expect(frameProblems(a)).toEqual([]);
    expect((await loadFrame(imp.frames[0], { depth: false })).depth).toBeUndefined();
  });

  it('throws for an unreadable transforms.json', async () => {
    await expect(importTransformsJson(memoryFiles())).rejects.toThrow(/transforms.json not found/);
    await expect(importTransformsJson(memoryFiles({ 'transforms.json': new TextEncoder().encode('{') }))).rejects.toThrow(/not valid JSON/);
    await expect(importTransformsJson(memoryFiles({ 'transforms.json': enc({ fl_x: 1 }) }))).rejects.toThrow(/"frames" must be an array/);
  });

  it('follows the real file size when the image folder was pre-downscaled', async () => {
    const files = memoryFiles({
      'transforms.json': enc({ fl_x: 40, fl_y: 40, cx: 16, cy: 12, w: 32, h: 24, frames: [{ file_path: 'a.png', transform_matrix: rows(poseYaw(0)) }] }),
      'a.png': png(16, 12),
    });
    const f = await loadFrame((await importTransformsJson(files)).frames[0]);
    expect(f.intrinsics).toMatchObject({ fx: 20, cx: 8, width: 16, height: 12 });
    const bad = memoryFiles({
      'transforms.json': enc({ fl_x: 40, w: 32, h: 24, frames: [{ file_path: 'a.png', transform_matrix: rows(poseYaw(0)) }] }),
      'a.png': png(16, 16),
    });
    await expect(loadFrame((await importTransformsJson(bad)).frames[0])).rejects.toThrow(/different aspect/);
  });

  it('works on browser-picked files (a picked folder, read lazily)', async () => {
    let reads = 0;
    const file = (path: string, bytes: Uint8Array) => ({
      name: path.split('/').pop()!,
      webkitRelativePath: path,
      arrayBuffer: async () => {
        reads++;
        return bytes.slice().buffer;
      },
    });
    const picked = pickedFiles([
      file('myscan/transforms.json', enc({ fl_x: 10, w: 8, h: 8, frames: [{ file_path: 'images/a.png', transform_matrix: rows(poseYaw(0)) }] })),
      file('myscan/images/a.png', png(8, 8)),
    ]);
    const imp = await importTransformsJson(picked);
    expect(reads).toBe(1); // only transforms.json: images are decoded on demand
    const f = await loadFrame(imp.frames[0]);
    expect(f.image.width).toBe(8);
    expect(reads).toBe(2);
  });
});
