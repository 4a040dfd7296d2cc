/**
 * Keyframes persisted as they are taken, so a reload or a closed tab loses nothing.
 *
 * Storage sits behind a tiny KeyValueStore (bytes in, bytes out): the browser uses IndexedDB
 * (lib/web/scan/idb-key-value.ts), tests and Node use memoryKeyValue. Quota failures surface as
 * StorageQuotaError from either implementation and are rethrown with the keyframe named, never
 * swallowed: the page shows them.
 *
 * Layout (keys):
 *   scan/<session>/meta        JSON ScanRecord (keyframe ids in capture order)
 *   scan/<session>/kf/<id>     one keyframe record (encodeKeyframe)
 * A keyframe is written before the meta that lists it, so meta never names a missing keyframe.
 *
 * Keyframe record: "SKF1", u32 LE header length, UTF-8 JSON header, zero padding to 4 bytes, then
 * the raw sections the header points at (byte offsets from the record start): RGB8 image,
 * float32 LE depth, float32 LE confidence. Raw rather than PNG: encoding would cost the capture loop
 * time, and IndexedDB stores 230 kB for a 320x240 keyframe without complaint.
 */
import type { DepthMap, Frame, Intrinsics } from './frame';
import { rigidPoseProblem } from './pose';

export interface KeyValueStore {
  get(key: string): Promise<Uint8Array | undefined>;
  put(key: string, value: Uint8Array): Promise<void>;
  delete(key: string): Promise<void>;
  /** Keys starting with prefix, sorted. */
  keys(prefix: string): Promise<string[]>;
}

/** The device refused to store more (IndexedDB QuotaExceededError, or the memory store's limit). */
export class StorageQuotaError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StorageQuotaError';
  }
}

/** In-memory store; `quotaBytes` makes puts beyond that total fail like a full disk. */
export function memoryKeyValue(opts: { quotaBytes?: number } = {}): KeyValueStore & { bytesUsed(): number } {
  const map = new Map<string, Uint8Array>();
  const used = () => [...map.values()].reduce((s, v) => s + v.byteLength, 0);
  return {
    async get(key) {
      const v = map.get(key);
      return v ? v.slice() : undefined;
    },
    async put(key, value) {
      const after = used() - (map.get(key)?.byteLength ?? 0) + value.byteLength;
      if (opts.quotaBytes !== undefined && after > opts.quotaBytes)
        throw new StorageQuotaError(`storage quota of ${opts.quotaBytes} bytes exceeded (would use ${after})`);
      map.set(key, value.slice());
    },
    async delete(key) {
      map.delete(key);
    },
    async keys(prefix) {
      return [...map.keys()].filter((k) => k.startsWith(prefix)).sort();
    },
    bytesUsed: used,
  };
}

export interface ScanRecord {
  id: string;
  name: string;
  /** ms since epoch */
  createdAt: number;
  updatedAt: number;
  keyframeIds: string[];
  finished: boolean;
}

interface KeyframeHeader {
  id: string;
  timestamp: number;
  intrinsics: Intrinsics;
  cameraToWorld: number[];
  approxPose?: boolean;
  image: { width: number; height: number; offset: number };
  depth?: { width: number; height: number; offset: number; intrinsics: Intrinsics; confidenceOffset?: number };
}

const MAGIC = [0x53, 0x4b, 0x46, 0x31]; // "SKF1"
const MAX_PIXELS = 64 * 1024 * 1024;

function checkSize(what: string, w: number, h: number): void {
  if (!Number.isInteger(w) || !Number.isInteger(h) || w < 1 || h < 1 || w * h > MAX_PIXELS) throw new Error(`keyframe: bad ${what} size ${w}x${h}`);
}

