import { mulberry32 } from '../../../lib/inference/semantics/seeded-random';
import type { Frame, Intrinsics } from '../../../lib/capture/frame';

/** Deterministic pseudo-random generator for test data (mulberry32). */
export const rng = mulberry32;

/** Rotation about y by `deg` and a translation, column-major. */
export function poseYaw(deg: number, tx = 0, ty = 0, tz = 0): Float64Array {
  const a = (deg * Math.PI) / 180;
  const c = Math.cos(a), s = Math.sin(a);
  return Float64Array.from([c, 0, -s, 0, 0, 1, 0, 0, s, 0, c, 0, tx, ty, tz, 1]);
}

export function intrinsicsFor(width: number, height: number, extra: Partial<Intrinsics> = {}): Intrinsics {
  return { fx: width * 0.9, fy: width * 0.9, cx: width / 2 + 0.3, cy: height / 2 - 0.7, width, height, ...extra };
}

export function makeFrame(id: string, seed: number, opts: { w?: number; h?: number; depth?: boolean; confidence?: boolean; far?: boolean } = {}): Frame {
  const w = opts.w ?? 12, h = opts.h ?? 8;
  const r = rng(seed);
  const data = new Uint8Array(w * h * 3);
  for (let i = 0; i < data.length; i++) data[i] = Math.floor(r() * 256);
  const frame: Frame = {
    id,
    image: { width: w, height: h, data },
    intrinsics: intrinsicsFor(w, h, { distortion: { k1: 0.01 * seed, k2: -0.002, p1: 0.0001, p2: -0.0002 } }),
    cameraToWorld: poseYaw(seed * 7, 0.1 * seed, 1.5, -0.2),
    timestamp: 1000 + seed * 33.4,
  };
  if (opts.depth) {
    const dw = w / 2, dh = h / 2;
    const d = new Float32Array(dw * dh);
    for (let i = 0; i < d.length; i++) d[i] = i % 7 === 0 ? 0 : opts.far ? 70 + r() * 10 : 0.3 + Math.round(r() * 4000) / 1000;
    frame.depth = { width: dw, height: dh, data: d, intrinsics: intrinsicsFor(dw, dh) };
    if (opts.confidence) {
      const c = new Float32Array(dw * dh);
      for (let i = 0; i < c.length; i++) c[i] = Math.round(r() * 255) / 255;
      frame.depth.confidence = c;
    }
  }
  return frame;
}
