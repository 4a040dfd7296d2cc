import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { memoryFiles } from '../../../lib/capture/bundle-files';
import { readCaptureBundle } from '../../../lib/capture/capture-bundle';
import { nodeFolderFiles } from '../../../lib/capture/node-files';
import { decodePng } from '../../../lib/capture/png';
import { transformPoint } from '../../../lib/capture/pose';
import { renderCapture } from '../../../lib/sim/render-capture';
import { loadRoom, type RoomScene } from '../../../lib/sim/room';
import { writeSampleBundle } from '../../../lib/sim/sample-bundle';
import { readSemRoom, sampleMeta } from '../../../scripts/samples';

const room = loadRoom(readSemRoom('living_room'));

/** Distance from p to triangle t (Ericson, Real-Time Collision Detection 5.1.5). */
function pointTriangleDistance(r: RoomScene, t: number, p: number[]): number {
  const P = r.positions, o = t * 9;
  const a = [P[o], P[o + 1], P[o + 2]], b = [P[o + 3], P[o + 4], P[o + 5]], c = [P[o + 6], P[o + 7], P[o + 8]];
  const sub = (u: number[], v: number[]) => [u[0] - v[0], u[1] - v[1], u[2] - v[2]];
  const dot = (u: number[], v: number[]) => u[0] * v[0] + u[1] * v[1] + u[2] * v[2];
  const ab = sub(b, a), ac = sub(c, a), ap = sub(p, a);
  const d1 = dot(ab, ap), d2 = dot(ac, ap);
  let q: number[];
  if (d1 <= 0 && d2 <= 0) q = a;
  else {
    const bp = sub(p, b), d3 = dot(ab, bp), d4 = dot(ac, bp);
    const cp = sub(p, c), d5 = dot(ab, cp), d6 = dot(ac, cp);
    const vc = d1 * d4 - d3 * d2, vb = d5 * d2 - d1 * d6, va = d3 * d6 - d5 * d4;
    if (d3 >= 0 && d4 <= d3) q = b;
    else if (d6 >= 0 && d5 <= d6) q = c;
    else if (vc <= 0 && d1 >= 0 && d3 <= 0) q = a.map((x, i) => x + (d1 / (d1 - d3)) * ab[i]);
    else if (vb <= 0 && d2 >= 0 && d6 <= 0) q = a.map((x, i) => x + (d2 / (d2 - d6)) * ac[i]);
    else if (va <= 0 && d4 - d3 >= 0 && d5 - d6 >= 0) {
      const w = (d4 - d3) / (d4 - d3 + (d5 - d6));
      q = b.map((x, i) => x + w * (c[i] - x));
    } else {
      const den = 1 / (va + vb + vc);
      q = a.map((x, i) => x + ab[i] * vb * den + ac[i] * vc * den);
    }
  }
  return Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]);
}

