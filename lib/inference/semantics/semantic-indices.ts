/**
 * Per-pixel bank indices and their transfer to Gaussians, plus the per-pixel world points that
 * 3D association needs.
 *
 * A Gaussian records the frame and pixel that produced it (sourceView, sourcePixel = v * sw + u on
 * the source grid of sw x sh pixels, normally the depth/geometry resolution). A view's index map may
 * live on another grid (the mask resolution): pixels are then matched by nearest neighbour, the
 * paper's "label maps resized with nearest-neighbour sampling".
 */
import type { DepthMap } from '../../capture/frame';
import { NO_SOURCE_VIEW, type GaussianScene } from '../../splat/gaussian-scene';

export interface ViewIndexMap {
  /** Frame index (the Gaussians' sourceView). */
  view: number;
  width: number;
  height: number;
  /** Row-major [height, width] bank index per pixel, 0 = background. */
  index: Uint16Array;
  /** Grid that the Gaussians' sourcePixel refers to, when it differs from width x height. */
  sourceWidth?: number;
  sourceHeight?: number;
}

/** Maps a label map (0..K) through a mask -> bank table (length K+1, entry 0 = 0). */
export function labelMapToBankIndex(labels: Int32Array, maskToBank: Uint16Array): Uint16Array {
  const out = new Uint16Array(labels.length);
  const K = maskToBank.length - 1;
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i];
    if (l < 0 || l > K) throw new Error(`labelMapToBankIndex: label ${l} at pixel ${i} has no bank entry (table covers 0..${K})`);
    out[i] = maskToBank[l];
  }
  return out;
}

function checkMap(m: ViewIndexMap): { sw: number; sh: number } {
  if (!Number.isInteger(m.width) || !Number.isInteger(m.height) || m.width <= 0 || m.height <= 0 || m.index.length !== m.width * m.height)
    throw new Error(`assignSemanticIndices: view ${m.view} index map has ${m.index.length} pixels, expected ${m.width}x${m.height}`);
  const sw = m.sourceWidth ?? m.width;
  const sh = m.sourceHeight ?? m.height;
  if (!Number.isInteger(sw) || !Number.isInteger(sh) || sw <= 0 || sh <= 0) throw new Error(`assignSemanticIndices: view ${m.view} has an invalid source grid ${sw}x${sh}`);
  return { sw, sh };
}

/**
 * Sets every Gaussian's semantic index to the bank index of the pixel it came from (0 when that pixel
 * is in no mask). Gaussians whose sourceView has no map (loaded from a file, or views not yet
 * segmented) keep their index. Throws when an index is not a row of the scene's bank.
 * @returns how many Gaussians were (re)assigned
 */
export function assignSemanticIndices(scene: GaussianScene, maps: ViewIndexMap[]): number {
  const byView = new Map<number, ViewIndexMap>();
  const bankCount = scene.bank.count;
  for (const m of maps) {
    checkMap(m);
    if (byView.has(m.view)) throw new Error(`assignSemanticIndices: two index maps for view ${m.view}`);
    for (let i = 0; i < m.index.length; i++)
      if (m.index[i] >= bankCount) throw new Error(`assignSemanticIndices: view ${m.view} pixel ${i} has bank index ${m.index[i]}, bank has ${bankCount} rows`);
    byView.set(m.view, m);
  }
  let assigned = 0;
  let lastView = -1;
  let cur: ViewIndexMap | undefined;
  let sw = 0, sh = 0, same = true;
  for (let g = 0; g < scene.count; g++) {
    const v = scene.sourceView[g];
    if (v === NO_SOURCE_VIEW) continue;
    if (v !== lastView) {
      lastView = v;
      cur = byView.get(v);
      if (cur) {
        ({ sw, sh } = checkMap(cur));
        same = sw === cur.width && sh === cur.height;
      }
    }
    if (!cur) continue;
    const sp = scene.sourcePixel[g];
    let pix: number;
    if (same) pix = sp;
    else {
      const su = sp % sw;
      const sv = (sp - su) / sw;
      const u = Math.min(cur.width - 1, Math.floor(((su + 0.5) * cur.width) / sw));
      const vv = Math.min(cur.height - 1, Math.floor(((sv + 0.5) * cur.height) / sh));
      pix = vv * cur.width + u;
    }
    if (pix >= cur.index.length) throw new Error(`assignSemanticIndices: Gaussian ${g} has source pixel ${sp} outside view ${v}'s ${sw}x${sh} grid`);
    scene.semantic[g] = cur.index[pix];
    assigned++;
  }
  return assigned;
}

