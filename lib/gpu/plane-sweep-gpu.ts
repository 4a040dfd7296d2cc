/**
 * One plane-sweep kernel request (lib/inference/depth/plane-sweep.ts SweepRequest: tiles, each over
 * its ascending plane list) on WebGPU, with the same result as the CPU's sweepTiles (createSweepKernel
 * and sweepRect per tile, lib/inference/depth/plane-sweep-kernel.ts: the reference and fallback). The
 * exhaustive sweep is one request with one tile; the coarse-to-fine search (planeSweepWith) sends one
 * per pyramid level and plans the next level's bands on the host from this one's result, exactly as
 * on the CPU. The WGSL kernel (plane-sweep-wgsl.ts) sums each window directly in f32 instead of the
 * reference's sliding f64 sums; tests/browser/webgpu-plane-sweep.test.ts states how closely they agree.
 */
import type { StereoView } from '../inference/depth/stereo-view';
import { homographyParts, type SweepKernelResult } from '../inference/depth/plane-sweep-kernel';
import type { SweepRequest } from '../inference/depth/plane-sweep';
import { GpuStageError, shaderCompileError } from './gaussians-from-depth-gpu';
import { PLANE_SWEEP_WGSL } from './plane-sweep-wgsl';

const INVALID = -9;
const MAX_SOURCES = 8;

/** The reference's homography pieces packed for the shader: G row-major (9) then g (3). */
function packedHomography(ref: StereoView, src: StereoView): Float64Array {
  const { G, g } = homographyParts(ref, src);
  const out = new Float64Array(12);
  out.set(G);
  out.set(g, 9);
  return out;
}

/** Window sums with replicated borders, directly (the host part is O(N r^2), small next to the sweep). */
function boxSum(src: Float32Array, w: number, h: number, r: number): Float64Array {
  const out = new Float64Array(w * h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let dy = -r; dy <= r; dy++) {
        const yy = y + dy < 0 ? 0 : y + dy >= h ? h - 1 : y + dy;
        for (let dx = -r; dx <= r; dx++) s += src[yy * w + (x + dx < 0 ? 0 : x + dx >= w ? w - 1 : x + dx)];
      }
      out[y * w + x] = s;
    }
  return out;
}

const pipelines = new WeakMap<GPUDevice, Promise<GPUComputePipeline>>();

function pipelineFor(device: GPUDevice): Promise<GPUComputePipeline> {
  let p = pipelines.get(device);
  if (!p) {
    const shader = device.createShaderModule({ label: 'plane-sweep', code: PLANE_SWEEP_WGSL });
    p = device.createComputePipelineAsync({ label: 'plane-sweep', layout: 'auto', compute: { module: shader, entryPoint: 'main' } }).catch(async (e: Error) => {
      pipelines.delete(device);
      throw await shaderCompileError('planeSweepGpu', shader, e);
    });
    pipelines.set(device, p);
  }
  return p;
}

