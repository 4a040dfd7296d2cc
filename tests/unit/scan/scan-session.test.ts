import { describe, expect, it } from 'vitest';
import { renderCapture } from '../../../lib/sim/render-capture';
import { loadRoom } from '../../../lib/sim/room';
import { ScanSession } from '../../../lib/pipeline/scan-session';
import { DisplaySplats, packGaussian } from '../../../lib/splat/scene-delta';
import { ScanWorkerCore } from '../../../lib/web/scan/scan-worker-core';
import type { ScanUpdate } from '../../../lib/web/scan/scan-protocol';
import { ScanGuidance, meanLuma } from '../../../lib/web/scan/guidance';
import { readSemRoom } from '../../../scripts/samples';
import { INDOOR_VOCABULARY } from '../../../lib/inference/semantics/indoor-vocabulary';
import { multiply, transformPoint } from '../../../lib/capture/pose';
import { rotationBetween } from '../../../lib/align/world-frame';
import { SimInstanceMasks, simOracleClip } from '../../../lib/web/scan/sim-semantics';
import { VocabularyLabeler } from '../../../lib/inference/semantics/vocabulary-labeler';

/** The vocabulary entry a Space Setup label falls under (LAMP -> lamp, STORAGE -> cabinet). */
const vocabName = (label: string) => {
  const t = label.toLowerCase().replace(/_/g, ' ');
  return INDOOR_VOCABULARY.find((e) => e.name === t || e.synonyms.includes(t))?.name ?? t;
};

const room = loadRoom(readSemRoom('living_room'));
const cap = renderCapture(room, { seed: 3, views: 5, width: 64, height: 48 });

describe('ScanSession', () => {
  it('grows the scene keyframe by keyframe from device depth, within its budget', async () => {
    const s = new ScanSession({ budget: 5000, maxBatch: 2 });
    for (const f of cap.frames.slice(0, 3)) s.add(f);
    expect(s.status()).toMatchObject({ keyframes: 3, reconstructed: 0, queued: 3, waiting: null, semantics: false });
    const first = await s.step();
    expect(first.length).toBe(2);
    const after1 = s.status().gaussians;
    expect(after1).toBeGreaterThan(0);
    await s.step();
    const st = s.status();
    expect(st.reconstructed).toBe(3);
    expect(st.gaussians).toBeGreaterThanOrEqual(after1);
    expect(st.gaussians).toBeLessThanOrEqual(5000);
    expect(st.depthSources).toEqual({ device: 3 });
    // Node has no navigator.gpu: the heavy stages ran on the CPU and say why.
    expect(st.backends).toMatchObject({ adapter: null, noGpuReason: expect.stringMatching(/navigator\.gpu/) });
    expect(st.backends!.stages.gaussiansFromDepth).toEqual({ backend: 'cpu', reason: st.backends!.noGpuReason, webgpu: 0, cpu: 3 });
    expect(s.labels()).toEqual([]); // no semantics: geometry only
    expect(() => s.add(cap.frames[0])).toThrow(/already added/);
  });

  it('holds a depthless first keyframe until stereo has a second view', async () => {
    const s = new ScanSession({ budget: 20000 });
    const noDepth = cap.frames.map((f) => ({ ...f, depth: undefined }));
    s.add(noDepth[0]);
    expect(s.status().waiting).toMatch(/stereo needs a second keyframe/);
    expect(await s.step()).toEqual([]);
    s.add(noDepth[1]);
    expect(s.status().waiting).toBeNull();
    const views = await s.step();
    expect(views.map((v) => v.depthSource)).toEqual(['stereo', 'stereo']);
    // Both sweeps (each view against the other) went through the heavy stages.
    expect(s.status().backends!.stages.planeSweep).toMatchObject({ backend: 'cpu', cpu: 2, webgpu: 0 });
  });
});

