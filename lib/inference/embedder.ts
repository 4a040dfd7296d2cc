/**
 * The CLIP-family contract between segmentation/semantics and the model layer.
 * Both sides return L2-normalised embeddings in one shared space of dimension `dim`, row-major [n, dim].
 * Implementations: the ONNX CLIP encoders (MobileCLIP-S0, OpenCLIP ViT-B/16) and their test stand-ins,
 * and the oracle encoder used by the evaluation's "oracle 2D" setting.
 */
import type { RgbImage } from '../capture/frame';

export interface ImageEmbedder {
  readonly id: string;
  readonly dim: number;
  /** Crops are masked RGB images of any size (pixels outside the mask already zeroed); resizing and
   * normalisation (the model's own mean/std) happen inside. */
  embedImages(crops: RgbImage[]): Promise<Float32Array>;
}

export interface TextEmbedder {
  readonly id: string;
  readonly dim: number;
  embedTexts(texts: string[]): Promise<Float32Array>;
}

export interface ClipPair {
  image: ImageEmbedder;
  text: TextEmbedder;
}