export function encodeKeyframe(f: Frame): Uint8Array {
  if (!f.id) throw new Error('keyframe: id is empty');
  checkSize('image', f.image.width, f.image.height);
  if (f.image.data.length !== f.image.width * f.image.height * 3)
    throw new Error(`keyframe ${f.id}: image has ${f.image.data.length} bytes, expected ${f.image.width * f.image.height * 3}`);
  const pp = rigidPoseProblem(f.cameraToWorld);
  if (pp) throw new Error(`keyframe ${f.id}: ${pp}`);
  if (!Number.isFinite(f.timestamp)) throw new Error(`keyframe ${f.id}: timestamp is not finite`);
  const d = f.depth;
  if (d) {
    checkSize('depth', d.width, d.height);
    if (d.data.length !== d.width * d.height) throw new Error(`keyframe ${f.id}: depth has ${d.data.length} values, expected ${d.width * d.height}`);
    if (d.confidence && d.confidence.length !== d.data.length) throw new Error(`keyframe ${f.id}: confidence size differs from depth`);
  }
  // Offsets depend on the header length, which depends on the offsets' digits: lay out twice.
  const build = (base: number): KeyframeHeader => {
    let o = base;
    const image = { width: f.image.width, height: f.image.height, offset: o };
    o += f.image.data.length;
    o = (o + 3) & ~3;
    const h: KeyframeHeader = { id: f.id, timestamp: f.timestamp, intrinsics: f.intrinsics, cameraToWorld: Array.from(f.cameraToWorld), image };
    if (f.approxPose) h.approxPose = true;
    if (d) {
      h.depth = { width: d.width, height: d.height, offset: o, intrinsics: d.intrinsics };
      o += d.data.length * 4;
      if (d.confidence) h.depth.confidenceOffset = o;
    }
    return h;
  };
  const enc = new TextEncoder();
  let base = 0;
  let json = enc.encode(JSON.stringify(build(0)));
  for (let i = 0; i < 3; i++) {
    const want = (8 + json.length + 3) & ~3;
    if (want === base) break;
    base = want;
    json = enc.encode(JSON.stringify(build(base)));
  }
  const header = build(base);
  let total = header.image.offset + f.image.data.length;
  if (header.depth) total = (header.depth.confidenceOffset ?? header.depth.offset + d!.data.length * 4) + (d!.confidence ? d!.confidence.length * 4 : 0);
  const out = new Uint8Array(total);
  out.set(MAGIC, 0);
  new DataView(out.buffer).setUint32(4, json.length, true);
  out.set(json, 8);
  out.set(f.image.data, header.image.offset);
  if (header.depth && d) {
    new Uint8Array(out.buffer, header.depth.offset, d.data.length * 4).set(new Uint8Array(Float32Array.from(d.data).buffer));
    if (d.confidence && header.depth.confidenceOffset !== undefined)
      new Uint8Array(out.buffer, header.depth.confidenceOffset, d.confidence.length * 4).set(new Uint8Array(Float32Array.from(d.confidence).buffer));
  }
  return out;
}

function readF32(bytes: Uint8Array, offset: number, count: number, what: string): Float32Array {
  if (offset < 0 || offset + count * 4 > bytes.length) throw new Error(`keyframe record: ${what} runs past the end (truncated record)`);
  const copy = bytes.slice(offset, offset + count * 4);
  return new Float32Array(copy.buffer);
}

export function decodeKeyframe(bytes: Uint8Array): Frame {
  if (bytes.length < 8 || MAGIC.some((m, i) => bytes[i] !== m)) throw new Error('keyframe record: bad magic (not an SKF1 record)');
  const len = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(4, true);
  if (8 + len > bytes.length) throw new Error(`keyframe record: header of ${len} bytes runs past the end`);
  let h: KeyframeHeader;
  try {
    h = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + len)));
  } catch (e) {
    throw new Error(`keyframe record: header is not JSON (${(e as Error).message})`);
  }
  checkSize('image', h.image?.width, h.image?.height);
  const n = h.image.width * h.image.height * 3;
  if (h.image.offset + n > bytes.length) throw new Error(`keyframe ${h.id}: image runs past the end (truncated record)`);
  const frame: Frame = {
    id: h.id,
    timestamp: h.timestamp,
    intrinsics: h.intrinsics,
    cameraToWorld: Float64Array.from(h.cameraToWorld),
    image: { width: h.image.width, height: h.image.height, data: bytes.slice(h.image.offset, h.image.offset + n) },
  };
  if (h.approxPose) frame.approxPose = true;
  if (h.depth) {
    checkSize('depth', h.depth.width, h.depth.height);
    const count = h.depth.width * h.depth.height;
    const depth: DepthMap = { width: h.depth.width, height: h.depth.height, intrinsics: h.depth.intrinsics, data: readF32(bytes, h.depth.offset, count, 'depth') };
    if (h.depth.confidenceOffset !== undefined) depth.confidence = readF32(bytes, h.depth.confidenceOffset, count, 'confidence');
    frame.depth = depth;
  }
  return frame;
}

