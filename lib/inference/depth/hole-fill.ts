/**
 * Edge-aware hole filling and smoothing of a depth map, in inverse depth (where a plane is linear in the image
 * and far surfaces do not dominate averages).
 *
 * Filling is a joint-bilateral normalised convolution over growing distances (a trous: 1, 2, 4, ... pixels):
 * a hole takes the colour-weighted mean of the known pixels around it, so it is filled from the side of an
 * edge whose colour it shares; filled pixels then help fill further holes with a lower weight. O(pixels x log
 * size). Smoothing is the same joint-bilateral filter over all pixels, weighted by confidence.
 */

export interface HoleFillOptions {
  /** Colour (grey 0..1) difference at which a neighbour's weight drops to exp(-1/2) (default 0.06). */
  sigmaColor?: number;
  /** Weight of a filled pixel relative to the neighbours it came from (default 0.5). */
  filledWeight?: number;
  /** Joint-bilateral smoothing passes over the whole map after filling (default 1; 0 = none). */
  smoothPasses?: number;
  /**
   * Planar filling (default false): every known pixel carries the slope of the field around it (a weighted plane
   * fit over its same-coloured known neighbours, in inverse depth: a plane in the world is affine in the image), a
   * hole takes its neighbours' values extrapolated along their slopes and inherits their mean slope. A slanted
   * textureless wall or floor is then filled with its plane, not with the mean of its borders.
   */
  planar?: boolean;
}

/** Radius of the plane fit behind a known pixel's slope (9x9 window). */
const SLOPE_RADIUS = 4;
/** A slope is kept only where the fit's RMS residual is below this share of the value (noisy fits extrapolate noise). */
const SLOPE_MAX_RESIDUAL = 0.02;

/**
 * Per known pixel (weight > 0), the slope (d/dx, d/dy) of `values` from a weighted least-squares plane over the
 * known pixels within SLOPE_RADIUS whose guide colour is close (weights x colour weight): interleaved x, y.
 * Zero where too few neighbours, degenerate geometry or a poor fit.
 */
export function fieldSlopes(values: Float32Array, weights: Float32Array, guide: Float32Array, w: number, h: number, sigmaColor = 0.06): Float32Array {
  checkSizes(values, guide, w, h);
  const out = new Float32Array(2 * w * h);
  const inv2s2 = 1 / (2 * sigmaColor ** 2);
  const R = SLOPE_RADIUS;
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      if (!(weights[i] > 0)) continue;
      const g = guide[i];
      let sw = 0, sx = 0, sy = 0, sxx = 0, sxy = 0, syy = 0, sv = 0, sxv = 0, syv = 0, svv = 0, count = 0;
      for (let dy = -R; dy <= R; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= h) continue;
        for (let dx = -R; dx <= R; dx++) {
          const xx = x + dx;
          if (xx < 0 || xx >= w) continue;
          const j = yy * w + xx;
          const wj = weights[j];
          if (!(wj > 0)) continue;
          const dg = guide[j] - g;
          const ww = wj * Math.exp(-dg * dg * inv2s2);
          const v = values[j] - values[i];
          sw += ww; sx += ww * dx; sy += ww * dy; sxx += ww * dx * dx; sxy += ww * dx * dy; syy += ww * dy * dy;
          sv += ww * v; sxv += ww * dx * v; syv += ww * dy * v; svv += ww * v * v;
          count++;
        }
      }
      if (count < 12) continue;
      // Centred normal equations for the slopes (the offset is eliminated).
      const mx = sx / sw, my = sy / sw, mv = sv / sw;
      const cxx = sxx / sw - mx * mx, cxy = sxy / sw - mx * my, cyy = syy / sw - my * my;
      const cxv = sxv / sw - mx * mv, cyv = syv / sw - my * mv, cvv = svv / sw - mv * mv;
      const det = cxx * cyy - cxy * cxy;
      if (!(det > 0.25 * (cxx + cyy) ** 2 * 0.1)) continue;
      const gx = (cyy * cxv - cxy * cyv) / det, gy = (cxx * cyv - cxy * cxv) / det;
      const resid = Math.max(0, cvv - gx * cxv - gy * cyv);
      if (Math.sqrt(resid) > SLOPE_MAX_RESIDUAL * Math.abs(values[i])) continue;
      out[2 * i] = gx;
      out[2 * i + 1] = gy;
    }
  return out;
}

function checkSizes(depth: Float32Array, guide: Float32Array, w: number, h: number): void {
  if (!Number.isInteger(w) || !Number.isInteger(h) || w < 1 || h < 1) throw new Error(`hole fill: bad size ${w}x${h}`);
  if (depth.length !== w * h) throw new Error(`hole fill: depth has ${depth.length} values, expected ${w * h}`);
  if (guide.length !== w * h) throw new Error(`hole fill: guide image has ${guide.length} values, expected ${w * h}`);
}

/**
 * Returns a dense depth map: valid input depths are kept (up to the smoothing), holes (0 / non-finite) filled.
 * `confidence` (0..1, optional) weights the known depths. An all-empty input stays all zero.
 */
