import { DEPTH_WGSL_PRELUDE } from './depth-wgsl-prelude';

/**
 * WGSL kernels for the per-map sensor-depth conditioning of lib/inference/depth/depth-conditioning.ts
 * (conditionSensorDepth, the reference): the same decisions per pixel in f32, in three passes because
 * each needs its neighbours' results of the one before.
 *
 * `classify` (one invocation per pixel): invalid values (non-finite, outside [minDepth, maxDepth]) count
 * as no measurement; a valid pixel is an edge when a valid 8-neighbour differs by more than
 * edgeThreshold(z) = max(edgeJump·z, 4σ(z)) with σ(z) = a + b (z - 0.4)², a speck with fewer than
 * minNeighbours valid 8-neighbours. flags: bit 0 edge, bit 1 speck.
 *
 * `snap` (one invocation per pixel, work on edge pixels only): the snap-or-drop decision of each edge
 * pixel, `snapOrDrop` (the body of conditionSensorDepth's "Snap or drop" loop, the one function to change
 * when the CPU's edge rule changes). Without a guide every edge seeds the band. snapInfo: bit 0 band seed,
 * bit 1 registered (snapped onto a colour edge), bits 4-7 the jump's direction (du + 1) + 3 (dv + 1), bits
 * 8-15 the fitted boundary offset s + 128; snapZ[2i], snapZ[2i + 1]: the near and far depths it hands out.
 *
 * `finish` (one invocation per pixel): dropped when an edge itself or within `band` pixels (square,
 * Chebyshev) of a band seed; outside the band, a pixel in a registered edge's span takes that edge's near
 * or far depth and is not dropped as an edge (the CPU writes spans in row-major order, so of several
 * registered edges covering a pixel the last in that order wins: here the largest index, gathered instead of
 * scattered so no two invocations write one pixel); then a speck is dropped; else kept with confidence
 * min(1, σ(zRef)/σ(z)) times the device confidence clamped to 0..1. outp = depth (N f32) then confidence
 * (N f32); statusOut (N u32): 0 no measurement, 1 edge band, 2 speck, 3 kept; +4 registered edge; +8 the
 * snap changed the pixel's depth.
 */
