/**
 * Test STAND-IN models: tiny ONNX graphs written with ./onnx-builder that have EXACTLY the tensor names,
 * dtypes and shapes of the real exports in public/models/manifest.json, so tests exercise the same runtime,
 * validation, preprocessing and wrappers as the real models, with no download. They are NOT real models:
 * ids start with "standin-", entries carry standIn: true, and they live only under tests/.
 *
 * What they compute (enough for meaningful end-to-end tests):
 * - CLIP image: un-normalises the input, averages the colour over non-black pixels (masked crops have
 *   zeroed background), soft-assigns it to 11 colour prototypes and maps that to a direction per colour,
 *   plus a small shared "generic" direction.
 * - CLIP text: counts colour-word token ids (taken from the real CLIP tokenizer) and maps them to the same
 *   directions; text without a colour word maps to the generic direction (so "object", "things", "stuff"
 *   score evenly against every colour, as LERF's canonical phrases should).
 * - SAM encoder: 16x16 average pooling of the normalised image into 64x64, zero-padded to 256 channels.
 * - SAM decoder: the colour at the first prompt point; three masks = pixels whose colour is within three
 *   growing distances of it (logits 4 * (1 - d^2 / t^2)); constant IoU predictions 0.9 / 0.8 / 0.7.
 * - Depth: 3.5 m - 3 m x brightness.
 *
 * `npm run models:standins` writes them to tests/fixtures/generated/standins/ (gitignored); tests call
 * ensureStandins() which generates them on demand.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ClipTokenizer } from '../../lib/inference/clip/clip-tokenizer';
import type { ModelEntry, ModelManifest, TensorSpec } from '../../lib/inference/models/manifest';
import { findModel, parseManifest, shippedManifest } from '../../lib/inference/models/manifest';
import { OnnxGraphBuilder, type Dim, type OnnxDtype } from './onnx-builder';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const PROJECT_ROOT = path.resolve(HERE, '..', '..');
export const STANDIN_DIR = path.join(PROJECT_ROOT, 'tests', 'fixtures', 'generated', 'standins');
export const SHARED_TOKENIZER = path.resolve(PROJECT_ROOT, '..', 'shared', 'data', 'clip-tokenizer', 'tokenizer.json');
/** Bump when a stand-in graph changes so cached fixtures are rebuilt. */
export const STANDIN_VERSION = 4;

/** Colour words, their RGB prototype (0..1) and the direction index they map to (gray = grey). */
export const STANDIN_COLOURS: { word: string; rgb: [number, number, number]; dir: number }[] = [
  { word: 'red', rgb: [0.85, 0.1, 0.1], dir: 0 },
  { word: 'green', rgb: [0.1, 0.7, 0.15], dir: 1 },
  { word: 'blue', rgb: [0.1, 0.2, 0.85], dir: 2 },
  { word: 'yellow', rgb: [0.95, 0.9, 0.1], dir: 3 },
  { word: 'white', rgb: [0.95, 0.95, 0.95], dir: 4 },
  { word: 'black', rgb: [0.05, 0.05, 0.05], dir: 5 },
  { word: 'orange', rgb: [1.0, 0.55, 0.05], dir: 6 },
  { word: 'purple', rgb: [0.5, 0.15, 0.65], dir: 7 },
  { word: 'pink', rgb: [1.0, 0.6, 0.75], dir: 8 },
  { word: 'brown', rgb: [0.45, 0.27, 0.1], dir: 9 },
  { word: 'grey', rgb: [0.5, 0.5, 0.5], dir: 10 },
  { word: 'gray', rgb: [0.5, 0.5, 0.5], dir: 10 },
];
const N_DIRS = 11;
/** Index of the generic ("some object") direction. */
const GENERIC_DIR = 11;
/** Weight of the generic direction in image embeddings and in colourless text. */
const IMAGE_GENERIC = 0.3;
const TEXT_GENERIC = 0.05;
/** Sharpness of the colour soft-assignment (1 / squared RGB distance). */
const COLOUR_BETA = 60;

