/**
 * Browser-side setup of an injected onnxruntime-web module. The app serves ORT's wasm files itself from
 * /ort/ (copied from node_modules/onnxruntime-web/dist at build time), never from a CDN.
 * The caller (the inference worker) does `import * as ort from 'onnxruntime-web/webgpu'` and passes it here.
 */
import type { OrtModule } from './ort-module';

export interface WebOrtOptions {
  /** URL prefix of the ORT .wasm/.mjs files. Default '/ort/'. */
  wasmPaths?: string;
  /** wasm threads; > 1 needs cross-origin isolation (COOP/COEP). Default: 1 unless crossOriginIsolated. */
  numThreads?: number;
}

export function configureWebOrt(ort: OrtModule, options: WebOrtOptions = {}): OrtModule {
  ort.env.wasm.wasmPaths = options.wasmPaths ?? '/ort/';
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
  const hw = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 1;
  ort.env.wasm.numThreads = options.numThreads ?? (isolated ? Math.max(1, Math.min(4, hw)) : 1);
  return ort;
}
