/**
 * Resampling a depth map between two intrinsics of the SAME camera pose (device depth at its own resolution and
 * field of view -> the frame's working grid; a network's square output -> the image grid). Depth along -z is the
 * same for a given ray in both, so only pixel positions change; inverse depth is interpolated over valid
 * neighbours on one surface (see remapDepth).
 */
import type { DepthMap, Intrinsics } from '../../capture/frame';
import { distortNormalized, isIdentityDistortion, undistortNormalized } from './lens-distortion';
import { remapDepth } from './stereo-view';

/** For every pixel of `to`, its continuous position in an image described by `from` (same camera pose). */
export function pixelMapBetween(to: Intrinsics, from: Intrinsics): Float32Array {
  const map = new Float32Array(to.width * to.height * 2);
  const tmp = new Float64Array(2);
  for (let v = 0; v < to.height; v++)
    for (let u = 0; u < to.width; u++) {
      let x = (u + 0.5 - to.cx) / to.fx, y = (v + 0.5 - to.cy) / to.fy;
      if (!isIdentityDistortion(to.distortion)) {
        undistortNormalized(to.distortion!, x, y, tmp);
        x = tmp[0];
        y = tmp[1];
      }
      if (!isIdentityDistortion(from.distortion)) {
        distortNormalized(from.distortion!, x, y, tmp);
        x = tmp[0];
        y = tmp[1];
      }
      const o = 2 * (v * to.width + u);
      map[o] = x * from.fx + from.cx;
      map[o + 1] = y * from.fy + from.cy;
    }
  return map;
}

/**
 * Depth map resampled onto the grid of `to`. Pixels of `to` that fall outside the source image get 0 (no
 * measurement) rather than a clamped edge value. Confidence, when present, is taken from the nearest pixel.
 */
export function resampleDepthMap(src: DepthMap, to: Intrinsics): DepthMap {
  const { width: w, height: h } = src;
  if (src.data.length !== w * h) throw new Error(`depth map has ${src.data.length} values, expected ${w}x${h}`);
  const k = src.intrinsics;
  if (!k || k.width !== w || k.height !== h) throw new Error(`depth map intrinsics must describe its own ${w}x${h} grid`);
  const map = pixelMapBetween(to, k);
  const clean = new Float32Array(src.data.length);
  for (let i = 0; i < clean.length; i++) {
    const d = src.data[i];
    clean[i] = d > 0 && Number.isFinite(d) ? d : 0;
  }
  const data = remapDepth(clean, w, h, map);
  let confidence: Float32Array | undefined;
  if (src.confidence) confidence = new Float32Array(to.width * to.height);
  for (let i = 0; i < to.width * to.height; i++) {
    const x = map[2 * i], y = map[2 * i + 1];
    if (!(x >= 0 && y >= 0 && x <= w && y <= h)) {
      data[i] = 0;
      continue;
    }
    if (confidence) confidence[i] = src.confidence![Math.min(h - 1, Math.floor(y)) * w + Math.min(w - 1, Math.floor(x))];
  }
  const intrinsics: Intrinsics = { ...to, distortion: to.distortion ? { ...to.distortion } : undefined };
  if (!intrinsics.distortion) delete intrinsics.distortion;
  return { width: to.width, height: to.height, data, intrinsics, confidence };
}
