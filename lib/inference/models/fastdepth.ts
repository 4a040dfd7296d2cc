/**
 * FastDepth monocular depth (the bundled fastdepth_7.onnx): RgbImage squashed to 224x224, RGB 0..1 ->
 * depth in metres at 224x224 -> bilinearly resized back to the image size.
 * The scale is the NYU training scale: treat it as relative depth unless fitted to device depth or stereo.
 */
import type { RgbImage } from '../../capture/frame';
import type { CreateSessionOptions, ModelSession } from '../runtime/model-session';
import { loadModelSession } from '../runtime/model-session';
import type { OrtModule } from '../runtime/ort-module';
import { concreteDims, floatOutput, floatTensor, runModel } from '../runtime/tensors';
import { imagesToTensor } from './image-tensor';
import type { ModelManifest } from './manifest';
import { findModel } from './manifest';
import type { ModelSource } from './model-source';

export interface DepthImage {
  width: number;
  height: number;
  /** Metres along the camera's -z axis, row-major. */
  data: Float32Array;
}

/** Bilinear resize of a single-channel float image (pixel centres aligned, edges clamped). */
export function resizeDepth(src: DepthImage, width: number, height: number): DepthImage {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new Error(`resizeDepth: size must be positive integers (got ${width} x ${height})`);
  }
  const out = new Float32Array(width * height);
  const sx = src.width / width;
  const sy = src.height / height;
  for (let v = 0; v < height; v++) {
    const gy = Math.min(Math.max((v + 0.5) * sy - 0.5, 0), src.height - 1);
    const y0 = Math.floor(gy);
    const y1 = Math.min(y0 + 1, src.height - 1);
    const fy = gy - y0;
    for (let u = 0; u < width; u++) {
      const gx = Math.min(Math.max((u + 0.5) * sx - 0.5, 0), src.width - 1);
      const x0 = Math.floor(gx);
      const x1 = Math.min(x0 + 1, src.width - 1);
      const fx = gx - x0;
      const a = src.data[y0 * src.width + x0];
      const b = src.data[y0 * src.width + x1];
      const c = src.data[y1 * src.width + x0];
      const d = src.data[y1 * src.width + x1];
      out[v * width + u] = (a + (b - a) * fx) * (1 - fy) + (c + (d - c) * fx) * fy;
    }
  }
  return { width, height, data: out };
}

export class FastDepth {
  readonly id: string;

  constructor(readonly model: ModelSession) {
    const e = model.entry;
    if (e.role !== 'depth' || !e.preprocess) throw new Error(`FastDepth: model "${e.id}" is not a depth model with preprocess`);
    this.id = e.id;
  }

  /** Depth at the network's own resolution (224 x 224 for FastDepth). */
  async estimateRaw(image: RgbImage): Promise<DepthImage> {
    const e = this.model.entry;
    const { data } = imagesToTensor([image], e.preprocess!);
    const input = e.inputs[0];
    const result = await runModel(e.id, this.model.session, { [input.name]: floatTensor(this.model.ort, data, concreteDims(input, [1])) });
    const outSpec = e.outputs[0];
    const dims = concreteDims(outSpec, [1]);
    const out = floatOutput(e.id, result, outSpec.name, dims);
    const h = dims[dims.length - 2];
    const w = dims[dims.length - 1];
    const depth = new Float32Array(out.data.subarray(0, w * h));
    for (let i = 0; i < depth.length; i++) {
      if (!Number.isFinite(depth[i])) throw new Error(`Model "${e.id}" produced a non-finite depth at pixel ${i}`);
    }
    return { width: w, height: h, data: depth };
  }

  /** Depth in metres at the image's own size. */
  async estimate(image: RgbImage): Promise<DepthImage> {
    const raw = await this.estimateRaw(image);
    return resizeDepth(raw, image.width, image.height);
  }
}

export async function loadFastDepth(
  ort: OrtModule,
  manifest: ModelManifest,
  source: ModelSource,
  options: CreateSessionOptions & { modelId?: string } = {},
): Promise<FastDepth> {
  const entry = findModel(manifest, options.modelId ?? manifest.defaults.depth ?? 'fastdepth');
  return new FastDepth(await loadModelSession(ort, entry, source, options));
}
