/**
 * A posed view prepared for stereo: grey image at the working resolution, undistorted to a pinhole camera,
 * plus the mapping back to the frame's own (possibly distorted) pixel grid.
 */
import type { Frame, Intrinsics, RgbImage } from '../../capture/frame';
import { scaleIntrinsics } from '../../capture/frame';
import { invertRigid, rigidPoseProblem } from '../../capture/pose';
import { checkDistortion, distortNormalized, isIdentityDistortion, undistortNormalized } from './lens-distortion';

/** Pinhole intrinsics (no distortion) of an image of width x height pixels. */
export interface PinholeCamera {
  fx: number;
  fy: number;
  cx: number;
  cy: number;
  width: number;
  height: number;
}

export interface StereoView {
  id: string;
  width: number;
  height: number;
  /** Luminance 0..1 of the undistorted (pinhole) image, row-major. */
  gray: Float32Array;
  /** Camera of `gray`. Same fx, fy, cx, cy as `frameIntrinsics`, without distortion. */
  camera: PinholeCamera;
  /** The frame's own intrinsics scaled to the working resolution (distortion kept). */
  frameIntrinsics: Intrinsics;
  cameraToWorld: Float64Array;
  worldToCamera: Float64Array;
}

/** Throws a clear error when a frame cannot take part in multi-view geometry. */
export function checkPosedFrame(frame: Frame): void {
  const what = `frame ${frame.id ?? '?'}`;
  const p = rigidPoseProblem(frame.cameraToWorld);
  if (p) throw new Error(`${what}: unusable camera pose: ${p}`);
  const k = frame.intrinsics;
  if (!k) throw new Error(`${what}: missing intrinsics`);
  for (const key of ['fx', 'fy', 'cx', 'cy', 'width', 'height'] as const)
    if (!Number.isFinite(k[key])) throw new Error(`${what}: intrinsics ${key} is not finite (${k[key]})`);
  if (!(k.fx > 0 && k.fy > 0)) throw new Error(`${what}: focal lengths must be positive (fx ${k.fx}, fy ${k.fy})`);
  checkDistortion(k.distortion, what);
  const img = frame.image;
  if (!img || !(img.width > 0 && img.height > 0) || img.data.length < img.width * img.height * 3)
    throw new Error(`${what}: image must be RGB with width*height*3 bytes`);
}

/**
 * Area-averages (integer factor) or bilinearly resamples an RGB image to width x height; returns
 * interleaved RGB floats 0..1. Area averaging matches a camera's pixel integration (and the reference protocol's
 * 4x4 box averaging).
 */
export function resampleRgb(img: RgbImage, width: number, height: number): Float32Array {
  checkSize(width, height, 'working resolution');
  const out = new Float32Array(width * height * 3);
  const fx = img.width / width;
  const fy = img.height / height;
  const src = img.data;
  if (Number.isInteger(fx) && Number.isInteger(fy)) {
    const inv = 1 / (255 * fx * fy);
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++) {
        let r = 0, g = 0, b = 0;
        for (let j = 0; j < fy; j++) {
          let o = ((y * fy + j) * img.width + x * fx) * 3;
          for (let i = 0; i < fx; i++, o += 3) {
            r += src[o];
            g += src[o + 1];
            b += src[o + 2];
          }
        }
        const d = (y * width + x) * 3;
        out[d] = r * inv;
        out[d + 1] = g * inv;
        out[d + 2] = b * inv;
      }
    return out;
  }
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const sx = Math.min(Math.max((x + 0.5) * fx - 0.5, 0), img.width - 1);
      const sy = Math.min(Math.max((y + 0.5) * fy - 0.5, 0), img.height - 1);
      const x0 = Math.floor(sx), y0 = Math.floor(sy);
      const x1 = Math.min(x0 + 1, img.width - 1), y1 = Math.min(y0 + 1, img.height - 1);
      const ax = sx - x0, ay = sy - y0;
      for (let c = 0; c < 3; c++) {
        const v00 = src[(y0 * img.width + x0) * 3 + c], v10 = src[(y0 * img.width + x1) * 3 + c];
        const v01 = src[(y1 * img.width + x0) * 3 + c], v11 = src[(y1 * img.width + x1) * 3 + c];
        out[(y * width + x) * 3 + c] =
          ((v00 * (1 - ax) + v10 * ax) * (1 - ay) + (v01 * (1 - ax) + v11 * ax) * ay) / 255;
      }
    }
  return out;
}

