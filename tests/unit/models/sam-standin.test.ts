import { describe, expect, it } from 'vitest';
import { maskToImage, stabilityScores } from '../../../lib/inference/sam/mask-postprocess';
import { findModel, shippedManifest } from '../../../lib/inference/models/manifest';
import { createModelSession, loadModelSession } from '../../../lib/inference/runtime/model-session';
import { loadSamModel, SamModel } from '../../../lib/inference/sam/sam-model';
import { buildSamDecoderStandin } from '../../models/make-standins';
import { standinEnv, syntheticImage } from '../../models/standin-fixtures';

// 640 x 400 grey scene with a red box and a blue box.
const W = 640;
const H = 400;
const RED = { x: 80, y: 60, w: 160, h: 120 };
const BLUE = { x: 400, y: 200, w: 180, h: 150 };
const image = syntheticImage(W, H, [128, 128, 128], [
  { ...RED, rgb: [220, 30, 25] },
  { ...BLUE, rgb: [25, 50, 210] },
]);

function iouWithRect(mask: Uint8Array, r: { x: number; y: number; w: number; h: number }): number {
  let inter = 0;
  let area = 0;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const inRect = x >= r.x && x < r.x + r.w && y >= r.y && y < r.y + r.h;
      const m = mask[y * W + x] === 1;
      if (m) area++;
      if (m && inRect) inter++;
    }
  }
  return inter / (area + r.w * r.h - inter);
}

describe('SamModel on the SAM stand-in', () => {
  it('embeds once and segments the object under each prompt point', async () => {
    const env = await standinEnv();
    const sam = await loadSamModel(env.ort, env.manifest, 'standin-slimsam-77', env.source);
    expect(sam.inputSize).toBe(1024);
    const emb = await sam.embedImage(image);
    expect(emb.scale).toBeCloseTo(1024 / 640, 6);
    expect(emb.tensors.image_embeddings.dims).toEqual([1, 256, 64, 64]);
    const points = new Float32Array([RED.x + 80, RED.y + 60, BLUE.x + 90, BLUE.y + 75, 20, 380]);
    const pred = await sam.predictPoints(emb, points, new Int32Array([1, 1, 1]));
    expect(pred.count).toBe(3);
    expect(pred.masksPerPrompt).toBe(3);
    expect([pred.maskWidth, pred.maskHeight]).toEqual([256, 256]);
    expect([pred.validWidth, pred.validHeight]).toEqual([256, 160]);
    expect(pred.logits.length).toBe(3 * 3 * 256 * 256);
    expect([...pred.iou.slice(0, 3)].map((v) => +v.toFixed(3))).toEqual([0.9, 0.8, 0.7]);
    for (const s of pred.stability) {
      expect(s).toBeGreaterThanOrEqual(0);
      expect(s).toBeLessThanOrEqual(1);
    }
    const redMask = maskToImage(pred, emb, 0, 0);
    const blueMask = maskToImage(pred, emb, 1, 0);
    expect(redMask.length).toBe(W * H);
    expect(iouWithRect(redMask, RED)).toBeGreaterThan(0.9);
    expect(iouWithRect(blueMask, BLUE)).toBeGreaterThan(0.9);
    const bgMask = maskToImage(pred, emb, 2, 0);
    expect(iouWithRect(bgMask, RED)).toBeLessThan(0.05);
    expect(bgMask.reduce((a, v) => a + v, 0)).toBeGreaterThan(W * H * 0.6);
  });

  it('validates prompts and embeddings', async () => {
    const env = await standinEnv();
    const sam = await loadSamModel(env.ort, env.manifest, 'standin-slimsam-77', env.source, { maxPromptsPerBatch: 2 });
    const emb = await sam.embedImage(syntheticImage(64, 48, [10, 200, 10]));
    await expect(sam.predictPoints(emb, new Float32Array(6), new Int32Array(3))).rejects.toThrow(/exceed maxPromptsPerBatch 2/);
    await expect(sam.predictPoints(emb, new Float32Array(3), new Int32Array(2))).rejects.toThrow(/3 point coordinates for 2 labels/);
    await expect(sam.predictPoints(emb, new Float32Array([1, Number.NaN]), new Int32Array(1))).rejects.toThrow(/not finite/);
    await expect(sam.predictPoints(emb, new Float32Array(2), new Int32Array([2]))).rejects.toThrow(/label 0 is 2/);
    await expect(sam.predictPoints({ ...emb, modelId: 'other' }, new Float32Array(2), new Int32Array(1))).rejects.toThrow(/embedding comes from "other"/);
    const empty = await sam.predictPoints(emb, new Float32Array(0), new Int32Array(0));
    expect(empty.count).toBe(0);
    const two = await sam.predictPoints(emb, new Float32Array([10, 10, 20, 20]), new Int32Array([1, 0]), { pointsPerPrompt: 2 });
    expect(two.count).toBe(1);
  });
});

describe('SamModel with a decoder whose prompt batch is fixed at 1', () => {
  it('falls back to one prompt per run with the same results', async () => {
    const env = await standinEnv();
    const decEntry = findModel(env.manifest, 'standin-slimsam-77-decoder');
    const fixed = structuredClone(findModel(shippedManifest(), 'slimsam-77-decoder'));
    for (const t of [...fixed.inputs, ...fixed.outputs]) if (t.shape[1] === 'point_batch_size') t.shape[1] = 1;
    const bytes = buildSamDecoderStandin(fixed, findModel(shippedManifest(), 'slimsam-77-encoder'));
    const decoder = await createModelSession(env.ort, decEntry, bytes);
    const encoder = await loadModelSession(env.ort, findModel(env.manifest, 'standin-slimsam-77-encoder'), env.source);
    const sam = new SamModel(encoder, decoder);
    const emb = await sam.embedImage(image);
    const points = new Float32Array([RED.x + 80, RED.y + 60, BLUE.x + 90, BLUE.y + 75]);
    const both = await sam.predictPoints(emb, points, new Int32Array([1, 1]));
    const second = await sam.predictPoints(emb, points.slice(2), new Int32Array([1]));
    expect(both.count).toBe(2);
    const plane = 3 * 256 * 256;
    expect(both.logits.slice(plane)).toEqual(second.logits);
    expect(iouWithRect(maskToImage(both, emb, 0, 0), RED)).toBeGreaterThan(0.9);
    // Remembered: the next batch goes one by one straight away, still correct.
    const again = await sam.predictPoints(emb, points, new Int32Array([1, 1]));
    expect(again.logits).toEqual(both.logits);
  });
});

describe('stabilityScores', () => {
  it('is |logit > 1| / |logit > -1| over the valid region', () => {
    const logits = new Float32Array([2, 0.5, -0.5, -2, 5, 5, 5, 5]);
    const s = stabilityScores(logits, 2, 2, 2, 2, 2);
    expect(s[0]).toBeCloseTo(1 / 3, 6);
    expect(s[1]).toBe(1);
    expect(stabilityScores(new Float32Array(4).fill(-5), 1, 2, 2, 2, 2)[0]).toBe(0);
    expect(stabilityScores(logits, 2, 2, 2, 1, 1)[0]).toBe(1); // only the top-left logit counts
    expect(() => stabilityScores(logits, 3, 2, 2, 2, 2)).toThrow(/expected 3 x 2 x 2/);
  });
});
