import { describe, expect, it } from 'vitest';
import type { Intrinsics } from '../../../lib/capture/frame';
import { cameraHomeFromCamera, frameScene, robustBox } from '../../../lib/web/camera-home';
import { allFrustumSegments, frustumSegments } from '../../../lib/web/frusta';
import { readScenePageParams } from '../../../lib/web/page-params';
import { makeThumbnail } from '../../../lib/web/thumbnail';
import { rgbaToRgb } from '../../../lib/web/browser-image-codec';
import { fastDepthTestInput } from '../../../lib/web/depth-check';

const K: Intrinsics = { fx: 100, fy: 100, cx: 50, cy: 40, width: 100, height: 80 };
const translate = (x: number, y: number, z: number) => [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, x, y, z, 1];
// 90° about +y: camera -z (forward) becomes world -x.
const yaw90 = (x: number, y: number, z: number) => [0, 0, -1, 0, 0, 1, 0, 0, 1, 0, 0, 0, x, y, z, 1];

describe('frustumSegments', () => {
  it('puts the image corners at depth d along -z, top-left image corner up-left', () => {
    const s = frustumSegments(K, translate(0, 0, 0), 2);
    expect(s).toHaveLength(48);
    // Segment 0: centre -> corner (0,0): x = (0-50)/100*2 = -1, y = +(40/100)*2 = 0.8, z = -2.
    expect(Array.from(s.slice(0, 6))).toEqual([0, 0, 0, -1, 0.8, -2].map((v) => expect.closeTo(v, 6)));
    // Corner (W, H) = bottom-right: x = +1, y = -0.8.
    expect(s[15]).toBeCloseTo(1);
    expect(s[16]).toBeCloseTo(-0.8);
  });
  it('applies the camera-to-world rotation and translation', () => {
    const s = frustumSegments(K, yaw90(1, 2, 3), 1);
    expect(Array.from(s.slice(0, 3))).toEqual([1, 2, 3]);
    // Principal-ray corner average lies 1 m along world -x from the centre.
    let cx = 0;
    for (let i = 0; i < 4; i++) cx += s[i * 6 + 3];
    expect(cx / 4).toBeCloseTo(0, 1);
  });
  it('rejects bad intrinsics and depth', () => {
    expect(() => frustumSegments({ ...K, fx: 0 }, translate(0, 0, 0))).toThrow(/focal/);
    expect(() => frustumSegments(K, translate(0, 0, 0), 0)).toThrow(/depth/);
  });
  it('concatenates frames', () => {
    expect(allFrustumSegments([{ intrinsics: K, cameraToWorld: translate(0, 0, 0) }, { intrinsics: K, cameraToWorld: translate(1, 0, 0) }])).toHaveLength(96);
  });
});

describe('cameraHomeFromCamera / frameScene', () => {
  it('looks through the capture camera with its vertical field of view, world up, orbiting where its line of sight passes the centre', () => {
    const h = cameraHomeFromCamera({ cameraToWorld: yaw90(1, 1.5, 0), intrinsics: K }, [-3, 0.5, 0.4]);
    expect(h.position).toEqual([1, 1.5, 0]);
    expect(h.target.map((v) => Math.round(v * 1e6) / 1e6)).toEqual([-3, 1.5, 0]);
    expect(h.up).toEqual([0, 1, 0]);
    expect(h.fovYDeg).toBeCloseTo((2 * Math.atan(40 / 100) * 180) / Math.PI, 6);
    // A centre behind the camera: 2 m ahead instead.
    expect(cameraHomeFromCamera({ cameraToWorld: translate(0, 0, 0), intrinsics: K }, [0, 0, 5]).target[2]).toBeCloseTo(-2);
    expect(() => cameraHomeFromCamera({ cameraToWorld: [1, 2, 3], intrinsics: K }, null)).toThrow(/16 numbers/);
  });

  it('ignores stereo outliers: the robust centre and the grid stay with the bulk of the splats', () => {
    const n = 1000;
    const pos = new Float32Array(3 * n);
    for (let i = 0; i < n; i++) pos.set([(i % 10) / 10, 0.1 + ((i * 7) % 10) / 20, -2 - ((i * 3) % 10) / 10], 3 * i);
    pos.set([400, -300, 900], 0); // flung far away by a bad match
    pos.set([-500, 200, -800], 3);
    const b = robustBox({ count: n, positions: pos })!;
    expect(b.centre[0]).toBeCloseTo(0.45, 1);
    expect(b.max[2]).toBeLessThan(0);
    // Two cameras: the one facing the splats is picked.
    const away = yaw90(0, 1, -2); // looks along -x
    const facing = translate(0.5, 1, 1); // looks along -z, at the splats
    const f = frameScene({ count: n, positions: pos }, [{ cameraToWorld: away, intrinsics: K }, { cameraToWorld: facing, intrinsics: K }]);
    expect(f.camera).toBe(1);
    expect(f.home!.position).toEqual([0.5, 1, 1]);
    expect(f.floorY).toBeCloseTo(0.1, 1); // no world info: the box's low side
    expect(f.gridSize).toBe(10);
    expect(frameScene({ count: n, positions: pos }, [], { floorAtZero: true }).floorY).toBe(0);
    expect(frameScene({ count: n, positions: pos }, [{ cameraToWorld: away, intrinsics: K }, { cameraToWorld: facing, intrinsics: K }], { selected: 0 }).camera).toBe(0);
    expect(frameScene(null, []).home).toBeNull();
  });
});

