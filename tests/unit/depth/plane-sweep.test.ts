import { describe, expect, it } from 'vitest';
import { planeSweep } from '../../../lib/inference/depth/plane-sweep';
import { makeStereoView, type StereoView } from '../../../lib/inference/depth/stereo-view';
import { defaultScene, intrinsics, pose, renderView, type Scene } from './synthetic-scene';

const W = 96, H = 72;
const k = intrinsics(W, H);

function setup(scene: Scene, offsets: [number, number, number, number][] = [
  [0.15, 0, 0, 0],
  [-0.15, 0.02, 0, 0],
  [0.02, 0.15, 0.05, 0.03],
]) {
  const ref = renderView(scene, k, pose(0, 0, 0), 'ref');
  const srcs = offsets.map(([x, y, z, yaw], i) => renderView(scene, k, pose(x, y, z, yaw), `s${i}`));
  const view = (f: typeof ref): StereoView => makeStereoView(f.frame, W, H);
  return { ref, refView: view(ref), srcViews: srcs.map(view) };
}

/** Pixels at least `m` pixels from any depth edge and from the image border. */
function interior(depth: Float32Array, m: number): number[] {
  const out: number[] = [];
  for (let v = m; v < H - m; v++)
    for (let u = m; u < W - m; u++) {
      const d = depth[v * W + u];
      let ok = true;
      for (let dv = -m; dv <= m && ok; dv++)
        for (let du = -m; du <= m && ok; du++) if (Math.abs(depth[(v + dv) * W + u + du] - d) > 1e-3 * d) ok = false;
      if (ok) out.push(v * W + u);
    }
  return out;
}

describe('planeSweep', () => {
  it('recovers the depth of a textured wall and a card in front of it within a few per cent', () => {
    const scene = { ...defaultScene, flatFromX: 99 };
    const { ref, refView, srcViews } = setup(scene);
    const res = planeSweep(refView, srcViews, { near: 1, far: 6, planes: 64, window: 7 });
    const px = interior(ref.depth, 4);
    expect(px.length).toBeGreaterThan(2000);
    const rel = px.map((i) => Math.abs(res.depth[i] - ref.depth[i]) / ref.depth[i]);
    rel.sort((a, b) => a - b);
    expect(rel[Math.floor(rel.length / 2)]).toBeLessThan(0.01);
    expect(rel.filter((r) => r < 0.03).length / rel.length).toBeGreaterThan(0.9);
    // The card (depth 2) is resolved separately from the wall (depth 3).
    const card = px.filter((i) => Math.abs(ref.depth[i] - 2) < 1e-3);
    expect(card.length).toBeGreaterThan(300);
    const cardErr = card.map((i) => Math.abs(res.depth[i] - 2) / 2).sort((a, b) => a - b);
    expect(cardErr[Math.floor(cardErr.length / 2)]).toBeLessThan(0.02);
  });

  it('works with one, two (either aggregation) or three sources', () => {
    const { ref, refView, srcViews } = setup({ ...defaultScene, flatFromX: 99 });
    const px = interior(ref.depth, 4);
    for (const [n, k] of [[1, 1], [2, 1], [2, 2], [3, 1], [3, 3]]) {
      const res = planeSweep(refView, srcViews.slice(0, n), { near: 1, far: 6, planes: 48, bestK: k });
      const rel = px.map((i) => Math.abs(res.depth[i] - ref.depth[i]) / ref.depth[i]).sort((a, b) => a - b);
      expect(rel[Math.floor(rel.length / 2)], `${n} sources, best ${k}`).toBeLessThan(0.015);
    }
  });

  it('sub-plane refinement beats the plane spacing', () => {
    const scene = { ...defaultScene, cardDepth: 0, flatFromX: 99 };
    const { ref, refView, srcViews } = setup(scene);
    const planes = 24;
    const res = planeSweep(refView, srcViews, { near: 1, far: 6, planes });
    // Plane spacing in inverse depth around 3 m, as a relative depth step.
    const step = ((1 / 1 - 1 / 6) / (planes - 1)) * 3;
    const px = interior(ref.depth, 4);
    const rel = px.map((i) => Math.abs(res.depth[i] - ref.depth[i]) / ref.depth[i]).sort((a, b) => a - b);
    expect(rel[Math.floor(rel.length / 2)]).toBeLessThan(step / 4);
  });

  it('gives low confidence on textureless areas and high on textured ones', () => {
    const { ref, refView, srcViews } = setup({ ...defaultScene, cardDepth: 0, flatFromX: 0.5 });
    const res = planeSweep(refView, srcViews, { near: 1, far: 6, planes: 48 });
    const px = interior(ref.depth, 4);
    // World x of a wall pixel: the reference camera sits at the origin looking down -z.
    const worldX = (i: number) => (((i % W) + 0.5 - k.cx) / k.fx) * ref.depth[i];
    const flat = px.filter((i) => worldX(i) > 0.5 + 0.05 * 7);
    const textured = px.filter((i) => worldX(i) < 0.5 - 0.05 * 7);
    expect(flat.length).toBeGreaterThan(200);
    const mean = (a: number[], f: Float32Array) => a.reduce((s, i) => s + f[i], 0) / a.length;
    expect(mean(flat, res.score)).toBeLessThan(0.3);
    expect(mean(textured, res.score)).toBeGreaterThan(0.8);
    expect(mean(flat, res.margin)).toBeLessThan(mean(textured, res.margin));
  });

  it('rejects bad inputs with clear errors', () => {
    const { refView, srcViews } = setup(defaultScene);
    expect(() => planeSweep(refView, [], { near: 1, far: 6 })).toThrow(/at least one source view/);
    expect(() => planeSweep(refView, srcViews, { near: 2, far: 1 })).toThrow(/near < far/);
    expect(() => planeSweep(refView, srcViews, { near: 1, far: 6, window: 4 })).toThrow(/window must be odd/);
    expect(() => planeSweep(refView, srcViews, { near: 1, far: 6, bestK: 4 })).toThrow(/bestK/);
    expect(() => planeSweep(refView, [refView], { near: 1, far: 6 })).toThrow(/reference view itself/);
    const bad = renderView(defaultScene, k, pose(0.1, 0, 0), 'bad').frame;
    bad.cameraToWorld[12] = NaN;
    expect(() => makeStereoView(bad, W, H)).toThrow(/pose element 12 is not finite/);
  });
});
