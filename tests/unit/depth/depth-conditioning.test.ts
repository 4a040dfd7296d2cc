import { describe, expect, it } from 'vitest';
import type { DepthMap } from '../../../lib/capture/frame';
import { boxSubsampleDepth, conditionSensorDepth, DepthAgreement, depthSigma } from '../../../lib/inference/depth/depth-conditioning';
import { estimateColourRegistration } from '../../../lib/inference/depth/colour-registration';
import { defaultScene, intrinsics, pose, renderView } from './synthetic-scene';

const k = intrinsics(96, 72);
const map = (depth: Float32Array, kk = k): DepthMap => ({ width: kk.width, height: kk.height, data: depth.slice(), intrinsics: kk });

describe('conditionSensorDepth', () => {
  const { depth } = renderView(defaultScene, k, pose(0, 0, 0), 'a');

  it('drops invalid values, a band around occlusion edges and isolated specks; confidence falls with z^2 noise', () => {
    const d = depth.slice();
    d[5] = NaN;
    d[6] = -1;
    d[7] = 70;
    // An isolated speck: one valid pixel inside a ring of missing ones.
    const sp = 60 * 96 + 80;
    for (let dv = -1; dv <= 1; dv++) for (let du = -1; du <= 1; du++) d[sp + dv * 96 + du] = 0;
    d[sp] = 3;
    const { depth: out, report } = conditionSensorDepth(map(d), { edgeBand: 2 * (640 / 96) });
    expect(out.data[5]).toBe(0);
    expect(out.data[6]).toBe(0);
    expect(out.data[7]).toBe(0);
    expect(out.data[sp]).toBe(0);
    expect(report.invalid).toBeGreaterThanOrEqual(3 + 8);
    expect(report.specks).toBeGreaterThanOrEqual(1);
    expect(report.edge).toBeGreaterThan(0);
    // Every pixel within 2 px of a card/wall jump is gone; far from edges everything is kept.
    let nearEdgeKept = 0, interiorKept = 0, interior = 0;
    for (let v = 2; v < 70; v++)
      for (let u = 2; u < 94; u++) {
        const i = v * 96 + u;
        let jump = false, far = true;
        for (let dv = -3; dv <= 3; dv++)
          for (let du = -3; du <= 3; du++) {
            const j = (v + dv) * 96 + (u + du);
            if (v + dv < 0 || v + dv >= 72 || u + du < 0 || u + du >= 96) continue;
            if (Math.abs(depth[j] - depth[i]) > 0.3) {
              if (Math.abs(dv) <= 1 && Math.abs(du) <= 1) jump = true;
              far = false;
            }
          }
        if (jump && out.data[i] > 0) nearEdgeKept++;
        if (far && d[i] === depth[i] && Math.abs(v * 96 + u - sp) > 200) {
          interior++;
          if (out.data[i] > 0) interiorKept++;
        }
      }
    expect(nearEdgeKept).toBe(0);
    expect(interiorKept / interior).toBeGreaterThan(0.99);
    // The card (2 m) is more confident than the wall (3 m), in the ratio of their noise.
    const card = out.confidence![36 * 96 + 44], wall = out.confidence![5 * 96 + 90];
    expect(card).toBeGreaterThan(wall);
    expect(card / wall).toBeCloseTo(depthSigma(3) / depthSigma(2), 1);
  });

  it('with a colour guide, depth edges are snapped onto the colour edge within the radius, dropped beyond it', () => {
    // The card's edge is visible in colour: a strong step where the depth jumps.
    const luma = depth.map((z) => (z < 2.5 ? 0.9 : 0.1));
    const shift = (by: number) => {
      const o = new Float32Array(luma.length);
      for (let v = 0; v < 72; v++) for (let u = 0; u < 96; u++) o[v * 96 + u] = luma[v * 96 + Math.max(0, u - by)];
      return o;
    };
    const px = 640 / 96; // options are in pixels at 640 wide
    const opts = { edgeBand: 2 * px, snapRadius: 5 * px };
    const plain = conditionSensorDepth(map(depth), opts);
    // Registered colour: nothing but the boundary's mixed (flying) samples changes, and they take a side's depth.
    const registered = conditionSensorDepth(map(depth), { ...opts, guide: luma });
    expect(registered.report.registeredEdges).toBeGreaterThan(0);
    expect(registered.report.edge).toBeLessThan(0.4 * plain.report.edge);
    for (let i = 0; i < depth.length; i++) {
      const z = registered.depth.data[i];
      if (z > 0) expect(Math.min(Math.abs(z - 2), Math.abs(z - 3))).toBeLessThan(0.02);
    }
    // Colour 3 px to the right of the depth (misregistered): the card's left and right depth edges follow it.
    const cardSpan = (d: Float32Array, v: number) => {
      const row = Array.from(d.subarray(v * 96, v * 96 + 96));
      return [row.findIndex((z) => z > 0 && z < 2.5), 95 - [...row].reverse().findIndex((z) => z > 0 && z < 2.5)];
    };
    const [l0, r0] = cardSpan(depth, 36);
    const [lc, rc] = cardSpan(shift(3).map((g) => (g > 0.5 ? 1 : 3)), 36);
    expect(lc - l0).toBe(3);
    const snapped = conditionSensorDepth(map(depth), { ...opts, guide: shift(3) });
    expect(snapped.report.snapped).toBeGreaterThan(0);
    for (const v of [30, 33, 36, 39]) {
      const [l, r] = cardSpan(snapped.depth.data, v);
      expect(Math.abs(l - lc)).toBeLessThanOrEqual(1);
      expect(Math.abs(r - rc)).toBeLessThanOrEqual(1);
      expect(r0).toBeLessThan(rc);
    }
    // 8 px off: beyond the radius, the left and right edges lose their band as without a guide (top and bottom snap).
    const far = conditionSensorDepth(map(depth), { ...opts, guide: shift(8) });
    for (const v of [30, 36, 42]) for (let u = l0 - 2; u <= l0 + 1; u++) expect(far.depth.data[v * 96 + u]).toBe(0);
    expect(far.report.edge).toBeGreaterThan(1.2 * registered.report.edge);
  });

  // Exact depth at 320x240 (the sample room's size): a slanted wall (inverse depth affine, as for any plane), a card
  // with pixel-sharp edges in front of it, and a floor seen at a grazing angle below a crease with the wall (steps of
  // 4-10 % from row to row, above the edge threshold). The colour guide is registered: the card's left part is
  // bright on a dark wall, its right part has the wall's colour (those edges no colour can check), the floor is flat grey.
  const W = 320, H = 240, kk = intrinsics(W, H);
  const CARD = { u0: 60, u1: 250, v0: 60, v1: 170, bright: 180 }, CREASE = 200;
  const wallW = (u: number, v: number) => 1 / 3 + 0.0004 * (u - 160) + 0.0002 * (v - 120);
  const exact = new Float32Array(W * H), luma = new Float32Array(W * H);
  const texture = (u: number, v: number) => 0.02 * Math.sin(0.7 * u + 1.3 * v);
  for (let v = 0; v < H; v++)
    for (let u = 0; u < W; u++) {
      const i = v * W + u;
      const onCard = u >= CARD.u0 && u < CARD.u1 && v >= CARD.v0 && v < CARD.v1;
      if (onCard) {
        exact[i] = 1 / (0.6 + 0.0005 * (u - 160));
        luma[i] = u < CARD.bright ? 0.85 + texture(u, v) : 0.2 + texture(u, v);
      } else if (v >= CREASE) {
        exact[i] = 1 / (wallW(u, CREASE) + 0.035 * (v - CREASE));
        luma[i] = 0.45;
      } else {
        exact[i] = 1 / wallW(u, v);
        luma[i] = 0.2 + texture(u, v);
      }
    }
  const corner = (i: number) => [0, W - 1, (H - 1) * W, H * W - 1].includes(i);

  it('leaves exact depth with sharp steps and a grazing plane unchanged when the colour guide agrees with it', () => {
    const { depth: out, report } = conditionSensorDepth(map(exact, kk), { guide: luma });
    expect(report.edgeAgreement).toBeGreaterThan(0.9);
    expect(report.flying).toBe(0);
    let changed = 0;
    for (let i = 0; i < exact.length; i++) if (!corner(i) && out.data[i] !== exact[i]) changed++;
    expect(changed).toBe(0);
    // Without a guide the same map loses the band at every step (nothing tells it the edges are sound).
    const plain = conditionSensorDepth(map(exact, kk));
    expect(plain.report.edge).toBeGreaterThan(2 * (CARD.u1 - CARD.u0 + CARD.v1 - CARD.v0));
  });

  it('removes flying pixels (depths between the two sides of an edge), one or two in a row, and nothing else', () => {
    const d = exact.slice();
    const inserted: { i: number; sides: [number, number] }[] = [];
    const mix = (i: number, near: number, far: number, a: number) => {
      d[i] = (1 - a) * exact[near] + a * exact[far];
      inserted.push({ i, sides: [exact[near], exact[far]] });
    };
    for (let v = CARD.v0 + 5; v < CARD.v1 - 5; v++) {
      // Left edge (colour can check it): the wall pixel beside the card holds a mixed sample.
      const l = v * W + CARD.u0 - 1;
      mix(l, l + 1, l - 1, 0.5);
      // Right edge (no colour step): two mixed samples in a row, linear in depth.
      const r = v * W + CARD.u1;
      mix(r, r - 1, r + 2, 1 / 3);
      mix(r + 1, r - 1, r + 2, 2 / 3);
    }
    const { depth: out, report } = conditionSensorDepth(map(d, kk), { guide: luma });
    expect(report.edgeAgreement).toBeGreaterThan(0.9);
    const mixed = new Set(inserted.map((x) => x.i));
    for (const { i, sides } of inserted) {
      const z = out.data[i];
      // Dropped, or given the depth of one side (the snap onto the colour edge), never left in between.
      if (z !== 0) expect(Math.min(Math.abs(z - sides[0]), Math.abs(z - 1 / wallW(i % W, Math.floor(i / W))))).toBeLessThan(0.02);
    }
    // The unchecked right edge has nothing to snap to: its mixed samples are dropped as flying pixels.
    for (let v = CARD.v0 + 5; v < CARD.v1 - 5; v++) for (const u of [CARD.u1, CARD.u1 + 1]) expect(out.data[v * W + u]).toBe(0);
    expect(report.flying).toBeGreaterThanOrEqual(2 * (CARD.v1 - CARD.v0 - 10));
    let changed = 0;
    for (let i = 0; i < d.length; i++) if (!corner(i) && !mixed.has(i) && out.data[i] !== exact[i]) changed++;
    expect(changed).toBe(0);
  });

  it('where the checked edges disagree with the colour (misregistered, as the Kinect), unchecked edges lose the band', () => {
    // The colour 4 px right of the depth: the left edge's colour step lies beyond the snap radius.
    const shifted = new Float32Array(luma.length);
    for (let v = 0; v < H; v++) for (let u = 0; u < W; u++) shifted[v * W + u] = luma[v * W + Math.max(0, u - 4)];
    const { depth: out, report } = conditionSensorDepth(map(exact, kk), { guide: shifted });
    expect(report.edgeAgreement).toBeLessThan(0.75);
    // The right edge (no colour step) is now doubted too: its pixels and the band (1 px at 320) are gone.
    for (let v = CARD.v0 + 5; v < CARD.v1 - 5; v++) for (let u = CARD.u1 - 2; u <= CARD.u1; u++) expect(out.data[v * W + u]).toBe(0);
  });

  it('multiplies in the device confidence when it is given', () => {
    const conf = new Float32Array(depth.length).fill(0.5);
    const a = conditionSensorDepth(map(depth)).depth.confidence!;
    const b = conditionSensorDepth({ ...map(depth), confidence: conf }).depth.confidence!;
    const i = 5 * 96 + 90;
    expect(b[i]).toBeCloseTo(0.5 * a[i], 6);
  });

  it('box subsampling averages valid pixels and scales the intrinsics to the new grid', () => {
    const d = new Float32Array(8 * 4).fill(2);
    d[0] = 0;
    d[1] = 4;
    const s = boxSubsampleDepth({ width: 8, height: 4, data: d, intrinsics: { fx: 8, fy: 8, cx: 4, cy: 2, width: 8, height: 4 } }, 2);
    expect(s.width).toBe(4);
    expect(s.height).toBe(2);
    expect(s.data[0]).toBeCloseTo((4 + 2 + 2) / 3, 6);
    expect(s.data[1]).toBe(2);
    expect(s.intrinsics).toMatchObject({ fx: 4, fy: 4, cx: 2, cy: 1, width: 4, height: 2 });
  });
});

