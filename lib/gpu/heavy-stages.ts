/**
 * One interface for the heavy per-keyframe stages: each call runs on WebGPU when a device is there
 * and the stage has a WebGPU kernel, else on the CPU reference kernel, and says which ran (and why
 * the CPU ran, when it did). A WebGPU failure at run time (lost device, a limit) falls back to the
 * CPU for that call and is reported, so a keyframe is never lost to the GPU path.
 *
 * Stages with a WebGPU kernel today: gaussiansFromDepth and the exhaustive plane sweep (sweepAll).
 * The coarse-to-fine sweep, depth conditioning and fusion are CPU only.
 */
import type { Frame } from '../capture/frame';
import type { GaussianScene } from '../splat/gaussian-scene';
import { gaussiansFromDepth, type DepthToGaussiansOptions, type DepthToGaussiansResult } from '../splat/gaussians-from-depth';
import { GpuStageError, gaussiansFromDepthGpu } from './gaussians-from-depth-gpu';
import { requestGpuDevice, type GpuDeviceInfo } from './gpu-device';
import { planeSweepGpu } from './plane-sweep-gpu';
import { createSweepKernel, type SweepKernelResult, type SweepKernelSettings } from '../inference/depth/plane-sweep-kernel';
import type { StereoView } from '../inference/depth/stereo-view';

export type StageBackend = 'webgpu' | 'cpu';

export interface StageRun<R> {
  result: R;
  backend: StageBackend;
  /** Why the CPU ran, when it did. */
  reason?: string;
}

export class HeavyStages {
  /** Why there is no WebGPU device, when there is none. */
  readonly noGpuReason: string | null;

  constructor(readonly gpu: GpuDeviceInfo | null, noGpuReason?: string) {
    this.noGpuReason = gpu ? null : (noGpuReason ?? 'no WebGPU device given');
  }

  /** `useGpu: false` forces the CPU kernels (the opt-out); otherwise WebGPU when an adapter exists. */
  static async create(opts: { useGpu?: boolean; gpu?: GPU } = {}): Promise<HeavyStages> {
    if (opts.useGpu === false) return new HeavyStages(null, 'WebGPU disabled by the caller');
    const r = await requestGpuDevice(opts.gpu);
    return r.ok ? new HeavyStages(r.gpu) : new HeavyStages(null, r.reason);
  }

  async gaussiansFromDepth(scene: GaussianScene, frame: Frame, viewIndex: number, opts: DepthToGaussiansOptions = {}): Promise<StageRun<DepthToGaussiansResult>> {
    if (!this.gpu) return { result: gaussiansFromDepth(scene, frame, viewIndex, opts), backend: 'cpu', reason: this.noGpuReason ?? undefined };
    try {
      return { result: await gaussiansFromDepthGpu(this.gpu.device, scene, frame, viewIndex, opts), backend: 'webgpu' };
    } catch (e) {
      // Bad input and a full scene are the caller's errors, the same on either backend.
      if (!(e instanceof GpuStageError)) throw e;
      return { result: gaussiansFromDepth(scene, frame, viewIndex, opts), backend: 'cpu', reason: `WebGPU run failed: ${(e as Error).message}` };
    }
  }

  /** Every plane over the whole reference (plane-sweep mode 'full'); inputs checked by the caller (checkPlaneSweepInputs). */
  async sweepAll(ref: StereoView, sources: StereoView[], set: SweepKernelSettings): Promise<StageRun<SweepKernelResult>> {
    const cpu = (): SweepKernelResult => {
      const k = createSweepKernel(ref, sources, set);
      const all = new Int32Array(set.planes);
      for (let p = 0; p < all.length; p++) all[p] = p;
      k.sweepRect(0, ref.width, 0, ref.height, all, all.length);
      return k.result();
    };
    if (!this.gpu) return { result: cpu(), backend: 'cpu', reason: this.noGpuReason ?? undefined };
    try {
      return { result: await planeSweepGpu(this.gpu.device, ref, sources, set), backend: 'webgpu' };
    } catch (e) {
      if (!(e instanceof GpuStageError)) throw e;
      return { result: cpu(), backend: 'cpu', reason: `WebGPU run failed: ${(e as Error).message}` };
    }
  }
}
