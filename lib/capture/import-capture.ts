/**
 * One entry point for every capture layout a user may bring, so the CLI and the /scan importer
 * accept the same things: a SegSplat bundle (capture.json), an instant-ngp / nerfstudio
 * transforms.json, a 7-Scenes / 3DMatch RGB-D folder, or a TUM RGB-D sequence. The layout is found
 * by its index files; the result is lazy records (frame-record.ts) whatever the layout.
 */
import type { BundleFiles } from './bundle-files';
import { CAPTURE_JSON, readCaptureBundle } from './capture-bundle';
import type { FrameRecord, RecordImport } from './frame-record';
import type { ImageCodec } from './image-codec';
import { importSevenScenes, isSevenScenesFolder } from './seven-scenes';
import { importTransformsJson } from './transforms-json';
import { importTumRgbd, isTumFolder } from './tum-rgbd';

export type CaptureFormat = 'segsplat-capture' | 'transforms.json' | '7-scenes' | 'tum-rgbd';

export const CAPTURE_FORMAT_NAMES: Record<CaptureFormat, string> = {
  'segsplat-capture': 'SegSplat capture bundle',
  'transforms.json': 'transforms.json (instant-ngp / nerfstudio)',
  '7-scenes': '7-Scenes / 3DMatch RGB-D folder',
  'tum-rgbd': 'TUM RGB-D sequence',
};

export interface CaptureImport extends RecordImport {
  format: CaptureFormat;
  name: string;
  /** The capture's own up direction, when it states one (capture.json `worldUp`). */
  worldUp?: [number, number, number];
  attribution?: string;
}

const WHAT_WE_READ =
  'capture.json, transforms.json, 7-Scenes frames (frame-XXXXXX.color.png with .pose.txt) or a TUM sequence (rgb.txt + groundtruth.txt)';

/** The layout of the capture at the root of `files`, or null when none is recognised. */
export async function detectCaptureFormat(files: BundleFiles): Promise<CaptureFormat | null> {
  if (await files.exists(CAPTURE_JSON)) return 'segsplat-capture';
  if (await files.exists('transforms.json')) return 'transforms.json';
  if (await isTumFolder(files)) return 'tum-rgbd';
  if (await isSevenScenesFolder(files)) return '7-scenes';
  return null;
}

export async function importCapture(
  files: BundleFiles,
  opts: {
    codec?: ImageCodec;
    /** Shown to the user and used to recognise TUM's Freiburg cameras ('rgbd_dataset_freiburg1_xyz'). */
    name?: string;
    /** A transforms file under another name ('transforms_train.json'): read it as transforms.json. */
    transformsPath?: string;
  } = {},
): Promise<CaptureImport> {
  const name = opts.name || 'capture';
  const format = opts.transformsPath ? 'transforms.json' : await detectCaptureFormat(files);
  if (!format) {
    const seen = files.list ? (await files.list()).slice(0, 8) : [];
    throw new Error(`no capture found: expected ${WHAT_WE_READ}${seen.length ? `; found ${seen.join(', ')}${seen.length === 8 ? ', ...' : ''}` : ''}`);
  }
  if (format === 'segsplat-capture') {
    // Bundles are small, device-made captures, decoded and validated as a whole by their reader.
    const b = await readCaptureBundle(files, { codec: opts.codec });
    const frames: FrameRecord[] = b.frames.map((f, index) => {
      const r: FrameRecord = {
        id: f.id,
        index,
        imagePath: f.id,
        intrinsics: f.intrinsics,
        cameraToWorld: f.cameraToWorld,
        timestamp: f.timestamp,
        loadImage: async () => f.image,
      };
      if (f.depth) {
        const d = f.depth;
        r.loadDepth = async () => d;
      }
      if (f.approxPose) r.approxPose = true;
      return r;
    });
    const out: CaptureImport = { format, name: b.name, frames, skipped: b.skipped, listed: frames.length + b.skipped.length, warnings: [] };
    if (b.worldUp) out.worldUp = b.worldUp;
    if (b.attribution) out.attribution = b.attribution;
    return out;
  }
  if (format === 'transforms.json') {
    const t = await importTransformsJson(files, { codec: opts.codec, path: opts.transformsPath });
    return { format, name, frames: t.frames, skipped: t.skipped, listed: t.listed, warnings: t.warnings };
  }
  if (format === 'tum-rgbd') {
    const t = await importTumRgbd(files, { codec: opts.codec, name });
    const warnings = t.intrinsics.source.startsWith('ROS') ? t.warnings : [`intrinsics: ${t.intrinsics.source}`, ...t.warnings];
    return { format, name, frames: t.frames, skipped: t.skipped, listed: t.listed, warnings };
  }
  const s = await importSevenScenes(files, { codec: opts.codec });
  return { format, name, frames: s.frames, skipped: s.skipped, listed: s.listed, warnings: s.warnings };
}

/** "50 frames, 17 skipped (images/0005.jpg is missing, ...)" style one-liner for people. */
export function describeSkipped(skipped: { id: string; reason: string }[], max = 3): string {
  if (skipped.length === 0) return '';
  const shown = skipped.slice(0, max).map((s) => `${s.id}: ${s.reason}`);
  return `${skipped.length} skipped (${shown.join('; ')}${skipped.length > max ? `; and ${skipped.length - max} more` : ''})`;
}
