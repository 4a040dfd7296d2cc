/**
 * CPU triangle rasterizer for synthetic captures: z-buffered, perspective-correct, deterministic.
 *
 * Two passes. The geometry pass clips every triangle against the near plane in camera space,
 * projects it with the pinhole intrinsics and scan-converts it with edge functions sampled at
 * pixel centres (u + 0.5, v + 0.5), top-left origin, top-left fill rule (a pixel centre exactly on
 * a shared edge belongs to exactly one triangle). Inverse depth is linear in screen space, so the
 * stored depth (metres along the camera's -z axis) is exact for planar triangles. The shading
 * pass then lights each covered pixel once (no overdraw cost): world point = camera origin +
 * depth * ray, Lambert from a fixed light plus ambient, and the albedo modulated by value noise
 * in world coordinates (`textureAt`), so the texture sticks to surfaces across views (stereo and
 * edges have something to lock onto).
 */
import type { Intrinsics } from '../capture/frame';
import { invertRigid } from '../capture/pose';

export interface RasterScene {
  /** 9 floats per triangle: three world-space vertices (metres). */
  positions: Float32Array;
  triangleCount: number;
  /** Per-triangle instance id written to the instance map (0 = none). */
  objectId: Uint16Array;
  /** Per-triangle albedo, 3 bytes RGB. Defaults to mid gray. */
  albedo?: Uint8Array;
}

export interface RasterCamera {
  intrinsics: Intrinsics;
  /** Camera-to-world, column-major 4x4; camera looks down -z, +y up, +x right. */
  cameraToWorld: ArrayLike<number>;
  /** Near clip distance in metres (default 0.05). */
  near?: number;
}

export interface ShadingOptions {
  /** Direction towards the light (world, any length). Default from above and to the side. */
  lightDir?: [number, number, number];
  /** Ambient fraction 0..1 (default 0.45). */
  ambient?: number;
  /** Procedural texture strength 0..1 (default 0.35); 0 gives flat albedo * shading. */
  texture?: number;
  /** RGB where nothing is hit (default 0 0 0). */
  background?: [number, number, number];
}

export interface RasterOutput {
  width: number;
  height: number;
  /** 3 bytes per pixel, row-major, top-left origin. */
  rgb: Uint8Array;
  /** Metres along -z; 0 where nothing was hit. */
  depth: Float32Array;
  /** objectId of the visible triangle; 0 where nothing was hit. */
  instance: Uint16Array;
  /** Index of the visible triangle; -1 where nothing was hit. */
  triangle: Int32Array;
}

const MAX_PIXELS = 64 * 1024 * 1024;

function checkCamera(cam: RasterCamera): void {
  const k = cam.intrinsics;
  if (!k) throw new Error('rasterize: camera has no intrinsics');
  for (const key of ['fx', 'fy', 'cx', 'cy'] as const)
    if (!Number.isFinite(k[key])) throw new Error(`rasterize: intrinsics.${key} is not finite (${k[key]})`);
  if (!(k.fx > 0 && k.fy > 0)) throw new Error(`rasterize: focal lengths must be positive (fx ${k.fx}, fy ${k.fy})`);
  if (!Number.isInteger(k.width) || !Number.isInteger(k.height) || k.width <= 0 || k.height <= 0)
    throw new Error(`rasterize: bad image size ${k.width}x${k.height}`);
  if (k.width * k.height > MAX_PIXELS) throw new Error(`rasterize: image ${k.width}x${k.height} is too large`);
  const m = cam.cameraToWorld;
  if (!m || m.length !== 16) throw new Error('rasterize: cameraToWorld must have 16 numbers');
  for (let i = 0; i < 16; i++) if (!Number.isFinite(m[i])) throw new Error(`rasterize: cameraToWorld[${i}] is not finite`);
  if (cam.near !== undefined && !(cam.near > 0)) throw new Error(`rasterize: near must be > 0, got ${cam.near}`);
}

