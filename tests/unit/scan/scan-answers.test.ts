import { describe, expect, it } from 'vitest';
import { renderCapture } from '../../../lib/sim/render-capture';
import { loadRoom } from '../../../lib/sim/room';
import { ScanWorkerCore } from '../../../lib/web/scan/scan-worker-core';
import { readSemRoom } from '../../../scripts/samples';

const room = loadRoom(readSemRoom('living_room'));
const cap = renderCapture(room, { seed: 3, views: 5, width: 64, height: 48 });

describe('ScanWorkerCore answers', () => {
  it('carry each instance box in the scan frame and a highlight of the selected bank rows', async () => {
    const simObjects = Object.fromEntries(room.objects.map((o) => [o.id, o.label]));
    const core = new ScanWorkerCore({ type: 'init', budget: 20000, maxSplats: 500, simObjects }, () => {}, (m) => {
      throw new Error(m);
    });
    cap.frames.forEach((f, i) => core.add(f, cap.groundTruth.frames[i].instance));
    while (core.session.status().queued > 0 || core.session.busy) await new Promise((r) => setTimeout(r, 10));
    await core.pump();
    const label = core.session.labels()[0].label;
    const r = await core.ask(label);
    expect(r.reason).toBeNull();
    expect(r.answers.length).toBeGreaterThan(0);
    const scene = core.session.reconstruction.scene;
    for (const a of r.answers) {
      for (let k = 0; k < 3; k++) {
        expect(a.box.min[k]).toBeLessThanOrEqual(a.centroid[k]);
        expect(a.box.max[k]).toBeGreaterThanOrEqual(a.centroid[k]);
      }
      // The box overlaps a room object of that kind (the answer is where the object is).
      const overlaps = room.objects.some((o) => [0, 1, 2].every((k) => a.box.min[k] < o.aabbMax[k] + 0.2 && a.box.max[k] > o.aabbMin[k] - 0.2));
      expect(overlaps).toBe(true);
    }
    const h = r.highlight!;
    expect(h.entries.length).toBe(scene.bank.count);
    expect(h.entries[0]).toBe(0);
    const flagged = [...h.entries].filter((v) => v === 1).length;
    expect(flagged).toBeGreaterThan(0);
    expect(flagged).toBeLessThan(scene.bank.count - 1); // not everything: the answer is selective
    // Every Gaussian of a flagged row that the answer counted lies in one of the answer boxes.
    let inBoxes = 0, flaggedGaussians = 0;
    for (let i = 0; i < scene.count; i++) {
      if (!h.entries[scene.semantic[i]]) continue;
      flaggedGaussians++;
      const p = [scene.positions[3 * i], scene.positions[3 * i + 1], scene.positions[3 * i + 2]];
      if (r.answers.some((a) => p.every((v, k) => v >= a.box.min[k] - 1e-4 && v <= a.box.max[k] + 1e-4))) inBoxes++;
    }
    expect(flaggedGaussians).toBeGreaterThan(0);
    expect(inBoxes / flaggedGaussians).toBeGreaterThan(0.9);

    const none = await core.ask('zebra crossing');
    expect(none.answers).toEqual([]);
    expect(none.highlight).toBeNull();
    expect(none.reason).toBeTruthy();
  });
});
