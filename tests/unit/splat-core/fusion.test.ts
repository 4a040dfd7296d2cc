import { describe, expect, it } from 'vitest';
import { GaussianScene } from '../../../lib/splat/gaussian-scene';
import { gaussiansFromDepth } from '../../../lib/splat/gaussians-from-depth';
import { SceneFusion } from '../../../lib/splat/fusion';
import { renderGaussians } from '../../../lib/splat/cpu-renderer';
import { psnr } from '../../../lib/splat/image-metrics';
import { castFrame, intrinsics, lookAt, wall, type Rect, type Vec3 } from './synthetic';

const k = intrinsics(64, 48);
const grey = (): Vec3 => [0.5, 0.5, 0.5];
/** A 1.2 m x 0.9 m panel at the origin, facing +z. */
const panel = (center: Vec3 = [0, 1.5, 0], color = grey): Rect => ({ center, axisU: [0.6, 0, 0], axisV: [0, 0.45, 0], color });

function view(i: number, eye: Vec3, rects: Rect[] = [panel()], target: Vec3 = [0, 1.5, 0], opts = {}) {
  const f = castFrame(`v${i}`, lookAt(eye, target), k, rects);
  const s = new GaussianScene();
  gaussiansFromDepth(s, f, i, opts);
  return s;
}

/** Multiset of (view, pixel) identities with positions, sorted, for exact comparisons. */
function contents(s: GaussianScene): string[] {
  const out: string[] = [];
  for (let i = 0; i < s.count; i++)
    out.push(`${s.sourceView[i]}:${s.sourcePixel[i]}:${s.positions[i * 3].toFixed(6)},${s.positions[i * 3 + 1].toFixed(6)},${s.positions[i * 3 + 2].toFixed(6)}`);
  return out.sort();
}

describe('SceneFusion: the same surface seen again', () => {
  it('an identical view merges completely: the count does not change', () => {
    const scene = new GaussianScene();
    const fusion = new SceneFusion(scene);
    const a = view(0, [0, 1.5, 2]);
    fusion.addView(0, a);
    const b = view(1, [0, 1.5, 2]);
    const r = fusion.addView(1, b);
    expect(r).toMatchObject({ added: 0, merged: a.count });
    expect(scene.count).toBe(a.count);
    expect(fusion.alternateCount).toBe(a.count);
  });

  it('several views of one panel from different places stay near one view\'s density (walls are not duplicated)', () => {
    const scene = new GaussianScene();
    const fusion = new SceneFusion(scene);
    const eyes: Vec3[] = [[0, 1.5, 2], [0.3, 1.6, 2.1], [-0.4, 1.3, 1.9], [0, 1.5, 2.5], [0.6, 1.5, 1.9]];
    let sum = 0, most = 0;
    eyes.forEach((e, i) => {
      const s = view(i, e);
      sum += s.count;
      most = Math.max(most, s.count);
      fusion.addView(i, s);
    });
    expect(sum).toBeGreaterThan(3.5 * most);
    expect(scene.count).toBeLessThan(1.2 * most);
    // and the panel is still covered: every fused Gaussian lies on it
    for (let i = 0; i < scene.count; i++) expect(Math.abs(scene.positions[i * 3 + 2])).toBeLessThan(1e-4);
  });

  it('keeps the better-observed Gaussian: a nearer view replaces a farther one', () => {
    const scene = new GaussianScene();
    const fusion = new SceneFusion(scene);
    fusion.addView(0, view(0, [0, 1.5, 3]));
    const r = fusion.addView(1, view(1, [0, 1.5, 2.4]));
    expect(r.replaced).toBe(r.merged);
    expect(r.merged).toBeGreaterThan(0);
    // every merged element now shows view 1
    let fromFar = 0;
    for (let i = 0; i < scene.count; i++) if (scene.sourceView[i] === 0) fromFar++;
    expect(fromFar).toBe(0);
  });

  it('does not merge the two sides of a thin wall (opposite normals)', () => {
    const scene = new GaussianScene();
    const fusion = new SceneFusion(scene);
    const front = view(0, [0, 1.5, 2]);
    const back = view(1, [0, 1.5, -2]);
    fusion.addView(0, front);
    const r = fusion.addView(1, back);
    expect(r.merged).toBe(0);
    expect(scene.count).toBe(front.count + back.count);
  });
});

