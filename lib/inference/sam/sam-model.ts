/**
 * SAM-family promptable segmenter over ONNX exports with the Hugging Face SamModel signature
 * (SlimSAM / SAM exports by Xenova, and the test stand-in):
 *   encoder: pixel_values [1,3,1024,1024] -> image_embeddings, image_positional_embeddings [1,256,64,64]
 *   decoder: input_points [1,P,k,2] (x, y in the 1024 frame), input_labels int64 [1,P,k], the encoder outputs
 *            -> iou_scores [1,P,3], pred_masks [1,P,3,256,256] (logits)
 * Preprocessing: longest side to 1024, rescale, mean/std, pad bottom/right with 0 (manifest `preprocess`).
 */
import type { RgbImage } from '../../capture/frame';
import type { ModelEntry, ModelManifest } from '../models/manifest';
import { findPair } from '../models/manifest';
import { imagesToTensor } from '../models/image-tensor';
import type { ModelSource } from '../models/model-source';
import type { CreateSessionOptions, ModelSession } from '../runtime/model-session';
import { loadModelSession } from '../runtime/model-session';
import type { OrtModule, OrtTensor } from '../runtime/ort-module';
import { concreteDims, floatOutput, floatTensor, intTensor, runModel } from '../runtime/tensors';
import { stabilityScores } from './mask-postprocess';
import type { PointPredictions, PredictPointsOptions, PromptableSegmenter, SamImageEmbedding } from './promptable-segmenter';

export interface SamModelOptions {
  /** Prompts per decoder run. Default 32 (32 x 3 x 256 x 256 floats = 25 MB of logits). */
  maxPromptsPerBatch?: number;
}

export class SamModel implements PromptableSegmenter {
  readonly id: string;
  readonly inputSize: number;
  readonly maxPromptsPerBatch: number;
  private readonly maskSize: number;
  private readonly masksPerPrompt: number;
  /** Set when the decoder rejected a multi-prompt batch (fixed prompt dimension). */
  private onePromptPerRun = false;

  constructor(
    readonly encoder: ModelSession,
    readonly decoder: ModelSession,
    options: SamModelOptions = {},
  ) {
    const enc = encoder.entry;
    const dec = decoder.entry;
    if (enc.role !== 'sam-encoder' || !enc.preprocess) throw new Error(`SamModel: "${enc.id}" is not a sam-encoder with preprocess`);
    if (dec.role !== 'sam-decoder' || !dec.sam) throw new Error(`SamModel: "${dec.id}" is not a sam-decoder with sam settings`);
    if (enc.preprocess.resize !== 'longest-pad') throw new Error(`SamModel: "${enc.id}" must use longest-pad preprocessing`);
    for (const name of ['input_points', 'input_labels']) {
      if (!dec.inputs.some((t) => t.name === name)) throw new Error(`SamModel: decoder "${dec.id}" has no "${name}" input`);
    }
    for (const t of dec.inputs) {
      if (t.name !== 'input_points' && t.name !== 'input_labels' && !enc.outputs.some((o) => o.name === t.name)) {
        throw new Error(`SamModel: decoder input "${t.name}" of "${dec.id}" is not an output of encoder "${enc.id}"`);
      }
    }
    this.id = enc.pair ?? enc.id;
    this.inputSize = enc.preprocess.size;
    this.maskSize = dec.sam.maskSize;
    this.masksPerPrompt = dec.sam.masksPerPrompt;
    const m = options.maxPromptsPerBatch ?? 32;
    if (!Number.isInteger(m) || m < 1) throw new Error(`SamModel: maxPromptsPerBatch must be a positive integer (got ${m})`);
    this.maxPromptsPerBatch = m;
  }

  async embedImage(image: RgbImage): Promise<SamImageEmbedding> {
    const enc = this.encoder.entry;
    const { data } = imagesToTensor([image], enc.preprocess!);
    const input = enc.inputs[0];
    const result = await runModel(enc.id, this.encoder.session, {
      [input.name]: floatTensor(this.encoder.ort, data, concreteDims(input, [1])),
    });
    const tensors: Record<string, { data: Float32Array; dims: number[] }> = {};
    for (const o of enc.outputs) {
      const out = floatOutput(enc.id, result, o.name, concreteDims(o, [1]).map((d) => d));
      // Copy: some providers reuse output buffers between runs.
      tensors[o.name] = { data: new Float32Array(out.data), dims: out.dims };
    }
    return {
      modelId: this.id,
      imageWidth: image.width,
      imageHeight: image.height,
      inputSize: this.inputSize,
      scale: this.inputSize / Math.max(image.width, image.height),
      tensors,
    };
  }

