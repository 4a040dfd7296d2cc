/**
 * onnxruntime-web for the browser, loaded at run time from /ort/ (files copied from
 * node_modules/onnxruntime-web/dist by scripts/copy-ort.mjs) instead of through the bundler:
 * ORT's own loader imports its wasm glue by URL, which bundlers rewrite badly, and a plain
 * same-origin ES module import keeps the 14-27 MB runtimes out of every page bundle.
 * Client-only: never call during SSR.
 *
 * Flavours (platform.md): 'wasm' = CPU only (ort-wasm-simd-threaded.*, 14 MB), used for all normal
 * inference; 'webgpu' = WebGPU EP + CPU fallback (…asyncify.*, 27 MB).
 */
import type * as Ort from 'onnxruntime-web';

export type OrtModule = typeof Ort;
export type OrtFlavour = 'wasm' | 'webgpu';

export const ORT_BASE_URL = '/ort/';
const ENTRY: Record<OrtFlavour, string> = { wasm: 'ort.wasm.min.mjs', webgpu: 'ort.webgpu.min.mjs' };

const loaded = new Map<OrtFlavour, Promise<OrtModule>>();

/** Imports the ORT build once per flavour and points it at /ort/ for its wasm files. */
export function loadOrt(flavour: OrtFlavour): Promise<OrtModule> {
  if (typeof window === 'undefined' && typeof self === 'undefined') throw new Error('loadOrt: browser only (never during SSR)');
  let p = loaded.get(flavour);
  if (!p) {
    const url = new URL(ORT_BASE_URL + ENTRY[flavour], globalThis.location.href).href;
    p = (import(/* webpackIgnore: true */ /* turbopackIgnore: true */ url) as Promise<OrtModule>).then((ort) => {
      ort.env.wasm.wasmPaths = new URL(ORT_BASE_URL, globalThis.location.href).href;
      // ORT prints warnings (unused initialisers, CPU-assigned shape ops) through console.error.
      ort.env.logLevel = 'error';
      // Threads need cross-origin isolation (COOP/COEP headers from next.config.js); without it ORT
      // would warn and fall back, so ask for one thread explicitly.
      if (!globalThis.crossOriginIsolated) ort.env.wasm.numThreads = 1;
      return ort;
    });
    p.catch(() => loaded.delete(flavour));
    loaded.set(flavour, p);
  }
  return p;
}

/** Whether this browser exposes a WebGPU adapter (software adapters count). */
export async function hasWebGpuAdapter(): Promise<boolean> {
  const gpu = (globalThis.navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
  if (!gpu) return false;
  try {
    return (await gpu.requestAdapter()) != null;
  } catch {
    return false;
  }
}

export async function createSession(
  flavour: OrtFlavour,
  model: Uint8Array | string,
  opts: { provider?: 'wasm' | 'webgpu' } = {},
): Promise<Ort.InferenceSession> {
  const ort = await loadOrt(flavour);
  const provider = opts.provider ?? flavour;
  if (provider === 'webgpu' && flavour !== 'webgpu') throw new Error('createSession: the webgpu provider needs the webgpu ORT flavour');
  const options: Ort.InferenceSession.SessionOptions = { executionProviders: [provider], graphOptimizationLevel: 'all', logSeverityLevel: 3 };
  return typeof model === 'string' ? ort.InferenceSession.create(model, options) : ort.InferenceSession.create(model, options);
}
