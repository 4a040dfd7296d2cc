/**
 * Checked reading helpers shared by the splat file readers (.ply, .glb, compact).
 *
 * Every reader follows the same rule: a count taken from a header is multiplied by its stride and
 * compared with the bytes actually present, and with the caller's limits, BEFORE anything is
 * allocated from it. Files come from the network and from other tools; a lying header must cost
 * an Error, never a multi-gigabyte allocation or a scene full of NaN.
 */
import { SemanticBank, type BankEntryMeta } from './semantic-bank';

/** Thrown for any malformed, truncated, oversized or lying scene file. */
export class SceneFileError extends Error {
  constructor(
    readonly format: string,
    message: string,
  ) {
    super(`${format}: ${message}`);
    this.name = 'SceneFileError';
  }
}

export interface ReadLimits {
  /** Largest number of Gaussians a reader accepts (default 8,000,000). */
  maxGaussians?: number;
  /** Largest input size in bytes a reader accepts (default 1 GiB). */
  maxBytes?: number;
  /** Largest number of semantic bank rows a reader accepts (default 65,536: a Uint16 index). */
  maxBankEntries?: number;
  /** Largest bank embedding dimension a reader accepts (default 4096). */
  maxBankDim?: number;
}

export const DEFAULT_LIMITS: Required<ReadLimits> = {
  maxGaussians: 8_000_000,
  maxBytes: 1 << 30,
  maxBankEntries: 65536,
  maxBankDim: 4096,
};

export function resolveLimits(limits: ReadLimits | undefined): Required<ReadLimits> {
  const r = { ...DEFAULT_LIMITS, ...(limits ?? {}) };
  for (const [k, v] of Object.entries(r)) {
    if (!Number.isInteger(v) || v <= 0) throw new Error(`ReadLimits.${k} must be a positive integer, got ${v}`);
  }
  return r;
}

export function checkInputSize(format: string, bytes: Uint8Array, limits: Required<ReadLimits>): void {
  if (!(bytes instanceof Uint8Array)) throw new SceneFileError(format, 'input is not a Uint8Array');
  if (bytes.byteLength === 0) throw new SceneFileError(format, 'input is empty (0 bytes)');
  if (bytes.byteLength > limits.maxBytes)
    throw new SceneFileError(format, `input is ${bytes.byteLength} bytes, limit is ${limits.maxBytes} (ReadLimits.maxBytes)`);
}

/**
 * Validates a Gaussian count from a header against the limit and the bytes available for it.
 * `stride` is the number of bytes one Gaussian needs in the data that follows.
 */
export function checkCount(
  format: string,
  what: string,
  count: number,
  stride: number,
  available: number,
  max: number,
): void {
  if (!Number.isSafeInteger(count) || count < 0) throw new SceneFileError(format, `${what} count ${count} is not a non-negative integer`);
  if (count > max) throw new SceneFileError(format, `${what} count ${count} exceeds the limit of ${max}`);
  const need = count * stride;
  if (need > available)
    throw new SceneFileError(
      format,
      `header declares ${count} ${what} (${need} bytes at ${stride} bytes each) but only ${available} bytes follow: file truncated or header lies`,
    );
}

