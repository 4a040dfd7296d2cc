/**
 * Importer for the TUM RGB-D benchmark layout:
 *
 *   rgb.txt          "timestamp rgb/1305031102.175304.png" per line ('#' comments)
 *   depth.txt        "timestamp depth/1305031102.160407.png": 16-bit grey, value / 5000 = metres
 *   groundtruth.txt  "timestamp tx ty tz qx qy qz qw": camera-to-world, OpenCV camera axes
 *
 * The three streams run on their own clocks (colour and depth at 30 Hz, motion capture at 100 Hz):
 * each colour frame takes the nearest depth frame within 20 ms (TUM's associate.py default) and a
 * pose interpolated between the motion-capture samples around it (slerp), or the nearest sample
 * within 20 ms where the samples are far apart. Frames with no pose are skipped with the reason;
 * frames with no depth are kept without it. TUM's depth is registered to the colour camera, so
 * both share one K: the caller's, else the folder's calibration file, else the Freiburg camera the
 * folder is named after (TUM's published calibration), else the ROS default, with a warning.
 */
import type { BundleFiles } from './bundle-files';
import { joinBundlePath } from './bundle-files';
import type { Distortion, Intrinsics } from './frame';
import type { FrameRecord, RecordImport } from './frame-record';
import { decodeSensorDepthPng, imageSizeFromHeader, pureImageCodec, type ImageCodec } from './image-codec';
import { openCvToOpenGlCamera } from './pose';
import { parseCameraMatrix, parseNumbers, SEVEN_SCENES_INTRINSICS_FILE } from './seven-scenes';

/** Raw depth units per metre in TUM RGB-D. */
export const TUM_DEPTH_SCALE = 5000;
/** "fx fy cx cy [k1 k2 p1 p2 k3]" on one line: TUM's calibration table row. */
export const TUM_CALIBRATION_FILE = 'calibration.txt';
const MAX_ASSOC_S = 0.02;
/** Interpolate a pose only between motion-capture samples this close (longer gaps: tracking lost). */
const MAX_INTERP_GAP_S = 0.1;

export interface TumCamera {
  fx: number;
  fy: number;
  cx: number;
  cy: number;
  distortion?: Distortion;
}

/** TUM's published calibration of the three Freiburg Kinects (colour camera, 640x480). */
export const TUM_CAMERAS: Record<'fr1' | 'fr2' | 'fr3' | 'ros', TumCamera> = {
  fr1: { fx: 517.3, fy: 516.5, cx: 318.6, cy: 255.3, distortion: { k1: 0.2624, k2: -0.9531, p1: -0.0054, p2: 0.0026, k3: 1.1633 } },
  fr2: { fx: 520.9, fy: 521.0, cx: 325.1, cy: 249.7, distortion: { k1: 0.2312, k2: -0.7849, p1: -0.0033, p2: -0.0001, k3: 0.9172 } },
  fr3: { fx: 535.4, fy: 539.2, cx: 320.1, cy: 247.6 },
  ros: { fx: 525.0, fy: 525.0, cx: 319.5, cy: 239.5 },
};

export interface TumImport extends RecordImport {
  intrinsics: TumCamera & { source: string };
}

interface Stamped {
  t: number;
  rest: string[];
  line: number;
}

/** A TUM list file: one "timestamp value..." record per line, '#' comments; `fields` values after the time. */
export function parseTumList(text: string, path: string, fields: number): Stamped[] {
  const out: Stamped[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const s = lines[i].trim();
    if (!s || s.startsWith('#')) continue;
    const parts = s.split(/[\s,]+/);
    if (parts.length < 1 + fields) throw new Error(`${path} line ${i + 1}: expected a timestamp and ${fields} value(s), found "${s}"`);
    const t = Number(parts[0]);
    if (!Number.isFinite(t)) throw new Error(`${path} line ${i + 1}: timestamp ${JSON.stringify(parts[0])} is not a number`);
    out.push({ t, rest: parts.slice(1, 1 + fields), line: i + 1 });
  }
  out.sort((a, b) => a.t - b.t);
  return out;
}

/** Index of the entry of sorted `list` nearest to t (-1 when empty). */
function nearest(list: Stamped[], t: number): number {
  let lo = 0, hi = list.length - 1;
  if (hi < 0) return -1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid].t < t) lo = mid + 1;
    else hi = mid;
  }
  if (lo > 0 && Math.abs(list[lo - 1].t - t) <= Math.abs(list[lo].t - t)) return lo - 1;
  return lo;
}

type Pose = { p: [number, number, number]; q: [number, number, number, number] }; // q = x y z w

function parsePose(s: Stamped, path: string): Pose {
  const v = s.rest.map(Number);
  if (!v.every(Number.isFinite)) throw new Error(`${path} line ${s.line}: pose values must be finite numbers`);
  const [tx, ty, tz, qx, qy, qz, qw] = v;
  const n = Math.hypot(qx, qy, qz, qw);
  // TUM writes 4 decimals: unit to ~1e-4. Far off is a broken line, not rounding.
  if (!(Math.abs(n - 1) < 1e-2)) throw new Error(`${path} line ${s.line}: quaternion is not unit length (|q| = ${n.toFixed(4)})`);
  return { p: [tx, ty, tz], q: [qx / n, qy / n, qz / n, qw / n] };
}

