/**
 * Generic wrapper for a user-supplied ONNX depth network (the I/O contract is in docs/DEPTH.md).
 *
 * Two shapes of export are accepted, told apart by their input names:
 * - single view: one image input [1, 3, H, W] -> depth [1, 1, H, W] or [1, H, W];
 * - multi view (e.g. an exported DepthSplat / MVSplat): inputs `images` [1, V, 3, H, W], `intrinsics` [1, V, 3, 3]
 *   (normalised by the image size) and `extrinsics` [1, V, 4, 4] (camera-to-world, OpenCV axes: x right, y down,
 *   z forward) -> `depth` [1, V, H, W]. Pixel-aligned Gaussian outputs of such a network are passed through
 *   untouched in `extra` for the splat stage.
 * Output values are metres along the optical axis, or inverse depth when `output: 'inverse'`.
 */
import type { Intrinsics, RgbImage } from '../../capture/frame';
import type { OrtModule, OrtSession, OrtTensor } from '../runtime/ort-module';
import type { MonocularDepthModel } from './depth-source';
import { resampleRgb } from './stereo-view';

export interface OnnxDepthOptions {
  id?: string;
  /** Network input size; read from the model's fixed input dims when absent. */
  inputWidth?: number;
  inputHeight?: number;
  /** Per-channel normalisation applied to RGB 0..1 (default none: mean 0, std 1). */
  mean?: [number, number, number];
  std?: [number, number, number];
  /** What the output holds (default 'depth' in metres). */
  output?: 'depth' | 'inverse';
  /** Output tensor name (default: `depth` if present, else the first output). */
  outputName?: string;
}

export interface NetworkView {
  image: RgbImage;
  intrinsics: Intrinsics;
  /** Camera-to-world, column-major, OpenGL axes (the Frame convention). */
  cameraToWorld: ArrayLike<number>;
}

export interface NetworkDepth {
  width: number;
  height: number;
  data: Float32Array;
}

export class OnnxDepthNetwork implements MonocularDepthModel {
  readonly id: string;
  readonly multiView: boolean;
  private readonly w: number;
  private readonly h: number;

  constructor(
    private readonly ort: OrtModule,
    private readonly session: OrtSession,
    private readonly opts: OnnxDepthOptions = {},
  ) {
    this.id = opts.id ?? 'user-depth-network';
    const names = session.inputNames;
    this.multiView = names.includes('images');
    if (this.multiView) {
      for (const n of ['intrinsics', 'extrinsics'])
        if (!names.includes(n)) throw new Error(`${this.id}: multi-view depth network needs an input "${n}" (has ${names.join(', ')})`);
    } else if (names.length !== 1) {
      throw new Error(`${this.id}: a single-view depth network must have exactly one input, has ${names.length} (${names.join(', ')})`);
    }
    const meta = (session as { inputMetadata?: readonly { name: string; isTensor: boolean; shape?: readonly (number | string)[] }[] }).inputMetadata;
    const img = meta?.find((m) => m.name === (this.multiView ? 'images' : names[0]));
    const shape = img && img.isTensor ? img.shape : undefined;
    const fixed = (d: unknown) => (typeof d === 'number' && d > 0 ? d : undefined);
    this.w = opts.inputWidth ?? fixed(shape?.[shape.length - 1]) ?? 0;
    this.h = opts.inputHeight ?? fixed(shape?.[shape.length - 2]) ?? 0;
    if (!(this.w > 0 && this.h > 0))
      throw new Error(`${this.id}: the input size is not fixed in the model; pass inputWidth and inputHeight`);
  }

  static async create(ort: OrtModule, bytes: Uint8Array, opts: OnnxDepthOptions = {}): Promise<OnnxDepthNetwork> {
    let session: OrtSession;
    try {
      session = await ort.InferenceSession.create(bytes, { logSeverityLevel: 3 });
    } catch (e) {
      throw new Error(`${opts.id ?? 'user depth network'}: ONNX Runtime cannot load the model: ${(e as Error).message}`);
    }
    return new OnnxDepthNetwork(ort, session, opts);
  }

  private pack(images: RgbImage[]): Float32Array {
    const n = this.w * this.h;
    const out = new Float32Array(images.length * 3 * n);
    const mean = this.opts.mean ?? [0, 0, 0], std = this.opts.std ?? [1, 1, 1];
    images.forEach((img, v) => {
      const rgb = resampleRgb(img, this.w, this.h);
      for (let c = 0; c < 3; c++) {
        const o = (v * 3 + c) * n;
        for (let i = 0; i < n; i++) out[o + i] = (rgb[3 * i + c] - mean[c]) / std[c];
      }
    });
    return out;
  }

