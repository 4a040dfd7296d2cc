/**
 * Oracle CLIP for the evaluation's "oracle 2D" setting.
 *
 * What it isolates: 2D RECOGNITION. Every mask crop is embedded as the vector of its ground-truth
 * label (learned through a side channel, not from pixels), and the text side maps that label, and its
 * synonyms, to exactly the same vector. So a crop is recognised perfectly whenever its mask covers a
 * labelled object. Everything else still runs for real and is what the score then measures: the masks
 * themselves (their boundaries and granularity decide which ground-truth label a crop gets and how
 * much of an object it covers), geometry and fusion, the memory bank (K-means or 3D association),
 * index transfer to Gaussians, the LERF scoring and 3D grouping. The gap between a CLIP run and the
 * oracle run is the cost of imperfect CLIP recognition; the gap between the oracle run and 100% is the
 * cost of the rest of the pipeline.
 *
 * Vector geometry (deterministic, seeded): with a shared "generic thing" direction g and per-label
 * random unit directions u_l (nearly orthogonal in high dimension),
 *   v_l = (a g + u_l) / |a g + u_l|,  a = 1:   v_l . v_l' ~ 0.5,   v_l . g ~ 0.707.
 * The canonical phrases "object"/"things"/"stuff" map to g (slightly perturbed for the last two), so,
 * like real CLIP, every label is closer to "object" than to another label, and LERF relevancy is
 * ~0.95 for the right label and ~0.11 for any other (t = 10): the 0.5 threshold separates them cleanly.
 * With v_l . g = 0 (plain random vectors) every unrelated entry would score ~0.5 and be a coin flip.
 *
 * Crops with no ground-truth label (side channel returns null) get the vector of a reserved
 * "unlabelled" thing, which matches no query. Unknown query text gets a hashed vector of the same form.
 */
import type { RgbImage } from '../../capture/frame';
import type { ClipPair, ImageEmbedder, TextEmbedder } from '../embedder';
import { INDOOR_VOCABULARY, type VocabularyEntry } from './indoor-vocabulary';
import { CANONICAL_PHRASES } from './query';
import { gaussianSource, hashString, mulberry32 } from './seeded-random';

export interface OracleOptions {
  dim?: number;
  vocabulary?: readonly VocabularyEntry[];
  seed?: number;
  /** Weight a of the shared direction (default 1). */
  generic?: number;
  /** Side channel: the ground-truth label of a crop, or null for none. `tagCrop` takes precedence. */
  labelOfCrop?: (crop: RgbImage, indexInBatch: number) => string | null;
}

const UNLABELLED = '\u0000unlabelled';
const PROMPT_PREFIXES = [/^a photo of (a|an|the) /, /^a photo of /, /^(where|what) (is|are) (the|my|a|an) /, /^(where|what) (is|are) /, /^(find|show|highlight)( me)? (the|my|a|an) /, /^(find|show|highlight)( me)? /, /^(the|a|an|my) /];

/** Lower case, punctuation dropped, spaces collapsed, prompt templates and question words stripped. */
export function oracleNormalize(text: string): string {
  let s = text.toLowerCase().replace(/[^\p{L}\p{N}\s-]/gu, ' ').replace(/\s+/g, ' ').trim();
  for (let pass = 0; pass < 3; pass++) for (const p of PROMPT_PREFIXES) s = s.replace(p, '');
  return s.trim();
}

/** The ground-truth instance covering most of mask `mask` (0 when it covers only unlabelled pixels). */
export function majorityInstance(maskLabels: Int32Array, mask: number, gtInstances: Int32Array): number {
  if (maskLabels.length !== gtInstances.length) throw new Error(`majorityInstance: label map has ${maskLabels.length} pixels, ground truth ${gtInstances.length}`);
  const votes = new Map<number, number>();
  for (let i = 0; i < maskLabels.length; i++) if (maskLabels[i] === mask) votes.set(gtInstances[i], (votes.get(gtInstances[i]) ?? 0) + 1);
  let best = 0;
  let bestN = 0;
  for (const [id, n] of votes) if (id !== 0 && n > bestN) [best, bestN] = [id, n];
  return best;
}

export class OracleClip implements ClipPair {
  readonly dim: number;
  readonly image: ImageEmbedder;
  readonly text: TextEmbedder;
  private readonly generic: Float32Array;
  private readonly a: number;
  private readonly seed: number;
  private readonly phraseToName = new Map<string, string>();
  private readonly vectors = new Map<string, Float32Array>();
  private readonly tags = new WeakMap<RgbImage, string | null>();
  private readonly canonical = new Map<string, Float32Array>();