function checkScene(s: RasterScene): void {
  if (!Number.isInteger(s.triangleCount) || s.triangleCount < 0) throw new Error(`rasterize: bad triangleCount ${s.triangleCount}`);
  if (s.positions.length < s.triangleCount * 9)
    throw new Error(`rasterize: positions has ${s.positions.length} floats, need ${s.triangleCount * 9}`);
  if (s.objectId.length < s.triangleCount) throw new Error(`rasterize: objectId has ${s.objectId.length} entries, need ${s.triangleCount}`);
  if (s.albedo && s.albedo.length < s.triangleCount * 3)
    throw new Error(`rasterize: albedo has ${s.albedo.length} bytes, need ${s.triangleCount * 3}`);
}

/** Geometry pass only: depth, instance id and triangle index per pixel (no colour). */
export function rasterizeGeometry(scene: RasterScene, camera: RasterCamera): Omit<RasterOutput, 'rgb'> {
  checkScene(scene);
  checkCamera(camera);
  const { fx, fy, cx, cy, width: W, height: H } = camera.intrinsics;
  const near = camera.near ?? 0.05;
  const w2c = invertRigid(camera.cameraToWorld);
  const depth = new Float32Array(W * H);
  const triangle = new Int32Array(W * H).fill(-1);
  const instance = new Uint16Array(W * H);
  const zbuf = new Float64Array(W * H).fill(Infinity);
  const P = scene.positions;

  // Clipped polygon scratch: up to 4 vertices after one plane, camera space (x, y, d = -z).
  const inX = new Float64Array(3), inY = new Float64Array(3), inD = new Float64Array(3);
  const cX = new Float64Array(4), cY = new Float64Array(4), cD = new Float64Array(4);
  const sx = new Float64Array(4), sy = new Float64Array(4);
  const r00 = w2c[0], r10 = w2c[1], r20 = w2c[2];
  const r01 = w2c[4], r11 = w2c[5], r21 = w2c[6];
  const r02 = w2c[8], r12 = w2c[9], r22 = w2c[10];
  const t0 = w2c[12], t1 = w2c[13], t2 = w2c[14];

  const drawTri = (tri: number, a: number, b: number, c: number) => {
    const x0 = sx[a], y0 = sy[a], id0 = 1 / cD[a];
    let x1 = sx[b], y1 = sy[b], x2 = sx[c], y2 = sy[c];
    let id1 = 1 / cD[b], id2 = 1 / cD[c];
    let area = (x1 - x0) * (y2 - y0) - (y1 - y0) * (x2 - x0);
    if (!(Math.abs(area) > 1e-12)) return;
    if (area < 0) {
      // Make the winding positive so that inside means all edge functions >= 0.
      let t = x1; x1 = x2; x2 = t;
      t = y1; y1 = y2; y2 = t;
      t = id1; id1 = id2; id2 = t;
      area = -area;
    }
    const minX = Math.max(0, Math.ceil(Math.min(x0, x1, x2) - 0.5));
    const maxX = Math.min(W - 1, Math.floor(Math.max(x0, x1, x2) - 0.5));
    const minY = Math.max(0, Math.ceil(Math.min(y0, y1, y2) - 0.5));
    const maxY = Math.min(H - 1, Math.floor(Math.max(y0, y1, y2) - 0.5));
    if (minX > maxX || minY > maxY) return;
    // Edge e_i is opposite vertex i: e0 = v1->v2, e1 = v2->v0, e2 = v0->v1.
    const dx0 = x2 - x1, dy0 = y2 - y1;
    const dx1 = x0 - x2, dy1 = y0 - y2;
    const dx2 = x1 - x0, dy2 = y1 - y0;
    // Top-left rule (y down, positive winding): a pixel centre on an edge counts only for top or left edges.
    const tl0 = dy0 < 0 || (dy0 === 0 && dx0 > 0);
    const tl1 = dy1 < 0 || (dy1 === 0 && dx1 > 0);
    const tl2 = dy2 < 0 || (dy2 === 0 && dx2 > 0);
    const inv = 1 / area;
    const id = scene.objectId[tri];
    for (let v = minY; v <= maxY; v++) {
      const py = v + 0.5;
      const row = v * W;
      for (let u = minX; u <= maxX; u++) {
        const px = u + 0.5;
        const w0 = dx0 * (py - y1) - dy0 * (px - x1);
        if (w0 < 0 || (w0 === 0 && !tl0)) continue;
        const w1 = dx1 * (py - y2) - dy1 * (px - x2);
        if (w1 < 0 || (w1 === 0 && !tl1)) continue;
        const w2 = dx2 * (py - y0) - dy2 * (px - x0);
        if (w2 < 0 || (w2 === 0 && !tl2)) continue;
        const invd = (w0 * id0 + w1 * id1 + w2 * id2) * inv;
        const d = 1 / invd;
        const p = row + u;
        if (d < zbuf[p]) {
          zbuf[p] = d;
          triangle[p] = tri;
          instance[p] = id;
        }
      }
    }
  };

  for (let t = 0; t < scene.triangleCount; t++) {
    const o = t * 9;
    let nIn = 0;
    for (let k = 0; k < 3; k++) {
      const x = P[o + k * 3], y = P[o + k * 3 + 1], z = P[o + k * 3 + 2];
      inX[k] = r00 * x + r01 * y + r02 * z + t0;
      inY[k] = r10 * x + r11 * y + r12 * z + t1;
      inD[k] = -(r20 * x + r21 * y + r22 * z + t2);
      if (inD[k] >= near) nIn++;
    }
    if (nIn === 0) continue;
    let n = 0;
    if (nIn === 3) {
      for (let k = 0; k < 3; k++) {
        cX[k] = inX[k];
        cY[k] = inY[k];
        cD[k] = inD[k];
      }
      n = 3;
    } else {
      // Sutherland-Hodgman against d = near.
      for (let k = 0; k < 3; k++) {
        const j = (k + 1) % 3;
        const kin = inD[k] >= near, jin = inD[j] >= near;
        if (kin) {
          cX[n] = inX[k];
          cY[n] = inY[k];
          cD[n] = inD[k];
          n++;
        }
        if (kin !== jin) {
          const s = (near - inD[k]) / (inD[j] - inD[k]);
          cX[n] = inX[k] + s * (inX[j] - inX[k]);
          cY[n] = inY[k] + s * (inY[j] - inY[k]);
          cD[n] = near;
          n++;
        }
      }
    }
    for (let k = 0; k < n; k++) {
      sx[k] = cx + (fx * cX[k]) / cD[k];
      sy[k] = cy - (fy * cY[k]) / cD[k];
    }
    drawTri(t, 0, 1, 2);
    if (n === 4) drawTri(t, 0, 2, 3);
  }
  for (let p = 0; p < W * H; p++) if (triangle[p] >= 0) depth[p] = zbuf[p];
  return { width: W, height: H, depth, instance, triangle };
}

