/**
 * Sensor depth conditioning: what a real depth camera (Kinect, phone ToF / ARCore depth, Quest depth) hands over
 * is not what the splat stage should trust pixel by pixel.
 *
 * Per map (`conditionSensorDepth`, on the depth's own grid, before any resampling):
 * - invalid values: non-finite, <= 0, outside [minDepth, maxDepth] -> 0 (no measurement);
 * - depth edges: a pixel whose 8-neighbourhood spans a jump above max(edgeJump·z, 4σ(z)) is at an occlusion
 *   edge. A sensor may interpolate across it (flying pixels) and colour from another sensor may be misregistered
 *   there by a few pixels. Without a colour guide nothing tells which: the edge pixels and a band of `edgeBand`
 *   pixels on both sides are dropped (no Gaussian gets the colour of the wall behind a chair; other keyframes
 *   cover the holes). With a colour `guide` (the colour image through the registered colour camera) the
 *   conditioning adapts to the depth it gets:
 *   - flying pixels, whose depth lies between the two sides of a jump (a neighbour clearly nearer, the opposite
 *     one clearly farther) and not on a plane seen at a grazing angle, are dropped;
 *   - snap or drop: where a colour edge lies within `snapRadius` px along the jump, the depth boundary is moved
 *     onto it (pixels changing sides, and flying pixels at the old boundary, take the depth of the side whose
 *     colour they have; the rest keep theirs); where the colour edge lies farther, the band is dropped;
 *   - edges the colour cannot check (sides alike, texture) keep their pixels where this map's checked edges
 *     mostly lie on their colour boundary (registered, sharp depth: the sample room), and lose the band where
 *     they mostly do not (the Kinect's structured light, whose edges sit a few pixels off). Exact depth with
 *     registered colour comes through unchanged;
 * - isolated specks (fewer than `minNeighbours` valid 8-neighbours) are dropped;
 * - noise growing with z²: confidence = σ(zRef) / σ(z), capped at 1, with σ(z) = a + b·(z - 0.4)² (Kinect v1
 *   figures of Nguyen et al. 2012: a = 1.2 mm, b = 1.9 mm/m²; phones' ToF are of the same order);
 * - the device's own confidence, when given, multiplies in.
 *
 * Across keyframes (`DepthAgreement`, incremental): a new keyframe is checked against the `neighbours` already
 * conditioned keyframes nearest to it (never all keyframes). Each pixel is lifted, projected into a neighbour
 * and compared with the neighbour's depth there: within 3σ(z) + poseTolerance it agrees; clearly IN FRONT of
 * what the neighbour measured around it (every pixel of the 3x3 its projection falls in), it is contradicted (the
 * neighbour looked through that point: free space); behind it, the neighbour's view is occluded and says nothing. Contradicted pixels (more contradictions than
 * agreements) are dropped; pixels nobody confirms keep their confidence x `unconfirmed`; agreeing pixels take
 * the inverse-variance mean of their own depth and the neighbours' (averaged noise, and surfaces of different
 * keyframes coincide, so fusion merges them instead of stacking layers).
 */
import type { DepthMap } from '../../capture/frame';
import { invertRigid, multiply } from '../../capture/pose';

export interface DepthNoiseModel {
  /** sigma(z) = a + b (z - 0.4)^2, metres. */
  a: number;
  b: number;
}

export const KINECT_NOISE: DepthNoiseModel = { a: 0.0012, b: 0.0019 };

/** Box-averages a depth map by an integer factor (valid pixels only; a block without any stays 0): a phone-like map from a 640x480 one. */
export function boxSubsampleDepth(src: DepthMap, factor: number): DepthMap {
  if (!Number.isInteger(factor) || factor < 1) throw new Error(`boxSubsampleDepth: factor must be a positive integer, got ${factor}`);
  const W = Math.floor(src.width / factor), H = Math.floor(src.height / factor);
  const out = new Float32Array(W * H);
  for (let v = 0; v < H; v++)
    for (let u = 0; u < W; u++) {
      let s = 0, n = 0;
      for (let y = v * factor; y < (v + 1) * factor; y++)
        for (let x = u * factor; x < (u + 1) * factor; x++) {
          const z = src.data[y * src.width + x];
          if (z > 0 && Number.isFinite(z)) {
            s += z;
            n++;
          }
        }
      out[v * W + u] = n ? s / n : 0;
    }
  // Pixel u covers [u f, (u + 1) f) of the source grid (a partial last block is cropped).
  const k = src.intrinsics, sx = src.width / k.width / factor, sy = src.height / k.height / factor;
  return { width: W, height: H, data: out, intrinsics: { fx: k.fx * sx, fy: k.fy * sy, cx: k.cx * sx, cy: k.cy * sy, width: W, height: H } };
}