function slerp(a: Pose['q'], b: Pose['q'], s: number): Pose['q'] {
  let dot = a[0] * b[0] + a[1] * b[1] + a[2] * b[2] + a[3] * b[3];
  const bb = dot < 0 ? b.map((x) => -x) : b;
  dot = Math.abs(dot);
  let wa = 1 - s, wb = s;
  if (dot < 0.9995) {
    const th = Math.acos(dot);
    wa = Math.sin((1 - s) * th) / Math.sin(th);
    wb = Math.sin(s * th) / Math.sin(th);
  }
  const q = a.map((x, i) => wa * x + wb * bb[i]);
  const n = Math.hypot(...q);
  return q.map((x) => x / n) as Pose['q'];
}

/** Column-major camera-to-world (OpenGL camera axes) from a TUM pose (OpenCV camera axes). */
export function tumPoseToCameraToWorld(p: ArrayLike<number>, q: ArrayLike<number>): Float64Array {
  const [x, y, z, w] = [q[0], q[1], q[2], q[3]];
  const m = new Float64Array(16);
  m[0] = 1 - 2 * (y * y + z * z); m[4] = 2 * (x * y - z * w); m[8] = 2 * (x * z + y * w);
  m[1] = 2 * (x * y + z * w); m[5] = 1 - 2 * (x * x + z * z); m[9] = 2 * (y * z - x * w);
  m[2] = 2 * (x * z - y * w); m[6] = 2 * (y * z + x * w); m[10] = 1 - 2 * (x * x + y * y);
  m[12] = p[0]; m[13] = p[1]; m[14] = p[2]; m[15] = 1;
  return openCvToOpenGlCamera(m);
}

/** Pose at time t, or the reason there is none. */
function poseAt(gt: Stamped[], t: number, path: string): Pose | string {
  if (gt.length === 0) return 'no ground-truth poses';
  let hi = nearest(gt, t);
  if (gt[hi].t < t) hi++;
  const lo = hi - 1;
  if (hi < gt.length && gt[hi].t === t) return parsePose(gt[hi], path);
  if (lo >= 0 && hi < gt.length && gt[hi].t - gt[lo].t <= MAX_INTERP_GAP_S) {
    const a = parsePose(gt[lo], path), b = parsePose(gt[hi], path);
    const s = (t - gt[lo].t) / (gt[hi].t - gt[lo].t);
    return { p: a.p.map((v, i) => v + s * (b.p[i] - v)) as Pose['p'], q: slerp(a.q, b.q, s) };
  }
  const n = nearest(gt, t);
  if (Math.abs(gt[n].t - t) <= MAX_ASSOC_S) return parsePose(gt[n], path);
  return `no ground-truth pose within ${MAX_ASSOC_S * 1000} ms (nearest ${(Math.abs(gt[n].t - t) * 1000).toFixed(0)} ms away)`;
}

/** True when `dir` holds a TUM RGB-D sequence (rgb.txt and groundtruth.txt). */
export async function isTumFolder(files: BundleFiles, dir = ''): Promise<boolean> {
  return (await files.exists(joinBundlePath(dir, 'rgb.txt'))) && (await files.exists(joinBundlePath(dir, 'groundtruth.txt')));
}

async function readText(files: BundleFiles, path: string): Promise<string> {
  return new TextDecoder().decode(await files.readFile(path));
}

async function resolveCamera(files: BundleFiles, dir: string, name: string, given?: TumCamera): Promise<TumImport['intrinsics']> {
  if (given) return { ...given, source: 'given' };
  const kPath = joinBundlePath(dir, SEVEN_SCENES_INTRINSICS_FILE);
  if (await files.exists(kPath)) return { ...parseCameraMatrix(await readText(files, kPath), kPath), source: kPath };
  const cPath = joinBundlePath(dir, TUM_CALIBRATION_FILE);
  if (await files.exists(cPath)) {
    const text = (await readText(files, cPath)).split(/\r?\n/).filter((l) => l.trim() && !l.trim().startsWith('#'))[0] ?? '';
    const n = text.trim().split(/[\s,]+/).length;
    if (n !== 4 && n !== 9) throw new Error(`${cPath}: expected "fx fy cx cy" or "fx fy cx cy k1 k2 p1 p2 k3" on one line, found ${n} values`);
    const v = parseNumbers(text, cPath, n);
    if (!(v[0] > 0 && v[1] > 0)) throw new Error(`${cPath}: focal lengths must be positive`);
    const cam: TumCamera = { fx: v[0], fy: v[1], cx: v[2], cy: v[3] };
    if (n === 9 && v.slice(4).some((x) => x !== 0)) cam.distortion = { k1: v[4], k2: v[5], p1: v[6], p2: v[7], k3: v[8] };
    return { ...cam, source: cPath };
  }
  const fr = /freiburg([123])/i.exec(name) ?? /(?:^|[^a-z])fr([123])(?:[^0-9]|$)/i.exec(name);
  if (fr) {
    const key = `fr${fr[1]}` as 'fr1' | 'fr2' | 'fr3';
    return { ...TUM_CAMERAS[key], source: `TUM ${key} calibration (from the folder name)` };
  }
  return { ...TUM_CAMERAS.ros, source: 'ROS default (no calibration found)' };
}

