/**
 * INRIA 3D Gaussian Splatting .ply, read and write, plus our per-Gaussian semantics.
 *
 * File layout (what the INRIA trainer, gsplat, SuperSplat and Spark exchange): one `vertex`
 * element with x y z [nx ny nz] f_dc_0..2 f_rest_0..(3K-1) opacity scale_0..2 rot_0..3 where
 * opacity is a logit, scale is log(sigma), rot is w,x,y,z (not necessarily unit) and f_rest is
 * CHANNEL-major (all K red coefficients, then green, then blue; K = (d+1)^2 - 1).
 * We add `property ushort semantic` (bank row per Gaussian) and carry the bank in header
 * comments, which every PLY reader skips:
 *   comment segsplat_bank <rows> <dim>
 *   comment segsplat_meta <row> <json>          (label, instanceId, sourceViews, support, box?)
 *   comment segsplat_emb <row> <base64 float32 little-endian, dim values>
 *   comment segsplat_camera <json>               (one per capture camera: id, cameraToWorld, intrinsics)
 *   comment segsplat_world <json>                (capture -> scene transform: matrix, upSource, floorSource)
 * See docs/FORMATS.md. A file without these loads with every index 0 and a background-only bank.
 *
 * The reader takes files from other tools: properties in any order, extra properties, any
 * scalar type (char..double), SH degree 0..3, no normals, binary little/big endian or ascii,
 * other elements before or after `vertex` (fixed-size ones, or lists in ascii).
 */
import { parseSceneInfo, sceneInfoToJson } from './scene-info';
import { GaussianScene, shRestCount } from './gaussian-scene';
import { SemanticBank } from './semantic-bank';
import {
  SceneFileError,
  resolveLimits,
  checkInputSize,
  checkCount,
  assertFiniteArray,
  assertScales,
  assertSemantic,
  normaliseQuaternions,
  bankMetaToJson,
  parseBankMeta,
  asciiJson,
  bytesToBase64,
  base64ToBytes,
  makeBank,
  type ReadLimits,
} from './binary-guards';

const F = 'ply';
export const SH_C0 = 0.28209479177387814;
export const PLY_MAGIC = 'ply\n';
/** Headers beyond this are refused; the bank comments for 65k rows x 512 dims fit well inside. */
const DEFAULT_MAX_HEADER = 256 << 20;

type PlyType = 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'float32' | 'float64';
const TYPE_ALIASES: Record<string, PlyType> = {
  char: 'int8', int8: 'int8', uchar: 'uint8', uint8: 'uint8',
  short: 'int16', int16: 'int16', ushort: 'uint16', uint16: 'uint16',
  int: 'int32', int32: 'int32', uint: 'uint32', uint32: 'uint32',
  float: 'float32', float32: 'float32', double: 'float64', float64: 'float64',
};
const TYPE_SIZE: Record<PlyType, number> = { int8: 1, uint8: 1, int16: 2, uint16: 2, int32: 4, uint32: 4, float32: 4, float64: 8 };

interface PlyProperty {
  name: string;
  type: PlyType;
  /** For list properties: the count type. */
  listCount?: PlyType;
  offset: number;
}
interface PlyElement {
  name: string;
  count: number;
  props: PlyProperty[];
  /** Bytes per item in binary form; -1 when it has list properties. */
  stride: number;
}
export interface PlyHeader {
  format: 'binary_little_endian' | 'binary_big_endian' | 'ascii';
  elements: PlyElement[];
  comments: string[];
  /** Byte offset of the body. */
  bodyOffset: number;
}

export interface PlyReadOptions extends ReadLimits {
  /** Largest header in bytes (default 256 MiB; the bank lives in it). */
  maxHeaderBytes?: number;
  /** Scene budget (default max(count, 4M)). */
  budget?: number;
}

export interface PlyWriteOptions {
  /** Write nx ny nz (zeros) like the INRIA trainer; some strict readers expect them (default true). */
  normals?: boolean;
  /** Storage of the semantic index: 'ushort' (default), 'uint', or 'none' (plain INRIA file, no bank). */
  semantic?: 'ushort' | 'uint' | 'none';
}

