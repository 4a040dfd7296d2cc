/**
 * CLIP text tower as a TextEmbedder: texts -> CLIP BPE ids [n, contextLength] (int64 or int32, as the export
 * declares; plus an attention mask when the export takes one) -> L2-normalised [n, dim] embeddings.
 */
import type { TextEmbedder } from '../embedder';
import type { ModelSession } from '../runtime/model-session';
import { concreteDims, floatOutput, intTensor, l2NormalizeRows, runModel } from '../runtime/tensors';
import type { ClipTokenizer } from './clip-tokenizer';

export interface ClipTextEncoderOptions {
  /** Texts per run (capped by the model's maxBatch). Default 32. */
  batchSize?: number;
}

export class ClipTextEncoder implements TextEmbedder {
  /** The embedding space: the CLIP pair id, equal to the matching image encoder's id. */
  readonly id: string;
  readonly dim: number;
  readonly batchSize: number;

  constructor(
    readonly model: ModelSession,
    readonly tokenizer: ClipTokenizer,
    options: ClipTextEncoderOptions = {},
  ) {
    const e = model.entry;
    if (e.role !== 'clip-text') throw new Error(`ClipTextEncoder: model "${e.id}" has role ${e.role}, expected clip-text`);
    if (!e.embeddingDim) throw new Error(`ClipTextEncoder: model "${e.id}" lacks embeddingDim in the manifest`);
    const ids = e.inputs.find((t) => t.name !== 'attention_mask');
    if (!ids) throw new Error(`ClipTextEncoder: model "${e.id}" has no token id input`);
    const seq = ids.shape[1];
    if (typeof seq === 'number' && seq !== tokenizer.contextLength) {
      throw new Error(`ClipTextEncoder: model "${e.id}" takes ${seq} tokens, tokenizer produces ${tokenizer.contextLength}`);
    }
    this.id = e.pair ?? e.id;
    this.dim = e.embeddingDim;
    const want = options.batchSize ?? 32;
    if (!Number.isInteger(want) || want < 1) throw new Error(`ClipTextEncoder: batchSize must be a positive integer (got ${want})`);
    this.batchSize = Math.min(want, e.maxBatch ?? want);
  }

  async embedTexts(texts: string[]): Promise<Float32Array> {
    if (!Array.isArray(texts)) throw new Error('embedTexts: expected an array of strings');
    const e = this.model.entry;
    const L = this.tokenizer.contextLength;
    const out = new Float32Array(texts.length * this.dim);
    for (let start = 0; start < texts.length; start += this.batchSize) {
      const chunk = texts.slice(start, start + this.batchSize);
      const n = chunk.length;
      const tokens = this.tokenizer.encodeBatch(chunk);
      const feeds: Record<string, ReturnType<typeof intTensor>> = {};
      for (const spec of e.inputs) {
        if (spec.optional && !this.model.session.inputNames.includes(spec.name)) continue;
        const dims = concreteDims(spec, [n, L]);
        if (dims[0] !== n) throw new Error(`Model "${e.id}" takes a fixed batch of ${dims[0]}, cannot run ${n} texts at once`);
        const values = spec.name === 'attention_mask' ? tokens.attentionMask : tokens.ids;
        feeds[spec.name] = intTensor(this.model.ort, spec.dtype, values, dims);
      }
      const result = await runModel(e.id, this.model.session, feeds);
      const emb = floatOutput(e.id, result, e.outputs[0].name, [n, this.dim]);
      out.set(emb.data.subarray(0, n * this.dim), start * this.dim);
    }
    return l2NormalizeRows(out, texts.length, this.dim, e.id);
  }
}
