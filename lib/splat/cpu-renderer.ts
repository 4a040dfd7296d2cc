/**
 * CPU reference rasteriser for Gaussian scenes, following the 3DGS conventions (Kerbl et al. 2023)
 * so that tests and evaluation have ground truth. It is not the interactive renderer (Spark is).
 *
 * - EWA projection of each 3D covariance (J W Σ Wᵀ Jᵀ) plus the 0.3 px² low-pass; the splat's
 *   extent is 3 sigma of the larger eigenvalue; Gaussians nearer than `near` are culled.
 * - 16×16 pixel tiles; Gaussians are sorted once by camera depth (radix sort on the float bits)
 *   and bucketed into the tiles they touch, so every tile list is depth-sorted.
 * - Per pixel, front-to-back: alpha = min(0.99, opacity·exp(-½ dᵀ Σ'⁻¹ d)); skip alpha < 1/255;
 *   stop before a Gaussian that would bring the transmittance T below 1e-4.
 *   Colour C = Σ c_i α_i T_i + T·background; pixel centres at (u+0.5, v+0.5).
 * - Depth = Σ w_i z_i / Σ w_i (w_i = α_i T_i, z = distance along the camera's -z), 0 where nothing
 *   was drawn; alpha = 1 - T.
 * - Semantics: E_m = Σ w_i [index_i = m] (the one-hot splatted like colour). `semantic` is argmax_m
 *   E_m (0 = background, also where nothing was drawn) and `semanticConfidence` max/sum (the paper's
 *   measure, robust where Σ E < 1). With `bankFeature`, F = Eᵀ B (B = scene.bank) L2-normalised
 *   (zero where E is empty or only background): D floats per pixel, so only computed when asked.
 * - Colour: scene.colors (SH degree 0 display RGB) plus the higher SH bands evaluated for the
 *   direction from the camera centre to the Gaussian, clamped at 0, as in 3DGS.
 */
import type { Intrinsics } from '../capture/frame';
import { rigidPoseProblem } from '../capture/pose';
import type { GaussianScene } from './gaussian-scene';
import { covariance3D, projectCovariance } from './covariance';

export interface RenderCamera {
  intrinsics: Intrinsics;
  /** Camera-to-world, column-major 4x4. */
  cameraToWorld: ArrayLike<number>;
  /** Output size (default: the intrinsics' size; intrinsics are rescaled to it). */
  width?: number;
  height?: number;
}

export interface RenderOptions {
  /** RGB 0..1 behind everything (default black). */
  background?: [number, number, number];
  /** Gaussians with camera depth below this are culled (metres, default 0.01). */
  near?: number;
  /** Also return an 8-bit RGB image (default false). */
  uint8?: boolean;
  /** Compute the semantic index map and its confidence (default true). */
  semantics?: boolean;
  /** Compute the splatted, L2-normalised bank feature F = Eᵀ B per pixel (default false: heavy). */
  bankFeature?: boolean;
}

export interface RenderResult {
  width: number;
  height: number;
  /** RGB 0..1, row-major, 3 per pixel. */
  color: Float32Array;
  colorU8?: Uint8Array;
  /** Expected depth in metres (0 where nothing was drawn). */
  depth: Float32Array;
  /** Accumulated opacity 1 - T. */
  alpha: Float32Array;
  semantic?: Uint16Array;
  semanticConfidence?: Float32Array;
  /** [H*W, bank.dim] row-major when bankFeature was asked. */
  feature?: Float32Array;
  /** Gaussians in front of the camera and on screen; (Gaussian, tile) pairs rasterised. */
  stats: { visible: number; tileEntries: number };
}

export const TILE = 16;
const T_MIN = 1e-4;
const ALPHA_MAX = 0.99;
const ALPHA_MIN = 1 / 255;

const SH_C1 = 0.4886025119029199;
const SH_C2 = [1.0925484305920792, -1.0925484305920792, 0.31539156525252005, -1.0925484305920792, 0.5462742152960396];
const SH_C3 = [-0.5900435899266435, 2.890611442640554, -0.4570457994644658, 0.3731763325901154, -0.4570457994644658, 1.445305721320277, -0.5900435899266435];