const decoder = new TextDecoder('latin1');

function findEndHeader(bytes: Uint8Array, max: number): number {
  // "end_header" followed by \n (or \r\n); returns the offset just after the newline.
  const pat = [101, 110, 100, 95, 104, 101, 97, 100, 101, 114]; // end_header
  const lim = Math.min(bytes.length, max);
  outer: for (let i = 0; i + pat.length < lim; i++) {
    if (bytes[i] !== 101) continue;
    if (i > 0 && bytes[i - 1] !== 10) continue;
    for (let k = 1; k < pat.length; k++) if (bytes[i + k] !== pat[k]) continue outer;
    let j = i + pat.length;
    while (j < bytes.length && (bytes[j] === 32 || bytes[j] === 13)) j++;
    if (j < bytes.length && bytes[j] === 10) return j + 1;
    if (j === bytes.length) return j;
  }
  if (bytes.length > max) throw new SceneFileError(F, `no end_header within the first ${max} bytes (PlyReadOptions.maxHeaderBytes)`);
  throw new SceneFileError(F, 'no end_header line: truncated header');
}

export function isPly(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x70 && bytes[1] === 0x6c && bytes[2] === 0x79 && (bytes[3] === 0x0a || bytes[3] === 0x0d);
}

export function parsePlyHeader(bytes: Uint8Array, maxHeaderBytes = DEFAULT_MAX_HEADER): PlyHeader {
  if (!isPly(bytes)) throw new SceneFileError(F, 'missing "ply" magic line');
  const bodyOffset = findEndHeader(bytes, maxHeaderBytes);
  const lines = decoder.decode(bytes.subarray(0, bodyOffset)).split('\n');
  let format: PlyHeader['format'] | undefined;
  const elements: PlyElement[] = [];
  const comments: string[] = [];
  for (let ln = 1; ln < lines.length; ln++) {
    const line = lines[ln].replace(/\r$/, '');
    const t = line.trim().split(/\s+/);
    if (t[0] === '' || t[0] === 'end_header') continue;
    if (t[0] === 'comment' || t[0] === 'obj_info') {
      comments.push(line.replace(/^\s*(comment|obj_info)\s?/, ''));
    } else if (t[0] === 'format') {
      if (t[1] !== 'binary_little_endian' && t[1] !== 'binary_big_endian' && t[1] !== 'ascii')
        throw new SceneFileError(F, `unknown format "${t[1]}" on header line ${ln + 1}`);
      if (t[2] !== '1.0') throw new SceneFileError(F, `unsupported format version "${t[2]}"`);
      format = t[1];
    } else if (t[0] === 'element') {
      const count = Number(t[2]);
      if (t.length !== 3 || !/^\d+$/.test(t[2]) || !Number.isSafeInteger(count))
        throw new SceneFileError(F, `malformed element line ${ln + 1}: "${line}"`);
      elements.push({ name: t[1], count, props: [], stride: 0 });
    } else if (t[0] === 'property') {
      const el = elements[elements.length - 1];
      if (!el) throw new SceneFileError(F, `property before any element on header line ${ln + 1}`);
      if (t[1] === 'list') {
        const ct = TYPE_ALIASES[t[2]];
        const vt = TYPE_ALIASES[t[3]];
        if (!ct || !vt || !t[4]) throw new SceneFileError(F, `malformed list property on header line ${ln + 1}: "${line}"`);
        el.props.push({ name: t[4], type: vt, listCount: ct, offset: -1 });
        el.stride = -1;
      } else {
        const ty = TYPE_ALIASES[t[1]];
        if (!ty || !t[2]) throw new SceneFileError(F, `unknown property type "${t[1]}" on header line ${ln + 1}`);
        if (el.props.some((p) => p.name === t[2])) throw new SceneFileError(F, `duplicate property "${t[2]}" in element "${el.name}"`);
        el.props.push({ name: t[2], type: ty, offset: el.stride });
        if (el.stride >= 0) el.stride += TYPE_SIZE[ty];
      }
    } else {
      throw new SceneFileError(F, `unknown header keyword "${t[0]}" on line ${ln + 1}`);
    }
  }
  if (!format) throw new SceneFileError(F, 'header has no format line');
  return { format, elements, comments, bodyOffset };
}