  async predictPoints(
    embedding: SamImageEmbedding,
    points: Float32Array,
    labels: Int32Array,
    options: PredictPointsOptions = {},
  ): Promise<PointPredictions> {
    if (!embedding || embedding.modelId !== this.id) {
      throw new Error(`predictPoints: embedding comes from "${embedding?.modelId}", this segmenter is "${this.id}"`);
    }
    const k = options.pointsPerPrompt ?? 1;
    if (!Number.isInteger(k) || k < 1) throw new Error(`predictPoints: pointsPerPrompt must be a positive integer (got ${k})`);
    if (!(points instanceof Float32Array) || !(labels instanceof Int32Array)) {
      throw new Error('predictPoints: points must be a Float32Array and labels an Int32Array');
    }
    if (labels.length % k !== 0) throw new Error(`predictPoints: ${labels.length} labels is not a multiple of pointsPerPrompt ${k}`);
    const count = labels.length / k;
    if (points.length !== labels.length * 2) {
      throw new Error(`predictPoints: ${points.length} point coordinates for ${labels.length} labels (expected ${labels.length * 2})`);
    }
    if (count > this.maxPromptsPerBatch) {
      throw new Error(`predictPoints: ${count} prompts exceed maxPromptsPerBatch ${this.maxPromptsPerBatch}; split the grid into batches`);
    }
    const M = this.maskSize;
    const K = this.masksPerPrompt;
    const valid = Math.ceil((M / this.inputSize) * embedding.scale * embedding.imageWidth);
    const validH = Math.ceil((M / this.inputSize) * embedding.scale * embedding.imageHeight);
    if (count === 0) {
      return {
        count: 0, masksPerPrompt: K, maskWidth: M, maskHeight: M, validWidth: valid, validHeight: validH,
        logits: new Float32Array(0), iou: new Float32Array(0), stability: new Float32Array(0),
      };
    }
    const scaled = new Float32Array(points.length);
    for (let i = 0; i < points.length; i++) {
      const v = points[i];
      if (!Number.isFinite(v)) throw new Error(`predictPoints: point coordinate ${i} is not finite (${v})`);
      scaled[i] = v * embedding.scale;
    }
    for (let i = 0; i < labels.length; i++) {
      if (labels[i] !== 0 && labels[i] !== 1 && labels[i] !== -1) throw new Error(`predictPoints: label ${i} is ${labels[i]}, expected 1, 0 or -1`);
    }
    let decoded: { iou: Float32Array; logits: Float32Array };
    if (count > 1 && this.onePromptPerRun) decoded = await this.decodeEach(embedding, scaled, labels, count, k);
    else {
      try {
        decoded = await this.decode(embedding, scaled, labels, count, k);
      } catch (e) {
        // Some exports fix the prompt batch at 1: fall back to one prompt per run, and remember.
        if (count === 1) throw e;
        decoded = await this.decodeEach(embedding, scaled, labels, count, k);
        this.onePromptPerRun = true;
      }
    }
    const { iou, logits } = decoded;
    return {
      count,
      masksPerPrompt: K,
      maskWidth: M,
      maskHeight: M,
      validWidth: valid,
      validHeight: validH,
      logits,
      iou,
      stability: stabilityScores(logits, count * K, M, M, valid, validH),
    };
  }

  private async decode(
    embedding: SamImageEmbedding,
    scaledPoints: Float32Array,
    labels: Int32Array,
    count: number,
    k: number,
  ): Promise<{ iou: Float32Array; logits: Float32Array }> {
    const dec = this.decoder.entry;
    const ort = this.decoder.ort;
    const feeds: Record<string, OrtTensor> = {};
    for (const spec of dec.inputs) {
      if (spec.name === 'input_points') feeds[spec.name] = floatTensor(ort, scaledPoints, concreteDims(spec, [1, count, k]));
      else if (spec.name === 'input_labels') feeds[spec.name] = intTensor(ort, spec.dtype, labels, concreteDims(spec, [1, count, k]));
      else {
        const t = embedding.tensors[spec.name];
        if (!t) throw new Error(`predictPoints: embedding lacks tensor "${spec.name}"`);
        feeds[spec.name] = floatTensor(ort, t.data, t.dims);
      }
    }
    const M = this.maskSize;
    const K = this.masksPerPrompt;
    const result = await runModel(dec.id, this.decoder.session, feeds);
    const iou = floatOutput(dec.id, result, 'iou_scores', [1, count, K]);
    const masks = floatOutput(dec.id, result, 'pred_masks', [1, count, K, M, M]);
    return { iou: new Float32Array(iou.data), logits: new Float32Array(masks.data) };
  }

  private async decodeEach(
    embedding: SamImageEmbedding,
    scaledPoints: Float32Array,
    labels: Int32Array,
    count: number,
    k: number,
  ): Promise<{ iou: Float32Array; logits: Float32Array }> {
    const K = this.masksPerPrompt;
    const plane = K * this.maskSize * this.maskSize;
    const iou = new Float32Array(count * K);
    const logits = new Float32Array(count * plane);
    for (let p = 0; p < count; p++) {
      const one = await this.decode(embedding, scaledPoints.slice(p * k * 2, (p + 1) * k * 2), labels.slice(p * k, (p + 1) * k), 1, k);
      iou.set(one.iou, p * K);
      logits.set(one.logits, p * plane);
    }
    return { iou, logits };
  }
}

export async function loadSamModel(
  ort: OrtModule,
  manifest: ModelManifest,
  pairId: string,
  source: ModelSource,
  options: CreateSessionOptions & SamModelOptions = {},
): Promise<SamModel> {
  const [enc, dec]: [ModelEntry, ModelEntry] = findPair(manifest, pairId, ['sam-encoder', 'sam-decoder']);
  const encoder = await loadModelSession(ort, enc, source, options);
  const decoder = await loadModelSession(ort, dec, source, options);
  return new SamModel(encoder, decoder, options);
}