/**
 * World points per pixel of a width x height grid from the Gaussians that `view` produced
 * (NaN where no Gaussian came from that pixel). Source grid defaults to the same size.
 */
export function worldPointsFromScene(scene: GaussianScene, view: number, width: number, height: number, sourceWidth = width, sourceHeight = height): Float32Array {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) throw new Error(`worldPointsFromScene: invalid grid ${width}x${height}`);
  const pts = new Float32Array(width * height * 3).fill(NaN);
  for (let g = 0; g < scene.count; g++) {
    if (scene.sourceView[g] !== view) continue;
    const sp = scene.sourcePixel[g];
    const su = sp % sourceWidth;
    const sv = (sp - su) / sourceWidth;
    if (sv >= sourceHeight) throw new Error(`worldPointsFromScene: Gaussian ${g} source pixel ${sp} outside ${sourceWidth}x${sourceHeight}`);
    const u = Math.min(width - 1, Math.floor(((su + 0.5) * width) / sourceWidth));
    const v = Math.min(height - 1, Math.floor(((sv + 0.5) * height) / sourceHeight));
    pts.set(scene.positions.subarray(g * 3, g * 3 + 3), (v * width + u) * 3);
  }
  return pts;
}

/**
 * Back-projects a depth map to world points on a width x height grid (nearest depth sample per
 * pixel; NaN where no depth). Camera looks down -z; depth is along -z; column-major camera-to-world.
 */
export function backProjectDepth(depth: DepthMap, cameraToWorld: ArrayLike<number>, width: number, height: number): Float32Array {
  if (cameraToWorld.length !== 16) throw new Error(`backProjectDepth: cameraToWorld must have 16 numbers, got ${cameraToWorld.length}`);
  if (depth.data.length !== depth.width * depth.height) throw new Error(`backProjectDepth: depth has ${depth.data.length} values, expected ${depth.width}x${depth.height}`);
  const k = depth.intrinsics;
  const sx = k.width / depth.width;
  const sy = k.height / depth.height;
  const m = cameraToWorld;
  const pts = new Float32Array(width * height * 3).fill(NaN);
  for (let v = 0; v < height; v++) {
    const dv = Math.min(depth.height - 1, Math.floor(((v + 0.5) * depth.height) / height));
    for (let u = 0; u < width; u++) {
      const du = Math.min(depth.width - 1, Math.floor(((u + 0.5) * depth.width) / width));
      const z = depth.data[dv * depth.width + du];
      if (!(z > 0) || !Number.isFinite(z)) continue;
      // Pixel centre in the intrinsics' image, then the camera ray (x right, y up, -z forward).
      const xi = (du + 0.5) * sx;
      const yi = (dv + 0.5) * sy;
      const xc = ((xi - k.cx) / k.fx) * z;
      const yc = -((yi - k.cy) / k.fy) * z;
      const zc = -z;
      const o = (v * width + u) * 3;
      pts[o] = m[0] * xc + m[4] * yc + m[8] * zc + m[12];
      pts[o + 1] = m[1] * xc + m[5] * yc + m[9] * zc + m[13];
      pts[o + 2] = m[2] * xc + m[6] * yc + m[10] * zc + m[14];
    }
  }
  return pts;
}