/** Checked depth edges a map needs (per axis) before its unchecked ones can be trusted. */
export const MIN_CHECKED_EDGES = 20;
/** Share of checked depth edges on their colour boundary above which unchecked edges are trusted. */
export const TRUSTED_EDGES = 0.75;
export const depthSigma = (z: number, m: DepthNoiseModel = KINECT_NOISE): number => m.a + m.b * (z - 0.4) * (z - 0.4);

export interface ConditioningOptions {
  minDepth?: number;
  maxDepth?: number;
  /** Relative jump to a neighbour that marks an occlusion edge (default 0.04), raised to 4 sigma(z) where noisier. */
  edgeJump?: number;
  /** Pixels dropped on each side of a depth edge (default 2, at 640x480; scaled to the map's width). */
  edgeBand?: number;
  /** Smallest number of valid 8-neighbours a pixel keeps (default 4). */
  minNeighbours?: number;
  noise?: DepthNoiseModel;
  /** Depth at which the noise confidence is 1 (default 1 m). */
  zRef?: number;
  /**
   * Luma 0..1 of the colour image resampled onto the depth grid (through the registered colour camera). With it,
   * depth edges are snapped to a colour edge within `snapRadius` (no band); without it, every depth edge gets the band.
   */
  guide?: Float32Array;
  /** Luma step between neighbouring pixels that counts as a colour edge (default 0.06). */
  colourEdge?: number;
  /**
   * How far (px at 640 wide, scaled to the map's width, at least 1) a depth edge is moved onto the colour edge
   * (default 1; the colour profile is read over +-3 px). Farther disagreements are dropped with the band: on the
   * Kinect's soft colour, moving edges up to 3 px measured 0.1 dB worse (docs/DEPTH.md).
   */
  snapRadius?: number;
}

/** The four lines through a pixel (its 8-neighbours in opposite pairs). */
const AXES = [
  [1, 0],
  [0, 1],
  [1, 1],
  [1, -1],
] as const;

export interface ConditioningReport {
  invalid: number;
  edge: number;
  specks: number;
  kept: number;
  /** Near-side depth-edge pixels with a colour edge within the snap radius (snapped, no band). */
  registeredEdges: number;
  /** Pixels whose depth the snap moved to the other side of the edge. */
  snapped: number;
  /** With a colour guide: flying pixels dropped (depth between the two sides of a jump). */
  flying?: number;
  /**
   * With a colour guide: the share of depth edges with a colour step beside them whose colour boundary lies within
   * the snap radius (counted per axis of the jump). At least 0.75 of at least 20 on an axis: edges along it without
   * a colour step keep their pixels (flying pixels aside); otherwise they lose the band.
   */
  edgeAgreement?: number;
}

/** conditionSensorDepth's options with their defaults applied (the WebGPU port, lib/gpu/depth-conditioning-gpu.ts, takes the same). */
export interface ConditioningSettings {
  W: number;
  H: number;
  N: number;
  minD: number;
  maxD: number;
  jump: number;
  /** Band in pixels of this map. */
  band: number;
  minNb: number;
  noise: DepthNoiseModel;
  sRef: number;
  guide: Float32Array | undefined;
  colourEdge: number;
  /** Farthest a depth boundary is moved onto a colour edge, px of this map. */
  maxMove: number;
  /** Half-length of the colour profile read along the jump, px of this map. */
  snapR: number;
}