function dtypeOf(t: TensorSpec): OnnxDtype {
  if (t.dtype === 'float16') throw new Error('stand-ins do not support float16');
  return t.dtype;
}

function io(g: OnnxGraphBuilder, t: TensorSpec): string {
  return g.input(t.name, dtypeOf(t), t.shape as Dim[]);
}

function out(g: OnnxGraphBuilder, v: string, t: TensorSpec): void {
  g.output(v, t.name, dtypeOf(t), t.shape as Dim[]);
}

const i64 = (g: OnnxGraphBuilder, values: number[]) => g.constInt64([values.length], values);
const scalar = (g: OnnxGraphBuilder, v: number) => g.constFloat([], [v]);

/** Direction matrix rows: one-hot in D dims. */
function directionRows(dim: number, dirs: number[], generic = 0): Float32Array {
  const w = new Float32Array(dirs.length * dim);
  dirs.forEach((d, r) => {
    w[r * dim + d] = 1;
    if (generic) w[r * dim + GENERIC_DIR] = generic;
  });
  return w;
}

export function buildClipImageStandin(real: ModelEntry): Uint8Array {
  const pre = real.preprocess!;
  const D = real.embeddingDim!;
  const g = new OnnxGraphBuilder(`standin-${real.id}`, `TEST STAND-IN with the signature of ${real.id}; not a real CLIP model`);
  const x = io(g, real.inputs[0]);
  // Back to 0..1 RGB: raw = x * std / rescale * (1/255) ... the preprocessing wrote (p*rescale - mean)/std.
  const std = g.constFloat([1, 3, 1, 1], pre.std);
  const mean = g.constFloat([1, 3, 1, 1], pre.mean);
  const rgb01 = g.node('Mul', [g.node('Add', [g.node('Mul', [x, std]), mean]), scalar(g, 1 / (pre.rescale * 255))]);
  const lum = g.node('ReduceSum', [rgb01, i64(g, [1])], { keepdims: 1 });
  const mask = g.node('Cast', [g.node('Greater', [lum, scalar(g, 0.5 / 255)])], { to: 1 });
  const num = g.node('ReduceSum', [g.node('Mul', [rgb01, mask]), i64(g, [2, 3])], { keepdims: 0 }); // [B,3]
  const den = g.node('ReduceSum', [mask, i64(g, [2, 3])], { keepdims: 0 }); // [B,1]
  const meanColour = g.node('Div', [num, g.node('Add', [den, scalar(g, 1e-6)])]);
  const K = N_DIRS;
  const protos = STANDIN_COLOURS.filter((c) => c.word !== 'gray');
  const pT = new Float32Array(3 * K);
  const bias = new Float32Array(K);
  protos.forEach((c, k) => {
    for (let ch = 0; ch < 3; ch++) pT[ch * K + k] = 2 * COLOUR_BETA * c.rgb[ch];
    bias[k] = -COLOUR_BETA * (c.rgb[0] ** 2 + c.rgb[1] ** 2 + c.rgb[2] ** 2);
  });
  const logits = g.node('Add', [g.node('MatMul', [meanColour, g.constFloat([3, K], pT)]), g.constFloat([K], bias)]);
  const assign = g.node('Softmax', [logits], { axis: -1 });
  const dirs = g.constFloat([K, D], directionRows(D, protos.map((c) => c.dir)));
  const generic = new Float32Array(D);
  generic[GENERIC_DIR] = IMAGE_GENERIC;
  const emb = g.node('Add', [g.node('MatMul', [assign, dirs]), g.constFloat([D], generic)]);
  out(g, emb, real.outputs[0]);
  return g.toBytes();
}

