/**
 * Depth evaluation by view synthesis (the protocol of the reference figures in ../shared/README.md): the
 * context views nearest a held-out target are forward-splatted with their depth into the target camera with a
 * soft z-buffer, and the rendering is compared with the target photo (PSNR over all pixels, SSIM).
 *
 * Splatting: every context pixel is lifted with its depth (lens distortion undone), projected into the target
 * (distortion applied) and spread bilinearly over the four nearest target pixels. Soft z-buffer: a contribution
 * is weighted by exp(-(z / zmin - 1) / zTolerance), zmin being the nearest depth landing on that pixel, so
 * occluded surfaces fade out while samples of the same surface blend. Target pixels that nothing reaches are
 * filled by push-pull interpolation of the rendering (reported as `coverage`).
 */
import type { Intrinsics } from '../../capture/frame';
import { invertRigid, multiply } from '../../capture/pose';
import { psnr, ssim } from '../../splat/image-metrics';
import { distortNormalized, isIdentityDistortion } from './lens-distortion';
import { distortedToPinholeMap } from './stereo-view';

export interface SplatView {
  /** Interleaved RGB 0..1, intrinsics.width x intrinsics.height. */
  rgb: Float32Array;
  /** Depth (-z, metres) on the same pixel grid; 0 = none (not splatted). */
  depth?: Float32Array;
  intrinsics: Intrinsics;
  cameraToWorld: ArrayLike<number>;
}

export interface SplatOptions {
  /** Relative depth difference at which an occluded contribution's weight drops to 1/e (default 0.02). */
  zTolerance?: number;
}

export interface SplatRender {
  rgb: Float32Array;
  /** Fraction of target pixels reached by at least one splat. */
  coverage: number;
}

/** Forward-splats `sources` (with depth) into the camera `target`. */
export function forwardSplat(target: { intrinsics: Intrinsics; cameraToWorld: ArrayLike<number> }, sources: SplatView[], opts: SplatOptions = {}): SplatRender {
  const kt = target.intrinsics;
  const W = kt.width, H = kt.height, N = W * H;
  const tol = opts.zTolerance ?? 0.02;
  const w2cT = invertRigid(target.cameraToWorld);
  // Pass 1 collects every projected sample; pass 2 (zmin known) blends them.
  const samples: { px: Float32Array; py: Float32Array; z: Float32Array; src: number; count: number }[] = [];
  const zmin = new Float32Array(N).fill(Infinity);
  const tmp = new Float64Array(2);
  sources.forEach((s, si) => {
    const k = s.intrinsics;
    if (!s.depth) throw new Error(`forward splat: source ${si} has no depth`);
    const n = k.width * k.height;
    if (s.depth.length !== n || s.rgb.length !== 3 * n) throw new Error(`forward splat: source ${si} rgb/depth do not match its intrinsics size`);
    const undist = distortedToPinholeMap(k);
    const rel = multiply(w2cT, s.cameraToWorld);
    const px = new Float32Array(n), py = new Float32Array(n), zz = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const d = s.depth[i];
      px[i] = NaN;
      if (!(d > 0) || !Number.isFinite(d)) continue;
      const x = (undist[2 * i] - k.cx) / k.fx, y = (undist[2 * i + 1] - k.cy) / k.fy;
      const X = x * d, Y = -y * d, Z = -d;
      const tx = rel[0] * X + rel[4] * Y + rel[8] * Z + rel[12];
      const ty = rel[1] * X + rel[5] * Y + rel[9] * Z + rel[13];
      const tz = rel[2] * X + rel[6] * Y + rel[10] * Z + rel[14];
      if (tz > -1e-6) continue;
      let nx = tx / -tz, ny = -ty / -tz;
      // Far outside the image the distortion polynomial folds back: skip those points.
      if (Math.abs(nx) > 2 * (W / kt.fx) || Math.abs(ny) > 2 * (H / kt.fy)) continue;
      if (!isIdentityDistortion(kt.distortion)) {
        distortNormalized(kt.distortion!, nx, ny, tmp);
        nx = tmp[0];
        ny = tmp[1];
      }
      const u = nx * kt.fx + kt.cx - 0.5, v = ny * kt.fy + kt.cy - 0.5;
      if (u <= -1 || v <= -1 || u >= W || v >= H) continue;
      px[i] = u;
      py[i] = v;
      zz[i] = -tz;
      const u0 = Math.floor(u), v0 = Math.floor(v);
      for (let dv = 0; dv < 2; dv++)
        for (let du = 0; du < 2; du++) {
          const uu = u0 + du, vv = v0 + dv;
          if (uu < 0 || vv < 0 || uu >= W || vv >= H) continue;
          const j = vv * W + uu;
          if (-tz < zmin[j]) zmin[j] = -tz;
        }
    }
    samples.push({ px, py, z: zz, src: si, count: n });
  });
  const acc = new Float64Array(N * 3), wsum = new Float64Array(N);
  for (const smp of samples) {
    const rgb = sources[smp.src].rgb;
    for (let i = 0; i < smp.count; i++) {
      const u = smp.px[i];
      if (Number.isNaN(u)) continue;
      const v = smp.py[i], z = smp.z[i];
      const u0 = Math.floor(u), v0 = Math.floor(v);
      const au = u - u0, av = v - v0;
      for (let dv = 0; dv < 2; dv++)
        for (let du = 0; du < 2; du++) {
          const uu = u0 + du, vv = v0 + dv;
          if (uu < 0 || vv < 0 || uu >= W || vv >= H) continue;
          const j = vv * W + uu;
          const bw = (du ? au : 1 - au) * (dv ? av : 1 - av);
          if (bw <= 0) continue;
          const w = bw * Math.exp(-(z / zmin[j] - 1) / tol);
          if (w < 1e-8) continue;
          acc[3 * j] += w * rgb[3 * i];
          acc[3 * j + 1] += w * rgb[3 * i + 1];
          acc[3 * j + 2] += w * rgb[3 * i + 2];
          wsum[j] += w;
        }
    }
  }
  const out = new Float32Array(N * 3);
  const have = new Uint8Array(N);
  let covered = 0;
  for (let j = 0; j < N; j++) {
    // A pixel touched only by the faint tails of bilinear weights is not really covered.
    if (wsum[j] > 0.05) {
      have[j] = 1;
      covered++;
      for (let c = 0; c < 3; c++) out[3 * j + c] = acc[3 * j + c] / wsum[j];
    }
  }
  pushPullFill(out, have, W, H);
  return { rgb: out, coverage: covered / N };
}

