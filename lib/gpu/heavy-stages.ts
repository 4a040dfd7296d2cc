/**
 * One interface for the heavy per-keyframe stages: each call runs on WebGPU when a device is there
 * and the stage has a WebGPU kernel, else on the CPU reference kernel, and says which ran (and why
 * the CPU ran, when it did). A WebGPU failure at run time (lost device, a limit) falls back to the
 * CPU for that call and is reported, so a keyframe is never lost to the GPU path.
 *
 * Stages with a WebGPU kernel today: gaussiansFromDepth. Everything else is CPU only.
 */
import type { Frame } from '../capture/frame';
import type { GaussianScene } from '../splat/gaussian-scene';
import { gaussiansFromDepth, type DepthToGaussiansOptions, type DepthToGaussiansResult } from '../splat/gaussians-from-depth';
import { GpuStageError, gaussiansFromDepthGpu } from './gaussians-from-depth-gpu';
import { requestGpuDevice, type GpuDeviceInfo } from './gpu-device';

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
}