export function buildClipTextStandin(real: ModelEntry, tokenizer: ClipTokenizer): Uint8Array {
  const D = real.embeddingDim!;
  const g = new OnnxGraphBuilder(`standin-${real.id}`, `TEST STAND-IN with the signature of ${real.id}; not a real CLIP model`);
  const idsSpec = real.inputs.find((t) => t.name !== 'attention_mask')!;
  const ids = io(g, idsSpec);
  // Optional inputs (attention_mask) are left out: the exports are believed not to take one, and the
  // encoder feeds it only when a session declares it (tested separately).
  for (const t of real.inputs) if (t !== idsSpec && !t.optional) io(g, t);
  const wordIds = STANDIN_COLOURS.map((c) => {
    const id = tokenizer.wordId(c.word);
    if (id === undefined) throw new Error(`stand-in text model: "${c.word}" is not a single CLIP token`);
    return id;
  });
  const table = idsSpec.dtype === 'int64' ? g.constInt64([wordIds.length], wordIds) : g.constant('int32', [wordIds.length], wordIds);
  const hits = g.node('Cast', [g.node('Equal', [g.node('Unsqueeze', [ids, i64(g, [2])]), table])], { to: 1 }); // [B,L,W]
  const counts = g.node('ReduceSum', [hits, i64(g, [1])], { keepdims: 0 }); // [B,W]
  const dirs = g.constFloat([wordIds.length, D], directionRows(D, STANDIN_COLOURS.map((c) => c.dir)));
  const generic = new Float32Array(D);
  generic[GENERIC_DIR] = TEXT_GENERIC;
  const emb = g.node('Add', [g.node('MatMul', [counts, dirs]), g.constFloat([D], generic)]);
  out(g, emb, real.outputs[0]);
  return g.toBytes();
}

export function buildSamEncoderStandin(real: ModelEntry): Uint8Array {
  const g = new OnnxGraphBuilder(`standin-${real.id}`, `TEST STAND-IN with the signature of ${real.id}; not a real SAM model`);
  const x = io(g, real.inputs[0]);
  const [embSpec, posSpec] = real.outputs;
  const C = embSpec.shape[1] as number;
  const grid = embSpec.shape[2] as number;
  const k = (real.inputs[0].shape[2] as number) / grid;
  const pooled = g.node('AveragePool', [x], { kernel_shape: [k, k], strides: [k, k] });
  const emb = g.node('Pad', [pooled, i64(g, [0, 0, 0, 0, 0, C - 3, 0, 0])]);
  out(g, emb, embSpec);
  out(g, g.node('Mul', [emb, scalar(g, 0)]), posSpec);
  return g.toBytes();
}

