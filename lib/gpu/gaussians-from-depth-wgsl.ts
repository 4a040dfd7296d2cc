import { DEPTH_WGSL_PRELUDE } from './depth-wgsl-prelude';

/**
 * WGSL compute kernel for Gaussians from depth: one invocation per strided depth pixel, the same
 * arithmetic as lib/splat/gaussians-from-depth.ts (the reference) in f32. The host precomputes the
 * per-column / per-row ray factors and image lookups in f64 (so "outside the image" decisions are
 * the CPU's exactly) and compacts the dense per-pixel output in row-major order afterwards (so the
 * Gaussians come out in the CPU kernel's order).
 *
 * Output per strided pixel i: statusPixel[2i] (0 Gaussian, 1 invalid, 2 flying, 3 outside the
 * image), statusPixel[2i+1] (image pixel v*w+u) and 15 floats in attrs[i*15..]: position 3, scale 3, quaternion
 * x y z w, opacity, colour 3, weight.
 */
export const GAUSSIANS_FROM_DEPTH_WGSL = DEPTH_WGSL_PRELUDE + /* wgsl */ `
struct Params {
  W: u32, H: u32, stride: u32, Ws: u32,
  Hs: u32, imgW: u32, hasConf: u32, _pad0: u32,
  minDepth: f32, maxDepth: f32, disc: f32, edgeOpacity: f32,
  opacity: f32, scaleFactor: f32, thickness: f32, minCos: f32,
  minConf: f32, fMean: f32, confOpacity: f32, _pad2: f32,
  // camera-to-world columns (rotation) and translation
  c0: vec4<f32>, c1: vec4<f32>, c2: vec4<f32>, c3: vec4<f32>,
};

@group(0) @binding(0) var<uniform> P: Params;
// Paired arrays share a buffer (WebGPU's default limit is 8 storage buffers per stage):
// depth then confidence (W*H each), rx then ry, colU then rowV, (status, pixel) interleaved.
@group(0) @binding(1) var<storage, read> depth: array<f32>;
@group(0) @binding(2) var<storage, read> rays: array<f32>;
@group(0) @binding(3) var<storage, read> lut: array<i32>;
@group(0) @binding(4) var<storage, read> img: array<u32>;
@group(0) @binding(5) var<storage, read_write> statusPixel: array<u32>;
@group(0) @binding(6) var<storage, read_write> attrs: array<f32>;

fn rx(u: u32) -> f32 { return rays[u]; }
fn ry(v: u32) -> f32 { return rays[P.W + v]; }

fn inRange(d: f32) -> bool { return inDepthRange(d, P.minDepth, P.maxDepth); }
fn usable(d: f32) -> f32 { return depthOrZero(d, P.minDepth, P.maxDepth); }
fn imgByte(i: u32) -> f32 { return f32((img[i >> 2u] >> ((i & 3u) * 8u)) & 255u); }

@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  if (gid.x >= P.Ws || gid.y >= P.Hs) { return; }
  let o = gid.y * P.Ws + gid.x;
  let s = P.stride;
  let u = gid.x * s;
  let v = gid.y * s;
  let W = P.W;
  let H = P.H;
  let idx = v * W + u;
  let d = depth[idx];
  var c = 1.0;
  if (P.hasConf != 0u) { c = depth[P.W * P.H + idx]; }
  if (!inRange(d) || !(finite(c) && c > P.minConf)) { statusPixel[2u * o] = 1u; return; }
  let ui = lut[u];
  let vi = lut[W + v];
  if (ui < 0 || vi < 0) { statusPixel[2u * o] = 3u; return; }

  let hasL = u >= s;
  let hasR = u + s < W;
  let hasUp = v >= s;
  let hasDn = v + s < H;
  var dl = 0.0; var dr = 0.0; var du = 0.0; var dd = 0.0;
  if (hasL) { dl = usable(depth[idx - s]); }
  if (hasR) { dr = usable(depth[idx + s]); }
  if (hasUp) { du = usable(depth[idx - s * W]); }
  if (hasDn) { dd = usable(depth[idx + s * W]); }
  let tol = P.disc * d;
  let okL = dl > 0.0 && abs(dl - d) <= tol;
  let okR = dr > 0.0 && abs(dr - d) <= tol;
  let okU = du > 0.0 && abs(du - d) <= tol;
  let okD = dd > 0.0 && abs(dd - d) <= tol;
  if ((dl > 0.0 && dr > 0.0 && !okL && !okR && (dl - d) * (dr - d) < 0.0) ||
      (du > 0.0 && dd > 0.0 && !okU && !okD && (du - d) * (dd - d) < 0.0)) {
    statusPixel[2u * o] = 2u; return;
  }
  let edge = (dl > 0.0 && !okL) || (dr > 0.0 && !okR) || (du > 0.0 && !okU) || (dd > 0.0 && !okD);

  let rxu = rx(u);
  let ryv = ry(v);
  var rxl = 0.0; var rxr = 0.0; var ryu = 0.0; var ryd = 0.0;
  if (hasL) { rxl = rx(u - s); }
  if (hasR) { rxr = rx(u + s); }
  if (hasUp) { ryu = ry(v - s); }
  if (hasDn) { ryd = ry(v + s); }
  let rlen = sqrt(rxu * rxu + ryv * ryv + 1.0);
  let iv = vec3<f32>(rxu, ryv, -1.0) / rlen;

  var tu = vec3<f32>(0.0); var hasU = true;
  if (okL && okR) { tu = vec3<f32>(dr * rxr - dl * rxl, ryv * (dr - dl), dl - dr); }
  else if (okR) { tu = vec3<f32>(dr * rxr - d * rxu, ryv * (dr - d), d - dr); }
  else if (okL) { tu = vec3<f32>(d * rxu - dl * rxl, ryv * (d - dl), dl - d); }
  else { hasU = false; }
  var tv = vec3<f32>(0.0); var hasV = true;
  if (okU && okD) { tv = vec3<f32>(rxu * (dd - du), dd * ryd - du * ryu, du - dd); }
  else if (okD) { tv = vec3<f32>(rxu * (dd - d), dd * ryd - d * ryv, d - dd); }
  else if (okU) { tv = vec3<f32>(rxu * (d - du), d * ryv - du * ryu, du - d); }
  else { hasV = false; }

  var n = -iv;
  if (hasU && hasV) {
    let cr = cross(tu, tv);
    let cl = length(cr);
    if (cl > 0.0) {
      if (dot(cr, iv) > 0.0) { n = -cr / cl; } else { n = cr / cl; }
    }
  }
  var cosT = -dot(n, iv);
  var t = iv + cosT * n;
  var tl = length(t);
  if (tl < 1e-6) {
    t = vec3<f32>(1.0 - n.x * n.x, -n.x * n.y, -n.x * n.z);
    tl = length(t);
  }
  t = t / tl;
  let b = cross(n, t);
  cosT = max(cosT, P.minCos);

  let R = mat3x3<f32>(P.c0.xyz, P.c1.xyz, P.c2.xyz);
  let wt = R * t;
  let wb = R * b;
  let wn = R * n;
  let pos = R * vec3<f32>(d * rxu, d * ryv, -d) + P.c3.xyz;

  // Quaternion of the rotation with columns (t, b, n): Shepperd, as the reference.
  let tr = wt.x + wb.y + wn.z;
  var q: vec4<f32>;
  if (tr > 0.0) {
    let k = 0.5 / sqrt(tr + 1.0);
    q = vec4<f32>((wb.z - wn.y) * k, (wn.x - wt.z) * k, (wt.y - wb.x) * k, 0.25 / k);
  } else if (wt.x > wb.y && wt.x > wn.z) {
    let k = 2.0 * sqrt(1.0 + wt.x - wb.y - wn.z);
    let ik = 1.0 / k;
    q = vec4<f32>(0.25 * k, (wb.x + wt.y) * ik, (wn.x + wt.z) * ik, (wb.z - wn.y) * ik);
  } else if (wb.y > wn.z) {
    let k = 2.0 * sqrt(1.0 + wb.y - wt.x - wn.z);
    let ik = 1.0 / k;
    q = vec4<f32>((wb.x + wt.y) * ik, 0.25 * k, (wn.y + wb.z) * ik, (wn.x - wt.z) * ik);
  } else {
    let k = 2.0 * sqrt(1.0 + wn.z - wt.x - wb.y);
    let ik = 1.0 / k;
    q = vec4<f32>((wn.x + wt.z) * ik, (wn.y + wb.z) * ik, 0.25 * k, (wt.y - wb.x) * ik);
  }

  let spacing = d * f32(s) / P.fMean;
  let sb = P.scaleFactor * spacing;
  var op = P.opacity * (1.0 - P.confOpacity * (1.0 - c));
  if (edge) { op = op * P.edgeOpacity; }
  let ipix = u32(vi) * P.imgW + u32(ui);
  let c3 = ipix * 3u;

  statusPixel[2u * o] = 0u;
  statusPixel[2u * o + 1u] = ipix;
  let a = o * 15u;
  attrs[a] = pos.x; attrs[a + 1u] = pos.y; attrs[a + 2u] = pos.z;
  attrs[a + 3u] = sb / cosT; attrs[a + 4u] = sb; attrs[a + 5u] = P.thickness * sb;
  attrs[a + 6u] = q.x; attrs[a + 7u] = q.y; attrs[a + 8u] = q.z; attrs[a + 9u] = q.w;
  attrs[a + 10u] = op;
  attrs[a + 11u] = imgByte(c3) / 255.0; attrs[a + 12u] = imgByte(c3 + 1u) / 255.0; attrs[a + 13u] = imgByte(c3 + 2u) / 255.0;
  attrs[a + 14u] = c * cosT / (spacing * spacing);
}
`;
