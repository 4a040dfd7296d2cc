import { describe, expect, it } from 'vitest';
import type { Frame, RgbImage } from '../../../lib/capture/frame';
import { chooseDepthSource, DepthEstimator, FILLED_OUTSIDE, type MonocularDepthModel } from '../../../lib/inference/depth/depth-source';
import { sweepView } from '../../../lib/inference/depth/multi-view-stereo';
import { makeStereoView } from '../../../lib/inference/depth/stereo-view';
import { defaultScene, intrinsics, pose, renderView } from './synthetic-scene';

const W = 80, H = 60;
const k = intrinsics(W, H);
const scene = { ...defaultScene, flatFromX: 99 };
const view = (id: string, x: number, y: number) => renderView(scene, k, pose(x, y, 0), id);

/** A stand-in monocular model: the true depth of the reference camera, distorted by depth' = 2 * depth + 1. */
function fakeMono(truth: Float32Array): MonocularDepthModel & { calls: number } {
  return {
    id: 'fake-mono',
    calls: 0,
    async estimate(image: RgbImage) {
      this.calls++;
      expect(image.width).toBe(W);
      return { width: W, height: H, data: truth.map((d) => 2 * d + 1) };
    },
  };
}

describe('depth source choice', () => {
  const a = view('a', 0, 0).frame, b = view('b', 0.15, 0).frame;

  it('prefers device depth, then stereo, then the network, then the monocular model', () => {
    const withDepth: Frame = { ...a, depth: { width: 4, height: 3, data: new Float32Array(12).fill(2), intrinsics: intrinsics(4, 3) } };
    expect(chooseDepthSource([withDepth, b], 0)).toBe('device');
    expect(chooseDepthSource([a, b], 0, { monocular: true, network: true })).toBe('stereo');
    expect(chooseDepthSource([a], 0, { monocular: true, network: true })).toBe('network');
    expect(chooseDepthSource([a], 0, { monocular: true })).toBe('monocular');
    // An interpolated pose is no stereo partner.
    expect(chooseDepthSource([a, { ...b, approxPose: true }], 0, { monocular: true })).toBe('monocular');
  });

  it('explains why nothing can run', () => {
    expect(() => chooseDepthSource([a], 0)).toThrow(/no depth source for frame a/);
    expect(() => chooseDepthSource([a], 0, { monocular: true, prefer: 'stereo' })).toThrow(/stereo needs at least 2 posed views/);
    const nan: Frame = { ...a, cameraToWorld: Float64Array.from(a.cameraToWorld) };
    nan.cameraToWorld[13] = NaN;
    expect(() => chooseDepthSource([nan, b], 0)).toThrow(/unusable camera pose.*not finite/);
    expect(() => chooseDepthSource([a], 3)).toThrow(/no frame at index 3/);
  });

  it('stereo on a single view is a clear error', () => {
    expect(() => sweepView([makeStereoView(a, W, H)], 0)).toThrow(/at least 2 posed views/);
  });
});