describe('DepthAgreement (incremental multi-view check)', () => {
  const a = renderView(defaultScene, k, pose(0, 0, 0), 'a');
  const b = renderView(defaultScene, k, pose(0.12, 0.02, 0.05), 'b');

  it('the first keyframe has nobody to agree with and is kept as it is', () => {
    const ag = new DepthAgreement();
    const d = map(a.depth);
    const r = ag.add(d, pose(0, 0, 0));
    expect(r.neighbours).toBe(0);
    expect(d.data).toEqual(a.depth);
  });

  it('does not take the background beside a neighbour\'s silhouette for free space (pixel-sharp edges round differently)', () => {
    // Pixel-sharp depth (card 2 m, wall 3 m) seen twice from the same place, the second time with the card's
    // outline one pixel wider: how two views' pixel grids round an edge differently. Those pixels project onto the
    // first view's wall pixel next to its card: not free space (the card is right beside it), not to be dropped.
    const first = a.depth.map((x) => (x < 2.5 ? 2 : 3));
    const wider = first.slice();
    for (let v = 1; v < 71; v++)
      for (let u = 1; u < 95; u++) {
        let card = false;
        for (let dv = -1; dv <= 1; dv++) for (let du = -1; du <= 1; du++) card ||= first[(v + dv) * 96 + u + du] === 2;
        if (card) wider[v * 96 + u] = 2;
      }
    const grown = wider.reduce((n, z, i) => n + (z !== first[i] ? 1 : 0), 0);
    expect(grown).toBeGreaterThan(50);
    const ag = new DepthAgreement();
    ag.add(map(first), pose(0, 0, 0));
    const d = map(wider);
    const r = ag.add(d, pose(0, 0, 0));
    expect(r.contradicted).toBe(0);
    expect(d.data).toEqual(wider);
  });

  it('drops pixels that an earlier keyframe saw through (free space) and averages the noise of agreeing ones', () => {
    const ag = new DepthAgreement({ unconfirmed: 1 });
    ag.add(map(a.depth), pose(0, 0, 0));
    const d = map(b.depth);
    let seed = 3;
    const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5) * 2;
    const noisy = b.depth.map((z) => z + 0.01 * rnd());
    d.data.set(noisy);
    // A ghost patch 0.6 m in front of the wall, in the middle of what view a sees as wall.
    const ghost: number[] = [];
    for (let v = 8; v < 14; v++) for (let u = 8; u < 14; u++) ghost.push(v * 96 + u);
    for (const i of ghost) d.data[i] = b.depth[i] - 0.6;
    const r = ag.add(d, pose(0.12, 0.02, 0.05));
    expect(r.neighbours).toBe(1);
    expect(r.contradicted).toBeGreaterThanOrEqual(ghost.length * 0.9);
    for (const i of ghost) expect(d.data[i]).toBe(0);
    let before = 0, after = 0, n = 0;
    for (let i = 0; i < d.data.length; i++) {
      if (!(d.data[i] > 0) || ghost.includes(i)) continue;
      before += (noisy[i] - b.depth[i]) ** 2;
      after += (d.data[i] - b.depth[i]) ** 2;
      n++;
    }
    expect(r.agreed).toBeGreaterThan(0.5 * d.data.length);
    expect(Math.sqrt(after / n)).toBeLessThan(0.8 * Math.sqrt(before / n));
  });
});

