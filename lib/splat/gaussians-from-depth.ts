/**
 * Pixel-aligned Gaussians from one posed view with metric depth (the SegSplat geometry step
 * without a learned network): one flat, surface-aligned Gaussian per (strided) depth pixel.
 *
 * - Position: the depth pixel's centre unprojected with the depth map's own intrinsics, then
 *   camera-to-world. Colour comes from the RGB image at the same ray (the image may have another
 *   resolution); sourcePixel is the IMAGE pixel v*w+u so masks on the image assign semantics later.
 * - Orientation: the normal is the cross product of the depth-gradient tangents (central
 *   differences, one-sided next to a discontinuity), turned to face the camera. Local z = normal,
 *   local x = the tilt direction (the view ray projected into the surface plane), local y = z × x.
 * - Scales: the sample spacing on a fronto-parallel surface is s = depth·stride/f. In-plane
 *   sigma = scaleFactor·s across the tilt and scaleFactor·s/cos(θ) along it (a tilted surface
 *   spreads the same pixels over more area; without the stretch oblique walls show holes);
 *   cos(θ) is clamped at 1/maxObliquity. Normal sigma = thickness × the in-plane sigma.
 * - Opacity = opacity × confidence (× (1 - confidenceOpacity·(1 - confidence)) in general), × edgeOpacity next to a depth discontinuity (a relative jump
 *   above `discontinuity` to a 4-neighbour). Pixels that sit between a nearer and a farther
 *   neighbour on both sides of one axis are "flying pixels" (depth interpolated across an
 *   occlusion edge by the sensor or the network) and produce no Gaussian.
 * - Weight (fusion's observation quality) = confidence × cos(θ) / s²: samples per square metre,
 *   discounted for grazing views and low confidence. Higher = better observed.
 *
 * Speed: two passes over the strided pixels (count, then fill) on typed arrays; nothing is
 * allocated per pixel.
 */
import type { Frame, Intrinsics } from '../capture/frame';
import { rigidPoseProblem } from '../capture/pose';
import { type GaussianScene, SceneBudgetError, shRestCount } from './gaussian-scene';

export interface DepthToGaussiansOptions {
  /** Take every stride-th depth pixel in u and v (default 1). */
  stride?: number;
  /** Depths outside [minDepth, maxDepth] metres are ignored (defaults 0.05, 100). */
  minDepth?: number;
  maxDepth?: number;
  /** Relative depth jump |d_n - d| / d above which two neighbours are not the same surface (default 0.1). */
  discontinuity?: number;
  /** Opacity factor for pixels next to a discontinuity (default 0.5). */
  edgeOpacity?: number;
  /** Peak opacity of a fully confident pixel (default 0.99; 1 would be an infinite logit in a .ply). */
  opacity?: number;
  /** In-plane sigma as a fraction of the sample spacing (default 0.5: neighbours overlap without holes; larger blurs). */
  scaleFactor?: number;
  /** Normal sigma as a fraction of the in-plane sigma (default 0.1: thin discs). */
  thickness?: number;
  /** Largest in-plane stretch 1/cos(θ) for oblique surfaces (default 4). */
  maxObliquity?: number;
  /** Pixels with confidence <= minConfidence are skipped (default 0). */
  minConfidence?: number;
  /**
   * How much confidence lowers opacity (default 1: opacity x confidence). 0 keeps every kept pixel opaque and lets
   * confidence act through the fusion weight only: right for conditioned sensor depth, whose confidence is a noise
   * level (z^2) rather than a chance of being wrong, where see-through surfaces would only show what lies behind.
   */
  confidenceOpacity?: number;
}

export interface DepthToGaussiansResult {
  /** Index of the first Gaussian appended to the scene. */
  start: number;
  /** Number of Gaussians appended. */
  count: number;
  /** Strided pixels without a usable depth (missing, out of range, low confidence). */
  invalid: number;
  /** Pixels dropped as flying pixels between two depth layers. */
  flying: number;
  /** Pixels whose ray falls outside the RGB image. */
  outsideImage: number;
}