export const DEPTH_CONDITIONING_WGSL = DEPTH_WGSL_PRELUDE + /* wgsl */ `
struct Params {
  W: u32, H: u32, band: u32, minNb: u32,
  hasGuide: u32, hasConf: u32, maxMove: u32, snapR: u32,
  minD: f32, maxD: f32, jump: f32, colourEdge: f32,
  a: f32, b: f32, sRef: f32, _p0: f32,
};

@group(0) @binding(0) var<uniform> P: Params;
// depth (N) then, when hasConf, the device confidence (N).
@group(0) @binding(1) var<storage, read> inp: array<f32>;
@group(0) @binding(2) var<storage, read> guide: array<f32>;
@group(0) @binding(3) var<storage, read_write> flags: array<u32>;
@group(0) @binding(4) var<storage, read_write> outp: array<f32>;
// A separate u32 buffer: status codes bitcast to f32 would be denormals, which a GPU may flush to 0.
@group(0) @binding(5) var<storage, read_write> statusOut: array<u32>;
@group(0) @binding(6) var<storage, read_write> snapInfo: array<u32>;
@group(0) @binding(7) var<storage, read_write> snapZ: array<f32>;

/** The pixel's depth after the invalid-value test (0: no measurement). */
fn valid(i: u32) -> f32 { return depthOrZero(inp[i], P.minD, P.maxD); }
fn sigma(z: f32) -> f32 { return P.a + P.b * (z - 0.4) * (z - 0.4); }
/** The jump to a neighbour that makes an occlusion edge. */
fn edgeThreshold(z: f32) -> f32 { return max(P.jump * z, 4.0 * sigma(z)); }
/** Index of pixel (u, v) + k (du, dv), or -1 outside the map. */
fn at(u: i32, v: i32, k: i32, du: i32, dv: i32) -> i32 {
  let uu = u + k * du; let vv = v + k * dv;
  if (uu < 0 || vv < 0 || uu >= i32(P.W) || vv >= i32(P.H)) { return -1; }
  return vv * i32(P.W) + uu;
}
fn isEdge(p: i32) -> bool { return (flags[u32(p)] & 1u) != 0u; }

@compute @workgroup_size(8, 8)
fn classify(@builtin(global_invocation_id) gid: vec3<u32>) {
  if (gid.x >= P.W || gid.y >= P.H) { return; }
  let W = P.W; let H = P.H;
  let u = i32(gid.x); let v = i32(gid.y);
  let i = gid.y * W + gid.x;
  let z = valid(i);
  if (z == 0.0) { flags[i] = 0u; return; }
  let t = edgeThreshold(z);
  var nb = 0u;
  var edge = false;
  for (var dv = -1; dv <= 1; dv++) {
    let vv = v + dv;
    if (vv < 0 || vv >= i32(H)) { continue; }
    for (var du = -1; du <= 1; du++) {
      let uu = u + du;
      if ((du == 0 && dv == 0) || uu < 0 || uu >= i32(W)) { continue; }
      let zn = valid(u32(vv) * W + u32(uu));
      if (zn == 0.0) { continue; }
      nb++;
      if (abs(zn - z) > t) { edge = true; }
    }
  }
  var f = 0u;
  if (edge) { f = 1u; }
  if (nb < P.minNb) { f = f | 2u; }
  flags[i] = f;
}

struct Snap {
  /** Drop the band around this edge pixel. */
  seed: bool,
  /** Snapped: the pixels at offsets lo..hi along dir take zNear (offset <= s) or zFar. */
  registered: bool,
  dir: u32,
  s: i32,
  zNear: f32,
  zFar: f32,
};

/**
 * One depth-edge pixel (u, v) of depth z, as the body of conditionSensorDepth's "Snap or drop" loop: the
 * largest jump to a farther 8-neighbour gives the direction (near -> far; a far-side pixel has none and is
 * neither seed nor registered); the near and far colours are read just beyond +-snapR along it, one
 * boundary s is fitted to the profile in least squares, and an edge whose boundary is found within
 * +-maxMove with a real depth jump across the moved boundary is registered, any other seeds the band.
 * The CPU's running cost is kept relative to its start (the same comparisons; f32 keeps the small
 * differences that decide them), and each step (g - gN)² - (g - gF)² is factored as (gF - gN)(2g - gN - gF).
 */
fn snapOrDrop(u: i32, v: i32, z: f32) -> Snap {
  var r = Snap(false, false, 4u, 0, 0.0, 0.0);
  let t = edgeThreshold(z);
  var best = t; var nu = 0; var nv = 0;
  for (var dv = -1; dv <= 1; dv++) {
    for (var du = -1; du <= 1; du++) {
      let p = at(u, v, 1, du, dv);
      if ((du == 0 && dv == 0) || p < 0) { continue; }
      let zn = valid(u32(p));
      if (zn - z > best) { best = zn - z; nu = du; nv = dv; }
    }
  }
  if (nu == 0 && nv == 0) { return r; }
  r.dir = u32(nu + 1 + 3 * (nv + 1));
  let R = i32(P.snapR); let M = i32(P.maxMove);
  let a1 = at(u, v, -R - 2, nu, nv); let a2 = at(u, v, -R - 1, nu, nv);
  let b1 = at(u, v, R + 1, nu, nv); let b2 = at(u, v, R + 2, nu, nv);
  var found = false;
  var s = -R - 1;
  if (a1 >= 0 && a2 >= 0 && b1 >= 0 && b2 >= 0) {
    let gN = 0.5 * (guide[a1] + guide[a2]); let gF = 0.5 * (guide[b1] + guide[b2]);
    let contrast = abs(gN - gF);
    if (contrast >= P.colourEdge) {
      var base = 0.0;
      for (var k = -R; k <= R; k++) { let e = guide[at(u, v, k, nu, nv)] - gF; base += e * e; }
      var rel = 0.0; var bestRel = 0.0;
      for (var k = -R; k <= R; k++) {
        let g = guide[at(u, v, k, nu, nv)];
        rel += (gF - gN) * (2.0 * g - gN - gF);
        if (rel < bestRel - 1e-9 || (rel <= bestRel + 1e-9 && abs(k) < abs(s))) { bestRel = rel; s = k; }
      }
      found = (base + bestRel) / f32(2 * R + 1) <= (0.25 * contrast) * (0.25 * contrast);
    }
  }
  if (!found || s < -M || s > M) { r.seed = true; return r; }
  let lo = min(0, s + 1); let hi = max(1, s);
  let pn = at(u, v, lo - 1, nu, nv); let pf = at(u, v, hi + 1, nu, nv);
  var zNear = z;
  if (pn >= 0) { let zn = valid(u32(pn)); if (zn != 0.0 && !isEdge(pn)) { zNear = zn; } }
  var zFar = 0.0;
  if (pf >= 0) { zFar = valid(u32(pf)); }
  if (!(zFar - zNear > t)) { r.seed = true; return r; }
  r.registered = true; r.s = s; r.zNear = zNear; r.zFar = zFar;
  return r;
}

@compute @workgroup_size(8, 8)
fn snap(@builtin(global_invocation_id) gid: vec3<u32>) {
  if (gid.x >= P.W || gid.y >= P.H) { return; }
  let i = gid.y * P.W + gid.x;
  var info = 0u;
  if ((flags[i] & 1u) != 0u) {
    if (P.hasGuide == 0u) { info = 1u; }
    else {
      let r = snapOrDrop(i32(gid.x), i32(gid.y), valid(i));
      if (r.seed) { info = 1u; }
      if (r.registered) {
        info = 2u | (r.dir << 4u) | (u32(r.s + 128) << 8u);
        snapZ[2u * i] = r.zNear;
        snapZ[2u * i + 1u] = r.zFar;
      }
    }
  }
  snapInfo[i] = info;
}

/**
 * The depth a registered edge's span gives pixel (u, v): x 1 and the depth in y, or x 0. Of several
 * spans covering it the writer with the largest index wins (the CPU's last write, row-major).
 */
fn relabelOf(u: i32, v: i32) -> vec2<f32> {
  var writer = -1; var z = 0.0;
  let M = i32(P.maxMove);
  for (var dv = -1; dv <= 1; dv++) {
    for (var du = -1; du <= 1; du++) {
      if (du == 0 && dv == 0) { continue; }
      let dir = u32(du + 1 + 3 * (dv + 1));
      // The spans run over offsets lo..hi with lo in [1 - M, 0] and hi in [1, M].
      for (var k = 1 - M; k <= M; k++) {
        let w = at(u, v, -k, du, dv);
        if (w <= writer) { continue; }
        let info = snapInfo[u32(w)];
        if ((info & 2u) == 0u || ((info >> 4u) & 15u) != dir) { continue; }
        let s = i32((info >> 8u) & 255u) - 128;
        if (k < min(0, s + 1) || k > max(1, s)) { continue; }
        writer = w;
        if (k <= s) { z = snapZ[2u * u32(w)]; } else { z = snapZ[2u * u32(w) + 1u]; }
      }
    }
  }
  if (writer < 0) { return vec2<f32>(0.0, 0.0); }
  return vec2<f32>(1.0, z);
}

@compute @workgroup_size(8, 8)
fn finish(@builtin(global_invocation_id) gid: vec3<u32>) {
  if (gid.x >= P.W || gid.y >= P.H) { return; }
  let W = P.W; let H = P.H; let N = W * H;
  let i = gid.y * W + gid.x;
  let u = i32(gid.x); let v = i32(gid.y);
  let z0 = valid(i);
  let f = flags[i];
  var status = 0u;
  var d = 0.0;
  var c = 0.0;
  if (z0 != 0.0) {
    var inBand = false;
    if (P.band > 0u) {
      let b = i32(P.band);
      for (var vv = max(0, v - b); vv <= min(i32(H) - 1, v + b) && !inBand; vv++) {
        for (var uu = max(0, u - b); uu <= min(i32(W) - 1, u + b); uu++) {
          if ((snapInfo[u32(vv) * W + u32(uu)] & 1u) != 0u) { inBand = true; break; }
        }
      }
    }
    var drop = inBand || (f & 1u) != 0u;
    var z = z0;
    if (P.hasGuide != 0u && !inBand) {
      let r = relabelOf(u, v);
      if (r.x != 0.0) {
        if (abs(r.y - z0) > 1e-6) { status = 8u; }
        z = r.y;
        drop = false;
      }
    }
    if (drop) { status = status | 1u; }
    else if ((f & 2u) != 0u) { status = status | 2u; }
    else {
      status = status | 3u;
      d = z;
      c = min(1.0, P.sRef / sigma(z));
      if (P.hasConf != 0u) { c = c * clamp(inp[N + i], 0.0, 1.0); }
    }
  }
  if ((snapInfo[i] & 2u) != 0u) { status = status | 4u; }
  outp[i] = d;
  outp[N + i] = c;
  statusOut[i] = status;
}
`;