export function buildSamDecoderStandin(real: ModelEntry, encoder: ModelEntry): Uint8Array {
  const g = new OnnxGraphBuilder(`standin-${real.id}`, `TEST STAND-IN with the signature of ${real.id}; not a real SAM model`);
  const feeds: Record<string, string> = {};
  for (const t of real.inputs) feeds[t.name] = io(g, t);
  const S = encoder.preprocess!.size;
  const M = real.sam!.maskSize;
  const grid = encoder.outputs[0].shape[2] as number;
  const emb = feeds.image_embeddings;
  // Points (x, y) in the S-pixel frame -> GridSample's [-1, 1] (align_corners = 0: -1 is the left edge).
  const gridPts = g.node('Sub', [g.node('Mul', [feeds.input_points, scalar(g, 2 / S)]), scalar(g, 1)]);
  const sampled = g.node('GridSample', [emb, gridPts], { mode: 'bilinear', padding_mode: 'border', align_corners: 0 }); // [1,C,P,k]
  const pointColour = g.node('Slice', [sampled, i64(g, [0, 0]), i64(g, [3, 1]), i64(g, [1, 3])]); // [1,3,P,1]
  const pc = g.node('Unsqueeze', [g.node('Transpose', [pointColour], { perm: [0, 2, 1, 3] }), i64(g, [4])]); // [1,P,3,1,1]
  const colours = g.node('Slice', [emb, i64(g, [0]), i64(g, [3]), i64(g, [1])]); // [1,3,64,64]
  const up = g.node('Resize', [colours, '', g.constFloat([4], [1, 1, M / grid, M / grid])], { mode: 'linear' });
  const field = g.node('Unsqueeze', [up, i64(g, [1])]); // [1,1,3,M,M]
  const diff = g.node('Sub', [field, pc]);
  const d2 = g.node('ReduceSum', [g.node('Mul', [diff, diff]), i64(g, [2])], { keepdims: 1 }); // [1,P,1,M,M]
  // Thresholds: RGB distances 0.12 / 0.25 / 0.4 in normalised units (std ~0.226).
  const thr = [0.12, 0.25, 0.4].map((r) => (r / 0.226) ** 2);
  const ratio = g.node('Div', [d2, g.constFloat([1, 1, 3, 1, 1], thr)]);
  const logits = g.node('Mul', [g.node('Sub', [scalar(g, 1), ratio]), scalar(g, 4)]);
  out(g, logits, real.outputs.find((o) => o.name === 'pred_masks')!);
  // IoU: constants, made to depend on every input so none is pruned as unused.
  const labels = g.node('ReduceSum', [g.node('Cast', [feeds.input_labels], { to: 1 }), i64(g, [2])], { keepdims: 0 }); // [1,P]
  let zero = g.node('Mul', [g.node('Unsqueeze', [labels, i64(g, [2])]), scalar(g, 0)]); // [1,P,1]
  for (const name of Object.keys(feeds)) {
    if (name === 'input_labels' || name === 'input_points') continue;
    zero = g.node('Add', [zero, g.node('Mul', [g.node('ReduceMax', [feeds[name]], { keepdims: 0 }), scalar(g, 0)])]);
  }
  const iou = g.node('Add', [zero, g.constFloat([1, 1, 3], [0.9, 0.8, 0.7])]);
  out(g, iou, real.outputs.find((o) => o.name === 'iou_scores')!);
  return g.toBytes();
}

export function buildDepthStandin(real: ModelEntry): Uint8Array {
  const g = new OnnxGraphBuilder(`standin-${real.id}`, `TEST STAND-IN with the signature of ${real.id}; not a real depth model`);
  const x = io(g, real.inputs[0]);
  const bright = g.node('ReduceMean', [x], { axes: [1], keepdims: 1 });
  const depth = g.node('Add', [g.node('Mul', [bright, scalar(g, -3)]), scalar(g, 3.5)]);
  out(g, depth, real.outputs[0]);
  return g.toBytes();
}

/** Which real entries get a stand-in (the CLIP pairs for both MobileCLIP-S0 and ViT-B/16 signatures). */
export const STANDIN_OF: Record<string, string> = {
  'mobileclip-s0-image': 'standin-mobileclip-s0-image',
  'mobileclip-s0-text': 'standin-mobileclip-s0-text',
  'openclip-vit-b16-image': 'standin-openclip-vit-b16-image',
  'openclip-vit-b16-text': 'standin-openclip-vit-b16-text',
  'clip-vit-b16-openai-image': 'standin-clip-vit-b16-openai-image',
  'clip-vit-b16-openai-text': 'standin-clip-vit-b16-openai-text',
  'slimsam-77-encoder': 'standin-slimsam-77-encoder',
  'slimsam-77-decoder': 'standin-slimsam-77-decoder',
  fastdepth: 'standin-fastdepth',
};

/** A stand-in manifest entry: the real entry's signature and preprocessing under a stand-in id. */
function standinEntry(real: ModelEntry, bytes: Uint8Array, tokenizerBytes?: number): ModelEntry {
  const id = STANDIN_OF[real.id];
  const e: ModelEntry = {
    ...structuredClone(real),
    id,
    pair: real.pair ? `standin-${real.pair}` : undefined,
    title: `TEST STAND-IN (not a real model) with the tensor signature of ${real.id}`,
    standIn: true,
    license: 'MIT (generated test fixture)',
    source: 'tests/models/make-standins.ts',
    files: [{ name: 'model.onnx', url: `standin://${id}/model.onnx`, bytes: bytes.byteLength, sha256: null }],
    notes: 'Generated for tests only; computes colour statistics, not learned features.',
  };
  if (!real.pair) delete e.pair;
  if (e.tokenizer) e.tokenizer.file = { name: 'tokenizer.json', url: `standin://${id}/tokenizer.json`, bytes: tokenizerBytes ?? null, sha256: null };
  return e;
}

