/**
 * Splat core benchmarks: Gaussians from depth, fusion, CPU reference render, memory per Gaussian.
 * Every figure has a baseline measured in the same run. Wall and CPU time are both reported: the
 * machine is shared, and CPU time shows how much of the wall time was ours.
 *
 *   npx tsx scripts/bench.ts --only splat [--quick]
 */
import type { Frame } from '../../lib/capture/frame';
import { GaussianScene } from '../../lib/splat/gaussian-scene';
import { gaussiansFromDepth } from '../../lib/splat/gaussians-from-depth';
import { SceneFusion, copyGaussian } from '../../lib/splat/fusion';
import { renderGaussians } from '../../lib/splat/cpu-renderer';
import { timeIt, type BenchTable } from './table';

/** Deterministic pseudo-random numbers. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

/**
 * A ray-cast room 6 x 3 x 5 m (walls, floor, ceiling) with a 1 x 0.8 x 0.6 m box in it; the
 * camera stands at (x, 1.5, z) with the given yaw, 60° horizontal field of view.
 */
function roomFrame(id: string, W: number, H: number, yaw: number, x: number, z: number): Frame {
  const fx = W / 2 / Math.tan(Math.PI / 6);
  const k = { fx, fy: fx, cx: W / 2, cy: H / 2, width: W, height: H };
  const c = Math.cos(yaw), s = Math.sin(yaw);
  // camera axes: x = (c, 0, -s), y = (0, 1, 0), z = (s, 0, c) (looks down -z = (-s, 0, -c))
  const pose = new Float64Array([c, 0, -s, 0, 0, 1, 0, 0, s, 0, c, 0, x, 1.5, z, 1]);
  const depth = new Float32Array(W * H), img = new Uint8Array(W * H * 3);
  const lo = [-3, 0, -2.5], hi = [3, 3, 2.5], bl = [0.5, 0, -1.3], bh = [1.5, 0.8, -0.7];
  const o = [x, 1.5, z];
  for (let v = 0; v < H; v++)
    for (let u = 0; u < W; u++) {
      const rx = (u + 0.5 - k.cx) / fx, ry = -(v + 0.5 - k.cy) / fx;
      const d = [c * rx - s, ry, -s * rx - c];
      let t = Infinity;
      for (let a = 0; a < 3; a++) {
        if (d[a] === 0) continue;
        const ta = ((d[a] > 0 ? hi[a] : lo[a]) - o[a]) / d[a];
        if (ta < t) t = ta;
      }
      // slab test for the box
      let t0 = 0, t1 = Infinity;
      for (let a = 0; a < 3; a++) {
        const inv = 1 / d[a];
        let ta = (bl[a] - o[a]) * inv, tb = (bh[a] - o[a]) * inv;
        if (ta > tb) [ta, tb] = [tb, ta];
        t0 = Math.max(t0, ta);
        t1 = Math.min(t1, tb);
      }
      if (t0 < t1 && t0 > 0 && t0 < t) t = t0;
      depth[v * W + u] = t;
      const px = o[0] + t * d[0], py = o[1] + t * d[1], pz = o[2] + t * d[2];
      const chk = (Math.floor(px * 4) + Math.floor(py * 4) + Math.floor(pz * 4)) & 1;
      const p = (v * W + u) * 3;
      img[p] = 90 + 80 * chk + 40 * Math.sin(px * 3);
      img[p + 1] = 100 + 60 * Math.sin(py * 5 + pz);
      img[p + 2] = 120 + 50 * Math.cos(pz * 4 - px);
    }
  return { id, image: { width: W, height: H, data: img }, intrinsics: k, cameraToWorld: pose, timestamp: 0, depth: { width: W, height: H, data: depth, intrinsics: k } };
}

