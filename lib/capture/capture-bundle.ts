/**
 * The capture bundle: `capture.json` + images + optional depth, as a folder or a zip.
 * Schema "segsplat-capture" version 1; see docs/CAPTURE.md for a full example.
 *
 * The writer is deterministic (same frames -> same bytes) so bundles can be checked into tests and
 * diffed. The reader validates every frame and skips broken ones with a reason; only a broken
 * capture.json itself (not JSON, wrong schema, unknown version, no frames array) throws.
 */
import type { BundleFiles } from './bundle-files';
import { normalizeBundlePath } from './bundle-files';
import type { DepthMap, Frame, Intrinsics } from './frame';
import {
  decodeConfidencePng,
  decodeDepthF32,
  decodeDepthPng16,
  DEPTH_PNG16_MAX_METRES,
  encodeConfidencePng,
  encodeDepthF32,
  encodeDepthPng16,
  pureImageCodec,
  type ImageCodec,
} from './image-codec';
import { assertValidFrame, frameProblems } from './validate-frame';

export const CAPTURE_SCHEMA = 'segsplat-capture';
export const CAPTURE_VERSION = 1;
export const CAPTURE_JSON = 'capture.json';

/** Same fields as Intrinsics; written with this key order, distortion omitted when absent. */
export type CaptureIntrinsicsJson = Intrinsics;

export interface CaptureFrameJson {
  id: string;
  image: string;
  timestamp: number;
  intrinsics: CaptureIntrinsicsJson;
  cameraToWorld: number[];
  approxPose?: boolean;
  depth?: { file: string; intrinsics: CaptureIntrinsicsJson; confidence?: string };
}

export interface CaptureJson {
  schema: typeof CAPTURE_SCHEMA;
  version: typeof CAPTURE_VERSION;
  name: string;
  createdBy?: string;
  attribution?: string;
  worldUp?: [number, number, number];
  frames: CaptureFrameJson[];
}

export interface WriteCaptureOptions {
  /**
   * Depth storage: 'png16' (millimetres, 16-bit PNG: compact, 1 mm steps, max 65.535 m), 'f32'
   * (raw float32 metres: exact) or 'auto' (default: png16 unless a depth exceeds 65.535 m).
   */
  depthFormat?: 'png16' | 'f32' | 'auto';
  createdBy?: string;
  worldUp?: [number, number, number];
}

export interface CaptureBundle {
  name: string;
  frames: Frame[];
  skipped: { id: string; reason: string }[];
  attribution?: string;
  createdBy?: string;
  worldUp?: [number, number, number];
}

/** Frame ids become file stems when they are safe ones; otherwise the frame's index is used. */
const SAFE_STEM = /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,63}$/;

function intrinsicsJson(k: Intrinsics): CaptureIntrinsicsJson {
  const out: CaptureIntrinsicsJson = { fx: k.fx, fy: k.fy, cx: k.cx, cy: k.cy, width: k.width, height: k.height };
  if (k.distortion) {
    const d = k.distortion;
    out.distortion = { k1: d.k1, k2: d.k2, p1: d.p1, p2: d.p2 };
    if (d.k3 !== undefined) out.distortion.k3 = d.k3;
  }
  return out;
}

