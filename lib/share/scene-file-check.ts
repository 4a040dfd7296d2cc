/**
 * Checks a large scene file on disk in bounded memory, for uploads too big to decode whole on the
 * server (lib/splat's readers take the whole file and build the full scene, several times the file
 * size in memory). What is checked, reading at most `CHUNK` bytes (plus the glTF JSON) at a time:
 *
 * - .glb: the container (magic, version, total length = file size, JSON then BIN chunk inside the
 *   file), every buffer / bufferView / accessor extent against the bytes present (the same rules as
 *   lib/splat/glb.ts's precheck), at least one KHR_gaussian_splatting POINTS primitive whose
 *   required attributes all have POSITION's count, the Gaussian and bank limits, every float
 *   attribute finite (scanned through the file), and every semantic index inside the bank.
 * - compact (SGSC): the 76-byte header with the reader's own consistency rules, then the deflate
 *   stream inflated chunk by chunk (fflate's streaming Inflate) and its length compared with the
 *   header's promise; a truncated or corrupt stream is refused.
 *
 * The headset's full reader still runs when the file is opened; this is the server's guarantee
 * that a stored file is structurally whole, not a second decoder.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { Inflate } from 'fflate';
import { COMPACT_HEADER_BYTES, COMPACT_VERSION, compactPayloadBytes } from '../splat/compact';
import { DEFAULT_LIMITS } from '../splat/binary-guards';
import { GS_ATTR, KHR_GAUSSIAN_SPLATTING, SEGSPLAT_SEMANTICS } from '../splat/khr-gaussian-splatting';

const CHUNK = 1 << 20;
/** Largest glTF JSON chunk parsed (splat files carry a few KB; bank metadata can add some). */
export const MAX_GLB_JSON_BYTES = 16 << 20;

const CHUNK_JSON = 0x4e4f534a;
const CHUNK_BIN = 0x004e4942;
const COMPONENT_SIZE: Record<number, number> = { 5120: 1, 5121: 1, 5122: 2, 5123: 2, 5125: 4, 5126: 4 };
const TYPE_SIZE: Record<string, number> = { SCALAR: 1, VEC2: 2, VEC3: 3, VEC4: 4, MAT2: 4, MAT3: 9, MAT4: 16 };
const FLOAT = 5126;
const POINTS = 0;

export interface FileCheckResult {
  gaussians: number;
  bankRows: number;
}

type Json = Record<string, unknown>;

/** Thrown for a file that fails a check; the message names the problem (becomes the 400's). */
export class SceneCheckError extends Error {
  constructor(format: string, message: string) {
    super(`${format}: ${message}`);
    this.name = 'SceneCheckError';
  }
}

async function readAt(fh: FileHandle, pos: number, len: number): Promise<Uint8Array> {
  const buf = new Uint8Array(len);
  let got = 0;
  while (got < len) {
    const { bytesRead } = await fh.read(buf, got, len - got, pos + got);
    if (bytesRead === 0) throw new Error(`file ended at ${pos + got} while reading ${len} bytes at ${pos}`);
    got += bytesRead;
  }
  return buf;
}

export async function checkSceneFile(file: string, format: 'glb' | 'compact'): Promise<FileCheckResult> {
  const fh = await open(file, 'r');
  try {
    const size = (await fh.stat()).size;
    return format === 'glb' ? await checkGlb(fh, size) : await checkCompact(fh, size);
  } finally {
    await fh.close();
  }
}

