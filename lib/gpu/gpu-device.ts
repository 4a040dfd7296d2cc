/// <reference types="@webgpu/types" />
/**
 * The WebGPU device for the heavy stages, or the reason there is none. Plain TypeScript that runs in
 * a page or a worker (navigator.gpu) and takes any GPU object, so tests and Node bindings can pass
 * their own.
 */

export interface GpuDeviceInfo {
  device: GPUDevice;
  /** Adapter vendor / architecture / description as the browser reports them (may be empty). */
  adapter: string;
  /** True for a fallback (software) adapter such as SwiftShader: its times say nothing about a GPU. */
  software: boolean;
}

export type GpuDeviceResult = { ok: true; gpu: GpuDeviceInfo } | { ok: false; reason: string };

/** Asks `gpu` (default navigator.gpu) for an adapter and a device; never throws. */
export async function requestGpuDevice(gpu: GPU | undefined = typeof navigator !== 'undefined' ? navigator.gpu : undefined): Promise<GpuDeviceResult> {
  if (!gpu) return { ok: false, reason: 'navigator.gpu is not available (no WebGPU in this browser or context)' };
  let adapter: GPUAdapter | null;
  try {
    adapter = await gpu.requestAdapter();
  } catch (e) {
    return { ok: false, reason: `requestAdapter failed: ${(e as Error).message}` };
  }
  if (!adapter) return { ok: false, reason: 'navigator.gpu.requestAdapter() returned no adapter' };
  try {
    const device = await adapter.requestDevice();
    const i = adapter.info;
    const name = [i?.vendor, i?.architecture, i?.description].filter((x) => x).join(' ');
    // isFallbackAdapter moved from the adapter to its info in newer specs; read both.
    const legacy = (adapter as unknown as { isFallbackAdapter?: boolean }).isFallbackAdapter;
    const software = Boolean((i as unknown as { isFallbackAdapter?: boolean })?.isFallbackAdapter ?? legacy) || /swiftshader|llvmpipe|lavapipe/i.test(name);
    return { ok: true, gpu: { device, adapter: name || 'unknown adapter', software } };
  } catch (e) {
    return { ok: false, reason: `requestDevice failed: ${(e as Error).message}` };
  }
}
