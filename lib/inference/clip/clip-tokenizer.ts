/**
 * CLIP byte-level BPE tokenizer: a Hugging Face tokenizer.json (shipped with each real CLIP model) run by
 * @huggingface/tokenizers, plus CLIP's fixed-length framing: [start, tokens..., end, pad...] of exactly
 * `contextLength` ids, truncated like OpenAI's clip.tokenize(truncate=True) (the last kept slot becomes the
 * end token).
 */
import { Tokenizer } from '@huggingface/tokenizers';

export interface ClipTokenizerOptions {
  contextLength?: number;
  startId?: number;
  endId?: number;
  /** 0 for OpenAI / OpenCLIP, the end token (49407) for Hugging Face CLIPTokenizer exports. */
  padId?: number;
}

export interface TokenBatch {
  /** Row-major [count, contextLength]. */
  ids: Int32Array;
  /** 1 for real tokens (start..end), 0 for padding; same layout. */
  attentionMask: Int32Array;
  count: number;
  contextLength: number;
}

function parseJson(source: object | string | Uint8Array | ArrayBuffer): object {
  if (source instanceof Uint8Array || source instanceof ArrayBuffer) {
    const text = new TextDecoder().decode(source);
    return parseJson(text);
  }
  if (typeof source === 'string') {
    try {
      return JSON.parse(source) as object;
    } catch (e) {
      throw new Error(`CLIP tokenizer: tokenizer.json is not valid JSON (${(e as Error).message})`);
    }
  }
  if (!source || typeof source !== 'object') throw new Error('CLIP tokenizer: expected tokenizer.json contents');
  return source;
}

export class ClipTokenizer {
  readonly contextLength: number;
  readonly startId: number;
  readonly endId: number;
  readonly padId: number;
  private readonly tokenizer: Tokenizer;

  constructor(tokenizerJson: object | string | Uint8Array | ArrayBuffer, options: ClipTokenizerOptions = {}) {
    const json = parseJson(tokenizerJson) as { model?: { type?: string; vocab?: Record<string, number> } };
    if (!json.model || json.model.type !== 'BPE') {
      throw new Error(`CLIP tokenizer: expected a BPE tokenizer.json, found model type ${JSON.stringify(json.model?.type)}`);
    }
    this.contextLength = options.contextLength ?? 77;
    this.startId = options.startId ?? 49406;
    this.endId = options.endId ?? 49407;
    this.padId = options.padId ?? 0;
    if (!Number.isInteger(this.contextLength) || this.contextLength < 2) {
      throw new Error(`CLIP tokenizer: context length must be an integer >= 2 (got ${this.contextLength})`);
    }
    this.tokenizer = new Tokenizer(json, {});
    const start = this.tokenizer.id_to_token(this.startId);
    const end = this.tokenizer.id_to_token(this.endId);
    if (start !== '<|startoftext|>' || end !== '<|endoftext|>') {
      throw new Error(`CLIP tokenizer: ids ${this.startId}/${this.endId} are ${start}/${end} in this tokenizer.json, expected <|startoftext|>/<|endoftext|>`);
    }
  }

  /** Token ids of one text with start/end framing, before padding/truncation. */
  encodeRaw(text: string): number[] {
    if (typeof text !== 'string') throw new Error(`CLIP tokenizer: expected a string, got ${typeof text}`);
    let ids = this.tokenizer.encode(text).ids;
    // Some tokenizer.json files have no post-processor: add the framing ourselves.
    if (ids[0] !== this.startId) ids = [this.startId, ...ids];
    if (ids[ids.length - 1] !== this.endId) ids = [...ids, this.endId];
    return ids;
  }

  /** Exactly contextLength ids: truncated (end token kept) and padded with padId. */
  encode(text: string): Int32Array {
    const out = new Int32Array(this.contextLength).fill(this.padId);
    this.writeInto(text, out, 0);
    return out;
  }

  private writeInto(text: string, ids: Int32Array, offset: number, mask?: Int32Array): void {
    const raw = this.encodeRaw(text);
    const n = Math.min(raw.length, this.contextLength);
    for (let i = 0; i < n; i++) ids[offset + i] = raw[i];
    if (raw.length > this.contextLength) ids[offset + this.contextLength - 1] = this.endId;
    if (mask) for (let i = 0; i < n; i++) mask[offset + i] = 1;
  }

  encodeBatch(texts: readonly string[]): TokenBatch {
    if (!Array.isArray(texts)) throw new Error('CLIP tokenizer: expected an array of texts');
    const L = this.contextLength;
    const ids = new Int32Array(texts.length * L).fill(this.padId);
    const attentionMask = new Int32Array(texts.length * L);
    texts.forEach((t, i) => this.writeInto(t, ids, i * L, attentionMask));
    return { ids, attentionMask, count: texts.length, contextLength: L };
  }

  /** Id of a single-token word (with CLIP's end-of-word marker), or undefined. */
  wordId(word: string): number | undefined {
    return this.tokenizer.token_to_id(`${word.toLowerCase()}</w>`);
  }
}
