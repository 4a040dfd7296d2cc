/**
 * Importer for RGB-D folders in the 7-Scenes / 3DMatch (tsdf-fusion) layout:
 *
 *   frame-000150.color.png | .jpg   8-bit colour
 *   frame-000150.depth.png          16-bit grey, millimetres; 0 and 65535 = no measurement
 *   frame-000150.pose.txt           4x4 row-major camera-to-world, OpenCV camera axes
 *   camera-intrinsics.txt           3x3 K of the depth camera (optional: 7-Scenes' own K otherwise)
 *
 * Poses become Frame's convention: column-major, rotation re-orthonormalised (the text has ~7
 * digits), camera axes turned to OpenGL's by c2w * diag(1, -1, -1, 1). The world frame stays the
 * capture's (KinectFusion's: metric, not gravity-aligned). Colour and depth come from two sensors
 * and are not registered; both get K, scaled to each image's size if they differ.
 *
 * Needs a BundleFiles that can list (frames are found by name pattern). No node:fs: the browser
 * passes picked files.
 */
import type { BundleFiles } from './bundle-files';
import { scaleIntrinsics, type Intrinsics } from './frame';
import type { FrameRecord, RecordImport } from './frame-record';
import { decodeSensorDepthPng, imageSizeFromHeader, pureImageCodec, type ImageCodec } from './image-codec';
import { fromRowMajorRows, openCvToOpenGlCamera, orthonormalized, rigidPoseProblem } from './pose';

export const SEVEN_SCENES_INTRINSICS_FILE = 'camera-intrinsics.txt';
/** Kinect v1 depth camera as 7-Scenes documents it (its folders carry no intrinsics file). */
export const SEVEN_SCENES_DEFAULT_K = { fx: 585, fy: 585, cx: 320, cy: 240 };
/** 7-Scenes and 3DMatch frames are consecutive Kinect frames at about 30 Hz. */
const FRAME_MS = 1000 / 30;
/** Rotations further than this from orthonormal are not rounding noise but a broken pose. */
const ORTHONORMAL_TOL = 1e-2;

const COLOR = /^(?:(.*)\/)?frame-(\d+)\.color\.(png|jpe?g)$/i;

export interface SevenScenesImport extends RecordImport {
  /** The K that was used, and where it came from. */
  intrinsics: { fx: number; fy: number; cx: number; cy: number; source: 'file' | 'default' };
}

/** Whitespace-separated finite numbers of a small text file, with the file named in errors. */
export function parseNumbers(text: string, path: string, count: number): number[] {
  const tokens = text.trim().split(/[\s,]+/).filter(Boolean);
  if (tokens.length !== count) throw new Error(`${path}: expected ${count} numbers, found ${tokens.length}`);
  return tokens.map((t, i) => {
    const v = Number(t);
    if (!Number.isFinite(v)) throw new Error(`${path}: value ${i + 1} is not a finite number (${JSON.stringify(t)})`);
    return v;
  });
}

/** A 3x3 camera matrix K (row-major text), checked for a pinhole shape. */
export function parseCameraMatrix(text: string, path: string): { fx: number; fy: number; cx: number; cy: number } {
  const k = parseNumbers(text, path, 9);
  const [fx, s, cx, z0, fy, cy, z1, z2, one] = k;
  if (!(fx > 0 && fy > 0)) throw new Error(`${path}: focal lengths must be positive (fx ${fx}, fy ${fy})`);
  if (Math.abs(z0) > 1e-9 || Math.abs(z1) > 1e-9 || Math.abs(z2) > 1e-9 || Math.abs(one - 1) > 1e-9)
    throw new Error(`${path}: not a camera matrix (expected rows "fx 0 cx", "0 fy cy", "0 0 1")`);
  if (Math.abs(s) > 1e-6 * fx) throw new Error(`${path}: skewed camera matrices are not supported (skew ${s})`);
  return { fx, fy, cx, cy };
}

/** A 4x4 row-major OpenCV-axes camera-to-world text pose -> Frame's column-major OpenGL-axes pose. */
export function parseOpenCvPoseText(text: string, path: string): Float64Array {
  const v = parseNumbers(text, path, 16);
  const m = fromRowMajorRows([v.slice(0, 4), v.slice(4, 8), v.slice(8, 12), v.slice(12, 16)]);
  const problem = rigidPoseProblem(m, ORTHONORMAL_TOL);
  if (problem) throw new Error(`${path}: ${problem}`);
  const r = orthonormalized(m);
  if (!r) throw new Error(`${path}: pose rotation is singular`);
  return openCvToOpenGlCamera(r);
}