/** Checks `src` (and the guide) and resolves the options' defaults, with conditionSensorDepth's messages. */
export function conditioningSettings(src: DepthMap, opts: ConditioningOptions = {}): ConditioningSettings {
  const W = src.width, H = src.height, N = W * H;
  if (src.data.length !== N) throw new Error(`conditionSensorDepth: ${src.data.length} values for ${W}x${H}`);
  if (src.confidence && src.confidence.length !== N) throw new Error(`conditionSensorDepth: confidence has ${src.confidence.length} values for ${W}x${H}`);
  const guide = opts.guide;
  if (guide && guide.length !== N) throw new Error(`conditionSensorDepth: guide has ${guide.length} values for ${W}x${H}`);
  const noise = opts.noise ?? KINECT_NOISE;
  // The colour profile is read over +-3 px (at 640 wide) of the depth boundary; the boundary moves at most snapRadius.
  const maxMove = Math.max(1, Math.round((opts.snapRadius ?? 1) * (W / 640)));
  return {
    W, H, N,
    minD: opts.minDepth ?? 0.1,
    maxD: opts.maxDepth ?? 20,
    jump: opts.edgeJump ?? 0.04,
    band: Math.max(0, Math.round((opts.edgeBand ?? 2) * (W / 640))),
    minNb: opts.minNeighbours ?? 4,
    noise,
    sRef: depthSigma(opts.zRef ?? 1, noise),
    guide,
    colourEdge: opts.colourEdge ?? 0.06,
    maxMove,
    snapR: Math.max(maxMove, Math.round(3 * (W / 640))),
  };
}

