/**
 * Load a CLIP pair (image + text towers sharing one embedding space) from the manifest: both ONNX files and
 * the tokenizer.json from a ModelSource, both sessions validated.
 */
import type { ClipPair } from '../embedder';
import type { ModelManifest } from '../models/manifest';
import { findPair } from '../models/manifest';
import type { ModelSource } from '../models/model-source';
import type { CreateSessionOptions } from '../runtime/model-session';
import { loadModelSession } from '../runtime/model-session';
import type { OrtModule } from '../runtime/ort-module';
import { ClipImageEncoder, type ClipImageEncoderOptions } from './clip-image-encoder';
import { ClipTextEncoder, type ClipTextEncoderOptions } from './clip-text-encoder';
import { ClipTokenizer } from './clip-tokenizer';

export interface LoadClipPairOptions extends CreateSessionOptions {
  image?: ClipImageEncoderOptions;
  text?: ClipTextEncoderOptions;
}

export interface LoadedClipPair extends ClipPair {
  image: ClipImageEncoder;
  text: ClipTextEncoder;
}

export async function loadClipPair(
  ort: OrtModule,
  manifest: ModelManifest,
  pairId: string,
  source: ModelSource,
  options: LoadClipPairOptions = {},
): Promise<LoadedClipPair> {
  const [imageEntry, textEntry] = findPair(manifest, pairId, ['clip-image', 'clip-text']);
  if (imageEntry.embeddingDim !== textEntry.embeddingDim) {
    throw new Error(`CLIP pair "${pairId}": image dim ${imageEntry.embeddingDim} != text dim ${textEntry.embeddingDim}`);
  }
  const tok = textEntry.tokenizer!;
  const tokenizerBytes = await source.getFile(textEntry, tok.file, options.onProgress);
  const tokenizer = new ClipTokenizer(tokenizerBytes, {
    contextLength: tok.contextLength,
    startId: tok.startId,
    endId: tok.endId,
    padId: tok.padId,
  });
  const imageSession = await loadModelSession(ort, imageEntry, source, options);
  const textSession = await loadModelSession(ort, textEntry, source, options);
  return {
    image: new ClipImageEncoder(imageSession, options.image),
    text: new ClipTextEncoder(textSession, tokenizer, options.text),
  };
}