/** True when `dir` of `files` looks like a 7-Scenes / 3DMatch folder (a colour frame with its pose). */
export async function isSevenScenesFolder(files: BundleFiles, dir = ''): Promise<boolean> {
  if (!files.list) return false;
  const names = await files.list(dir);
  const set = new Set(names);
  for (const n of names) {
    const m = COLOR.exec(n);
    if (m && set.has(n.replace(/\.color\.[^.]+$/i, '.pose.txt'))) return true;
  }
  return false;
}

export async function importSevenScenes(
  files: BundleFiles,
  opts: { dir?: string; codec?: ImageCodec } = {},
): Promise<SevenScenesImport> {
  const codec = opts.codec ?? pureImageCodec;
  const dir = opts.dir ?? '';
  if (!files.list) throw new Error('7-Scenes folders are found by file name: this file source cannot list its files');
  const names = await files.list(dir);
  const set = new Set(names);
  const at = (name: string) => (dir ? `${dir}/${name}` : name);
  const warnings: string[] = [];

  let K: SevenScenesImport['intrinsics'];
  const kPath = at(SEVEN_SCENES_INTRINSICS_FILE);
  if (set.has(kPath)) K = { ...parseCameraMatrix(new TextDecoder().decode(await files.readFile(kPath)), kPath), source: 'file' };
  else {
    K = { ...SEVEN_SCENES_DEFAULT_K, source: 'default' };
    warnings.push(`no ${SEVEN_SCENES_INTRINSICS_FILE}: using 7-Scenes' Kinect intrinsics fx = fy = 585, cx = 320, cy = 240`);
  }

  // One colour file per frame number; a folder with both .png and .jpg for a frame is ambiguous.
  const colors = new Map<string, string>();
  for (const n of names) {
    const m = COLOR.exec(n);
    if (!m) continue;
    if (colors.has(m[2])) throw new Error(`frame-${m[2]} has two colour images (${colors.get(m[2])}, ${n})`);
    colors.set(m[2], n);
  }
  const numbers = [...colors.keys()].sort((a, b) => Number(a) - Number(b) || a.localeCompare(b));
  const frames: FrameRecord[] = [];
  const skipped: { id: string; reason: string }[] = [];
  // The depth camera's K describes images of its size; 7-Scenes is 640x480 for both streams.
  let depthSize: { width: number; height: number } | null = null;
  for (let index = 0; index < numbers.length; index++) {
    const num = numbers[index];
    const id = `frame-${num}`;
    const imagePath = colors.get(num)!;
    try {
      const posePath = at(`${id}.pose.txt`);
      if (!set.has(posePath)) throw new Error(`pose file ${posePath} is missing`);
      const cameraToWorld = parseOpenCvPoseText(new TextDecoder().decode(await files.readFile(posePath)), posePath);
      const size = imageSizeFromHeader(await files.readFile(imagePath));
      if (!size) throw new Error(`${imagePath}: unreadable image header (not a PNG or JPEG)`);
      const depthPath = at(`${id}.depth.png`);
      const hasDepth = set.has(depthPath);
      if (hasDepth && !depthSize) {
        depthSize = imageSizeFromHeader(await files.readFile(depthPath));
        if (!depthSize) throw new Error(`${depthPath}: not a PNG`);
      }
      const ref = depthSize ?? size; // K belongs to the depth camera; without depth, assume the colour size
      const kRef: Intrinsics = { ...K, width: ref.width, height: ref.height };
      delete (kRef as Partial<typeof K>).source;
      const intrinsics = scaleIntrinsics(kRef, size.width, size.height);
      delete intrinsics.distortion;
      const record: FrameRecord = {
        id,
        index,
        imagePath,
        intrinsics,
        cameraToWorld,
        timestamp: Number(num) * FRAME_MS,
        loadImage: async () => codec.decode(await files.readFile(imagePath), imagePath),
      };
      if (hasDepth) {
        record.depthPath = depthPath;
        record.loadDepth = async () => {
          const d = decodeSensorDepthPng(await files.readFile(depthPath), 1 / 1000, depthPath);
          const k = scaleIntrinsics(kRef, d.width, d.height);
          delete k.distortion;
          return { width: d.width, height: d.height, data: d.data, intrinsics: k };
        };
      } else warnings.push(`${id}: no depth file ${depthPath}; kept without depth`);
      frames.push(record);
    } catch (e) {
      skipped.push({ id, reason: (e as Error).message });
    }
  }
  // Poses and depth files without a colour image are frames too, just unusable ones: say so.
  for (const n of names) {
    const m = /^(?:.*\/)?frame-(\d+)\.pose\.txt$/.exec(n);
    if (m && !colors.has(m[1])) skipped.push({ id: `frame-${m[1]}`, reason: `no colour image frame-${m[1]}.color.png|jpg` });
  }
  return { frames, skipped, listed: frames.length + skipped.length, warnings, intrinsics: K };
}
