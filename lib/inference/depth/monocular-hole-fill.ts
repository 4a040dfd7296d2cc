/**
 * Filling the holes of metric depth (filtered stereo or device depth) with a monocular depth map: the monocular
 * map is fitted per view (global scale + shift in inverse depth), and the remaining disagreement with the metric
 * depth, a smooth field, is spread into the holes edge-aware. The holes thus get the monocular map's shape,
 * anchored to the metric depth around them rather than only to one global fit.
 */
import { fillDepthHoles, fillField, type HoleFillOptions } from './hole-fill';
import { fitScaleShift, type ScaleShiftFit } from './scale-shift-fit';

export function fillWithMonocular(
  metric: Float32Array,
  confidence: Float32Array | undefined,
  mono: Float32Array,
  guide: Float32Array,
  w: number,
  h: number,
  opts: HoleFillOptions = {},
): { depth: Float32Array; fit: ScaleShiftFit } {
  const n = w * h;
  if (metric.length !== n || mono.length !== n) throw new Error(`monocular hole fill: maps must have ${w}x${h} values`);
  const fit = fitScaleShift(mono, metric, { space: 'inverse', weights: confidence });
  const monoInv = new Float32Array(n);
  for (let i = 0; i < n; i++) monoInv[i] = mono[i] > 0 ? fit.scale / mono[i] + fit.shift : 0;
  const residual = new Float32Array(n), weight = new Float32Array(n);
  for (let i = 0; i < n; i++)
    if (metric[i] > 0 && mono[i] > 0) {
      residual[i] = 1 / metric[i] - monoInv[i];
      weight[i] = confidence ? Math.max(1e-3, confidence[i]) : 1;
    }
  const r = fillField(residual, weight, guide, w, h, { ...opts, smoothPasses: 1 });
  const out = new Float32Array(n), conf = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    if (metric[i] > 0) {
      out[i] = metric[i];
      conf[i] = confidence ? Math.max(0.05, confidence[i]) : 1;
      continue;
    }
    const inv = monoInv[i] + r[i];
    if (inv > 0 && Number.isFinite(inv)) {
      out[i] = 1 / inv;
      conf[i] = 0.05;
    }
  }
  // Same final smoothing as the plain stereo fill (and any pixel the monocular map could not cover is filled).
  return { depth: fillDepthHoles(out, guide, w, h, { ...opts, confidence: conf }), fit };
}