/** Sorts ids by non-negative float keys (LSD radix on the IEEE bits, stable for ties). */
function radixSortByKey(keys: Float32Array, n: number): Uint32Array {
  const bits = new Uint32Array(keys.buffer, keys.byteOffset, n);
  let src = new Uint32Array(n), dst = new Uint32Array(n);
  for (let i = 0; i < n; i++) src[i] = i;
  const count = new Uint32Array(2048);
  for (let shift = 0; shift < 32; shift += 11) {
    count.fill(0);
    for (let i = 0; i < n; i++) count[(bits[src[i]] >>> shift) & 2047]++;
    let sum = 0;
    for (let b = 0; b < 2048; b++) {
      const c = count[b];
      count[b] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const id = src[i];
      dst[count[(bits[id] >>> shift) & 2047]++] = id;
    }
    const t = src; src = dst; dst = t;
  }
  return src;
}

export function renderGaussians(scene: GaussianScene, camera: RenderCamera, opts: RenderOptions = {}): RenderResult {
  const k = camera.intrinsics;
  const W = camera.width ?? k.width, H = camera.height ?? k.height;
  if (!Number.isInteger(W) || !Number.isInteger(H) || W <= 0 || H <= 0 || W * H > 1 << 26)
    throw new Error(`renderGaussians: output size must be positive integers up to 64 Mpx, got ${W}x${H}`);
  for (const key of ['fx', 'fy', 'cx', 'cy', 'width', 'height'] as const)
    if (!Number.isFinite(k[key])) throw new Error(`renderGaussians: intrinsics.${key} is not finite (${k[key]})`);
  if (k.fx <= 0 || k.fy <= 0 || k.width <= 0 || k.height <= 0) throw new Error('renderGaussians: intrinsics must have positive focal lengths and size');
  const poseProblem = rigidPoseProblem(camera.cameraToWorld);
  if (poseProblem) throw new Error(`renderGaussians: camera: ${poseProblem}`);
  const near = opts.near ?? 0.01;
  if (!(near > 0)) throw new Error(`renderGaussians: near must be positive, got ${opts.near}`);
  const bg = opts.background ?? [0, 0, 0];
  const wantSem = opts.semantics ?? true;
  const wantFeat = opts.bankFeature ?? false;
  const sx = W / k.width, sy = H / k.height;
  const fx = k.fx * sx, fy = k.fy * sy, cx = k.cx * sx, cy = k.cy * sy;
  const limX = (1.3 * W) / (2 * fx), limY = (1.3 * H) / (2 * fy);

  // World-to-camera: R^T, -R^T t.
  const m = camera.cameraToWorld;
  const wc = new Float64Array([m[0], m[1], m[2], m[4], m[5], m[6], m[8], m[9], m[10]]);
  const camX = m[12], camY = m[13], camZ = m[14];
  const wtx = -(wc[0] * camX + wc[1] * camY + wc[2] * camZ);
  const wty = -(wc[3] * camX + wc[4] * camY + wc[5] * camZ);
  const wtz = -(wc[6] * camX + wc[7] * camY + wc[8] * camZ);

  const N = scene.count;
  const tilesX = Math.ceil(W / TILE), tilesY = Math.ceil(H / TILE);
  // Per visible Gaussian (compacted): mean, conic, opacity, colour, depth, tile rect, source index.
  const mu = new Float32Array(N * 2), conic = new Float32Array(N * 3), op = new Float32Array(N), rgb = new Float32Array(N * 3);
  const cut = new Float32Array(N), ext = new Float32Array(N), zs = new Float32Array(N), rect = new Int32Array(N * 4), srcIdx = new Uint32Array(N);
  const cov = new Float64Array(6), c2 = new Float64Array(3);
  const P = scene.positions, S = scene.scales, Q = scene.rotations, O = scene.opacities, Cc = scene.colors;
  const shN = scene.shDegree > 0 ? 3 * ((scene.shDegree + 1) ** 2 - 1) : 0;
  let nv = 0, tileEntries = 0;
  for (let i = 0; i < N; i++) {
    const x = P[i * 3], y = P[i * 3 + 1], z = P[i * 3 + 2];
    const tx = wc[0] * x + wc[1] * y + wc[2] * z + wtx;
    const ty = wc[3] * x + wc[4] * y + wc[5] * z + wty;
    const tz = wc[6] * x + wc[7] * y + wc[8] * z + wtz;
    const zc = -tz;
    if (!(zc > near)) continue;
    const o = O[i];
    if (!(o >= ALPHA_MIN)) continue;
    covariance3D(S[i * 3], S[i * 3 + 1], S[i * 3 + 2], Q[i * 4], Q[i * 4 + 1], Q[i * 4 + 2], Q[i * 4 + 3], cov, 0);
    projectCovariance(cov, 0, wc, tx, ty, tz, fx, fy, limX, limY, c2, 0);
    const a = c2[0], b = c2[1], c = c2[2];
    const det = a * c - b * b;
    if (!(det > 0)) continue;
    const u = cx + (fx * tx) / zc, v = cy - (fy * ty) / zc;
    const mid = 0.5 * (a + c);
    const lambda = mid + Math.sqrt(Math.max(0.1, mid * mid - det));
    const radius = Math.ceil(3 * Math.sqrt(lambda));
    // Pixel centres are at +0.5: pixel px covers centre px+0.5.
    const x0 = Math.max(0, Math.floor((u - radius) / TILE)), x1 = Math.min(tilesX, Math.ceil((u + radius) / TILE));
    const y0 = Math.max(0, Math.floor((v - radius) / TILE)), y1 = Math.min(tilesY, Math.ceil((v + radius) / TILE));
    if (x0 >= x1 || y0 >= y1 || !Number.isFinite(u + v)) continue;
    const id = 1 / det;
    mu[nv * 2] = u; mu[nv * 2 + 1] = v;
    conic[nv * 3] = c * id; conic[nv * 3 + 1] = -b * id; conic[nv * 3 + 2] = a * id;
    op[nv] = o;
    cut[nv] = Math.log(ALPHA_MIN / o) - 1e-4;
    // alpha >= 1/255 needs d^T Sigma^-1 d <= 2 ln(255 o), hence |d| <= sqrt(2 ln(255 o) lambda_max) (+ margin)
    ext[nv] = Math.sqrt(2 * Math.max(0, Math.log(o / ALPHA_MIN)) * lambda) + 0.01;
    let r = Cc[i * 3], g = Cc[i * 3 + 1], bl = Cc[i * 3 + 2];
    if (shN) {
      const dx = x - camX, dy = y - camY, dz = z - camZ;
      const dl = 1 / Math.sqrt(dx * dx + dy * dy + dz * dz);
      const add = evalShRest(scene.shRest, i * shN, scene.shDegree, dx * dl, dy * dl, dz * dl);
      r += add[0]; g += add[1]; bl += add[2];
    }
    rgb[nv * 3] = r > 0 ? r : 0; rgb[nv * 3 + 1] = g > 0 ? g : 0; rgb[nv * 3 + 2] = bl > 0 ? bl : 0;
    zs[nv] = zc;
    rect[nv * 4] = x0; rect[nv * 4 + 1] = x1; rect[nv * 4 + 2] = y0; rect[nv * 4 + 3] = y1;
    srcIdx[nv] = i;
    tileEntries += (x1 - x0) * (y1 - y0);
    nv++;
  }

  // Depth order once, then counting-sort into tiles (stable, so every tile list stays depth-sorted).
  const order = radixSortByKey(zs, nv);
  const nTiles = tilesX * tilesY;
  const tileStart = new Uint32Array(nTiles + 1);
  for (let q = 0; q < nv; q++) {
    const g = order[q];
    for (let ty = rect[g * 4 + 2]; ty < rect[g * 4 + 3]; ty++)
      for (let tx = rect[g * 4]; tx < rect[g * 4 + 1]; tx++) tileStart[ty * tilesX + tx + 1]++;
  }
  for (let t = 0; t < nTiles; t++) tileStart[t + 1] += tileStart[t];
  const fill = tileStart.slice(0, nTiles);
  const lists = new Uint32Array(tileEntries);
  for (let q = 0; q < nv; q++) {
    const g = order[q];
    for (let ty = rect[g * 4 + 2]; ty < rect[g * 4 + 3]; ty++)
      for (let tx = rect[g * 4]; tx < rect[g * 4 + 1]; tx++) lists[fill[ty * tilesX + tx]++] = g;
  }

  const color = new Float32Array(W * H * 3), depth = new Float32Array(W * H), alpha = new Float32Array(W * H);
  const semIdx = wantSem || wantFeat ? new Uint16Array(nv) : null;
  if (semIdx) for (let g = 0; g < nv; g++) semIdx[g] = scene.semantic[srcIdx[g]];
  const bank = scene.bank;
  const M = wantSem || wantFeat ? Math.max(bank.count, maxIndex(semIdx!) + 1) : 0;
  if (wantFeat) {
    const mx = maxIndex(semIdx!);
    if (mx >= bank.count) throw new Error(`renderGaussians: a Gaussian has semantic index ${mx} but the bank has ${bank.count} rows`);
  }
  const semantic = wantSem ? new Uint16Array(W * H) : undefined;
  const semConf = wantSem ? new Float32Array(W * H) : undefined;
  const D = bank.dim;
  const feature = wantFeat ? new Float32Array(W * H * D) : undefined;
  const acc = new Float64Array(M), touched = new Int32Array(M);

  // Per tile, Gaussian-major in depth order: each Gaussian visits only the tile pixels inside the
  // radius where its alpha can reach 1/255 (ext), and finished pixels (T would drop below 1e-4) are
  // skipped. Every pixel therefore sees exactly the pixel-major 3DGS sequence, at a fraction of the cost.
  const TP = TILE * TILE;
  const tT = new Float64Array(TP), tR = new Float64Array(TP), tG = new Float64Array(TP), tB = new Float64Array(TP), tZ = new Float64Array(TP);
  const done = new Uint8Array(TP);
  // Semantic contributions of the tile: per-pixel linked lists of (Gaussian, weight).
  const head = new Int32Array(TP);
  let cNext = new Int32Array(semIdx ? 4096 : 0), cG = new Int32Array(cNext.length), cW = new Float64Array(cNext.length);
  for (let tyy = 0; tyy < tilesY; tyy++)
    for (let txx = 0; txx < tilesX; txx++) {
      const t = tyy * tilesX + txx;
      const l0 = tileStart[t], l1 = tileStart[t + 1];
      const px0 = txx * TILE, py0 = tyy * TILE;
      const pxEnd = Math.min(W, px0 + TILE), pyEnd = Math.min(H, py0 + TILE);
      const live = (pxEnd - px0) * (pyEnd - py0);
      tT.fill(1); tR.fill(0); tG.fill(0); tB.fill(0); tZ.fill(0); done.fill(0);
      let nDone = 0, nC = 0;
      if (semIdx) head.fill(-1);
      for (let l = l0; l < l1 && nDone < live; l++) {
        const g = lists[l];
        const mu0 = mu[g * 2], mu1 = mu[g * 2 + 1], e = ext[g];
        const ca = conic[g * 3], cb = conic[g * 3 + 1], cc = conic[g * 3 + 2], ct = cut[g], o = op[g];
        const xa = Math.max(px0, Math.ceil(mu0 - e - 0.5)), xb = Math.min(pxEnd - 1, Math.floor(mu0 + e - 0.5));
        const ya = Math.max(py0, Math.ceil(mu1 - e - 0.5)), yb = Math.min(pyEnd - 1, Math.floor(mu1 + e - 0.5));
        for (let py = ya; py <= yb; py++) {
          const dy = py + 0.5 - mu1;
          const rowI = (py - py0) * TILE - px0;
          for (let px = xa; px <= xb; px++) {
            const i = rowI + px;
            if (done[i]) continue;
            const dx = px + 0.5 - mu0;
            const power = -0.5 * (ca * dx * dx + cc * dy * dy) - cb * dx * dy;
            // Cheap rejection before exp(): below `cut` alpha < 1/255 anyway (the margin keeps it exact).
            if (power > 0 || power < ct) continue;
            let al = o * Math.exp(power);
            if (al > ALPHA_MAX) al = ALPHA_MAX;
            if (al < ALPHA_MIN) continue;
            const T = tT[i];
            const nT = T * (1 - al);
            if (nT < T_MIN) {
              done[i] = 1;
              nDone++;
              continue;
            }
            const w = al * T;
            tR[i] += rgb[g * 3] * w; tG[i] += rgb[g * 3 + 1] * w; tB[i] += rgb[g * 3 + 2] * w;
            tZ[i] += zs[g] * w;
            tT[i] = nT;
            if (semIdx) {
              if (nC === cNext.length) {
                const grow = <A extends Int32Array | Float64Array>(a: A): A => {
                  const b = new (a.constructor as new (n: number) => A)(a.length * 2);
                  b.set(a);
                  return b;
                };
                cNext = grow(cNext); cG = grow(cG); cW = grow(cW);
              }
              cG[nC] = g; cW[nC] = w; cNext[nC] = head[i]; head[i] = nC++;
            }
          }
        }
      }
      for (let py = py0; py < pyEnd; py++)
        for (let px = px0; px < pxEnd; px++) {
          const i = (py - py0) * TILE + (px - px0), p = py * W + px, T = tT[i];
          color[p * 3] = tR[i] + T * bg[0];
          color[p * 3 + 1] = tG[i] + T * bg[1];
          color[p * 3 + 2] = tB[i] + T * bg[2];
          const a = 1 - T;
          alpha[p] = a;
          depth[p] = a > 0 ? tZ[i] / a : 0;
          if (!semIdx || head[i] < 0) continue;
          let nTouched = 0;
          for (let c = head[i]; c >= 0; c = cNext[c]) {
            const sIdx = semIdx[cG[c]];
            if (acc[sIdx] === 0) touched[nTouched++] = sIdx;
            acc[sIdx] += cW[c];
          }
          let best = 0, bestW = 0, sum = 0;
          for (let q = 0; q < nTouched; q++) {
            const sIdx = touched[q], w = acc[sIdx];
            sum += w;
            if (w > bestW || (w === bestW && sIdx < best)) {
              bestW = w;
              best = sIdx;
            }
          }
          if (semantic) {
            semantic[p] = best;
            semConf![p] = sum > 0 ? bestW / sum : 0;
          }
          if (feature) {
            const f0 = p * D, row = bank.embeddings;
            for (let q = 0; q < nTouched; q++) {
              const sIdx = touched[q];
              if (sIdx === 0) continue;
              const w = acc[sIdx];
              for (let dd = 0; dd < D; dd++) feature[f0 + dd] += w * row[sIdx * D + dd];
            }
            let nn = 0;
            for (let dd = 0; dd < D; dd++) nn += feature[f0 + dd] * feature[f0 + dd];
            if (nn > 0) {
              const inv = 1 / Math.sqrt(nn);
              for (let dd = 0; dd < D; dd++) feature[f0 + dd] *= inv;
            }
          }
          for (let q = 0; q < nTouched; q++) acc[touched[q]] = 0;
        }
    }

  let colorU8: Uint8Array | undefined;
  if (opts.uint8) {
    colorU8 = new Uint8Array(W * H * 3);
    for (let i = 0; i < colorU8.length; i++) {
      const c = color[i];
      colorU8[i] = c <= 0 ? 0 : c >= 1 ? 255 : Math.round(c * 255);
    }
  }
  return { width: W, height: H, color, colorU8, depth, alpha, semantic, semanticConfidence: semConf, feature, stats: { visible: nv, tileEntries } };
}

