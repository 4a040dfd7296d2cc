/**
 * Depth-to-colour registration, estimated from the capture itself.
 *
 * RGB-D sensors (Kinect, phones' ToF + RGB) carry depth and colour from two cameras. A capture often gives one
 * set of intrinsics for both (7-Scenes ships only the depth camera's), or colour intrinsics that are off by a
 * few percent: every Gaussian then takes the colour of a ray a few (up to tens of) pixels away, worst at the
 * image border and at depth edges. Here the colour camera is modelled as sharing the depth camera's pose with
 * its own pinhole intrinsics (fx = fy·aspect kept, cx, cy), and those are fitted photometrically: a depth pixel
 * of keyframe A, lifted with A's depth, must look the same in A's colour image and in B's (ZNCC of the two
 * sample sets per pair, averaged over pairs). With the wrong colour camera the two samples land on different
 * surface points as soon as the keyframes move, so the score peaks at the right one. Occluded samples (B's own
 * depth is nearer) and samples next to depth edges are left out.
 *
 * Incremental: it needs a few keyframe pairs with some baseline (the first keyframes of a scan), not the
 * whole capture; it runs once and the result is applied to every later frame of the same sensor.
 * Cost: ~20 k samples per pair and ~150 score evaluations (coordinate descent over a coarse then a fine step).
 */
import type { Frame, Intrinsics } from '../../capture/frame';
import { invertRigid } from '../../capture/pose';

export interface ColourRegistration {
  /** Colour intrinsics (pixels of the colour image, no distortion) that best explain the keyframes. */
  intrinsics: Intrinsics;
  /** Mean ZNCC over pairs at the estimate, and with the intrinsics the frames came with. */
  score: number;
  initialScore: number;
  /** Samples used per score evaluation (all pairs). */
  samples: number;
  pairs: number;
  /** Score evaluations spent. */
  evaluations: number;
}

export interface ColourRegistrationOptions {
  /** Depth pixels sampled every `stride` pixels in u and v (default 4). */
  stride?: number;
  /** Focal scale searched in [1 - range, 1 + range] of the given one (default 0.15). */
  focalRange?: number;
  /** Principal point searched within +-shift pixels of the given one (default 24). */
  principalShift?: number;
}

interface PairSamples {
  /** Camera-A points (OpenGL camera axes: -z forward), per sample. */
  xa: Float32Array;
  /** The same points in camera B. */
  xb: Float32Array;
  n: number;
  ga: Float32Array;
  gb: Float32Array;
  w: number;
  h: number;
}

/** Box-blurred luma 0..1 (radius 2): the score's basin widens from one pixel to a few. */
function blurredLuma(f: Frame): Float32Array {
  const { width: w, height: h, data } = f.image;
  const g = new Float32Array(w * h);
  for (let i = 0; i < w * h; i++) g[i] = (0.299 * data[3 * i] + 0.587 * data[3 * i + 1] + 0.114 * data[3 * i + 2]) / 255;
  const r = 2;
  const tmp = new Float32Array(w * h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      let s = 0, c = 0;
      for (let k = Math.max(0, x - r); k <= Math.min(w - 1, x + r); k++) {
        s += g[y * w + k];
        c++;
      }
      tmp[y * w + x] = s / c;
    }
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      let s = 0, c = 0;
      for (let k = Math.max(0, y - r); k <= Math.min(h - 1, y + r); k++) {
        s += tmp[k * w + x];
        c++;
      }
      g[y * w + x] = s / c;
    }
  return g;
}

function bilinear(g: Float32Array, w: number, h: number, x: number, y: number): number {
  const fx = x - 0.5, fy = y - 0.5;
  const x0 = Math.floor(fx), y0 = Math.floor(fy);
  if (x0 < 0 || y0 < 0 || x0 + 1 >= w || y0 + 1 >= h) return NaN;
  const ax = fx - x0, ay = fy - y0;
  const i = y0 * w + x0;
  return (g[i] * (1 - ax) + g[i + 1] * ax) * (1 - ay) + (g[i + w] * (1 - ax) + g[i + w + 1] * ax) * ay;
}