describe('ScanWorkerCore with the simulated camera', () => {
  it('posts growing scenes and floating labels at the objects they name', async () => {
    const updates: ScanUpdate[] = [];
    const errors: string[] = [];
    const simObjects = Object.fromEntries(room.objects.map((o) => [o.id, o.label]));
    const core = new ScanWorkerCore({ type: 'init', budget: 20000, maxSplats: 500, simObjects }, (u) => updates.push(u), (m) => errors.push(m));
    cap.frames.forEach((f, i) => core.add(f, cap.groundTruth.frames[i].instance));
    while (core.session.status().queued > 0 || core.session.busy) await new Promise((r) => setTimeout(r, 10));
    await core.pump();
    expect(errors).toEqual([]);
    const last = updates[updates.length - 1];
    expect(last.status.reconstructed).toBe(5);
    // The page's display, rebuilt from the deltas alone, shows 500 of the scene's Gaussians (the renderer
    // budget) with their current bank rows; the scene keeps every Gaussian for export.
    const display = new DisplaySplats(500);
    for (const u of updates) display.apply(u.delta);
    expect(display.count).toBe(500);
    expect(last.delta.count).toBe(500);
    const scene = core.session.reconstruction.scene;
    expect(scene.count).toBeGreaterThan(500);
    const words = new Uint32Array(4);
    for (let s = 0; s < display.count; s++) {
      const e = core.display.elementOfSlot(s);
      packGaussian(scene, e, words, 0);
      expect(Array.from(display.packed.subarray(4 * s, 4 * s + 4))).toEqual(Array.from(words));
      expect(display.semantic[s]).toBe(scene.semantic[e]);
    }
    expect(updates.filter((u) => u.delta.reset).length).toBeLessThanOrEqual(2);
    expect(last.timing.deltaBytes).toBeGreaterThanOrEqual(0);
    expect(last.missing).toEqual([]);
    expect(last.labels.length).toBeGreaterThan(0);
    // Each label sits inside (near) the box of a room object with that label.
    for (const l of last.labels) {
      const near = room.objects.filter((o) => vocabName(o.label) === l.label);
      expect(near.length).toBeGreaterThan(0);
      const inside = near.some((o) => [0, 1, 2].every((k) => l.position[k] > o.aabbMin[k] - 0.3 && l.position[k] < o.aabbMax[k] + 0.3));
      expect(inside).toBe(true);
    }
    const q = await core.ask(last.labels[0].label);
    expect(q.reason).toBeNull();
    expect(q.answers.some((a) => a.label === last.labels[0].label)).toBe(true);
    const plain = new ScanWorkerCore({ type: 'init', budget: 1000, maxSplats: 1000 }, () => {}, () => {});
    plain.add(cap.frames[0]);
    expect((await plain.ask('lamp')).reason).toMatch(/geometry only/);
    const glb = await core.export('glb');
    expect(new TextDecoder().decode(glb.subarray(0, 4))).toBe('glTF');
  });
});

/**
 * An import arrives in its capture's own world. Here the sample room (y up, floor at 0) is tipped so its up
 * is +z, like the fox's COLMAP world, and shifted: the scan must find the app frame once, move what it shows
 * into it, and keep it through a semantics rebuild.
 */
const r = rotationBetween([0, 1, 0], [0, 0, 1]);
const TIP = Float64Array.from([r[0], r[1], r[2], 0, r[3], r[4], r[5], 0, r[6], r[7], r[8], 0, 0.7, -0.4, 2.5, 1]);
const tipped = cap.frames.map((f) => ({ ...f, cameraToWorld: multiply(TIP, f.cameraToWorld) }));
const heights = (poses: ArrayLike<number>[]) => poses.map((m) => m[13]);