function maxIndex(a: Uint16Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) if (a[i] > m) m = a[i];
  return m;
}

const shOut = new Float64Array(3);
/** Σ over SH bands 1..degree of coefficient × basis for unit direction (x, y, z); 3DGS basis and signs. */
function evalShRest(sh: Float32Array, o: number, degree: number, x: number, y: number, z: number): Float64Array {
  const basis: number[] = [-SH_C1 * y, SH_C1 * z, -SH_C1 * x];
  if (degree > 1) {
    const xx = x * x, yy = y * y, zz = z * z;
    basis.push(SH_C2[0] * x * y, SH_C2[1] * y * z, SH_C2[2] * (2 * zz - xx - yy), SH_C2[3] * x * z, SH_C2[4] * (xx - yy));
    if (degree > 2)
      basis.push(
        SH_C3[0] * y * (3 * xx - yy),
        SH_C3[1] * x * y * z,
        SH_C3[2] * y * (4 * zz - xx - yy),
        SH_C3[3] * z * (2 * zz - 3 * xx - 3 * yy),
        SH_C3[4] * x * (4 * zz - xx - yy),
        SH_C3[5] * z * (xx - yy),
        SH_C3[6] * x * (xx - 3 * yy),
      );
  }
  shOut[0] = shOut[1] = shOut[2] = 0;
  for (let c = 0; c < basis.length; c++) {
    shOut[0] += basis[c] * sh[o + c * 3];
    shOut[1] += basis[c] * sh[o + c * 3 + 1];
    shOut[2] += basis[c] * sh[o + c * 3 + 2];
  }
  return shOut;
}
