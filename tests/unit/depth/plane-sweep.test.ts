import { describe, expect, it } from 'vitest';
import { planeSweep, type PlaneSweepMode } from '../../../lib/inference/depth/plane-sweep';
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
  it.each<PlaneSweepMode>(['coarse-to-fine', 'full'])('%s: recovers the depth of a textured wall and a card in front of it within a few per cent', (mode) => {
    const scene = { ...defaultScene, flatFromX: 99 };
    const { ref, refView, srcViews } = setup(scene);
    const res = planeSweep(refView, srcViews, { near: 1, far: 6, planes: 64, window: 7, mode });
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

  it('coarse-to-fine finds the same depth and confidence as the exhaustive sweep', () => {
    const { ref, refView, srcViews } = setup(defaultScene);
    const opts = { near: 1, far: 6, planes: 96 };
    const full = planeSweep(refView, srcViews, { ...opts, mode: 'full' });
    const fast = planeSweep(refView, srcViews, opts);
    const px = interior(ref.depth, 4);
    const within = (d: Float32Array, idx: number[]) => idx.filter((i) => Math.abs(d[i] - ref.depth[i]) / ref.depth[i] < 0.03).length / idx.length;
    expect(within(fast.depth, px)).toBeGreaterThan(within(full.depth, px) - 0.02);
    // The confidence the filters use: as many confident pixels, and as few of them wrong.
    const confident = (r: typeof full) => px.filter((i) => r.score[i] >= 0.5 && r.margin[i] >= 0.02);
    const cFull = confident(full), cFast = confident(fast);
    expect(cFull.length).toBeGreaterThan(400);
    expect(cFast.length).toBeGreaterThan(0.9 * cFull.length);
    expect(within(fast.depth, cFast)).toBeGreaterThan(within(full.depth, cFull) - 0.02);
    // The textureless patch stays unconfident.
    const flatX = (i: number) => (((i % W) + 0.5 - k.cx) / k.fx) * ref.depth[i] > defaultScene.flatFromX + 0.35;
    const flat = px.filter((i) => flatX(i) && Math.abs(ref.depth[i] - 3) < 1e-3);
    expect(flat.length).toBeGreaterThan(100);
    expect(flat.filter((i) => fast.score[i] >= 0.5 && fast.margin[i] >= 0.02).length / flat.length).toBeLessThan(0.1);
  });

  it('tiles sweep exactly what the whole image does: a band over every plane reproduces the exhaustive sweep', () => {
    const { refView, srcViews } = setup(defaultScene);
    const opts = { near: 1, far: 6, planes: 32 };
    const full = planeSweep(refView, srcViews, { ...opts, mode: 'full' });
    const tiled = planeSweep(refView, srcViews, { ...opts, band: 31 });
    let worstScore = 0, worstDepth = 0, compared = 0;
    for (let i = 0; i < W * H; i++) {
      worstScore = Math.max(worstScore, Math.abs(full.score[i] - tiled.score[i]), Math.abs(full.margin[i] - tiled.margin[i]));
      // Flat windows score exactly 0 on every plane: their winner is a tie, decided by rounding.
      if (full.margin[i] < 1e-3) continue;
      compared++;
      worstDepth = Math.max(worstDepth, Math.abs(full.depth[i] - tiled.depth[i]));
    }
    expect(compared).toBeGreaterThan(0.5 * W * H);
    expect(worstScore).toBeLessThan(1e-4);
    expect(worstDepth).toBeLessThan(1e-4);
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
    expect(() => planeSweep(refView, srcViews, { near: 1, far: 6, mode: 'fast' as PlaneSweepMode })).toThrow(/mode must be 'coarse-to-fine' or 'full', got fast/);
    expect(() => planeSweep(refView, srcViews, { near: 1, far: 6, band: 0 })).toThrow(/band must be an integer in 1\.\.127/);
    expect(() => planeSweep(refView, srcViews, { near: 1, far: 6, band: 2.5 })).toThrow(/band must be/);
    expect(() => planeSweep(refView, srcViews, { near: 1, far: 6, planes: 16, band: 16 })).toThrow(/band must be an integer in 1\.\.15 planes, got 16/);
    const bad = renderView(defaultScene, k, pose(0.1, 0, 0), 'bad').frame;
    bad.cameraToWorld[12] = NaN;
    expect(() => makeStereoView(bad, W, H)).toThrow(/pose element 12 is not finite/);
  });
});
