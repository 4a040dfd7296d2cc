/**
 * Importer for instant-ngp / nerfstudio `transforms.json` captures (COLMAP-posed photo sets).
 *
 * Images are NOT decoded at import: a phone capture is dozens of 1080x1920 JPEGs, so the importer
 * returns one record per usable frame (metadata + a loader) and `loadFrame` decodes and downsamples
 * on demand. Frames whose image is missing or whose camera/pose is unusable are skipped and listed
 * in `skipped` with a reason. No node:fs here: the browser passes a BundleFiles of picked files.
 *
 * Conventions: `transform_matrix` is row-major camera-to-world in the OpenGL/NeRF convention
 * (camera looks down -z, +y up), i.e. the same camera convention as Frame; only the element order
 * changes (row-major -> column-major). The world frame is COLMAP's arbitrary one and is often not
 * y-up (the fox capture is z-up): nothing is rotated here; the reconstruction turns it upright
 * (lib/align/world-frame.ts).
 */
import { bundleDirname, joinBundlePath, type BundleFiles } from './bundle-files';
import { scaleIntrinsics, type Distortion, type Intrinsics } from './frame';
import type { FrameRecord, RecordImport } from './frame-record';
import { decodeDepthPng16, imageSizeFromHeader, pureImageCodec, type ImageCodec } from './image-codec';
import { fromRowMajorRows, rigidPoseProblem } from './pose';

// One loader for every importer's records; re-exported so existing callers keep their import.
export { loadFrame, loadFrames } from './frame-record';

/** A transforms.json frame: the shared lazy record (frame-record.ts). */
export type TransformsFrameRecord = FrameRecord;

export interface TransformsImport extends RecordImport {
  /** instant-ngp's scene bound hint, when present (not used by SegSplat; kept for reference). */
  aabbScale?: number;
}

/** Camera models whose parameters fit Intrinsics (pinhole + OpenCV radial-tangential). */
const SUPPORTED_MODELS = new Set(['PINHOLE', 'SIMPLE_PINHOLE', 'OPENCV', 'SIMPLE_RADIAL', 'RADIAL']);

type Json = Record<string, unknown>;

