import { describe, expect, it } from 'vitest';
import type { ModelEntry } from '../../../lib/inference/models/manifest';
import { findModel } from '../../../lib/inference/models/manifest';
import { createModelSession, defaultProviders, detectHost, loadModelSession, ModelSignatureError } from '../../../lib/inference/runtime/model-session';
import { OnnxGraphBuilder } from '../../models/onnx-builder';
import { standinEnv } from '../../models/standin-fixtures';

function identityModel(inName: string, outName: string, shape: (number | string)[]): Uint8Array {
  const g = new OnnxGraphBuilder('wrong');
  const x = g.input(inName, 'float32', shape);
  g.output(g.node('Identity', [x]), outName, 'float32', shape);
  return g.toBytes();
}

describe('model runtime', () => {
  it('runs in Node on the cpu provider', () => {
    expect(detectHost()).toBe('node');
    expect(defaultProviders('node')).toEqual(['cpu']);
    expect(defaultProviders('browser')).toEqual(['wasm']); // no navigator.gpu here
  });

  it('loads every stand-in through the same runtime and validation as real models', async () => {
    const env = await standinEnv();
    const progress: string[] = [];
    for (const entry of env.manifest.models) {
      expect(entry.standIn).toBe(true);
      expect(entry.id.startsWith('standin-')).toBe(true);
      const s = await loadModelSession(env.ort, entry, env.source, { onProgress: (p) => progress.push(`${p.modelId}:${p.stage}`) });
      expect(s.provider).toBe('cpu');
      expect([...s.session.inputNames].sort()).toEqual(entry.inputs.filter((t) => !t.optional).map((t) => t.name).sort());
      for (const o of entry.outputs) expect(s.session.outputNames).toContain(o.name);
      await s.session.release();
    }
    expect(progress).toContain('standin-fastdepth:ready');
  });

  it('rejects a model whose tensor names differ, naming the model, expected and found signature', async () => {
    const env = await standinEnv();
    const entry = findModel(env.manifest, 'standin-mobileclip-s0-image');
    const bytes = identityModel('images', 'image_embeds', ['batch_size', 3, 256, 256]);
    const err = await createModelSession(env.ort, entry, bytes).catch((e) => e);
    expect(err).toBeInstanceOf(ModelSignatureError);
    expect(err.message).toContain('standin-mobileclip-s0-image');
    expect(err.message).toContain('missing input "pixel_values"');
    expect(err.message).toContain('expected inputs {pixel_values: float32[batch_size,3,256,256]}');
    expect(err.message).toContain('found    inputs {images: float32[batch_size,3,256,256]}');
  });

  it('rejects a model whose shapes or dtypes differ', async () => {
    const env = await standinEnv();
    const entry = findModel(env.manifest, 'standin-fastdepth');
    const err = await createModelSession(env.ort, entry, identityModel('0', '350', [1, 3, 128, 128])).catch((e) => e);
    expect(err).toBeInstanceOf(ModelSignatureError);
    expect(err.message).toMatch(/input "0" dim 2 is 128, expected 224/);
    expect(err.message).toMatch(/output "350" dim 1 is 3, expected 1/);
    const g = new OnnxGraphBuilder('int');
    const x = g.input('0', 'int32', [1, 3, 224, 224]);
    g.output(g.node('Cast', [g.node('Slice', [x, g.constInt64([1], [0]), g.constInt64([1], [1]), g.constInt64([1], [1])])], { to: 1 }), '350', 'float32', [1, 1, 224, 224]);
    const err2 = await createModelSession(env.ort, entry, g.toBytes()).catch((e) => e);
    expect(err2.message).toMatch(/input "0" is int32, expected float32/);
  });

  it('gives a clear error for a corrupt or empty file', async () => {
    const env = await standinEnv();
    const entry: ModelEntry = findModel(env.manifest, 'standin-slimsam-77-encoder');
    const good = await env.source.getFile(entry, entry.files[0]);
    const corrupt = good.slice(0, Math.floor(good.length / 3));
    corrupt[5] ^= 0xff;
    const err = await createModelSession(env.ort, entry, corrupt).catch((e) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toContain('Model "standin-slimsam-77-encoder" could not be loaded');
    expect(err.message).toContain('pixel_values: float32[batch_size,3,1024,1024]');
    expect(err.message).toMatch(/found \d+ bytes that ONNX Runtime rejected: cpu: /);
    await expect(createModelSession(env.ort, entry, new Uint8Array(0))).rejects.toThrow(/no model bytes/);
  });

  it('falls back to the next provider and reports why', async () => {
    const env = await standinEnv();
    const entry = findModel(env.manifest, 'standin-fastdepth');
    const bytes = await env.source.getFile(entry, entry.files[0]);
    const s = await createModelSession(env.ort, entry, bytes, { providers: ['webgpu', 'cpu'] });
    expect(s.provider).toBe('cpu');
    expect(s.fallbacks.map((f) => f.provider)).toEqual(['webgpu']);
    expect(s.fallbacks[0].reason.length).toBeGreaterThan(0);
    await s.session.release();
  });
});

describe('optional inputs', () => {
  it('feeds attention_mask only to text exports that declare it', async () => {
    const env = await standinEnv();
    const { loadClipPair } = await import('../../../lib/inference/clip/clip-pair');
    const { ClipTextEncoder } = await import('../../../lib/inference/clip/clip-text-encoder');
    const clip = await loadClipPair(env.ort, env.manifest, 'standin-mobileclip-s0', env.source);
    const entry = findModel(env.manifest, 'standin-mobileclip-s0-text');
    expect(entry.inputs.find((t) => t.name === 'attention_mask')?.optional).toBe(true);
    expect(clip.text.model.session.inputNames).toEqual(['input_ids']);
    // A variant whose output is the attention mask's token count on axis 0: proves the mask is fed.
    const g = new OnnxGraphBuilder('with-mask');
    g.input('input_ids', 'int64', ['batch_size', 'sequence_length']);
    const m = g.input('attention_mask', 'int64', ['batch_size', 'sequence_length']);
    const count = g.node('Cast', [g.node('ReduceSum', [m, g.constInt64([1], [1])], { keepdims: 1 })], { to: 1 }); // [B,1]
    const emb = g.node('Mul', [count, g.constFloat([1, 512], Array.from({ length: 512 }, (_, i) => (i === 0 ? 1 : 0)))]);
    g.output(emb, 'text_embeds', 'float32', ['batch_size', 512]);
    const s = await createModelSession(env.ort, entry, g.toBytes());
    const enc = new ClipTextEncoder(s, clip.text.tokenizer);
    const out = await enc.embedTexts(['a photo of a dog']);
    expect(out[0]).toBeCloseTo(1, 6);
    expect(s.session.inputNames).toContain('attention_mask');
  });
});
