/**
 * Runtime check that onnxruntime-web runs the real FastDepth model in this browser, on the wasm
 * provider and (when an adapter exists) on WebGPU, and that both agree. Used by /diagnostics and by
 * the browser tests. FastDepth: input "0" [1,3,224,224] RGB 0..1, output "350" [1,1,224,224] metres.
 */
import { createSession, hasWebGpuAdapter, loadOrt, type OrtFlavour } from './ort-web';

export const FASTDEPTH_URL = '/models/fastdepth_7.onnx';
export const FASTDEPTH_SIZE = 224;
const INPUT = '0';

export interface ProviderRun {
  provider: OrtFlavour;
  ok: boolean;
  error?: string;
  /** Wall time of session.run (after creation), milliseconds. */
  runMs?: number;
  createMs?: number;
  /** Output depth range, metres. */
  min?: number;
  max?: number;
  mean?: number;
  output?: Float32Array;
}

export interface DepthCheckResult {
  runs: ProviderRun[];
  /** Max |wasm - webgpu| over all pixels, metres; null unless both ran. */
  maxAbsDiff: number | null;
  crossOriginIsolated: boolean;
}

/**
 * A deterministic indoor-like test picture, planar RGB 0..1: a floor/wall split with a vertical
 * gradient plus a few boxes, so the network sees edges and produces a non-constant depth map.
 */
export function fastDepthTestInput(size = FASTDEPTH_SIZE): Float32Array {
  const plane = size * size;
  const out = new Float32Array(3 * plane);
  for (let v = 0; v < size; v++)
    for (let u = 0; u < size; u++) {
      const y = v / size;
      const x = u / size;
      let r = 0.55 + 0.3 * y;
      let g = 0.5 + 0.25 * y;
      let b = 0.45 + 0.1 * y;
      if (y > 0.6) [r, g, b] = [0.35 + 0.2 * (y - 0.6), 0.25 + 0.1 * y, 0.2];
      if (x > 0.2 && x < 0.45 && y > 0.45 && y < 0.8) [r, g, b] = [0.15, 0.2, 0.5];
      if (x > 0.6 && x < 0.85 && y > 0.3 && y < 0.7) [r, g, b] = [0.8, 0.75, 0.3 + 0.3 * x];
      const i = v * size + u;
      out[i] = r;
      out[plane + i] = g;
      out[2 * plane + i] = b;
    }
  return out;
}

async function runOnce(provider: OrtFlavour, model: Uint8Array, input: Float32Array): Promise<ProviderRun> {
  try {
    const ort = await loadOrt(provider);
    const t0 = performance.now();
    // ORT may transfer/detach the buffer it is given: hand each provider its own copy.
    const session = await createSession(provider, model.slice());
    const t1 = performance.now();
    const tensor = new ort.Tensor('float32', input.slice(), [1, 3, FASTDEPTH_SIZE, FASTDEPTH_SIZE]);
    const result = await session.run({ [INPUT]: tensor });
    const t2 = performance.now();
    const outName = session.outputNames[0];
    const data = (await result[outName].getData()) as Float32Array;
    await session.release();
    let min = Infinity;
    let max = -Infinity;
    let sum = 0;
    for (let i = 0; i < data.length; i++) {
      const d = data[i];
      if (!Number.isFinite(d)) throw new Error(`${provider}: output has a non-finite value at ${i}`);
      if (d < min) min = d;
      if (d > max) max = d;
      sum += d;
    }
    return { provider, ok: true, runMs: t2 - t1, createMs: t1 - t0, min, max, mean: sum / data.length, output: data };
  } catch (e) {
    return { provider, ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}

export async function runDepthCheck(
  opts: { modelUrl?: string; providers?: OrtFlavour[]; onStatus?: (s: string) => void } = {},
): Promise<DepthCheckResult> {
  const status = opts.onStatus ?? (() => {});
  const providers = opts.providers ?? ['wasm', 'webgpu'];
  status('downloading FastDepth');
  const res = await fetch(opts.modelUrl ?? FASTDEPTH_URL);
  if (!res.ok) throw new Error(`FastDepth model not found (HTTP ${res.status}); the build copies it to public/models/`);
  const model = new Uint8Array(await res.arrayBuffer());
  const input = fastDepthTestInput();
  const runs: ProviderRun[] = [];
  for (const p of providers) {
    if (p === 'webgpu' && !(await hasWebGpuAdapter())) {
      runs.push({ provider: p, ok: false, error: 'no WebGPU adapter' });
      continue;
    }
    status(`running on ${p}`);
    runs.push(await runOnce(p, model, input));
  }
  const a = runs.find((r) => r.provider === 'wasm' && r.ok)?.output;
  const b = runs.find((r) => r.provider === 'webgpu' && r.ok)?.output;
  let maxAbsDiff: number | null = null;
  if (a && b) {
    if (a.length !== b.length) throw new Error(`output sizes differ: wasm ${a.length}, webgpu ${b.length}`);
    maxAbsDiff = 0;
    for (let i = 0; i < a.length; i++) maxAbsDiff = Math.max(maxAbsDiff, Math.abs(a[i] - b[i]));
  }
  status('done');
  return { runs, maxAbsDiff, crossOriginIsolated: Boolean(globalThis.crossOriginIsolated) };
}
