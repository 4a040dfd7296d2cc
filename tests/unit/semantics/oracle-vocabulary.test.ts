import { describe, expect, it } from 'vitest';
import { OracleClip, majorityInstance, oracleNormalize } from '../../../lib/inference/semantics/oracle-embedder';
import { INDOOR_VOCABULARY } from '../../../lib/inference/semantics/indoor-vocabulary';
import { VocabularyLabeler } from '../../../lib/inference/semantics/vocabulary-labeler';
import { CANONICAL_PHRASES, SemanticQuery, relevancy } from '../../../lib/inference/semantics/query';
import { GaussianScene } from '../../../lib/splat/gaussian-scene';
import { SemanticBank } from '../../../lib/splat/semantic-bank';
import type { RgbImage } from '../../../lib/capture/frame';

const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, x, j) => s + x * b[j], 0);
const crop = (): RgbImage => ({ width: 1, height: 1, data: new Uint8Array(3) });

describe('indoor vocabulary', () => {
  it('has ~200 names including the required classes, and no phrase twice', () => {
    expect(INDOOR_VOCABULARY.length).toBeGreaterThanOrEqual(180);
    expect(INDOOR_VOCABULARY.length).toBeLessThanOrEqual(260);
    const phrases = new Map<string, string>();
    for (const v of INDOOR_VOCABULARY)
      for (const p of [v.name, ...v.synonyms]) {
        expect(phrases.has(p), `"${p}" in ${v.name} and ${phrases.get(p)}`).toBe(false);
        phrases.set(p, v.name);
      }
    for (const [p, name] of [['lamp', 'lamp'], ['sofa', 'couch'], ['table', 'table'], ['monitor', 'screen'], ['tv', 'screen'], ['plant', 'plant'], ['storage', 'cabinet'], ['shelf', 'shelf'], ['picture', 'wall art'], ['chair', 'chair'], ['bed', 'bed'], ['door', 'door'], ['window', 'window']])
      expect(phrases.get(p)).toBe(name);
  });
});

describe('OracleClip', () => {
  const oracle = new OracleClip({ dim: 128 });

  it('maps names, synonyms and prompts to one vector; crops to their side-channel label', async () => {
    const t = await oracle.text.embedTexts(['couch', 'a photo of a sofa', 'Where is the SOFA?', 'lamp']);
    const row = (i: number) => t.subarray(i * 128, (i + 1) * 128);
    expect(dot(row(0), row(1))).toBeCloseTo(1, 5);
    expect(dot(row(0), row(2))).toBeCloseTo(1, 5);
    expect(dot(row(0), row(3))).toBeLessThan(0.7);
    const c1 = crop(), c2 = crop();
    oracle.tagCrop(c1, 'sofa');
    oracle.tagCrop(c2, null);
    const img = await oracle.image.embedImages([c1, c2]);
    expect(dot(img.subarray(0, 128), row(0))).toBeCloseTo(1, 5);
    expect(dot(img.subarray(128), row(0))).toBeLessThan(0.7);
  });

  it('gives LERF relevancy ~0.95 to the right label and < 0.5 to every other, with the 0.5 threshold between', async () => {
    const canon = await oracle.text.embedTexts([...CANONICAL_PHRASES]);
    const names = ['lamp', 'couch', 'table', 'chair', 'plant', 'screen'];
    const vecs = names.map((n) => oracle.labelVector(n));
    for (let i = 0; i < names.length; i++) {
      const q = oracle.textVector(names[i]);
      for (let j = 0; j < names.length; j++) {
        const s = relevancy(vecs[j], 0, q, canon, 128);
        if (i === j) expect(s).toBeGreaterThan(0.9);
        else expect(s).toBeLessThan(0.3);
      }
    }
    // Unlabelled crops match nothing.
    const c = crop();
    const un = await oracle.image.embedImages([c]);
    expect(relevancy(un, 0, oracle.textVector('lamp'), canon, 128)).toBeLessThan(0.3);
  });

  it('uses the labelOfCrop callback when a crop is not tagged; deterministic across instances', async () => {
    const seen: number[] = [];
    const o = new OracleClip({ dim: 64, labelOfCrop: (_c, i) => (seen.push(i), i === 0 ? 'tv' : null) });
    const out = await o.image.embedImages([crop(), crop()]);
    expect(seen).toEqual([0, 1]);
    expect(dot(out.subarray(0, 64), new OracleClip({ dim: 64 }).textVector('monitor'))).toBeCloseTo(1, 5);
    expect(oracleNormalize('Show me the red lamp!')).toBe('red lamp');
    expect(o.resolve('the red lamp by the window')).toBe('lamp');
    expect(o.resolve('a table lamp near the door')).toBe('lamp');
    expect(o.resolve('something unknown')).toBeNull();
  });

  it('majorityInstance picks the ground-truth instance covering most of a mask', () => {
    const labels = Int32Array.from([1, 1, 1, 2, 2, 0]);
    const gt = Int32Array.from([0, 7, 7, 3, 0, 3]);
    expect(majorityInstance(labels, 1, gt)).toBe(7);
    expect(majorityInstance(labels, 2, gt)).toBe(3);
    expect(() => majorityInstance(labels, 1, new Int32Array(2))).toThrow(/ground truth/);
  });

  it('end to end with the query: finds the tagged object', async () => {
    const o = new OracleClip({ dim: 64 });
    const scene = new GaussianScene({ bankDim: 64 });
    scene.bank.add(o.labelVector('couch'), { label: 'couch', instanceId: 1, sourceViews: [0], support: 1 });
    scene.bank.add(o.labelVector('lamp'), { label: 'lamp', instanceId: 2, sourceViews: [0], support: 1 });
    const s = scene.allocate(4);
    scene.semantic.set([1, 1, 2, 0], s);
    const ans = await new SemanticQuery(o.text, { minGaussians: 1 }).query(scene, 'where is the sofa?');
    expect(ans.instances.length).toBe(1);
    expect(ans.instances[0].label).toBe('couch');
    expect(ans.instances[0].count).toBe(2);
  });
});

describe('VocabularyLabeler', () => {
  it('labels bank rows by their best vocabulary phrase and caches the phrase embeddings', async () => {
    const o = new OracleClip({ dim: 64 });
    let calls = 0;
    const text = { id: 't', dim: 64, embedTexts: async (t: string[]) => (calls++, o.text.embedTexts(t)) };
    const labeler = new VocabularyLabeler(text);
    const bank = new SemanticBank(64);
    bank.add(o.labelVector('sofa'), { label: '', instanceId: 1, sourceViews: [], support: 1 });
    bank.add(o.labelVector('monitor'), { label: '', instanceId: 2, sourceViews: [], support: 1 });
    bank.add(o.labelVector('lamp'), { label: 'my lamp', instanceId: 3, sourceViews: [], support: 1 });
    await labeler.labelBank(bank);
    await labeler.labelBank(bank);
    expect(bank.meta.slice(1).map((m) => m.label)).toEqual(['couch', 'screen', 'my lamp']);
    expect(calls).toBe(1);
    await labeler.labelBank(bank, true);
    expect(bank.meta[3].label).toBe('lamp');
    await expect(labeler.labelBank(new SemanticBank(32))).rejects.toThrow(/dim/);
  });
});