const PREFIX = 'scan/';
const metaKey = (id: string) => `${PREFIX}${id}/meta`;
const kfKey = (id: string, kf: string) => `${PREFIX}${id}/kf/${kf}`;

export class KeyframeStore {
  constructor(private readonly kv: KeyValueStore) {}

  async createScan(name: string, now = Date.now()): Promise<ScanRecord> {
    const id = `${now.toString(36)}-${Math.floor(Math.random() * 1e9).toString(36)}`;
    const rec: ScanRecord = { id, name, createdAt: now, updatedAt: now, keyframeIds: [], finished: false };
    await this.putMeta(rec);
    return rec;
  }

  async getScan(id: string): Promise<ScanRecord | null> {
    const raw = await this.kv.get(metaKey(id));
    if (!raw) return null;
    return JSON.parse(new TextDecoder().decode(raw)) as ScanRecord;
  }

  /** Every stored scan, newest first. */
  async listScans(): Promise<ScanRecord[]> {
    const keys = (await this.kv.keys(PREFIX)).filter((k) => k.endsWith('/meta'));
    const out: ScanRecord[] = [];
    for (const k of keys) {
      const rec = await this.getScan(k.slice(PREFIX.length, -'/meta'.length));
      if (rec) out.push(rec);
    }
    return out.sort((a, b) => b.updatedAt - a.updatedAt);
  }

  /**
   * Stores one keyframe and lists it in the scan. A full store throws StorageQuotaError naming the
   * keyframe; the scan's meta is then unchanged (the keyframe is not half-listed).
   */
  async addKeyframe(scanId: string, frame: Frame, now = Date.now()): Promise<ScanRecord> {
    const rec = await this.getScan(scanId);
    if (!rec) throw new Error(`keyframe store: no scan ${scanId}`);
    if (rec.keyframeIds.includes(frame.id)) throw new Error(`keyframe store: scan ${scanId} already has keyframe ${frame.id}`);
    const bytes = encodeKeyframe(frame);
    try {
      await this.kv.put(kfKey(scanId, frame.id), bytes);
    } catch (e) {
      if (e instanceof StorageQuotaError)
        throw new StorageQuotaError(`storage is full: keyframe ${frame.id} (${(bytes.length / 1024).toFixed(0)} kB) was not saved (${e.message}). Finish or export the scan, or free space.`);
      throw e;
    }
    const next = { ...rec, keyframeIds: [...rec.keyframeIds, frame.id], updatedAt: now };
    await this.putMeta(next);
    return next;
  }

  async loadKeyframes(scanId: string): Promise<Frame[]> {
    const rec = await this.getScan(scanId);
    if (!rec) throw new Error(`keyframe store: no scan ${scanId}`);
    const out: Frame[] = [];
    for (const id of rec.keyframeIds) {
      const raw = await this.kv.get(kfKey(scanId, id));
      if (!raw) throw new Error(`keyframe store: scan ${scanId} lists keyframe ${id} but it is missing`);
      out.push(decodeKeyframe(raw));
    }
    return out;
  }

  async setFinished(scanId: string, finished = true): Promise<void> {
    const rec = await this.getScan(scanId);
    if (!rec) throw new Error(`keyframe store: no scan ${scanId}`);
    await this.putMeta({ ...rec, finished, updatedAt: Date.now() });
  }

  async deleteScan(scanId: string): Promise<void> {
    for (const k of await this.kv.keys(`${PREFIX}${scanId}/`)) await this.kv.delete(k);
  }

  private async putMeta(rec: ScanRecord): Promise<void> {
    await this.kv.put(metaKey(rec.id), new TextEncoder().encode(JSON.stringify(rec)));
  }
}
