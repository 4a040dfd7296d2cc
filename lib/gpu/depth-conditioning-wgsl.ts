import { DEPTH_WGSL_PRELUDE } from './depth-wgsl-prelude';

/**
 * WGSL kernels for the per-map sensor-depth conditioning of lib/inference/depth/depth-conditioning.ts
 * (conditionSensorDepth, the reference): the same decisions per pixel in f32, in three passes because
 * each needs its neighbours' results of the one before (and `finish` the whole map's edge counts of `snap`).
 *
 * `classify` (one invocation per pixel): invalid values (non-finite, outside [minDepth, maxDepth]) count
 * as no measurement; a valid pixel is an edge when a valid 8-neighbour differs by more than
 * edgeThreshold(z) = max(edgeJump·z, 4σ(z)) with σ(z) = a + b (z - 0.4)², a speck with fewer than
 * minNeighbours valid 8-neighbours. With a guide, an edge pixel is then flying or on a grazing plane
 * (`lineTest` along the four lines through it, the CPU's flying-pixel loop). flags: bit 0 edge, bit 1
 * speck, bit 2 flying, bit 3 grazing.
 *
 * `snap` (one invocation per pixel, work on edge pixels off grazing planes only): the snap-or-drop
 * decision of each edge pixel, `snapOrDrop` (the body of conditionSensorDepth's "Snap or drop" loop, the
 * one function to change when the CPU's edge rule changes), and the per-axis counts of checked edges
 * (atomic: registered x, y, misplaced x, y). Without a guide every edge seeds the band. snapInfo: bit 0
 * band seed (colour boundary beyond the snap radius), bit 1 registered (snapped onto a colour edge), bits
 * 2-3 the axes of an unchecked edge, bits 4-7 the jump's direction (du + 1) + 3 (dv + 1), bits 8-15 the
 * fitted boundary offset s + 128; snapZ[2i], snapZ[2i + 1]: the near and far depths it hands out.
 *
 * `finish` (one invocation per pixel): the per-axis trust from the counts (an unchecked edge seeds the
 * band unless every axis it jumps along is trusted); dropped when within `band` pixels (square,
 * Chebyshev) of a band seed, or itself an edge (no guide) or a flying pixel (guide); outside the band, a
 * pixel that a registered edge's span moves to the other side (or a flying pixel in that span) takes that
 * edge's near or far depth and is not dropped (the CPU writes spans in row-major order, so of several
 * registered edges writing a pixel the last in that order wins: here the largest index, gathered instead
 * of scattered so no two invocations write one pixel); then a speck is dropped; else kept with confidence
 * min(1, σ(zRef)/σ(z)) times the device confidence clamped to 0..1. outp = depth (N f32) then confidence
 * (N f32); statusOut (N u32): 0 no measurement, 1 edge band, 2 speck, 3 kept; +4 registered edge; +8 the
 * snap changed the pixel's depth; +16 a flying pixel dropped.
 */
