/**
 * What the heavy stages ran on (lib/gpu/heavy-stages.ts), as plain data: it travels in the scan
 * worker's updates (ScanStatus.backends) and the reconstruction report, and the scan page shows it.
 * Kept apart from the kernels so the page imports no WGSL.
 */
export type StageBackend = 'webgpu' | 'cpu';

export interface StageRun<R> {
  result: R;
  backend: StageBackend;
  /** Why the CPU ran, when it did. */
  reason?: string;
}

export type HeavyStage = 'gaussiansFromDepth' | 'planeSweep' | 'depthConditioning';

/** What one stage ran on so far: the last call's backend (and why the CPU, when it was), and calls per backend. */
export interface StageUse {
  backend: StageBackend;
  reason?: string;
  webgpu: number;
  cpu: number;
}

export interface HeavyStagesReport {
  /** The WebGPU adapter, or null when there is no device. */
  adapter: string | null;
  /** A software (fallback) adapter such as SwiftShader: its times say nothing about a GPU. */
  software: boolean;
  /** Why there is no WebGPU device, when there is none. */
  noGpuReason: string | null;
  /** Stages that ran at least once. */
  stages: Partial<Record<HeavyStage, StageUse>>;
}

const STAGE_NAMES: Record<HeavyStage, string> = { gaussiansFromDepth: 'Gaussians', planeSweep: 'stereo', depthConditioning: 'depth conditioning' };

/** One line for the UI: the backend each stage ran on (and why the CPU), and the adapter. */
export function describeBackends(r: HeavyStagesReport | null): string {
  if (!r) return 'starting';
  const adapter = r.adapter ? `${r.adapter}${r.software ? ', a software adapter' : ''}` : null;
  const ran = Object.entries(r.stages) as [HeavyStage, StageUse][];
  if (!ran.length) return adapter ? `WebGPU ready (${adapter})` : `CPU (${r.noGpuReason})`;
  const parts = ran.map(([k, u]) => `${STAGE_NAMES[k]}: ${u.backend === 'webgpu' ? 'WebGPU' : `CPU${u.reason && u.reason !== r.noGpuReason ? ` (${u.reason})` : ''}`}`);
  return `${parts.join(', ')}${adapter ? ` [${adapter}]` : ` [${r.noGpuReason}]`}`;
}
