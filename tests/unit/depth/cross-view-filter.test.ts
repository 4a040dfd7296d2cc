import { describe, expect, it } from 'vitest';
import { crossViewAgreement, filterDepth, type PosedDepth } from '../../../lib/inference/depth/cross-view-filter';
import { invertRigid } from '../../../lib/capture/pose';
import { defaultScene, intrinsics, pose, renderView } from './synthetic-scene';

const W = 64, H = 48;
const k = intrinsics(W, H);
const cam = { fx: k.fx, fy: k.fy, cx: k.cx, cy: k.cy, width: W, height: H };

function posed(x: number, y: number, yaw = 0): PosedDepth {
  const c2w = pose(x, y, 0, yaw);
  const { depth } = renderView({ ...defaultScene, cardDepth: 0 }, k, c2w, 'v');
  return { camera: cam, cameraToWorld: c2w, worldToCamera: invertRigid(c2w), depth };
}

describe('cross-view filter', () => {
  it('keeps consistent depths and removes inconsistent ones', () => {
    const ref = posed(0, 0);
    const others = [posed(0.2, 0), posed(-0.1, 0.15, 0.05)];
    const before = crossViewAgreement(ref, others);
    let both = 0;
    for (let i = 0; i < before.length; i++) if (before[i] === 2) both++;
    // Wall seen by all three: nearly every pixel agrees with both (edges may leave the others' images).
    expect(both / before.length).toBeGreaterThan(0.75);

    // Corrupt a block of the reference's depth by 30%.
    const bad = new Set<number>();
    const corrupted = ref.depth.slice();
    for (let v = 10; v < 30; v++)
      for (let u = 20; u < 40; u++) {
        corrupted[v * W + u] *= 1.3;
        bad.add(v * W + u);
      }
    const score = new Float32Array(W * H).fill(0.9);
    const margin = new Float32Array(W * H).fill(0.2);
    const { depth, agreeing } = filterDepth({ ...ref, depth: corrupted }, score, margin, others, { minAgreeing: 1 });
    for (const i of bad) {
      expect(agreeing[i]).toBe(0);
      expect(depth[i]).toBe(0);
    }
    let kept = 0;
    for (let i = 0; i < W * H; i++) if (!bad.has(i) && depth[i] > 0) kept++;
    expect(kept / (W * H - bad.size)).toBeGreaterThan(0.75);
  });

  it('drops low-confidence pixels and checks its inputs', () => {
    const ref = posed(0, 0);
    const score = new Float32Array(W * H).fill(0.9);
    score[5] = 0.1;
    const margin = new Float32Array(W * H).fill(0.2);
    margin[7] = 0;
    const { depth } = filterDepth(ref, score, margin, [], { minAgreeing: 0 });
    expect(depth[5]).toBe(0);
    expect(depth[7]).toBe(0);
    expect(depth[6]).toBeGreaterThan(0);
    expect(() => filterDepth(ref, score, margin, [], { minAgreeing: 1 })).toThrow(/agreeing views required/);
    expect(() => filterDepth(ref, score.subarray(1), margin, [])).toThrow(/size/);
  });
});