function num(v: unknown, label: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${label} must be a finite number (got ${JSON.stringify(v)})`);
  return v;
}

/** Frame value first, then the global one (nerfstudio allows per-frame overrides of any camera field). */
function pick(frame: Json, global: Json, key: string): number | undefined {
  const f = num(frame[key], `frame ${key}`);
  return f !== undefined ? f : num(global[key], key);
}

function focal(frame: Json, global: Json, flKey: string, angleKey: string, size: number): number | undefined {
  // A frame-level value of either kind beats a global value of either kind.
  for (const src of [frame, global]) {
    const fl = num(src[flKey], flKey);
    if (fl !== undefined) return fl;
    const angle = num(src[angleKey], angleKey);
    if (angle !== undefined) {
      if (!(angle > 0 && angle < Math.PI)) throw new Error(`${angleKey} must be in (0, pi) radians (got ${angle})`);
      return (0.5 * size) / Math.tan(0.5 * angle);
    }
  }
  return undefined;
}

function resolveIntrinsics(frame: Json, global: Json, fileSize: { width: number; height: number } | null): Intrinsics {
  const model = (frame.camera_model ?? global.camera_model) as unknown;
  if (model !== undefined && (typeof model !== 'string' || !SUPPORTED_MODELS.has(model)))
    throw new Error(`camera model ${JSON.stringify(model)} is not supported (pinhole or OPENCV radial-tangential only)`);
  const w = pick(frame, global, 'w') ?? fileSize?.width;
  const h = pick(frame, global, 'h') ?? fileSize?.height;
  if (w === undefined || h === undefined) throw new Error('image size unknown: no w/h in transforms.json and the image header is unreadable');
  const fx = focal(frame, global, 'fl_x', 'camera_angle_x', w);
  if (fx === undefined) throw new Error('no focal length: neither fl_x nor camera_angle_x is given');
  const fy = focal(frame, global, 'fl_y', 'camera_angle_y', h) ?? fx;
  const k: Intrinsics = {
    fx,
    fy,
    cx: pick(frame, global, 'cx') ?? w / 2,
    cy: pick(frame, global, 'cy') ?? h / 2,
    width: w,
    height: h,
  };
  const k1 = pick(frame, global, 'k1'), k2 = pick(frame, global, 'k2'), k3 = pick(frame, global, 'k3');
  const p1 = pick(frame, global, 'p1'), p2 = pick(frame, global, 'p2');
  if ([k1, k2, k3, p1, p2].some((v) => v !== undefined && v !== 0)) {
    const d: Distortion = { k1: k1 ?? 0, k2: k2 ?? 0, p1: p1 ?? 0, p2: p2 ?? 0 };
    if (k3 !== undefined) d.k3 = k3;
    k.distortion = d;
  }
  const k4 = pick(frame, global, 'k4');
  if (k4 !== undefined && k4 !== 0) throw new Error('distortion k4 (fisheye / full OpenCV) is not supported');
  return k;
}

function parsePose(v: unknown): Float64Array {
  if (!Array.isArray(v) || v.length !== 4 || !v.every((r) => Array.isArray(r) && r.length === 4 && r.every((x) => typeof x === 'number')))
    throw new Error('transform_matrix must be a 4x4 array of numbers');
  const m = fromRowMajorRows(v as number[][]);
  const problem = rigidPoseProblem(m);
  if (problem) throw new Error(`transform_matrix: ${problem}`);
  return m;
}

const stemOf = (p: string): string => {
  const base = p.slice(p.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
};

/** Resolves file_path against the transforms.json folder; blender-style paths have no extension. */
async function findImage(files: BundleFiles, dir: string, filePath: string): Promise<string | null> {
  const p = joinBundlePath(dir, filePath);
  if (await files.exists(p)) return p;
  if (!/\.[A-Za-z0-9]{2,4}$/.test(p)) {
    for (const ext of ['.png', '.jpg', '.jpeg', '.PNG', '.JPG', '.JPEG']) if (await files.exists(p + ext)) return p + ext;
  }
  return null;
}

export async function importTransformsJson(
  files: BundleFiles,
  opts: { path?: string; codec?: ImageCodec } = {},
): Promise<TransformsImport> {
  const path = opts.path ?? 'transforms.json';
  const codec = opts.codec ?? pureImageCodec;
  if (!(await files.exists(path))) throw new Error(`${path} not found`);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(await files.readFile(path)));
  } catch (e) {
    throw new Error(`${path} is not valid JSON: ${(e as Error).message}`);
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) throw new Error(`${path} must hold a JSON object`);
  const global = json as Json;
  if (!Array.isArray(global.frames)) throw new Error(`${path}: "frames" must be an array`);
  const dir = bundleDirname(path);

  const frames: TransformsFrameRecord[] = [];
  const skipped: { id: string; reason: string }[] = [];
  const warnings: string[] = [];
  // nerfstudio: raw 16-bit depth values times this factor are metres (default: millimetres).
  const depthScale = num(global.depth_unit_scale_factor, 'depth_unit_scale_factor') ?? 1e-3;
  if (!(depthScale > 0)) throw new Error(`${path}: depth_unit_scale_factor must be positive (got ${depthScale})`);
  const ids = new Set<string>();
  const list = global.frames as unknown[];
  for (let i = 0; i < list.length; i++) {
    const f = list[i] as Json;
    const filePath = f && typeof f === 'object' && typeof f.file_path === 'string' ? f.file_path : null;
    let id = filePath ? stemOf(filePath) : `#${i}`;
    try {
      if (!filePath) throw new Error('frame has no file_path');
      let imagePath: string | null;
      try {
        imagePath = await findImage(files, dir, filePath);
      } catch (e) {
        throw new Error(`bad file_path ${JSON.stringify(filePath)}: ${(e as Error).message}`);
      }
      if (!imagePath) throw new Error(`image file ${joinBundlePath(dir, filePath)} is missing`);
      const cameraToWorld = parsePose(f.transform_matrix);
      const needSize = pick(f, global, 'w') === undefined || pick(f, global, 'h') === undefined;
      const fileSize = needSize ? imageSizeFromHeader(await files.readFile(imagePath)) : null;
      const intrinsics = resolveIntrinsics(f, global, fileSize);
      if (ids.has(id)) id = imagePath.replace(/\.[^.]*$/, '');
      let unique = id;
      for (let k = 2; ids.has(unique); k++) unique = `${id}_${k}`;
      id = unique;
      ids.add(id);
      const p = imagePath;
      const record: TransformsFrameRecord = {
        id,
        index: i,
        imagePath: p,
        intrinsics,
        cameraToWorld,
        timestamp: i,
        loadImage: async () => codec.decode(await files.readFile(p), p),
      };
      if (typeof f.depth_file_path === 'string') {
        let dp: string | null = null;
        try {
          dp = joinBundlePath(dir, f.depth_file_path);
        } catch (e) {
          warnings.push(`frame ${id}: bad depth_file_path (${(e as Error).message}); kept without depth`);
        }
        if (dp && !(await files.exists(dp))) {
          warnings.push(`frame ${id}: depth file ${dp} is missing; kept without depth`);
          dp = null;
        }
        if (dp) {
          const depthFile = dp;
          record.depthPath = depthFile;
          record.loadDepth = async () => {
            const d = decodeDepthPng16(await files.readFile(depthFile), depthFile);
            // decodeDepthPng16 gives value/1000; rescale to this file's unit.
            const data = d.data;
            if (depthScale !== 1e-3) for (let j = 0; j < data.length; j++) data[j] = data[j] * 1000 * depthScale;
            const k = scaleIntrinsics(intrinsics, d.width, d.height);
            if (!k.distortion) delete k.distortion;
            return { width: d.width, height: d.height, data, intrinsics: k };
          };
        }
      }
      frames.push(record);
    } catch (e) {
      skipped.push({ id, reason: (e as Error).message });
    }
  }
  const out: TransformsImport = { frames, skipped, listed: list.length, warnings };
  if (typeof global.aabb_scale === 'number') out.aabbScale = global.aabb_scale;
  return out;
}