async function checkGlb(fh: FileHandle, size: number): Promise<FileCheckResult> {
  const fail = (m: string) => new SceneCheckError('glb', m);
  if (size < 20) throw fail(`truncated: ${size} bytes, a GLB header and JSON chunk header need 20`);
  const head = await readAt(fh, 0, 20);
  const dv = new DataView(head.buffer);
  if (dv.getUint32(4, true) !== 2) throw fail(`unsupported GLB version ${dv.getUint32(4, true)} (expected 2)`);
  const total = dv.getUint32(8, true);
  if (total !== size) throw fail(`header length ${total} does not match the ${size} bytes present (truncated or padded)`);
  const jsonLen = dv.getUint32(12, true);
  if (dv.getUint32(16, true) !== CHUNK_JSON) throw fail('first chunk is not JSON');
  if (20 + jsonLen > size) throw fail(`JSON chunk length ${jsonLen} runs past the end of the file`);
  if (jsonLen > MAX_GLB_JSON_BYTES) throw fail(`JSON chunk of ${jsonLen} bytes is over the ${MAX_GLB_JSON_BYTES} this server parses`);
  let json: Json;
  try {
    json = JSON.parse(new TextDecoder().decode(await readAt(fh, 20, jsonLen))) as Json;
  } catch {
    throw fail('JSON chunk is not valid JSON');
  }
  let p = 20 + jsonLen;
  p += (4 - (p % 4)) % 4;
  let binLen = 0;
  let binStart = 0;
  if (p < size) {
    if (p + 8 > size) throw fail('truncated chunk header after JSON');
    const ch = new DataView((await readAt(fh, p, 8)).buffer);
    binLen = ch.getUint32(0, true);
    if (ch.getUint32(4, true) !== CHUNK_BIN) throw fail('second chunk is not BIN');
    if (p + 8 + binLen > size) throw fail(`BIN chunk length ${binLen} runs past the end of the file`);
    binStart = p + 8;
  }
  const arr = (o: Json, k: string): Json[] => {
    const v = o[k];
    if (v === undefined) return [];
    if (!Array.isArray(v)) throw fail(`"${k}" is not an array`);
    return v as Json[];
  };
  const buffers = arr(json, 'buffers');
  buffers.forEach((b, i) => {
    if (b.uri !== undefined) throw fail(`buffer ${i} has a uri: external or data-URI buffers are not accepted`);
    if (i > 0) throw fail('only the GLB BIN buffer is accepted');
    if (!Number.isInteger(b.byteLength) || (b.byteLength as number) > binLen) throw fail(`buffer 0 declares ${String(b.byteLength)} bytes, BIN chunk holds ${binLen}`);
  });
  const views = arr(json, 'bufferViews');
  views.forEach((v, i) => {
    const off = (v.byteOffset as number | undefined) ?? 0;
    const len = v.byteLength as number;
    if (v.buffer !== 0 || !buffers[0]) throw fail(`bufferView ${i} references missing buffer ${String(v.buffer)}`);
    if (!Number.isInteger(off) || !Number.isInteger(len) || off < 0 || len < 0 || off + len > (buffers[0].byteLength as number))
      throw fail(`bufferView ${i} (offset ${off}, length ${len}) lies outside buffer 0`);
    if (v.byteStride !== undefined && !(Number.isInteger(v.byteStride) && (v.byteStride as number) >= 4 && (v.byteStride as number) <= 252))
      throw fail(`bufferView ${i} has invalid byteStride ${String(v.byteStride)}`);
  });
  const accessors = arr(json, 'accessors');
  accessors.forEach((a, i) => {
    const count = a.count as number;
    if (!Number.isInteger(count) || count < 1) throw fail(`accessor ${i} count ${String(count)} is invalid`);
    if (count > DEFAULT_LIMITS.maxGaussians) throw fail(`accessor ${i} count ${count} exceeds the limit of ${DEFAULT_LIMITS.maxGaussians}`);
    if (a.sparse !== undefined) throw fail(`accessor ${i} is sparse: not supported for splats`);
    const cs = COMPONENT_SIZE[a.componentType as number];
    const ts = TYPE_SIZE[a.type as string];
    if (!cs || !ts) throw fail(`accessor ${i} has unknown componentType/type ${String(a.componentType)}/${String(a.type)}`);
    if (a.bufferView === undefined) return;
    const v = views[a.bufferView as number];
    if (!v) throw fail(`accessor ${i} references missing bufferView ${String(a.bufferView)}`);
    const elem = cs * ts;
    const stride = (v.byteStride as number | undefined) ?? elem;
    const off = (a.byteOffset as number | undefined) ?? 0;
    const need = off + stride * (count - 1) + elem;
    if (!Number.isInteger(off) || off < 0 || need > (v.byteLength as number))
      throw fail(`accessor ${i} needs ${need} bytes of bufferView ${String(a.bufferView)}, which has ${String(v.byteLength)}: count lies or data truncated`);
  });

  const used = arr(json, 'extensionsUsed');
  if (!used.includes(KHR_GAUSSIAN_SPLATTING as unknown as Json)) throw fail(`no ${KHR_GAUSSIAN_SPLATTING} primitive in the file`);
  const segRoot = (json.extensions as Json | undefined)?.[SEGSPLAT_SEMANTICS] as Json | undefined;
  const bank = Array.isArray(segRoot?.banks) ? ((segRoot!.banks as Json[])[0] ?? null) : null;
  let bankRows = 0;
  if (bank) {
    bankRows = bank.count as number;
    if (!Number.isInteger(bankRows) || bankRows < 1 || bankRows > DEFAULT_LIMITS.maxBankEntries) throw fail(`bank count ${String(bank.count)} is invalid`);
    if (!Array.isArray(bank.entries) || bank.entries.length !== bankRows) throw fail(`bank has ${bankRows} rows but ${Array.isArray(bank.entries) ? bank.entries.length : 'no'} entries`);
  }

  const required = [GS_ATTR.ROTATION, GS_ATTR.SCALE, GS_ATTR.OPACITY, GS_ATTR.sh(0, 0)];
  let gaussians = 0;
  let prims = 0;
  for (const mesh of arr(json, 'meshes'))
    for (const prim of arr(mesh, 'primitives')) {
      if (!(prim.extensions as Json | undefined)?.[KHR_GAUSSIAN_SPLATTING]) continue;
      prims++;
      if ((prim.mode ?? 4) !== POINTS) throw fail('splat primitive mode is not POINTS');
      const attrs = (prim.attributes ?? {}) as Record<string, number>;
      const acc = (name: string) => {
        const a = accessors[attrs[name]];
        if (attrs[name] === undefined || !a) throw fail(`splat primitive is missing required attribute ${name}`);
        return a;
      };
      const n = acc('POSITION').count as number;
      for (const name of required) if (acc(name).count !== n) throw fail(`${name} has ${String(acc(name).count)} elements, POSITION has ${n}`);
      gaussians += n;
      for (const [name, index] of Object.entries(attrs)) {
        const a = accessors[index];
        if (!a) throw fail(`attribute ${name} references missing accessor ${index}`);
        if (a.bufferView === undefined) continue;
        if (a.componentType === FLOAT) await scanAccessor(fh, binStart, views, a, name, (v) => Number.isFinite(v), 'not finite');
        else if (name === GS_ATTR.SEMANTIC_INDEX && a.componentType === 5123)
          await scanAccessor(fh, binStart, views, a, name, (v) => v < Math.max(bankRows, 1), `outside the ${bankRows}-row bank`);
      }
    }
  if (!prims) throw fail(`no ${KHR_GAUSSIAN_SPLATTING} primitive in the file`);
  if (gaussians > DEFAULT_LIMITS.maxGaussians) throw fail(`${gaussians} Gaussians exceed the limit of ${DEFAULT_LIMITS.maxGaussians}`);
  return { gaussians, bankRows };
}

