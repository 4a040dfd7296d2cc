/** Display thinning keeps what the capture cameras see most: opaque, large, in-view splats before faint, tiny or unseen ones. */
import { describe, expect, it } from 'vitest';
import { displayImportance, displaySelection, selectForDisplay } from '../../../lib/splat/display-importance';
import { GaussianScene } from '../../../lib/splat/gaussian-scene';
import type { CaptureCamera } from '../../../lib/splat/scene-info';
import { thinForDisplay } from '../../../lib/web/scene-build';

// A camera at the origin looking down -z.
const cam: CaptureCamera = { id: 'c', cameraToWorld: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1], intrinsics: { fx: 100, fy: 100, cx: 50, cy: 50, width: 100, height: 100 } };

function scene(): GaussianScene {
  const s = new GaussianScene({ initialCapacity: 5 });
  s.allocate(5);
  const put = (i: number, p: [number, number, number], scale: number, opacity: number) => {
    s.positions.set(p, 3 * i);
    s.scales.set([scale, scale, scale * 0.1], 3 * i);
    s.opacities[i] = opacity;
  };
  put(0, [0, 0, -2], 0.05, 0.9); // big, opaque, in view
  put(1, [0, 0, -2], 0.005, 0.9); // tiny
  put(2, [0, 0, -2], 0.05, 0.05); // faint
  put(3, [0, 0, 2], 0.2, 1); // behind the camera: unseen however large
  put(4, [0.1, 0, -8], 0.05, 0.9); // same size, four times farther: 1/16 of the area
  s.info = { cameras: [cam] };
  return s;
}

describe('display importance', () => {
  it('ranks by opacity x projected area in the capture cameras', () => {
    const imp = displayImportance(scene(), { cameras: [cam] });
    expect(imp[3]).toBe(0);
    expect(imp[0]).toBeGreaterThan(imp[4]);
    expect(imp[0] / imp[4]).toBeCloseTo(16, 0);
    expect(imp[0]).toBeGreaterThan(imp[1] * 50);
    expect(imp[0]).toBeGreaterThan(imp[2] * 10);
  });

  it('without cameras, ranks by opacity x world footprint', () => {
    const imp = displayImportance(scene());
    expect(imp[3]).toBeGreaterThan(imp[0]); // nothing says it is unseen
    expect(imp[0]).toBeCloseTo(imp[4]);
  });

  it('selectForDisplay keeps every splat that matters most, samples the rest by importance, never the unseen; thinForDisplay grows what it keeps', () => {
    const keep = selectForDisplay(scene(), 2, { cameras: [cam] });
    expect(keep.reduce((a, b) => a + b, 0)).toBe(2);
    expect(keep[0]).toBe(1); // the biggest, most opaque, in view
    expect(keep[3]).toBe(0); // behind the camera
    const { represents } = displaySelection(scene(), 2, { cameras: [cam] });
    expect(represents[0]).toBe(1); // kept for sure: stands for itself
    const s = scene();
    thinForDisplay(s, 2, { method: 'ranked' });
    expect(s.count).toBe(2);
    expect(s.positions[2]).toBe(-2);
    expect(s.scales[0]).toBeCloseTo(0.05); // p = 1: not grown
    expect(s.scales[3]).toBeGreaterThan(0.005 * 1.5); // the sampled one stands for several: grown in its plane
    expect(s.scales[5]).toBeLessThan(s.scales[3]); // its thin axis keeps its thickness
    const u = scene();
    thinForDisplay(u, 2, { grow: false });
    expect(u.count).toBe(2);
    expect(u.scales[0]).toBeCloseTo(0.005); // kept splat 1 of the even spread, as it was
    const g = scene();
    thinForDisplay(g, 2); // default: even spread, grown by sqrt(5/2)
    expect(g.scales[0]).toBeCloseTo(0.005 * Math.sqrt(2.5), 5);
    expect(() => selectForDisplay(s, -1)).toThrow(/non-negative/);
    expect(selectForDisplay(s, 10).every((k) => k === 1)).toBe(true);
  });
});