function checkIntrinsics(k: Intrinsics, what: string, who: string): void {
  for (const key of ['fx', 'fy', 'cx', 'cy', 'width', 'height'] as const)
    if (!Number.isFinite(k[key])) throw new Error(`${who}: ${what}.${key} is not finite (${k[key]})`);
  if (k.fx <= 0 || k.fy <= 0) throw new Error(`${who}: ${what} focal lengths must be positive (fx ${k.fx}, fy ${k.fy})`);
}

/** Checked options and camera factors of one gaussiansFromDepth call: shared with the WebGPU kernel (lib/gpu). */
export interface DepthToGaussiansSetup {
  depth: NonNullable<Frame['depth']>;
  stride: number;
  minDepth: number;
  maxDepth: number;
  disc: number;
  edgeOpacity: number;
  opacity: number;
  scaleFactor: number;
  thickness: number;
  maxObl: number;
  minConf: number;
  confOpa: number;
  W: number;
  H: number;
  /** Depth intrinsics rescaled to the depth array. */
  fx: number; fy: number; cx: number; cy: number;
  /** Colour intrinsics rescaled to the image array. */
  ifx: number; ify: number; icx: number; icy: number;
}

/** Validates a frame and options for Gaussians from depth; errors are prefixed with `who`. */
export function prepareDepthToGaussians(frame: Frame, viewIndex: number, opts: DepthToGaussiansOptions = {}, who = 'gaussiansFromDepth'): DepthToGaussiansSetup {
  const opt = (v: number | undefined, def: number, name: string, lo: number, hi: number): number => {
    const x = v ?? def;
    if (!Number.isFinite(x) || x < lo || x > hi) throw new Error(`${who}: option ${name} must be in [${lo}, ${hi}], got ${v}`);
    return x;
  };
  const depth = frame.depth;
  if (!depth) throw new Error(`${who}: frame ${frame.id} has no depth map`);
  if (!Number.isInteger(viewIndex) || viewIndex < 0 || viewIndex >= 0xffff)
    throw new Error(`${who}: viewIndex must be an integer in 0..65534, got ${viewIndex}`);
  const stride = opt(opts.stride, 1, 'stride', 1, 1 << 16);
  if (!Number.isInteger(stride)) throw new Error(`${who}: stride must be an integer, got ${stride}`);
  // 0 always means "no measurement", whatever minDepth says.
  const minDepth = Math.max(opt(opts.minDepth, 0.05, 'minDepth', 0, Infinity), 1e-6);
  const maxDepth = opt(opts.maxDepth, 100, 'maxDepth', minDepth, Infinity);
  const disc = opt(opts.discontinuity, 0.1, 'discontinuity', 0, Infinity);
  const edgeOpacity = opt(opts.edgeOpacity, 0.5, 'edgeOpacity', 0, 1);
  const opacity = opt(opts.opacity, 0.99, 'opacity', 0, 1);
  const scaleFactor = opt(opts.scaleFactor, 0.5, 'scaleFactor', 1e-6, 1e6);
  const thickness = opt(opts.thickness, 0.1, 'thickness', 1e-6, 1e6);
  const maxObl = opt(opts.maxObliquity, 4, 'maxObliquity', 1, 1e6);
  const minConf = opt(opts.minConfidence, 0, 'minConfidence', 0, 1);
  const confOpa = opt(opts.confidenceOpacity, 1, 'confidenceOpacity', 0, 1);

  const W = depth.width, H = depth.height;
  if (!Number.isInteger(W) || !Number.isInteger(H) || W <= 0 || H <= 0) throw new Error(`${who}: bad depth size ${W}x${H}`);
  if (depth.data.length !== W * H) throw new Error(`${who}: depth has ${depth.data.length} values, expected ${W}x${H}`);
  if (depth.confidence && depth.confidence.length !== W * H)
    throw new Error(`${who}: confidence has ${depth.confidence.length} values, expected ${W}x${H}`);
  const img = frame.image;
  if (img.data.length !== img.width * img.height * 3)
    throw new Error(`${who}: image has ${img.data.length} bytes, expected ${img.width}x${img.height}x3`);
  const kd = depth.intrinsics ?? frame.intrinsics;
  checkIntrinsics(kd, 'depth.intrinsics', who);
  checkIntrinsics(frame.intrinsics, 'intrinsics', who);
  const poseProblem = rigidPoseProblem(frame.cameraToWorld);
  if (poseProblem) throw new Error(`${who}: frame ${frame.id}: ${poseProblem}`);

  // Depth intrinsics may describe another resolution than the depth array (rescale them).
  const kdx = W / kd.width, kdy = H / kd.height;
  const ki = frame.intrinsics;
  const kix = img.width / ki.width, kiy = img.height / ki.height;
  return {
    depth, stride, minDepth, maxDepth, disc, edgeOpacity, opacity, scaleFactor, thickness, maxObl, minConf, confOpa, W, H,
    fx: kd.fx * kdx, fy: kd.fy * kdy, cx: kd.cx * kdx, cy: kd.cy * kdy,
    ifx: ki.fx * kix, ify: ki.fy * kiy, icx: ki.cx * kix, icy: ki.cy * kiy,
  };
}

