/**
 * Binary glTF (.glb) with the ratified KHR_gaussian_splatting extension, plus our
 * SEGSPLAT_semantics extension for the per-Gaussian bank index and the memory bank.
 *
 * Written: one mesh, one POINTS primitive, float attributes
 *   POSITION VEC3, KHR_gaussian_splatting:ROTATION VEC4 (x y z w, unit),
 *   KHR_gaussian_splatting:SCALE VEC3 (linear, >= 0), KHR_gaussian_splatting:OPACITY SCALAR (0..1),
 *   KHR_gaussian_splatting:SH_DEGREE_0_COEF_0 VEC3 = the SH DC coefficient (colour = 0.5 + C0 * it),
 *   KHR_gaussian_splatting:SH_DEGREE_l_COEF_n VEC3 for l = 1..degree, n = 0..2l (m = -l..l),
 *   SEGSPLAT_semantics:INDEX SCALAR unsigned short;
 * and, when the scene knows them, the capture cameras and world transform in the root SEGSPLAT_capture object;
 * extension object { kernel: "ellipse", colorSpace: "srgb_rec709_display",
 * sortingMethod: "cameraDistance", projection: "perspective" }. See docs/FORMATS.md.
 *
 * The reader pre-checks the GLB container and every accessor's extent against the bytes present
 * before @gltf-transform/core builds arrays from them, and accepts the quantised component types
 * the ratified extension allows (normalized byte/short rotation, byte/short scale and opacity).
 */
import { Document, Logger, WebIO, Primitive, type Accessor } from '@gltf-transform/core';
import { GaussianScene, shRestCount } from './gaussian-scene';
import {
  SceneFileError,
  resolveLimits,
  checkInputSize,
  assertFiniteArray,
  assertScales,
  assertOpacities,
  assertSemantic,
  normaliseQuaternions,
  bankMetaToJson,
  parseBankMeta,
  makeBank,
  toHalf,
  fromHalf,
  type ReadLimits,
} from './binary-guards';
import { KHRGaussianSplatting, SegsplatSemantics, SegsplatCapture, GS_ATTR, KHR_GAUSSIAN_SPLATTING, SEGSPLAT_SEMANTICS, SEGSPLAT_CAPTURE } from './khr-gaussian-splatting';
import { parseSceneInfo, sceneInfoToJson } from './scene-info';

const F = 'glb';
const SH_C0 = 0.28209479177387814;
export const GLB_MAGIC = 0x46546c67; // "glTF"
const CHUNK_JSON = 0x4e4f534a;
const CHUNK_BIN = 0x004e4942;

export interface GlbWriteOptions {
  /** Storage of the bank embeddings (default float32). */
  bankPrecision?: 'float32' | 'float16';
  /** colorSpace written into the KHR_gaussian_splatting object (default srgb_rec709_display). */
  colorSpace?: 'srgb_rec709_display' | 'lin_rec709_display';
}

export interface GlbReadOptions extends ReadLimits {
  budget?: number;
}

export function isGlb(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x67 && bytes[1] === 0x6c && bytes[2] === 0x54 && bytes[3] === 0x46;
}

function newIO(): WebIO {
  // Quiet: unknown optional extensions in foreign files are expected, not worth a console line.
  return new WebIO().setLogger(new Logger(Logger.Verbosity.ERROR)).registerExtensions([KHRGaussianSplatting, SegsplatSemantics, SegsplatCapture]);
}

