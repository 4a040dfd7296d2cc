/**
 * WGSL kernels for the per-map sensor-depth conditioning of lib/inference/depth/depth-conditioning.ts
 * (conditionSensorDepth, the reference): the same decisions per pixel in f32, in two passes because
 * the edge band needs every pixel's edge decision first.
 *
 * `classify` (one invocation per pixel): invalid values (non-finite, outside [minDepth, maxDepth]) count
 * as no measurement; a valid pixel is an edge when a valid 8-neighbour differs by more than
 * max(edgeJump·z, 4σ(z)) with σ(z) = a + b (z - 0.4)², a speck with fewer than minNeighbours valid
 * 8-neighbours; with a colour guide, an interior edge pixel whose 3x3 luma spans at least colourEdge is
 * registered (keeps no band), any other edge seeds the band (without a guide every edge seeds it).
 * flags: bit 0 edge, 1 speck, 2 band seed, 3 registered.
 *
 * `finish` (one invocation per pixel): dropped when an edge itself or within `band` pixels (square,
 * Chebyshev) of a band seed; else a speck is dropped; else kept with confidence min(1, σ(zRef)/σ(z))
 * times the device confidence clamped to 0..1. outp = depth (N f32) then confidence (N f32); statusOut
 * (N u32): 0 no measurement, 1 edge band, 2 speck, 3 kept; +4 registered edge.
 */
export const DEPTH_CONDITIONING_WGSL = /* wgsl */ `
struct Params {
  W: u32, H: u32, band: u32, minNb: u32,
  hasGuide: u32, hasConf: u32, _p0: u32, _p1: u32,
  minD: f32, maxD: f32, jump: f32, colourEdge: f32,
  a: f32, b: f32, sRef: f32, _p2: f32,
};

@group(0) @binding(0) var<uniform> P: Params;
// depth (N) then, when hasConf, the device confidence (N).
@group(0) @binding(1) var<storage, read> inp: array<f32>;
@group(0) @binding(2) var<storage, read> guide: array<f32>;
@group(0) @binding(3) var<storage, read_write> flags: array<u32>;
@group(0) @binding(4) var<storage, read_write> outp: array<f32>;
// A separate u32 buffer: status codes bitcast to f32 would be denormals, which a GPU may flush to 0.
@group(0) @binding(5) var<storage, read_write> statusOut: array<u32>;

fn finite(x: f32) -> bool { return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u; }
/** The pixel's depth after the invalid-value test (0: no measurement). */
fn valid(i: u32) -> f32 {
  let z = inp[i];
  if (finite(z) && z >= P.minD && z <= P.maxD) { return z; }
  return 0.0;
}
fn sigma(z: f32) -> f32 { return P.a + P.b * (z - 0.4) * (z - 0.4); }

@compute @workgroup_size(8, 8)
fn classify(@builtin(global_invocation_id) gid: vec3<u32>) {
  if (gid.x >= P.W || gid.y >= P.H) { return; }
  let W = P.W; let H = P.H;
  let u = i32(gid.x); let v = i32(gid.y);
  let i = gid.y * W + gid.x;
  let z = valid(i);
  if (z == 0.0) { flags[i] = 0u; return; }
  let t = max(P.jump * z, 4.0 * sigma(z));
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
  if (edge) {
    f = 1u;
    if (P.hasGuide == 0u) { f = f | 4u; }
    else if (u >= 1 && v >= 1 && u < i32(W) - 1 && v < i32(H) - 1) {
      var lo = 3.0e38; var hi = -3.0e38;
      for (var dv = -1; dv <= 1; dv++) {
        for (var du = -1; du <= 1; du++) {
          let g = guide[u32(v + dv) * W + u32(u + du)];
          lo = min(lo, g); hi = max(hi, g);
        }
      }
      if (hi - lo >= P.colourEdge) { f = f | 8u; } else { f = f | 4u; }
    }
  }
  if (nb < P.minNb) { f = f | 2u; }
  flags[i] = f;
}

@compute @workgroup_size(8, 8)
fn finish(@builtin(global_invocation_id) gid: vec3<u32>) {
  if (gid.x >= P.W || gid.y >= P.H) { return; }
  let W = P.W; let H = P.H; let N = W * H;
  let i = gid.y * W + gid.x;
  let z = valid(i);
  let f = flags[i];
  var status = 0u;
  var d = 0.0;
  var c = 0.0;
  if (z != 0.0) {
    var drop = (f & 1u) != 0u;
    if (!drop && P.band > 0u) {
      let b = i32(P.band);
      let u = i32(gid.x); let v = i32(gid.y);
      for (var vv = max(0, v - b); vv <= min(i32(H) - 1, v + b) && !drop; vv++) {
        for (var uu = max(0, u - b); uu <= min(i32(W) - 1, u + b); uu++) {
          if ((flags[u32(vv) * W + u32(uu)] & 4u) != 0u) { drop = true; break; }
        }
      }
    }
    if (drop) { status = 1u; }
    else if ((f & 2u) != 0u) { status = 2u; }
    else {
      status = 3u;
      d = z;
      c = min(1.0, P.sRef / sigma(z));
      if (P.hasConf != 0u) { c = c * clamp(inp[N + i], 0.0, 1.0); }
    }
  }
  if ((f & 8u) != 0u) { status = status | 4u; }
  outp[i] = d;
  outp[N + i] = c;
  statusOut[i] = status;
}
`;