/** Reads an accessor's elements through the file in CHUNK-sized windows and tests every value. */
async function scanAccessor(fh: FileHandle, binStart: number, views: Json[], a: Json, name: string, ok: (v: number) => boolean, what: string): Promise<void> {
  const v = views[a.bufferView as number];
  const comps = TYPE_SIZE[a.type as string];
  const cs = COMPONENT_SIZE[a.componentType as number];
  const elem = comps * cs;
  const stride = (v.byteStride as number | undefined) ?? elem;
  const count = a.count as number;
  const base = binStart + ((v.byteOffset as number | undefined) ?? 0) + ((a.byteOffset as number | undefined) ?? 0);
  const perWindow = Math.max(1, Math.floor(CHUNK / stride));
  for (let first = 0; first < count; first += perWindow) {
    const n = Math.min(perWindow, count - first);
    const buf = await readAt(fh, base + first * stride, stride * (n - 1) + elem);
    const dv = new DataView(buf.buffer);
    for (let i = 0; i < n; i++)
      for (let c = 0; c < comps; c++) {
        const o = i * stride + c * cs;
        const x = cs === 4 ? dv.getFloat32(o, true) : dv.getUint16(o, true);
        if (!ok(x)) throw new SceneCheckError('glb', `${name} value ${x} of Gaussian ${first + i} is ${what}`);
      }
  }
}

