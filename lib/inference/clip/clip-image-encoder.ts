/**
 * CLIP image tower as an ImageEmbedder: masked crops -> the model's own preprocessing -> NCHW float32
 * batches -> L2-normalised [n, dim] embeddings. Works for any export the manifest describes (MobileCLIP-S0,
 * OpenCLIP ViT-B/16, OpenAI ViT-B/16, the test stand-ins); exports with a fixed batch of 1 run one crop at a time.
 */
import type { RgbImage } from '../../capture/frame';
import type { ImageEmbedder } from '../embedder';
import { writeImageTensor } from '../models/image-tensor';
import type { ModelSession } from '../runtime/model-session';
import { concreteDims, floatOutput, floatTensor, l2NormalizeRows, runModel } from '../runtime/tensors';

export interface ClipImageEncoderOptions {
  /** Crops per run (capped by the model's maxBatch). Default 16. */
  batchSize?: number;
}

export class ClipImageEncoder implements ImageEmbedder {
  /** The embedding space: the CLIP pair id, equal to the matching text encoder's id. */
  readonly id: string;
  readonly dim: number;
  readonly batchSize: number;

  constructor(
    readonly model: ModelSession,
    options: ClipImageEncoderOptions = {},
  ) {
    const e = model.entry;
    if (e.role !== 'clip-image') throw new Error(`ClipImageEncoder: model "${e.id}" has role ${e.role}, expected clip-image`);
    if (!e.preprocess || !e.embeddingDim) throw new Error(`ClipImageEncoder: model "${e.id}" lacks preprocess/embeddingDim in the manifest`);
    if (e.inputs.length !== 1) throw new Error(`ClipImageEncoder: model "${e.id}" must take exactly one image input`);
    this.id = e.pair ?? e.id;
    this.dim = e.embeddingDim;
    const want = options.batchSize ?? 16;
    if (!Number.isInteger(want) || want < 1) throw new Error(`ClipImageEncoder: batchSize must be a positive integer (got ${want})`);
    this.batchSize = Math.min(want, e.maxBatch ?? want);
  }

  async embedImages(crops: RgbImage[]): Promise<Float32Array> {
    if (!Array.isArray(crops)) throw new Error('embedImages: expected an array of RgbImage crops');
    const e = this.model.entry;
    const pre = e.preprocess!;
    const S = pre.size;
    const per = 3 * S * S;
    const out = new Float32Array(crops.length * this.dim);
    for (let start = 0; start < crops.length; start += this.batchSize) {
      const n = Math.min(this.batchSize, crops.length - start);
      const data = new Float32Array(n * per);
      for (let i = 0; i < n; i++) {
        try {
          writeImageTensor(crops[start + i], pre, data, i * per);
        } catch (err) {
          throw new Error(`embedImages: crop ${start + i}: ${(err as Error).message}`);
        }
      }
      const input = e.inputs[0];
      const dims = concreteDims(input, [n]);
      if (dims[0] !== n) throw new Error(`Model "${e.id}" takes a fixed batch of ${dims[0]}, cannot run ${n} crops at once`);
      const result = await runModel(e.id, this.model.session, { [input.name]: floatTensor(this.model.ort, data, dims) });
      const emb = floatOutput(e.id, result, e.outputs[0].name, [n, this.dim]);
      out.set(emb.data.subarray(0, n * this.dim), start * this.dim);
    }
    return l2NormalizeRows(out, crops.length, this.dim, e.id);
  }
}