function pairSamples(a: Frame, b: Frame, stride: number, grey: Map<Frame, Float32Array>): PairSamples {
  const d = a.depth!, db = b.depth!;
  const kd = d.intrinsics;
  const W = d.width, H = d.height;
  const fx = (kd.fx * W) / kd.width, fy = (kd.fy * H) / kd.height, cx = (kd.cx * W) / kd.width, cy = (kd.cy * H) / kd.height;
  const kb = db.intrinsics;
  const bfx = (kb.fx * db.width) / kb.width, bfy = (kb.fy * db.height) / kb.height, bcx = (kb.cx * db.width) / kb.width, bcy = (kb.cy * db.height) / kb.height;
  const ab = (() => {
    const wb = invertRigid(b.cameraToWorld), m = a.cameraToWorld;
    const o = new Float64Array(16);
    for (let c = 0; c < 4; c++) for (let r = 0; r < 4; r++) { let s = 0; for (let k = 0; k < 4; k++) s += wb[k * 4 + r] * m[c * 4 + k]; o[c * 4 + r] = s; }
    return o;
  })();
  const xa: number[] = [], xb: number[] = [];
  const D = d.data, DB = db.data;
  for (let v = stride; v < H - stride; v += stride)
    for (let u = stride; u < W - stride; u += stride) {
      const z = D[v * W + u];
      if (!(z > 0.1 && z < 20)) continue;
      // Not next to a depth edge (the registration is what is being estimated; edges would dominate the score).
      let edge = false;
      for (const o of [-stride, stride, -stride * W, stride * W]) {
        const zn = D[v * W + u + o];
        if (!(zn > 0) || Math.abs(zn - z) > 0.03 * z) edge = true;
      }
      if (edge) continue;
      const X = (z * (u + 0.5 - cx)) / fx, Y = -(z * (v + 0.5 - cy)) / fy, Z = -z;
      const bx = ab[0] * X + ab[4] * Y + ab[8] * Z + ab[12], by = ab[1] * X + ab[5] * Y + ab[9] * Z + ab[13], bz = ab[2] * X + ab[6] * Y + ab[10] * Z + ab[14];
      if (!(bz < -0.1)) continue;
      // Visible in B: B's own depth at the point's pixel is not clearly nearer.
      const ub = Math.floor(bcx + (bfx * bx) / -bz), vb = Math.floor(bcy - (bfy * by) / -bz);
      if (ub < 0 || vb < 0 || ub >= db.width || vb >= db.height) continue;
      const zb = DB[vb * db.width + ub];
      if (!(zb > 0) || zb < -bz * 0.97) continue;
      xa.push(X, Y, Z);
      xb.push(bx, by, bz);
    }
  const ga = grey.get(a)!, gb = grey.get(b)!;
  return { xa: Float32Array.from(xa), xb: Float32Array.from(xb), n: xa.length / 3, ga, gb, w: a.image.width, h: a.image.height };
}

/** Mean ZNCC over pairs of colour samples of the same 3D points in A and B under colour camera (f, cx, cy). */
function scorePairs(pairs: PairSamples[], fxc: number, fyc: number, cxc: number, cyc: number): number {
  let total = 0, used = 0;
  for (const p of pairs) {
    let n = 0, sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
    for (let i = 0; i < p.n; i++) {
      const X = p.xa[3 * i], Y = p.xa[3 * i + 1], Z = p.xa[3 * i + 2];
      const va = bilinear(p.ga, p.w, p.h, cxc + (fxc * X) / -Z, cyc - (fyc * Y) / -Z);
      if (va !== va) continue;
      const X2 = p.xb[3 * i], Y2 = p.xb[3 * i + 1], Z2 = p.xb[3 * i + 2];
      const vb = bilinear(p.gb, p.w, p.h, cxc + (fxc * X2) / -Z2, cyc - (fyc * Y2) / -Z2);
      if (vb !== vb) continue;
      n++; sa += va; sb += vb; saa += va * va; sbb += vb * vb; sab += va * vb;
    }
    if (n < 100) continue;
    const ma = sa / n, mb = sb / n;
    const cov = sab / n - ma * mb, va = saa / n - ma * ma, vb = sbb / n - mb * mb;
    total += cov / Math.sqrt(Math.max(1e-12, va * vb));
    used++;
  }
  return used ? total / used : -1;
}

/**
 * Colour intrinsics of `frames` (all with depth, the same sensor) fitted to photometric consistency between
 * consecutive frames. The frames' own intrinsics are the starting point; the result keeps their image size.
 */
