/**
 * Stereo on rooms: sources chosen by parallax and overlap (not nearness), weak texture handled around the sweep
 * (flat windows untrusted, filled along the planes of their confident neighbours), and a trusted share per view
 * that lowers the weight of views stereo cannot be trusted for.
 */
import { describe, expect, it } from 'vitest';
import { DepthEstimator } from '../../../lib/inference/depth/depth-source';
import { fillDepthHoles } from '../../../lib/inference/depth/hole-fill';
import { localTexture, refineView, sweepView, viewTrustWeight } from '../../../lib/inference/depth/multi-view-stereo';
import { scoreSourceView, selectSourceViews } from '../../../lib/inference/depth/source-views';
import { makeStereoView } from '../../../lib/inference/depth/stereo-view';
import type { PlaneSweepResult } from '../../../lib/inference/depth/plane-sweep';
import { defaultScene, intrinsics, pose, renderView, type Scene } from './synthetic-scene';

const W = 96, H = 72;
const k = intrinsics(W, H);

describe('source view selection', () => {
  it('skips a pure rotation and a zero-baseline neighbour and prefers a useful baseline to the nearest view', () => {
    const ref = pose(0, 0, 0);
    const cands = [
      pose(0, 0, 0, 0.12), // pure rotation: no parallax at all
      pose(0.001, 0, 0), // 1 mm: no parallax worth the name
      pose(0.03, 0, 0), // nearest real baseline: ~0.6 deg at 3 m
      pose(0.25, 0, 0, 0.03), // ~5 deg at 3 m: what stereo wants
      pose(0.2, 0, 0, 1.3), // looks 75 deg away
    ];
    const opts = { sceneDepth: 3, camera: k };
    expect(scoreSourceView(ref, cands[0], opts).rejected).toMatch(/baseline/);
    expect(scoreSourceView(ref, cands[1], opts).rejected).toMatch(/baseline/);
    expect(scoreSourceView(ref, cands[4], opts).rejected).toMatch(/away/);
    const useful = scoreSourceView(ref, cands[3], opts);
    expect(useful.overlap).toBeGreaterThan(0.7);
    expect(useful.parallaxDeg).toBeGreaterThan(3);
    expect(selectSourceViews(ref, cands, 1, opts)).toEqual([3]);
    // Asked for more than are usable, it returns only the usable ones, best first.
    expect(selectSourceViews(ref, cands, 5, opts)).toEqual([3, 2]);
  });

  it('prefers an overlapping view to one with the same baseline that barely sees the reference', () => {
    const ref = pose(0, 0, 0);
    const facing = pose(0.25, 0, 0, 0.05);
    const turned = pose(0.25, 0, 0, -0.7); // 40 deg the other way: most of the reference is outside its image
    const opts = { sceneDepth: 3, camera: k };
    expect(scoreSourceView(ref, turned, opts).overlap).toBeLessThan(scoreSourceView(ref, facing, opts).overlap);
    expect(selectSourceViews(ref, [turned, facing], 1, opts)).toEqual([1]);
  });
});

/** Reference and three sources on a slanted (yawed) wall; `scene` decides where it is textured. */
function stereo(scene: Scene) {
  const yaw = 0.35;
  const at = [[0, 0, 0], [0.15, 0, 0], [-0.15, 0.02, 0], [0.02, 0.15, 0.05]];
  const shots = at.map(([x, y, z], i) => renderView(scene, k, pose(x, y, z, yaw), `v${i}`));
  const views = shots.map((s) => makeStereoView(s.frame, W, H));
  const set = { near: 1, far: 8, planes: 48 };
  const sweeps: (PlaneSweepResult | undefined)[] = [];
  const sources: number[][] = [];
  for (let i = 0; i < views.length; i++) {
    const s = sweepView(views, i, set);
    sweeps[i] = s.result;
    sources[i] = s.sources;
  }
  return { shots, views, sweeps, refine: (opts = {}) => refineView(views, sweeps, 0, sources[0], opts) };
}