describe('estimateColourRegistration', () => {
  it('recovers the colour camera of an RGB-D capture whose frames carry the depth camera\'s intrinsics', () => {
    const kd = intrinsics(120, 90, 110);
    const kc = { ...kd, fx: 100, fy: 100, cx: 62, cy: 44 };
    const poses = [pose(0, 0, 0), pose(0.1, 0.03, 0.02, 0.02), pose(0.2, -0.02, 0.05, 0.04)];
    const frames = poses.map((p, i) => {
      const col = renderView(defaultScene, kc, p, `f${i}`).frame;
      const dep = renderView(defaultScene, kd, p, `f${i}`).depth;
      return { ...col, intrinsics: { ...kd }, depth: { width: kd.width, height: kd.height, data: dep, intrinsics: kd } };
    });
    const r = estimateColourRegistration(frames, { stride: 2 });
    expect(r.score).toBeGreaterThan(r.initialScore);
    expect(Math.abs(r.intrinsics.fx - kc.fx) / kc.fx).toBeLessThan(0.02);
    expect(Math.abs(r.intrinsics.cx - kc.cx)).toBeLessThan(1.5);
    expect(Math.abs(r.intrinsics.cy - kc.cy)).toBeLessThan(1.5);
  });

  it('needs depth on every frame', () => {
    const f = renderView(defaultScene, k, pose(0, 0, 0), 'x').frame;
    expect(() => estimateColourRegistration([f, f])).toThrow(/no depth/);
  });
});