/** A conditioned copy of `src` (same grid and intrinsics) with a 0..1 confidence. */
export function conditionSensorDepth(src: DepthMap, opts: ConditioningOptions = {}): { depth: DepthMap; report: ConditioningReport } {
  const { W, H, N, minD, maxD, jump, band, minNb, noise, sRef, guide, colourEdge, maxMove, snapR } = conditioningSettings(src, opts);
  const d = new Float32Array(N);
  const report: ConditioningReport = { invalid: 0, edge: 0, specks: 0, kept: 0, registeredEdges: 0, snapped: 0, ...(guide ? { flying: 0 } : {}) };
  for (let i = 0; i < N; i++) {
    const z = src.data[i];
    if (z >= minD && z <= maxD) d[i] = z;
    else report.invalid++;
  }
  // Edge pixels: a jump to any 8-neighbour (a missing neighbour is not an edge: sensor holes are not occlusions).
  const edge = new Uint8Array(N);
  const specks = new Uint8Array(N);
  for (let v = 0; v < H; v++)
    for (let u = 0; u < W; u++) {
      const i = v * W + u, z = d[i];
      if (!z) continue;
      const t = Math.max(jump * z, 4 * depthSigma(z, noise));
      let nb = 0, isEdge = false;
      for (let dv = -1; dv <= 1; dv++) {
        const vv = v + dv;
        if (vv < 0 || vv >= H) continue;
        for (let du = -1; du <= 1; du++) {
          const uu = u + du;
          if ((!du && !dv) || uu < 0 || uu >= W) continue;
          const zn = d[vv * W + uu];
          if (!zn) continue;
          nb++;
          if (Math.abs(zn - z) > t) isEdge = true;
        }
      }
      if (isEdge) edge[i] = 1;
      if (nb < minNb) specks[i] = 1;
    }
  // Flying pixels (with a colour guide, where only they and doubtful edges are dropped): an edge pixel whose depth
  // lies between the two sides of the jump along a line through it (one neighbour clearly nearer, the opposite one
  // clearly farther), unless it lies on a plane seen at a grazing angle along such a line: inverse depth affine
  // over 5 pixels that include it. Exact depth has none at a step between two surfaces; a sensor's mixed samples (up to
  // 3 in a row between flat sides) are exactly this.
  const flying = guide ? new Uint8Array(N) : edge;
  // Edge pixels whose jumps are a grazing plane's slope, not an occlusion: nothing to snap.
  const grazing = new Uint8Array(guide ? N : 0);
  if (guide) {
    const w = new Float64Array(9);
    for (let v = 0; v < H; v++)
      for (let u = 0; u < W; u++) {
        const i = v * W + u, z = d[i];
        if (!edge[i]) continue;
        const t = Math.max(jump * z, 4 * depthSigma(z, noise));
        for (const [du, dv] of AXES) {
          // w[4 + k]: inverse depth k pixels along the line (0: none).
          for (let k = -4; k <= 4; k++) {
            const uu = u + k * du, vv = v + k * dv;
            const zk = uu < 0 || vv < 0 || uu >= W || vv >= H ? 0 : d[vv * W + uu];
            w[4 + k] = zk ? 1 / zk : 0;
          }
          const zm = w[3] ? 1 / w[3] : 0, zp = w[5] ? 1 / w[5] : 0;
          if (!zm || !zp || !((zm < z - t && zp > z + t) || (zp < z - t && zm > z + t))) continue;
          let plane = false;
          for (let s0 = 0; s0 <= 4 && !plane; s0++) {
            let ok = true;
            for (let k = s0; k < s0 + 5 && ok; k++) ok = w[k] > 0;
            if (!ok) continue;
            const tol = 0.25 * Math.abs(w[s0 + 4] - w[s0]) / 4;
            plane = true;
            for (let k = s0 + 1; k < s0 + 4 && plane; k++) plane = Math.abs(w[k - 1] - 2 * w[k] + w[k + 1]) <= tol;
          }
          if (plane) grazing[i] = 1;
          else flying[i] = 1;
        }
        // A plane along one line is a surface (the others may cross a crease or leave the image): not flying.
        if (grazing[i]) flying[i] = 0;
      }
  }
  // Snap or drop (with a colour guide): from each depth-edge pixel on the near side, the colour profile along the
  // jump's direction is fitted with one step. Within maxMove of the depth boundary: the boundary is moved onto it,
  // i.e. the pixels that change sides (and flying pixels at the old boundary) take the depth of the side whose
  // colour they have, read just beyond the moved boundary. Farther: the colour contradicts the depth edge, which
  // seeds the band. No step found (sides alike, texture, the image border): the edge is unchecked, and seeds the
  // band only where the checked edges of this map mostly disagree with the colour (below).
  const bandSeed = guide ? new Uint8Array(N) : edge;
  const unchecked = guide ? new Uint8Array(N) : null;
  const relabel = guide ? new Float32Array(N) : null;
  // Checked edges per axis: colour boundary within maxMove of the depth's (registered), beyond it (misplaced).
  const registered = [0, 0], misplaced = [0, 0];
  if (guide && relabel && unchecked)
    for (let v = 0; v < H; v++)
      for (let u = 0; u < W; u++) {
        const i = v * W + u, z = d[i];
        if (!edge[i] || grazing[i]) continue;
        // The largest jump to a farther 8-neighbour gives the direction n (near -> far); far-side pixels skip.
        const t = Math.max(jump * z, 4 * depthSigma(z, noise));
        let best = t, nu = 0, nv = 0, gu = 0, gv = 0;
        for (let dv = -1; dv <= 1; dv++)
          for (let du = -1; du <= 1; du++) {
            const uu = u + du, vv = v + dv;
            if ((!du && !dv) || uu < 0 || vv < 0 || uu >= W || vv >= H) continue;
            const zn = d[vv * W + uu];
            if (zn - z > t) {
              gu += du * (zn - z);
              gv += dv * (zn - z);
            }
            if (zn - z > best) {
              best = zn - z;
              nu = du;
              nv = dv;
            }
          }
        if (!nu && !nv) continue;
        // The axes the jump runs along (from all farther neighbours: a straight edge's largest jump may be diagonal).
        const gMax = Math.max(Math.abs(gu), Math.abs(gv));
        const axes = (Math.abs(gu) > 0.4 * gMax ? 1 : 0) | (Math.abs(gv) > 0.4 * gMax ? 2 : 0);
        const at = (k: number) => {
          const uu = u + k * nu, vv = v + k * nv;
          return uu < 0 || vv < 0 || uu >= W || vv >= H ? -1 : vv * W + uu;
        };
        // Which side's colour each pixel within +-R of the depth boundary has: the near object's colour is read
        // just beyond the disputed span on the near side, the far surface's just beyond it on the far side, and
        // one boundary (between offsets s and s + 1; the depth's is between 0 and 1) is fitted to the profile
        // in least squares. Sides of similar colour, or a profile no single step explains (texture), say nothing.
        const a1 = at(-snapR - 2), a2 = at(-snapR - 1), b1 = at(snapR + 1), b2 = at(snapR + 2);
        let s = NaN;
        if (a1 >= 0 && a2 >= 0 && b1 >= 0 && b2 >= 0) {
          const gN = 0.5 * (guide[a1] + guide[a2]), gF = 0.5 * (guide[b1] + guide[b2]);
          const contrast = Math.abs(gN - gF);
          if (contrast >= colourEdge) {
            // cost(s) = sum over k <= s of (g - gN)^2 + sum over k > s of (g - gF)^2, by a running sum.
            let cost = 0;
            for (let k = -snapR; k <= snapR; k++) cost += (guide[at(k)] - gF) ** 2;
            let bestCost = cost;
            s = -snapR - 1;
            for (let k = -snapR; k <= snapR; k++) {
              const g = guide[at(k)];
              cost += (g - gN) ** 2 - (g - gF) ** 2;
              if (cost < bestCost - 1e-9 || (cost <= bestCost + 1e-9 && Math.abs(k) < Math.abs(s))) {
                bestCost = cost;
                s = k;
              }
            }
            if (bestCost / (2 * snapR + 1) > (0.25 * contrast) ** 2) s = NaN;
          }
        }
        // Checked edges are counted per axis of the jump (a colour camera shifted along x shows only at edges
        // across x); unchecked ones remember theirs.
        if (s !== s) {
          unchecked[i] = axes;
          continue;
        }
        if (s < -maxMove || s > maxMove) {
          bandSeed[i] = 1;
          if (axes & 1) misplaced[0]++;
          if (axes & 2) misplaced[1]++;
          continue;
        }
        const lo = Math.min(0, s + 1), hi = Math.max(1, s);
        const pn = at(lo - 1), pf = at(hi + 1);
        const zNear = pn >= 0 && d[pn] && !edge[pn] ? d[pn] : z;
        const zFar = pf >= 0 && d[pf] ? d[pf] : 0;
        if (!(zFar - zNear > t)) {
          unchecked[i] = axes;
          continue;
        }
        report.registeredEdges++;
        if (axes & 1) registered[0]++;
        if (axes & 2) registered[1]++;
        // Pixels that change sides, and flying pixels, take their side's depth; the rest keep their own (exact
        // depth stays exact).
        for (let k = lo; k <= hi; k++) {
          const p = at(k);
          if (p < 0 || !d[p]) continue;
          const near = k <= s, wasNear = k <= 0;
          if (near !== wasNear || flying[p]) relabel[p] = near ? zNear : zFar;
        }
      }
  // How far this map's depth edges can be trusted where the colour cannot check them: the share of checked edges
  // (a colour step beside them) whose colour boundary lies within maxMove of the depth's, per axis of the jump.
  // Registered, exact depth: most (the sample room: ~80-90 %); the Kinect's structured light, whose edges sit a few
  // pixels off either way: about a third. Trusted on every axis it jumps along, an unchecked edge keeps its pixels
  // (flying ones aside); otherwise it loses the band as well.
  const trustedAxis = [0, 1].map((a) => {
    const checked = registered[a] + misplaced[a];
    return checked >= MIN_CHECKED_EDGES && registered[a] >= TRUSTED_EDGES * checked;
  });
  if (guide) {
    const checked = registered[0] + registered[1] + misplaced[0] + misplaced[1];
    report.edgeAgreement = checked ? (registered[0] + registered[1]) / checked : 0;
  }
  if (unchecked)
    for (let i = 0; i < N; i++) {
      const a = unchecked[i];
      if (((a & 1) && !trustedAxis[0]) || ((a & 2) && !trustedAxis[1])) bandSeed[i] = 1;
    }
  // Dilate the unsnapped edges by the band (separable max over a square); snapped pixels outside it keep their new depth.
  const drop = flying.slice();
  if (band > 0) {
    const tmp = new Uint8Array(N);
    for (let v = 0; v < H; v++)
      for (let u = 0; u < W; u++) {
        if (!bandSeed[v * W + u]) continue;
        for (let k = Math.max(0, u - band); k <= Math.min(W - 1, u + band); k++) tmp[v * W + k] = 1;
      }
    for (let v = 0; v < H; v++)
      for (let u = 0; u < W; u++) {
        if (!tmp[v * W + u]) continue;
        for (let k = Math.max(0, v - band); k <= Math.min(H - 1, v + band); k++) drop[k * W + u] = 2;
      }
  }
  if (relabel)
    for (let i = 0; i < N; i++) {
      if (!relabel[i] || drop[i] === 2) continue;
      if (Math.abs(relabel[i] - d[i]) > 1e-6) report.snapped++;
      d[i] = relabel[i];
      drop[i] = 0;
    }
  const conf = new Float32Array(N);
  for (let i = 0; i < N; i++) {
    const z = d[i];
    if (!z) continue;
    if (drop[i]) {
      d[i] = 0;
      report.edge++;
      if (guide && flying[i]) report.flying!++;
      continue;
    }
    if (specks[i]) {
      d[i] = 0;
      report.specks++;
      continue;
    }
    let c = Math.min(1, sRef / depthSigma(z, noise));
    if (src.confidence) c *= Math.max(0, Math.min(1, src.confidence[i]));
    conf[i] = c;
    report.kept++;
  }
  return { depth: { width: W, height: H, data: d, intrinsics: { ...src.intrinsics }, confidence: conf }, report };
}