type Getter = (dv: DataView, off: number) => number;
function getter(type: PlyType, le: boolean): Getter {
  switch (type) {
    case 'int8': return (dv, o) => dv.getInt8(o);
    case 'uint8': return (dv, o) => dv.getUint8(o);
    case 'int16': return (dv, o) => dv.getInt16(o, le);
    case 'uint16': return (dv, o) => dv.getUint16(o, le);
    case 'int32': return (dv, o) => dv.getInt32(o, le);
    case 'uint32': return (dv, o) => dv.getUint32(o, le);
    case 'float32': return (dv, o) => dv.getFloat32(o, le);
    case 'float64': return (dv, o) => dv.getFloat64(o, le);
  }
}

/** Reads the bank from `segsplat_*` comments; null when the file has none. */
function readBankComments(comments: string[], limits: Required<ReadLimits>): SemanticBank | null {
  const head = comments.find((c) => c.startsWith('segsplat_bank '));
  if (!head) return null;
  const [, rs, ds] = head.trim().split(/\s+/);
  const rows = Number(rs);
  const dim = Number(ds);
  if (!Number.isInteger(rows) || rows < 1 || rows > limits.maxBankEntries)
    throw new SceneFileError(F, `segsplat_bank rows ${rs} must be an integer in 1..${limits.maxBankEntries}`);
  if (!Number.isInteger(dim) || dim < 1 || dim > limits.maxBankDim)
    throw new SceneFileError(F, `segsplat_bank dim ${ds} must be an integer in 1..${limits.maxBankDim}`);
  const metaLines = comments.filter((c) => c.startsWith('segsplat_meta '));
  const embLines = comments.filter((c) => c.startsWith('segsplat_emb '));
  // Count lines before allocating rows*dim floats.
  if (metaLines.length !== rows || embLines.length !== rows)
    throw new SceneFileError(F, `segsplat_bank declares ${rows} rows but the header has ${metaLines.length} meta and ${embLines.length} embedding lines`);
  const emb = new Float32Array(rows * dim);
  const metas = new Array(rows);
  const seenMeta = new Uint8Array(rows);
  const seenEmb = new Uint8Array(rows);
  const rowOf = (line: string, tag: string): [number, string] => {
    const m = /^\S+ (\d+) (.*)$/.exec(line);
    const r = m ? Number(m[1]) : NaN;
    if (!m || !(r >= 0 && r < rows)) throw new SceneFileError(F, `malformed ${tag} comment (row outside 0..${rows - 1})`);
    return [r, m[2]];
  };
  for (const line of metaLines) {
    const [r, json] = rowOf(line, 'segsplat_meta');
    if (seenMeta[r]++) throw new SceneFileError(F, `segsplat_meta row ${r} appears twice`);
    let v: unknown;
    try {
      v = JSON.parse(json);
    } catch {
      throw new SceneFileError(F, `segsplat_meta row ${r} is not valid JSON`);
    }
    metas[r] = parseBankMeta(F, v, r);
  }
  for (const line of embLines) {
    const [r, b64] = rowOf(line, 'segsplat_emb');
    if (seenEmb[r]++) throw new SceneFileError(F, `segsplat_emb row ${r} appears twice`);
    const raw = base64ToBytes(F, b64.trim(), `segsplat_emb row ${r}`);
    if (raw.length !== dim * 4) throw new SceneFileError(F, `segsplat_emb row ${r} has ${raw.length} bytes, expected ${dim * 4}`);
    const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    for (let k = 0; k < dim; k++) emb[r * dim + k] = dv.getFloat32(k * 4, true);
  }
  assertFiniteArray(F, 'bank embedding', emb, dim, rows);
  return makeBank(dim, rows, emb, metas);
}