describe('renderCapture', () => {
  const cap = renderCapture(room, { seed: 1, views: 6, width: 96, height: 72 });

  it('gives valid frames with metric depth that unprojects onto the mesh', () => {
    expect(cap.frames).toHaveLength(6);
    let checked = 0;
    for (const f of cap.frames) {
      const K = f.intrinsics;
      expect(f.depth!.data.length).toBe(96 * 72);
      expect(f.depth!.confidence!.every((c, i) => c === (f.depth!.data[i] > 0 ? 1 : 0))).toBe(true);
      for (let s = 0; s < 12; s++) {
        const u = (s * 37 + 5) % 96, v = (s * 23 + 11) % 72;
        const d = f.depth!.data[v * 96 + u];
        if (!(d > 0)) continue;
        const x = ((u + 0.5 - K.cx) / K.fx) * d, y = (-(v + 0.5 - K.cy) / K.fy) * d;
        const w = transformPoint(f.cameraToWorld, x, y, -d);
        let best = Infinity;
        for (let t = 0; t < room.triangleCount && best > 1e-4; t++) {
          const dist = pointTriangleDistance(room, t, w); // NaN for degenerate scan triangles
          if (dist < best) best = dist;
        }
        expect(best).toBeLessThan(2e-3);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(50);
  });

  it('keeps ground truth apart from the frames, consistent with the objects table', () => {
    for (const f of cap.frames) expect(Object.keys(f).sort()).toEqual(['cameraToWorld', 'depth', 'id', 'image', 'intrinsics', 'timestamp']);
    const ids = new Set(cap.groundTruth.objects.map((o) => o.id));
    expect(cap.groundTruth.objects.filter((o) => o.label === 'LAMP')).toHaveLength(2);
    cap.groundTruth.frames.forEach((g, k) => {
      expect(g.id).toBe(cap.frames[k].id);
      let labelled = 0;
      for (let p = 0; p < g.instance.length; p++) {
        if (!g.instance[p]) continue;
        expect(ids.has(g.instance[p])).toBe(true);
        expect(cap.frames[k].depth!.data[p]).toBeGreaterThan(0);
        labelled++;
      }
      expect(g.visible.reduce((s, v) => s + v.pixels, 0)).toBe(labelled);
    });
  });
});

describe('sample bundles', () => {
  const render = async (views: number) => {
    const capture = renderCapture(room, { seed: 5, views, width: 64, height: 48 });
    const bundle = memoryFiles(), gt = memoryFiles();
    await writeSampleBundle(bundle, gt, capture, sampleMeta('living_room', { seed: 5, views, width: 64, height: 48 }));
    return { capture, bundle, gt };
  };

  it('are byte-identical across runs and read back through readCaptureBundle', async () => {
    const a = await render(4), b = await render(4);
    for (const [x, y] of [[a.bundle, b.bundle], [a.gt, b.gt]]) {
      const ex = x.entries(), ey = y.entries();
      expect([...ex.keys()].sort()).toEqual([...ey.keys()].sort());
      for (const [k, v] of ex) expect(Buffer.compare(Buffer.from(v), Buffer.from(ey.get(k)!))).toBe(0);
    }
    expect([...a.gt.entries().keys()].sort()).toEqual(['instances.json', 'instances/f0000.png', 'instances/f0001.png', 'instances/f0002.png', 'instances/f0003.png']);
    const back = await readCaptureBundle(a.bundle);
    expect(back.skipped).toEqual([]);
    expect(back.frames).toHaveLength(4);
    expect(back.attribution).toMatch(/MIT/);
    const d0 = a.capture.frames[1].depth!.data, d1 = back.frames[1].depth!.data;
    for (let p = 0; p < d0.length; p++) expect(Math.abs(d0[p] - d1[p])).toBeLessThanOrEqual(0.0005 + 1e-6);
    expect(Array.from(back.frames[2].image.data)).toEqual(Array.from(a.capture.frames[2].image.data));
    const inst = decodePng(a.gt.entries().get('instances/f0002.png')!);
    expect(inst.bitDepth).toBe(16);
    expect(Array.from(inst.data)).toEqual(Array.from(a.capture.groundTruth.frames[2].instance));
    const json = JSON.parse(new TextDecoder().decode(a.gt.entries().get('instances.json')!));
    expect(json.objects.map((o: { label: string }) => o.label).filter((l: string) => l === 'LAMP')).toHaveLength(2);
  });

  const shipped = new URL('../../../public/samples/living_room.groundtruth/instances.json', import.meta.url);
  it.skipIf(!existsSync(shipped))('the shipped living_room sample is what `npm run samples -- --room living_room --out public/samples` writes', async () => {
    const meta = JSON.parse(readFileSync(shipped, 'utf8'));
    const r = meta.render;
    const capture = renderCapture(room, { seed: r.seed, views: r.views, width: r.width, height: r.height, hfovDeg: r.hfovDeg });
    const bundle = memoryFiles(), gt = memoryFiles();
    await writeSampleBundle(bundle, gt, capture, sampleMeta('living_room', r));
    const root = new URL('../../../public/samples/', import.meta.url).pathname;
    for (const [files, dir] of [[bundle, 'living_room'], [gt, 'living_room.groundtruth']] as const) {
      const disk = nodeFolderFiles(root + dir);
      for (const [path, bytes] of files.entries()) {
        const onDisk = await disk.readFile(path);
        expect(Buffer.compare(Buffer.from(onDisk), Buffer.from(bytes)), `${dir}/${path}`).toBe(0);
      }
    }
    // Defaults of the script are the shipped settings.
    expect({ seed: r.seed, views: r.views, width: r.width, height: r.height }).toEqual({ seed: 1, views: 30, width: 320, height: 240 });
  });
});
