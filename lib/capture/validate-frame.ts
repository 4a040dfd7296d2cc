/**
 * Sanity checks for a Frame before anything downstream trusts it. Every problem is reported as a
 * sentence naming the field and the bad value, so a skipped frame says why.
 */
import type { DepthMap, Frame, Intrinsics } from './frame';
import { rigidPoseProblem } from './pose';

/**
 * How far outside the image the principal point may sit, as a fraction of the image size.
 * Real cameras (and crops of them) keep it near the centre; beyond half an image away it is almost
 * certainly a unit or convention error (normalised coordinates, bottom-left origin of another size).
 */
export const PRINCIPAL_POINT_MARGIN = 0.5;

/**
 * Depth may be stored at another resolution than the image but must cover the same field of view,
 * so width/height must match the image aspect to within one pixel of rounding (or 1 %).
 */
function aspectMismatch(dw: number, dh: number, iw: number, ih: number): boolean {
  const expectW = (dh * iw) / ih;
  return Math.abs(dw - expectW) > Math.max(1, 0.01 * dw);
}

const isPosInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v > 0;

export function intrinsicsProblems(k: Intrinsics | undefined, label: string): string[] {
  if (!k || typeof k !== 'object') return [`${label} are missing`];
  const out: string[] = [];
  if (!isPosInt(k.width) || !isPosInt(k.height)) out.push(`${label} size ${k.width}x${k.height} is not a positive integer size`);
  for (const f of ['fx', 'fy'] as const) {
    const v = k[f];
    if (typeof v !== 'number' || !Number.isFinite(v)) out.push(`${label} focal length ${f} is not finite (${v})`);
    else if (v <= 0) out.push(`${label} focal length ${f} must be positive (${v})`);
  }
  for (const c of ['cx', 'cy'] as const) {
    const v = k[c];
    if (typeof v !== 'number' || !Number.isFinite(v)) out.push(`${label} principal point ${c} is not finite (${v})`);
  }
  if (out.length === 0) {
    const m = PRINCIPAL_POINT_MARGIN;
    if (k.cx < -m * k.width || k.cx > (1 + m) * k.width || k.cy < -m * k.height || k.cy > (1 + m) * k.height)
      out.push(
        `${label} principal point (${k.cx}, ${k.cy}) is far outside the ${k.width}x${k.height} image ` +
          '(pixels, top-left origin expected)',
      );
  }
  if (k.distortion) {
    for (const key of ['k1', 'k2', 'p1', 'p2', 'k3'] as const) {
      const v = k.distortion[key];
      if (key === 'k3' && v === undefined) continue;
      if (typeof v !== 'number' || !Number.isFinite(v)) out.push(`${label} distortion ${key} is not finite (${v})`);
    }
  }
  return out;
}

function depthProblems(d: DepthMap, frame: Frame): string[] {
  const out: string[] = [];
  if (!isPosInt(d.width) || !isPosInt(d.height)) {
    out.push(`depth size ${d.width}x${d.height} is not a positive integer size`);
    return out;
  }
  const n = d.width * d.height;
  if (!(d.data instanceof Float32Array)) out.push('depth data must be a Float32Array');
  else if (d.data.length !== n) out.push(`depth data has ${d.data.length} values, expected ${n} (${d.width}x${d.height})`);
  if (d.confidence !== undefined) {
    if (!(d.confidence instanceof Float32Array)) out.push('depth confidence must be a Float32Array');
    else if (d.confidence.length !== n)
      out.push(`depth confidence has ${d.confidence.length} values, expected ${n} (${d.width}x${d.height})`);
  }
  const kp = intrinsicsProblems(d.intrinsics, 'depth intrinsics');
  out.push(...kp);
  if (d.intrinsics && kp.length === 0 && (d.intrinsics.width !== d.width || d.intrinsics.height !== d.height))
    out.push(
      `depth intrinsics describe a ${d.intrinsics.width}x${d.intrinsics.height} image but the depth map is ${d.width}x${d.height}`,
    );
  const img = frame.image;
  if (img && isPosInt(img.width) && isPosInt(img.height) && aspectMismatch(d.width, d.height, img.width, img.height))
    out.push(
      `depth size ${d.width}x${d.height} does not match the image aspect ${img.width}x${img.height} ` +
        '(depth must cover the same field of view)',
    );
  return out;
}

/** Every problem found in a frame (empty when it is usable). */
export function frameProblems(frame: Frame): string[] {
  if (!frame || typeof frame !== 'object') return ['frame is not an object'];
  const out: string[] = [];
  if (typeof frame.id !== 'string' || frame.id.length === 0) out.push('frame id must be a non-empty string');
  const img = frame.image;
  if (!img) out.push('image is missing');
  else if (!isPosInt(img.width) || !isPosInt(img.height)) out.push(`image size ${img.width}x${img.height} is not a positive integer size`);
  else if (!(img.data instanceof Uint8Array)) out.push('image data must be a Uint8Array (8-bit RGB)');
  else if (img.data.length !== img.width * img.height * 3)
    out.push(`image data has ${img.data.length} bytes, expected ${img.width * img.height * 3} (${img.width}x${img.height}x3 RGB)`);
  const kp = intrinsicsProblems(frame.intrinsics, 'intrinsics');
  out.push(...kp);
  if (kp.length === 0 && img && (frame.intrinsics.width !== img.width || frame.intrinsics.height !== img.height))
    out.push(
      `intrinsics describe a ${frame.intrinsics.width}x${frame.intrinsics.height} image but the image is ${img.width}x${img.height} ` +
        '(use scaleIntrinsics after resizing)',
    );
  const poseProblem = rigidPoseProblem(frame.cameraToWorld);
  if (poseProblem) out.push(`cameraToWorld: ${poseProblem}`);
  if (typeof frame.timestamp !== 'number' || !Number.isFinite(frame.timestamp)) out.push(`timestamp is not finite (${frame.timestamp})`);
  if (frame.depth) out.push(...depthProblems(frame.depth, frame));
  return out;
}

export function assertValidFrame(frame: Frame): void {
  const problems = frameProblems(frame);
  if (problems.length > 0) {
    const id = frame && typeof frame.id === 'string' ? frame.id : '?';
    throw new Error(`invalid frame ${id}: ${problems.join('; ')}`);
  }
}
