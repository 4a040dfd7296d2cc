/**
 * Compact scene form for sharing over the network ("SGSC", version 1): quantised attributes in
 * structure-of-arrays byte planes, deflated with fflate, behind a fixed 76-byte header.
 *
 * Quantisation (errors are for the decoder's reconstruction):
 * - position: 16-bit per axis over the scene's bounding box (error <= extent / 131070 per axis,
 *   0.03 mm for a 4 m room);
 * - scale: 8-bit ln(scale) over [lnMin, lnMax] of the scene (relative error <= (lnMax-lnMin)/510);
 * - rotation: "smallest three", 32 bits: 2-bit index of the largest |component| plus three 10-bit
 *   components in [-1/sqrt2, 1/sqrt2] (about 0.1 degree);
 * - opacity: 8-bit over [0, 1]; colour: 8-bit per channel over [colourMin, colourMax] (normally
 *   [0, 1]: 1/510 error); higher SH: 8-bit over [-shAbsMax, shAbsMax];
 * - semantic index: 16-bit, exact; bank: float16 [rows, dim]; bank metadata: UTF-8 JSON.
 * Multi-byte streams are split into byte planes (low bytes, then high bytes), which deflate far
 * better than interleaved words. Byte layout: docs/FORMATS.md.
 */
import { deflateSync, inflateSync } from 'fflate';
import { GaussianScene, shRestCount } from './gaussian-scene';
import {
  SceneFileError,
  resolveLimits,
  checkInputSize,
  assertFiniteArray,
  assertScales,
  assertSemantic,
  bankMetaToJson,
  parseBankMeta,
  makeBank,
  toHalf,
  fromHalf,
  type ReadLimits,
} from './binary-guards';
import { parseSceneInfo, sceneInfoToJson } from './scene-info';

const F = 'compact';
export const COMPACT_MAGIC = [0x53, 0x47, 0x53, 0x43]; // "SGSC"
/** Version 2: the metadata JSON is an object { bank: [...], scene?: SceneInfo } (version 1: the bank array alone). */
export const COMPACT_VERSION = 2;
export const COMPACT_HEADER_BYTES = 76;

export interface CompactWriteOptions {
  /** fflate deflate level 0..9 (default 6). */
  level?: 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9;
}
export interface CompactReadOptions extends ReadLimits {
  budget?: number;
}

export function isCompact(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && COMPACT_MAGIC.every((b, i) => bytes[i] === b);
}

/** Uncompressed payload bytes for the given sizes; the reader checks the header against it. */
export function compactPayloadBytes(count: number, shDegree: number, bankRows: number, bankDim: number, metaBytes: number): number {
  return count * (6 + 4 + 3 + 1 + 3 + shRestCount(shDegree) + 2) + bankRows * bankDim * 2 + metaBytes;
}

const SQRT1_2 = Math.SQRT1_2;

function packQuat(x: number, y: number, z: number, w: number): number {
  const q = [x, y, z, w];
  let big = 0;
  for (let k = 1; k < 4; k++) if (Math.abs(q[k]) > Math.abs(q[big])) big = k;
  const sign = q[big] < 0 ? -1 : 1;
  let bits = big;
  let shift = 2;
  for (let k = 0; k < 4; k++) {
    if (k === big) continue;
    const v = (q[k] * sign) / SQRT1_2; // -1..1
    const code = Math.max(0, Math.min(1023, Math.round((v * 0.5 + 0.5) * 1023)));
    bits |= code << shift;
    shift += 10;
  }
  return bits >>> 0;
}

function unpackQuat(bits: number, out: Float32Array, o: number): void {
  const big = bits & 3;
  let shift = 2;
  let sum = 0;
  const q = [0, 0, 0, 0];
  for (let k = 0; k < 4; k++) {
    if (k === big) continue;
    const code = (bits >>> shift) & 1023;
    shift += 10;
    const v = ((code / 1023) * 2 - 1) * SQRT1_2;
    q[k] = v;
    sum += v * v;
  }
  q[big] = Math.sqrt(Math.max(0, 1 - sum));
  const n = Math.hypot(q[0], q[1], q[2], q[3]);
  out[o] = q[0] / n;
  out[o + 1] = q[1] / n;
  out[o + 2] = q[2] / n;
  out[o + 3] = q[3] / n;
}