/** The smallest thing the per-pixel step must do: unproject and copy the colour, no normal, no checks. */
function copyBaseline(frame: Frame, out: Float32Array): number {
  const depth = frame.depth!, W = depth.width, H = depth.height, D = depth.data;
  const k = depth.intrinsics, m = frame.cameraToWorld, img = frame.image.data;
  let n = 0;
  for (let v = 0; v < H; v++) {
    const ry = -(v + 0.5 - k.cy) / k.fy;
    for (let u = 0; u < W; u++) {
      const d = D[v * W + u];
      if (!(d > 0)) continue;
      const x = d * ((u + 0.5 - k.cx) / k.fx), y = d * ry, z = -d;
      const o = n * 6, p = (v * W + u) * 3;
      out[o] = m[0] * x + m[4] * y + m[8] * z + m[12];
      out[o + 1] = m[1] * x + m[5] * y + m[9] * z + m[13];
      out[o + 2] = m[2] * x + m[6] * y + m[10] * z + m[14];
      out[o + 3] = img[p] / 255;
      out[o + 4] = img[p + 1] / 255;
      out[o + 5] = img[p + 2] / 255;
      n++;
    }
  }
  return n;
}

const perSec = (n: number, ms: number) => (ms > 0 ? (n / ms) * 1000 : 0);
const M = (x: number) => +(x / 1e6).toFixed(2);

async function benchFromDepth(quick: boolean): Promise<BenchTable> {
  const rows: (string | number)[][] = [];
  const sizes: [number, number][] = quick ? [[320, 240]] : [[320, 240], [640, 480]];
  for (const [W, H] of sizes) {
    const frame = roomFrame('bench', W, H, 0.4, 0.3, 1.2);
    const scene = new GaussianScene({ initialCapacity: W * H, budget: W * H * 2 });
    const buf = new Float32Array(W * H * 6);
    let n = 0;
    const ours = await timeIt(() => {
      scene.count = 0;
      n = gaussiansFromDepth(scene, frame, 0).count;
    }, quick ? 5 : 10);
    const base = await timeIt(() => copyBaseline(frame, buf), quick ? 5 : 10);
    rows.push([
      `${W}x${H} stride 1`, n,
      M(perSec(n, ours.wallMs)), M(perSec(n, ours.cpuMs)),
      M(perSec(n, base.wallMs)), M(perSec(n, base.cpuMs)),
      +(ours.cpuMs / Math.max(base.cpuMs, 1e-3)).toFixed(1),
    ]);
  }
  return {
    title: 'splat: Gaussians from depth (one core)',
    columns: ['input', 'Gaussians', 'ours M/s wall', 'ours M/s CPU', 'copy loop M/s wall', 'copy loop M/s CPU', 'CPU time ratio ours/copy'],
    rows,
    notes: [
      'Room scene ray-cast in the run (walls, floor, ceiling, a box: depth discontinuities included). Best of 5-10 runs.',
      'Baseline: a plain loop over the same pixels that only unprojects and copies the colour (no normal, scale, quaternion, checks).',
      'Target: >= 10 M Gaussians/s per core (compare the CPU column; wall time includes other processes on the shared machine).',
    ],
  };
}

