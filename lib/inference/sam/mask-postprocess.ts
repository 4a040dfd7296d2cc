/**
 * SAM-family mask postprocessing: low-resolution logits -> image-size masks, and the stability score.
 * Shared by every PromptableSegmenter implementation and by automatic mask generation.
 */
import type { PointPredictions, SamImageEmbedding } from './promptable-segmenter';
import { SAM_STABILITY_OFFSET } from './promptable-segmenter';

function checkIndex(pred: PointPredictions, prompt: number, mask: number): number {
  if (!Number.isInteger(prompt) || prompt < 0 || prompt >= pred.count) {
    throw new Error(`maskToImage: prompt index ${prompt} outside 0..${pred.count - 1}`);
  }
  if (!Number.isInteger(mask) || mask < 0 || mask >= pred.masksPerPrompt) {
    throw new Error(`maskToImage: mask index ${mask} outside 0..${pred.masksPerPrompt - 1}`);
  }
  return (prompt * pred.masksPerPrompt + mask) * pred.maskWidth * pred.maskHeight;
}

/**
 * Bilinearly resample one candidate's logits to the original image size and threshold them.
 * Equivalent to SAM's "upscale to 1024, crop the padding, resize to the image" in one pass: image pixel
 * centre (u + 0.5) maps to model input (u + 0.5) * scale, then to the mask grid at 1/(inputSize/maskWidth).
 * @returns 1 inside, 0 outside, row-major [imageHeight, imageWidth]
 */
export function maskToImage(
  pred: PointPredictions,
  embedding: SamImageEmbedding,
  prompt: number,
  mask: number,
  threshold = 0,
): Uint8Array {
  const base = checkIndex(pred, prompt, mask);
  const W = embedding.imageWidth;
  const H = embedding.imageHeight;
  const mw = pred.maskWidth;
  const mh = pred.maskHeight;
  const sx = (embedding.scale * mw) / embedding.inputSize;
  const sy = (embedding.scale * mh) / embedding.inputSize;
  const out = new Uint8Array(W * H);
  const logits = pred.logits;
  // Precompute the horizontal taps once per column: the same for every row.
  const x0s = new Int32Array(W);
  const x1s = new Int32Array(W);
  const fxs = new Float32Array(W);
  for (let u = 0; u < W; u++) {
    const gx = Math.min(Math.max((u + 0.5) * sx - 0.5, 0), mw - 1);
    const x0 = Math.floor(gx);
    x0s[u] = x0;
    x1s[u] = Math.min(x0 + 1, mw - 1);
    fxs[u] = gx - x0;
  }
  for (let v = 0; v < H; v++) {
    const gy = Math.min(Math.max((v + 0.5) * sy - 0.5, 0), mh - 1);
    const y0 = Math.floor(gy);
    const y1 = Math.min(y0 + 1, mh - 1);
    const fy = gy - y0;
    const r0 = base + y0 * mw;
    const r1 = base + y1 * mw;
    const row = v * W;
    for (let u = 0; u < W; u++) {
      const x0 = x0s[u];
      const x1 = x1s[u];
      const fx = fxs[u];
      const top = logits[r0 + x0] + (logits[r0 + x1] - logits[r0 + x0]) * fx;
      const bot = logits[r1 + x0] + (logits[r1 + x1] - logits[r1 + x0]) * fx;
      out[row + u] = top + (bot - top) * fy > threshold ? 1 : 0;
    }
  }
  return out;
}

/**
 * Stability scores for all candidates over the valid (non-padding) part of the grid:
 * |logits > offset| / |logits > -offset|. An empty mask scores 0.
 */
export function stabilityScores(
  logits: Float32Array,
  candidates: number,
  maskWidth: number,
  maskHeight: number,
  validWidth: number,
  validHeight: number,
  offset = SAM_STABILITY_OFFSET,
): Float32Array {
  const plane = maskWidth * maskHeight;
  if (logits.length !== candidates * plane) {
    throw new Error(`stabilityScores: ${logits.length} logits, expected ${candidates} x ${maskHeight} x ${maskWidth}`);
  }
  const out = new Float32Array(candidates);
  const vw = Math.min(validWidth, maskWidth);
  const vh = Math.min(validHeight, maskHeight);
  for (let c = 0; c < candidates; c++) {
    let inner = 0;
    let outer = 0;
    for (let y = 0; y < vh; y++) {
      const row = c * plane + y * maskWidth;
      for (let x = 0; x < vw; x++) {
        const l = logits[row + x];
        if (l > offset) inner++;
        if (l > -offset) outer++;
      }
    }
    out[c] = outer > 0 ? inner / outer : 0;
  }
  return out;
}