/** Indices into the f_rest block, or throws when the count is not 3K for a degree 0..3. */
function shDegreeFor(nRest: number): number {
  for (let d = 0; d <= 3; d++) if (shRestCount(d) === nRest) return d;
  throw new SceneFileError(F, `${nRest} f_rest_* properties do not match SH degree 0..3 (0, 9, 24 or 45)`);
}

export function readPly(bytes: Uint8Array, opts: PlyReadOptions = {}): GaussianScene {
  const limits = resolveLimits(opts);
  checkInputSize(F, bytes, limits);
  const header = parsePlyHeader(bytes, opts.maxHeaderBytes ?? DEFAULT_MAX_HEADER);
  const vi = header.elements.findIndex((e) => e.name === 'vertex');
  if (vi < 0) throw new SceneFileError(F, 'no "vertex" element');
  const vertex = header.elements[vi];
  if (header.elements.some((e) => e.name === 'chunk') && vertex.props.some((p) => p.name.startsWith('packed_')))
    throw new SceneFileError(F, 'this is a SuperSplat/PlayCanvas compressed .ply (packed_* properties): decompress it first');
  if (vertex.stride < 0) throw new SceneFileError(F, 'the vertex element has a list property; not a Gaussian splat file');
  const byName = new Map(vertex.props.map((p) => [p.name, p]));
  const need = (n: string): PlyProperty => {
    const p = byName.get(n);
    if (!p) throw new SceneFileError(F, `missing vertex property "${n}": not a 3DGS .ply`);
    return p;
  };
  const px = ['x', 'y', 'z'].map(need);
  const ps = ['scale_0', 'scale_1', 'scale_2'].map(need);
  const pr = ['rot_0', 'rot_1', 'rot_2', 'rot_3'].map(need);
  const po = need('opacity');
  let pdc: PlyProperty[];
  let dcIsByteColour = false;
  if (byName.has('f_dc_0')) pdc = ['f_dc_0', 'f_dc_1', 'f_dc_2'].map(need);
  else if (byName.has('red')) {
    // A coloured point cloud turned splat by some tools: 8-bit colour instead of f_dc.
    pdc = ['red', 'green', 'blue'].map(need);
    dcIsByteColour = true;
  } else throw new SceneFileError(F, 'missing vertex property "f_dc_0" (and no red/green/blue)');
  let nRest = 0;
  while (byName.has(`f_rest_${nRest}`)) nRest++;
  if (vertex.props.some((p) => /^f_rest_\d+$/.test(p.name) && Number(p.name.slice(7)) >= nRest))
    throw new SceneFileError(F, 'f_rest_* properties are not numbered contiguously from 0');
  const degree = shDegreeFor(nRest);
  const K = nRest / 3;
  const prest: PlyProperty[] = [];
  for (let i = 0; i < nRest; i++) prest.push(need(`f_rest_${i}`));
  const psem = byName.get('semantic');

  const count = vertex.count;
  const bodyLen = bytes.length - header.bodyOffset;
  let scene: GaussianScene;
  const bank = readBankComments(header.comments, limits);
  const makeScene = () => {
    const budget = opts.budget ?? Math.max(count, 4_000_000);
    if (budget < count) throw new SceneFileError(F, `file has ${count} Gaussians, more than the requested budget ${budget}`);
    const s = new GaussianScene({ budget, initialCapacity: Math.max(1, count), shDegree: degree, bankDim: bank?.dim ?? 512 });
    if (bank) s.bank = bank;
    s.allocate(count);
    // Files carry no observation weight: loaded Gaussians count as observed once.
    s.weight.fill(1, 0, count);
    return s;
  };
  if (header.format === 'ascii') {
    // Each value needs at least 2 bytes ("0 "): a cheap bound before allocating anything.
    checkCount(F, 'vertices', count, vertex.props.length * 2, bodyLen, limits.maxGaussians);
    const text = decoder.decode(bytes.subarray(header.bodyOffset));
    const lines = text.split('\n');
    let ln = 0;
    for (let e = 0; e < vi; e++) ln += header.elements[e].count;
    if (ln + count > lines.length) throw new SceneFileError(F, `header declares ${count} vertices but the ascii body has too few lines`);
    scene = makeScene();
    const col = (p: PlyProperty) => vertex.props.indexOf(p);
    const cx = px.map(col), cs = ps.map(col), cr = pr.map(col), co = col(po), cdc = pdc.map(col), crest = prest.map(col);
    const csem = psem ? col(psem) : -1;
    const nProps = vertex.props.length;
    for (let i = 0; i < count; i++) {
      const tok = lines[ln + i].trim().split(/\s+/);
      if (tok.length < nProps) throw new SceneFileError(F, `vertex ${i}: ${tok.length} values, expected ${nProps}`);
      const v = (c: number) => Number(tok[c]);
      fillOne(scene, i, K, dcIsByteColour, v, cx, cs, cr, co, cdc, crest, csem);
    }
  } else {
    const le = header.format === 'binary_little_endian';
    let off = header.bodyOffset;
    for (let e = 0; e < vi; e++) {
      const el = header.elements[e];
      if (el.stride < 0) throw new SceneFileError(F, `element "${el.name}" before vertex has list properties; cannot skip it in binary`);
      checkCount(F, `"${el.name}" items`, el.count, el.stride, bytes.length - off, Number.MAX_SAFE_INTEGER);
      off += el.count * el.stride;
    }
    checkCount(F, 'vertices', count, vertex.stride, bytes.length - off, limits.maxGaussians);
    scene = makeScene();
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const g = (p: PlyProperty) => getter(p.type, le);
    const gx = px.map(g), gs = ps.map(g), gr = pr.map(g), go = g(po), gdc = pdc.map(g), grest = prest.map(g);
    const ox = px.map((p) => p.offset), os = ps.map((p) => p.offset), or = pr.map((p) => p.offset);
    const odc = pdc.map((p) => p.offset), orest = prest.map((p) => p.offset);
    const gsem = psem ? g(psem) : null;
    const stride = vertex.stride;
    const P = scene.positions, S = scene.scales, R = scene.rotations, O = scene.opacities, C = scene.colors, H = scene.shRest;
    const SEM = scene.semantic;
    const nr = shRestCount(degree);
    for (let i = 0; i < count; i++) {
      const b = off + i * stride;
      for (let k = 0; k < 3; k++) {
        P[i * 3 + k] = gx[k](dv, b + ox[k]);
        S[i * 3 + k] = Math.exp(gs[k](dv, b + os[k]));
        const dc = gdc[k](dv, b + odc[k]);
        C[i * 3 + k] = dcIsByteColour ? dc / 255 : 0.5 + SH_C0 * dc;
      }
      // file: w x y z -> ours: x y z w
      R[i * 4 + 3] = gr[0](dv, b + or[0]);
      R[i * 4] = gr[1](dv, b + or[1]);
      R[i * 4 + 1] = gr[2](dv, b + or[2]);
      R[i * 4 + 2] = gr[3](dv, b + or[3]);
      O[i] = 1 / (1 + Math.exp(-go(dv, b + po.offset)));
      // channel-major in the file -> coefficient-major RGB-interleaved in the scene
      for (let c = 0; c < 3; c++) for (let k = 0; k < K; k++) H[i * nr + k * 3 + c] = grest[c * K + k](dv, b + orest[c * K + k]);
      if (gsem) {
        const s = gsem(dv, b + psem!.offset);
        if (!(Number.isInteger(s) && s >= 0 && s <= 0xffff)) throw new SceneFileError(F, `semantic index ${s} of vertex ${i} is not a Uint16`);
        SEM[i] = s;
      }
    }
  }
  validateScene(scene, count, degree);
  scene.info = readSceneInfoComments(header.comments);
  return scene;
}

