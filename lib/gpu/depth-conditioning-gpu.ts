/**
 * Sensor-depth conditioning (conditionSensorDepth of lib/inference/depth/depth-conditioning.ts, the
 * reference and fallback) on WebGPU: invalid values, occlusion edges with their band, with a colour
 * guide its flying pixels, snap or drop and per-axis edge trust, specks and the z² noise confidence, with
 * the same inputs, options (conditioningSettings: the reference's checks, messages and defaults), outputs
 * and errors. The three passes of depth-conditioning-wgsl.ts run in one submission; the host only counts
 * the report. f32 instead of f64: a jump within rounding of the edge threshold max(edgeJump·z, 4σ(z)), a
 * line's inverse depth within rounding of the grazing-plane test, or a colour profile whose fit is within
 * rounding of a tie or of the fit limit, may fall either way
 * (tests/browser/webgpu-conditioning.test.ts states the tolerances). The multi-view agreement
 * (DepthAgreement) stays on the CPU.
 */
import type { DepthMap } from '../capture/frame';
import { conditioningSettings, MIN_CHECKED_EDGES, TRUSTED_EDGES, type ConditioningOptions, type ConditioningReport } from '../inference/depth/depth-conditioning';
import { GpuStageError, shaderCompileError } from './gaussians-from-depth-gpu';
import { DEPTH_CONDITIONING_WGSL } from './depth-conditioning-wgsl';

interface Pipelines {
  classify: GPUComputePipeline;
  snap: GPUComputePipeline;
  finish: GPUComputePipeline;
}

const pipelines = new WeakMap<GPUDevice, Promise<Pipelines>>();

function pipelinesFor(device: GPUDevice): Promise<Pipelines> {
  let p = pipelines.get(device);
  if (!p) {
    const shader = device.createShaderModule({ label: 'depth-conditioning', code: DEPTH_CONDITIONING_WGSL });
    const make = (entryPoint: string) => device.createComputePipelineAsync({ label: `depth-conditioning-${entryPoint}`, layout: 'auto', compute: { module: shader, entryPoint } });
    p = Promise.all([make('classify'), make('snap'), make('finish')])
      .then(([classify, snap, finish]) => ({ classify, snap, finish }))
      .catch(async (e: Error) => {
        pipelines.delete(device);
        throw await shaderCompileError('conditionDepthGpu', shader, e);
      });
    pipelines.set(device, p);
  }
  return p;
}

/** A conditioned copy of `src` with a 0..1 confidence, like conditionSensorDepth, computed on `device`. */
export async function conditionDepthGpu(device: GPUDevice, src: DepthMap, opts: ConditioningOptions = {}): Promise<{ depth: DepthMap; report: ConditioningReport }> {
  const set = conditioningSettings(src, opts);
  const { W, H, N, guide, noise } = set;
  // The kernel packs the fitted boundary offset (|s| <= maxMove) into 8 bits.
  if (set.maxMove > 127) throw new GpuStageError(`conditionDepthGpu: a snap radius of ${set.maxMove} px is over the kernel's 127`);
  const params = new ArrayBuffer(80);
  new Uint32Array(params).set([W, H, set.band, set.minNb, guide ? 1 : 0, src.confidence ? 1 : 0, set.maxMove, set.snapR]);
  new Float32Array(params).set([set.minD, set.maxD, set.jump, set.colourEdge, noise.a, noise.b, set.sRef, TRUSTED_EDGES], 8);
  new Uint32Array(params).set([MIN_CHECKED_EDGES, 0, 0, 0], 16);
  const inp = new Float32Array(src.confidence ? 2 * N : N);
  inp.set(src.data);
  if (src.confidence) inp.set(src.confidence, N);

  let out: { values: Float32Array; status: Uint32Array; counts: Uint32Array };
  try {
    out = await run(device, params, inp, guide ?? new Float32Array(1), W, H);
  } catch (e) {
    throw e instanceof GpuStageError ? e : new GpuStageError(`conditionDepthGpu: WebGPU run failed: ${(e as Error).message}`, { cause: e });
  }
  const report: ConditioningReport = { invalid: 0, edge: 0, specks: 0, kept: 0, registeredEdges: 0, snapped: 0, ...(guide ? { flying: 0 } : {}) };
  const st = out.status;
  for (let i = 0; i < N; i++) {
    const s = st[i];
    if (s & 4) report.registeredEdges++;
    if (s & 8) report.snapped++;
    if (s & 16) report.flying!++;
    const k = s & 3;
    if (k === 0) report.invalid++;
    else if (k === 1) report.edge++;
    else if (k === 2) report.specks++;
    else report.kept++;
  }
  if (guide) {
    // Checked edges per axis (registered x, y, misplaced x, y), as the CPU counts them.
    const [rx, ry, mx, my] = out.counts, checked = rx + ry + mx + my;
    report.edgeAgreement = checked ? (rx + ry) / checked : 0;
  }
  const data = out.values.slice(0, N), confidence = out.values.slice(N, 2 * N);
  return { depth: { width: W, height: H, data, intrinsics: { ...src.intrinsics }, confidence }, report };
}