describe('weak texture', () => {
  it('measures window texture: flat grey is 0, noise is not', () => {
    const flat = new Float32Array(20 * 10).fill(0.4);
    const noisy = flat.map((_, i) => (i * 7919) % 13 / 13);
    expect(Math.max(...localTexture(flat, 20, 10))).toBeLessThan(1e-6);
    expect(Math.min(...localTexture(noisy, 20, 10))).toBeGreaterThan(0.1);
  });

  it('a textureless band of a slanted wall is not trusted and gets the plane depth from its textured sides', () => {
    // World x -1.9..-0.5 of the wall (3 m away, seen 20 deg off-axis, in the middle of the image) is flat grey.
    const scene: Scene = { ...defaultScene, cardDepth: 0, flatFromX: -1.9, flatToX: -0.5 };
    const { shots, sweeps, refine, views } = stereo(scene);
    const truth = shots[0].depth;
    const tex = localTexture(views[0].gray, W, H);
    // The flat band, away from its texture by more than a window, and away from the image border.
    const band: number[] = [];
    for (let v = 6; v < H - 6; v++)
      for (let u = 6; u < W - 6; u++) {
        let flat = true;
        for (let d = -6; d <= 6 && flat; d++) if (tex[v * W + u + d] > 1e-3) flat = false;
        if (flat) band.push(v * W + u);
      }
    expect(band.length).toBeGreaterThan(200);
    const median = (a: number[]) => a.sort((x, y) => x - y)[a.length >> 1];
    const err = (d: Float32Array) => median(band.map((i) => Math.abs(d[i] - truth[i]) / truth[i]));
    // Winner-take-all there is noise.
    expect(err(sweeps[0]!.depth)).toBeGreaterThan(0.08);
    const r = refine();
    expect(band.every((i) => r.filtered[i] === 0)).toBe(true);
    expect(r.weakTexture).toBeGreaterThan(0.1);
    // Filled along the plane from both sides: within a few per cent of the slanted wall (the pixels next to the
    // band carry a 1-3 % bias of their own, which the fill inherits), not worse than the zero-order fill.
    const raw = err(sweeps[0]!.depth);
    expect(err(r.filled)).toBeLessThan(0.045);
    expect(err(r.filled)).toBeLessThan(raw / 2);
    const flatFill = fillDepthHoles(r.filtered, views[0].gray, W, H, { confidence: r.confidence, planar: false });
    expect(err(r.filled)).toBeLessThanOrEqual(err(flatFill));
  });
});

describe('trusted share per view', () => {
  it('a view without texture reports almost nothing trusted, a textured one most of its pixels', () => {
    const textured = stereo({ ...defaultScene, cardDepth: 0, flatFromX: 99 }).refine();
    const blank = stereo({ ...defaultScene, cardDepth: 0, flatFromX: -99 }).refine();
    expect(textured.trusted).toBeGreaterThan(0.5);
    expect(blank.trusted).toBeLessThan(0.01);
    expect(viewTrustWeight(blank.trusted)).toBeLessThan(0.1);
    expect(viewTrustWeight(textured.trusted)).toBe(1);
    // Nothing trusted still leaves a (guessed, weighted-down) depth rather than a view with no geometry at all.
    expect(blank.filled.filter((d) => d > 0).length).toBeGreaterThan(0.9 * W * H);
  });

  it('the depth estimator reports the trusted share and weights an untrustworthy view down', async () => {
    const run = async (scene: Scene) => {
      const frames = [[0, 0, 0], [0.15, 0, 0], [-0.15, 0.02, 0], [0.02, 0.15, 0.05]].map(([x, y, z], i) => renderView(scene, k, pose(x, y, z, 0.2), `f${i}`).frame);
      const est = await new DepthEstimator(frames, { width: W, height: H, stereo: { planes: 48 } }).depthFor(0);
      return { trusted: est.trusted, maxConf: Math.max(...est.depth.confidence!), notes: est.notes.join(' ') };
    };
    const good = await run({ ...defaultScene, flatFromX: 99 });
    const bad = await run({ ...defaultScene, cardDepth: 0, flatFromX: -99 });
    expect(good.trusted).toBeGreaterThan(0.4);
    expect(good.notes).toMatch(/% trusted/);
    expect(bad.trusted).toBeLessThan(0.01);
    expect(bad.maxConf).toBeLessThan(0.1 * good.maxConf);
  });
});
