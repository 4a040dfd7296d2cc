import { describe, expect, it } from 'vitest';
import { GaussianScene } from '../../../lib/splat/gaussian-scene';
import { gaussiansFromDepth } from '../../../lib/splat/gaussians-from-depth';
import { SceneFusion } from '../../../lib/splat/fusion';
import { DisplaySplats, SceneDeltaTracker, deltaBytes, liveImportance, packGaussian, DISPLAY_ROW } from '../../../lib/splat/scene-delta';
import { castFrame, intrinsics, lookAt, type Rect, type Vec3 } from './synthetic';

const k = intrinsics(64, 48);
const rects: Rect[] = [
  { center: [0, 1.5, 0], axisU: [0.6, 0, 0], axisV: [0, 0.45, 0], color: () => [0.6, 0.4, 0.3] },
  { center: [0.9, 1.2, 0.5], axisU: [0, 0, 0.5], axisV: [0, 0.5, 0], color: () => [0.2, 0.5, 0.7] },
];

function view(i: number, eye: Vec3): GaussianScene {
  const f = castFrame(`v${i}`, lookAt(eye, [0.2, 1.4, 0]), k, rects);
  const s = new GaussianScene();
  gaussiansFromDepth(s, f, i);
  return s;
}

/** The page's display must equal a fresh encoding of what the tracker says it shows. */
function expectMirrors(scene: GaussianScene, t: SceneDeltaTracker, d: DisplaySplats): void {
  expect(d.count).toBe(t.count);
  const seen = new Set<number>();
  const want = new Uint32Array(4);
  for (let s = 0; s < t.count; s++) {
    const e = t.elementOfSlot(s);
    expect(e).toBeGreaterThanOrEqual(0);
    expect(e).toBeLessThan(scene.count);
    expect(seen.has(e)).toBe(false);
    seen.add(e);
    expect(t.slotOfElement(e)).toBe(s);
    packGaussian(scene, e, want, 0);
    expect(Array.from(d.packed.subarray(4 * s, 4 * s + 4))).toEqual(Array.from(want));
    expect(d.semantic[s]).toBe(scene.semantic[e]);
  }
}

describe('SceneDeltaTracker + DisplaySplats: the page mirrors the fused scene from deltas alone', () => {
  it('with room for everything: every Gaussian is shown, through fusion merges, winners replaced and budget evictions', () => {
    const scene = new GaussianScene({ budget: 1500 });
    const fusion = new SceneFusion(scene);
    const t = new SceneDeltaTracker(scene, 5000);
    fusion.changes = t;
    const d = new DisplaySplats(5000);
    // A second page applies every delta in slices of 777 slots, as the /scan page does with big ones.
    const sliced = new DisplaySplats(5000);
    const applySliced = (delta: ReturnType<typeof t.flush>) => {
      for (let from = 0; ; from += 777) {
        const to = Math.min(delta.slots.length, from + 777);
        const v = sliced.version;
        sliced.apply(delta, from, to);
        if (to === delta.slots.length) break;
        expect(sliced.version).toBe(v); // only the last slice publishes the update
      }
      expect(sliced.count).toBe(d.count);
      expect(sliced.packed).toEqual(d.packed);
      expect(sliced.semantic).toEqual(d.semantic);
    };
    let evicted = 0;
    const eyes: Vec3[] = [[0, 1.5, 2], [0.3, 1.5, 1.6], [-0.4, 1.6, 1.8], [0.1, 1.4, 1.2], [0.6, 1.5, 1.5], [0, 1.5, 1.0]];
    eyes.forEach((eye, i) => {
      const r = fusion.addView(i, view(i, eye));
      evicted += r.evicted;
      // Bank rows change under the tracker's feet (as the semantic builder does each step).
      for (let j = 0; j < scene.count; j += 7) scene.semantic[j] = (i + j) % 5;
      const delta = t.flush();
      d.apply(delta);
      applySliced(delta);
      expect(t.count).toBe(scene.count);
      expectMirrors(scene, t, d);
    });
    expect(evicted).toBeGreaterThan(0); // the budget was hit, so compaction was exercised
    const r = fusion.removeView(1);
    expect(r.removed + r.restored).toBeGreaterThan(0);
    d.apply(t.flush());
    expectMirrors(scene, t, d);
  });

  it('over capacity: the most important Gaussians are shown, and a delta carries only what changed', () => {
    const scene = new GaussianScene({ budget: 10_000 });
    const t = new SceneDeltaTracker(scene, 100);
    const d = new DisplaySplats(100);
    const first = scene.allocate(1000);
    for (let i = first; i < scene.count; i++) {
      scene.scales.set([0.01 * (1 + (i % 37)), 0.01, 0.001], 3 * i);
      scene.opacities[i] = 0.2 + 0.8 * ((i * 7919) % 1000) / 1000;
    }
    t.appended(first, 1000);
    const full = t.flush();
    expect(full.reset).toBe(true);
    expect(full.slots.length).toBeLessThanOrEqual(1000);
    d.apply(full);
    expect(d.count).toBe(100);
    const imps = Array.from({ length: scene.count }, (_, i) => liveImportance(scene, i));
    const top = imps.slice().sort((a, b) => b - a)[99];
    for (let s = 0; s < 100; s++) expect(imps[t.elementOfSlot(s)]).toBeGreaterThanOrEqual(top);
    expectMirrors(scene, t, d);

    // One more Gaussian, bigger than any: exactly one slot changes; a bank-row change is a semantic-only entry.
    const e = scene.allocate(1);
    scene.scales.set([1, 1, 0.001], 3 * e);
    scene.opacities[e] = 1;
    t.appended(e, 1);
    const shown0 = t.elementOfSlot(0);
    scene.semantic[shown0] = 9;
    const delta = t.flush();
    expect(delta.reset).toBe(false);
    expect(delta.slots.length).toBe(1);
    expect(delta.semSlots.length).toBe(delta.slots[0] === 0 ? 0 : 1);
    expect(deltaBytes(delta)).toBeLessThan(64);
    d.apply(delta);
    expectMirrors(scene, t, d);
    expect(t.slotOfElement(e)).toBeGreaterThanOrEqual(0);
    const rows = d.takeDirtyRows();
    expect(rows.length).toBe(1);
    expect(rows[0].rows).toBe(1);
    expect(d.takeDirtyRows()).toEqual([]);
  });

  it('a rebuilt scene resets the page; a bad delta is refused with a reason', () => {
    const a = new GaussianScene();
    a.allocate(10);
    a.scales.fill(0.01);
    a.opacities.fill(1);
    const t = new SceneDeltaTracker(a, DISPLAY_ROW + 10);
    const d = new DisplaySplats(DISPLAY_ROW + 10);
    d.apply(t.flush());
    expect(d.count).toBe(10);
    const b = new GaussianScene();
    t.attach(b);
    const r = t.flush();
    expect(r.reset).toBe(true);
    d.apply(r);
    expect(d.count).toBe(0);
    expect(() => d.apply({ ...r, capacity: 5 })).toThrow(/5 slots/);
    expect(() => d.apply({ ...r, slots: new Uint32Array([1]) })).toThrow(/disagree/);
    expect(() => d.apply(r, 0, r.slots.length + 1)).toThrow(/bad part/);
    expect(() => new SceneDeltaTracker(a, 0)).toThrow(/capacity/);
  });
});
