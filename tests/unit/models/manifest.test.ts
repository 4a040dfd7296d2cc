import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import shippedJson from '../../../public/models/manifest.json';
import { findModel, findPair, parseManifest, shippedManifest } from '../../../lib/inference/models/manifest';

describe('shipped model manifest', () => {
  const m = shippedManifest();

  it('lists only real models, each with a download URL, license and signature', () => {
    expect(m.models.length).toBeGreaterThanOrEqual(9);
    for (const e of m.models) {
      expect(e.standIn).toBe(false);
      expect(e.id.startsWith('standin')).toBe(false);
      expect(e.title.toLowerCase()).not.toContain('stand-in');
      for (const f of [...e.files, ...(e.tokenizer ? [e.tokenizer.file] : [])]) {
        if (f.bundledPath) expect(f.url.startsWith('/models/')).toBe(true);
        else expect(f.url).toMatch(/^https:\/\/huggingface\.co\/[^/]+\/[^/]+\/resolve\//);
      }
    }
    expect(Object.keys(m.defaults).sort()).toEqual(['clip', 'clipPaper', 'depth', 'sam']);
  });

  it('pairs CLIP towers and SAM halves', () => {
    for (const pair of ['mobileclip-s0', 'openclip-vit-b16', 'clip-vit-b16-openai']) {
      const [img, txt] = findPair(m, pair, ['clip-image', 'clip-text']);
      expect(img.embeddingDim).toBe(txt.embeddingDim);
      expect(txt.tokenizer?.contextLength).toBe(77);
    }
    const [enc, dec] = findPair(m, 'slimsam-77', ['sam-encoder', 'sam-decoder']);
    expect(dec.inputs.map((t) => t.name)).toEqual(['input_points', 'input_labels', ...enc.outputs.map((t) => t.name)]);
  });

  it('records the true size and sha256 of the bundled FastDepth', () => {
    const f = findModel(m, 'fastdepth').files[0];
    const bytes = readFileSync(f.bundledPath!);
    expect(bytes.length).toBe(f.bytes);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(f.sha256);
  });

  it('refuses stand-ins and malformed entries with a clear error', () => {
    const clone = () => structuredClone(shippedJson) as { models: Record<string, unknown>[] };
    const a = clone();
    a.models[0].standIn = true;
    expect(() => parseManifest(a)).toThrow(/is a test stand-in; stand-ins never belong in the shipped manifest/);
    expect(parseManifest(a, { allowStandIns: true }).models[0].standIn).toBe(true);
    const b = clone();
    (b.models[0].inputs as { shape: unknown[] }[])[0].shape[1] = -3;
    expect(() => parseManifest(b)).toThrow(/mobileclip-s0-image".inputs\[0\].shape\[1\]: expected a positive integer/);
    const c = clone();
    (c.models[1].files as { sha256: string }[])[0].sha256 = 'abc';
    expect(() => parseManifest(c)).toThrow(/not a lower-case hex sha256/);
    const d = clone();
    d.models.push(d.models[0]);
    expect(() => parseManifest(d)).toThrow(/duplicate id/);
    expect(() => findModel(m, 'nope')).toThrow(/"nope" is not in the manifest/);
  });
});
