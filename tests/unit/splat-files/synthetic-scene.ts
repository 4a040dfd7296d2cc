/**
 * A realistic test scene for the file formats: a 4 m x 4 m checker-textured floor, a 0.6 m box on
 * it and a back wall, sampled like pixel-aligned Gaussians from a few views would be (surface
 * points at ~5 mm spacing, flat scales aligned to the surface, opacities 0.3..1, colours from the
 * texture plus noise). Semantics: floor = 1, box = 2, wall = 3, 10 % unlabelled (0); a bank of
 * 4 rows of dimension `bankDim` with metadata. Deterministic (seeded).
 */
import { GaussianScene, shRestCount } from '../../../lib/splat/gaussian-scene';

export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

function quatFromTo(nx: number, ny: number, nz: number, spin: number): [number, number, number, number] {
  // rotation taking +z to n, then a spin about n
  const d = nz;
  let q: [number, number, number, number];
  if (d < -0.9999) q = [1, 0, 0, 0];
  else {
    const ax = -ny, ay = nx; // z x n
    const w = 1 + d;
    const l = Math.hypot(ax, ay, 0, w);
    q = [ax / l, ay / l, 0, w / l];
  }
  const s = Math.sin(spin / 2), c = Math.cos(spin / 2);
  const [x, y, z, w] = q;
  // q * (spin about local z)
  return [x * c + y * s, y * c - x * s, z * c + w * s, w * c - z * s];
}

export interface SyntheticOptions {
  count: number;
  shDegree?: number;
  bankDim?: number;
  seed?: number;
}

export function syntheticScene(opts: SyntheticOptions): GaussianScene {
  const { count, shDegree = 0, bankDim = 512, seed = 7 } = opts;
  const r = rng(seed);
  const scene = new GaussianScene({ budget: Math.max(count, 1), initialCapacity: Math.max(count, 1), shDegree, bankDim });
  const labels = ['floor', 'box', 'wall'];
  for (let b = 0; b < labels.length; b++) {
    const e = new Float32Array(bankDim);
    let nn = 0;
    for (let k = 0; k < bankDim; k++) nn += (e[k] = r() - 0.5) ** 2;
    for (let k = 0; k < bankDim; k++) e[k] /= Math.sqrt(nn);
    scene.bank.add(e, {
      label: labels[b],
      instanceId: b === 1 ? 7 : -1,
      sourceViews: [0, 2 + b, 5],
      support: 3 + b,
      box: b === 1 ? { min: [-0.3, 0, -0.3], max: [0.3, 0.6, 0.3] } : undefined,
    });
  }
  scene.allocate(count);
  const nr = shRestCount(shDegree);
  for (let i = 0; i < count; i++) {
    const which = r();
    let x: number, y: number, z: number, n: [number, number, number], sem: number, u: number, v: number;
    if (which < 0.6) {
      x = (r() - 0.5) * 4; y = 0; z = (r() - 0.5) * 4; n = [0, 1, 0]; sem = 1; u = x; v = z;
    } else if (which < 0.8) {
      const face = Math.floor(r() * 5);
      const a = (r() - 0.5) * 0.6, b = r() * 0.6;
      if (face === 0) { x = 0.3; y = b; z = a; n = [1, 0, 0]; }
      else if (face === 1) { x = -0.3; y = b; z = a; n = [-1, 0, 0]; }
      else if (face === 2) { x = a; y = b; z = 0.3; n = [0, 0, 1]; }
      else if (face === 3) { x = a; y = b; z = -0.3; n = [0, 0, -1]; }
      else { x = a; y = 0.6; z = (r() - 0.5) * 0.6; n = [0, 1, 0]; }
      sem = 2; u = a * 3; v = b * 3;
    } else {
      x = (r() - 0.5) * 4; y = r() * 2.5; z = -2; n = [0, 0, 1]; sem = 3; u = x; v = y;
    }
    if (r() < 0.1) sem = 0;
    const jitter = 0.002;
    scene.positions.set([x + (r() - 0.5) * jitter, y + (r() - 0.5) * jitter, z + (r() - 0.5) * jitter], i * 3);
    const q = quatFromTo(n[0], n[1], n[2], r() * Math.PI * 2);
    scene.rotations.set(q, i * 4);
    const s = 0.002 + r() * 0.01;
    scene.scales.set([s * (0.7 + r() * 0.6), s * (0.7 + r() * 0.6), 0.0005 + r() * 0.001], i * 3);
    scene.opacities[i] = 0.3 + 0.7 * r();
    const checker = (Math.floor(u * 4) + Math.floor(v * 4)) & 1;
    const base = sem === 2 ? [0.8, 0.3, 0.2] : sem === 3 ? [0.7, 0.7, 0.65] : checker ? [0.9, 0.9, 0.85] : [0.2, 0.25, 0.3];
    for (let c = 0; c < 3; c++) scene.colors[i * 3 + c] = Math.min(1, Math.max(0, base[c] + (r() - 0.5) * 0.1));
    for (let k = 0; k < nr; k++) scene.shRest[i * nr + k] = (r() - 0.5) * 0.2;
    scene.semantic[i] = sem;
    scene.weight[i] = 1;
  }
  return scene;
}