export async function benchFusion(quick: boolean): Promise<BenchTable> {
  const W = 160, H = 120;
  const nViews = quick ? 16 : 48;
  const views: GaussianScene[] = [];
  const origins: number[][] = [];
  for (let i = 0; i < nViews; i++) {
    // a slow walk around the room centre, turning: consecutive views overlap most of their pixels
    const yaw = (i / nViews) * 2 * Math.PI * 1.5;
    const f = roomFrame(`v${i}`, W, H, yaw, 0.6 * Math.cos(i * 0.3), 0.4 * Math.sin(i * 0.2));
    const s = new GaussianScene({ initialCapacity: W * H });
    gaussiansFromDepth(s, f, i);
    views.push(s);
    origins.push([f.cameraToWorld[12], f.cameraToWorld[13], f.cameraToWorld[14]]);
  }
  // The fusion before the depth-noise tolerance and the density limit (issues 11/12), measured in the same run.
  const legacy = { depthNoise: null, poseError: 0, densityRatio: 0, minNormalDot: 0.5 };
  const total = views.reduce((a, s) => a + s.count, 0);
  const rows: (string | number)[][] = [];
  for (const [budget, mode] of [[4_000_000, 'ours'], [4_000_000, 'legacy'], [Math.round(total / 6), 'ours'], [Math.round(total / 6), 'legacy']] as const) {
    let fused = 0, evicted = 0, bookkeeping = 0;
    const ours = await timeIt(() => {
      evicted = 0;
      const scene = new GaussianScene({ budget });
      const fusion = new SceneFusion(scene, mode === 'legacy' ? legacy : {});
      for (let i = 0; i < views.length; i++) evicted += fusion.addView(i, views[i], undefined, { origin: origins[i] }).evicted;
      fused = scene.count;
      bookkeeping = fusion.bookkeepingBytes();
    }, 2);
    const base = await timeIt(() => {
      const scene = new GaussianScene({ budget: total });
      for (const s of views) {
        const first = scene.allocate(s.count);
        for (let j = 0; j < s.count; j++) copyGaussian(s, j, scene, first + j);
      }
    }, 2);
    rows.push([
      mode === 'ours' ? 'noise tolerance + density limit' : 'before (3 rho, no limit)', budget >= total ? 'none (4M)' : budget, nViews, total, fused, evicted,
      M(perSec(total, ours.wallMs)), M(perSec(total, ours.cpuMs)), M(perSec(total, base.cpuMs)),
      +(ours.cpuMs / Math.max(base.cpuMs, 1e-3)).toFixed(1), +(bookkeeping / 2 ** 20).toFixed(1),
    ]);
  }
  return {
    title: 'splat: incremental fusion (SceneFusion.addView)',
    columns: ['fusion', 'budget', 'views', 'input Gaussians', 'fused Gaussians', 'evicted', 'ours M/s wall', 'ours M/s CPU', 'append-only M/s CPU', 'CPU time ratio', 'bookkeeping MiB'],
    rows,
    notes: [
      `${W}x${H} views of a ray-cast room along a turning walk; each view's Gaussians come from gaussiansFromDepth (stride 1).`,
      'Baseline: appending the same Gaussians with no hashing or merging (what a scan would hold without fusion).',
      'Bookkeeping = alternates pool (for removeView) + spatial hash + links, beyond the scene itself. Best of 2 runs.',
      "before = the fusion's options before issues 11/12 (depthNoise null, poseError 0, densityRatio 0, minNormalDot 0.5), same code and views.",
    ],
  };
}

function randomScene(n: number, seed: number): GaussianScene {
  const r = rng(seed);
  const s = new GaussianScene({ initialCapacity: n, budget: Math.max(n, 1) });
  s.allocate(n);
  for (let i = 0; i < n; i++) {
    // uniformly inside the view frustum of the bench camera (60° fov), 1..6 m away
    const z = 1 + 5 * r();
    const t = Math.tan(Math.PI / 6);
    s.positions[i * 3] = (r() * 2 - 1) * t * z;
    s.positions[i * 3 + 1] = (r() * 2 - 1) * t * z;
    s.positions[i * 3 + 2] = -z;
    const sc = 0.005 + 0.02 * r();
    s.scales[i * 3] = sc;
    s.scales[i * 3 + 1] = sc * (0.3 + r());
    s.scales[i * 3 + 2] = sc * 0.1;
    const q = [r() - 0.5, r() - 0.5, r() - 0.5, r() - 0.5];
    const ql = Math.hypot(q[0], q[1], q[2], q[3]) || 1;
    for (let a = 0; a < 4; a++) s.rotations[i * 4 + a] = q[a] / ql;
    s.opacities[i] = 0.3 + 0.7 * r();
    s.colors[i * 3] = r();
    s.colors[i * 3 + 1] = r();
    s.colors[i * 3 + 2] = r();
    s.semantic[i] = 1 + Math.floor(r() * 20);
  }
  return s;
}

/** Baseline: project each centre to its pixel and keep the nearest (a z-buffered point cloud). */
function pointSplat(s: GaussianScene, W: number, H: number, f: number): Float32Array {
  const zb = new Float32Array(W * H).fill(Infinity), col = new Float32Array(W * H * 3);
  for (let i = 0; i < s.count; i++) {
    const z = -s.positions[i * 3 + 2];
    if (z <= 0.01) continue;
    const u = Math.floor(W / 2 + (f * s.positions[i * 3]) / z), v = Math.floor(H / 2 - (f * s.positions[i * 3 + 1]) / z);
    if (u < 0 || v < 0 || u >= W || v >= H) continue;
    const p = v * W + u;
    if (z < zb[p]) {
      zb[p] = z;
      col[p * 3] = s.colors[i * 3];
      col[p * 3 + 1] = s.colors[i * 3 + 1];
      col[p * 3 + 2] = s.colors[i * 3 + 2];
    }
  }
  return col;
}