// ---------------------------------------------------------------------------------------------
// Procedural texture

function hash3(x: number, y: number, z: number): number {
  // Integer lattice hash (xxhash-style mixing); |0 keeps it in int32 so results are exact.
  let h = (Math.imul(x, 0x27d4eb2d) ^ Math.imul(y, 0x165667b1) ^ Math.imul(z, 0x1b873593)) | 0;
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}

/** Trilinear value noise in [0, 1) on a lattice of `cell` metres, smoothstep-interpolated. */
export function valueNoise3(x: number, y: number, z: number, cell: number): number {
  const fx = x / cell, fy = y / cell, fz = z / cell;
  const ix = Math.floor(fx), iy = Math.floor(fy), iz = Math.floor(fz);
  let tx = fx - ix, ty = fy - iy, tz = fz - iz;
  tx = tx * tx * (3 - 2 * tx);
  ty = ty * ty * (3 - 2 * ty);
  tz = tz * tz * (3 - 2 * tz);
  const c000 = hash3(ix, iy, iz), c100 = hash3(ix + 1, iy, iz);
  const c010 = hash3(ix, iy + 1, iz), c110 = hash3(ix + 1, iy + 1, iz);
  const c001 = hash3(ix, iy, iz + 1), c101 = hash3(ix + 1, iy, iz + 1);
  const c011 = hash3(ix, iy + 1, iz + 1), c111 = hash3(ix + 1, iy + 1, iz + 1);
  const a = c000 + (c100 - c000) * tx, b = c010 + (c110 - c010) * tx;
  const c = c001 + (c101 - c001) * tx, d = c011 + (c111 - c011) * tx;
  const e = a + (b - a) * ty, f = c + (d - c) * ty;
  return e + (f - e) * tz;
}