/**
 * Appends one Gaussian per valid strided depth pixel of `frame` to `scene` (sourceView = viewIndex).
 * Throws SceneBudgetError, before writing anything, when the valid pixels would not fit the budget.
 */
export function gaussiansFromDepth(
  scene: GaussianScene,
  frame: Frame,
  viewIndex: number,
  opts: DepthToGaussiansOptions = {},
): DepthToGaussiansResult {
  const { depth, stride, minDepth, maxDepth, disc, edgeOpacity, opacity, scaleFactor, thickness, maxObl, minConf, confOpa, W, H, fx, fy, cx, cy, ifx, ify, icx, icy } =
    prepareDepthToGaussians(frame, viewIndex, opts);
  const img = frame.image;

  // Per-column / per-row ray factors and image lookups (camera point = d * (rx[u], ry[v], -1)).
  const rx = new Float64Array(W), ry = new Float64Array(H);
  const colU = new Int32Array(W), rowV = new Int32Array(H);
  for (let u = 0; u < W; u++) {
    rx[u] = (u + 0.5 - cx) / fx;
    const ui = Math.floor(icx + ifx * rx[u]);
    colU[u] = ui >= 0 && ui < img.width ? ui : -1;
  }
  for (let v = 0; v < H; v++) {
    const r = (v + 0.5 - cy) / fy;
    ry[v] = -r;
    const vi = Math.floor(icy + ify * r);
    rowV[v] = vi >= 0 && vi < img.height ? vi : -1;
  }

  const D = depth.data, C = depth.confidence;
  // Pass 1: count usable pixels so the scene grows once and the budget is checked before writing.
  let nValid = 0, invalid = 0, outside = 0;
  for (let v = 0; v < H; v += stride) {
    const row = v * W;
    for (let u = 0; u < W; u += stride) {
      const d = D[row + u];
      if (!(d >= minDepth && d <= maxDepth) || (C !== undefined && !(C[row + u] > minConf))) invalid++;
      else if (colU[u] < 0 || rowV[v] < 0) outside++;
      else nValid++;
    }
  }
  const start = scene.count;
  if (start + nValid > scene.budget) throw new SceneBudgetError(start + nValid, scene.budget);
  scene.reserve(start + nValid);

  const m = frame.cameraToWorld;
  const r00 = m[0], r10 = m[1], r20 = m[2], r01 = m[4], r11 = m[5], r21 = m[6], r02 = m[8], r12 = m[9], r22 = m[10];
  const px = m[12], py = m[13], pz = m[14];
  const pos = scene.positions, sca = scene.scales, rot = scene.rotations, opa = scene.opacities, col = scene.colors;
  const sem = scene.semantic, sv = scene.sourceView, sp = scene.sourcePixel, wgt = scene.weight;
  const sh = shRestCount(scene.shDegree);
  const imgData = img.data, iw = img.width;
  const fMean = 0.5 * (fx + fy);
  const minCos = 1 / maxObl;
  const inv255 = 1 / 255;
  let k = start, flying = 0;

  const rowStep = stride * W;

  for (let v = 0; v < H; v += stride) {
    const row = v * W;
    const vi = rowV[v];
    const ryv = ry[v];
    const vu = v - stride, vd = v + stride;
    const ryu = vu >= 0 ? ry[vu] : 0, ryd = vd < H ? ry[vd] : 0;
    for (let u = 0; u < W; u += stride) {
      const idx = row + u;
      const d = D[idx];
      if (!(d >= minDepth && d <= maxDepth)) continue;
      const conf = C === undefined ? 1 : C[idx];
      if (!(conf > minConf)) continue;
      const ui = colU[u];
      if (ui < 0 || vi < 0) continue;

      const ul = u - stride, ur = u + stride;
      // Neighbour depths; 0 when missing, out of range or across the image border.
      let dl = ul >= 0 ? D[idx - stride] : 0;
      let dr = ur < W ? D[idx + stride] : 0;
      let du = vu >= 0 ? D[idx - rowStep] : 0;
      let dd = vd < H ? D[idx + rowStep] : 0;
      if (!(dl >= minDepth && dl <= maxDepth)) dl = 0;
      if (!(dr >= minDepth && dr <= maxDepth)) dr = 0;
      if (!(du >= minDepth && du <= maxDepth)) du = 0;
      if (!(dd >= minDepth && dd <= maxDepth)) dd = 0;
      const tol = disc * d;
      const okL = dl > 0 && Math.abs(dl - d) <= tol;
      const okR = dr > 0 && Math.abs(dr - d) <= tol;
      const okU = du > 0 && Math.abs(du - d) <= tol;
      const okD = dd > 0 && Math.abs(dd - d) <= tol;
      if ((dl > 0 && dr > 0 && !okL && !okR && (dl - d) * (dr - d) < 0) || (du > 0 && dd > 0 && !okU && !okD && (du - d) * (dd - d) < 0)) {
        flying++;
        continue;
      }
      const edge = (dl > 0 && !okL) || (dr > 0 && !okR) || (du > 0 && !okU) || (dd > 0 && !okD);

      const rxu = rx[u];
      // Camera-space ray (unnormalised) and its length.
      const rlen = Math.sqrt(rxu * rxu + ryv * ryv + 1);
      const ix = rxu / rlen, iy = ryv / rlen, iz = -1 / rlen;
      // Tangents along u and v from the depth gradient.
      let tux = 0, tuy = 0, tuz = 0, hasU = true;
      if (okL && okR) {
        tux = dr * rx[ur] - dl * rx[ul]; tuy = ryv * (dr - dl); tuz = dl - dr;
      } else if (okR) {
        tux = dr * rx[ur] - d * rxu; tuy = ryv * (dr - d); tuz = d - dr;
      } else if (okL) {
        tux = d * rxu - dl * rx[ul]; tuy = ryv * (d - dl); tuz = dl - d;
      } else hasU = false;
      let tvx = 0, tvy = 0, tvz = 0, hasV = true;
      if (okU && okD) {
        tvx = rxu * (dd - du); tvy = dd * ryd - du * ryu; tvz = du - dd;
      } else if (okD) {
        tvx = rxu * (dd - d); tvy = dd * ryd - d * ryv; tvz = d - dd;
      } else if (okU) {
        tvx = rxu * (d - du); tvy = d * ryv - du * ryu; tvz = du - d;
      } else hasV = false;

      // Normal in camera space facing the camera; fall back to facing the ray.
      let nx = -ix, ny = -iy, nz = -iz;
      if (hasU && hasV) {
        const cxn = tuy * tvz - tuz * tvy, cyn = tuz * tvx - tux * tvz, czn = tux * tvy - tuy * tvx;
        const cl = Math.sqrt(cxn * cxn + cyn * cyn + czn * czn);
        if (cl > 0) {
          const s = cxn * ix + cyn * iy + czn * iz > 0 ? -1 / cl : 1 / cl;
          nx = cxn * s; ny = cyn * s; nz = czn * s;
        }
      }
      let cos = -(nx * ix + ny * iy + nz * iz);
      // Tilt axis: the view ray's component in the surface plane.
      let tx = ix + cos * nx, ty = iy + cos * ny, tz = iz + cos * nz;
      let tl = Math.sqrt(tx * tx + ty * ty + tz * tz);
      if (tl < 1e-6) {
        // Seen head-on: any in-plane axis; take camera x made orthogonal to n.
        tx = 1 - nx * nx; ty = -nx * ny; tz = -nx * nz;
        tl = Math.sqrt(tx * tx + ty * ty + tz * tz);
      }
      tx /= tl; ty /= tl; tz /= tl;
      const bx = ny * tz - nz * ty, by = nz * tx - nx * tz, bz = nx * ty - ny * tx;
      if (cos < minCos) cos = minCos;

      // World-space axes and position.
      const wtx = r00 * tx + r01 * ty + r02 * tz, wty = r10 * tx + r11 * ty + r12 * tz, wtz = r20 * tx + r21 * ty + r22 * tz;
      const wbx = r00 * bx + r01 * by + r02 * bz, wby = r10 * bx + r11 * by + r12 * bz, wbz = r20 * bx + r21 * by + r22 * bz;
      const wnx = r00 * nx + r01 * ny + r02 * nz, wny = r10 * nx + r11 * ny + r12 * nz, wnz = r20 * nx + r21 * ny + r22 * nz;
      const cxp = d * rxu, cyp = d * ryv, czp = -d;
      const k3 = k * 3;
      pos[k3] = r00 * cxp + r01 * cyp + r02 * czp + px;
      pos[k3 + 1] = r10 * cxp + r11 * cyp + r12 * czp + py;
      pos[k3 + 2] = r20 * cxp + r21 * cyp + r22 * czp + pz;
      // Quaternion of the rotation with columns (t, b, n), inlined Shepperd (see covariance.ts quatFromAxes).
      const k4 = k * 4;
      const tr = wtx + wby + wnz;
      let qx: number, qy: number, qz: number, qw: number;
      if (tr > 0) {
        const q = 0.5 / Math.sqrt(tr + 1);
        qw = 0.25 / q; qx = (wbz - wny) * q; qy = (wnx - wtz) * q; qz = (wty - wbx) * q;
      } else if (wtx > wby && wtx > wnz) {
        const q = 2 * Math.sqrt(1 + wtx - wby - wnz), iq = 1 / q;
        qw = (wbz - wny) * iq; qx = 0.25 * q; qy = (wbx + wty) * iq; qz = (wnx + wtz) * iq;
      } else if (wby > wnz) {
        const q = 2 * Math.sqrt(1 + wby - wtx - wnz), iq = 1 / q;
        qw = (wnx - wtz) * iq; qx = (wbx + wty) * iq; qy = 0.25 * q; qz = (wny + wbz) * iq;
      } else {
        const q = 2 * Math.sqrt(1 + wnz - wtx - wby), iq = 1 / q;
        qw = (wty - wbx) * iq; qx = (wnx + wtz) * iq; qy = (wny + wbz) * iq; qz = 0.25 * q;
      }
      rot[k4] = qx; rot[k4 + 1] = qy; rot[k4 + 2] = qz; rot[k4 + 3] = qw;

      const spacing = (d * stride) / fMean;
      const sb = scaleFactor * spacing;
      sca[k3] = sb / cos;
      sca[k3 + 1] = sb;
      sca[k3 + 2] = thickness * sb;
      opa[k] = opacity * (1 - confOpa * (1 - conf)) * (edge ? edgeOpacity : 1);
      const ipix = vi * iw + ui;
      const c3 = ipix * 3;
      col[k3] = imgData[c3] * inv255;
      col[k3 + 1] = imgData[c3 + 1] * inv255;
      col[k3 + 2] = imgData[c3 + 2] * inv255;
      sem[k] = 0;
      sv[k] = viewIndex;
      sp[k] = ipix;
      wgt[k] = (conf * cos) / (spacing * spacing);
      k++;
    }
  }
  if (sh) scene.shRest.fill(0, start * sh, k * sh);
  scene.count = k;
  return { start, count: k - start, invalid, flying, outsideImage: outside };
}
