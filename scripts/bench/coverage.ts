/**
 * Scan coverage (lib/pipeline/scan-coverage.ts): per-keyframe cost of `ScanCoverage.addView` on a 320x240
 * device-depth map of the living_room sim (a 24-keyframe walk around the room), against two baselines
 * measured in the same run: reading the same depth map once (a plain sum over its pixels) and the yaw
 * histogram it replaced (one atan2 per keyframe; inline copy of the removed YawCoverage.add). Also the
 * report (regions) over the grid that walk built, and the depthless path (`depthFromPoints`: the scene's
 * Gaussian centres rendered from a keyframe's pose) at 300k points.
 */
import { ScanCoverage, depthFromPoints } from '../../lib/pipeline/scan-coverage';
import type { DepthMap } from '../../lib/capture/frame';
import { rasterize } from '../../lib/sim/rasterizer';
import { pinholeIntrinsics } from '../../lib/sim/render-capture';
import { loadRoom } from '../../lib/sim/room';
import { readSemRoom } from '../samples';
import type { BenchTable } from './table';

const pose = (x: number, z: number, yawDeg: number) => {
  const a = (yawDeg * Math.PI) / 180, c = Math.cos(a), s = Math.sin(a);
  return Float64Array.from([c, 0, -s, 0, 0, 1, 0, 0, s, 0, c, 0, x, 1.5, z, 1]);
};

/** Median of per-call milliseconds over `rounds` passes of fn over all inputs. */
function perCall<T>(inputs: T[], fn: (t: T) => unknown, rounds: number): number {
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    for (const t of inputs) fn(t);
    samples.push((performance.now() - t0) / inputs.length);
  }
  samples.sort((a, b) => a - b);
  return samples[samples.length >> 1];
}

export async function run(opts: { quick: boolean }): Promise<BenchTable[]> {
  const room = loadRoom(readSemRoom('living_room'));
  const scene = { positions: room.positions, triangleCount: room.triangleCount, objectId: room.objectId };
  const K = pinholeIntrinsics(320, 240, 70);
  const n = opts.quick ? 8 : 24;
  const views: { m: Float64Array; depth: DepthMap }[] = [];
  for (let i = 0; i < n; i++) {
    // A loop around the room's middle, looking outwards and a little sideways.
    const a = (i / n) * 2 * Math.PI;
    const m = pose(0.2 + 1.2 * Math.cos(a), -0.2 + 1.0 * Math.sin(a), (-a * 180) / Math.PI - 60);
    const out = rasterize(scene, { intrinsics: K, cameraToWorld: m });
    views.push({ m, depth: { width: 320, height: 240, data: out.depth, intrinsics: K } });
  }
  const rounds = opts.quick ? 5 : 21;

  let sink = 0;
  const readOnce = perCall(views, (v) => {
    let s = 0;
    const d = v.depth.data;
    for (let i = 0; i < d.length; i++) s += d[i];
    sink += s;
  }, rounds);
  const yaw = new Int32Array(12);
  const yawHist = perCall(views, (v) => {
    const fx = -v.m[8], fz = -v.m[10];
    if (Math.hypot(fx, fz) < 0.2) return;
    const deg = (Math.atan2(fz, fx) * 180) / Math.PI;
    yaw[Math.floor((((deg + 15) % 360) + 360) % 360 / 30) % 12]++;
  }, rounds);
  // A fresh grid per round, so every round pays the same growth.
  const addSamples: number[] = [];
  let cov = new ScanCoverage();
  for (let r = 0; r < rounds; r++) {
    cov = new ScanCoverage();
    const t0 = performance.now();
    for (const v of views) cov.addView(v.m, v.depth);
    addSamples.push((performance.now() - t0) / views.length);
  }
  addSamples.sort((a, b) => a - b);
  const add = addSamples[addSamples.length >> 1];
  const rep = cov.report();
  const reportMs = perCall([0], () => cov.report(), rounds);

  // Depthless keyframes: 300k scene points rendered at 64 px across.
  const N = opts.quick ? 50_000 : 300_000;
  const pts = new Float32Array(N * 3);
  for (let i = 0; i < N; i++) {
    const t = room.positions, tri = (i * 7919) % room.triangleCount;
    for (let k = 0; k < 3; k++) pts[3 * i + k] = (t[9 * tri + k] + t[9 * tri + 3 + k] + t[9 * tri + 6 + k]) / 3;
  }
  const fromPoints = perCall(views.slice(0, 4), (v) => depthFromPoints(pts, N, v.m, K), Math.max(3, rounds >> 2));
  if (sink === 42) console.log(sink, yaw);

  const r3 = (v: number) => +v.toPrecision(3);
  const us = (ms: number) => +(ms * 1000).toPrecision(3);
  return [
    {
      title: 'Coverage update per keyframe (320x240 depth, living_room sim walk)',
      columns: ['step', 'µs / keyframe', 'x read-once baseline', 'x yaw-histogram baseline'],
      rows: [
        ['read the depth map once (sum) [baseline]', us(readOnce), 1, r3(readOnce / yawHist)],
        ['old yaw histogram (YawCoverage.add) [baseline]', us(yawHist), r3(yawHist / readOnce), 1],
        ['ScanCoverage.addView (80 samples across)', us(add), r3(add / readOnce), r3(add / yawHist)],
        [`ScanCoverage.report (${rep.cellsSeen} cells seen, ${rep.thinAreaCount} thin areas)`, us(reportMs), r3(reportMs / readOnce), r3(reportMs / yawHist)],
        [`depthFromPoints, ${N.toLocaleString('en')} points -> 64 px (depthless keyframe)`, us(fromPoints), r3(fromPoints / readOnce), r3(fromPoints / yawHist)],
      ],
      notes: [`${n} keyframes, median of ${rounds} passes; report grid ${rep.bounds ? `${((rep.bounds.maxX - rep.bounds.minX) / rep.cellSize) * ((rep.bounds.maxZ - rep.bounds.minZ) / rep.cellSize)} cells` : 'empty'}.`],
    },
  ];
}
