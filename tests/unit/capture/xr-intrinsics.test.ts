import { describe, expect, it } from 'vitest';
import { Matrix4, Vector3 } from 'three';
import { intrinsicsFromProjection, projectionFromIntrinsics } from '../../../lib/capture/xr-intrinsics';
import type { Intrinsics } from '../../../lib/capture/frame';

/** Projection matrix built the way three.js (and a WebXR runtime) does, from a top-left-origin pinhole camera. */
function threeProjection(k: Intrinsics, near = 0.1, far = 100): number[] {
  const left = (-near * k.cx) / k.fx;
  const right = (near * (k.width - k.cx)) / k.fx;
  const top = (near * k.cy) / k.fy;
  const bottom = (-near * (k.height - k.cy)) / k.fy;
  return new Matrix4().makePerspective(left, right, top, bottom, near, far).elements.slice();
}

/** Pixel (top-left origin) where the projection puts a camera-space point. */
function projectToPixel(p: ArrayLike<number>, w: number, h: number, x: number, y: number, z: number): [number, number] {
  const v = new Vector3(x, y, z).applyMatrix4(new Matrix4().fromArray(Array.from(p)));
  return [((v.x + 1) / 2) * w, ((1 - v.y) / 2) * h];
}

const offCentre: Intrinsics = { fx: 500, fy: 510, cx: 300, cy: 200, width: 640, height: 480 };

describe('intrinsicsFromProjection', () => {
  it('round-trips an off-centre principal point through a three.js projection', () => {
    const p = threeProjection(offCentre);
    const k = intrinsicsFromProjection(p, { x: 0, y: 0, width: 640, height: 480 });
    expect(k.fx).toBeCloseTo(500, 6);
    expect(k.fy).toBeCloseTo(510, 6);
    expect(k.cx).toBeCloseTo(300, 6);
    expect(k.cy).toBeCloseTo(200, 6); // top-left origin: above the centre row 240
    expect([k.width, k.height]).toEqual([640, 480]);
  });

  it('agrees with where the projection actually draws points (sign check independent of the formulas)', () => {
    const p = threeProjection(offCentre);
    const k = intrinsicsFromProjection(p, { x: 0, y: 0, width: 640, height: 480 });
    for (const [x, y, z] of [[0, 0, -2], [0.3, 0.2, -1.5], [-0.4, -0.25, -3]]) {
      const [u, v] = projectToPixel(p, 640, 480, x, y, z);
      // pinhole with top-left origin, +y up in camera space, looking down -z
      expect(k.cx + (k.fx * x) / -z).toBeCloseTo(u, 6);
      expect(k.cy - (k.fy * y) / -z).toBeCloseTo(v, 6);
    }
  });

  it('ignores the viewport offset (intrinsics are relative to the view image) and rescales to the camera image', () => {
    const p = threeProjection(offCentre);
    const a = intrinsicsFromProjection(p, { x: 0, y: 0, width: 640, height: 480 });
    const b = intrinsicsFromProjection(p, { x: 640, y: 100, width: 640, height: 480 });
    expect(b).toEqual(a);
    const k = intrinsicsFromProjection(p, { x: 0, y: 0, width: 640, height: 480 }, { width: 1280, height: 960 });
    expect(k.fx).toBeCloseTo(1000, 6);
    expect(k.fy).toBeCloseTo(1020, 6);
    expect(k.cx).toBeCloseTo(600, 6);
    expect(k.cy).toBeCloseTo(400, 6);
    expect([k.width, k.height]).toEqual([1280, 960]);
    // non-uniform rescale (camera image with another aspect than the viewport)
    const n = intrinsicsFromProjection(p, { x: 0, y: 0, width: 640, height: 480 }, { width: 320, height: 480 });
    expect(n.fx).toBeCloseTo(250, 6);
    expect(n.fy).toBeCloseTo(510, 6);
    expect(n.cx).toBeCloseTo(150, 6);
  });

  it('projectionFromIntrinsics is the inverse and matches three.js', () => {
    const p = projectionFromIntrinsics(offCentre, 0.1, 100);
    const t = threeProjection(offCentre, 0.1, 100);
    for (let i = 0; i < 16; i++) expect(p[i]).toBeCloseTo(t[i], 9);
    expect(() => projectionFromIntrinsics(offCentre, 0, 1)).toThrow(/near/);
  });

  it('rejects non-perspective or broken input', () => {
    const vp = { x: 0, y: 0, width: 10, height: 10 };
    expect(() => intrinsicsFromProjection(new Float32Array(15), vp)).toThrow(/16 numbers/);
    const ortho = new Matrix4().makeOrthographic(-1, 1, 1, -1, 0.1, 10).elements;
    expect(() => intrinsicsFromProjection(ortho, vp)).toThrow(/not a perspective/);
    const bad = threeProjection(offCentre);
    bad[5] = NaN;
    expect(() => intrinsicsFromProjection(bad, vp)).toThrow(/element 5 is not finite/);
    expect(() => intrinsicsFromProjection(threeProjection(offCentre), { x: 0, y: 0, width: 0, height: 10 })).toThrow(/viewport/);
  });
});