/** Capture cameras and world transform from `segsplat_camera` / `segsplat_world` comments; null when absent. */
function readSceneInfoComments(comments: string[]) {
  const cams = comments.filter((c) => c.startsWith('segsplat_camera '));
  const world = comments.filter((c) => c.startsWith('segsplat_world '));
  if (!cams.length && !world.length) return null;
  if (world.length > 1) throw new SceneFileError(F, 'segsplat_world appears more than once');
  const parse = (line: string, tag: string) => {
    try {
      return JSON.parse(line.slice(tag.length + 1)) as unknown;
    } catch {
      throw new SceneFileError(F, `${tag} comment is not valid JSON`);
    }
  };
  const obj: Record<string, unknown> = { cameras: cams.map((c) => parse(c, 'segsplat_camera')) };
  if (world.length) obj.world = parse(world[0], 'segsplat_world');
  const reg = comments.filter((c) => c.startsWith('segsplat_registration '));
  if (reg.length > 1) throw new SceneFileError(F, 'segsplat_registration appears more than once');
  if (reg.length) obj.colourRegistration = parse(reg[0], 'segsplat_registration');
  return parseSceneInfo(F, obj);
}

function fillOne(
  scene: GaussianScene, i: number, K: number, byteColour: boolean, v: (c: number) => number,
  cx: number[], cs: number[], cr: number[], co: number, cdc: number[], crest: number[], csem: number,
): void {
  const nr = 3 * K;
  for (let k = 0; k < 3; k++) {
    scene.positions[i * 3 + k] = v(cx[k]);
    scene.scales[i * 3 + k] = Math.exp(v(cs[k]));
    scene.colors[i * 3 + k] = byteColour ? v(cdc[k]) / 255 : 0.5 + SH_C0 * v(cdc[k]);
  }
  scene.rotations[i * 4 + 3] = v(cr[0]);
  scene.rotations[i * 4] = v(cr[1]);
  scene.rotations[i * 4 + 1] = v(cr[2]);
  scene.rotations[i * 4 + 2] = v(cr[3]);
  scene.opacities[i] = 1 / (1 + Math.exp(-v(co)));
  for (let c = 0; c < 3; c++) for (let k = 0; k < K; k++) scene.shRest[i * nr + k * 3 + c] = v(crest[c * K + k]);
  if (csem >= 0) {
    const s = v(csem);
    if (!(Number.isInteger(s) && s >= 0 && s <= 0xffff)) throw new SceneFileError(F, `semantic index ${s} of vertex ${i} is not a Uint16`);
    scene.semantic[i] = s;
  }
}