/** Texture multiplier around 1 at a world point: 3 cm detail over an 11 cm blotch. */
export function textureAt(x: number, y: number, z: number, strength: number): number {
  const fine = valueNoise3(x, y, z, 0.03);
  const coarse = valueNoise3(x + 17.3, y + 5.1, z - 9.7, 0.11);
  return 1 + strength * 2 * (0.6 * (fine - 0.5) + 0.4 * (coarse - 0.5));
}

/** Full render: geometry pass, then Lambert + ambient shading with world-space texture. */
export function rasterize(scene: RasterScene, camera: RasterCamera, opts: ShadingOptions = {}): RasterOutput {
  const g = rasterizeGeometry(scene, camera);
  const { fx, fy, cx, cy, width: W, height: H } = camera.intrinsics;
  const m = camera.cameraToWorld;
  const ox = m[12], oy = m[13], oz = m[14];
  const L = opts.lightDir ?? [0.35, 0.85, 0.4];
  const ll = Math.hypot(L[0], L[1], L[2]);
  if (!(ll > 0)) throw new Error('rasterize: lightDir must be a non-zero vector');
  const lx = L[0] / ll, ly = L[1] / ll, lz = L[2] / ll;
  const ambient = opts.ambient ?? 0.45;
  const strength = opts.texture ?? 0.35;
  const bg = opts.background ?? [0, 0, 0];
  const P = scene.positions;
  const alb = scene.albedo;
  const rgb = new Uint8Array(W * H * 3);
  for (let v = 0; v < H; v++) {
    const dyc = -(v + 0.5 - cy) / fy;
    for (let u = 0; u < W; u++) {
      const p = v * W + u;
      const t = g.triangle[p];
      if (t < 0) {
        rgb[p * 3] = bg[0];
        rgb[p * 3 + 1] = bg[1];
        rgb[p * 3 + 2] = bg[2];
        continue;
      }
      const dxc = (u + 0.5 - cx) / fx;
      const d = g.depth[p];
      // Ray (dxc, dyc, -1) scaled by depth, rotated to world.
      const rx = m[0] * dxc + m[4] * dyc - m[8];
      const ry = m[1] * dxc + m[5] * dyc - m[9];
      const rz = m[2] * dxc + m[6] * dyc - m[10];
      const wx = ox + d * rx, wy = oy + d * ry, wz = oz + d * rz;
      const o = t * 9;
      const e1x = P[o + 3] - P[o], e1y = P[o + 4] - P[o + 1], e1z = P[o + 5] - P[o + 2];
      const e2x = P[o + 6] - P[o], e2y = P[o + 7] - P[o + 1], e2z = P[o + 8] - P[o + 2];
      let nx = e1y * e2z - e1z * e2y, ny = e1z * e2x - e1x * e2z, nz = e1x * e2y - e1y * e2x;
      // Scanned meshes have unreliable winding: light the side that faces the camera.
      if (nx * rx + ny * ry + nz * rz > 0) {
        nx = -nx;
        ny = -ny;
        nz = -nz;
      }
      const nl = Math.sqrt(nx * nx + ny * ny + nz * nz) || 1;
      const lambert = Math.max(0, (nx * lx + ny * ly + nz * lz) / nl);
      const shade = (ambient + (1 - ambient) * lambert) * (strength > 0 ? textureAt(wx, wy, wz, strength) : 1);
      for (let c = 0; c < 3; c++) {
        const a = alb ? alb[t * 3 + c] : 160;
        const val = Math.round(a * shade);
        rgb[p * 3 + c] = val < 0 ? 0 : val > 255 ? 255 : val;
      }
    }
  }
  return { ...g, rgb };
}