export const DEPTH_CONDITIONING_WGSL = DEPTH_WGSL_PRELUDE + /* wgsl */ `
struct Params {
  W: u32, H: u32, band: u32, minNb: u32,
  hasGuide: u32, hasConf: u32, maxMove: u32, snapR: u32,
  minD: f32, maxD: f32, jump: f32, colourEdge: f32,
  a: f32, b: f32, sRef: f32, trustedShare: f32,
  minChecked: u32, _p0: u32, _p1: u32, _p2: u32,
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
// Checked edges per axis of the jump: registered x, registered y, misplaced x, misplaced y (zeroed buffer).
@group(0) @binding(8) var<storage, read_write> counts: array<atomic<u32>, 4>;

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
/** The valid depth at pixel index p (0: none or outside the map). */
fn depthAt(p: i32) -> f32 { if (p < 0) { return 0.0; } return valid(u32(p)); }
fn isEdge(p: i32) -> bool { return (flags[u32(p)] & 1u) != 0u; }

/**
 * Edge pixel (u, v) of depth z along the line (du, dv): 1 when its depth lies between the two sides of a
 * jump (one neighbour clearly nearer, the opposite one clearly farther), 2 when that is a plane seen at a
 * grazing angle (inverse depth affine over 5 pixels of the line that include it), else 0.
 */
fn lineTest(u: i32, v: i32, z: f32, t: f32, du: i32, dv: i32) -> u32 {
  let zm = depthAt(at(u, v, -1, du, dv)); let zp = depthAt(at(u, v, 1, du, dv));
  if (zm == 0.0 || zp == 0.0 || !((zm < z - t && zp > z + t) || (zp < z - t && zm > z + t))) { return 0u; }
  // w[4 + k]: inverse depth k pixels along the line (0: none).
  var w: array<f32, 9>;
  for (var k = -4; k <= 4; k++) {
    let zk = depthAt(at(u, v, k, du, dv));
    var inv = 0.0;
    if (zk != 0.0) { inv = 1.0 / zk; }
    w[k + 4] = inv;
  }
  for (var s0 = 0; s0 <= 4; s0++) {
    var ok = true;
    for (var k = s0; k < s0 + 5; k++) { if (!(w[k] > 0.0)) { ok = false; } }
    if (!ok) { continue; }
    let tol = 0.25 * abs(w[s0 + 4] - w[s0]) / 4.0;
    var plane = true;
    for (var k = s0 + 1; k < s0 + 4; k++) { if (!(abs(w[k - 1] - 2.0 * w[k] + w[k + 1]) <= tol)) { plane = false; } }
    if (plane) { return 2u; }
  }
  return 1u;
}

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
  if (edge && P.hasGuide != 0u) {
    // The CPU's AXES; a plane along one line is a surface (the others may cross a crease or leave the image).
    let lines = lineTest(u, v, z, t, 1, 0) | lineTest(u, v, z, t, 0, 1) | lineTest(u, v, z, t, 1, 1) | lineTest(u, v, z, t, 1, -1);
    if ((lines & 2u) != 0u) { f = f | 8u; }
    else if ((lines & 1u) != 0u) { f = f | 4u; }
  }
  flags[i] = f;
}

struct Snap {
  /** 0: far side (nothing), 1: unchecked, 2: colour boundary beyond maxMove (band seed), 3: registered. */
  outcome: u32,
  /** The axes the jump runs along: bit 0 x, bit 1 y. */
  axes: u32,
  /** Registered: the pixels at offsets lo..hi along dir that change sides (or fly) take zNear (offset <= s) or zFar. */
  dir: u32,
  s: i32,
  zNear: f32,
  zFar: f32,
};

/**
 * One depth-edge pixel (u, v) of depth z off a grazing plane, as the body of conditionSensorDepth's "Snap
 * or drop" loop: the largest jump to a farther 8-neighbour gives the direction (near -> far; a far-side
 * pixel has none: outcome 0), the sum of jumps to farther neighbours the axes; the near and far colours
 * are read just beyond +-snapR along it, one boundary s is fitted to the profile in least squares. No fit
 * (or no real depth jump across the moved boundary): unchecked; a boundary beyond +-maxMove: band seed;
 * else registered. The CPU's running cost is kept relative to its start (the same comparisons; f32 keeps
 * the small differences that decide them), and each step (g - gN)² - (g - gF)² is factored as
 * (gF - gN)(2g - gN - gF).
 */
fn snapOrDrop(u: i32, v: i32, z: f32) -> Snap {
  var r = Snap(0u, 0u, 4u, 0, 0.0, 0.0);
  let t = edgeThreshold(z);
  var best = t; var nu = 0; var nv = 0; var gu = 0.0; var gv = 0.0;
  for (var dv = -1; dv <= 1; dv++) {
    for (var du = -1; du <= 1; du++) {
      let p = at(u, v, 1, du, dv);
      if ((du == 0 && dv == 0) || p < 0) { continue; }
      let zn = valid(u32(p));
      if (zn - z > t) { gu += f32(du) * (zn - z); gv += f32(dv) * (zn - z); }
      if (zn - z > best) { best = zn - z; nu = du; nv = dv; }
    }
  }
  if (nu == 0 && nv == 0) { return r; }
  let gMax = max(abs(gu), abs(gv));
  if (abs(gu) > 0.4 * gMax) { r.axes = 1u; }
  if (abs(gv) > 0.4 * gMax) { r.axes = r.axes | 2u; }
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
  if (!found) { r.outcome = 1u; return r; }
  if (s < -M || s > M) { r.outcome = 2u; return r; }
  let lo = min(0, s + 1); let hi = max(1, s);
  let pn = at(u, v, lo - 1, nu, nv); let pf = at(u, v, hi + 1, nu, nv);
  var zNear = z;
  if (pn >= 0) { let zn = valid(u32(pn)); if (zn != 0.0 && !isEdge(pn)) { zNear = zn; } }
  let zFar = depthAt(pf);
  if (!(zFar - zNear > t)) { r.outcome = 1u; return r; }
  r.outcome = 3u; r.s = s; r.zNear = zNear; r.zFar = zFar;
  return r;
}

@compute @workgroup_size(8, 8)
fn snap(@builtin(global_invocation_id) gid: vec3<u32>) {
  if (gid.x >= P.W || gid.y >= P.H) { return; }
  let i = gid.y * P.W + gid.x;
  var info = 0u;
  let f = flags[i];
  if ((f & 1u) != 0u) {
    if (P.hasGuide == 0u) { info = 1u; }
    else if ((f & 8u) == 0u) {
      let r = snapOrDrop(i32(gid.x), i32(gid.y), valid(i));
      if (r.outcome == 1u) { info = r.axes << 2u; }
      if (r.outcome == 2u) {
        info = 1u;
        if ((r.axes & 1u) != 0u) { atomicAdd(&counts[2], 1u); }
        if ((r.axes & 2u) != 0u) { atomicAdd(&counts[3], 1u); }
      }
      if (r.outcome == 3u) {
        info = 2u | (r.dir << 4u) | (u32(r.s + 128) << 8u);
        snapZ[2u * i] = r.zNear;
        snapZ[2u * i + 1u] = r.zFar;
        if ((r.axes & 1u) != 0u) { atomicAdd(&counts[0], 1u); }
        if ((r.axes & 2u) != 0u) { atomicAdd(&counts[1], 1u); }
      }
    }
  }
  snapInfo[i] = info;
}

/** Whether this map's checked edges along axis a (0 x, 1 y) mostly lie on their colour boundary. */
fn trusted(a: u32) -> bool {
  let reg = atomicLoad(&counts[a]);
  let checked = reg + atomicLoad(&counts[a + 2u]);
  return checked >= P.minChecked && f32(reg) >= P.trustedShare * f32(checked);
}

/**
 * The depth a registered edge's span gives pixel (u, v) (flying: whether it is a flying pixel): x 1 and
 * the depth in y, or x 0. Of several spans writing it the writer with the largest index wins (the CPU's
 * last write, row-major).
 */
fn relabelOf(u: i32, v: i32, flying: bool) -> vec2<f32> {
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
        // Only pixels changing sides, and flying pixels, are written (exact depth stays exact).
        let near = k <= s;
        if (near == (k <= 0) && !flying) { continue; }
        writer = w;
        if (near) { z = snapZ[2u * u32(w)]; } else { z = snapZ[2u * u32(w) + 1u]; }
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
    // Unchecked edges seed the band unless every axis they jump along is trusted.
    var untrusted = 0u;
    if (P.hasGuide != 0u) {
      if (!trusted(0u)) { untrusted = 1u; }
      if (!trusted(1u)) { untrusted = untrusted | 2u; }
    }
    var inBand = false;
    if (P.band > 0u) {
      let b = i32(P.band);
      for (var vv = max(0, v - b); vv <= min(i32(H) - 1, v + b) && !inBand; vv++) {
        for (var uu = max(0, u - b); uu <= min(i32(W) - 1, u + b); uu++) {
          let info = snapInfo[u32(vv) * W + u32(uu)];
          if ((info & 1u) != 0u || (((info >> 2u) & 3u) & untrusted) != 0u) { inBand = true; break; }
        }
      }
    }
    let flying = (f & 4u) != 0u;
    var drop = inBand || (P.hasGuide == 0u && (f & 1u) != 0u) || flying;
    var z = z0;
    if (P.hasGuide != 0u && !inBand) {
      let r = relabelOf(u, v, flying);
      if (r.x != 0.0) {
        if (abs(r.y - z0) > 1e-6) { status = 8u; }
        z = r.y;
        drop = false;
      }
    }
    if (drop) {
      status = status | 1u;
      if (flying) { status = status | 16u; }
    }
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
