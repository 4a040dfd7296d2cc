/**
 * One interface for the heavy per-keyframe stages: each call runs on WebGPU when a device is there
 * and the stage has a WebGPU kernel, else on the CPU reference kernel, and says which ran (and why
 * the CPU ran, when it did). A WebGPU failure at run time (lost device, a limit) falls back to the
 * CPU for that call and is reported, so a keyframe is never lost to the GPU path. `report()` sums
 * up which backend each stage used so far (the scan's live stats and the reconstruction report
 * carry it).
 *
 * Stages with a WebGPU kernel: gaussiansFromDepth, planeSweep (coarse-to-fine or exhaustive; the
 * search around the kernel is the CPU's, lib/inference/depth/plane-sweep.ts planeSweepSteps),
 * sweepTiles / sweepAll (one kernel request) and conditionDepth (conditionSensorDepth, the colour
 * guide's snap or drop included). Fusion, the multi-view depth agreement, the cross-view filter and hole
 * filling are CPU only.
 *
 * No DOM: `HeavyStages.create({ gpu })` takes any GPU object (navigator.gpu in a page or a worker,
 * a Node WebGPU binding's).
 */
import type { DepthMap, Frame } from '../capture/frame';
import type { GaussianScene } from '../splat/gaussian-scene';
import { gaussiansFromDepth, type DepthToGaussiansOptions, type DepthToGaussiansResult } from '../splat/gaussians-from-depth';
import { GpuStageError, gaussiansFromDepthGpu } from './gaussians-from-depth-gpu';
import { requestGpuDevice, type GpuDeviceInfo } from './gpu-device';
import { planeSweepGpu } from './plane-sweep-gpu';
import { conditionDepthGpu } from './depth-conditioning-gpu';
import type { SweepKernelResult, SweepKernelSettings } from '../inference/depth/plane-sweep-kernel';
import { planeSweep, planeSweepWith, sweepAll, sweepTiles, type PlaneSweepOptions, type PlaneSweepResult, type SweepRequest } from '../inference/depth/plane-sweep';
import { conditionSensorDepth, type ConditioningOptions, type ConditioningReport } from '../inference/depth/depth-conditioning';
import type { StereoView } from '../inference/depth/stereo-view';
import type { HeavyStage, HeavyStagesReport, StageRun, StageUse } from './stage-report';

export type { HeavyStage, HeavyStagesReport, StageBackend, StageRun, StageUse } from './stage-report';

export class HeavyStages {
  /** Why there is no WebGPU device, when there is none. */
  readonly noGpuReason: string | null;
  private readonly used: Partial<Record<HeavyStage, StageUse>> = {};

  constructor(readonly gpu: GpuDeviceInfo | null, noGpuReason?: string) {
    this.noGpuReason = gpu ? null : (noGpuReason ?? 'no WebGPU device given');
  }

  /**
   * `useGpu: false` forces the CPU kernels (the opt-out); otherwise WebGPU when `gpu` (default
   * navigator.gpu) gives an adapter and a device. A software adapter (SwiftShader, llvmpipe: a CPU
   * emulating a GPU, several times slower than the CPU kernels, docs/BENCH.md) is only used with
   * `allowSoftware` (the agreement tests and benches); otherwise the CPU runs and says why. Never throws.
   */
  static async create(opts: { useGpu?: boolean; gpu?: GPU; allowSoftware?: boolean } = {}): Promise<HeavyStages> {
    if (opts.useGpu === false) return new HeavyStages(null, 'WebGPU disabled by the caller');
    const r = await requestGpuDevice(opts.gpu);
    if (!r.ok) return new HeavyStages(null, r.reason);
    if (r.gpu.software && !opts.allowSoftware) {
      r.gpu.device.destroy();
      return new HeavyStages(null, `the only WebGPU adapter is a software one (${r.gpu.adapter}), slower than the CPU kernels`);
    }
    return new HeavyStages(r.gpu);
  }