function validateScene(scene: GaussianScene, count: number, degree: number): void {
  assertFiniteArray(F, 'position (x y z)', scene.positions, 3, count);
  // exp(log scale) is inf for log values past ~88 and for +inf: both are rejected here.
  assertScales(F, scene.scales, count);
  assertFiniteArray(F, 'rotation (rot_0..3)', scene.rotations, 4, count);
  normaliseQuaternions(F, scene.rotations, count);
  assertFiniteArray(F, 'opacity', scene.opacities, 1, count);
  assertFiniteArray(F, 'colour (f_dc)', scene.colors, 3, count);
  if (degree > 0) assertFiniteArray(F, 'f_rest', scene.shRest, shRestCount(degree), count);
  assertSemantic(F, scene.semantic, count, scene.bank.count);
}

const logit = (p: number) => {
  // Clamp so that opacity 0 or 1 stays finite in the file (other readers would see NaN/inf).
  const q = Math.min(Math.max(p, 1e-7), 1 - 1e-7);
  return Math.log(q / (1 - q));
};

/** Bytes of one vertex record for the given options and SH degree. */
export function plyStride(shDegree: number, opts: PlyWriteOptions = {}): number {
  const sem = opts.semantic ?? 'ushort';
  return 4 * (3 + (opts.normals ?? true ? 3 : 0) + 3 + shRestCount(shDegree) + 1 + 3 + 4) + (sem === 'ushort' ? 2 : sem === 'uint' ? 4 : 0);
}

