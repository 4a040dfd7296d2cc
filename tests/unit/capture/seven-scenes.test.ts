/**
 * The 7-Scenes / 3DMatch reader on the real redkitchen capture (../shared/data/redkitchen) and on
 * small broken folders. The pose convention is checked the way a user would notice it: one frame's
 * depth, carried into the next frame's camera, lands on that frame's depth.
 */
import { describe, expect, it } from 'vitest';
import { memoryFiles } from '../../../lib/capture/bundle-files';
import { loadFrame } from '../../../lib/capture/frame-record';
import { encodePng } from '../../../lib/capture/png';
import { nodeFolderFiles } from '../../../lib/capture/node-files';
import { orthonormalized, rigidPoseProblem } from '../../../lib/capture/pose';
import { importSevenScenes, isSevenScenesFolder, parseOpenCvPoseText } from '../../../lib/capture/seven-scenes';
import { REDKITCHEN, reprojectionErrors } from './rgbd-helpers';

const median = (v: number[]) => [...v].sort((x, y) => x - y)[v.length >> 1];

describe('7-Scenes / 3DMatch folders', () => {
  it('reads redkitchen: 50 frames in order, K from camera-intrinsics.txt, metric depth with holes', async () => {
    const files = nodeFolderFiles(REDKITCHEN);
    expect(await isSevenScenesFolder(files)).toBe(true);
    const imp = await importSevenScenes(files);
    expect(imp.frames).toHaveLength(50);
    expect(imp.skipped).toEqual([]);
    expect(imp.intrinsics).toEqual({ fx: 585, fy: 585, cx: 320, cy: 240, source: 'file' });
    expect(imp.frames[0].id).toBe('frame-000150');
    expect(imp.frames[49].id).toBe('frame-000199');
    expect(imp.frames[1].timestamp - imp.frames[0].timestamp).toBeCloseTo(1000 / 30, 6);
    const f = await loadFrame(imp.frames[0]);
    expect([f.image.width, f.image.height]).toEqual([640, 480]);
    expect(f.intrinsics).toEqual({ fx: 585, fy: 585, cx: 320, cy: 240, width: 640, height: 480 });
    const d = f.depth!;
    expect(d.data).toBeInstanceOf(Float32Array);
    expect(d.intrinsics).toEqual({ fx: 585, fy: 585, cx: 320, cy: 240, width: 640, height: 480 });
    let invalid = 0, min = Infinity, max = 0;
    const valid: number[] = [];
    for (const z of d.data) {
      if (z === 0) invalid++;
      else {
        valid.push(z);
        min = Math.min(min, z);
        max = Math.max(max, z);
      }
    }
    // 65535 ("no measurement") must not come through as 65.5 m.
    expect(max).toBeLessThan(4);
    const sorted = valid.sort((x, y) => x - y);
    expect(sorted[Math.floor(sorted.length * 0.01)]).toBeGreaterThan(0.9);
    expect(sorted[Math.floor(sorted.length * 0.99)]).toBeLessThan(2.8);
    expect(min).toBeGreaterThan(0.4);
    const frac = invalid / d.data.length;
    expect(frac).toBeGreaterThan(0.05);
    expect(frac).toBeLessThan(0.2);
  });

  it('turns the OpenCV camera-to-world poses into Frame poses: consecutive depths agree to ~1-2 cm', async () => {
    const imp = await importSevenScenes(nodeFolderFiles(REDKITCHEN));
    for (const r of imp.frames) expect(rigidPoseProblem(r.cameraToWorld, 1e-9)).toBeNull();
    const a = await loadFrame(imp.frames[10]);
    const b = await loadFrame(imp.frames[11]);
    const errs = reprojectionErrors(a.depth!, a.cameraToWorld, b.depth!, b.cameraToWorld);
    expect(errs.length).toBeGreaterThan(10_000);
    expect(median(errs)).toBeLessThan(0.025);
    expect(errs.filter((e) => e < 0.05).length / errs.length).toBeGreaterThan(0.85);
    // The wrong convention (OpenCV axes taken as OpenGL ones) would put points behind the camera.
    const flipped = (m: Float64Array) => {
      const o = Float64Array.from(m);
      for (let r = 0; r < 3; r++) {
        o[4 + r] = -o[4 + r];
        o[8 + r] = -o[8 + r];
      }
      return o;
    };
    const wrong = reprojectionErrors(a.depth!, flipped(a.cameraToWorld), b.depth!, b.cameraToWorld);
    expect(wrong.length < errs.length * 0.1 || median(wrong) > 0.1).toBe(true);
  });

  it('re-orthonormalises rotations given to ~7 digits and converts the camera axes', () => {
    const text = `  7.0352107e-001  3.1905547e-001 -6.3492483e-001 -9.1287065e-001
 -3.7097296e-001  9.2696339e-001  5.4754097e-002 -3.4388667e-001
  6.0605687e-001  1.9703214e-001  7.7053267e-001  7.5986093e-001
  0 0 0 1`;
    const m = parseOpenCvPoseText(text, 'p.txt');
    expect(rigidPoseProblem(m, 1e-12)).toBeNull();
    // Column-major, x kept, y and z negated: element (row 0, col 0) = 0.7035, (row 0, col 1) = -0.319.
    expect(m[0]).toBeCloseTo(0.70352, 4);
    expect(m[4]).toBeCloseTo(-0.31906, 4);
    expect(m[8]).toBeCloseTo(0.63492, 4);
    expect([m[12], m[13], m[14]]).toEqual([-0.91287065, -0.34388667, 0.75986093]);
    expect(orthonormalized([2, 0, 0, 0, 0, 1, 0, 0, 0, 0, -1, 0, 0, 0, 0, 1])).toBeNull(); // a reflection
    expect(() => parseOpenCvPoseText('1 0 0 0  0 1 0 0  0 0 1 0', 'short.txt')).toThrow(/short.txt: expected 16 numbers, found 12/);
    expect(() => parseOpenCvPoseText('1 0 0 nan 0 1 0 0 0 0 1 0 0 0 0 1', 'nan.txt')).toThrow(/nan.txt: value 4 is not a finite number/);
    expect(() => parseOpenCvPoseText('2 0 0 0 0 1 0 0 0 0 1 0 0 0 0 1', 'scaled.txt')).toThrow(/scaled.txt: .*orthonormal/);
  });

  it('skips broken frames with a reason, keeps frames without depth, and uses the 7-Scenes K when none is given', async () => {
    const png16 = encodePng({ width: 4, height: 3, channels: 1, bitDepth: 16, data: Uint16Array.from([0, 1000, 65535, 2500, 1, 2, 3, 4, 5, 6, 7, 8]) });
    const rgb = encodePng({ width: 8, height: 6, channels: 3, bitDepth: 8, data: new Uint8Array(8 * 6 * 3) });
    const eye = new TextEncoder().encode('1 0 0 0\n0 1 0 0\n0 0 1 0\n0 0 0 1\n');
    const files = memoryFiles({
      'frame-000000.color.png': rgb,
      'frame-000000.depth.png': png16,
      'frame-000000.pose.txt': eye,
      'frame-000001.color.png': rgb,
      'frame-000001.pose.txt': new TextEncoder().encode('-inf -inf -inf -inf\n'.repeat(4)),
      'frame-000002.color.png': rgb,
      'frame-000002.pose.txt': eye,
      'frame-000003.pose.txt': eye,
    });
    const imp = await importSevenScenes(files);
    expect(imp.intrinsics.source).toBe('default');
    expect(imp.warnings.join('\n')).toMatch(/no camera-intrinsics.txt/);
    expect(imp.frames.map((f) => f.id)).toEqual(['frame-000000', 'frame-000002']);
    expect(imp.skipped.map((s) => s.id)).toEqual(['frame-000001', 'frame-000003']);
    expect(imp.skipped[0].reason).toMatch(/frame-000001.pose.txt: value 1 is not a finite number/);
    expect(imp.skipped[1].reason).toMatch(/no colour image/);
    expect(imp.warnings.join('\n')).toMatch(/frame-000002: no depth file/);
    const f = await loadFrame(imp.frames[0]);
    // K describes the depth image (4x3 here): the 8x6 colour image gets it scaled by 2.
    expect(f.intrinsics).toMatchObject({ fx: 1170, cx: 640, width: 8, height: 6 });
    expect(f.depth!.intrinsics).toMatchObject({ fx: 585, cx: 320, width: 4, height: 3 });
    expect(Array.from(f.depth!.data.subarray(0, 4))).toEqual([0, 1, 0, 2.5]);
    // Identity OpenCV pose -> camera looking down world +z, y down: Frame's y and z axes negated.
    expect(Array.from(f.cameraToWorld)).toEqual([1, 0, 0, 0, -0, -1, -0, 0, -0, -0, -1, 0, 0, 0, 0, 1]);
    expect((await loadFrame(imp.frames[1])).depth).toBeUndefined();
  });
});