export async function writeCaptureBundle(
  files: BundleFiles,
  bundle: { name: string; frames: Frame[]; attribution?: string },
  codec: ImageCodec = pureImageCodec,
  opts: WriteCaptureOptions = {},
): Promise<void> {
  if (typeof bundle.name !== 'string' || bundle.name.length === 0) throw new Error('writeCaptureBundle: name must be a non-empty string');
  if (bundle.attribution !== undefined && typeof bundle.attribution !== 'string')
    throw new Error('writeCaptureBundle: attribution must be a string when given');
  if (opts.worldUp !== undefined && (opts.worldUp.length !== 3 || !opts.worldUp.every(Number.isFinite) || Math.hypot(...opts.worldUp) < 1e-6))
    throw new Error(`writeCaptureBundle: worldUp must be 3 finite numbers, not all zero (got ${JSON.stringify(opts.worldUp)})`);
  const depthFormat = opts.depthFormat ?? 'auto';
  const seen = new Set<string>();
  const stems = new Set<string>();
  const framesJson: CaptureFrameJson[] = [];
  for (let i = 0; i < bundle.frames.length; i++) {
    const f = bundle.frames[i];
    assertValidFrame(f);
    if (seen.has(f.id)) throw new Error(`writeCaptureBundle: duplicate frame id ${JSON.stringify(f.id)}`);
    seen.add(f.id);
    let stem = SAFE_STEM.test(f.id) ? f.id : `f${String(i).padStart(4, '0')}`;
    // Case-insensitive file systems would merge 'A' and 'a'.
    while (stems.has(stem.toLowerCase())) stem = `${stem}_${i}`;
    stems.add(stem.toLowerCase());

    const imagePath = `images/${stem}.png`;
    await files.writeFile(imagePath, await codec.encodePng(f.image));
    const fj: CaptureFrameJson = {
      id: f.id,
      image: imagePath,
      timestamp: f.timestamp,
      intrinsics: intrinsicsJson(f.intrinsics),
      cameraToWorld: Array.from(f.cameraToWorld),
    };
    if (f.approxPose) fj.approxPose = true;
    if (f.depth) {
      const d = f.depth;
      let usePng = depthFormat === 'png16';
      if (depthFormat === 'auto') {
        usePng = true;
        for (let j = 0; j < d.data.length; j++) if (d.data[j] > DEPTH_PNG16_MAX_METRES && Number.isFinite(d.data[j])) usePng = false;
      }
      const depthPath = usePng ? `depth/${stem}.png` : `depth/${stem}.f32`;
      await files.writeFile(depthPath, usePng ? encodeDepthPng16(d.width, d.height, d.data) : encodeDepthF32(d.data));
      fj.depth = { file: depthPath, intrinsics: intrinsicsJson(d.intrinsics) };
      if (d.confidence) {
        const confPath = `depth/${stem}.conf.png`;
        await files.writeFile(confPath, encodeConfidencePng(d.width, d.height, d.confidence));
        fj.depth.confidence = confPath;
      }
    }
    framesJson.push(fj);
  }
  const json: CaptureJson = { schema: CAPTURE_SCHEMA, version: CAPTURE_VERSION, name: bundle.name, frames: framesJson };
  // Key order is fixed here so the JSON text is stable.
  const ordered: Record<string, unknown> = { schema: json.schema, version: json.version, name: json.name };
  if (opts.createdBy !== undefined) ordered.createdBy = opts.createdBy;
  if (bundle.attribution !== undefined) ordered.attribution = bundle.attribution;
  if (opts.worldUp !== undefined) ordered.worldUp = [...opts.worldUp];
  ordered.frames = framesJson;
  await files.writeFile(CAPTURE_JSON, new TextEncoder().encode(prettyJson(ordered) + '\n'));
}