export async function writeGlb(scene: GaussianScene, opts: GlbWriteOptions = {}): Promise<Uint8Array> {
  const doc = new Document();
  doc.getRoot().getAsset().generator = 'SegSplat XR lib/splat/glb.ts';
  const buffer = doc.createBuffer();
  const khr = doc.createExtension(KHRGaussianSplatting);
  const seg = doc.createExtension(SegsplatSemantics);
  const n = scene.count;
  if (n > 0) {
    const gscene = doc.createScene();
    doc.getRoot().setDefaultScene(gscene);
    const acc = (type: Accessor['getType'] extends () => infer T ? T : never, array: Float32Array<ArrayBuffer> | Uint16Array<ArrayBuffer>) =>
      doc.createAccessor().setType(type).setArray(array).setBuffer(buffer);
    // The ratified extension calls non-unit rotations, negative scales and opacities outside
    // [0, 1] invalid: refuse to write them rather than produce a file other viewers misdraw.
    const W = 'glb write';
    assertFiniteArray(W, 'position', scene.positions, 3, n);
    assertScales(W, scene.scales, n);
    assertOpacities(W, scene.opacities, n);
    assertFiniteArray(W, 'colour', scene.colors, 3, n);
    const rot = scene.rotations.slice(0, n * 4);
    normaliseQuaternions(W, rot, n);
    const prim = doc.createPrimitive().setMode(Primitive.Mode.POINTS);
    prim.setAttribute('POSITION', acc('VEC3', scene.positions.slice(0, n * 3)));
    prim.setAttribute(GS_ATTR.ROTATION, acc('VEC4', rot));
    prim.setAttribute(GS_ATTR.SCALE, acc('VEC3', scene.scales.slice(0, n * 3)));
    prim.setAttribute(GS_ATTR.OPACITY, acc('SCALAR', scene.opacities.slice(0, n)));
    const dc = new Float32Array(n * 3);
    for (let i = 0; i < n * 3; i++) dc[i] = (scene.colors[i] - 0.5) / SH_C0;
    prim.setAttribute(GS_ATTR.sh(0, 0), acc('VEC3', dc));
    const nr = shRestCount(scene.shDegree);
    let coef = 0;
    for (let l = 1; l <= scene.shDegree; l++) {
      for (let m = 0; m < 2 * l + 1; m++, coef++) {
        const a = new Float32Array(n * 3);
        for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) a[i * 3 + c] = scene.shRest[i * nr + coef * 3 + c];
        prim.setAttribute(GS_ATTR.sh(l, m), acc('VEC3', a));
      }
    }
    prim.setAttribute(GS_ATTR.SEMANTIC_INDEX, acc('SCALAR', scene.semantic.slice(0, n)));
    khr.setPrimitive(prim, { kernel: 'ellipse', colorSpace: opts.colorSpace ?? 'srgb_rec709_display', sortingMethod: 'cameraDistance', projection: 'perspective' });
    seg.setPrimitiveBank(prim, 0);
    const mesh = doc.createMesh('gaussians').addPrimitive(prim);
    gscene.addChild(doc.createNode('gaussians').setMesh(mesh));
  }
  const bank = scene.bank;
  const precision = opts.bankPrecision ?? 'float32';
  const vals = bank.count * bank.dim;
  const data = new Uint8Array(vals * (precision === 'float32' ? 4 : 2));
  const dv = new DataView(data.buffer);
  for (let i = 0; i < vals; i++) {
    if (precision === 'float32') dv.setFloat32(i * 4, bank.embeddings[i], true);
    else dv.setUint16(i * 2, toHalf(bank.embeddings[i]), true);
  }
  seg.banks = [{ count: bank.count, dim: bank.dim, componentType: precision, data, entries: bank.meta.map(bankMetaToJson) }];
  if (scene.info) doc.createExtension(SegsplatCapture).info = sceneInfoToJson(scene.info);
  // An empty scene has no splat primitive: no glTF scene (an empty one is invalid) and no KHR use.
  if (n === 0) khr.dispose();
  return newIO().writeBinary(doc);
}

const COMPONENT_SIZE: Record<number, number> = { 5120: 1, 5121: 1, 5122: 2, 5123: 2, 5125: 4, 5126: 4 };
const TYPE_SIZE: Record<string, number> = { SCALAR: 1, VEC2: 2, VEC3: 3, VEC4: 4, MAT2: 4, MAT3: 9, MAT4: 16 };

interface Json {
  [k: string]: unknown;
}