/** Fills pixels with have = 0 from a pyramid of averages of the known ones (push-pull). */
export function pushPullFill(rgb: Float32Array, have: Uint8Array, w: number, h: number): void {
  let missing = 0;
  for (let i = 0; i < w * h; i++) if (!have[i]) missing++;
  if (!missing || missing === w * h) return;
  const cw = Math.ceil(w / 2), ch = Math.ceil(h / 2);
  const small = new Float32Array(cw * ch * 3);
  const sh = new Uint8Array(cw * ch);
  for (let y = 0; y < ch; y++)
    for (let x = 0; x < cw; x++) {
      let n = 0;
      const s = [0, 0, 0];
      for (let dy = 0; dy < 2; dy++)
        for (let dx = 0; dx < 2; dx++) {
          const xx = 2 * x + dx, yy = 2 * y + dy;
          if (xx >= w || yy >= h) continue;
          const i = yy * w + xx;
          if (!have[i]) continue;
          n++;
          for (let c = 0; c < 3; c++) s[c] += rgb[3 * i + c];
        }
      if (n) {
        sh[y * cw + x] = 1;
        for (let c = 0; c < 3; c++) small[3 * (y * cw + x) + c] = s[c] / n;
      }
    }
  pushPullFill(small, sh, cw, ch);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      if (have[i]) continue;
      // Bilinear from the coarser level (its pixel centres sit at 2x + 0.5 in this level).
      const sx = Math.min(Math.max((x - 0.5) / 2, 0), cw - 1), sy = Math.min(Math.max((y - 0.5) / 2, 0), ch - 1);
      const x0 = Math.floor(sx), y0 = Math.floor(sy);
      const x1 = Math.min(x0 + 1, cw - 1), y1 = Math.min(y0 + 1, ch - 1);
      const ax = sx - x0, ay = sy - y0;
      for (let c = 0; c < 3; c++) {
        const a = small[3 * (y0 * cw + x0) + c], b = small[3 * (y0 * cw + x1) + c];
        const d = small[3 * (y1 * cw + x0) + c], e = small[3 * (y1 * cw + x1) + c];
        rgb[3 * i + c] = (a + (b - a) * ax) * (1 - ay) + (d + (e - d) * ax) * ay;
      }
    }
}

/** Indices of the `count` views whose camera centres are nearest the target's (the protocol's "nearest"). */
export function nearestViews(target: ArrayLike<number>, candidates: ArrayLike<number>[], count: number): number[] {
  return candidates
    .map((m, i) => ({ i, d: Math.hypot(m[12] - target[12], m[13] - target[13], m[14] - target[14]) }))
    .sort((a, b) => a.d - b.d)
    .slice(0, count)
    .map((x) => x.i);
}

export interface SplatEvalResult {
  psnr: number;
  ssim: number;
  coverage: number;
  contextUsed: number[];
  render: Float32Array;
}

/**
 * The protocol for one target: forward-splat the `count` (default 4) context views nearest the target,
 * compare with the target photo.
 */
export function evaluateForwardSplat(
  target: SplatView,
  context: SplatView[],
  opts: SplatOptions & { count?: number } = {},
): SplatEvalResult {
  const used = nearestViews(target.cameraToWorld, context.map((c) => c.cameraToWorld), opts.count ?? 4);
  if (!used.length) throw new Error('forward-splat evaluation: no context views');
  const render = forwardSplat(target, used.map((i) => context[i]), opts);
  const k = target.intrinsics;
  const a = { width: k.width, height: k.height, data: render.rgb, channels: 3 };
  const b = { width: k.width, height: k.height, data: target.rgb, channels: 3 };
  return { psnr: psnr(a, b, { peak: 1 }), ssim: ssim(a, b, { peak: 1 }), coverage: render.coverage, contextUsed: used, render: render.rgb };
}
