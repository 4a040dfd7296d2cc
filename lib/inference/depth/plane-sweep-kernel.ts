/**
 * The streaming plane-sweep kernel: windowed ZNCC of the reference against every source warped through a plane
 * homography, aggregated over sources, winner-take-all tracked plane by plane. It sweeps any rectangle of the
 * reference over any ascending list of plane indices, so the exhaustive sweep (the whole image, every plane) and
 * the coarse-to-fine refinement (tiles, each over its own band of planes) share one loop.
 *
 * Cost: O(planes x sources x rectangle pixels), independent of the window size: box sums of W, W^2 and I*W come
 * from sliding row sums and running column sums (a ring of 2r+2 warped rows per source). A rectangle's window
 * reads real neighbours outside it (replicated only at the image border), so a pixel's score does not depend on
 * how the image is tiled. The cost volume is never stored: best, second best and the peak's neighbours are
 * tracked per pixel, so memory is O(pixels) plus a few rows per source.
 */
import type { StereoView } from './stereo-view';
import { multiply } from '../../capture/pose';

const INVALID = -9;

export interface SweepKernelSettings {
  /** Planes uniform in inverse depth from 1/near (index 0) to 1/far (index planes - 1). */
  planes: number;
  near: number;
  far: number;
  /** Window radius (window side 2r + 1). */
  radius: number;
  bestK: number;
  noiseStd: number;
}

export interface SweepKernelResult {
  /** Metric depth (-z) after the parabolic sub-plane refinement; 0 where no swept plane was seen by a source. */
  depth: Float32Array;
  /** Aggregated ZNCC at the winning plane, -1..1. */
  score: Float32Array;
  /** Winning score minus the best swept score at least two planes away. */
  margin: Float32Array;
}

export interface SweepKernel {
  /** Sweeps reference pixels [x0, x1) x [y0, y1) over `count` ascending plane indices from `planes`. */
  sweepRect(x0: number, x1: number, y0: number, y1: number, planes: ArrayLike<number>, count: number): void;
  result(): SweepKernelResult;
}

/**
 * Homography pieces for one source: a reference pixel (u, v) (index coordinates) on the plane of inverse depth
 * q maps to the source pixel (x/w, y/w) with (x, y, w) = G (u, v, 1) + q g.
 */
export function homographyParts(ref: StereoView, src: StereoView): { G: Float64Array; g: Float64Array } {
  const rel = multiply(src.worldToCamera, ref.cameraToWorld); // reference camera -> source camera
  const kr = ref.camera, ks = src.camera;
  // Ray of reference pixel (u, v) on the plane z = -1 (camera looks down -z, image v grows downwards).
  const M = [
    [1 / kr.fx, 0, (0.5 - kr.cx) / kr.fx],
    [0, -1 / kr.fy, (kr.cy - 0.5) / kr.fy],
    [0, 0, -1],
  ];
  // Source projection to index coordinates, homogeneous w = -z.
  const P = [
    [ks.fx, 0, 0.5 - ks.cx],
    [0, -ks.fy, 0.5 - ks.cy],
    [0, 0, -1],
  ];
  const R = [0, 1, 2].map((r) => [0, 1, 2].map((c) => rel[c * 4 + r]));
  const t = [rel[12], rel[13], rel[14]];
  const PR = [0, 1, 2].map((r) => [0, 1, 2].map((c) => P[r][0] * R[0][c] + P[r][1] * R[1][c] + P[r][2] * R[2][c]));
  const G = new Float64Array(9);
  for (let r = 0; r < 3; r++)
    for (let c = 0; c < 3; c++) G[r * 3 + c] = PR[r][0] * M[0][c] + PR[r][1] * M[1][c] + PR[r][2] * M[2][c];
  // A point at depth d is d * ray, and the projection is scale-free, so the translation enters as t / d
  // (times the homogeneous 1 of the pixel): H(q) = P (R M + q t e3^T).
  const g = new Float64Array(3);
  for (let r = 0; r < 3; r++) g[r] = P[r][0] * t[0] + P[r][1] * t[1] + P[r][2] * t[2];
  return { G, g };
}

