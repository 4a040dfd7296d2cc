/**
 * Is a render upright? NCC between a canvas screenshot and the photo of the capture camera the view starts from,
 * upright and turned 180° (used by /view's and /scan's real-capture tests).
 */
import { PNG } from 'pngjs';
import type { RgbImage } from '../../../lib/capture/frame';

/** Grey value of the photo at normalised (u, v), box-averaged over a few pixels. */
function photoGrey(img: RgbImage, u: number, v: number, r: number): number {
  const cx = Math.round(u * (img.width - 1)), cy = Math.round(v * (img.height - 1));
  let s = 0, n = 0;
  for (let y = Math.max(0, cy - r); y <= Math.min(img.height - 1, cy + r); y++)
    for (let x = Math.max(0, cx - r); x <= Math.min(img.width - 1, cx + r); x++) {
      const i = 3 * (y * img.width + x);
      s += img.data[i] + img.data[i + 1] + img.data[i + 2];
      n++;
    }
  return s / n / 3;
}

/**
 * NCC between the canvas and the photo of the camera it starts from, upright and turned 180°. The view has the
 * photo's vertical field of view, so canvas row y is photo row y·h/H and the photo spans H·(w/h) pixels across.
 * The view is level (world up), the photo may be rolled: `roll` (radians, from cameraRoll) turns the photo's
 * samples back; samples that fall outside the photo are left out.
 */
export function uprightScores(shot: Buffer, photo: RgbImage, roll = 0): { upright: number; flipped: number } {
  const img = PNG.sync.read(shot);
  const W = img.width, H = img.height;
  const span = H * (photo.width / photo.height);
  const a: number[] = [], b: number[] = [], c: number[] = [];
  const r = Math.max(1, Math.round(photo.height / H));
  for (let gy = 0; gy < 48; gy++)
    for (let gx = 0; gx < 48; gx++) {
      const y = Math.floor(((gy + 0.5) / 48) * H);
      const x = Math.floor(W / 2 - Math.min(span, W) / 2 + ((gx + 0.5) / 48) * Math.min(span, W));
      const lu = 0.5 + (x - W / 2) / span, lv = y / H;
      // Level view (right, up) in photo pixels -> the rolled photo's (right, up).
      const ra = (lu - 0.5) * photo.width, rb = -(lv - 0.5) * photo.height;
      const cs = Math.cos(roll), sn = Math.sin(roll);
      const u = 0.5 + (ra * cs + rb * sn) / photo.width, v = 0.5 - (-ra * sn + rb * cs) / photo.height;
      if (!(u >= 0 && u <= 1 && v >= 0 && v <= 1)) continue;
      const i = 4 * (y * W + x);
      a.push((img.data[i] + img.data[i + 1] + img.data[i + 2]) / 3);
      b.push(photoGrey(photo, u, v, r));
      c.push(photoGrey(photo, 1 - u, 1 - v, r));
    }
  const ncc = (p: number[], q: number[]) => {
    const mp = p.reduce((s, x) => s + x, 0) / p.length, mq = q.reduce((s, x) => s + x, 0) / q.length;
    let num = 0, dp = 0, dq = 0;
    for (let i = 0; i < p.length; i++) {
      num += (p[i] - mp) * (q[i] - mq);
      dp += (p[i] - mp) ** 2;
      dq += (q[i] - mq) ** 2;
    }
    return num / Math.sqrt(dp * dq || 1);
  };
  return { upright: ncc(a, b), flipped: ncc(a, c) };
}

/**
 * Roll (radians) of a camera (column-major camera-to-world, OpenGL axes) about its line of sight relative to a
 * level camera looking the same way with `up` as its up: the angle from the level right axis to the camera's.
 */
export function cameraRoll(c2w: ArrayLike<number>, up: readonly number[]): number {
  const f = [-c2w[8], -c2w[9], -c2w[10]];
  const cross = (p: number[], q: readonly number[]) => [p[1] * q[2] - p[2] * q[1], p[2] * q[0] - p[0] * q[2], p[0] * q[1] - p[1] * q[0]];
  const r = cross(f, up);
  const l = Math.hypot(r[0], r[1], r[2]) || 1;
  const right = r.map((v) => v / l);
  const u2 = cross(right, f);
  const xc = [c2w[0], c2w[1], c2w[2]];
  const dot = (p: number[], q: number[]) => p[0] * q[0] + p[1] * q[1] + p[2] * q[2];
  return Math.atan2(dot(xc, u2), dot(xc, right));
}