/** Checks the container and every byte range the JSON points at, before anything is decoded. */
function precheck(bytes: Uint8Array, limits: Required<ReadLimits>): void {
  if (bytes.length < 12) throw new SceneFileError(F, `truncated: ${bytes.length} bytes, a GLB header needs 12`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dv.getUint32(0, true) !== GLB_MAGIC) throw new SceneFileError(F, 'bad magic (expected "glTF")');
  const version = dv.getUint32(4, true);
  if (version !== 2) throw new SceneFileError(F, `unsupported GLB version ${version} (expected 2)`);
  const total = dv.getUint32(8, true);
  if (total !== bytes.length) throw new SceneFileError(F, `header length ${total} does not match the ${bytes.length} bytes present (truncated or padded)`);
  if (bytes.length < 20) throw new SceneFileError(F, 'truncated: no JSON chunk header');
  const jsonLen = dv.getUint32(12, true);
  if (dv.getUint32(16, true) !== CHUNK_JSON) throw new SceneFileError(F, 'first chunk is not JSON');
  if (20 + jsonLen > bytes.length) throw new SceneFileError(F, `JSON chunk length ${jsonLen} runs past the end of the file`);
  let json: Json;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes.subarray(20, 20 + jsonLen)));
  } catch {
    throw new SceneFileError(F, 'JSON chunk is not valid JSON');
  }
  let binLen = 0;
  let p = 20 + jsonLen;
  p += (4 - (p % 4)) % 4;
  if (p < bytes.length) {
    if (p + 8 > bytes.length) throw new SceneFileError(F, 'truncated chunk header after JSON');
    binLen = dv.getUint32(p, true);
    if (dv.getUint32(p + 4, true) !== CHUNK_BIN) throw new SceneFileError(F, 'second chunk is not BIN');
    if (p + 8 + binLen > bytes.length) throw new SceneFileError(F, `BIN chunk length ${binLen} runs past the end of the file`);
  }
  const arr = (k: string): Json[] => {
    const v = json[k];
    if (v === undefined) return [];
    if (!Array.isArray(v)) throw new SceneFileError(F, `"${k}" is not an array`);
    return v as Json[];
  };
  const buffers = arr('buffers');
  buffers.forEach((b, i) => {
    if (b.uri !== undefined) throw new SceneFileError(F, `buffer ${i} has a uri: external or data-URI buffers are not accepted`);
    if (i > 0) throw new SceneFileError(F, 'only the GLB BIN buffer is accepted');
    if (!Number.isInteger(b.byteLength) || (b.byteLength as number) > binLen)
      throw new SceneFileError(F, `buffer 0 declares ${String(b.byteLength)} bytes, BIN chunk holds ${binLen}`);
  });
  const views = arr('bufferViews');
  views.forEach((v, i) => {
    const off = (v.byteOffset as number | undefined) ?? 0;
    const len = v.byteLength as number;
    if (v.buffer !== 0 || !buffers[0]) throw new SceneFileError(F, `bufferView ${i} references missing buffer ${String(v.buffer)}`);
    if (!Number.isInteger(off) || !Number.isInteger(len) || off < 0 || len < 0 || off + len > (buffers[0].byteLength as number))
      throw new SceneFileError(F, `bufferView ${i} (offset ${off}, length ${len}) lies outside buffer 0`);
    if (v.byteStride !== undefined && !(Number.isInteger(v.byteStride) && (v.byteStride as number) >= 4 && (v.byteStride as number) <= 252))
      throw new SceneFileError(F, `bufferView ${i} has invalid byteStride ${String(v.byteStride)}`);
  });
  arr('accessors').forEach((a, i) => {
    const count = a.count as number;
    if (!Number.isInteger(count) || count < 1) throw new SceneFileError(F, `accessor ${i} count ${String(count)} is invalid`);
    if (count > limits.maxGaussians) throw new SceneFileError(F, `accessor ${i} count ${count} exceeds the limit of ${limits.maxGaussians}`);
    if (a.sparse !== undefined) throw new SceneFileError(F, `accessor ${i} is sparse: not supported for splats`);
    const cs = COMPONENT_SIZE[a.componentType as number];
    const ts = TYPE_SIZE[a.type as string];
    if (!cs || !ts) throw new SceneFileError(F, `accessor ${i} has unknown componentType/type ${String(a.componentType)}/${String(a.type)}`);
    if (a.bufferView === undefined) return;
    const v = views[a.bufferView as number];
    if (!v) throw new SceneFileError(F, `accessor ${i} references missing bufferView ${String(a.bufferView)}`);
    const elem = cs * ts;
    const stride = (v.byteStride as number | undefined) ?? elem;
    const off = (a.byteOffset as number | undefined) ?? 0;
    const need = off + stride * (count - 1) + elem;
    if (!Number.isInteger(off) || off < 0 || need > (v.byteLength as number))
      throw new SceneFileError(F, `accessor ${i} needs ${need} bytes of bufferView ${String(a.bufferView)}, which has ${String(v.byteLength)}: count lies or data truncated`);
  });
}

