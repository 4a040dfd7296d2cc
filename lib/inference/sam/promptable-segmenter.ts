/**
 * The contract between the SAM-family model wrapper (lib/inference/sam/sam-model.ts) and automatic
 * mask generation (lib/inference/masks). Model-agnostic: SlimSAM, EfficientSAM, MobileSAM exports and the
 * test stand-in all satisfy it.
 *
 * Flow: `embedImage` once per image (the expensive encoder), then `predictPoints` per batch of point
 * prompts (the cheap decoder). Every prompt yields `masksPerPrompt` candidate masks (3 for SAM's
 * multimask output: whole / part / sub-part) with a predicted IoU each.
 *
 * Coordinates: prompt points are in pixels of the ORIGINAL image (x right, y down, top-left origin,
 * pixel centres at +0.5), the same frame as RgbImage. The wrapper maps them into the model's
 * resized/padded input frame itself.
 *
 * Masks come back as LOW-RESOLUTION LOGITS in the model's mask frame (SAM: 256x256 covering the padded
 * 1024x1024 input, i.e. only the top-left `validWidth` x `validHeight` part covers the image). Logits, not
 * booleans, because automatic mask generation needs them for the stability score and for cheap
 * filtering before anything is upscaled. Use `maskToImage` to get a binary mask at image size for the
 * few masks that survive filtering.
 */
import type { RgbImage } from '../../capture/frame';

/** A dense float tensor kept opaque to callers (the encoder outputs the decoder needs). */
export interface SamTensor {
  readonly data: Float32Array;
  readonly dims: readonly number[];
}

export interface SamImageEmbedding {
  /** Id of the model that produced it; a decoder of another model rejects it. */
  readonly modelId: string;
  /** Size of the original image, pixels. */
  readonly imageWidth: number;
  readonly imageHeight: number;
  /** Side of the square model input (SAM family: 1024). */
  readonly inputSize: number;
  /** Image pixels -> model input pixels (longest side scaled to inputSize). */
  readonly scale: number;
  /** Encoder outputs by tensor name, as the decoder takes them. Treat as opaque. */
  readonly tensors: Readonly<Record<string, SamTensor>>;
}

export interface PointPredictions {
  /** Number of prompts in this batch. */
  readonly count: number;
  /** Candidate masks per prompt (3 for SAM multimask output). */
  readonly masksPerPrompt: number;
  /** Size of the low-resolution logit grid (SAM: 256 x 256). */
  readonly maskWidth: number;
  readonly maskHeight: number;
  /** Part of the logit grid that covers the image (the rest is padding): ceil(image side * scale / 4). */
  readonly validWidth: number;
  readonly validHeight: number;
  /** Mask logits, row-major [count, masksPerPrompt, maskHeight, maskWidth]; > 0 means inside. */
  readonly logits: Float32Array;
  /** Predicted IoU per candidate, [count, masksPerPrompt]. */
  readonly iou: Float32Array;
  /**
   * Stability score per candidate, [count, masksPerPrompt]: area(logits > +offset) / area(logits > -offset)
   * over the valid part of the low-res grid (SAM's definition, offset 1.0). 0 for an empty mask.
   */
  readonly stability: Float32Array;
}

export interface PredictPointsOptions {
  /**
   * Points per prompt (default 1: one foreground point per prompt, as automatic mask generation uses).
   * With k > 1, `points` holds count*k (x, y) pairs and `labels` count*k labels, prompt-major.
   */
  pointsPerPrompt?: number;
}

export interface PromptableSegmenter {
  readonly id: string;
  /** Side of the square model input (1024 for the SAM family). */
  readonly inputSize: number;
  /** Largest number of prompts one `predictPoints` call accepts; split bigger grids into batches. */
  readonly maxPromptsPerBatch: number;
  /** Run the image encoder once; reuse the result for every prompt batch on this image. */
  embedImage(image: RgbImage): Promise<SamImageEmbedding>;
  /**
   * Decode masks for point prompts.
   * @param points (x, y) pairs in original-image pixels, [count * pointsPerPrompt * 2]
   * @param labels 1 = foreground, 0 = background, [count * pointsPerPrompt]
   */
  predictPoints(
    embedding: SamImageEmbedding,
    points: Float32Array,
    labels: Int32Array,
    options?: PredictPointsOptions,
  ): Promise<PointPredictions>;
}

/** SAM's default stability offset (logit units). */
export const SAM_STABILITY_OFFSET = 1.0;