  constructor(private readonly options: OracleOptions = {}) {
    const dim = options.dim ?? 512;
    if (!Number.isInteger(dim) || dim < 8) throw new Error(`OracleClip: dim must be an integer >= 8, got ${dim}`);
    this.dim = dim;
    this.a = options.generic ?? 1;
    if (!(this.a >= 0)) throw new Error(`OracleClip: generic weight must be >= 0, got ${this.a}`);
    this.seed = options.seed ?? 7;
    this.generic = this.randomUnit(hashString('\u0000generic') ^ this.seed);
    for (const v of options.vocabulary ?? INDOOR_VOCABULARY) {
      for (const p of [v.name, ...v.synonyms]) {
        const k = oracleNormalize(p);
        if (!this.phraseToName.has(k)) this.phraseToName.set(k, v.name);
      }
    }
    CANONICAL_PHRASES.forEach((c, i) => {
      const u = this.randomUnit(hashString(`\u0000canon:${c}`) ^ this.seed);
      const w = i === 0 ? 0 : 0.2;
      this.canonical.set(c, this.normalize(this.generic.map((g, j) => g + w * u[j])));
    });
    this.image = {
      id: `oracle-image-${dim}`,
      dim,
      embedImages: async (crops: RgbImage[]) => {
        const out = new Float32Array(crops.length * dim);
        crops.forEach((crop, i) => {
          const label = this.tags.has(crop) ? this.tags.get(crop)! : (this.options.labelOfCrop?.(crop, i) ?? null);
          out.set(this.labelVector(label ?? UNLABELLED), i * dim);
        });
        return out;
      },
    };
    this.text = {
      id: `oracle-text-${dim}`,
      dim,
      embedTexts: async (texts: string[]) => {
        const out = new Float32Array(texts.length * dim);
        texts.forEach((t, i) => out.set(this.textVector(t), i * dim));
        return out;
      },
    };
  }

  /** Registers the ground-truth label of a crop (null = unlabelled). */
  tagCrop(crop: RgbImage, label: string | null): void {
    this.tags.set(crop, label);
  }

  /** The vocabulary name a phrase resolves to (synonyms -> name), or null. */
  resolve(phrase: string): string | null {
    const s = oracleNormalize(phrase);
    if (this.phraseToName.has(s)) return this.phraseToName.get(s)!;
    if (s.endsWith('s') && this.phraseToName.has(s.slice(0, -1))) return this.phraseToName.get(s.slice(0, -1))!;
    // Vocabulary phrases contained as whole words: the earliest one (the head noun in "the lamp by
    // the window"), the longest at that position ("table lamp" over "table").
    let best: string | null = null;
    let bestAt = Infinity;
    let bestLen = 0;
    const padded = ` ${s} `;
    for (const [p, name] of this.phraseToName) {
      const at = padded.indexOf(` ${p} `);
      if (at < 0) continue;
      if (at < bestAt || (at === bestAt && p.length > bestLen)) [best, bestAt, bestLen] = [name, at, p.length];
    }
    return best;
  }

  /** Embedding of a ground-truth label (vocabulary names and synonyms share one vector). */
  labelVector(label: string): Float32Array {
    const key = label === UNLABELLED ? UNLABELLED : (this.resolve(label) ?? `\u0000other:${oracleNormalize(label)}`);
    let v = this.vectors.get(key);
    if (!v) {
      const u = this.randomUnit(hashString(key) ^ this.seed);
      v = this.normalize(u.map((x, j) => this.a * this.generic[j] + x));
      this.vectors.set(key, v);
    }
    return v;
  }

  textVector(text: string): Float32Array {
    const s = oracleNormalize(text);
    const c = this.canonical.get(s);
    if (c) return c;
    return this.labelVector(s);
  }

  private randomUnit(seed: number): Float32Array {
    const g = gaussianSource(mulberry32(seed));
    return this.normalize(Float32Array.from({ length: this.dim }, () => g()));
  }

  private normalize(v: Float32Array): Float32Array {
    let s = 0;
    for (let j = 0; j < v.length; j++) s += v[j] * v[j];
    const inv = 1 / Math.sqrt(s);
    return v.map((x) => x * inv);
  }
}