describe('SceneFusion: removing and replacing views', () => {
  const eyeA: Vec3 = [0, 1.5, 2], eyeB: Vec3 = [0.5, 1.4, 2.2];

  it('without the density limit, removing a view restores exactly what the other view contributed (both orders)', () => {
    for (const [keep, drop] of [[1, 0], [0, 1]]) {
      const a = view(0, eyeA), b = view(1, eyeB);
      const scene = new GaussianScene();
      const fusion = new SceneFusion(scene, { densityRatio: 0 });
      fusion.addView(0, a);
      fusion.addView(1, b);
      expect(scene.count).toBeLessThan(a.count + b.count);
      const r = fusion.removeView(drop);
      // dropping the better view (A, nearer) must bring B's observations back from the alternates
      if (drop === 0) expect(r.restored).toBeGreaterThan(0);
      expect(r.restored + r.removed).toBeGreaterThan(0);
      const only = new GaussianScene();
      new SceneFusion(only).addView(keep, keep === 0 ? view(0, eyeA) : view(1, eyeB));
      expect(contents(scene)).toEqual(contents(only));
      expect(fusion.views()).toEqual([keep]);
      expect(fusion.alternateCount).toBe(0);
    }
  });

  it('removing every view empties the scene; views can be added again afterwards', () => {
    const scene = new GaussianScene();
    const fusion = new SceneFusion(scene);
    fusion.addView(3, view(3, eyeA));
    fusion.addView(5, view(5, eyeB));
    fusion.removeView(3);
    fusion.removeView(5);
    expect(scene.count).toBe(0);
    expect(fusion.alternateCount).toBe(0);
    fusion.addView(3, view(3, eyeA));
    expect(scene.count).toBe(view(3, eyeA).count);
  });

  it('replaceView swaps a re-scanned view for the old one', () => {
    const scene = new GaussianScene();
    // Winner colours only, so the re-scanned view's own colour is what is shown; without the density limit, whose
    // averaging keeps the density of whichever view came first, so the count would depend on the order.
    const fusion = new SceneFusion(scene, { blend: false, densityRatio: 0 });
    fusion.addView(0, view(0, eyeA));
    fusion.addView(1, view(1, eyeB));
    const before = scene.count;
    const red = view(0, eyeA, [panel([0, 1.5, 0], () => [1, 0, 0])]);
    const r = fusion.replaceView(0, red);
    expect(r.merged + r.absorbed + r.added).toBe(red.count);
    // greedy matching depends on insertion order, so the count is equal up to a few boundary Gaussians
    expect(Math.abs(scene.count - before)).toBeLessThanOrEqual(before * 0.01);
    let shown = 0;
    for (let i = 0; i < scene.count; i++)
      if (scene.sourceView[i] === 0) {
        shown++;
        expect(scene.colors[i * 3]).toBe(1);
      }
    expect(shown).toBeGreaterThan(0);
    expect(fusion.views()).toEqual([0, 1]);
  });
});

