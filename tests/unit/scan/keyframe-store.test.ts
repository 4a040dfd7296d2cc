import { describe, expect, it } from 'vitest';
import type { Frame } from '../../../lib/capture/frame';
import { decodeKeyframe, encodeKeyframe, KeyframeStore, memoryKeyValue, StorageQuotaError } from '../../../lib/capture/keyframe-store';

function frame(id: string, w = 8, h = 6, withDepth = true, x = 0): Frame {
  const data = new Uint8Array(w * h * 3);
  for (let i = 0; i < data.length; i++) data[i] = (i * 7 + id.length) & 255;
  const pose = new Float64Array([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, x, 1.5, 0.25, 1]);
  const K = { fx: 10, fy: 11, cx: w / 2, cy: h / 2, width: w, height: h };
  const f: Frame = { id, image: { width: w, height: h, data }, intrinsics: K, cameraToWorld: pose, timestamp: 1234.5 };
  if (withDepth) {
    const d = new Float32Array(4 * 3).map((_, i) => 0.5 + i * 0.125);
    f.depth = { width: 4, height: 3, data: d, intrinsics: { fx: 5, fy: 5.5, cx: 2, cy: 1.5, width: 4, height: 3 }, confidence: new Float32Array(12).fill(0.75) };
  }
  return f;
}

describe('keyframe record', () => {
  it('round-trips image, pose, intrinsics, depth with its own intrinsics, confidence and approxPose', () => {
    const f = { ...frame('f0003'), approxPose: true };
    const g = decodeKeyframe(encodeKeyframe(f));
    expect(g.id).toBe('f0003');
    expect(g.approxPose).toBe(true);
    expect(g.timestamp).toBe(1234.5);
    expect(Array.from(g.cameraToWorld)).toEqual(Array.from(f.cameraToWorld));
    expect(g.intrinsics).toEqual(f.intrinsics);
    expect(Array.from(g.image.data)).toEqual(Array.from(f.image.data));
    expect(g.depth!.intrinsics).toEqual(f.depth!.intrinsics);
    expect(Array.from(g.depth!.data)).toEqual(Array.from(f.depth!.data));
    expect(Array.from(g.depth!.confidence!)).toEqual(Array.from(f.depth!.confidence!));
  });

  it('round-trips a frame without depth, of odd image size (section alignment)', () => {
    const g = decodeKeyframe(encodeKeyframe(frame('a', 5, 3, false)));
    expect(g.depth).toBeUndefined();
    expect(g.image.width * g.image.height * 3).toBe(g.image.data.length);
  });

  it('rejects bad input and truncated records with named errors', () => {
    expect(() => encodeKeyframe({ ...frame('x'), cameraToWorld: new Float64Array(16) })).toThrow(/x: pose/);
    expect(() => encodeKeyframe({ ...frame('x'), image: { width: 8, height: 6, data: new Uint8Array(10) } })).toThrow(/image has 10 bytes/);
    const bytes = encodeKeyframe(frame('t'));
    expect(() => decodeKeyframe(bytes.subarray(0, bytes.length - 8))).toThrow(/truncated/);
    expect(() => decodeKeyframe(new Uint8Array([1, 2, 3, 4, 0, 0, 0, 0]))).toThrow(/magic/);
  });
});

describe('KeyframeStore', () => {
  it('keeps every keyframe in order and lists scans newest first', async () => {
    const store = new KeyframeStore(memoryKeyValue());
    const a = await store.createScan('first', 1000);
    const b = await store.createScan('second', 2000);
    for (let i = 0; i < 3; i++) await store.addKeyframe(b.id, frame(`f${i}`, 8, 6, i !== 1, i * 0.1), 3000 + i);
    await store.addKeyframe(a.id, frame('g0'), 2500);
    const list = await store.listScans();
    expect(list.map((s) => s.name)).toEqual(['second', 'first']);
    expect(list[0].keyframeIds).toEqual(['f0', 'f1', 'f2']);
    const frames = await store.loadKeyframes(b.id);
    expect(frames.map((f) => f.id)).toEqual(['f0', 'f1', 'f2']);
    expect(frames[1].depth).toBeUndefined();
    expect(frames[2].cameraToWorld[12]).toBeCloseTo(0.2, 12);
    await expect(store.addKeyframe(b.id, frame('f1'))).rejects.toThrow(/already has keyframe f1/);
    await store.deleteScan(b.id);
    expect((await store.listScans()).map((s) => s.id)).toEqual([a.id]);
  });

  it('surfaces a full storage as StorageQuotaError naming the keyframe, leaving the scan consistent', async () => {
    const kv = memoryKeyValue({ quotaBytes: 2000 });
    const store = new KeyframeStore(kv);
    const s = await store.createScan('small disk');
    await store.addKeyframe(s.id, frame('f0', 8, 6, false));
    const big = frame('f1', 40, 30, true);
    const err = await store.addKeyframe(s.id, big).catch((e) => e);
    expect(err).toBeInstanceOf(StorageQuotaError);
    expect(String(err.message)).toMatch(/keyframe f1/);
    const after = await store.getScan(s.id);
    expect(after!.keyframeIds).toEqual(['f0']);
    expect((await store.loadKeyframes(s.id)).length).toBe(1);
  });

  it('reports a keyframe listed but missing instead of skipping it', async () => {
    const kv = memoryKeyValue();
    const store = new KeyframeStore(kv);
    const s = await store.createScan('x');
    await store.addKeyframe(s.id, frame('f0'));
    await kv.delete(`scan/${s.id}/kf/f0`);
    await expect(store.loadKeyframes(s.id)).rejects.toThrow(/f0 but it is missing/);
  });
});