export interface Standins {
  manifest: ModelManifest;
  dir: string;
}

async function writeAtomic(file: string, bytes: Uint8Array | string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  await writeFile(tmp, bytes);
  await rename(tmp, file);
}

/** Build every stand-in and its manifest into `dir`. */
export async function makeStandins(dir = STANDIN_DIR, tokenizerPath = SHARED_TOKENIZER): Promise<Standins> {
  const real = shippedManifest();
  const tokenizerJson = await readFile(tokenizerPath);
  const entries: ModelEntry[] = [];
  for (const realId of Object.keys(STANDIN_OF)) {
    const r = findModel(real, realId);
    let bytes: Uint8Array;
    let tokBytes: number | undefined;
    if (r.role === 'clip-image') bytes = buildClipImageStandin(r);
    else if (r.role === 'clip-text') {
      const t = r.tokenizer!;
      bytes = buildClipTextStandin(r, new ClipTokenizer(tokenizerJson, { contextLength: t.contextLength, padId: t.padId }));
      tokBytes = tokenizerJson.byteLength;
    } else if (r.role === 'sam-encoder') bytes = buildSamEncoderStandin(r);
    else if (r.role === 'sam-decoder') bytes = buildSamDecoderStandin(r, findModel(real, 'slimsam-77-encoder'));
    else bytes = buildDepthStandin(r);
    const e = standinEntry(r, bytes, tokBytes);
    await writeAtomic(path.join(dir, e.id, 'model.onnx'), bytes);
    if (e.tokenizer) await writeAtomic(path.join(dir, e.id, 'tokenizer.json'), tokenizerJson);
    entries.push(e);
  }
  const manifestJson = {
    version: 1,
    standInVersion: STANDIN_VERSION,
    comment: 'TEST STAND-INS ONLY. Generated by tests/models/make-standins.ts; never ship these.',
    defaults: { clip: 'standin-mobileclip-s0', clipPaper: 'standin-openclip-vit-b16', sam: 'standin-slimsam-77', depth: 'standin-fastdepth' },
    models: entries,
  };
  await writeAtomic(path.join(dir, 'manifest.json'), JSON.stringify(manifestJson, null, 2));
  return { manifest: parseManifest(manifestJson, { allowStandIns: true }), dir };
}

/** The stand-ins, generated on demand when missing or from an older generator version. */
export async function ensureStandins(dir = STANDIN_DIR): Promise<Standins> {
  const file = path.join(dir, 'manifest.json');
  if (existsSync(file)) {
    try {
      const json = JSON.parse(await readFile(file, 'utf8')) as { standInVersion?: number };
      const complete = json.standInVersion === STANDIN_VERSION && Object.values(STANDIN_OF).every((id) => existsSync(path.join(dir, id, 'model.onnx')));
      if (complete) return { manifest: parseManifest(json, { allowStandIns: true }), dir };
    } catch {
      // unreadable or half-written: rebuild
    }
  }
  return makeStandins(dir);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  makeStandins()
    .then((s) => {
      console.log(`Wrote ${s.manifest.models.length} TEST STAND-IN models to ${path.relative(PROJECT_ROOT, s.dir)}:`);
      for (const m of s.manifest.models) console.log(`  ${m.id.padEnd(36)} ${m.role.padEnd(12)} ${m.files[0].bytes} bytes`);
    })
    .catch((e) => {
      console.error(e instanceof Error ? e.message : e);
      process.exit(1);
    });
}