const q8 = (v: number, lo: number, hi: number) => (hi > lo ? Math.max(0, Math.min(255, Math.round(((v - lo) / (hi - lo)) * 255))) : 0);
const d8 = (c: number, lo: number, hi: number) => lo + (c / 255) * (hi - lo);

export function writeCompact(scene: GaussianScene, opts: CompactWriteOptions = {}): Uint8Array {
  const n = scene.count;
  const deg = scene.shDegree;
  const nr = shRestCount(deg);
  const P = scene.positions, S = scene.scales, R = scene.rotations, O = scene.opacities, C = scene.colors, H = scene.shRest;
  assertFiniteArray(F, 'position', P, 3, n);
  assertScales(F, S, n);
  assertFiniteArray(F, 'rotation', R, 4, n);
  assertFiniteArray(F, 'opacity', O, 1, n);
  assertFiniteArray(F, 'colour', C, 3, n);
  if (nr) assertFiniteArray(F, 'SH coefficients', H, nr, n);
  const min = [Infinity, Infinity, Infinity], max = [-Infinity, -Infinity, -Infinity];
  let lnMin = Infinity, lnMax = -Infinity, cMin = 0, cMax = 1, shMax = 0;
  const LN_FLOOR = Math.log(1e-30);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < 3; k++) {
      const p = P[i * 3 + k];
      if (p < min[k]) min[k] = p;
      if (p > max[k]) max[k] = p;
      const l = Math.max(LN_FLOOR, Math.log(S[i * 3 + k]));
      if (l < lnMin) lnMin = l;
      if (l > lnMax) lnMax = l;
      const c = C[i * 3 + k];
      if (c < cMin) cMin = c;
      if (c > cMax) cMax = c;
    }
  }
  for (let i = 0; i < n * nr; i++) shMax = Math.max(shMax, Math.abs(H[i]));
  if (n === 0) {
    min.fill(0);
    max.fill(0);
    lnMin = lnMax = 0;
  }
  const bank = scene.bank;
  const metaObj: Record<string, unknown> = { bank: bank.meta.map(bankMetaToJson) };
  if (scene.info) metaObj.scene = sceneInfoToJson(scene.info);
  const meta = new TextEncoder().encode(JSON.stringify(metaObj));
  const payloadBytes = compactPayloadBytes(n, deg, bank.count, bank.dim, meta.length);
  const pay = new Uint8Array(payloadBytes);
  let o = 0;
  // positions: x lo, x hi, y lo, y hi, z lo, z hi planes
  for (let k = 0; k < 3; k++) {
    const ext = max[k] - min[k];
    for (let i = 0; i < n; i++) {
      const code = ext > 0 ? Math.round(((P[i * 3 + k] - min[k]) / ext) * 65535) : 0;
      pay[o + i] = code & 255;
      pay[o + n + i] = code >>> 8;
    }
    o += 2 * n;
  }
  for (let i = 0; i < n; i++) {
    const b = packQuat(R[i * 4], R[i * 4 + 1], R[i * 4 + 2], R[i * 4 + 3]);
    pay[o + i] = b & 255;
    pay[o + n + i] = (b >>> 8) & 255;
    pay[o + 2 * n + i] = (b >>> 16) & 255;
    pay[o + 3 * n + i] = b >>> 24;
  }
  o += 4 * n;
  for (let k = 0; k < 3; k++, o += n) for (let i = 0; i < n; i++) pay[o + i] = q8(Math.max(LN_FLOOR, Math.log(S[i * 3 + k])), lnMin, lnMax);
  for (let i = 0; i < n; i++) pay[o + i] = q8(O[i], 0, 1);
  o += n;
  for (let k = 0; k < 3; k++, o += n) for (let i = 0; i < n; i++) pay[o + i] = q8(C[i * 3 + k], cMin, cMax);
  for (let k = 0; k < nr; k++, o += n) for (let i = 0; i < n; i++) pay[o + i] = q8(H[i * nr + k], -shMax, shMax);
  for (let i = 0; i < n; i++) {
    pay[o + i] = scene.semantic[i] & 255;
    pay[o + n + i] = scene.semantic[i] >>> 8;
  }
  o += 2 * n;
  const bv = bank.count * bank.dim;
  for (let i = 0; i < bv; i++) {
    const h = toHalf(bank.embeddings[i]);
    pay[o + i] = h & 255;
    pay[o + bv + i] = h >>> 8;
  }
  o += 2 * bv;
  pay.set(meta, o);
  const z = deflateSync(pay, { level: opts.level ?? 6 });
  const out = new Uint8Array(COMPACT_HEADER_BYTES + z.length);
  const dv = new DataView(out.buffer);
  out.set(COMPACT_MAGIC, 0);
  dv.setUint16(4, COMPACT_VERSION, true);
  dv.setUint8(6, deg);
  dv.setUint8(7, 0);
  dv.setUint32(8, n, true);
  dv.setUint32(12, bank.count, true);
  dv.setUint32(16, bank.dim, true);
  dv.setUint32(20, meta.length, true);
  for (let k = 0; k < 3; k++) {
    dv.setFloat32(24 + k * 4, min[k], true);
    dv.setFloat32(36 + k * 4, max[k], true);
  }
  dv.setFloat32(48, lnMin, true);
  dv.setFloat32(52, lnMax, true);
  dv.setFloat32(56, cMin, true);
  dv.setFloat32(60, cMax, true);
  dv.setFloat32(64, shMax, true);
  dv.setUint32(68, payloadBytes, true);
  dv.setUint32(72, z.length, true);
  out.set(z, COMPACT_HEADER_BYTES);
  return out;
}