/** Sliding box sums (radius r, replicated borders) of `src` rows into `dst`, both w x h. */
function boxRows(src: Float32Array, dst: Float32Array, w: number, h: number, r: number): void {
  for (let y = 0; y < h; y++) {
    const o = y * w;
    let s = 0;
    for (let k = -r; k <= r; k++) s += src[o + (k < 0 ? 0 : k >= w ? w - 1 : k)];
    for (let x = 0; x < w; x++) {
      dst[o + x] = s;
      const add = x + r + 1, sub = x - r;
      s += src[o + (add >= w ? w - 1 : add)] - src[o + (sub < 0 ? 0 : sub)];
    }
  }
}

/** Sliding box sums along columns (radius r, replicated borders), in place via a column accumulator. */
function boxCols(src: Float32Array, dst: Float32Array, w: number, h: number, r: number, acc: Float64Array): void {
  acc.fill(0);
  for (let k = -r; k <= r; k++) {
    const o = (k < 0 ? 0 : k >= h ? h - 1 : k) * w;
    for (let x = 0; x < w; x++) acc[x] += src[o + x];
  }
  for (let y = 0; y < h; y++) {
    const o = y * w;
    const add = y + r + 1, sub = y - r;
    const oa = (add >= h ? h - 1 : add) * w, os = (sub < 0 ? 0 : sub) * w;
    for (let x = 0; x < w; x++) {
      dst[o + x] = acc[x];
      acc[x] += src[oa + x] - src[os + x];
    }
  }
}