function checkSize(width: number, height: number, what: string): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 8 || height < 8 || width * height > 1 << 24)
    throw new Error(`${what} must be integers between 8 and 16M pixels, got ${width}x${height}`);
}

/** Rec. 601 luma of interleaved RGB floats. */
export function lumaOf(rgb: Float32Array, n: number): Float32Array {
  const g = new Float32Array(n);
  for (let i = 0, o = 0; i < n; i++, o += 3) g[i] = 0.299 * rgb[o] + 0.587 * rgb[o + 1] + 0.114 * rgb[o + 2];
  return g;
}

/** Per pixel of a grid with intrinsics k, where `lens` moves its normalised coordinates (interleaved x, y). */
function lensMap(k: Intrinsics, lens: typeof distortNormalized): Float32Array {
  const { width: w, height: h } = k;
  const map = new Float32Array(w * h * 2);
  const d = k.distortion;
  const tmp = new Float64Array(2);
  for (let v = 0; v < h; v++)
    for (let u = 0; u < w; u++) {
      const x = (u + 0.5 - k.cx) / k.fx;
      const y = (v + 0.5 - k.cy) / k.fy;
      if (d) lens(d, x, y, tmp);
      else {
        tmp[0] = x;
        tmp[1] = y;
      }
      const o = (v * w + u) * 2;
      map[o] = tmp[0] * k.fx + k.cx;
      map[o + 1] = tmp[1] * k.fy + k.cy;
    }
  return map;
}

/**
 * For every pixel of a pinhole grid, where it lies in the distorted image (continuous coordinates, pixel
 * centres at +0.5). Interleaved x, y.
 */
export function pinholeToDistortedMap(k: Intrinsics): Float32Array {
  return lensMap(k, distortNormalized);
}

/** For every pixel of the distorted grid, where it lies in the pinhole image (continuous coordinates). */
export function distortedToPinholeMap(k: Intrinsics): Float32Array {
  return lensMap(k, undistortNormalized);
}

/** Bilinear sample of `channels`-interleaved data at continuous coordinates (pixel centres at +0.5), clamped. */
export function remap(src: Float32Array, w: number, h: number, channels: number, map: Float32Array): Float32Array {
  const n = map.length / 2;
  const out = new Float32Array(n * channels);
  for (let i = 0; i < n; i++) {
    const sx = Math.min(Math.max(map[2 * i] - 0.5, 0), w - 1);
    const sy = Math.min(Math.max(map[2 * i + 1] - 0.5, 0), h - 1);
    const x0 = Math.floor(sx), y0 = Math.floor(sy);
    const x1 = Math.min(x0 + 1, w - 1), y1 = Math.min(y0 + 1, h - 1);
    const ax = sx - x0, ay = sy - y0;
    for (let c = 0; c < channels; c++) {
      const v00 = src[(y0 * w + x0) * channels + c], v10 = src[(y0 * w + x1) * channels + c];
      const v01 = src[(y1 * w + x0) * channels + c], v11 = src[(y1 * w + x1) * channels + c];
      out[i * channels + c] = (v00 * (1 - ax) + v10 * ax) * (1 - ay) + (v01 * (1 - ax) + v11 * ax) * ay;
    }
  }
  return out;
}