  report(): HeavyStagesReport {
    const stages: Partial<Record<HeavyStage, StageUse>> = {};
    for (const [k, v] of Object.entries(this.used)) stages[k as HeavyStage] = { ...v };
    return { adapter: this.gpu?.adapter ?? null, software: this.gpu?.software ?? false, noGpuReason: this.noGpuReason, stages };
  }

  private note<R>(stage: HeavyStage, run: StageRun<R>): StageRun<R> {
    const u = (this.used[stage] ??= { backend: run.backend, webgpu: 0, cpu: 0 });
    u.backend = run.backend;
    u.reason = run.reason;
    u[run.backend]++;
    return run;
  }

  /**
   * The stage on WebGPU when there is a device, else (or when the GPU side fails: GpuStageError) on the
   * CPU. Bad input and a full scene are the caller's errors, thrown as on the CPU. The CPU path costs
   * one resolved promise.
   */
  private async choose<R>(stage: HeavyStage, gpu: (device: GPUDevice) => Promise<R>, cpu: () => R): Promise<StageRun<R>> {
    if (!this.gpu) return this.note(stage, { result: cpu(), backend: 'cpu', reason: this.noGpuReason ?? undefined });
    try {
      return this.note(stage, { result: await gpu(this.gpu.device), backend: 'webgpu' });
    } catch (e) {
      if (!(e instanceof GpuStageError)) throw e;
      return this.note(stage, { result: cpu(), backend: 'cpu', reason: `WebGPU run failed: ${e.message}` });
    }
  }

  /** Gaussians from depth (lib/splat/gaussians-from-depth.ts): appends to `scene` as the CPU kernel does. */
  gaussiansFromDepth(scene: GaussianScene, frame: Frame, viewIndex: number, opts: DepthToGaussiansOptions = {}): Promise<StageRun<DepthToGaussiansResult>> {
    return this.choose(
      'gaussiansFromDepth',
      (device) => gaussiansFromDepthGpu(device, scene, frame, viewIndex, opts),
      () => gaussiansFromDepth(scene, frame, viewIndex, opts),
    );
  }

  /**
   * The plane sweep (lib/inference/depth/plane-sweep.ts planeSweep: coarse-to-fine by default, `mode:
   * 'full'` exhaustive), every kernel request on WebGPU. A GPU failure redoes the whole sweep on the CPU,
   * so one result never mixes backends.
   */
  planeSweep(ref: StereoView, sources: StereoView[], opts: PlaneSweepOptions): Promise<StageRun<PlaneSweepResult>> {
    return this.choose(
      'planeSweep',
      (device) => planeSweepWith(ref, sources, opts, (req) => planeSweepGpu(device, req)),
      () => planeSweep(ref, sources, opts),
    );
  }

  /** One plane-sweep kernel request (tiles over their plane lists); inputs checked by the caller (checkPlaneSweepInputs). */
  sweepTiles(req: SweepRequest): Promise<StageRun<SweepKernelResult>> {
    return this.choose('planeSweep', (device) => planeSweepGpu(device, req), () => sweepTiles(req));
  }

  /** Every plane over the whole reference (one sweepTiles request with one tile). */
  sweepAll(ref: StereoView, sources: StereoView[], set: SweepKernelSettings): Promise<StageRun<SweepKernelResult>> {
    return this.sweepTiles(sweepAll(ref, sources, set));
  }

  /** Sensor-depth conditioning (conditionSensorDepth of lib/inference/depth/depth-conditioning.ts), with or without a colour guide. */
  conditionDepth(src: DepthMap, opts: ConditioningOptions = {}): Promise<StageRun<{ depth: DepthMap; report: ConditioningReport }>> {
    return this.choose('depthConditioning', (device) => conditionDepthGpu(device, src, opts), () => conditionSensorDepth(src, opts));
  }
}
