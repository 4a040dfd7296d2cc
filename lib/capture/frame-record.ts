/**
 * A frame known by its metadata, decoded on demand. Every importer of a folder-style capture
 * (transforms.json, 7-Scenes, TUM RGB-D) returns these, because a capture is dozens of images and
 * decoding them all up front costs hundreds of MB; `loadFrame` decodes one, downsampled if asked.
 */
import { scaleIntrinsics, type DepthMap, type Frame, type Intrinsics, type RgbImage } from './frame';
import { resizeArea, scaledSize } from './image-ops';

export interface FrameRecord {
  /** Stable id within the capture (file stem, frame number, timestamp); unique. */
  id: string;
  /** Position in the capture's own list (transforms.json `frames`, rgb.txt line, frame order). */
  index: number;
  /** Bundle path of the image file. */
  imagePath: string;
  /** Intrinsics at the image file's resolution. */
  intrinsics: Intrinsics;
  /** Column-major camera-to-world, OpenGL camera axes (Frame's convention), in the capture's world frame. */
  cameraToWorld: Float64Array;
  /** Milliseconds on the capture's clock (or the file order when it has none). */
  timestamp: number;
  /** Reads and decodes the full-resolution image. */
  loadImage(): Promise<RgbImage>;
  /** Bundle path of the depth file, when the capture has one for this frame. */
  depthPath?: string;
  /** Reads the depth map in metres (z-depth, 0 = no measurement) with the depth image's own intrinsics. */
  loadDepth?(): Promise<DepthMap>;
  /** The pose was interpolated rather than measured with the image (Frame.approxPose). */
  approxPose?: boolean;
}

/** What a folder-style importer returns: usable records, and the frames it had to drop with why. */
export interface RecordImport {
  frames: FrameRecord[];
  skipped: { id: string; reason: string }[];
  /** Number of frames the capture lists (usable + skipped). */
  listed: number;
  /** Problems that did not cost a frame (a missing depth file: the frame is kept without depth). */
  warnings: string[];
}

/**
 * Decodes a record's image and optionally downsamples it by `scale`, or so that its long side is at most
 * `maxSize` (area averaging: exact box averaging for 1/integer scales, e.g. 0.25 turns 1080x1920 into
 * 270x480), scaling the intrinsics to match. The full-size pixels live only while this frame is read, so
 * a capture read at its working size costs its working-size bytes. If the file's real size differs from the
 * listed size but has the same aspect (a pre-downscaled image folder), the intrinsics follow the file.
 */
export async function loadFrame(record: FrameRecord, opts: { scale?: number; maxSize?: number; depth?: boolean } = {}): Promise<Frame> {
  if (opts.scale !== undefined && opts.maxSize !== undefined) throw new Error('loadFrame: give scale or maxSize, not both');
  if (opts.maxSize !== undefined && !(Number.isInteger(opts.maxSize) && opts.maxSize >= 8)) throw new Error(`loadFrame: maxSize must be an integer >= 8, got ${opts.maxSize}`);
  let image = await record.loadImage();
  const scale = opts.maxSize !== undefined ? Math.min(1, opts.maxSize / Math.max(image.width, image.height)) : (opts.scale ?? 1);
  let k = record.intrinsics;
  if (image.width !== k.width || image.height !== k.height) {
    const aspectErr = Math.abs(image.width / image.height - k.width / k.height) / (k.width / k.height);
    if (aspectErr > 0.01)
      throw new Error(
        `${record.imagePath}: image is ${image.width}x${image.height} but the capture says ${k.width}x${k.height} (different aspect)`,
      );
    k = scaleIntrinsics(k, image.width, image.height);
  }
  if (scale !== 1) {
    const size = scaledSize(image.width, image.height, scale);
    image = resizeArea(image, size.width, size.height);
    k = scaleIntrinsics(k, size.width, size.height);
  }
  k = { ...k }; // never share the record's object with the frame
  if (!k.distortion) delete k.distortion; // scaleIntrinsics writes an explicit undefined
  const frame: Frame = { id: record.id, image, intrinsics: k, cameraToWorld: Float64Array.from(record.cameraToWorld), timestamp: record.timestamp };
  // Depth keeps its own resolution (its intrinsics describe it); the image's scale does not apply.
  if (record.loadDepth && opts.depth !== false) frame.depth = await record.loadDepth();
  if (record.approxPose) frame.approxPose = true;
  return frame;
}

/** Loads every record (sequentially, to bound memory), e.g. to write them out as a capture bundle. */
export async function loadFrames(
  records: FrameRecord[],
  opts: { scale?: number; maxSize?: number; depth?: boolean; onProgress?: (done: number, total: number) => void } = {},
): Promise<Frame[]> {
  const out: Frame[] = [];
  for (const r of records) {
    out.push(await loadFrame(r, opts));
    opts.onProgress?.(out.length, records.length);
  }
  return out;
}
