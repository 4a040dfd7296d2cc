import { describe, expect, it } from 'vitest';
import { loadClipPair } from '../../../lib/inference/clip/clip-pair';
import { STANDIN_COLOURS } from '../../models/make-standins';
import { standinEnv, syntheticImage } from '../../models/standin-fixtures';

const COLOUR_RGB: Record<string, [number, number, number]> = {
  red: [220, 30, 25],
  green: [30, 170, 40],
  blue: [25, 50, 210],
  yellow: [240, 225, 30],
  purple: [125, 40, 165],
};

/** A masked crop: the object colour on a zero (masked-out) background. */
function maskedCrop(rgb: [number, number, number], w = 60, h = 40) {
  return syntheticImage(w, h, [0, 0, 0], [{ x: 10, y: 8, w: w - 20, h: h - 16, rgb }]);
}

function dot(a: Float32Array, i: number, b: Float32Array, j: number, d: number): number {
  let s = 0;
  for (let k = 0; k < d; k++) s += a[i * d + k] * b[j * d + k];
  return s;
}

describe.each(['standin-mobileclip-s0', 'standin-openclip-vit-b16', 'standin-clip-vit-b16-openai'])('CLIP stand-in pair %s', (pairId) => {
  it('finds the red crop for the text "red" (and every other colour likewise)', async () => {
    const env = await standinEnv();
    const clip = await loadClipPair(env.ort, env.manifest, pairId, env.source);
    expect(clip.image.id).toBe(pairId);
    expect(clip.text.id).toBe(pairId);
    expect(clip.image.dim).toBe(512);
    const names = Object.keys(COLOUR_RGB);
    const img = await clip.image.embedImages(names.map((n) => maskedCrop(COLOUR_RGB[n])));
    const txt = await clip.text.embedTexts(names.map((n) => `a ${n} object`));
    const D = clip.image.dim;
    for (let t = 0; t < names.length; t++) {
      const sims = names.map((_, i) => dot(txt, t, img, i, D));
      const best = sims.indexOf(Math.max(...sims));
      expect(names[best]).toBe(names[t]);
    }
  });

  it('returns L2-normalised rows and batches consistently', async () => {
    const env = await standinEnv();
    const clip = await loadClipPair(env.ort, env.manifest, pairId, env.source, { image: { batchSize: 2 } });
    const crops = [maskedCrop(COLOUR_RGB.red), maskedCrop(COLOUR_RGB.blue, 17, 93), maskedCrop(COLOUR_RGB.green, 300, 200)];
    const all = await clip.image.embedImages(crops);
    const D = clip.image.dim;
    expect(all.length).toBe(3 * D);
    for (let i = 0; i < 3; i++) expect(dot(all, i, all, i, D)).toBeCloseTo(1, 5);
    const one = await clip.image.embedImages([crops[1]]);
    for (let k = 0; k < D; k++) expect(one[k]).toBeCloseTo(all[D + k], 5);
    expect((await clip.image.embedImages([])).length).toBe(0);
    const texts = await clip.text.embedTexts(['red', 'gray', 'grey', 'object']);
    for (let i = 0; i < 4; i++) expect(dot(texts, i, texts, i, D)).toBeCloseTo(1, 5);
    expect(dot(texts, 1, texts, 2, D)).toBeCloseTo(1, 5); // gray == grey
    expect(dot(texts, 0, texts, 3, D)).toBeLessThan(0.2);
  });

  it('ranks the red object above others with LERF relevancy against canonical phrases', async () => {
    const env = await standinEnv();
    const clip = await loadClipPair(env.ort, env.manifest, pairId, env.source);
    const D = clip.image.dim;
    const img = await clip.image.embedImages([maskedCrop(COLOUR_RGB.red), maskedCrop(COLOUR_RGB.blue)]);
    const txt = await clip.text.embedTexts(['red', 'object', 'things', 'stuff']);
    const relevancy = (i: number) =>
      Math.min(...[1, 2, 3].map((c) => {
        const q = Math.exp(10 * dot(img, i, txt, 0, D));
        return q / (q + Math.exp(10 * dot(img, i, txt, c, D)));
      }));
    expect(relevancy(0)).toBeGreaterThan(0.5);
    expect(relevancy(1)).toBeLessThan(0.5);
  });
});

describe('CLIP stand-in inputs', () => {
  it('rejects bad crops with a clear error', async () => {
    const env = await standinEnv();
    const clip = await loadClipPair(env.ort, env.manifest, 'standin-mobileclip-s0', env.source);
    await expect(clip.image.embedImages([{ width: 4, height: 4, data: new Uint8Array(10) }])).rejects.toThrow(/crop 0: .*48 bytes/);
    await expect(clip.image.embedImages([{ width: 0, height: 4, data: new Uint8Array(0) }])).rejects.toThrow(/positive integer width/);
  });

  it('covers every colour word of the stand-in table with one CLIP token', () => {
    expect(STANDIN_COLOURS.map((c) => c.word)).toEqual(expect.arrayContaining(['red', 'green', 'blue', 'yellow', 'white', 'black', 'orange', 'purple', 'pink', 'brown', 'grey']));
  });
});
