/**
 * Novel-view rendering with our Gaussians, for comparison with the reference protocol's forward splat
 * (lib/inference/depth/forward-splat-eval.ts): the context views' depth becomes pixel-aligned Gaussians
 * (gaussiansFromDepth), the views are fused (SceneFusion) and the scene is rendered into the target camera
 * by the CPU reference rasteriser (renderGaussians).
 *
 * Lens distortion: Gaussians live in a pinhole world, so every context view is given on its pinhole grid
 * (image undistorted, depth on the same grid) and the target is rendered with its pinhole camera, then
 * resampled onto the target's own distorted pixel grid to compare with the photo.
 * Holes: pixels the Gaussians cover with alpha < `minAlpha` are filled by the same push-pull interpolation
 * the forward splat uses (reported as `coverage`), so both renderers are scored over all pixels alike.
 */
import type { Intrinsics } from '../capture/frame';
import { pushPullFill } from '../inference/depth/forward-splat-eval';
import { distortedToPinholeMap, pinholeToDistortedMap, remap } from '../inference/depth/stereo-view';
import { isIdentityDistortion } from '../inference/depth/lens-distortion';
import { renderGaussians } from '../splat/cpu-renderer';
import { SceneFusion, type FusionOptions } from '../splat/fusion';
import { FilledDepthGate } from '../splat/filled-depth-gate';
import { GaussianScene } from '../splat/gaussian-scene';
import { gaussiansFromDepth, type DepthToGaussiansOptions } from '../splat/gaussians-from-depth';

export interface PinholeView {
  id: string;
  /** Interleaved RGB 0..1 on the view's own (possibly distorted) grid, intrinsics.width x height. */
  rgb: Float32Array;
  /** Depth (-z, metres) on the PINHOLE grid of the same size; 0 = none. */
  pinholeDepth: Float32Array;
  /** Optional 0..1 confidence on the same grid (conditioned sensor depth): it scales opacity and fusion weight. */
  pinholeConfidence?: Float32Array;
  /** Optional: non-zero where the depth was filled, not measured (DepthEstimate.filled): fused through the pipeline's FilledDepthGate. */
  pinholeFilled?: Uint8Array;
  intrinsics: Intrinsics;
  cameraToWorld: ArrayLike<number>;
}

export interface GaussianRenderOptions {
  gaussians?: DepthToGaussiansOptions;
  fusion?: FusionOptions;
  /** Pixels with accumulated opacity below this are holes, filled by push-pull (default 0.5). */
  minAlpha?: number;
}

export interface GaussianRenderResult {
  /** RGB 0..1 on the target's own grid. */
  rgb: Float32Array;
  coverage: number;
  gaussians: number;
  renderMs: number;
  buildMs: number;
}

const pinholeOf = (k: Intrinsics): Intrinsics => ({ fx: k.fx, fy: k.fy, cx: k.cx, cy: k.cy, width: k.width, height: k.height });

/** The view's image resampled onto its pinhole grid (identity when it has no distortion). */
export function undistortRgb(rgb: Float32Array, k: Intrinsics): Float32Array {
  if (isIdentityDistortion(k.distortion)) return rgb;
  return remap(rgb, k.width, k.height, 3, pinholeToDistortedMap(k));
}

/** Builds fused Gaussians from `views` and renders them into `target` (its intrinsics may carry distortion). */
export function renderGaussianView(target: { intrinsics: Intrinsics; cameraToWorld: ArrayLike<number> }, views: PinholeView[], opts: GaussianRenderOptions = {}): GaussianRenderResult {
  if (!views.length) throw new Error('renderGaussianView: no context views');
  const t0 = performance.now();
  let total = 0;
  for (const v of views) total += v.intrinsics.width * v.intrinsics.height;
  const scene = new GaussianScene({ budget: total + 1, bankDim: 1, initialCapacity: total });
  const fusion = new SceneFusion(scene, opts.fusion);
  const gate = new FilledDepthGate();
  views.forEach((v, i) => {
    const k = v.intrinsics;
    const n = k.width * k.height;
    if (v.rgb.length !== 3 * n || v.pinholeDepth.length !== n) throw new Error(`renderGaussianView: view ${v.id} rgb/depth do not match its ${k.width}x${k.height} intrinsics`);
    const rgb = undistortRgb(v.rgb, k);
    const bytes = new Uint8Array(3 * n);
    for (let j = 0; j < 3 * n; j++) bytes[j] = Math.max(0, Math.min(255, Math.round(rgb[j] * 255)));
    const pin = pinholeOf(k);
    const tmp = new GaussianScene({ budget: n + 1, bankDim: 1, initialCapacity: n });
    gaussiansFromDepth(
      tmp,
      { id: v.id, image: { width: k.width, height: k.height, data: bytes }, intrinsics: pin, cameraToWorld: Float64Array.from(v.cameraToWorld), timestamp: i, depth: { width: k.width, height: k.height, data: v.pinholeDepth, intrinsics: pin, confidence: v.pinholeConfidence } },
      i,
      opts.gaussians,
    );
    const m = v.cameraToWorld;
    if (v.pinholeFilled) gate.apply(fusion, i, tmp, { intrinsics: pin, cameraToWorld: m, depth: v.pinholeDepth, filled: v.pinholeFilled });
    fusion.addView(i, tmp, undefined, { origin: [m[12], m[13], m[14]] });
  });
  const t1 = performance.now();
  const kt = target.intrinsics;
  const r = renderGaussians(scene, { intrinsics: pinholeOf(kt), cameraToWorld: target.cameraToWorld }, { semantics: false });
  const renderMs = performance.now() - t1;
  const W = kt.width, H = kt.height, N = W * H;
  const minAlpha = opts.minAlpha ?? 0.5;
  const rgb = new Float32Array(3 * N);
  const have = new Uint8Array(N);
  let covered = 0;
  for (let p = 0; p < N; p++) {
    const a = r.alpha[p];
    if (a < minAlpha) continue;
    // Black background: un-premultiply so a pixel at alpha 0.9 is not darkened by 10 %.
    have[p] = 1;
    covered++;
    for (let c = 0; c < 3; c++) rgb[3 * p + c] = Math.min(1, r.color[3 * p + c] / a);
  }
  pushPullFill(rgb, have, W, H);
  const out = isIdentityDistortion(kt.distortion) ? rgb : remap(rgb, W, H, 3, distortedToPinholeMap(kt));
  return { rgb: out, coverage: covered / N, gaussians: scene.count, renderMs, buildMs: t1 - t0 };
}
