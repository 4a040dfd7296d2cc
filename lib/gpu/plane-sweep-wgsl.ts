/**
 * WGSL compute kernel for the plane sweep over tiles (lib/inference/depth/plane-sweep.ts SweepRequest:
 * the exhaustive sweep is one tile with every plane, a coarse-to-fine level one 48 px tile per band
 * list): one invocation per reference pixel loops over its tile's ascending plane list and every
 * source, computes the windowed ZNCC directly (the
 * window's reference pixels are clamped to the image, as the CPU's replicated borders), aggregates the
 * best K sources and tracks the winner-take-all state of lib/inference/depth/plane-sweep-kernel.ts
 * (the reference): best, its plane, the scores just before and after it, the best non-adjacent score;
 * a gap in the plane list resets the previous score as the CPU's sweepRect does (no parabola across
 * it). The host turns that state into depth / score / margin with the reference's parabola.
 *
 * Buffers: ref = [I (centred grey), sumI, invSdI] (3N f32); src = source grey in 16-bit units as f32,
 * all sources back to back; views = per source (offset, width, height, pad) u32; hom = per source
 * G (9) and g (3) f32; lists = per tile (offset, count) u32 pairs, then the plane indices of all tiles;
 * out = per pixel best, bestIdx (as f32), second, before, after.
 */
export const PLANE_SWEEP_WGSL = /* wgsl */ `
struct Params {
  W: u32, H: u32, S: u32, K: u32,
  r: u32, tile: u32, tilesX: u32, nTiles: u32,
  qNear: f32, qStep: f32, invN: f32, epsW: f32,
};
const INVALID: f32 = -9.0;
const MAXS: u32 = 8u;

@group(0) @binding(0) var<uniform> P: Params;
@group(0) @binding(1) var<storage, read> refs: array<f32>;
@group(0) @binding(2) var<storage, read> src: array<f32>;
@group(0) @binding(3) var<storage, read> views: array<vec4<u32>>;
@group(0) @binding(4) var<storage, read> hom: array<f32>;
@group(0) @binding(5) var<storage, read> lists: array<u32>;
@group(0) @binding(6) var<storage, read_write> outp: array<f32>;

// Warped, bilinearly sampled source value at reference pixel (u, v); .y = 1 when inside the image.
fn sample(s: u32, u: f32, v: f32, q: f32) -> vec2<f32> {
  let h = s * 12u;
  let hx = hom[h] * u + hom[h + 1u] * v + hom[h + 2u] + q * hom[h + 9u];
  let hy = hom[h + 3u] * u + hom[h + 4u] * v + hom[h + 5u] + q * hom[h + 10u];
  let hw = hom[h + 6u] * u + hom[h + 7u] * v + hom[h + 8u] + q * hom[h + 11u];
  if (!(hw > 1e-9)) { return vec2<f32>(0.0, 0.0); }
  let vw = views[s];
  let sw = vw.y;
  let xMax = f32(vw.y - 1u);
  let yMax = f32(vw.z - 1u);
  let iw = 1.0 / hw;
  var x = hx * iw;
  var y = hy * iw;
  var inside = 0.0;
  var x0: u32; var y0: u32;
  if (x >= 0.0 && y >= 0.0 && x < xMax && y < yMax) {
    inside = 1.0;
    x0 = u32(x); y0 = u32(y);
  } else {
    if (x >= 0.0 && x <= xMax && y >= 0.0 && y <= yMax) { inside = 1.0; }
    x = clamp(x, 0.0, xMax);
    y = clamp(y, 0.0, yMax);
    x0 = u32(x); y0 = u32(y);
    if (f32(x0) >= xMax) { x0 = vw.y - 2u; }
    if (f32(y0) >= yMax) { y0 = vw.z - 2u; }
  }
  let ax = x - f32(x0);
  let ay = y - f32(y0);
  let i0 = vw.x + y0 * sw + x0;
  let a = src[i0]; let b = src[i0 + 1u]; let c = src[i0 + sw]; let d = src[i0 + sw + 1u];
  let t0 = a + (b - a) * ax;
  return vec2<f32>(t0 + (c + (d - c) * ax - t0) * ay, inside);
}

@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  if (gid.x >= P.W || gid.y >= P.H) { return; }
  let W = P.W; let H = P.H; let N = W * H;
  let i = gid.y * W + gid.x;
  let r = i32(P.r);
  let mI = refs[N + i] * P.invN;
  let isd = refs[2u * N + i];
  var best = -3.0e38; var bestIdx = -1; var second = -1.0;
  var before = INVALID; var after = INVALID; var prev = INVALID;
  let t = (gid.y / P.tile) * P.tilesX + gid.x / P.tile;
  let off = 2u * P.nTiles + lists[2u * t];
  let count = lists[2u * t + 1u];
  var lastP = -2;
  for (var li = 0u; li < count; li++) {
    let pi = i32(lists[off + li]);
    if (pi != lastP + 1) { prev = INVALID; }
    lastP = pi;
    let q = P.qNear + f32(pi) * P.qStep;
    var top: array<f32, MAXS>;
    var m = 0u;
    for (var s = 0u; s < P.S; s++) {
      let centre = sample(s, f32(gid.x), f32(gid.y), q);
      if (centre.y == 0.0) { continue; }
      // Shifted by the centre value: the same covariance and variance, better conditioned in f32.
      let c0 = centre.x;
      var sW = 0.0; var sW2 = 0.0; var sIW = 0.0;
      for (var dy = -r; dy <= r; dy++) {
        let vv = u32(clamp(i32(gid.y) + dy, 0, i32(H) - 1));
        for (var dx = -r; dx <= r; dx++) {
          let uu = u32(clamp(i32(gid.x) + dx, 0, i32(W) - 1));
          let w = sample(s, f32(uu), f32(vv), q).x - c0;
          sW += w; sW2 += w * w; sIW += w * refs[vv * W + uu];
        }
      }
      let vW = sW2 - sW * sW * P.invN;
      let z = ((sIW - mI * sW) * isd) / sqrt(max(vW, 0.0) + P.epsW);
      var j = m;
      m++;
      while (j > 0u && top[j - 1u] < z) { top[j] = top[j - 1u]; j--; }
      top[j] = z;
    }
    var c = INVALID;
    if (m > 0u) {
      var sum = 0.0;
      for (var j = 0u; j < min(m, P.K); j++) { sum += top[j]; }
      c = sum / f32(P.K);
    }
    if (c == INVALID) { prev = INVALID; continue; }
    if (c > best) {
      if (bestIdx >= 0 && pi - bestIdx > 1 && best > second) { second = best; }
      before = prev; best = c; bestIdx = pi; after = INVALID;
    } else if (pi == bestIdx + 1) { after = c; }
    else if (c > second) { second = c; }
    prev = c;
  }
  let o = i * 5u;
  outp[o] = best; outp[o + 1u] = f32(bestIdx); outp[o + 2u] = second; outp[o + 3u] = before; outp[o + 4u] = after;
}
`;
