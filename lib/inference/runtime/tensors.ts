/**
 * Small helpers shared by the model wrappers: build input tensors of the manifest's dtype, read and check
 * float outputs, L2-normalise embedding rows.
 */
import type { TensorDtype, TensorSpec } from '../models/manifest';
import type { OrtModule, OrtSession, OrtTensor } from './ort-module';

type Feeds = Record<string, OrtTensor>;
export type RunResult = Awaited<ReturnType<OrtSession['run']>>;

/** An integer tensor in the dtype the model declares (int64 via BigInt64Array, or int32). */
export function intTensor(ort: OrtModule, dtype: TensorDtype, values: ArrayLike<number>, dims: readonly number[]): OrtTensor {
  if (dtype === 'int64') {
    const a = new BigInt64Array(values.length);
    for (let i = 0; i < values.length; i++) a[i] = BigInt(values[i]);
    return new ort.Tensor('int64', a, dims);
  }
  if (dtype === 'int32') return new ort.Tensor('int32', Int32Array.from(values), dims);
  throw new Error(`intTensor: unsupported integer dtype ${dtype}`);
}

export function floatTensor(ort: OrtModule, data: Float32Array, dims: readonly number[]): OrtTensor {
  const n = dims.reduce((a, b) => a * b, 1);
  if (data.length !== n) throw new Error(`floatTensor: ${data.length} values for dims [${dims.join(',')}]`);
  return new ort.Tensor('float32', data, dims);
}

/** Concrete dims for `spec`: symbolic dims take values from `fill` in order (batch, prompts...). */
export function concreteDims(spec: TensorSpec, fill: Record<string, number> | number[]): number[] {
  let k = 0;
  return spec.shape.map((d) => {
    if (typeof d === 'number') return d;
    const v = Array.isArray(fill) ? fill[k++] : fill[d];
    if (v === undefined) throw new Error(`No size given for symbolic dim "${d}" of tensor "${spec.name}"`);
    return v;
  });
}

/** Run and wrap ORT errors with the model id. */
export async function runModel(modelId: string, session: OrtSession, feeds: Feeds): Promise<RunResult> {
  try {
    return await session.run(feeds);
  } catch (e) {
    const shapes = Object.entries(feeds)
      .map(([k, t]) => `${k}: ${t.type}[${t.dims.join(',')}]`)
      .join('; ');
    throw new Error(`Model "${modelId}" failed to run with inputs {${shapes}}: ${(e as Error).message}`);
  }
}

/** A float32 output by name, checked against the expected dims (-1 = any). */
export function floatOutput(modelId: string, result: RunResult, name: string, expectDims: readonly number[]): { data: Float32Array; dims: number[] } {
  const t = result[name];
  if (!t) throw new Error(`Model "${modelId}" returned no output "${name}" (outputs: ${Object.keys(result).join(', ')})`);
  if (t.type !== 'float32') throw new Error(`Model "${modelId}" output "${name}" is ${t.type}, expected float32`);
  const dims = [...t.dims];
  const ok = dims.length === expectDims.length && expectDims.every((d, i) => d < 0 || d === dims[i]);
  if (!ok) throw new Error(`Model "${modelId}" output "${name}" has dims [${dims.join(',')}], expected [${expectDims.join(',')}]`);
  return { data: t.data as Float32Array, dims };
}

/** Normalise each of `rows` rows of length `dim` in place. A zero or non-finite row is an error. */
export function l2NormalizeRows(data: Float32Array, rows: number, dim: number, modelId: string): Float32Array {
  for (let r = 0; r < rows; r++) {
    let s = 0;
    const o = r * dim;
    for (let i = 0; i < dim; i++) s += data[o + i] * data[o + i];
    if (!Number.isFinite(s) || s <= 0) throw new Error(`Model "${modelId}" produced a ${Number.isFinite(s) ? 'zero' : 'non-finite'} embedding (row ${r})`);
    const inv = 1 / Math.sqrt(s);
    for (let i = 0; i < dim; i++) data[o + i] *= inv;
  }
  return data;
}
