/**
 * Check a loaded ONNX session against the tensor signature the manifest declares, so a wrong file
 * (another export, a re-exported model with renamed tensors) fails at load time with an error naming the
 * model, the expected and the found signature, instead of deep inside a run.
 */
import type { ModelEntry, TensorSpec } from '../models/manifest';
import { describeSignature } from '../models/manifest';
import type { OrtSession } from './ort-module';

/** What ORT reports for one input/output (onnxruntime-common ValueMetadata). */
interface FoundTensor {
  name: string;
  dtype: string;
  shape: readonly (number | string)[];
}

function found(meta: OrtSession['inputMetadata'] | undefined, names: readonly string[]): FoundTensor[] {
  // Older runtimes have no metadata: fall back to names only (shape/dtype then unchecked).
  if (!meta || meta.length === 0) return names.map((name) => ({ name, dtype: '?', shape: [] }));
  return meta.map((m) => (m.isTensor ? { name: m.name, dtype: m.type, shape: m.shape } : { name: m.name, dtype: 'non-tensor', shape: [] }));
}

function describeFound(ts: FoundTensor[]): string {
  return ts.map((t) => `${t.name}: ${t.dtype}[${t.shape.join(',')}]`).join('; ');
}

/** Empty when `got` satisfies `want`, else the reasons. A symbolic dim on either side matches any size. */
function mismatches(want: readonly TensorSpec[], got: FoundTensor[], kind: 'input' | 'output'): string[] {
  const problems: string[] = [];
  for (const w of want) {
    const g = got.find((x) => x.name === w.name);
    if (!g) {
      if (!w.optional) problems.push(`missing ${kind} "${w.name}"`);
      continue;
    }
    if (g.dtype !== '?' && g.dtype !== w.dtype) problems.push(`${kind} "${w.name}" is ${g.dtype}, expected ${w.dtype}`);
    if (g.shape.length === 0) continue; // shape not recorded in the file
    if (g.shape.length !== w.shape.length) {
      problems.push(`${kind} "${w.name}" has rank ${g.shape.length} [${g.shape.join(',')}], expected [${w.shape.join(',')}]`);
      continue;
    }
    w.shape.forEach((d, i) => {
      const gd = g.shape[i];
      if (typeof d === 'number' && typeof gd === 'number' && gd !== d && gd > 0) {
        problems.push(`${kind} "${w.name}" dim ${i} is ${gd}, expected ${d}`);
      }
    });
  }
  if (kind === 'input') {
    for (const g of got) {
      if (!want.some((w) => w.name === g.name)) problems.push(`unexpected input "${g.name}" (the app would not feed it)`);
    }
  }
  return problems;
}

export class ModelSignatureError extends Error {
  constructor(
    readonly modelId: string,
    readonly problems: string[],
    expected: string,
    foundSig: string,
  ) {
    super(
      `Model "${modelId}" does not match its manifest signature: ${problems.join('; ')}.\n` +
        `  expected ${expected}\n` +
        `  found    ${foundSig}`,
    );
    this.name = 'ModelSignatureError';
  }
}

/** Throws ModelSignatureError when the session's inputs/outputs differ from the manifest entry. */
export function validateSession(entry: ModelEntry, session: OrtSession): void {
  const gotIn = found(session.inputMetadata, session.inputNames);
  const gotOut = found(session.outputMetadata, session.outputNames);
  const problems = [...mismatches(entry.inputs, gotIn, 'input'), ...mismatches(entry.outputs, gotOut, 'output')];
  if (problems.length > 0) {
    throw new ModelSignatureError(
      entry.id,
      problems,
      `inputs {${describeSignature(entry.inputs)}} outputs {${describeSignature(entry.outputs)}}`,
      `inputs {${describeFound(gotIn)}} outputs {${describeFound(gotOut)}}`,
    );
  }
}