/** Sets up the per-reference statistics and the streaming state; inputs are checked by the caller. */
export function createSweepKernel(ref: StereoView, sources: StereoView[], set: SweepKernelSettings): SweepKernel {
  const D = set.planes;
  const r = set.radius;
  const S = sources.length;
  const K = set.bestK;
  const W = ref.width, H = ref.height, N = W * H;
  const n = (2 * r + 1) * (2 * r + 1);
  const invN = 1 / n;
  const eps = n * set.noiseStd * set.noiseStd;

  // Reference statistics, once: centred grey values keep the variance subtraction well conditioned.
  const I = new Float32Array(N);
  for (let i = 0; i < N; i++) I[i] = ref.gray[i] - 0.5;
  const Q = 65535; // source units per grey level 1
  const epsW = eps * Q * Q;
  const tmp = new Float32Array(N);
  const colAcc = new Float64Array(W);
  const sumI = new Float32Array(N);
  const invSdI = new Float32Array(N);
  boxRows(I, tmp, W, H, r);
  boxCols(tmp, sumI, W, H, r, colAcc);
  const I2 = new Float32Array(N);
  for (let i = 0; i < N; i++) I2[i] = I[i] * I[i];
  boxRows(I2, tmp, W, H, r);
  boxCols(tmp, invSdI, W, H, r, colAcc);
  for (let i = 0; i < N; i++) {
    const v = invSdI[i] - sumI[i] * sumI[i] * invN;
    invSdI[i] = 1 / Math.sqrt((v > 0 ? v : 0) + eps);
  }

  const parts = sources.map((s) => homographyParts(ref, s));
  // Sources as 16-bit fixed point: a quarter of the cache footprint of float64 (the warp's random reads are the
  // cache-bound part of the loop), quantisation 1.5e-5, far below image noise. Rescaled with the reference above.
  const srcGray = sources.map((s) => {
    const g = new Uint16Array(s.gray.length);
    for (let i = 0; i < g.length; i++) g[i] = Math.round(Math.min(1, Math.max(0, s.gray[i])) * 65535);
    return g;
  });

  // Per-source streaming state, allocated once for the widest rectangle (the image): the horizontal box sums of
  // the last 2r+2 warped rows (a ring, row stride = the rectangle's width), the running column sums, the centre
  // validity, and one row of scores.
  const R2 = 2 * r + 2;
  // Float64 scratch: small enough to stay in cache, and it avoids float32<->float64 conversions in the loop.
  const padLen = W + 2 * r + 1;
  const padV = new Float64Array(padLen), padV2 = new Float64Array(padLen), padX = new Float64Array(padLen);
  const padOk = new Uint8Array(padLen);
  // Sums of W, W^2 and I*W interleaved per pixel: one cache line serves all three.
  const ring = sources.map(() => new Float64Array(3 * R2 * W));
  const ringOk = sources.map(() => new Uint8Array(R2 * W));
  const acc3 = sources.map(() => new Float64Array(3 * W));
  const scores = new Float64Array(S * W);

  // The current rectangle's columns: output columns [X0, X0 + RW); the pad index k holds column X0 - r + k.
  let X0 = 0, RW = W;

  // Warps row v of source s on the plane q into ring slot v % R2 and takes its horizontal window sums.
  const warpRow = (s: number, q: number, v: number): void => {
    const { G, g } = parts[s];
    const src = srcGray[s];
    const sw = sources[s].width;
    const xMax = sw - 1, yMax = sources[s].height - 1;
    const g00 = G[0], g10 = G[3], g20 = G[6];
    const ua = X0 - r < 0 ? 0 : X0 - r;
    const ub = X0 + RW + r > W ? W : X0 + RW + r;
    const k0 = ua - X0 + r;
    // Homogeneous source coordinates advance by the first column of G along a row.
    let hx = G[0] * ua + G[1] * v + G[2] + q * g[0];
    let hy = G[3] * ua + G[4] * v + G[5] + q * g[1];
    let hw = G[6] * ua + G[7] * v + G[8] + q * g[2];
    const io = v * W;
    for (let u = ua, k = k0; u < ub; u++, k++) {
      let val = 0;
      let inside = 0;
      if (hw > 1e-9) {
        const iw = 1 / hw;
        let x = hx * iw, y = hy * iw;
        let x0: number, y0: number;
        if (x >= 0 && y >= 0 && x < xMax && y < yMax) {
          inside = 1;
          x0 = x | 0;
          y0 = y | 0;
        } else {
          // Out-of-image samples are clamped so the window stays defined; the centre's flag decides validity.
          inside = x >= 0 && x <= xMax && y >= 0 && y <= yMax ? 1 : 0;
          x = x < 0 ? 0 : x > xMax ? xMax : x;
          y = y < 0 ? 0 : y > yMax ? yMax : y;
          x0 = x | 0;
          y0 = y | 0;
          if (x0 >= xMax) x0 = xMax - 1;
          if (y0 >= yMax) y0 = yMax - 1;
        }
        const ax = x - x0, ay = y - y0;
        const i0 = y0 * sw + x0;
        const a = src[i0], b = src[i0 + 1], c = src[i0 + sw], d = src[i0 + sw + 1];
        const t0 = a + (b - a) * ax;
        val = t0 + (c + (d - c) * ax - t0) * ay;
      }
      padV[k] = val;
      padV2[k] = val * val;
      padX[k] = val * I[io + u];
      padOk[k] = inside;
      hx += g00;
      hy += g10;
      hw += g20;
    }
    // Replicated image borders, then sliding horizontal sums without index clamping.
    const kEnd = ub - X0 + r;
    for (let k = 0; k < k0; k++) {
      padV[k] = padV[k0];
      padV2[k] = padV2[k0];
      padX[k] = padX[k0];
    }
    const kTop = RW + 2 * r + 1;
    for (let k = kEnd; k < kTop; k++) {
      padV[k] = padV[kEnd - 1];
      padV2[k] = padV2[kEnd - 1];
      padX[k] = padX[kEnd - 1];
    }
    const slot = (v % R2) * RW;
    const ok = ringOk[s];
    for (let x = 0; x < RW; x++) ok[slot + x] = padOk[x + r];
    const rg = ring[s];
    const base = 3 * slot;
    let s1 = 0, s2 = 0, s3 = 0;
    for (let k = 0; k <= 2 * r; k++) {
      s1 += padV[k];
      s2 += padV2[k];
      s3 += padX[k];
    }
    const span = 2 * r + 1;
    for (let x = 0; x < RW; x++) {
      rg[base + 3 * x] = s1;
      rg[base + 3 * x + 1] = s2;
      rg[base + 3 * x + 2] = s3;
      s1 += padV[x + span] - padV[x];
      s2 += padV2[x + span] - padV2[x];
      s3 += padX[x + span] - padX[x];
    }
  };

  // Streaming winner-take-all state.
  const best = new Float32Array(N).fill(-Infinity);
  const bestIdx = new Int32Array(N).fill(-1);
  const second = new Float32Array(N).fill(-1);
  const before = new Float32Array(N).fill(INVALID);
  const after = new Float32Array(N).fill(INVALID);
  const prev = new Float32Array(N).fill(INVALID);
  const top = new Float64Array(S);

  /** Mean of the best K valid scores of column x (missing ones count as 0: uncorrelated); INVALID if none. */
  const aggregate = (x: number): number => {
    let m = 0;
    for (let s = 0; s < S; s++) {
      const z = scores[s * W + x];
      if (z === INVALID) continue;
      let j = m++;
      while (j > 0 && top[j - 1] < z) {
        top[j] = top[j - 1];
        j--;
      }
      top[j] = z;
    }
    if (m === 0) return INVALID;
    let sum = 0;
    const kk = m < K ? m : K;
    for (let j = 0; j < kk; j++) sum += top[j];
    return sum / K;
  };

  /** Streaming winner-take-all: the peak, its two neighbours (for the parabola) and the best non-adjacent score. */
  const track = (i: number, c: number, p: number): void => {
    if (c === INVALID) {
      prev[i] = INVALID;
      return;
    }
    const b = best[i];
    if (c > b) {
      const bi = bestIdx[i];
      if (bi >= 0 && p - bi > 1 && b > second[i]) second[i] = b;
      before[i] = prev[i];
      best[i] = c;
      bestIdx[i] = p;
      after[i] = INVALID;
    } else if (p === bestIdx[i] + 1) after[i] = c;
    else if (c > second[i]) second[i] = c;
    prev[i] = c;
  };

  const qNear = 1 / set.near, qFar = 1 / set.far;
  const qStep = (qFar - qNear) / (D - 1);
  const lastRow = H - 1;

  const sweepRect = (x0: number, x1: number, y0: number, y1: number, planes: ArrayLike<number>, count: number): void => {
    X0 = x0;
    RW = x1 - x0;
    let lastP = -2;
    for (let pi = 0; pi < count; pi++) {
      const p = planes[pi];
      if (p !== lastP + 1)
        // A gap in the plane list: the previous score is not this plane's neighbour (no parabola across it).
        for (let y = y0; y < y1; y++) prev.fill(INVALID, y * W + x0, y * W + x1);
      lastP = p;
      const q = qNear + p * qStep;
      // Prime every source's window with rows y0-r..y0+r (clamped at the image edges).
      for (let s = 0; s < S; s++) {
        const ac = acc3[s];
        ac.fill(0, 0, 3 * RW);
        for (let v = y0 - r < 0 ? 0 : y0 - r; v <= y0 + r && v <= lastRow; v++) warpRow(s, q, v);
        const rg = ring[s];
        for (let k = -r; k <= r; k++) {
          const yy = y0 + k;
          const o = ((yy < 0 ? 0 : yy > lastRow ? lastRow : yy) % R2) * RW;
          for (let x = 0; x < RW; x++) {
            ac[3 * x] += rg[3 * (o + x)];
            ac[3 * x + 1] += rg[3 * (o + x) + 1];
            ac[3 * x + 2] += rg[3 * (o + x) + 2];
          }
        }
      }
      for (let y = y0; y < y1; y++) {
        const o = y * W + x0;
        const slotY = (y % R2) * RW;
        const enter = y + r + 1;
        // ZNCC of row y, then slide the window down one row: the row leaving is y-r, the row entering y+r+1
        // (both clamped; the entering row is warped into the slot the row before the leaving one freed). The
        // last row of the rectangle needs no next window.
        if (enter <= lastRow && y + 1 < y1) for (let s = 0; s < S; s++) warpRow(s, q, enter);
        const oa = ((enter > lastRow ? lastRow : enter) % R2) * RW;
        const os = ((y - r < 0 ? 0 : y - r) % R2) * RW;
        if (S === 3 && K === 2) {
          // The default configuration, fused: three sources and the best-2-of-3 aggregation in one pass.
          const ac0 = acc3[0], ac1 = acc3[1], ac2 = acc3[2];
          const rg0 = ring[0], rg1 = ring[1], rg2 = ring[2];
          const ok0 = ringOk[0], ok1 = ringOk[1], ok2 = ringOk[2];
          for (let x = 0; x < RW; x++) {
            const i = o + x;
            const x3 = 3 * x, a3 = 3 * (oa + x), s3 = 3 * (os + x);
            const mI = sumI[i] * invN, isd = invSdI[i];
            let sW = ac0[x3], sW2 = ac0[x3 + 1], sIW = ac0[x3 + 2], vW: number;
            let z0 = INVALID, z1 = INVALID, z2 = INVALID;
            if (ok0[slotY + x]) {
              vW = sW2 - sW * sW * invN;
              z0 = ((sIW - mI * sW) * isd) / Math.sqrt((vW > 0 ? vW : 0) + epsW);
            }
            ac0[x3] = sW + rg0[a3] - rg0[s3];
            ac0[x3 + 1] = sW2 + rg0[a3 + 1] - rg0[s3 + 1];
            ac0[x3 + 2] = sIW + rg0[a3 + 2] - rg0[s3 + 2];
            sW = ac1[x3];
            sW2 = ac1[x3 + 1];
            sIW = ac1[x3 + 2];
            if (ok1[slotY + x]) {
              vW = sW2 - sW * sW * invN;
              z1 = ((sIW - mI * sW) * isd) / Math.sqrt((vW > 0 ? vW : 0) + epsW);
            }
            ac1[x3] = sW + rg1[a3] - rg1[s3];
            ac1[x3 + 1] = sW2 + rg1[a3 + 1] - rg1[s3 + 1];
            ac1[x3 + 2] = sIW + rg1[a3 + 2] - rg1[s3 + 2];
            sW = ac2[x3];
            sW2 = ac2[x3 + 1];
            sIW = ac2[x3 + 2];
            if (ok2[slotY + x]) {
              vW = sW2 - sW * sW * invN;
              z2 = ((sIW - mI * sW) * isd) / Math.sqrt((vW > 0 ? vW : 0) + epsW);
            }
            ac2[x3] = sW + rg2[a3] - rg2[s3];
            ac2[x3 + 1] = sW2 + rg2[a3 + 1] - rg2[s3 + 1];
            ac2[x3 + 2] = sIW + rg2[a3 + 2] - rg2[s3 + 2];
            let c: number;
            if (z0 !== INVALID && z1 !== INVALID && z2 !== INVALID) {
              const lo = z0 < z1 ? (z0 < z2 ? z0 : z2) : z1 < z2 ? z1 : z2;
              c = (z0 + z1 + z2 - lo) * 0.5;
            } else {
              scores[x] = z0;
              scores[W + x] = z1;
              scores[2 * W + x] = z2;
              c = aggregate(x);
            }
            track(i, c, p);
          }
          continue;
        }
        if (S === 2) {
          // Two sources, fused likewise: mean of both (K = 2) or the better one (K = 1).
          const ac0 = acc3[0], ac1 = acc3[1];
          const rg0 = ring[0], rg1 = ring[1];
          const ok0 = ringOk[0], ok1 = ringOk[1];
          for (let x = 0; x < RW; x++) {
            const i = o + x;
            const x3 = 3 * x, a3 = 3 * (oa + x), s3 = 3 * (os + x);
            const mI = sumI[i] * invN, isd = invSdI[i];
            let sW = ac0[x3], sW2 = ac0[x3 + 1], sIW = ac0[x3 + 2], vW: number;
            let z0 = INVALID, z1 = INVALID;
            if (ok0[slotY + x]) {
              vW = sW2 - sW * sW * invN;
              z0 = ((sIW - mI * sW) * isd) / Math.sqrt((vW > 0 ? vW : 0) + epsW);
            }
            ac0[x3] = sW + rg0[a3] - rg0[s3];
            ac0[x3 + 1] = sW2 + rg0[a3 + 1] - rg0[s3 + 1];
            ac0[x3 + 2] = sIW + rg0[a3 + 2] - rg0[s3 + 2];
            sW = ac1[x3];
            sW2 = ac1[x3 + 1];
            sIW = ac1[x3 + 2];
            if (ok1[slotY + x]) {
              vW = sW2 - sW * sW * invN;
              z1 = ((sIW - mI * sW) * isd) / Math.sqrt((vW > 0 ? vW : 0) + epsW);
            }
            ac1[x3] = sW + rg1[a3] - rg1[s3];
            ac1[x3 + 1] = sW2 + rg1[a3 + 1] - rg1[s3 + 1];
            ac1[x3 + 2] = sIW + rg1[a3 + 2] - rg1[s3 + 2];
            let c: number;
            if (z0 === INVALID && z1 === INVALID) c = INVALID;
            else if (z0 === INVALID) c = K === 2 ? z1 * 0.5 : z1;
            else if (z1 === INVALID) c = K === 2 ? z0 * 0.5 : z0;
            else c = K === 2 ? (z0 + z1) * 0.5 : z0 > z1 ? z0 : z1;
            track(i, c, p);
          }
          continue;
        }
        for (let s = 0; s < S; s++) {
          const ac = acc3[s];
          const ok = ringOk[s];
          const so = s * W;
          const rg = ring[s];
          for (let x = 0; x < RW; x++) {
            const x3 = 3 * x, a3 = 3 * (oa + x), s3 = 3 * (os + x);
            const sW = ac[x3], sW2 = ac[x3 + 1], sIW = ac[x3 + 2];
            if (ok[slotY + x]) {
              const i = o + x;
              const cov = sIW - sumI[i] * sW * invN;
              const vW = sW2 - sW * sW * invN;
              scores[so + x] = (cov * invSdI[i]) / Math.sqrt((vW > 0 ? vW : 0) + epsW);
            } else scores[so + x] = INVALID;
            ac[x3] = sW + rg[a3] - rg[s3];
            ac[x3 + 1] = sW2 + rg[a3 + 1] - rg[s3 + 1];
            ac[x3 + 2] = sIW + rg[a3 + 2] - rg[s3 + 2];
          }
        }
        // Aggregate the best k of n (a source that cannot see the point counts as uncorrelated, 0) and track
        // the peak over planes.
        for (let x = 0; x < RW; x++) track(o + x, aggregate(x), p);
      }
    }
  };

  const result = (): SweepKernelResult => {
    const depth = new Float32Array(N);
    const score = new Float32Array(N);
    const margin = new Float32Array(N);
    for (let i = 0; i < N; i++) {
      const bi = bestIdx[i];
      if (bi < 0) continue;
      let off = 0;
      const c0 = best[i], cm = before[i], cp = after[i];
      if (cm !== INVALID && cp !== INVALID) {
        const den = cm - 2 * c0 + cp;
        if (den < 0) off = Math.max(-0.5, Math.min(0.5, (0.5 * (cm - cp)) / den));
      }
      const q = qNear + (bi + off) * qStep;
      depth[i] = q > 0 ? 1 / q : 0;
      score[i] = c0;
      margin[i] = c0 - second[i];
    }
    return { depth, score, margin };
  };

  return { sweepRect, result };
}