describe('SceneFusion: blending the observations of a surface', () => {
  const red = () => [1, 0, 0] as Vec3, blue = () => [0, 0, 1] as Vec3;
  it('a surface seen by two views shows their weighted mean colour; removing one view restores the other exactly', () => {
    const scene = new GaussianScene();
    const fusion = new SceneFusion(scene);
    const a = view(0, [0, 1.5, 2], [panel([0, 1.5, 0], red)]);
    const b = view(1, [0, 1.5, 2.6], [panel([0, 1.5, 0], blue)]);
    fusion.addView(0, a);
    const r = fusion.addView(1, b);
    expect(r.merged).toBeGreaterThan(0.5 * b.count);
    // The nearer view (a) weighs more: mixed elements are mostly red but carry some blue.
    let mixed = 0;
    for (let i = 0; i < scene.count; i++) {
      const cr = scene.colors[i * 3], cb = scene.colors[i * 3 + 2];
      expect(cr + cb).toBeCloseTo(1, 5);
      if (cr > 0 && cb > 0) {
        mixed++;
        expect(cr).toBeGreaterThan(cb);
      }
    }
    expect(mixed).toBeGreaterThan(0.5 * b.count);
    fusion.removeView(1);
    expect(scene.count).toBe(a.count);
    expect(contents(scene)).toEqual(contents(a));
    for (let i = 0; i < scene.count; i++) expect(scene.colors[i * 3]).toBe(1);
  });

  it('averaging noisy depth from several views brings the surface closer to the truth than any one view', () => {
    const eyes: Vec3[] = [[0, 1.5, 2], [0.05, 1.52, 2.02], [-0.05, 1.48, 1.98], [0.02, 1.5, 2.05]];
    let seed = 7;
    const noise = () => ((seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5) * 0.004;
    const views = eyes.map((e, i) => {
      const f = castFrame(`v${i}`, lookAt(e, [0, 1.5, 0]), k, [panel()]);
      for (let p = 0; p < f.depth!.data.length; p++) if (f.depth!.data[p] > 0) f.depth!.data[p] += noise();
      const s = new GaussianScene();
      gaussiansFromDepth(s, f, i, { discontinuity: 0.5 });
      return s;
    });
    const rms = (s: GaussianScene) => {
      let e = 0;
      for (let i = 0; i < s.count; i++) e += s.positions[i * 3 + 2] ** 2;
      return Math.sqrt(e / s.count);
    };
    const fuse = (blend: boolean) => {
      const scene = new GaussianScene();
      const fusion = new SceneFusion(scene, { blend, mergeRadius: 3, maxAlternates: 3 });
      views.forEach((v, i) => fusion.addView(i, v));
      return rms(scene);
    };
    expect(fuse(true)).toBeLessThan(0.8 * fuse(false));
  });
});

describe('SceneFusion: budget', () => {
  it('never exceeds the budget and evicts the lowest-weight Gaussians first', () => {
    // Three separate panels: one seen from far (low weight), two from near.
    const far = view(0, [-3, 1.5, 6], [panel([-3, 1.5, 0])], [-3, 1.5, 0]);
    const near1 = view(1, [0, 1.5, 1.8], [panel([0, 1.5, 0])]);
    const near2 = view(2, [3, 1.5, 1.8], [panel([3, 1.5, 0])], [3, 1.5, 0]);
    const budget = Math.round(near1.count + near2.count + far.count / 2);
    const scene = new GaussianScene({ budget });
    const fusion = new SceneFusion(scene, { evictSlack: 0.05 });
    let evicted = 0;
    for (const [i, s] of [far, near1, near2].entries()) {
      const r = fusion.addView(i, s);
      evicted += r.evicted;
      expect(scene.count).toBeLessThanOrEqual(budget);
    }
    expect(evicted).toBeGreaterThan(0);
    expect(scene.count).toBe(far.count + near1.count + near2.count - evicted);
    // what was kept outweighs everything that was evicted
    const kept = new Set<string>();
    let minKept = Infinity;
    for (let i = 0; i < scene.count; i++) {
      kept.add(`${scene.sourceView[i]}:${scene.sourcePixel[i]}`);
      minKept = Math.min(minKept, scene.weight[i]);
    }
    let maxEvicted = -Infinity;
    for (const s of [far, near1, near2])
      for (let i = 0; i < s.count; i++) if (!kept.has(`${s.sourceView[i]}:${s.sourcePixel[i]}`)) maxEvicted = Math.max(maxEvicted, s.weight[i]);
    expect(maxEvicted).toBeLessThanOrEqual(minKept);
    // the far panel paid for the budget
    let farKept = 0;
    for (let i = 0; i < scene.count; i++) if (scene.sourceView[i] === 0) farKept++;
    expect(farKept).toBeLessThan(far.count);
  });

  it('a single view larger than the budget keeps its best Gaussians', () => {
    const s = view(0, [0.8, 1.2, 1.5]);
    const scene = new GaussianScene({ budget: 300 });
    const r = new SceneFusion(scene).addView(0, s);
    expect(scene.count).toBeLessThanOrEqual(300);
    expect(r.added).toBe(scene.count);
    expect(r.evicted).toBe(s.count - scene.count);
  });
});

describe('SceneFusion: input checks', () => {
  it('rejects duplicate views, unknown views, mismatched SH degree and bad Gaussians', () => {
    const scene = new GaussianScene();
    const fusion = new SceneFusion(scene);
    const a = view(0, [0, 1.5, 2]);
    fusion.addView(0, a);
    expect(() => fusion.addView(0, a)).toThrow(/already fused/);
    expect(() => fusion.removeView(4)).toThrow(/not fused/);
    expect(() => fusion.addView(1, new GaussianScene({ shDegree: 1 }))).toThrow(/SH degree/);
    expect(() => fusion.addView(1, scene)).toThrow(/staging/);
    expect(() => fusion.addView(1, a, { start: 5, count: a.count })).toThrow(/range/);
    const bad = view(2, [0, 1.5, 2]);
    bad.positions[4] = NaN;
    expect(() => fusion.addView(2, bad)).toThrow(/Gaussian 1/);
    expect(() => new SceneFusion(scene, { mergeRadius: -1 })).toThrow(/mergeRadius/);
    expect(scene.count).toBe(a.count);
  });
});

describe('SceneFusion + renderer: a held-out view', () => {
  it('renders a held-out view better from the fused views than from any single one (occlusions filled)', () => {
    const soft = (p: Vec3): Vec3 => [0.5 + 0.3 * Math.sin(p[0] * 4), 0.5 + 0.3 * Math.sin(p[1] * 5 + 1), 0.5 + 0.3 * Math.cos((p[0] + p[1]) * 3)];
    const box: Rect = { center: [0.2, 1.3, 0.8], axisU: [0.3, 0, 0], axisV: [0, 0.3, 0], color: () => [0.9, 0.2, 0.1] };
    const rects = [wall(soft), box];
    const target = castFrame('t', lookAt([0.3, 1.4, 2.4], [0, 1.5, 0]), k, rects);
    const cam = { intrinsics: k, cameraToWorld: target.cameraToWorld };
    const score = (s: GaussianScene) => psnr({ width: k.width, height: k.height, data: renderGaussians(s, cam, { uint8: true, semantics: false }).colorU8! }, target.image);
    const scene = new GaussianScene();
    const fusion = new SceneFusion(scene);
    let bestSingle = -Infinity, sum = 0;
    ([[-0.8, 1.5, 2.5], [0.8, 1.5, 2.5], [0, 1.2, 2.8]] as Vec3[]).forEach((eye, i) => {
      const f = castFrame(`v${i}`, lookAt(eye, [0, 1.5, 0]), k, rects);
      const s = new GaussianScene();
      gaussiansFromDepth(s, f, i);
      sum += s.count;
      bestSingle = Math.max(bestSingle, score(s));
      fusion.addView(i, s);
    });
    expect(score(scene)).toBeGreaterThan(bestSingle + 3);
    expect(scene.count).toBeLessThan(0.6 * sum);
  });
});

describe('SceneFusion: layers from depth noise and pose error, and the surface-density limit', () => {
  // 160x120 at 20° field of view: 4.4 mm sample spacing at 2 m, so 3 rho along the normal is ~1 cm.
  const kk = intrinsics(160, 120, 20);
  const big = (z: number, color = grey): Rect => ({ center: [0, 1.5, z], axisU: [0.9, 0, 0], axisV: [0, 0.7, 0], color });
  let seed = 11;
  const jitter = () => ((seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5) * 0.006;
  /** A view of `rects` from `eye` with +-3 mm depth noise, and its camera origin for the fusion. */
  function noisy(i: number, eye: Vec3, rects: Rect[]) {
    const f = castFrame(`n${i}`, lookAt(eye, [0, 1.5, 0]), kk, rects);
    for (let p = 0; p < f.depth!.data.length; p++) if (f.depth!.data[p] > 0) f.depth!.data[p] += jitter();
    const s = new GaussianScene({ initialCapacity: kk.width * kk.height });
    gaussiansFromDepth(s, f, i, { discontinuity: 0.5 });
    return { s, info: { origin: eye } };
  }
  const oldFusion = { depthNoise: null, poseError: 0, densityRatio: 0 };

  it('two noisy views of one wall 2 cm apart (pose error) at 2 m merge into one layer between them', () => {
    const a = noisy(0, [0, 1.5, 2], [big(0)]);
    const b = noisy(1, [0.06, 1.53, 2.04], [big(0.02)]);
    const fuse = (opts = {}) => {
      const scene = new GaussianScene();
      const fusion = new SceneFusion(scene, opts);
      fusion.addView(0, a.s, undefined, a.info);
      const r = fusion.addView(1, b.s, undefined, b.info);
      return { scene, r };
    };
    const { scene, r } = fuse();
    expect(scene.count).toBeLessThan(1.2 * Math.max(a.s.count, b.s.count));
    expect(r.merged + r.absorbed).toBeGreaterThan(0.85 * b.s.count);
    // the shown surface is the blend of both layers: between them, not on either
    let z = 0;
    for (let i = 0; i < scene.count; i++) z += scene.positions[i * 3 + 2];
    z /= scene.count;
    expect(z).toBeGreaterThan(0.004);
    expect(z).toBeLessThan(0.016);
    // the tolerance of 3 rho alone (~1 cm) keeps the two layers apart
    expect(fuse(oldFusion).scene.count).toBeGreaterThan(1.6 * Math.max(a.s.count, b.s.count));
  });

  it('a nearer view of a surface already covered adds few Gaussians, and its samples are averaged in', () => {
    const a = noisy(0, [0, 1.5, 2], [big(0)]);
    const near = noisy(1, [0.1, 1.5, 1.3], [big(0)]);
    const scene = new GaussianScene();
    const fusion = new SceneFusion(scene);
    fusion.addView(0, a.s, undefined, a.info);
    const before = scene.count;
    const r = fusion.addView(1, near.s, undefined, near.info);
    expect(r.added).toBeLessThan(0.05 * near.s.count);
    expect(r.absorbed).toBeGreaterThan(0.3 * near.s.count);
    expect(scene.count).toBeLessThan(before * 1.05);
    // the nearer view is better observed, so it shows, at the coarser footprint (no holes between its averaged samples)
    let fromNear = 0;
    for (let i = 0; i < scene.count; i++) if (scene.sourceView[i] === 1) fromNear++;
    expect(fromNear).toBeGreaterThan(0.8 * r.merged);
    // without the density limit the nearer view adds most of its finer samples
    const old = new GaussianScene();
    const f2 = new SceneFusion(old, oldFusion);
    f2.addView(0, a.s, undefined, a.info);
    expect(f2.addView(1, near.s, undefined, near.info).added).toBeGreaterThan(0.3 * near.s.count);
  });

  it('a view much nearer than the density limit still adds its detail', () => {
    const a = noisy(0, [0, 1.5, 2], [big(0)]);
    const near = noisy(1, [0, 1.5, 0.6], [big(0)]);
    const scene = new GaussianScene();
    const fusion = new SceneFusion(scene);
    fusion.addView(0, a.s, undefined, a.info);
    // 3.3x finer than the elements there (limit 2x): its samples are new elements
    expect(fusion.addView(1, near.s, undefined, near.info).added).toBeGreaterThan(0.5 * near.s.count);
  });

  it('two distinct surfaces 5 cm apart at 2 m do not merge', () => {
    const a = noisy(0, [0, 1.5, 2], [big(0)]);
    const b = noisy(1, [0.1, 1.5, 2.05], [big(0.05)]);
    const scene = new GaussianScene();
    const fusion = new SceneFusion(scene);
    fusion.addView(0, a.s, undefined, a.info);
    const r = fusion.addView(1, b.s, undefined, b.info);
    expect(r.merged + r.absorbed).toBeLessThan(0.01 * b.s.count);
    expect(scene.count).toBe(a.s.count + b.s.count);
  });

  it('removing a view keeps the other view\'s surface covered (its averaged observations are restored)', () => {
    const a = noisy(0, [0, 1.5, 2], [big(0)]);
    const near = noisy(1, [0.1, 1.5, 1.3], [big(0)]);
    const scene = new GaussianScene();
    const fusion = new SceneFusion(scene);
    fusion.addView(0, a.s, undefined, a.info);
    fusion.addView(1, near.s, undefined, near.info);
    fusion.removeView(0);
    expect(fusion.views()).toEqual([1]);
    expect(fusion.alternateCount).toBe(0);
    for (let i = 0; i < scene.count; i++) expect(scene.sourceView[i]).toBe(1);
    // every sample of the remaining view lies within the footprint (1.5 sigma) of a remaining element
    const re = new GaussianScene();
    new SceneFusion(re, { depthNoise: null, poseError: 0, densityRatio: 0, mergeRadius: 1.5 }).addView(0, scene);
    const probe = new SceneFusion(re, { mergeRadius: 1.5 });
    const r = probe.addView(9, near.s, undefined, near.info);
    expect(r.added).toBeLessThan(0.01 * near.s.count);
  });

  it('rejects a bad origin and bad tolerance options', () => {
    const scene = new GaussianScene();
    const fusion = new SceneFusion(scene);
    expect(() => fusion.addView(0, view(0, [0, 1.5, 2]), undefined, { origin: [0, NaN, 1] })).toThrow(/origin/);
    expect(() => new SceneFusion(scene, { poseError: -1 })).toThrow(/poseError/);
    expect(() => new SceneFusion(scene, { depthNoise: { a: -1, b: 0 } })).toThrow(/depthNoise/);
  });
});