export function writePly(scene: GaussianScene, opts: PlyWriteOptions = {}): Uint8Array {
  const normals = opts.normals ?? true;
  const semType = opts.semantic ?? 'ushort';
  const n = scene.count;
  const nr = shRestCount(scene.shDegree);
  const K = nr / 3;
  const h: string[] = ['ply', 'format binary_little_endian 1.0', 'comment written by SegSplat XR (lib/splat/ply.ts)'];
  if (semType !== 'none') {
    const bank = scene.bank;
    h.push(`comment segsplat_bank ${bank.count} ${bank.dim}`);
    for (let r = 0; r < bank.count; r++) h.push(`comment segsplat_meta ${r} ${asciiJson(bankMetaToJson(bank.meta[r]))}`);
    for (let r = 0; r < bank.count; r++) {
      const row = bank.embeddings.slice(r * bank.dim, (r + 1) * bank.dim);
      const le = new Uint8Array(row.length * 4);
      const dv = new DataView(le.buffer);
      for (let k = 0; k < row.length; k++) dv.setFloat32(k * 4, row[k], true);
      h.push(`comment segsplat_emb ${r} ${bytesToBase64(le)}`);
    }
  }
  if (scene.info) {
    const j = sceneInfoToJson(scene.info) as { cameras: unknown[]; world?: unknown; colourRegistration?: unknown };
    for (const c of j.cameras) h.push(`comment segsplat_camera ${asciiJson(c)}`);
    if (j.world) h.push(`comment segsplat_world ${asciiJson(j.world)}`);
    if (j.colourRegistration) h.push(`comment segsplat_registration ${asciiJson(j.colourRegistration)}`);
  }
  h.push(`element vertex ${n}`);
  const props = ['x', 'y', 'z'];
  if (normals) props.push('nx', 'ny', 'nz');
  props.push('f_dc_0', 'f_dc_1', 'f_dc_2');
  for (let i = 0; i < nr; i++) props.push(`f_rest_${i}`);
  props.push('opacity', 'scale_0', 'scale_1', 'scale_2', 'rot_0', 'rot_1', 'rot_2', 'rot_3');
  for (const p of props) h.push(`property float ${p}`);
  if (semType !== 'none') h.push(`property ${semType} semantic`);
  h.push('end_header', '');
  const head = new TextEncoder().encode(h.join('\n'));
  const stride = plyStride(scene.shDegree, opts);
  const out = new Uint8Array(head.length + n * stride);
  out.set(head);
  const dv = new DataView(out.buffer);
  const P = scene.positions, S = scene.scales, R = scene.rotations, O = scene.opacities, C = scene.colors, H = scene.shRest;
  let o = head.length;
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < 3; k++, o += 4) dv.setFloat32(o, P[i * 3 + k], true);
    if (normals) o += 12;
    for (let k = 0; k < 3; k++, o += 4) dv.setFloat32(o, (C[i * 3 + k] - 0.5) / SH_C0, true);
    for (let c = 0; c < 3; c++) for (let k = 0; k < K; k++, o += 4) dv.setFloat32(o, H[i * nr + k * 3 + c], true);
    dv.setFloat32(o, logit(O[i]), true);
    o += 4;
    // log(0) = -inf would poison other readers; 1e-30 m is "zero" for any renderer.
    for (let k = 0; k < 3; k++, o += 4) dv.setFloat32(o, Math.log(Math.max(S[i * 3 + k], 1e-30)), true);
    dv.setFloat32(o, R[i * 4 + 3], true);
    dv.setFloat32(o + 4, R[i * 4], true);
    dv.setFloat32(o + 8, R[i * 4 + 1], true);
    dv.setFloat32(o + 12, R[i * 4 + 2], true);
    o += 16;
    if (semType === 'ushort') {
      dv.setUint16(o, scene.semantic[i], true);
      o += 2;
    } else if (semType === 'uint') {
      dv.setUint32(o, scene.semantic[i], true);
      o += 4;
    }
  }
  return out;
}
