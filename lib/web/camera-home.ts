/**
 * Where the orbit camera starts and what it orbits, for /demo, /view and /scan:
 * - it starts AT a capture camera (its position and field of view, the world's up: the scene is y up), the
 *   one that looks most directly at the scene's robust centre unless a frame is picked;
 * - it orbits about the point of that camera's line of sight nearest the robust centre, so the first view
 *   is the captured one and dragging turns about the middle of the scene;
 * - the robust centre is the middle of the per-axis 2-98 % box of the splat centres: stereo outliers
 *   (splats flung metres away by a bad match) move neither the target nor the framing;
 * - the floor grid lies at y = 0 when the scene's world is known to be floor-aligned (a reconstruction
 *   records it; capture bundles are y up with the floor at 0), else at the box's low side, sized to the box.
 * Without capture cameras (a foreign .ply), the camera stands back from the robust box.
 */
export type Vec3 = [number, number, number];

export interface CameraHome {
  position: Vec3;
  /** Orbit target. */
  target: Vec3;
  up: Vec3;
  /** Vertical field of view in degrees (three.js PerspectiveCamera.fov). */
  fovYDeg: number;
}

export interface HomeCamera {
  cameraToWorld: ArrayLike<number>;
  intrinsics: { fy: number; height: number };
}

export interface RobustBox {
  min: Vec3;
  max: Vec3;
  centre: Vec3;
}

export interface SceneFraming {
  home: CameraHome | null;
  /** Robust centre (null without splats). */
  centre: Vec3 | null;
  /** The 2-98 % box it is the middle of (null without splats). */
  box: RobustBox | null;
  /** Height of the floor grid. */
  floorY: number;
  /** Side of the floor grid (metres, whole number of 1 m cells at least 10). */
  gridSize: number;
  /** Index of the capture camera the view starts from (-1: none). */
  camera: number;
}

/** Per-axis `q`..`1-q` percentile box of the first `count` centres (at most `sample` of them, evenly strided). */
export function robustBox(g: { count: number; positions: ArrayLike<number> }, q = 0.02, sample = 100_000): RobustBox | null {
  const n = g.count;
  if (!(n > 0)) return null;
  const step = Math.max(1, Math.floor(n / sample));
  const m = Math.ceil(n / step);
  const axes = [new Float32Array(m), new Float32Array(m), new Float32Array(m)];
  let k = 0;
  for (let i = 0; i < n; i += step, k++) for (let a = 0; a < 3; a++) axes[a][k] = g.positions[3 * i + a];
  const min = [0, 0, 0] as Vec3, max = [0, 0, 0] as Vec3;
  for (let a = 0; a < 3; a++) {
    const s = axes[a].subarray(0, k).sort();
    min[a] = s[Math.floor(q * (k - 1))];
    max[a] = s[Math.ceil((1 - q) * (k - 1))];
  }
  if (![...min, ...max].every(Number.isFinite)) return null;
  return { min, max, centre: [0, 1, 2].map((a) => (min[a] + max[a]) / 2) as Vec3 };
}

const fovOf = (k: { fy: number; height: number }) => (2 * Math.atan(k.height / 2 / k.fy) * 180) / Math.PI;

/** Looking through capture camera `c`, orbiting about the point of its line of sight nearest `centre` (or `dist` ahead). */
export function cameraHomeFromCamera(c: HomeCamera, centre: Vec3 | null, dist = 2): CameraHome {
  const m = c.cameraToWorld;
  if (!m || m.length !== 16) throw new Error('cameraHomeFromCamera: cameraToWorld must have 16 numbers');
  const k = c.intrinsics;
  if (!(k.fy > 0 && k.height > 0)) throw new Error(`cameraHomeFromCamera: bad intrinsics fy=${k.fy} height=${k.height}`);
  const position: Vec3 = [m[12], m[13], m[14]];
  // The camera looks down its -z axis.
  const fwd: Vec3 = [-m[8], -m[9], -m[10]];
  let d = dist;
  if (centre) {
    const along = (centre[0] - position[0]) * fwd[0] + (centre[1] - position[1]) * fwd[1] + (centre[2] - position[2]) * fwd[2];
    if (along > 1e-3) d = along;
  }
  const target: Vec3 = [position[0] + fwd[0] * d, position[1] + fwd[1] * d, position[2] + fwd[2] * d];
  return { position, target, up: [0, 1, 0], fovYDeg: fovOf(k) };
}

/** The capture camera that looks most directly at `centre` (largest cosine between its forward axis and the centre). */
export function pickHomeCamera(cameras: readonly HomeCamera[], centre: Vec3 | null): number {
  if (!cameras.length) return -1;
  if (!centre) return 0;
  let best = 0, bestCos = -Infinity;
  cameras.forEach((c, i) => {
    const m = c.cameraToWorld;
    const v = [centre[0] - m[12], centre[1] - m[13], centre[2] - m[14]];
    const l = Math.hypot(v[0], v[1], v[2]) || 1;
    const cos = -(m[8] * v[0] + m[9] * v[1] + m[10] * v[2]) / l;
    if (cos > bestCos + 1e-9) {
      bestCos = cos;
      best = i;
    }
  });
  return best;
}

/**
 * For a scene without capture cameras (a foreign .ply/.glb): stand back from the box's centre along
 * +z and a little above, far enough to see the whole box with a 60° field of view.
 */
export function cameraHomeFromBounds(b: { min: Vec3; max: Vec3 }): CameraHome {
  const c: Vec3 = [0, 1, 2].map((k) => (b.min[k] + b.max[k]) / 2) as Vec3;
  const extent = Math.max(1e-3, ...[0, 1, 2].map((k) => b.max[k] - b.min[k]));
  if (!c.every(Number.isFinite) || !Number.isFinite(extent)) throw new Error('cameraHomeFromBounds: bounds are not finite');
  const d = extent * 1.2;
  return { position: [c[0], c[1] + d * 0.3, c[2] + d], target: c, up: [0, 1, 0], fovYDeg: 60 };
}

/** Home, orbit centre and floor grid for a scene (see the file comment). `selected` picks a capture camera. */
export function frameScene(
  g: { count: number; positions: ArrayLike<number> } | null,
  cameras: readonly HomeCamera[],
  opts: { selected?: number; floorAtZero?: boolean } = {},
): SceneFraming {
  const box = g ? robustBox(g) : null;
  const centre = box?.centre ?? null;
  const camera = opts.selected !== undefined && opts.selected >= 0 && opts.selected < cameras.length ? opts.selected : pickHomeCamera(cameras, centre);
  const home = camera >= 0 ? cameraHomeFromCamera(cameras[camera], centre) : box ? cameraHomeFromBounds(box) : null;
  const floorY = opts.floorAtZero || !box ? 0 : box.min[1];
  const span = box ? Math.max(box.max[0] - box.min[0], box.max[2] - box.min[2]) : 0;
  const gridSize = Math.max(10, 2 * Math.ceil(span));
  return { home, centre, box, floorY, gridSize, camera };
}