/** Runs one sweep request on `device`; inputs are checked by the caller (checkPlaneSweepInputs). */
export async function planeSweepGpu(device: GPUDevice, req: SweepRequest): Promise<SweepKernelResult> {
  const { ref, sources, set } = req;
  const S = sources.length, W = ref.width, H = ref.height, N = W * H, r = set.radius, D = set.planes;
  if (S < 1 || S > MAX_SOURCES) throw new GpuStageError(`planeSweepGpu: 1..${MAX_SOURCES} sources, got ${S}`);
  const n = (2 * r + 1) * (2 * r + 1);
  const invN = 1 / n;
  const eps = n * set.noiseStd * set.noiseStd;
  const Q = 65535;
  const I = new Float32Array(N);
  for (let i = 0; i < N; i++) I[i] = ref.gray[i] - 0.5;
  const I2 = new Float32Array(N);
  for (let i = 0; i < N; i++) I2[i] = I[i] * I[i];
  const sumI = boxSum(I, W, H, r), sumI2 = boxSum(I2, W, H, r);
  const refs = new Float32Array(3 * N);
  refs.set(I);
  for (let i = 0; i < N; i++) {
    const v = sumI2[i] - sumI[i] * sumI[i] * invN;
    refs[N + i] = sumI[i];
    refs[2 * N + i] = 1 / Math.sqrt((v > 0 ? v : 0) + eps);
  }
  let total = 0;
  for (const s of sources) total += s.width * s.height;
  const src = new Float32Array(total);
  const views = new Uint32Array(4 * S);
  const hom = new Float32Array(12 * S);
  let off = 0;
  sources.forEach((s, k) => {
    for (let i = 0; i < s.gray.length; i++) src[off + i] = Math.round(Math.min(1, Math.max(0, s.gray[i])) * Q);
    views.set([off, s.width, s.height, 0], 4 * k);
    hom.set(packedHomography(ref, s), 12 * k);
    off += s.width * s.height;
  });
  const qNear = 1 / set.near, qFar = 1 / set.far, qStep = (qFar - qNear) / (D - 1);
  const tilesX = Math.ceil(W / req.tile), nTiles = tilesX * Math.ceil(H / req.tile);
  if (req.planes.length !== nTiles) throw new GpuStageError(`planeSweepGpu: ${req.planes.length} plane lists for ${nTiles} tiles`);
  let listed = 0;
  for (const l of req.planes) listed += l.length;
  const lists = new Uint32Array(2 * nTiles + listed);
  listed = 0;
  req.planes.forEach((l, t) => {
    lists[2 * t] = listed;
    lists[2 * t + 1] = l.length;
    lists.set(l, 2 * nTiles + listed);
    listed += l.length;
  });
  const params = new ArrayBuffer(48);
  new Uint32Array(params).set([W, H, S, set.bestK, r, req.tile, tilesX, nTiles]);
  new Float32Array(params).set([qNear, qStep, invN, eps * Q * Q], 8);

  let out: Float32Array;
  try {
    out = await run(device, params, [refs, src, views, hom, lists], W, H);
  } catch (e) {
    throw e instanceof GpuStageError ? e : new GpuStageError(`planeSweepGpu: WebGPU run failed: ${(e as Error).message}`, { cause: e });
  }
  // The reference's result(): parabolic sub-plane refinement, score and margin.
  const depth = new Float32Array(N), score = new Float32Array(N), margin = new Float32Array(N);
  for (let i = 0; i < N; i++) {
    const bi = out[5 * i + 1];
    if (bi < 0) continue;
    const c0 = out[5 * i], second = out[5 * i + 2], cm = out[5 * i + 3], cp = out[5 * i + 4];
    let o = 0;
    if (cm !== INVALID && cp !== INVALID) {
      const den = cm - 2 * c0 + cp;
      if (den < 0) o = Math.max(-0.5, Math.min(0.5, (0.5 * (cm - cp)) / den));
    }
    const q = qNear + (bi + o) * qStep;
    depth[i] = q > 0 ? 1 / q : 0;
    score[i] = c0;
    margin[i] = c0 - second;
  }
  return { depth, score, margin };
}

async function run(device: GPUDevice, params: ArrayBuffer, inputs: ArrayBufferView[], W: number, H: number): Promise<Float32Array> {
  const pipeline = await pipelineFor(device);
  const all: GPUBuffer[] = [];
  try {
    const uniform = device.createBuffer({ size: params.byteLength, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    all.push(uniform);
    device.queue.writeBuffer(uniform, 0, params);
    const ins = inputs.map((d) => {
      const b = device.createBuffer({ size: Math.max(16, Math.ceil(d.byteLength / 16) * 16), usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
      device.queue.writeBuffer(b, 0, d.buffer, d.byteOffset, d.byteLength);
      all.push(b);
      return b;
    });
    const size = W * H * 5 * 4;
    const outBuf = device.createBuffer({ size, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
    const staging = device.createBuffer({ size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    all.push(outBuf, staging);
    device.pushErrorScope('validation');
    const bind = device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: [uniform, ...ins, outBuf].map((buffer, binding) => ({ binding, resource: { buffer } })),
    });
    const enc = device.createCommandEncoder({ label: 'plane-sweep' });
    const pass = enc.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bind);
    pass.dispatchWorkgroups(Math.ceil(W / 8), Math.ceil(H / 8));
    pass.end();
    enc.copyBufferToBuffer(outBuf, 0, staging, 0, size);
    device.queue.submit([enc.finish()]);
    const err = await device.popErrorScope();
    if (err) throw new GpuStageError(`planeSweepGpu: WebGPU validation error: ${err.message}`);
    await staging.mapAsync(GPUMapMode.READ);
    const copy = new Float32Array(staging.getMappedRange().slice(0));
    staging.unmap();
    return copy;
  } finally {
    for (const b of all) b.destroy();
  }
}