async function checkCompact(fh: FileHandle, size: number): Promise<FileCheckResult> {
  const fail = (m: string) => new SceneCheckError('compact', m);
  if (size < COMPACT_HEADER_BYTES) throw fail(`truncated header: ${size} of ${COMPACT_HEADER_BYTES} bytes`);
  const dv = new DataView((await readAt(fh, 0, COMPACT_HEADER_BYTES)).buffer);
  const version = dv.getUint16(4, true);
  if (version !== COMPACT_VERSION) throw fail(`unsupported version ${version} (this reader knows ${COMPACT_VERSION})`);
  const deg = dv.getUint8(6);
  if (deg > 3) throw fail(`SH degree ${deg} is not 0..3`);
  const n = dv.getUint32(8, true);
  const rows = dv.getUint32(12, true);
  const dim = dv.getUint32(16, true);
  const metaBytes = dv.getUint32(20, true);
  if (n > DEFAULT_LIMITS.maxGaussians) throw fail(`count ${n} exceeds the limit of ${DEFAULT_LIMITS.maxGaussians}`);
  if (rows < 1 || rows > DEFAULT_LIMITS.maxBankEntries) throw fail(`bank rows ${rows} not in 1..${DEFAULT_LIMITS.maxBankEntries}`);
  if (dim < 1 || dim > DEFAULT_LIMITS.maxBankDim) throw fail(`bank dim ${dim} not in 1..${DEFAULT_LIMITS.maxBankDim}`);
  const hdr = Array.from({ length: 11 }, (_, k) => dv.getFloat32(24 + 4 * k, true));
  if (!hdr.every(Number.isFinite)) throw fail('header holds a non-finite quantisation range');
  const payloadBytes = dv.getUint32(68, true);
  const zBytes = dv.getUint32(72, true);
  const expected = compactPayloadBytes(n, deg, rows, dim, metaBytes);
  if (payloadBytes !== expected) throw fail(`header payload size ${payloadBytes} does not match its counts (${expected}): header lies`);
  if (zBytes !== size - COMPACT_HEADER_BYTES) throw fail(`header says ${zBytes} compressed bytes, ${size - COMPACT_HEADER_BYTES} present: truncated or padded`);
  if (expected > Math.max(1024, zBytes * 1100)) throw fail(`payload of ${expected} bytes cannot come from ${zBytes} deflated bytes`);
  let out = 0;
  let ended = false;
  const inflate = new Inflate((chunk, final) => {
    out += chunk.byteLength;
    if (final) ended = true;
  });
  try {
    for (let pos = COMPACT_HEADER_BYTES; pos < size; pos += CHUNK) {
      const len = Math.min(CHUNK, size - pos);
      inflate.push(await readAt(fh, pos, len), pos + len >= size);
      if (out > expected) throw fail(`payload inflates past the ${expected} bytes the header promised`);
    }
  } catch (e) {
    if (e instanceof SceneCheckError) throw e;
    throw fail(`deflate stream is corrupt or truncated (${(e as Error).message})`);
  }
  if (!ended || out !== expected) throw fail(`payload inflated to ${out} bytes, header promised ${expected}${ended ? '' : ' (stream truncated)'}`);
  return { gaussians: n, bankRows: rows };
}
