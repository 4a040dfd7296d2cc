/**
 * Writes a TUM RGB-D sequence made from redkitchen frames (../shared, never copied into the
 * project): the test's own capture in a temp folder. Poses are converted from the 7-Scenes text
 * files here, independently of the readers (OpenCV row-major rotation -> quaternion), so a reader
 * that gets the convention wrong cannot agree with itself.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodePng, encodePng } from '../../../lib/capture/png';

export const TUM_T0 = 1305031102.175304;

/** Quaternion (x y z w) of a row-major 3x3 rotation (Shepperd's method). */
export function quaternionOfRows(r: number[][]): [number, number, number, number] {
  const tr = r[0][0] + r[1][1] + r[2][2];
  let x: number, y: number, z: number, w: number;
  if (tr > 0) {
    const s = Math.sqrt(tr + 1) * 2;
    w = 0.25 * s; x = (r[2][1] - r[1][2]) / s; y = (r[0][2] - r[2][0]) / s; z = (r[1][0] - r[0][1]) / s;
  } else if (r[0][0] > r[1][1] && r[0][0] > r[2][2]) {
    const s = Math.sqrt(1 + r[0][0] - r[1][1] - r[2][2]) * 2;
    w = (r[2][1] - r[1][2]) / s; x = 0.25 * s; y = (r[0][1] + r[1][0]) / s; z = (r[0][2] + r[2][0]) / s;
  } else if (r[1][1] > r[2][2]) {
    const s = Math.sqrt(1 + r[1][1] - r[0][0] - r[2][2]) * 2;
    w = (r[0][2] - r[2][0]) / s; x = (r[0][1] + r[1][0]) / s; y = 0.25 * s; z = (r[1][2] + r[2][1]) / s;
  } else {
    const s = Math.sqrt(1 + r[2][2] - r[0][0] - r[1][1]) * 2;
    w = (r[1][0] - r[0][1]) / s; x = (r[0][2] + r[2][0]) / s; y = (r[1][2] + r[2][1]) / s; z = 0.25 * s;
  }
  const n = Math.hypot(x, y, z, w);
  return [x / n, y / n, z / n, w / n];
}

export interface TumFixture {
  dir: string;
  /** redkitchen frame numbers written, in order; rgb.txt line i is frames[i]. */
  frames: number[];
  /** rgb timestamps (s). */
  times: number[];
}

/**
 * `frames` of redkitchen as a TUM sequence: rgb/ and depth/ PNGs (depth in 1/5000 m), depth 4 ms
 * after colour, ground truth at the colour times except for the second frame, which gets two
 * samples 5 ms either side (same pose: interpolation must return it), plus one colour frame far
 * from any pose (to be skipped). `calibration` writes TUM's one-line calibration.txt.
 */
export function writeTumFromRedkitchen(src: string, frames: number[], opts: { calibration?: boolean; dir?: string } = {}): TumFixture {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'segsplat-tum-'));
  mkdirSync(join(dir, 'rgb'), { recursive: true });
  mkdirSync(join(dir, 'depth'), { recursive: true });
  const rgb = ['# color images', '# timestamp filename'];
  const depth = ['# depth maps', '# timestamp filename'];
  const gt = ['# ground truth trajectory', '# timestamp tx ty tz qx qy qz qw'];
  const times: number[] = [];
  frames.forEach((n, i) => {
    const stem = `frame-${String(n).padStart(6, '0')}`;
    const t = TUM_T0 + i / 30;
    times.push(t);
    const ts = t.toFixed(6), td = (t + 0.004).toFixed(6);
    copyFileSync(join(src, `${stem}.color.png`), join(dir, 'rgb', `${ts}.png`));
    rgb.push(`${ts} rgb/${ts}.png`);
    const mm = decodePng(new Uint8Array(readFileSync(join(src, `${stem}.depth.png`))));
    const units = new Uint16Array(mm.data.length);
    for (let k = 0; k < units.length; k++) units[k] = mm.data[k] === 65535 ? 0 : mm.data[k] * 5;
    writeFileSync(join(dir, 'depth', `${td}.png`), encodePng({ width: mm.width, height: mm.height, channels: 1, bitDepth: 16, data: units }));
    depth.push(`${td} depth/${td}.png`);
    const v = readFileSync(join(src, `${stem}.pose.txt`), 'utf8').trim().split(/\s+/).map(Number);
    const rows = [v.slice(0, 3), v.slice(4, 7), v.slice(8, 11)];
    const q = quaternionOfRows(rows);
    const line = (tt: number) => `${tt.toFixed(6)} ${v[3]} ${v[7]} ${v[11]} ${q.map((x) => x.toFixed(9)).join(' ')}`;
    if (i === 1) gt.push(line(t - 0.005), line(t + 0.005));
    else gt.push(line(t));
  });
  // A colour frame 10 s after the others: no pose anywhere near it.
  const late = (TUM_T0 + 10).toFixed(6);
  copyFileSync(join(dir, 'rgb', `${times[0].toFixed(6)}.png`), join(dir, 'rgb', `${late}.png`));
  rgb.push(`${late} rgb/${late}.png`);
  writeFileSync(join(dir, 'rgb.txt'), rgb.join('\n') + '\n');
  writeFileSync(join(dir, 'depth.txt'), depth.join('\n') + '\n');
  writeFileSync(join(dir, 'groundtruth.txt'), gt.join('\n') + '\n');
  if (opts.calibration !== false) writeFileSync(join(dir, 'calibration.txt'), '585 585 320 240\n');
  return { dir, frames, times };
}