/** Little-endian cursor over a byte range that throws instead of reading past its end. */
export class ByteReader {
  readonly view: DataView;
  pos = 0;
  constructor(
    readonly format: string,
    readonly bytes: Uint8Array,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  get remaining(): number {
    return this.bytes.byteLength - this.pos;
  }
  need(n: number, what: string): void {
    if (n < 0 || this.pos + n > this.bytes.byteLength)
      throw new SceneFileError(this.format, `truncated: ${what} needs ${n} bytes at offset ${this.pos}, only ${this.remaining} left`);
  }
  u8(what: string): number {
    this.need(1, what);
    return this.view.getUint8(this.pos++);
  }
  u16(what: string): number {
    this.need(2, what);
    const v = this.view.getUint16(this.pos, true);
    this.pos += 2;
    return v;
  }
  u32(what: string): number {
    this.need(4, what);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }
  f32(what: string): number {
    this.need(4, what);
    const v = this.view.getFloat32(this.pos, true);
    this.pos += 4;
    return v;
  }
  /** A view (no copy) of the next n bytes. */
  take(n: number, what: string): Uint8Array {
    this.need(n, what);
    const s = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return s;
  }
}

/** Throws naming the array, the Gaussian and the component when a value is NaN or infinite. */
export function assertFiniteArray(format: string, what: string, a: ArrayLike<number>, per: number, count: number): void {
  const n = count * per;
  for (let i = 0; i < n; i++) {
    const v = a[i];
    if (!Number.isFinite(v)) throw new SceneFileError(format, `${what} of Gaussian ${Math.floor(i / per)} is ${v} (component ${i % per})`);
  }
}

/** Scales must be finite and non-negative (linear standard deviations). */
export function assertScales(format: string, scales: ArrayLike<number>, count: number): void {
  for (let i = 0; i < count * 3; i++) {
    const v = scales[i];
    if (!Number.isFinite(v) || v < 0) throw new SceneFileError(format, `scale of Gaussian ${Math.floor(i / 3)} is ${v} (must be finite and >= 0)`);
  }
}

/** Opacity must lie in [0, 1] after activation. */
export function assertOpacities(format: string, o: ArrayLike<number>, count: number): void {
  for (let i = 0; i < count; i++) {
    const v = o[i];
    if (!(v >= 0 && v <= 1)) throw new SceneFileError(format, `opacity of Gaussian ${i} is ${v} (must be in [0, 1])`);
  }
}

/** Semantic indices must address a bank row. */
export function assertSemantic(format: string, sem: ArrayLike<number>, count: number, bankRows: number): void {
  for (let i = 0; i < count; i++) {
    if (sem[i] >= bankRows) throw new SceneFileError(format, `semantic index ${sem[i]} of Gaussian ${i} is outside the bank (${bankRows} rows)`);
  }
}

/** Normalises x,y,z,w quaternions in place; a zero or non-finite one is an error. */
export function normaliseQuaternions(format: string, q: Float32Array, count: number): void {
  for (let i = 0; i < count; i++) {
    const o = i * 4;
    const x = q[o],
      y = q[o + 1],
      z = q[o + 2],
      w = q[o + 3];
    const n = Math.sqrt(x * x + y * y + z * z + w * w);
    if (!Number.isFinite(n) || n < 1e-12) throw new SceneFileError(format, `rotation of Gaussian ${i} is (${x}, ${y}, ${z}, ${w}): not a usable quaternion`);
    q[o] = x / n;
    q[o + 1] = y / n;
    q[o + 2] = z / n;
    q[o + 3] = w / n;
  }
}

// float16 <-> float32, used by the compact form and the glb bank (no Float16Array in Node 20).
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

export function toHalf(v: number): number {
  f32[0] = v;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  let exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  exp = exp - 127 + 15;
  if (exp >= 0x1f) return sign | 0x7c00;
  if (exp <= 0) {
    if (exp < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - exp;
    let h = mant >>> shift;
    // round to nearest even
    const rem = mant & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (rem > half || (rem === half && h & 1)) h++;
    return sign | h;
  }
  let h = sign | (exp << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && h & 1)) h++;
  return h;
}

export function fromHalf(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

// ---- semantic bank metadata: shared by every format, validated because it comes from files ----


/** Bank entry metadata as written to files (plain JSON; `box` omitted when unknown). */
export function bankMetaToJson(m: BankEntryMeta): Record<string, unknown> {
  const o: Record<string, unknown> = { label: m.label, instanceId: m.instanceId, sourceViews: m.sourceViews, support: m.support };
  if (m.box) o.box = { min: m.box.min, max: m.box.max };
  if (m.embedder) o.embedder = m.embedder;
  if (m.maskSource) o.maskSource = m.maskSource;
  return o;
}

const isVec3 = (v: unknown): v is [number, number, number] =>
  Array.isArray(v) && v.length === 3 && v.every((x) => typeof x === 'number' && Number.isFinite(x));

/** Parses one entry's metadata from untrusted JSON, throwing a SceneFileError naming the field. */
export function parseBankMeta(format: string, v: unknown, index: number): BankEntryMeta {
  const bad = (field: string) => new SceneFileError(format, `bank entry ${index}: ${field} is missing or malformed`);
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw bad('metadata object');
  const o = v as Record<string, unknown>;
  if (typeof o.label !== 'string') throw bad('label');
  if (!Number.isInteger(o.instanceId)) throw bad('instanceId');
  if (!Array.isArray(o.sourceViews) || !o.sourceViews.every((x) => Number.isInteger(x) && x >= 0)) throw bad('sourceViews');
  if (typeof o.support !== 'number' || !Number.isFinite(o.support) || o.support < 0) throw bad('support');
  const meta: BankEntryMeta = {
    label: o.label,
    instanceId: o.instanceId as number,
    sourceViews: (o.sourceViews as number[]).slice(),
    support: o.support,
  };
  if (o.embedder !== undefined) {
    if (typeof o.embedder !== 'string' || o.embedder.length > 200) throw bad('embedder');
    meta.embedder = o.embedder;
  }
  if (o.maskSource !== undefined) {
    if (typeof o.maskSource !== 'string' || o.maskSource.length > 200) throw bad('maskSource');
    meta.maskSource = o.maskSource;
  }
  if (o.box !== undefined) {
    const b = o.box as Record<string, unknown>;
    if (typeof b !== 'object' || b === null || !isVec3(b.min) || !isVec3(b.max)) throw bad('box');
    meta.box = { min: [...b.min] as [number, number, number], max: [...b.max] as [number, number, number] };
  }
  return meta;
}

/** JSON.stringify with every non-ASCII character escaped, for ASCII-only containers (.ply header). */
export function asciiJson(v: unknown): string {
  return JSON.stringify(v).replace(/[\u007f-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

export function bytesToBase64(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 0x8000) s += String.fromCharCode(...b.subarray(i, i + 0x8000));
  return btoa(s);
}

export function base64ToBytes(format: string, s: string, what: string): Uint8Array {
  let bin: string;
  try {
    bin = atob(s);
  } catch {
    throw new SceneFileError(format, `${what} is not valid base64`);
  }
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/**
 * Builds a SemanticBank from decoded rows. `embeddings` is row-major [rows, dim] including row 0.
 * Row 0's metadata replaces the default background entry.
 */
export function makeBank(dim: number, rows: number, embeddings: Float32Array, metas: BankEntryMeta[]): SemanticBank {
  const bank = new SemanticBank(dim, Math.max(1, rows));
  if (rows === 0) return bank;
  bank.meta[0] = metas[0];
  for (let r = 1; r < rows; r++) bank.add(embeddings.subarray(r * dim, (r + 1) * dim), metas[r]);
  bank.embeddings.set(embeddings.subarray(0, dim), 0);
  return bank;
}
