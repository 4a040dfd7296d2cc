/**
 * Names bank entries: each entry's embedding is matched (cosine) against text embeddings of
 * "a photo of a {phrase}" for every name and synonym of a vocabulary; the best phrase's entry name
 * becomes the label. Phrase embeddings are computed once per labeler and cached.
 */
import type { TextEmbedder } from '../embedder';
import type { SemanticBank } from '../../splat/semantic-bank';
import { INDOOR_VOCABULARY, VOCABULARY_PROMPT, type VocabularyEntry } from './indoor-vocabulary';
import { normalizeRows } from './mask-crops';

export class VocabularyLabeler {
  private phrases: { text: string; entry: number }[] = [];
  private cache: Promise<Float32Array> | null = null;

  constructor(
    private readonly text: TextEmbedder,
    readonly vocabulary: readonly VocabularyEntry[] = INDOOR_VOCABULARY,
    private readonly prompt: (name: string) => string = VOCABULARY_PROMPT,
  ) {
    if (vocabulary.length === 0) throw new Error('VocabularyLabeler: empty vocabulary');
    vocabulary.forEach((v, i) => {
      for (const p of [v.name, ...v.synonyms]) this.phrases.push({ text: this.prompt(p), entry: i });
    });
  }

  /** [phrases, dim] unit text embeddings, computed on first use. */
  phraseEmbeddings(): Promise<Float32Array> {
    if (!this.cache) {
      this.cache = (async () => {
        const emb = await this.text.embedTexts(this.phrases.map((p) => p.text));
        if (emb.length !== this.phrases.length * this.text.dim)
          throw new Error(`VocabularyLabeler: text embedder ${this.text.id} returned ${emb.length} values for ${this.phrases.length} phrases of dim ${this.text.dim}`);
        return normalizeRows(emb, this.text.dim, 'VocabularyLabeler');
      })();
      // A failed embedding should not poison the cache for later calls.
      this.cache.catch(() => (this.cache = null));
    }
    return this.cache;
  }

  /** Best vocabulary name per row of `embeddings` ([n, dim]), with its cosine similarity. */
  async label(embeddings: Float32Array): Promise<{ labels: string[]; scores: Float32Array }> {
    const dim = this.text.dim;
    if (embeddings.length % dim !== 0) throw new Error(`VocabularyLabeler.label: ${embeddings.length} values are not rows of the text dim ${dim}`);
    const P = await this.phraseEmbeddings();
    const n = embeddings.length / dim;
    const labels: string[] = [];
    const scores = new Float32Array(n);
    for (let r = 0; r < n; r++) {
      let best = -Infinity;
      let bi = 0;
      for (let p = 0; p < this.phrases.length; p++) {
        let s = 0;
        for (let j = 0; j < dim; j++) s += embeddings[r * dim + j] * P[p * dim + j];
        if (s > best) {
          best = s;
          bi = p;
        }
      }
      labels.push(this.vocabulary[this.phrases[bi].entry].name);
      scores[r] = best;
    }
    return { labels, scores };
  }

  /** Labels every bank row >= 1 whose label is empty (or all rows with `overwrite`). */
  async labelBank(bank: SemanticBank, overwrite = false): Promise<void> {
    if (bank.dim !== this.text.dim) throw new Error(`VocabularyLabeler.labelBank: bank dim ${bank.dim} != text dim ${this.text.dim}`);
    const rows: number[] = [];
    for (let i = 1; i < bank.count; i++) if (overwrite || !bank.meta[i].label) rows.push(i);
    if (rows.length === 0) return;
    const emb = new Float32Array(rows.length * bank.dim);
    rows.forEach((r, i) => emb.set(bank.row(r), i * bank.dim));
    const { labels } = await this.label(emb);
    rows.forEach((r, i) => (bank.meta[r].label = labels[i]));
  }
}
