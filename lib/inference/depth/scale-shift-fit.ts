/**
 * Robust per-view scale and shift of a monocular depth map against metric depth (device depth or filtered
 * stereo): target ~ scale * mono + shift, in inverse depth by default (monocular networks are affine-correct in
 * disparity more often than in depth, and inverse depth keeps far outliers from dominating). RANSAC on pairs of
 * pixels with a relative inlier band, then least squares on the inliers.
 */

export type FitSpace = 'inverse' | 'depth';

export interface ScaleShiftFit {
  scale: number;
  shift: number;
  space: FitSpace;
  /** Pixels with both values, and how many of them fit within the band. */
  samples: number;
  inliers: number;
  /** RMS relative error of the inliers in the fitting space. */
  rmsRel: number;
}

export interface ScaleShiftOptions {
  space?: FitSpace;
  /** Relative inlier band in the fitting space (default 0.05). */
  band?: number;
  iterations?: number;
  /** Use at most this many pixels (evenly strided), bounding the cost on large maps (default 20000). */
  maxSamples?: number;
  /** Per-pixel weights 0..1 of the target (e.g. stereo confidence); 0 excludes. */
  weights?: Float32Array;
  seed?: number;
}

/** Fits target ~ scale * mono + shift. Both maps are metric-depth-like (0 / non-finite = missing). */
export function fitScaleShift(mono: Float32Array, target: Float32Array, opts: ScaleShiftOptions = {}): ScaleShiftFit {
  if (mono.length !== target.length) throw new Error(`scale/shift fit: maps differ in size (${mono.length} vs ${target.length})`);
  if (opts.weights && opts.weights.length !== target.length) throw new Error('scale/shift fit: weights differ in size from the maps');
  const space = opts.space ?? 'inverse';
  const band = opts.band ?? 0.05;
  const f = space === 'inverse' ? (d: number) => 1 / d : (d: number) => d;
  const idx: number[] = [];
  for (let i = 0; i < mono.length; i++)
    if (mono[i] > 0 && target[i] > 0 && Number.isFinite(mono[i]) && Number.isFinite(target[i]) && (!opts.weights || opts.weights[i] > 0))
      idx.push(i);
  const maxSamples = opts.maxSamples ?? 20000;
  const stride = Math.max(1, Math.floor(idx.length / maxSamples));
  const m = Math.ceil(idx.length / stride);
  const xs = new Float64Array(m), ys = new Float64Array(m), ws = new Float64Array(m);
  for (let k = 0, j = 0; k < idx.length; k += stride, j++) {
    const i = idx[k];
    xs[j] = f(mono[i]);
    ys[j] = f(target[i]);
    ws[j] = opts.weights ? opts.weights[i] : 1;
  }
  if (m < 2) throw new Error(`scale/shift fit: need at least 2 pixels where both maps have depth, got ${m}`);

  let seed = (opts.seed ?? 12345) >>> 0;
  const rand = () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed / 4294967296;
  };
  const countInliers = (a: number, b: number): number => {
    let c = 0;
    for (let j = 0; j < m; j++) if (Math.abs(a * xs[j] + b - ys[j]) <= band * Math.abs(ys[j])) c += ws[j];
    return c;
  };
  let bestA = 1, bestB = 0, bestScore = -1;
  const iters = opts.iterations ?? 200;
  for (let it = 0; it < iters; it++) {
    const p = Math.floor(rand() * m), q = Math.floor(rand() * m);
    const dx = xs[q] - xs[p];
    if (Math.abs(dx) < 1e-9 * (Math.abs(xs[p]) + Math.abs(xs[q]) + 1e-12)) continue;
    const a = (ys[q] - ys[p]) / dx;
    if (!(a > 0)) continue; // depth ordering must be preserved
    const b = ys[p] - a * xs[p];
    const s = countInliers(a, b);
    if (s > bestScore) {
      bestScore = s;
      bestA = a;
      bestB = b;
    }
  }
  if (bestScore < 0) {
    // Degenerate spread (e.g. a constant map): a pure scale is the only thing that can be fitted.
    let sxy = 0, sxx = 0;
    for (let j = 0; j < m; j++) {
      sxy += ws[j] * xs[j] * ys[j];
      sxx += ws[j] * xs[j] * xs[j];
    }
    if (!(sxx > 0)) throw new Error('scale/shift fit: the monocular map has no usable values');
    bestA = sxy / sxx;
    bestB = 0;
  }
  // Least squares on the inliers, twice (the band moves with the fit).
  let a = bestA, b = bestB;
  for (let round = 0; round < 3; round++) {
    let sw = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
    for (let j = 0; j < m; j++) {
      if (Math.abs(a * xs[j] + b - ys[j]) > band * Math.abs(ys[j])) continue;
      const w = ws[j] / (ys[j] * ys[j] + 1e-24); // relative residuals
      sw += w;
      sx += w * xs[j];
      sy += w * ys[j];
      sxx += w * xs[j] * xs[j];
      sxy += w * xs[j] * ys[j];
    }
    const den = sw * sxx - sx * sx;
    if (!(sw > 0) || !(Math.abs(den) > 1e-30)) break;
    const na = (sw * sxy - sx * sy) / den;
    const nb = (sy - na * sx) / sw;
    if (!(na > 0) || !Number.isFinite(nb)) break;
    a = na;
    b = nb;
  }
  let inl = 0, se = 0;
  for (let j = 0; j < m; j++) {
    const rel = Math.abs(a * xs[j] + b - ys[j]) / Math.abs(ys[j]);
    if (rel <= band) {
      inl++;
      se += rel * rel;
    }
  }
  return { scale: a, shift: b, space, samples: m, inliers: inl, rmsRel: inl ? Math.sqrt(se / inl) : NaN };
}

/** Metric depth from a monocular map and its fit; pixels mapped to a non-positive depth become 0 (missing). */
export function applyScaleShift(mono: Float32Array, fit: ScaleShiftFit): Float32Array {
  const out = new Float32Array(mono.length);
  for (let i = 0; i < mono.length; i++) {
    const d = mono[i];
    if (!(d > 0) || !Number.isFinite(d)) continue;
    const v = fit.scale * (fit.space === 'inverse' ? 1 / d : d) + fit.shift;
    const depth = fit.space === 'inverse' ? 1 / v : v;
    out[i] = v > 0 && Number.isFinite(depth) ? depth : 0;
  }
  return out;
}