  private decode(t: OrtTensor, views: number): Float32Array[] {
    if (t.type !== 'float32') throw new Error(`${this.id}: depth output is ${t.type}, expected float32`);
    const dims = t.dims;
    const hw = dims[dims.length - 1] * dims[dims.length - 2];
    const data = t.data as Float32Array;
    if (data.length !== views * hw) throw new Error(`${this.id}: depth output dims [${dims.join(',')}] do not hold ${views} view(s)`);
    const out: Float32Array[] = [];
    for (let v = 0; v < views; v++) {
      const d = data.slice(v * hw, (v + 1) * hw);
      for (let i = 0; i < d.length; i++) {
        if (!Number.isFinite(d[i])) throw new Error(`${this.id}: non-finite depth at view ${v} pixel ${i}`);
        if (this.opts.output === 'inverse') d[i] = d[i] > 0 ? 1 / d[i] : 0;
        else if (d[i] < 0) d[i] = 0;
      }
      out.push(d);
    }
    return out;
  }

  private outputOf(result: Record<string, OrtTensor>): OrtTensor {
    const name = this.opts.outputName ?? (result.depth ? 'depth' : this.session.outputNames[0]);
    const t = result[name];
    if (!t) throw new Error(`${this.id}: no output "${name}" (outputs: ${Object.keys(result).join(', ')})`);
    return t;
  }

  /** Single view (MonocularDepthModel): depth at the image's size. */
  async estimate(image: RgbImage): Promise<NetworkDepth> {
    if (this.multiView) throw new Error(`${this.id}: a multi-view network needs posed views: call estimateViews`);
    const input = new this.ort.Tensor('float32', this.pack([image]), [1, 3, this.h, this.w]);
    const result = (await this.session.run({ [this.session.inputNames[0]]: input })) as Record<string, OrtTensor>;
    const t = this.outputOf(result);
    const [d] = this.decode(t, 1);
    return resizeBilinear({ width: t.dims[t.dims.length - 1], height: t.dims[t.dims.length - 2], data: d }, image.width, image.height);
  }

  /** Multi view: depth per view at each image's size, plus every other output untouched. */
  async estimateViews(views: NetworkView[]): Promise<{ depth: NetworkDepth[]; extra: Record<string, OrtTensor> }> {
    if (!this.multiView) return { depth: await Promise.all(views.map((v) => this.estimate(v.image))), extra: {} };
    if (views.length < 1) throw new Error(`${this.id}: no views given`);
    const V = views.length;
    const K = new Float32Array(V * 9), E = new Float32Array(V * 16);
    views.forEach((v, i) => {
      const k = v.intrinsics;
      // Normalised intrinsics (the DepthSplat / pixelSplat convention), principal point in continuous coordinates.
      K.set([k.fx / k.width, 0, k.cx / k.width, 0, k.fy / k.height, k.cy / k.height, 0, 0, 1], i * 9);
      // OpenGL camera axes -> OpenCV (flip y and z), written row-major.
      const m = v.cameraToWorld;
      for (let r = 0; r < 4; r++)
        for (let c = 0; c < 4; c++) E[i * 16 + r * 4 + c] = m[c * 4 + r] * (c === 1 || c === 2 ? -1 : 1);
    });
    const feeds: Record<string, OrtTensor> = {
      images: new this.ort.Tensor('float32', this.pack(views.map((v) => v.image)), [1, V, 3, this.h, this.w]),
      intrinsics: new this.ort.Tensor('float32', K, [1, V, 3, 3]),
      extrinsics: new this.ort.Tensor('float32', E, [1, V, 4, 4]),
    };
    const result = (await this.session.run(feeds)) as Record<string, OrtTensor>;
    const t = this.outputOf(result);
    const maps = this.decode(t, V);
    const tw = t.dims[t.dims.length - 1], th = t.dims[t.dims.length - 2];
    const extra: Record<string, OrtTensor> = {};
    for (const [k, val] of Object.entries(result)) if (val !== t) extra[k] = val;
    return { depth: maps.map((d, i) => resizeBilinear({ width: tw, height: th, data: d }, views[i].image.width, views[i].image.height)), extra };
  }
}

/** Bilinear resize of a depth map (pixel centres aligned); zeros stay holes only where all taps are zero. */
function resizeBilinear(src: NetworkDepth, width: number, height: number): NetworkDepth {
  if (src.width === width && src.height === height) return src;
  const out = new Float32Array(width * height);
  const sx = src.width / width, sy = src.height / height;
  for (let y = 0; y < height; y++) {
    const gy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), src.height - 1);
    const y0 = Math.floor(gy), y1 = Math.min(y0 + 1, src.height - 1), fy = gy - y0;
    for (let x = 0; x < width; x++) {
      const gx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), src.width - 1);
      const x0 = Math.floor(gx), x1 = Math.min(x0 + 1, src.width - 1), fx = gx - x0;
      const a = src.data[y0 * src.width + x0], b = src.data[y0 * src.width + x1];
      const c = src.data[y1 * src.width + x0], d = src.data[y1 * src.width + x1];
      out[y * width + x] = (a + (b - a) * fx) * (1 - fy) + (c + (d - c) * fx) * fy;
    }
  }
  return { width, height, data: out };
}
