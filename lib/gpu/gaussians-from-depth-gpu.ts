/**
 * Gaussians from depth on WebGPU: the WGSL kernel of gaussians-from-depth-wgsl.ts driven from
 * typed arrays, with the same inputs, options, outputs and errors as the CPU reference
 * (lib/splat/gaussians-from-depth.ts), which stays the fallback.
 *
 * The GPU fills a dense grid (one slot per strided depth pixel); the host compacts it in row-major
 * order, so Gaussian k here is Gaussian k of the CPU kernel. Differences from the reference: f32
 * arithmetic instead of f64 (the agreement test in tests/browser/webgpu-gaussians.test.ts states the
 * tolerances), and a depth of +Infinity counts as missing even when maxDepth is Infinity.
 */
import type { Frame } from '../capture/frame';
import { type GaussianScene, SceneBudgetError, shRestCount } from '../splat/gaussian-scene';
import { prepareDepthToGaussians, type DepthToGaussiansOptions, type DepthToGaussiansResult } from '../splat/gaussians-from-depth';
import { GAUSSIANS_FROM_DEPTH_WGSL } from './gaussians-from-depth-wgsl';

const ATTRS = 15;
const PARAMS_BYTES = 144;
const F32_MAX = 3.4028234663852886e38;

/** The WebGPU side failed (a limit, a lost device, a validation error): the CPU kernel can still run. */
export class GpuStageError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'GpuStageError';
  }
}

/** The error for a kernel whose pipeline did not build: the WGSL compiler's messages when it has any. */
export async function shaderCompileError(stage: string, shader: GPUShaderModule, e: Error): Promise<GpuStageError> {
  const info = await shader.getCompilationInfo().catch(() => null);
  const msgs = info?.messages.map((m) => `${m.type} ${m.lineNum}:${m.linePos} ${m.message}`).join('; ');
  return new GpuStageError(`${stage}: the WGSL kernel did not compile: ${msgs || e.message}`);
}

const pipelines = new WeakMap<GPUDevice, Promise<GPUComputePipeline>>();

/** Compiled once per device; a shader that does not compile fails with the compiler's messages. */
function pipelineFor(device: GPUDevice): Promise<GPUComputePipeline> {
  let p = pipelines.get(device);
  if (!p) {
    const shader = device.createShaderModule({ label: 'gaussians-from-depth', code: GAUSSIANS_FROM_DEPTH_WGSL });
    p = device.createComputePipelineAsync({ label: 'gaussians-from-depth', layout: 'auto', compute: { module: shader, entryPoint: 'main' } }).catch(async (e: Error) => {
      pipelines.delete(device);
      throw await shaderCompileError('gaussiansFromDepthGpu', shader, e);
    });
    pipelines.set(device, p);
  }
  return p;
}