export function estimateColourRegistration(frames: Frame[], opts: ColourRegistrationOptions = {}): ColourRegistration {
  if (frames.length < 2) throw new Error('estimateColourRegistration: need at least 2 frames with depth');
  for (const f of frames) if (!f.depth) throw new Error(`estimateColourRegistration: frame ${f.id} has no depth`);
  const w = frames[0].image.width, h = frames[0].image.height;
  for (const f of frames) if (f.image.width !== w || f.image.height !== h) throw new Error(`estimateColourRegistration: frame ${f.id} is ${f.image.width}x${f.image.height}, expected ${w}x${h}`);
  const stride = opts.stride ?? 4;
  const range = opts.focalRange ?? 0.15;
  const shift = opts.principalShift ?? 24;
  const grey = new Map<Frame, Float32Array>();
  for (const f of frames) grey.set(f, blurredLuma(f));
  const pairs: PairSamples[] = [];
  for (let i = 0; i + 1 < frames.length; i++) pairs.push(pairSamples(frames[i], frames[i + 1], stride, grey));
  const k0 = frames[0].intrinsics;
  const sx = w / k0.width, sy = h / k0.height;
  const f0x = k0.fx * sx, f0y = k0.fy * sy, c0x = k0.cx * sx, c0y = k0.cy * sy;
  let evaluations = 0;
  const score = (s: number, dx: number, dy: number) => {
    evaluations++;
    return scorePairs(pairs, f0x * s, f0y * s, c0x + dx, c0y + dy);
  };
  const initialScore = score(1, 0, 0);
  let best = { s: 1, dx: 0, dy: 0, v: initialScore };
  const scan = (axis: 's' | 'dx' | 'dy', lo: number, hi: number, step: number) => {
    for (let x = lo; x <= hi + 1e-9; x += step) {
      const c = { ...best, [axis]: x };
      const v = score(c.s, c.dx, c.dy);
      if (v > best.v) best = { ...c, v };
    }
  };
  // Coarse: focal first (the dominant error), then the principal point, twice; then fine steps around the best.
  for (let round = 0; round < 2; round++) {
    scan('s', 1 - range, 1 + range, 0.01);
    scan('dx', -shift, shift, 2);
    scan('dy', -shift, shift, 2);
  }
  for (let round = 0; round < 2; round++) {
    scan('s', best.s - 0.01, best.s + 0.01, 0.002);
    scan('dx', best.dx - 2, best.dx + 2, 0.5);
    scan('dy', best.dy - 2, best.dy + 2, 0.5);
  }
  const samples = pairs.reduce((a, p) => a + p.n, 0);
  return {
    intrinsics: { fx: f0x * best.s, fy: f0y * best.s, cx: c0x + best.dx, cy: c0y + best.dy, width: w, height: h },
    score: best.v,
    initialScore,
    samples,
    pairs: pairs.length,
    evaluations,
  };
}

/**
 * The registration as a pipeline stage: decided once, from the first keyframes with device depth (never the whole
 * capture), and applied to every later frame of the same sensor. Registered sensors (phones, Quest, a rendered
 * sample) must come out as they went in, so an estimate is only taken when it clearly improves the agreement.
 */
export interface RegistrationStageOptions extends ColourRegistrationOptions {
  /** Keyframes the estimate uses at most (default 6: 5 pairs, about a second of CPU at 640x480). */
  keyframes?: number;
  /** A frame becomes a keyframe when its camera moved this far (metres, default 0.05) or turned `minAngle`. */
  minBaseline?: number;
  /** Degrees (default 3). */
  minAngle?: number;
  /**
   * A clear improvement: the disagreement 1 - ZNCC falls by at least this fraction (default 0.25; redkitchen's
   * Kinect: 0.061 -> 0.019, a registered sensor: unchanged) and ZNCC gains at least 0.002 (estimation noise).
   */
  minDrop?: number;
}

export interface RegistrationDecision {
  /** applied: the estimate is in use; kept: the frames' own intrinsics are (no clear gain); skipped: no estimate (reason). */
  status: 'applied' | 'kept' | 'skipped';
  reason: string;
  /** Ids of the keyframes the estimate used. */
  keyframes: string[];
  /** The frames' own colour intrinsics, and those in effect after the stage (equal unless applied), both at width x height. */
  given: Intrinsics;
  intrinsics: Intrinsics;
  /** Mean ZNCC with the given intrinsics and at the estimate (NaN when skipped). */
  before: number;
  after: number;
  samples: number;
  ms: number;
}

const sameCamera = (a: Intrinsics, b: Intrinsics): boolean => {
  const sx = b.width / a.width, sy = b.height / a.height;
  const close = (x: number, y: number) => Math.abs(x - y) <= 1e-3 * Math.max(1, Math.abs(y));
  return close(a.fx * sx, b.fx) && close(a.fy * sy, b.fy) && close(a.cx * sx, b.cx) && close(a.cy * sy, b.cy);
};

const hasUsableDepth = (f: Frame): boolean => !!f.depth && f.depth.width > 0 && f.depth.height > 0 && f.depth.data?.length === f.depth.width * f.depth.height;

/**
 * Keyframes for the estimate, in order: the first frame with device depth, then each frame of the same sensor that
 * moved or turned enough from the last one picked (pairs without baseline say nothing about the colour camera).
 */