/** Reads any attribute into floats, decoding normalized integers per glTF. */
function readFloats(acc: Accessor, comps: number, what: string): Float32Array {
  if (acc.getElementSize() !== comps) throw new SceneFileError(F, `${what} has ${acc.getElementSize()} components, expected ${comps}`);
  const arr = acc.getArray()!;
  if (arr instanceof Float32Array) return arr.slice(0, acc.getCount() * comps);
  const out = new Float32Array(acc.getCount() * comps);
  const el: number[] = [];
  for (let i = 0; i < acc.getCount(); i++) {
    acc.getElement(i, el);
    for (let c = 0; c < comps; c++) out[i * comps + c] = el[c];
  }
  return out;
}

export async function readGlb(bytes: Uint8Array, opts: GlbReadOptions = {}): Promise<GaussianScene> {
  const limits = resolveLimits(opts);
  checkInputSize(F, bytes, limits);
  precheck(bytes, limits);
  let doc: Document;
  try {
    doc = await newIO().readBinary(bytes);
  } catch (e) {
    throw new SceneFileError(F, `could not be parsed: ${(e as Error).message}`);
  }
  const khr = doc.getRoot().listExtensionsUsed().find((e) => e.extensionName === KHR_GAUSSIAN_SPLATTING) as KHRGaussianSplatting | undefined;
  const seg = doc.getRoot().listExtensionsUsed().find((e) => e.extensionName === SEGSPLAT_SEMANTICS) as SegsplatSemantics | undefined;
  const prims: Primitive[] = [];
  for (const mesh of doc.getRoot().listMeshes())
    for (const p of mesh.listPrimitives()) if (khr?.getPrimitive(p)) prims.push(p);
  if (!prims.length && !(seg && seg.banks.length)) throw new SceneFileError(F, `no ${KHR_GAUSSIAN_SPLATTING} primitive in the file`);
  for (const node of doc.getRoot().listNodes()) {
    const mesh = node.getMesh();
    if (!mesh || !mesh.listPrimitives().some((p) => prims.includes(p))) continue;
    const m = node.getWorldMatrix();
    if (m.some((v, i) => Math.abs(v - (i % 5 === 0 ? 1 : 0)) > 1e-6))
      throw new SceneFileError(F, `node "${node.getName()}" transforms the splats; only identity node transforms are supported`);
  }

  // Bank first: semantic indices are checked against it.
  let bank = null;
  if (seg && seg.banks.length) {
    const b = seg.banks[0];
    if (!Number.isInteger(b.count) || b.count < 1 || b.count > limits.maxBankEntries) throw new SceneFileError(F, `bank count ${b.count} is invalid`);
    if (!Number.isInteger(b.dim) || b.dim < 1 || b.dim > limits.maxBankDim) throw new SceneFileError(F, `bank dim ${b.dim} is invalid`);
    const bpv = b.componentType === 'float32' ? 4 : b.componentType === 'float16' ? 2 : 0;
    if (!bpv) throw new SceneFileError(F, `bank componentType "${String(b.componentType)}" is not float32 or float16`);
    if (b.data.byteLength !== b.count * b.dim * bpv)
      throw new SceneFileError(F, `bank bufferView has ${b.data.byteLength} bytes, expected ${b.count} x ${b.dim} x ${bpv}`);
    if (!Array.isArray(b.entries) || b.entries.length !== b.count) throw new SceneFileError(F, `bank has ${b.count} rows but ${b.entries?.length ?? 'no'} entries`);
    const emb = new Float32Array(b.count * b.dim);
    const dv = new DataView(b.data.buffer, b.data.byteOffset, b.data.byteLength);
    for (let i = 0; i < emb.length; i++) emb[i] = bpv === 4 ? dv.getFloat32(i * 4, true) : fromHalf(dv.getUint16(i * 2, true));
    assertFiniteArray(F, 'bank embedding', emb, b.dim, b.count);
    bank = makeBank(b.dim, b.count, emb, b.entries.map((e, i) => parseBankMeta(F, e, i)));
  }

  let total = 0;
  let degree = -1;
  for (const p of prims) {
    const def = khr!.getPrimitive(p)!;
    if (def.kernel !== 'ellipse') throw new SceneFileError(F, `kernel "${def.kernel}" is not supported (only "ellipse")`);
    if (p.getMode() !== Primitive.Mode.POINTS) throw new SceneFileError(F, 'splat primitive mode is not POINTS');
    const pos = p.getAttribute('POSITION');
    if (!pos) throw new SceneFileError(F, 'splat primitive has no POSITION');
    let d = 0;
    while (d < 3 && p.getAttribute(GS_ATTR.sh(d + 1, 0))) d++;
    if (degree >= 0 && d !== degree) throw new SceneFileError(F, 'splat primitives disagree on SH degree');
    degree = d;
    total += pos.getCount();
    const sb = seg?.getPrimitiveBank(p);
    if (sb !== undefined && sb !== null && sb !== 0) throw new SceneFileError(F, `primitive uses bank ${sb}; only bank 0 is supported`);
  }
  degree = Math.max(degree, 0);
  if (total > limits.maxGaussians) throw new SceneFileError(F, `${total} Gaussians exceed the limit of ${limits.maxGaussians}`);
  const budget = opts.budget ?? Math.max(total, 4_000_000);
  if (budget < total) throw new SceneFileError(F, `file has ${total} Gaussians, more than the requested budget ${budget}`);
  const scene = new GaussianScene({ budget, initialCapacity: Math.max(1, total), shDegree: degree, bankDim: bank?.dim ?? 512 });
  if (bank) scene.bank = bank;
  const nr = shRestCount(degree);
  for (const p of prims) {
    const n = p.getAttribute('POSITION')!.getCount();
    const get = (name: string, comps: number) => {
      const a = p.getAttribute(name);
      if (!a) throw new SceneFileError(F, `splat primitive is missing required attribute ${name}`);
      if (a.getCount() !== n) throw new SceneFileError(F, `${name} has ${a.getCount()} elements, POSITION has ${n}`);
      return readFloats(a, comps, name);
    };
    const start = scene.allocate(n);
    scene.weight.fill(1, start, start + n); // files carry no observation weight
    scene.positions.set(get('POSITION', 3), start * 3);
    scene.rotations.set(get(GS_ATTR.ROTATION, 4), start * 4);
    scene.scales.set(get(GS_ATTR.SCALE, 3), start * 3);
    scene.opacities.set(get(GS_ATTR.OPACITY, 1), start);
    const dc = get(GS_ATTR.sh(0, 0), 3);
    for (let i = 0; i < n * 3; i++) scene.colors[start * 3 + i] = 0.5 + SH_C0 * dc[i];
    let coef = 0;
    for (let l = 1; l <= degree; l++)
      for (let m = 0; m < 2 * l + 1; m++, coef++) {
        const a = get(GS_ATTR.sh(l, m), 3);
        for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) scene.shRest[(start + i) * nr + coef * 3 + c] = a[i * 3 + c];
      }
    const si = p.getAttribute(GS_ATTR.SEMANTIC_INDEX);
    if (si) {
      if (si.getCount() !== n || si.getElementSize() !== 1) throw new SceneFileError(F, `${GS_ATTR.SEMANTIC_INDEX} does not match POSITION`);
      if (si.getNormalized()) throw new SceneFileError(F, `${GS_ATTR.SEMANTIC_INDEX} must not be normalized`);
      const arr = si.getArray()!;
      for (let i = 0; i < n; i++) {
        const v = arr[i];
        if (!(Number.isInteger(v) && v >= 0 && v <= 0xffff)) throw new SceneFileError(F, `semantic index ${v} of Gaussian ${i} is not a Uint16`);
        scene.semantic[start + i] = v;
      }
    }
  }
  const n = scene.count;
  assertFiniteArray(F, 'POSITION', scene.positions, 3, n);
  assertScales(F, scene.scales, n);
  assertFiniteArray(F, 'ROTATION', scene.rotations, 4, n);
  normaliseQuaternions(F, scene.rotations, n);
  assertOpacities(F, scene.opacities, n);
  assertFiniteArray(F, 'SH_DEGREE_0_COEF_0', scene.colors, 3, n);
  if (degree > 0) assertFiniteArray(F, 'SH coefficients', scene.shRest, nr, n);
  assertSemantic(F, scene.semantic, n, scene.bank.count);
  const cap = doc.getRoot().listExtensionsUsed().find((e) => e.extensionName === SEGSPLAT_CAPTURE) as SegsplatCapture | undefined;
  if (cap && cap.info !== null) scene.info = parseSceneInfo(F, cap.info);
  return scene;
}