/** Storage buffers must be at least 4 bytes and a multiple of 4. */
function upload(device: GPUDevice, data: ArrayBufferView, label: string): GPUBuffer {
  const size = Math.max(4, Math.ceil(data.byteLength / 4) * 4);
  const buf = device.createBuffer({ label, size, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
  if (data.byteLength % 4 === 0) device.queue.writeBuffer(buf, 0, data.buffer, data.byteOffset, data.byteLength);
  else {
    const padded = new Uint8Array(size);
    padded.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    device.queue.writeBuffer(buf, 0, padded);
  }
  return buf;
}

/**
 * Appends one Gaussian per valid strided depth pixel of `frame` to `scene`, like gaussiansFromDepth,
 * computed on `device`. Throws SceneBudgetError, before writing anything, when they would not fit.
 */
export async function gaussiansFromDepthGpu(
  device: GPUDevice,
  scene: GaussianScene,
  frame: Frame,
  viewIndex: number,
  opts: DepthToGaussiansOptions = {},
): Promise<DepthToGaussiansResult> {
  // The same checks and camera factors as the reference, computed in f64 on the host.
  const { depth, stride, minDepth, maxDepth, disc, edgeOpacity, opacity, scaleFactor, thickness, maxObl, minConf, confOpa, W, H, fx, fy, cx, cy, ifx, ify, icx, icy } =
    prepareDepthToGaussians(frame, viewIndex, opts, 'gaussiansFromDepthGpu');
  const img = frame.image;
  const rx = new Float32Array(W), ry = new Float32Array(H);
  const colU = new Int32Array(W), rowV = new Int32Array(H);
  for (let u = 0; u < W; u++) {
    const r = (u + 0.5 - cx) / fx;
    rx[u] = r;
    const ui = Math.floor(icx + ifx * r);
    colU[u] = ui >= 0 && ui < img.width ? ui : -1;
  }
  for (let v = 0; v < H; v++) {
    const r = (v + 0.5 - cy) / fy;
    ry[v] = -r;
    const vi = Math.floor(icy + ify * r);
    rowV[v] = vi >= 0 && vi < img.height ? vi : -1;
  }

  const Ws = Math.ceil(W / stride), Hs = Math.ceil(H / stride), n = Ws * Hs;
  const params = new ArrayBuffer(PARAMS_BYTES);
  const pu = new Uint32Array(params), pf = new Float32Array(params);
  pu.set([W, H, stride, Ws, Hs, img.width, depth.confidence ? 1 : 0, 0]);
  pf.set([minDepth, Math.min(maxDepth, F32_MAX), disc, edgeOpacity, opacity, scaleFactor, thickness, 1 / maxObl, minConf, 0.5 * (fx + fy), confOpa, 0], 8);
  const m = frame.cameraToWorld;
  pf.set([m[0], m[1], m[2], 0, m[4], m[5], m[6], 0, m[8], m[9], m[10], 0, m[12], m[13], m[14], 1], 20);

  const maxBinding = device.limits.maxStorageBufferBindingSize;
  if (n * ATTRS * 4 > maxBinding)
    throw new GpuStageError(`gaussiansFromDepthGpu: ${Ws}x${Hs} strided pixels need ${n * ATTRS * 4} bytes of output, over this adapter's maxStorageBufferBindingSize ${maxBinding}: use a larger stride`);
  let out: ArrayBuffer;
  try {
    const depthConf = new Float32Array(depth.confidence ? 2 * W * H : W * H);
    depthConf.set(depth.data);
    if (depth.confidence) depthConf.set(depth.confidence, W * H);
    const rays = new Float32Array(W + H), lut = new Int32Array(W + H);
    rays.set(rx); rays.set(ry, W); lut.set(colU); lut.set(rowV, W);
    out = await runKernel(device, params, [depthConf, rays, lut, img.data], Ws, Hs);
  } catch (e) {
    throw e instanceof GpuStageError ? e : new GpuStageError(`gaussiansFromDepthGpu: WebGPU run failed: ${(e as Error).message}`, { cause: e });
  }
  const sp2 = new Uint32Array(out, 0, 2 * n), at = new Float32Array(out, n * 8, n * ATTRS);

  let invalid = 0, outside = 0, flying = 0, nValid = 0;
  for (let i = 0; i < n; i++) {
    const s = sp2[2 * i];
    if (s === 1) invalid++;
    else if (s === 3) outside++;
    else nValid++;
  }
  const start = scene.count;
  // As the reference: the budget counts flying pixels too (they are only known to be dropped later).
  if (start + nValid > scene.budget) throw new SceneBudgetError(start + nValid, scene.budget);
  scene.reserve(start + nValid);
  const pos = scene.positions, sca = scene.scales, rot = scene.rotations, opa = scene.opacities, col = scene.colors;
  const sem = scene.semantic, sv = scene.sourceView, sp = scene.sourcePixel, wgt = scene.weight;
  let k = start;
  for (let i = 0; i < n; i++) {
    const s = sp2[2 * i];
    if (s === 2) flying++;
    if (s !== 0) continue;
    const a = i * ATTRS, k3 = k * 3, k4 = k * 4;
    pos[k3] = at[a]; pos[k3 + 1] = at[a + 1]; pos[k3 + 2] = at[a + 2];
    sca[k3] = at[a + 3]; sca[k3 + 1] = at[a + 4]; sca[k3 + 2] = at[a + 5];
    rot[k4] = at[a + 6]; rot[k4 + 1] = at[a + 7]; rot[k4 + 2] = at[a + 8]; rot[k4 + 3] = at[a + 9];
    opa[k] = at[a + 10];
    col[k3] = at[a + 11]; col[k3 + 1] = at[a + 12]; col[k3 + 2] = at[a + 13];
    wgt[k] = at[a + 14];
    sem[k] = 0;
    sv[k] = viewIndex;
    sp[k] = sp2[2 * i + 1];
    k++;
  }
  const sh = shRestCount(scene.shDegree);
  if (sh) scene.shRest.fill(0, start * sh, k * sh);
  scene.count = k;
  return { start, count: k - start, invalid, flying, outsideImage: outside };
}

/** Uploads, dispatches, reads back: (status, pixel) pairs (2n u32), attrs (n*15 f32) in one buffer. */
async function runKernel(device: GPUDevice, params: ArrayBuffer, inputs: ArrayBufferView[], Ws: number, Hs: number): Promise<ArrayBuffer> {
  const n = Ws * Hs;
  const pipeline = await pipelineFor(device);
  const all: GPUBuffer[] = [];
  try {
    const uniform = device.createBuffer({ label: 'gfd-params', size: PARAMS_BYTES, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    all.push(uniform);
    device.queue.writeBuffer(uniform, 0, params);
    const ins = inputs.map((d, i) => upload(device, d, `gfd-in${i}`));
    all.push(...ins);
    const outUsage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC;
    const statusPixel = device.createBuffer({ label: 'gfd-status-pixel', size: n * 8, usage: outUsage });
    const attrs = device.createBuffer({ label: 'gfd-attrs', size: n * ATTRS * 4, usage: outUsage });
    const staging = device.createBuffer({ label: 'gfd-read', size: n * 4 * (2 + ATTRS), usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    all.push(statusPixel, attrs, staging);
    device.pushErrorScope('validation');
    const bind = device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: [uniform, ...ins, statusPixel, attrs].map((buffer, binding) => ({ binding, resource: { buffer } })),
    });
    const enc = device.createCommandEncoder({ label: 'gaussians-from-depth' });
    const pass = enc.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bind);
    pass.dispatchWorkgroups(Math.ceil(Ws / 8), Math.ceil(Hs / 8));
    pass.end();
    enc.copyBufferToBuffer(statusPixel, 0, staging, 0, n * 8);
    enc.copyBufferToBuffer(attrs, 0, staging, n * 8, n * ATTRS * 4);
    device.queue.submit([enc.finish()]);
    const err = await device.popErrorScope();
    if (err) throw new GpuStageError(`gaussiansFromDepthGpu: WebGPU validation error: ${err.message}`);
    await staging.mapAsync(GPUMapMode.READ);
    const copy = staging.getMappedRange().slice(0);
    staging.unmap();
    return copy;
  } finally {
    for (const b of all) b.destroy();
  }
}