export function pickRegistrationKeyframes(frames: Frame[], opts: RegistrationStageOptions = {}): Frame[] {
  const max = opts.keyframes ?? 6;
  const minB = opts.minBaseline ?? 0.05;
  const minCos = Math.cos(((opts.minAngle ?? 3) * Math.PI) / 180);
  const out: Frame[] = [];
  for (const f of frames) {
    if (out.length >= max) break;
    if (!hasUsableDepth(f)) continue;
    const last = out[out.length - 1];
    if (!last) {
      out.push(f);
      continue;
    }
    if (f.image.width !== last.image.width || f.image.height !== last.image.height || !sameCamera(last.intrinsics, f.intrinsics)) continue;
    const a = last.cameraToWorld, b = f.cameraToWorld;
    const moved = Math.hypot(a[12] - b[12], a[13] - b[13], a[14] - b[14]);
    const cos = a[8] * b[8] + a[9] * b[9] + a[10] * b[10];
    if (moved >= minB || cos <= minCos) out.push(f);
  }
  return out;
}

/** Decides the colour registration from the first keyframes of `frames` (see RegistrationStageOptions). */
export function registerColourCamera(frames: Frame[], opts: RegistrationStageOptions = {}): RegistrationDecision {
  const t0 = performance.now();
  const keys = pickRegistrationKeyframes(frames, opts);
  const first = keys[0] ?? frames[0];
  if (!first) throw new Error('registerColourCamera: no frames given');
  const { width, height } = first.image;
  const given = { fx: first.intrinsics.fx * (width / first.intrinsics.width), fy: first.intrinsics.fy * (height / first.intrinsics.height), cx: first.intrinsics.cx * (width / first.intrinsics.width), cy: first.intrinsics.cy * (height / first.intrinsics.height), width, height };
  const base = { keyframes: keys.map((f) => f.id), given, intrinsics: given, before: NaN, after: NaN, samples: 0 };
  const skip = (reason: string): RegistrationDecision => ({ ...base, status: 'skipped', reason, ms: performance.now() - t0 });
  if (keys.length < 2)
    return skip(`needs 2 keyframes with device depth at least ${opts.minBaseline ?? 0.05} m or ${opts.minAngle ?? 3} deg apart, found ${keys.length}`);
  const r = estimateColourRegistration(keys, opts);
  // Samples come from valid depth only (NaN, 0 and out-of-range values never count): empty or invalid maps end here.
  if (r.samples < 500 || !(r.initialScore > -1) || !(r.score > -1))
    return skip(`too few valid depth samples seen by two keyframes (${r.samples}): the device depth is empty or invalid`);
  const gain = r.score - r.initialScore;
  const out = { ...base, before: r.initialScore, after: r.score, samples: r.samples };
  if (!(gain >= 0.002 && 1 - r.score <= (1 - (opts.minDrop ?? 0.25)) * (1 - r.initialScore))) {
    return { ...out, status: 'kept', reason: `no clear gain (ZNCC ${r.initialScore.toFixed(3)} -> ${r.score.toFixed(3)}): the capture's colour camera is kept`, ms: performance.now() - t0 };
  }
  const k = r.intrinsics;
  return {
    ...out,
    status: 'applied',
    intrinsics: { fx: k.fx, fy: k.fy, cx: k.cx, cy: k.cy, width, height },
    reason: `colour camera fx ${given.fx.toFixed(1)} -> ${k.fx.toFixed(1)}, cx ${given.cx.toFixed(1)} -> ${k.cx.toFixed(1)}, cy ${given.cy.toFixed(1)} -> ${k.cy.toFixed(1)} (ZNCC ${r.initialScore.toFixed(3)} -> ${r.score.toFixed(3)})`,
    ms: performance.now() - t0,
  };
}

/** `f` with the registered colour camera (scaled to its image) when the decision applies to its sensor; else `f` itself. */
export function applyColourRegistration(f: Frame, d: RegistrationDecision): Frame {
  if (d.status !== 'applied' || !sameCamera(d.given, f.intrinsics)) return f;
  const sx = f.intrinsics.width / d.intrinsics.width, sy = f.intrinsics.height / d.intrinsics.height;
  const k: Intrinsics = { fx: d.intrinsics.fx * sx, fy: d.intrinsics.fy * sy, cx: d.intrinsics.cx * sx, cy: d.intrinsics.cy * sy, width: f.intrinsics.width, height: f.intrinsics.height };
  if (f.intrinsics.distortion) k.distortion = f.intrinsics.distortion;
  // The depth keeps its own camera: resampling it through the new colour camera is the registration.
  return { ...f, intrinsics: k, depth: f.depth && { ...f.depth, intrinsics: { ...f.depth.intrinsics } } };
}