export interface AgreementOptions {
  /** Already conditioned keyframes a new one is checked against, nearest camera centres first (default 3). */
  neighbours?: number;
  /** Keyframes remembered (a ring: the scan moves on; default 12). */
  memory?: number;
  /** Pose error added to the agreement tolerance, metres (default 0.01). */
  poseTolerance?: number;
  /** Confidence factor of pixels no neighbour confirms (default 0.5). */
  unconfirmed?: number;
  /** Average agreeing depths (default true). */
  average?: boolean;
  noise?: DepthNoiseModel;
}

export interface AgreementReport {
  neighbours: number;
  agreed: number;
  contradicted: number;
  unconfirmed: number;
}

interface Remembered {
  depth: DepthMap;
  cameraToWorld: ArrayLike<number>;
  worldToCamera: Float64Array;
}

const centre = (m: ArrayLike<number>) => [m[12], m[13], m[14]];

/** Multi-view agreement of keyframe depth maps, one keyframe at a time. */
export class DepthAgreement {
  private memory: Remembered[] = [];
  constructor(readonly opts: AgreementOptions = {}) {}

  /**
   * Checks `depth` (camera pose `cameraToWorld`, OpenGL axes) against the remembered keyframes nearest to it, updates
   * its data and confidence in place, then remembers it.
   */
  add(depth: DepthMap, cameraToWorld: ArrayLike<number>): AgreementReport {
    const nbCount = this.opts.neighbours ?? 3;
    const c = centre(cameraToWorld);
    const near = this.memory
      .map((m) => {
        const o = centre(m.cameraToWorld);
        return { m, d: Math.hypot(o[0] - c[0], o[1] - c[1], o[2] - c[2]) };
      })
      .sort((a, b) => a.d - b.d)
      .slice(0, nbCount)
      .map((x) => x.m);
    const report = this.check(depth, cameraToWorld, near);
    this.memory.push({ depth: { ...depth, data: depth.data.slice(), confidence: depth.confidence?.slice() }, cameraToWorld: Float64Array.from(cameraToWorld), worldToCamera: invertRigid(cameraToWorld) });
    const cap = this.opts.memory ?? 12;
    if (this.memory.length > cap) this.memory.shift();
    return report;
  }