export async function importTumRgbd(
  files: BundleFiles,
  opts: { dir?: string; codec?: ImageCodec; name?: string; camera?: TumCamera; depthScale?: number } = {},
): Promise<TumImport> {
  const codec = opts.codec ?? pureImageCodec;
  const dir = opts.dir ?? '';
  const depthScale = opts.depthScale ?? TUM_DEPTH_SCALE;
  if (!(depthScale > 0)) throw new Error(`TUM depth scale must be positive (got ${depthScale})`);
  const rgbPath = joinBundlePath(dir, 'rgb.txt'), depthListPath = joinBundlePath(dir, 'depth.txt'), gtPath = joinBundlePath(dir, 'groundtruth.txt');
  if (!(await files.exists(rgbPath))) throw new Error(`${rgbPath} not found`);
  if (!(await files.exists(gtPath))) throw new Error(`${gtPath} not found: a TUM sequence without ground truth has no poses`);
  const rgb = parseTumList(await readText(files, rgbPath), rgbPath, 1);
  const gt = parseTumList(await readText(files, gtPath), gtPath, 7);
  const warnings: string[] = [];
  let depth: Stamped[] = [];
  if (await files.exists(depthListPath)) depth = parseTumList(await readText(files, depthListPath), depthListPath, 1);
  else warnings.push(`${depthListPath} not found: frames have no depth`);
  const camera = await resolveCamera(files, dir, opts.name ?? dir, opts.camera);
  if (camera.source.startsWith('ROS default')) warnings.push('no calibration file and no Freiburg camera in the folder name: using the ROS default K (fx = fy = 525, cx = 319.5, cy = 239.5)');

  const frames: FrameRecord[] = [];
  const skipped: { id: string; reason: string }[] = [];
  let size: { width: number; height: number } | null = null;
  let noDepth = 0;
  const ids = new Set<string>();
  for (let index = 0; index < rgb.length; index++) {
    const e = rgb[index];
    const rel = e.rest[0];
    const base = rel.slice(rel.lastIndexOf('/') + 1);
    let id = base.replace(/\.[^.]*$/, '') || `#${index}`;
    for (let k = 2; ids.has(id); k++) id = `${base}_${k}`;
    try {
      const imagePath = joinBundlePath(dir, rel);
      if (!(await files.exists(imagePath))) throw new Error(`image file ${imagePath} is missing`);
      const pose = poseAt(gt, e.t, gtPath);
      if (typeof pose === 'string') throw new Error(pose);
      if (!size) {
        size = imageSizeFromHeader(await files.readFile(imagePath));
        if (!size) throw new Error(`${imagePath}: unreadable image header (not a PNG or JPEG)`);
      }
      const intrinsics: Intrinsics = { fx: camera.fx, fy: camera.fy, cx: camera.cx, cy: camera.cy, width: size.width, height: size.height };
      if (camera.distortion) intrinsics.distortion = { ...camera.distortion };
      const record: FrameRecord = {
        id,
        index,
        imagePath,
        intrinsics,
        cameraToWorld: tumPoseToCameraToWorld(pose.p, pose.q),
        timestamp: e.t * 1000,
        loadImage: async () => codec.decode(await files.readFile(imagePath), imagePath),
      };
      const di = nearest(depth, e.t);
      const depthPath = di >= 0 && Math.abs(depth[di].t - e.t) <= MAX_ASSOC_S ? joinBundlePath(dir, depth[di].rest[0]) : null;
      if (depthPath && (await files.exists(depthPath))) {
        record.depthPath = depthPath;
        record.loadDepth = async () => {
          const d = decodeSensorDepthPng(await files.readFile(depthPath), 1 / depthScale, depthPath);
          const sx = d.width / intrinsics.width, sy = d.height / intrinsics.height;
          const k: Intrinsics = { fx: camera.fx * sx, fy: camera.fy * sy, cx: camera.cx * sx, cy: camera.cy * sy, width: d.width, height: d.height };
          if (camera.distortion) k.distortion = { ...camera.distortion };
          return { width: d.width, height: d.height, data: d.data, intrinsics: k };
        };
      } else if (depth.length > 0) noDepth++;
      ids.add(id);
      frames.push(record);
    } catch (err) {
      skipped.push({ id, reason: (err as Error).message });
    }
  }
  if (noDepth) warnings.push(`${noDepth} frame(s) have no depth frame within ${MAX_ASSOC_S * 1000} ms (or its file is missing); kept without depth`);
  return { frames, skipped, listed: rgb.length, warnings, intrinsics: camera };
}