export function fillDepthHoles(
  depth: Float32Array,
  guide: Float32Array,
  w: number,
  h: number,
  opts: HoleFillOptions & { confidence?: Float32Array } = {},
): Float32Array {
  checkSizes(depth, guide, w, h);
  const n = w * h;
  const inv = new Float32Array(n);
  const wt = new Float32Array(n);
  let known = 0;
  for (let i = 0; i < n; i++) {
    const d = depth[i];
    if (d > 0 && Number.isFinite(d)) {
      inv[i] = 1 / d;
      wt[i] = opts.confidence ? Math.max(1e-3, opts.confidence[i]) : 1;
      known++;
    }
  }
  if (known === 0) return new Float32Array(n);
  const filled = fillField(inv, wt, guide, w, h, opts);
  const result = new Float32Array(n);
  for (let i = 0; i < n; i++) result[i] = filled[i] > 0 ? 1 / filled[i] : 0;
  return result;
}

/**
 * Edge-aware fill of any scalar field (signed values allowed): pixels with weight > 0 are known, the others are
 * filled; then `smoothPasses` joint-bilateral passes. Returns the dense field (unchanged if nothing is known).
 */
export function fillField(
  values: Float32Array,
  weights: Float32Array,
  guide: Float32Array,
  w: number,
  h: number,
  opts: HoleFillOptions = {},
): Float32Array {
  checkSizes(values, guide, w, h);
  if (weights.length !== values.length) throw new Error('hole fill: weights differ in size from the values');
  const n = w * h;
  const inv2s2 = 1 / (2 * (opts.sigmaColor ?? 0.06) ** 2);
  const filledWeight = opts.filledWeight ?? 0.5;
  let inv: Float32Array<ArrayBuffer> = Float32Array.from(values);
  let wt: Float32Array<ArrayBuffer> = Float32Array.from(weights, (x) => (x > 0 ? x : 0));
  let known = 0;
  for (let i = 0; i < n; i++) if (wt[i] > 0) known++;
  if (known === 0) return inv;
  const colourW = new Float32Array(256);
  for (let k = 0; k < 256; k++) colourW[k] = Math.exp(-((k / 255) ** 2) * inv2s2);
  const cw = (a: number, b: number) => {
    const k = Math.abs(a - b) * 255;
    return colourW[k > 255 ? 255 : k | 0];
  };
  let holes = n - known;
  const nextInv = new Float32Array(n), nextWt = new Float32Array(n);
  const slope = opts.planar ? fieldSlopes(inv, wt, guide, w, h, opts.sigmaColor) : null;
  const nextSlope = slope ? new Float32Array(slope.length) : null;
  for (let step = 1; holes > 0; step *= 2) {
    // Two sweeps per distance let a filled front advance before the stride doubles.
    for (let rep = 0; rep < 2 && holes > 0; rep++) {
      nextInv.set(inv);
      nextWt.set(wt);
      if (slope) nextSlope!.set(slope);
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) {
          const i = y * w + x;
          if (wt[i] > 0) continue;
          const g = guide[i];
          let s = 0, sw = 0, wmax = 0, sgx = 0, sgy = 0;
          for (let dy = -step; dy <= step; dy += step) {
            const yy = y + dy;
            if (yy < 0 || yy >= h) continue;
            for (let dx = -step; dx <= step; dx += step) {
              const xx = x + dx;
              if (xx < 0 || xx >= w) continue;
              const j = yy * w + xx;
              const wj = wt[j];
              if (wj <= 0) continue;
              const ww = wj * cw(g, guide[j]);
              if (slope) {
                // The neighbour's value carried along its slope to this pixel (dx, dy point from here to it).
                const gx = slope[2 * j], gy = slope[2 * j + 1];
                // Capped at half the neighbour's value: a slope is local, far extrapolation must not run away.
                const lim = 0.5 * Math.abs(inv[j]);
                const ext = -gx * dx - gy * dy;
                s += ww * (inv[j] + (ext > lim ? lim : ext < -lim ? -lim : ext));
                sgx += ww * gx;
                sgy += ww * gy;
              } else s += ww * inv[j];
              sw += ww;
              if (wj > wmax) wmax = wj;
            }
          }
          if (sw > 1e-12) {
            nextInv[i] = s / sw;
            nextWt[i] = wmax * filledWeight;
            if (slope) {
              nextSlope![2 * i] = sgx / sw;
              nextSlope![2 * i + 1] = sgy / sw;
            }
            holes--;
          }
        }
      inv.set(nextInv);
      wt.set(nextWt);
      if (slope) slope.set(nextSlope!);
    }
    if (step > 2 * Math.max(w, h)) break;
  }
  for (let p = 0; p < (opts.smoothPasses ?? 1); p++) {
    inv = jointBilateralInverse(inv, wt, guide, w, h, 2, colourW);
    wt = wt.map((v) => (v > 0 ? v : 1e-3));
  }
  return inv;
}

/** One confidence-weighted joint-bilateral pass of radius r over inverse depth. */
function jointBilateralInverse(
  inv: Float32Array,
  wt: Float32Array,
  guide: Float32Array,
  w: number,
  h: number,
  r: number,
  colourW: Float32Array,
): Float32Array<ArrayBuffer> {
  const out = new Float32Array(inv.length);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      const g = guide[i];
      let s = 0, sw = 0;
      for (let dy = -r; dy <= r; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= h) continue;
        for (let dx = -r; dx <= r; dx++) {
          const xx = x + dx;
          if (xx < 0 || xx >= w) continue;
          const j = yy * w + xx;
          if (!(wt[j] > 0)) continue;
          const k = Math.abs(g - guide[j]) * 255;
          const ww = wt[j] * colourW[k > 255 ? 255 : k | 0];
          s += ww * inv[j];
          sw += ww;
        }
      }
      out[i] = sw > 0 ? s / sw : inv[i];
    }
  return out;
}