  /** Moves the remembered keyframes by a rigid world transform (the pipeline re-frames the world once). */
  transform(worldMatrix: ArrayLike<number>): void {
    for (const m of this.memory) {
      m.cameraToWorld = Float64Array.from(multiply(worldMatrix, m.cameraToWorld));
      m.worldToCamera = invertRigid(m.cameraToWorld);
    }
  }

  private check(depth: DepthMap, c2w: ArrayLike<number>, near: Remembered[]): AgreementReport {
    const report: AgreementReport = { neighbours: near.length, agreed: 0, contradicted: 0, unconfirmed: 0 };
    const W = depth.width, H = depth.height, N = W * H;
    if (!depth.confidence) depth.confidence = depth.data.map((z) => (z > 0 ? 1 : 0));
    if (!near.length) return report;
    const noise = this.opts.noise ?? KINECT_NOISE;
    const poseTol = this.opts.poseTolerance ?? 0.01;
    const unconf = this.opts.unconfirmed ?? 0.5;
    const average = this.opts.average ?? true;
    const k = depth.intrinsics;
    const fx = (k.fx * W) / k.width, fy = (k.fy * H) / k.height, cx = (k.cx * W) / k.width, cy = (k.cy * H) / k.height;
    const D = depth.data, C = depth.confidence;
    const agree = new Uint8Array(N), contra = new Uint8Array(N);
    const sumW = new Float32Array(N), sumZ = new Float32Array(N);
    for (const nb of near) {
      const rel = multiply(nb.worldToCamera, c2w);
      const nd = nb.depth, NW = nd.width, NH = nd.height, kn = nd.intrinsics;
      const nfx = (kn.fx * NW) / kn.width, nfy = (kn.fy * NH) / kn.height, ncx = (kn.cx * NW) / kn.width, ncy = (kn.cy * NH) / kn.height;
      const ND = nd.data;
      for (let v = 0; v < H; v++) {
        const ry = -(v + 0.5 - cy) / fy;
        for (let u = 0; u < W; u++) {
          const i = v * W + u, z = D[i];
          if (!(z > 0)) continue;
          const X = (z * (u + 0.5 - cx)) / fx, Y = z * ry, Z = -z;
          const bx = rel[0] * X + rel[4] * Y + rel[8] * Z + rel[12];
          const by = rel[1] * X + rel[5] * Y + rel[9] * Z + rel[13];
          const bz = -(rel[2] * X + rel[6] * Y + rel[10] * Z + rel[14]);
          if (!(bz > 0.05)) continue;
          const un = Math.floor(ncx + (nfx * bx) / bz), vn = Math.floor(ncy - (nfy * by) / bz);
          if (un < 0 || vn < 0 || un >= NW || vn >= NH) continue;
          const zn = ND[vn * NW + un];
          if (!(zn > 0)) continue;
          const s = depthSigma(bz, noise);
          const tol = 3 * s + poseTol;
          if (Math.abs(zn - bz) <= tol) {
            agree[i]++;
            // The neighbour's surface along our ray (small baselines: scale the point to its measured depth).
            const w = 1 / (s * s);
            sumW[i] += w;
            sumZ[i] += w * z * (zn / bz);
          } else if (bz < zn - tol) {
            // Free space only where the neighbour saw past the point on every ray around it: next to its own depth
            // edge, the pixel a point projects to may be the background by rounding while the foreground is beside it.
            let zmin = zn;
            for (let dv = -1; dv <= 1; dv++)
              for (let du = -1; du <= 1; du++) {
                const uu = un + du, vv = vn + dv;
                if (uu < 0 || vv < 0 || uu >= NW || vv >= NH) continue;
                const zk = ND[vv * NW + uu];
                if (zk > 0 && zk < zmin) zmin = zk;
              }
            if (bz < zmin - tol) contra[i]++;
          }
        }
      }
    }
    for (let i = 0; i < N; i++) {
      const z = D[i];
      if (!(z > 0)) continue;
      if (contra[i] > agree[i]) {
        D[i] = 0;
        C[i] = 0;
        report.contradicted++;
      } else if (agree[i] > 0) {
        report.agreed++;
        if (average) {
          const s = depthSigma(z, noise), w = 1 / (s * s);
          D[i] = (w * z + sumZ[i]) / (w + sumW[i]);
        }
      } else {
        C[i] *= unconf;
        report.unconfirmed++;
      }
    }
    return report;
  }
}
