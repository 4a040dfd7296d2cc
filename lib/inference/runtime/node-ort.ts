/**
 * Node-only helper for scripts and tests: returns onnxruntime-node as an OrtModule.
 * Never import this from browser code (the browser worker uses ./web-ort with onnxruntime-web).
 */
import type { OrtModule } from './ort-module';

let cached: Promise<OrtModule> | null = null;

export function loadNodeOrt(): Promise<OrtModule> {
  if (!cached) {
    // A variable specifier keeps bundlers from pulling the native addon into a browser build.
    const specifier = 'onnxruntime-node';
    cached = import(/* webpackIgnore: true */ specifier).then((m: { default?: OrtModule } & OrtModule) => {
      const ort = (m.InferenceSession ? m : m.default) as OrtModule | undefined;
      if (!ort || !ort.InferenceSession) throw new Error('onnxruntime-node did not load: no InferenceSession export');
      return ort;
    });
  }
  return cached;
}