describe('readScenePageParams', () => {
  it('defaults to the bundled sample', () => {
    expect(readScenePageParams('')).toEqual({ capture: '/samples/living_room/', maxSplats: 200000 });
  });
  it('accepts same-origin paths and a splat budget', () => {
    expect(readScenePageParams('?capture=/samples/x/&max-splats=5000')).toEqual({ capture: '/samples/x/', maxSplats: 5000 });
  });
  it('rejects other hosts, traversal and bad budgets', () => {
    expect(() => readScenePageParams('?capture=https://evil.example/')).toThrow(/path on this site/);
    expect(() => readScenePageParams('?capture=//evil.example/')).toThrow(/path on this site/);
    expect(() => readScenePageParams('?capture=/samples/../x')).toThrow(/path on this site/);
    expect(() => readScenePageParams('?max-splats=0')).toThrow(/max-splats/);
    expect(() => readScenePageParams('?max-splats=1e99')).toThrow(/max-splats/);
    expect(() => readScenePageParams('?max-splats=abc')).toThrow(/max-splats/);
  });
});

describe('makeThumbnail', () => {
  it('box-averages down to the requested longer side and keeps the aspect', () => {
    const w = 8, h = 4;
    const data = new Uint8Array(w * h * 3);
    for (let i = 0; i < w * h; i++) data[3 * i] = i % 2 ? 200 : 0; // alternating columns
    const t = makeThumbnail({ width: w, height: h, data }, 4);
    expect([t.width, t.height]).toEqual([4, 2]);
    for (let i = 0; i < 8; i++) {
      expect(t.data[4 * i]).toBe(100); // each 2x2 block averages 0 and 200
      expect(t.data[4 * i + 3]).toBe(255);
    }
  });
  it('never upscales and rejects inconsistent images', () => {
    const t = makeThumbnail({ width: 3, height: 2, data: new Uint8Array(18).fill(7) }, 160);
    expect([t.width, t.height]).toEqual([3, 2]);
    expect(() => makeThumbnail({ width: 3, height: 2, data: new Uint8Array(5) })).toThrow(/bytes/);
  });
});

describe('rgbaToRgb', () => {
  it('drops alpha', () => {
    expect(Array.from(rgbaToRgb(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]), 2, 1).data)).toEqual([1, 2, 3, 5, 6, 7]);
    expect(() => rgbaToRgb(new Uint8Array(7), 2, 1)).toThrow();
  });
});

describe('fastDepthTestInput', () => {
  it('is a deterministic, non-constant planar RGB picture in 0..1', () => {
    const a = fastDepthTestInput();
    expect(a).toHaveLength(3 * 224 * 224);
    expect(fastDepthTestInput()).toEqual(a);
    let min = Infinity, max = -Infinity;
    for (const v of a) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThanOrEqual(1);
    expect(max - min).toBeGreaterThan(0.3);
  });
});