/**
 * Resamples a depth map (0 = invalid) through a coordinate map by interpolating inverse depth over the
 * valid neighbours only, so that holes do not bleed into valid depth and edges do not create flying depths
 * between far-apart values (a neighbour more than 10% off the nearest one is dropped).
 */
export function remapDepth(src: Float32Array, w: number, h: number, map: Float32Array): Float32Array {
  const n = map.length / 2;
  const out = new Float32Array(n);
  const idx = new Int32Array(4), wt = new Float64Array(4);
  for (let i = 0; i < n; i++) {
    const sx = Math.min(Math.max(map[2 * i] - 0.5, 0), w - 1);
    const sy = Math.min(Math.max(map[2 * i + 1] - 0.5, 0), h - 1);
    const x0 = Math.floor(sx), y0 = Math.floor(sy);
    const x1 = Math.min(x0 + 1, w - 1), y1 = Math.min(y0 + 1, h - 1);
    const ax = sx - x0, ay = sy - y0;
    idx[0] = y0 * w + x0;
    idx[1] = y0 * w + x1;
    idx[2] = y1 * w + x0;
    idx[3] = y1 * w + x1;
    wt[0] = (1 - ax) * (1 - ay);
    wt[1] = ax * (1 - ay);
    wt[2] = (1 - ax) * ay;
    wt[3] = ax * ay;
    // Nearest valid neighbour sets the surface; the others join only when on the same surface.
    let best = -1, bw = -1;
    for (let k = 0; k < 4; k++)
      if (src[idx[k]] > 0 && wt[k] > bw) {
        bw = wt[k];
        best = k;
      }
    if (best < 0) continue;
    const ref = 1 / src[idx[best]];
    let s = 0, sw = 0;
    for (let k = 0; k < 4; k++) {
      const d = src[idx[k]];
      if (!(d > 0)) continue;
      const inv = 1 / d;
      if (Math.abs(inv - ref) > 0.1 * ref) continue;
      s += wt[k] * inv;
      sw += wt[k];
    }
    out[i] = sw > 0 ? sw / s : 0;
  }
  return out;
}

/**
 * Builds the stereo view of a frame at width x height. Images are averaged down first and undistorted at the
 * working resolution (cheaper, and the distortion of a phone lens is a few pixels at most there).
 */
export function makeStereoView(frame: Frame, width: number, height: number): StereoView {
  checkPosedFrame(frame);
  checkSize(width, height, 'working resolution');
  const rgb = resampleRgb(frame.image, width, height);
  // The intrinsics describe frame.intrinsics.width x height, which may differ from the stored image size.
  const k = scaleIntrinsics(frame.intrinsics, width, height);
  let gray = lumaOf(rgb, width * height);
  if (!isIdentityDistortion(k.distortion)) gray = remap(gray, width, height, 1, pinholeToDistortedMap(k));
  const c2w = Float64Array.from(frame.cameraToWorld);
  return {
    id: frame.id,
    width,
    height,
    gray,
    camera: { fx: k.fx, fy: k.fy, cx: k.cx, cy: k.cy, width, height },
    frameIntrinsics: k,
    cameraToWorld: c2w,
    worldToCamera: invertRigid(c2w),
  };
}

/** Depth on the pinhole grid of a view -> depth on the view's own (distorted) grid. */
export function pinholeDepthToFrameGrid(view: StereoView, depth: Float32Array): Float32Array {
  if (isIdentityDistortion(view.frameIntrinsics.distortion)) return depth;
  return remapDepth(depth, view.width, view.height, distortedToPinholeMap(view.frameIntrinsics));
}

/** Depth on the view's own (distorted) grid -> depth on its pinhole grid. */
export function frameDepthToPinholeGrid(view: StereoView, depth: Float32Array): Float32Array {
  if (isIdentityDistortion(view.frameIntrinsics.distortion)) return depth;
  return remapDepth(depth, view.width, view.height, pinholeToDistortedMap(view.frameIntrinsics));
}