/** JSON with 2-space indent but arrays of numbers kept on one line (poses stay readable as 16 numbers). */
function prettyJson(v: unknown, indent = ''): string {
  if (Array.isArray(v)) {
    if (v.every((x) => typeof x === 'number' || typeof x === 'string' || typeof x === 'boolean'))
      return `[${v.map((x) => JSON.stringify(x)).join(', ')}]`;
    const inner = indent + '  ';
    return `[\n${v.map((x) => inner + prettyJson(x, inner)).join(',\n')}\n${indent}]`;
  }
  if (v && typeof v === 'object') {
    const entries = Object.entries(v).filter(([, x]) => x !== undefined);
    if (entries.length === 0) return '{}';
    const inner = indent + '  ';
    return `{\n${entries.map(([k, x]) => `${inner}${JSON.stringify(k)}: ${prettyJson(x, inner)}`).join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(v);
}

/** Parses and checks the top level of capture.json; throws for anything that is not a v1 capture. */
export function parseCaptureJson(text: string): CaptureJson {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new Error(`capture.json is not valid JSON: ${(e as Error).message}`);
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new Error('capture.json must hold a JSON object');
  const o = raw as Record<string, unknown>;
  if (o.schema !== CAPTURE_SCHEMA)
    throw new Error(`capture.json has schema ${JSON.stringify(o.schema)}, expected "${CAPTURE_SCHEMA}" (is this a SegSplat capture?)`);
  if (o.version !== CAPTURE_VERSION)
    throw new Error(
      `capture.json has unsupported version ${JSON.stringify(o.version)}; this reader understands version ${CAPTURE_VERSION}` +
        (typeof o.version === 'number' && o.version > CAPTURE_VERSION ? ' (written by a newer SegSplat XR: update the app)' : ''),
    );
  if (typeof o.name !== 'string') throw new Error('capture.json: "name" must be a string');
  if (!Array.isArray(o.frames)) throw new Error('capture.json: "frames" must be an array');
  for (const k of ['createdBy', 'attribution'] as const)
    if (o[k] !== undefined && typeof o[k] !== 'string') throw new Error(`capture.json: "${k}" must be a string when present`);
  if (o.worldUp !== undefined) {
    const u = o.worldUp;
    if (!Array.isArray(u) || u.length !== 3 || !u.every((v) => typeof v === 'number' && Number.isFinite(v)) || Math.hypot(...(u as number[])) < 1e-6)
      throw new Error(`capture.json: "worldUp" must be 3 finite numbers, not all zero (got ${JSON.stringify(u)})`);
  }
  return raw as CaptureJson;
}

function parseIntrinsicsJson(v: unknown, label: string): Intrinsics {
  if (!v || typeof v !== 'object') throw new Error(`${label} missing`);
  const o = v as Record<string, unknown>;
  for (const k of ['fx', 'fy', 'cx', 'cy', 'width', 'height'])
    if (typeof o[k] !== 'number') throw new Error(`${label}.${k} must be a number (got ${JSON.stringify(o[k])})`);
  const k: Intrinsics = {
    fx: o.fx as number,
    fy: o.fy as number,
    cx: o.cx as number,
    cy: o.cy as number,
    width: o.width as number,
    height: o.height as number,
  };
  if (o.distortion !== undefined) {
    const d = o.distortion as Record<string, unknown>;
    if (!d || typeof d !== 'object') throw new Error(`${label}.distortion must be an object`);
    for (const c of ['k1', 'k2', 'p1', 'p2'])
      if (typeof d[c] !== 'number') throw new Error(`${label}.distortion.${c} must be a number`);
    if (d.k3 !== undefined && typeof d.k3 !== 'number') throw new Error(`${label}.distortion.k3 must be a number`);
    k.distortion = { k1: d.k1 as number, k2: d.k2 as number, p1: d.p1 as number, p2: d.p2 as number };
    if (d.k3 !== undefined) k.distortion.k3 = d.k3 as number;
  }
  return k;
}

async function readFrame(files: BundleFiles, fj: CaptureFrameJson, codec: ImageCodec): Promise<Frame> {
  if (!fj || typeof fj !== 'object') throw new Error('frame entry is not an object');
  if (typeof fj.id !== 'string' || fj.id.length === 0) throw new Error('"id" must be a non-empty string');
  if (typeof fj.image !== 'string') throw new Error('"image" must be a path string');
  if (typeof fj.timestamp !== 'number') throw new Error('"timestamp" must be a number');
  if (!Array.isArray(fj.cameraToWorld) || fj.cameraToWorld.length !== 16 || !fj.cameraToWorld.every((v) => typeof v === 'number'))
    throw new Error('"cameraToWorld" must be 16 numbers (column-major)');
  const intrinsics = parseIntrinsicsJson(fj.intrinsics, 'intrinsics');
  const imagePath = normalizeBundlePath(fj.image);
  if (!(await files.exists(imagePath))) throw new Error(`image file ${imagePath} is missing`);
  const image = await codec.decode(await files.readFile(imagePath), imagePath);
  const frame: Frame = {
    id: fj.id,
    image,
    intrinsics,
    cameraToWorld: Float64Array.from(fj.cameraToWorld),
    timestamp: fj.timestamp,
  };
  if (fj.approxPose !== undefined) {
    if (typeof fj.approxPose !== 'boolean') throw new Error('"approxPose" must be a boolean');
    if (fj.approxPose) frame.approxPose = true;
  }
  if (fj.depth !== undefined) {
    const dj = fj.depth;
    if (!dj || typeof dj !== 'object' || typeof dj.file !== 'string') throw new Error('"depth.file" must be a path string');
    const dk = parseIntrinsicsJson(dj.intrinsics, 'depth.intrinsics');
    const depthPath = normalizeBundlePath(dj.file);
    if (!(await files.exists(depthPath))) throw new Error(`depth file ${depthPath} is missing`);
    const bytes = await files.readFile(depthPath);
    let depth: DepthMap;
    if (/\.f32$/i.test(depthPath)) {
      // Raw floats carry no size: it comes from the depth intrinsics (checked before allocating).
      if (!Number.isInteger(dk.width) || !Number.isInteger(dk.height) || dk.width <= 0 || dk.height <= 0)
        throw new Error(`depth.intrinsics size ${dk.width}x${dk.height} is invalid`);
      const data = decodeDepthF32(bytes, dk.width * dk.height, depthPath);
      depth = { width: dk.width, height: dk.height, data, intrinsics: dk };
    } else if (/\.png$/i.test(depthPath)) {
      const d = decodeDepthPng16(bytes, depthPath);
      depth = { width: d.width, height: d.height, data: d.data, intrinsics: dk };
    } else throw new Error(`depth file ${depthPath}: unknown format (expected .png or .f32)`);
    if (dj.confidence !== undefined) {
      if (typeof dj.confidence !== 'string') throw new Error('"depth.confidence" must be a path string');
      const confPath = normalizeBundlePath(dj.confidence);
      if (!(await files.exists(confPath))) throw new Error(`confidence file ${confPath} is missing`);
      const c = decodeConfidencePng(await files.readFile(confPath), confPath);
      if (c.width !== depth.width || c.height !== depth.height)
        throw new Error(`confidence ${c.width}x${c.height} does not match depth ${depth.width}x${depth.height}`);
      depth.confidence = c.data;
    }
    frame.depth = depth;
  }
  return frame;
}

export async function readCaptureBundle(
  files: BundleFiles,
  opts: { codec?: ImageCodec; maxFrames?: number } = {},
): Promise<CaptureBundle> {
  const codec = opts.codec ?? pureImageCodec;
  if (!(await files.exists(CAPTURE_JSON))) throw new Error('not a capture bundle: capture.json is missing');
  const json = parseCaptureJson(new TextDecoder().decode(await files.readFile(CAPTURE_JSON)));
  const maxFrames = opts.maxFrames ?? Infinity;
  if (!(maxFrames >= 0)) throw new Error(`readCaptureBundle: maxFrames must be >= 0 (got ${opts.maxFrames})`);
  const frames: Frame[] = [];
  const skipped: { id: string; reason: string }[] = [];
  const ids = new Set<string>();
  for (let i = 0; i < json.frames.length && frames.length < maxFrames; i++) {
    const fj = json.frames[i];
    const id = fj && typeof fj === 'object' && typeof fj.id === 'string' && fj.id ? fj.id : `#${i}`;
    if (ids.has(id)) {
      skipped.push({ id, reason: `duplicate frame id (frame #${i})` });
      continue;
    }
    let frame: Frame;
    try {
      frame = await readFrame(files, fj, codec);
    } catch (e) {
      skipped.push({ id, reason: (e as Error).message });
      continue;
    }
    const problems = frameProblems(frame);
    if (problems.length > 0) {
      skipped.push({ id, reason: problems.join('; ') });
      continue;
    }
    ids.add(id);
    frames.push(frame);
  }
  const out: CaptureBundle = { name: json.name, frames, skipped };
  if (json.attribution !== undefined) out.attribution = json.attribution;
  if (json.createdBy !== undefined) out.createdBy = json.createdBy;
  if (json.worldUp !== undefined) out.worldUp = [...json.worldUp] as [number, number, number];
  return out;
}