describe('an imported capture in ScanSession / ScanWorkerCore', () => {
  it('is turned upright once (up and floor), the display and the coverage follow, the view is framed', async () => {
    const updates: ScanUpdate[] = [];
    const errors: string[] = [];
    const core = new ScanWorkerCore({ type: 'init', budget: 50000, maxSplats: 50000, findWorld: true }, (u) => updates.push(u), (m) => errors.push(m));
    core.addAll(tipped);
    while (core.session.status().queued > 0 || core.session.busy) await new Promise((res) => setTimeout(res, 10));
    await core.pump();
    expect(errors).toEqual([]);
    const last = updates[updates.length - 1];
    expect(last.status.reconstructed).toBe(5);
    const w = last.status.world!;
    expect(w.upSource).not.toBe('none');
    // The capture's up (+z here) became +y; the floor went back to y = 0, so the cameras are at their heights again.
    // These five views barely see the floor, so up is the cameras' mean up (within 10°) and the floor a stated
    // 1.4 m below them: the cameras come back near their true ~1.5 m.
    expect(w.up[2]).toBeGreaterThan(0.985);
    const rec = core.session.reconstruction;
    const got = heights(rec.frames.map((f) => f.cameraToWorld));
    heights(cap.frames.map((f) => f.cameraToWorld)).forEach((h, i) => expect(Math.abs(got[i] - h)).toBeLessThan(0.2));
    // Gaussians of the second step (after the world was found, with a new fusion) still reach the display.
    const display = new DisplaySplats(50000);
    for (const u of updates) display.apply(u.delta);
    const scene = rec.scene;
    expect(display.count).toBe(scene.count);
    const words = new Uint32Array(4);
    for (let s = 0; s < display.count; s += 37) {
      packGaussian(scene, core.display.elementOfSlot(s), words, 0);
      expect(Array.from(display.packed.subarray(4 * s, 4 * s + 4))).toEqual(Array.from(words));
    }
    // The scene is upright: its 2nd-percentile height is at the floor, not metres off.
    const framings = updates.map((u) => u.framing).filter((f) => f !== null);
    // All five queued together (addAll) go into the first step (up to 8 for an import), which finds the world
    // frame from all of them; the framing comes with those first Gaussians (the queue then ran dry).
    expect(updates.filter((u) => u.status.reconstructed > 0)[0].status.reconstructed).toBe(5);
    expect(framings.length).toBe(1);
    const fr = framings[0]!;
    expect(fr.floorY).toBe(0);
    expect(fr.box!.min[1]).toBeGreaterThan(-0.1);
    expect(fr.box!.min[1]).toBeLessThan(0.3);
    expect(fr.camera).toBeGreaterThanOrEqual(0);
    expect(fr.home!.position).toEqual(Array.from(rec.frames[fr.camera].cameraToWorld.subarray(12, 15)));
    // Coverage in the app world: every keyframe counted once, the floor ignored as horizontal.
    expect(last.status.coverage.views).toBe(5);
    expect(last.status.coverage.cellsSeen).toBeGreaterThan(0);
    // The saved scene carries the transform.
    expect(scene.info!.world).toEqual({ matrix: w.matrix, upSource: w.upSource, floorSource: w.floorSource });
    // A live scan keeps its frame (no search, no framing).
    const live = new ScanWorkerCore({ type: 'init', budget: 5000, maxSplats: 5000 }, (u) => expect(u.framing).toBeNull(), () => {});
    live.add(tipped[0]);
    await live.pump();
    expect(live.session.status().world!.upSource).toBe('none');
  });

  it('keeps the world it found when semantics turn on (the rebuild neither searches again nor moves the poses)', async () => {
    const s = new ScanSession({ budget: 50000, keepWorld: false });
    for (const f of tipped) s.add(f);
    while (s.status().queued > 0) await s.step();
    const w = s.status().world!;
    const before = s.reconstruction.frames.map((f) => Array.from(f.cameraToWorld));
    const sim = new SimInstanceMasks();
    tipped.forEach((f, i) => sim.register(f.image, cap.groundTruth.frames[i].instance));
    const clip = simOracleClip(sim, Object.fromEntries(room.objects.map((o) => [o.id, o.label])));
    s.enableSemantics({ generator: sim, embedder: clip.image, mode: 'instances', labeler: new VocabularyLabeler(clip.text) });
    while (s.status().queued > 0) await s.step();
    expect(s.status().world).toBe(w);
    const after = s.reconstruction.frames.map((f) => Array.from(f.cameraToWorld));
    after.forEach((m, i) => m.forEach((v, k) => expect(v).toBeCloseTo(before[i][k], 9)));
    // Labels in the app world: at the room's own heights (the capture had tipped them sideways).
    const labels = s.labels();
    expect(labels.length).toBeGreaterThan(0);
    const roomTop = Math.max(...room.objects.map((o) => o.aabbMax[1]));
    for (const l of labels) expect(l.position[1]).toBeLessThan(roomTop + 0.3);
    expect(transformPoint(TIP, 0, 1, 0)[2]).toBeCloseTo(3.5, 9); // (the tip took +y to +z)
  });
});

describe('ScanGuidance', () => {
  it('raises warnings from rejections and darkness and lets them expire', () => {
    const g = new ScanGuidance({ holdMs: 1000 });
    g.decision({ accepted: false, reason: 'too-fast', detail: '', translation: 1, rotationDeg: 0 }, 100);
    g.decision({ accepted: false, reason: 'too-close', detail: '', translation: 0, rotationDeg: 0 }, 100);
    expect(g.active(500)).toEqual(['too-fast']);
    g.brightness(meanLuma({ width: 2, height: 1, data: new Uint8Array([5, 5, 5, 10, 10, 10]) }), 600);
    g.trackingLost(700);
    expect(g.active(800)).toEqual(['too-dark', 'too-fast', 'tracking-lost']);
    expect(g.active(1550)).toEqual(['too-dark', 'tracking-lost']);
    g.brightness(200, 2000);
    expect(g.active(5000)).toEqual([]);
  });
});
