import { describe, expect, it } from 'vitest';
import { OnnxDepthNetwork } from '../../../lib/inference/depth/onnx-depth-network';
import { loadNodeOrt } from '../../../lib/inference/runtime/node-ort';
import { OnnxGraphBuilder } from '../../models/onnx-builder';
import type { RgbImage } from '../../../lib/capture/frame';
import { DepthEstimator } from '../../../lib/inference/depth/depth-source';
import { selectSourceViews } from '../../../lib/inference/depth/source-views';
import { defaultScene, intrinsics, pose, renderView } from './synthetic-scene';

/** depth = 3.5 - 3 * mean(RGB) (after the wrapper's normalisation), like the FastDepth stand-in. */
function singleView(w: number, h: number): Uint8Array {
  const g = new OnnxGraphBuilder('test-single-view-depth');
  const x = g.input('image', 'float32', [1, 3, h, w]);
  const m = g.node('ReduceMean', [x], { axes: [1], keepdims: 1 });
  const d = g.node('Add', [g.node('Mul', [m, g.constFloat([], [-3])]), g.constFloat([], [3.5])]);
  g.output(d, 'depth', 'float32', [1, 1, h, w]);
  return g.toBytes();
}

/** Multi-view: depth of view v = 1 + v-th intrinsics fx (normalised) + camera-to-world z translation (OpenCV axes). */
function multiView(w: number, h: number): Uint8Array {
  const g = new OnnxGraphBuilder('test-multi-view-depth');
  const images = g.input('images', 'float32', [1, 'V', 3, h, w]);
  const K = g.input('intrinsics', 'float32', [1, 'V', 3, 3]);
  const E = g.input('extrinsics', 'float32', [1, 'V', 4, 4]);
  const zero = g.node('Mul', [g.node('ReduceMean', [images], { axes: [2], keepdims: 0 }), g.constFloat([], [0])]); // [1,V,h,w]
  const fx = g.node('Slice', [K, g.constInt64([2], [0, 0]), g.constInt64([2], [1, 1]), g.constInt64([2], [2, 3])]); // [1,V,1,1]
  const tz = g.node('Slice', [E, g.constInt64([2], [2, 3]), g.constInt64([2], [3, 4]), g.constInt64([2], [2, 3])]); // [1,V,1,1]
  const d = g.node('Add', [g.node('Add', [zero, g.node('Add', [fx, tz])]), g.constFloat([], [1])]);
  g.output(d, 'depth', 'float32', [1, 'V', h, w]);
  return g.toBytes();
}

const grey = (w: number, h: number, v: number): RgbImage => ({ width: w, height: h, data: new Uint8Array(w * h * 3).fill(v) });

describe('OnnxDepthNetwork', () => {
  it('runs a single-view export and resizes its output to the image', async () => {
    const ort = await loadNodeOrt();
    const net = await OnnxDepthNetwork.create(ort, singleView(16, 12), { id: 'tiny' });
    expect(net.multiView).toBe(false);
    const out = await net.estimate(grey(40, 30, 255));
    expect(out.width).toBe(40);
    expect(out.height).toBe(30);
    expect(out.data[123]).toBeCloseTo(0.5, 4);
    // Inverse-depth outputs are inverted.
    const inv = await OnnxDepthNetwork.create(ort, singleView(16, 12), { output: 'inverse' });
    expect((await inv.estimate(grey(16, 12, 0))).data[0]).toBeCloseTo(1 / 3.5, 5);
  });

  it('feeds posed views to a multi-view export with normalised intrinsics and OpenCV camera-to-world', async () => {
    const ort = await loadNodeOrt();
    const net = await OnnxDepthNetwork.create(ort, multiView(8, 8));
    expect(net.multiView).toBe(true);
    const k = intrinsics(32, 32, 16);
    const views = [0.5, 2].map((z) => ({ image: grey(32, 32, 100), intrinsics: k, cameraToWorld: pose(0, 0, z) }));
    const { depth } = await net.estimateViews(views);
    expect(depth).toHaveLength(2);
    // fx / width = 0.5; the translation is unchanged by the axis flip.
    expect(depth[0].data[5]).toBeCloseTo(1 + 0.5 + 0.5, 5);
    expect(depth[1].data[5]).toBeCloseTo(1 + 0.5 + 2, 5);
    await expect(net.estimate(grey(8, 8, 1))).rejects.toThrow(/multi-view network needs posed views/);
  });

  it('is used by the depth estimator with the frame and its best posed neighbour (source-views.ts) when preferred', async () => {
    const ort = await loadNodeOrt();
    const net = await OnnxDepthNetwork.create(ort, multiView(8, 8), { id: 'tiny-mv' });
    const k = intrinsics(32, 32, 16);
    const frames = [0, 0.2, 2].map((x, i) => renderView(defaultScene, k, pose(x, 0, 0), `f${i}`).frame);
    const est = new DepthEstimator(frames, { width: 16, height: 16, network: net, prefer: 'network' });
    const out = await est.depthFor(0);
    expect(out.kind).toBe('network');
    // The neighbour is the stereo sources' choice (frustum overlap x parallax), not the nearest view.
    const others = frames.slice(1);
    const [best] = selectSourceViews(frames[0].cameraToWorld, others.map((f) => f.cameraToWorld), 1, { camera: frames[0].intrinsics, cameras: others.map((f) => f.intrinsics) });
    expect(out.notes[0]).toContain(others[best].id);
    expect(out.depth.data[8 * 16 + 8]).toBeCloseTo(1.5, 4);
  });

  it('rejects a model that is not a depth network', async () => {
    const ort = await loadNodeOrt();
    await expect(OnnxDepthNetwork.create(ort, new Uint8Array([1, 2, 3]))).rejects.toThrow(/cannot load the model/);
  });
});