describe('DepthEstimator', () => {
  it('passes device depth through, resampled to the working size with its own intrinsics', async () => {
    const { frame, depth } = view('a', 0, 0);
    // Device depth at half resolution (same camera).
    const half = new Float32Array((W / 2) * (H / 2));
    for (let v = 0; v < H / 2; v++) for (let u = 0; u < W / 2; u++) half[v * (W / 2) + u] = depth[2 * v * W + 2 * u];
    const f: Frame = { ...frame, depth: { width: W / 2, height: H / 2, data: half, intrinsics: intrinsics(W / 2, H / 2, k.fx / 2) } };
    const est = new DepthEstimator([f, view('b', 0.15, 0).frame], { width: W, height: H });
    const out = await est.depthFor(0);
    expect(out.kind).toBe('device');
    expect(out.depth.width).toBe(W);
    const i = 30 * W + 40; // the wall, far from the card's edges
    expect(Math.abs(out.depth.data[i] - depth[i]) / depth[i]).toBeLessThan(0.02);
  });

  it('conditions device depth when asked: edge bands dropped, a later keyframe checked against the earlier one', async () => {
    const a = view('a', 0, 0), b = view('b', 0.1, 0);
    const frames: Frame[] = [a, b].map((v) => ({ ...v.frame, depth: { width: W, height: H, data: v.depth.slice(), intrinsics: k } }));
    const plain = new DepthEstimator(frames, { width: W, height: H, fillDeviceHoles: false });
    const cond = new DepthEstimator(frames, { width: W, height: H, fillDeviceHoles: false, conditionDevice: true });
    const p0 = await plain.depthFor(0), c0 = await cond.depthFor(0);
    let edgeDropped = 0, kept = 0;
    for (let i = 0; i < W * H; i++) {
      expect(p0.depth.data[i]).toBeGreaterThan(0);
      if (c0.depth.data[i] === 0) edgeDropped++;
      else kept++;
    }
    expect(edgeDropped).toBeGreaterThan(0);
    expect(kept).toBeGreaterThan(0.8 * W * H);
    expect(c0.notes.join(' ')).toMatch(/conditioned: \d+ edge-band/);
    const c1 = await cond.depthFor(1);
    expect(c1.notes.join(' ')).toMatch(/confirmed by 1 earlier keyframe/);
  });

  it('fills device-depth holes, with the monocular model anchored to the measurements when loaded', async () => {
    const { frame, depth } = view('a', 0, 0);
    // The sensor sees only the central 40x30 pixels of the frame (same camera, narrower field of view).
    const dw = 40, dh = 30;
    const dev = new Float32Array(dw * dh);
    for (let v = 0; v < dh; v++) for (let u = 0; u < dw; u++) dev[v * dw + u] = depth[(v + 15) * W + u + 20];
    const devK = { fx: k.fx, fy: k.fy, cx: k.cx - 20, cy: k.cy - 15, width: dw, height: dh };
    const f: Frame = { ...frame, depth: { width: dw, height: dh, data: dev, intrinsics: devK } };
    for (const monocular of [undefined, fakeMono(depth)]) {
      const out = await new DepthEstimator([f], { width: W, height: H, monocular }).depthFor(0);
      expect(out.kind).toBe('device');
      expect(out.depth.data.every((d) => d > 0)).toBe(true);
      expect(out.depth.confidence![30 * W + 40]).toBe(1);
      const hole = 5 * W + 5; // wall, outside the sensor's view
      expect(out.depth.confidence![hole]).toBeCloseTo(0.1, 5);
      expect(Math.abs(out.depth.data[hole] - depth[hole]) / depth[hole]).toBeLessThan(0.05);
      expect(!!out.fit).toBe(!!monocular);
      // The filled pixels are marked (outside the sensor's field here), the measured ones are not.
      expect(out.filled![hole]).toBe(FILLED_OUTSIDE);
      expect(out.filled![30 * W + 40]).toBe(0);
      expect(out.filled!.reduce((a, b) => a + (b ? 1 : 0), 0)).toBe(W * H - dw * dh);
    }
  });

  it('runs stereo for posed views and falls back to the monocular model for a single view', async () => {
    const views = [view('a', 0, 0), view('b', 0.15, 0), view('c', -0.15, 0.03), view('d', 0.03, 0.15)];
    const mono = fakeMono(views[0].depth);
    const est = new DepthEstimator(views.map((v) => v.frame), { width: W, height: H, monocular: mono, stereo: { planes: 48, near: 1, far: 6 } });
    const out = await est.depthFor(0);
    expect(out.kind).toBe('stereo');
    expect(mono.calls).toBe(0);
    const truth = views[0].depth;
    const rel: number[] = [];
    for (let v = 8; v < H - 8; v++) for (let u = 8; u < W - 8; u++) rel.push(Math.abs(out.depth.data[v * W + u] - truth[v * W + u]) / truth[v * W + u]);
    rel.sort((x, y) => x - y);
    expect(rel[Math.floor(rel.length / 2)]).toBeLessThan(0.02);
    expect(out.depth.confidence?.length).toBe(W * H);

    const single = new DepthEstimator([views[0].frame], { width: W, height: H, monocular: mono });
    const m = await single.depthFor(0);
    expect(m.kind).toBe('monocular');
    expect(m.depth.data[30 * W + 10]).toBeCloseTo(2 * truth[30 * W + 10] + 1, 3);
  });

  it('fills stereo holes with the monocular model fitted to the stereo depth when asked', async () => {
    const views = [view('a', 0, 0), view('b', 0.15, 0), view('c', -0.15, 0.03), view('d', 0.03, 0.15)];
    const mono = fakeMono(views[0].depth);
    const est = new DepthEstimator(views.map((v) => v.frame), {
      width: W,
      height: H,
      monocular: mono,
      monocularHoleFill: true,
      stereo: { planes: 48, near: 1, far: 6 },
    });
    const out = await est.depthFor(0);
    expect(mono.calls).toBe(1);
    // depth' = 2d + 1 is not affine in inverse depth, but over 2..3 m it nearly is: the fit must find a positive
    // scale that maps the monocular values back close to the stereo ones.
    expect(out.fit!.scale).toBeGreaterThan(0);
    expect(out.fit!.inliers / out.fit!.samples).toBeGreaterThan(0.5);
  });
});

describe('FastDepth as the monocular source', () => {
  it('plugs the model layer wrapper in as is (the bundled fastdepth_7.onnx)', async () => {
    const { loadFastDepth } = await import('../../../lib/inference/models/fastdepth');
    const { loadNodeOrt } = await import('../../../lib/inference/runtime/node-ort');
    const { shippedManifest } = await import('../../../lib/inference/models/manifest');
    const { DirectoryModelSource } = await import('../../../lib/inference/models/node-model-source');
    const model: MonocularDepthModel = await loadFastDepth(await loadNodeOrt(), shippedManifest(), new DirectoryModelSource());
    const { frame } = view('a', 0, 0);
    const out = await new DepthEstimator([frame], { width: 40, height: 30, monocular: model }).depthFor(0);
    expect(out.kind).toBe('monocular');
    expect(out.depth.data.length).toBe(40 * 30);
    expect(out.depth.data.every((d) => d > 0 && Number.isFinite(d))).toBe(true);
  });
});