export function readCompact(bytes: Uint8Array, opts: CompactReadOptions = {}): GaussianScene {
  const limits = resolveLimits(opts);
  checkInputSize(F, bytes, limits);
  if (!isCompact(bytes)) throw new SceneFileError(F, 'bad magic (expected "SGSC")');
  if (bytes.length < COMPACT_HEADER_BYTES) throw new SceneFileError(F, `truncated header: ${bytes.length} of ${COMPACT_HEADER_BYTES} bytes`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = dv.getUint16(4, true);
  if (version !== 1 && version !== COMPACT_VERSION) throw new SceneFileError(F, `unsupported version ${version} (this reader knows 1 and ${COMPACT_VERSION})`);
  const deg = dv.getUint8(6);
  if (deg > 3) throw new SceneFileError(F, `SH degree ${deg} is not 0..3`);
  const n = dv.getUint32(8, true);
  const rows = dv.getUint32(12, true);
  const dim = dv.getUint32(16, true);
  const metaBytes = dv.getUint32(20, true);
  if (n > limits.maxGaussians) throw new SceneFileError(F, `count ${n} exceeds the limit of ${limits.maxGaussians}`);
  if (rows < 1 || rows > limits.maxBankEntries) throw new SceneFileError(F, `bank rows ${rows} not in 1..${limits.maxBankEntries}`);
  if (dim < 1 || dim > limits.maxBankDim) throw new SceneFileError(F, `bank dim ${dim} not in 1..${limits.maxBankDim}`);
  const f = (off: number) => dv.getFloat32(off, true);
  const min = [f(24), f(28), f(32)], max = [f(36), f(40), f(44)];
  const lnMin = f(48), lnMax = f(52), cMin = f(56), cMax = f(60), shMax = f(64);
  const hdr = [...min, ...max, lnMin, lnMax, cMin, cMax, shMax];
  if (!hdr.every(Number.isFinite)) throw new SceneFileError(F, 'header holds a non-finite quantisation range');
  if (min.some((m, k) => m > max[k]) || lnMin > lnMax || cMin > cMax || shMax < 0) throw new SceneFileError(F, 'header quantisation ranges are inverted');
  const payloadBytes = dv.getUint32(68, true);
  const zBytes = dv.getUint32(72, true);
  const expected = compactPayloadBytes(n, deg, rows, dim, metaBytes);
  if (payloadBytes !== expected) throw new SceneFileError(F, `header payload size ${payloadBytes} does not match its counts (${expected}): header lies`);
  if (zBytes !== bytes.length - COMPACT_HEADER_BYTES)
    throw new SceneFileError(F, `header says ${zBytes} compressed bytes, ${bytes.length - COMPACT_HEADER_BYTES} present: truncated or padded`);
  // Deflate cannot expand data by more than ~1032x; a larger claim is a lie (and a bomb).
  if (expected > Math.max(1024, zBytes * 1100) || expected > limits.maxBytes * 16)
    throw new SceneFileError(F, `payload of ${expected} bytes cannot come from ${zBytes} deflated bytes`);
  let pay: Uint8Array;
  try {
    pay = inflateSync(bytes.subarray(COMPACT_HEADER_BYTES), { out: new Uint8Array(expected + 1) });
  } catch (e) {
    throw new SceneFileError(F, `deflate stream is corrupt or truncated (${(e as Error).message})`);
  }
  if (pay.length !== expected) throw new SceneFileError(F, `payload inflated to ${pay.length} bytes, header promised ${expected}`);

  const budget = opts.budget ?? Math.max(n, 4_000_000);
  if (budget < n) throw new SceneFileError(F, `file has ${n} Gaussians, more than the requested budget ${budget}`);
  const nr = shRestCount(deg);
  let o = 0;
  const posPlanes = o;
  o += 6 * n;
  const rotPlanes = o;
  o += 4 * n;
  const scalePlanes = o;
  o += 3 * n;
  const opPlane = o;
  o += n;
  const colPlanes = o;
  o += 3 * n;
  const shPlanes = o;
  o += nr * n;
  const semPlanes = o;
  o += 2 * n;
  const bv = rows * dim;
  const emb = new Float32Array(bv);
  for (let i = 0; i < bv; i++) emb[i] = fromHalf(pay[o + i] | (pay[o + bv + i] << 8));
  o += 2 * bv;
  assertFiniteArray(F, 'bank embedding', emb, dim, rows);
  let metaJson: unknown;
  try {
    metaJson = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(pay.subarray(o, o + metaBytes)));
  } catch {
    throw new SceneFileError(F, 'bank metadata is not valid UTF-8 JSON');
  }
  let bankJson = metaJson;
  let sceneJson: unknown;
  if (version >= 2) {
    if (!metaJson || typeof metaJson !== 'object' || Array.isArray(metaJson)) throw new SceneFileError(F, 'metadata is not an object { bank, scene? }');
    bankJson = (metaJson as Record<string, unknown>).bank;
    sceneJson = (metaJson as Record<string, unknown>).scene;
  }
  if (!Array.isArray(bankJson) || bankJson.length !== rows) throw new SceneFileError(F, `bank metadata is not an array of ${rows} entries`);
  const bank = makeBank(dim, rows, emb, bankJson.map((m, i) => parseBankMeta(F, m, i)));
  const info = sceneJson === undefined ? null : parseSceneInfo(F, sceneJson);

  const scene = new GaussianScene({ budget, initialCapacity: Math.max(1, n), shDegree: deg, bankDim: dim });
  scene.bank = bank;
  scene.allocate(n);
  scene.weight.fill(1, 0, n); // files carry no observation weight
  const P = scene.positions, S = scene.scales, R = scene.rotations, O = scene.opacities, C = scene.colors, H = scene.shRest;
  for (let k = 0; k < 3; k++) {
    const base = posPlanes + k * 2 * n;
    const ext = max[k] - min[k];
    for (let i = 0; i < n; i++) P[i * 3 + k] = min[k] + ((pay[base + i] | (pay[base + n + i] << 8)) / 65535) * ext;
  }
  for (let i = 0; i < n; i++) {
    const b = (pay[rotPlanes + i] | (pay[rotPlanes + n + i] << 8) | (pay[rotPlanes + 2 * n + i] << 16) | (pay[rotPlanes + 3 * n + i] << 24)) >>> 0;
    unpackQuat(b, R, i * 4);
  }
  for (let k = 0; k < 3; k++) for (let i = 0; i < n; i++) S[i * 3 + k] = Math.exp(d8(pay[scalePlanes + k * n + i], lnMin, lnMax));
  for (let i = 0; i < n; i++) O[i] = pay[opPlane + i] / 255;
  for (let k = 0; k < 3; k++) for (let i = 0; i < n; i++) C[i * 3 + k] = d8(pay[colPlanes + k * n + i], cMin, cMax);
  for (let k = 0; k < nr; k++) for (let i = 0; i < n; i++) H[i * nr + k] = d8(pay[shPlanes + k * n + i], -shMax, shMax);
  for (let i = 0; i < n; i++) scene.semantic[i] = pay[semPlanes + i] | (pay[semPlanes + n + i] << 8);
  assertSemantic(F, scene.semantic, n, bank.count);
  scene.info = info;
  return scene;
}