async function run(device: GPUDevice, params: ArrayBuffer, inp: Float32Array, guide: Float32Array, W: number, H: number): Promise<{ values: Float32Array; status: Uint32Array; counts: Uint32Array }> {
  const N = W * H;
  const { classify, snap, finish } = await pipelinesFor(device);
  const all: GPUBuffer[] = [];
  const buffer = (size: number, usage: number, label: string): GPUBuffer => {
    const b = device.createBuffer({ label, size: Math.max(16, Math.ceil(size / 16) * 16), usage });
    all.push(b);
    return b;
  };
  try {
    const uniform = buffer(params.byteLength, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST, 'dc-params');
    device.queue.writeBuffer(uniform, 0, params);
    const inBuf = buffer(inp.byteLength, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST, 'dc-depth');
    device.queue.writeBuffer(inBuf, 0, inp.buffer, inp.byteOffset, inp.byteLength);
    const guideBuf = buffer(guide.byteLength, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST, 'dc-guide');
    device.queue.writeBuffer(guideBuf, 0, guide.buffer, guide.byteOffset, guide.byteLength);
    const flags = buffer(N * 4, GPUBufferUsage.STORAGE, 'dc-flags');
    const outBytes = 2 * N * 4;
    const outBuf = buffer(outBytes, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC, 'dc-out');
    const statusBuf = buffer(N * 4, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC, 'dc-status');
    const snapInfo = buffer(N * 4, GPUBufferUsage.STORAGE, 'dc-snap-info');
    const snapZ = buffer(2 * N * 4, GPUBufferUsage.STORAGE, 'dc-snap-z');
    // Zeroed at creation: the snap pass counts into it.
    const counts = buffer(16, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC, 'dc-edge-counts');
    const staging = buffer(3 * N * 4 + 16, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, 'dc-read');
    device.pushErrorScope('validation');
    // By binding number (depth-conditioning-wgsl.ts); 'auto' layouts hold only the bindings each entry point uses.
    const byBinding = [uniform, inBuf, guideBuf, flags, outBuf, statusBuf, snapInfo, snapZ, counts];
    const bind = (pipeline: GPUComputePipeline, bindings: number[]) =>
      device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries: bindings.map((binding) => ({ binding, resource: { buffer: byBinding[binding] } })) });
    const passes = [
      [classify, bind(classify, [0, 1, 3])],
      [snap, bind(snap, [0, 1, 2, 3, 6, 7, 8])],
      [finish, bind(finish, [0, 1, 3, 4, 5, 6, 7, 8])],
    ] as const;
    const enc = device.createCommandEncoder({ label: 'depth-conditioning' });
    // One pass each: every pass reads the one before's results of neighbouring pixels (passes are ordered).
    for (const [pipeline, group] of passes) {
      const pass = enc.beginComputePass();
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, group);
      pass.dispatchWorkgroups(Math.ceil(W / 8), Math.ceil(H / 8));
      pass.end();
    }
    enc.copyBufferToBuffer(outBuf, 0, staging, 0, outBytes);
    enc.copyBufferToBuffer(statusBuf, 0, staging, outBytes, N * 4);
    enc.copyBufferToBuffer(counts, 0, staging, outBytes + N * 4, 16);
    device.queue.submit([enc.finish()]);
    const err = await device.popErrorScope();
    if (err) throw new GpuStageError(`conditionDepthGpu: WebGPU validation error: ${err.message}`);
    await staging.mapAsync(GPUMapMode.READ);
    const copy = staging.getMappedRange().slice(0, 3 * N * 4 + 16);
    staging.unmap();
    return { values: new Float32Array(copy, 0, 2 * N), status: new Uint32Array(copy, outBytes, N), counts: new Uint32Array(copy, outBytes + N * 4, 4) };
  } finally {
    for (const b of all) b.destroy();
  }
}