async function benchRender(quick: boolean): Promise<BenchTable> {
  const W = 256, H = 256, f = W / 2 / Math.tan(Math.PI / 6);
  const camera = {
    intrinsics: { fx: f, fy: f, cx: W / 2, cy: H / 2, width: W, height: H },
    cameraToWorld: new Float64Array([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]),
  };
  const rows: (string | number)[][] = [];
  for (const n of quick ? [10_000, 100_000] : [10_000, 100_000, 1_000_000]) {
    const s = randomScene(n, n);
    let entries = 0;
    const plain = await timeIt(() => {
      entries = renderGaussians(s, camera, { semantics: false }).stats.tileEntries;
    }, n >= 1e6 ? 1 : 3);
    const sem = await timeIt(() => renderGaussians(s, camera, { semantics: true }), n >= 1e6 ? 1 : 3);
    const base = await timeIt(() => pointSplat(s, W, H, f), 3);
    rows.push([
      n, entries, +plain.wallMs.toFixed(1), +plain.cpuMs.toFixed(1), +sem.cpuMs.toFixed(1),
      +base.cpuMs.toFixed(1), +(plain.cpuMs / Math.max(base.cpuMs, 1e-3)).toFixed(1),
    ]);
  }
  return {
    title: 'splat: CPU reference render at 256x256',
    columns: ['Gaussians', '(Gaussian, tile) pairs', 'render ms wall', 'render ms CPU', 'with index map ms CPU', 'point splat ms CPU', 'CPU time ratio render/points'],
    rows,
    notes: [
      'Random flat Gaussians (sigma 5-25 mm) filling the 60° frustum 1-6 m deep; colour, depth, alpha always; index map on request.',
      'Baseline: projecting every centre to one pixel with a z-buffer (no footprint, no blending).',
      'This is the ground-truth renderer for tests and evaluation, not the interactive one (Spark on WebGL).',
    ],
  };
}

function arrayBufferBytes(): number {
  return process.memoryUsage().arrayBuffers;
}

async function benchMemory(quick: boolean): Promise<BenchTable> {
  const n = quick ? 5_000 : 20_000;
  const s = new GaussianScene({ initialCapacity: n, budget: n });
  const sceneBytes =
    s.positions.byteLength + s.scales.byteLength + s.rotations.byteLength + s.opacities.byteLength + s.colors.byteLength +
    s.shRest.byteLength + s.semantic.byteLength + s.sourceView.byteLength + s.sourcePixel.byteLength + s.weight.byteLength;
  // Semantics: measured from real allocations (ArrayBuffer accounting), not from a formula.
  const measure = (alloc: () => ArrayBufferView): number => {
    const before = arrayBufferBytes();
    const a = alloc();
    const after = arrayBufferBytes();
    if (a.byteLength === 0) throw new Error('empty allocation');
    return (after - before) / n;
  };
  const idx = measure(() => new Uint16Array(n));
  const feat = measure(() => new Float32Array(n * 512));
  return {
    title: 'splat: memory per Gaussian',
    columns: ['what', 'bytes per Gaussian', 'baseline', 'baseline bytes', 'ratio'],
    rows: [
      ['GaussianScene SoA, SH degree 0 (measured byteLength / capacity)', +(sceneBytes / n).toFixed(1), 'GaussianScene.bytesPerGaussian()', s.bytesPerGaussian(), +(sceneBytes / n / s.bytesPerGaussian()).toFixed(2)],
      ['semantics: Uint16 bank index (ours, measured)', +idx.toFixed(2), '512-float feature per Gaussian (measured)', +feat.toFixed(1), +(feat / idx).toFixed(0)],
    ],
    notes: [
      `Measured on ${n} Gaussians with process.memoryUsage().arrayBuffers around each allocation.`,
      'The bank itself (M x 512 floats, M ~ 1.2 x masks per view) is shared by all Gaussians: 2 KiB per entry, not per Gaussian.',
    ],
  };
}

export async function run(opts: { quick: boolean }): Promise<BenchTable[]> {
  return [await benchFromDepth(opts.quick), await benchFusion(opts.quick), await benchRender(opts.quick), await benchMemory(opts.quick)];
}
