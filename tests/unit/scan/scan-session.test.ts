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
