/** Small hand-made embedders for semantics tests: concept vectors with a shared "generic" axis. */
import type { ImageEmbedder, TextEmbedder } from '../../../lib/inference/embedder';
import type { RgbImage } from '../../../lib/capture/frame';

export const CONCEPTS = ['lamp', 'chair', 'table', 'book', 'plant'] as const;
export const DIM = CONCEPTS.length + 2; // axis 0 generic, 1..5 concepts, 6 "other"

export function unit(v: number[]): Float32Array {
  const n = Math.hypot(...v);
  return Float32Array.from(v, (x) => x / n);
}

/** normalize(e0 + e_concept); 'other' for unknown names. */
export function conceptVector(name: string): Float32Array {
  const v = new Array(DIM).fill(0);
  v[0] = 1;
  const i = (CONCEPTS as readonly string[]).indexOf(name);
  v[i >= 0 ? i + 1 : DIM - 1] = 1;
  return unit(v);
}

/** Mix of two concepts, renormalised: w * a + (1 - w) * b. */
export function mix(a: string, b: string, w: number): Float32Array {
  const va = conceptVector(a), vb = conceptVector(b);
  return unit(Array.from(va, (x, j) => w * x + (1 - w) * vb[j]));
}

export class FakeText implements TextEmbedder {
  readonly id = 'fake-text';
  readonly dim = DIM;
  calls: string[][] = [];
  async embedTexts(texts: string[]): Promise<Float32Array> {
    this.calls.push([...texts]);
    const out = new Float32Array(texts.length * DIM);
    texts.forEach((t, i) => {
      const s = t.toLowerCase().replace(/^a photo of an? /, '').trim();
      if (s === 'object' || s === 'things' || s === 'stuff') out[i * DIM] = 1;
      else out.set(conceptVector(s), i * DIM);
    });
    return out;
  }
}

/** Embeds a crop by the mean colour of its non-zero pixels plus a constant, normalised (dim 4). */
export class MeanColourImage implements ImageEmbedder {
  readonly id = 'fake-mean-colour';
  readonly dim = 4;
  batches: RgbImage[][] = [];
  async embedImages(crops: RgbImage[]): Promise<Float32Array> {
    this.batches.push(crops);
    const out = new Float32Array(crops.length * 4);
    crops.forEach((c, i) => {
      let r = 0, g = 0, b = 0, n = 0;
      for (let p = 0; p < c.width * c.height; p++) {
        const [x, y, z] = [c.data[p * 3], c.data[p * 3 + 1], c.data[p * 3 + 2]];
        if (x || y || z) {
          r += x; g += y; b += z; n++;
        }
      }
      out.set(unit([r / Math.max(n, 1) / 255, g / Math.max(n, 1) / 255, b / Math.max(n, 1) / 255, 0.1]), i * 4);
    });
    return out;
  }
}
