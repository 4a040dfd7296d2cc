import { describe, expect, it } from 'vitest';
import { renderCapture } from '../../../lib/sim/render-capture';
import { loadRoom } from '../../../lib/sim/room';
import { readSemRoom } from '../../../scripts/samples';
import { ScanWorkerCore } from '../../../lib/web/scan/scan-worker-core';
import type { ScanUpdate, SemanticModelState } from '../../../lib/web/scan/scan-protocol';
import type { SemanticModels } from '../../../lib/web/scan/semantic-models';
import type { ClipPair, ImageEmbedder, TextEmbedder } from '../../../lib/inference/embedder';
import type { LoadProgress } from '../../../lib/inference/runtime/model-session';
import type { RgbImage } from '../../../lib/capture/frame';

const room = loadRoom(readSemRoom('living_room'));
const cap = renderCapture(room, { seed: 5, views: 3, width: 64, height: 48 });

const norm = (v: number[]) => {
  const n = Math.hypot(...v) || 1;
  return v.map((x) => x / n);
};
/** Mean colour of the masked crop: a 4-d stand-in for a CLIP image tower. */
class ColourImage implements ImageEmbedder {
  readonly id = 'fake-clip';
  readonly dim = 4;
  calls = 0;
  async embedImages(crops: RgbImage[]): Promise<Float32Array> {
    this.calls += crops.length;
    const out = new Float32Array(crops.length * 4);
    crops.forEach((c, i) => {
      const s = [0, 0, 0];
      let n = 0;
      for (let p = 0; p < c.width * c.height; p++) {
        if (c.data[3 * p] + c.data[3 * p + 1] + c.data[3 * p + 2] === 0) continue;
        for (let k = 0; k < 3; k++) s[k] += c.data[3 * p + k];
        n++;
      }
      out.set(norm([...s.map((x) => x / Math.max(1, n) / 255), 0.5]), i * 4);
    });
    return out;
  }
}
class HashText implements TextEmbedder {
  readonly id = 'fake-clip';
  readonly dim = 4;
  async embedTexts(texts: string[]): Promise<Float32Array> {
    const out = new Float32Array(texts.length * 4);
    texts.forEach((t, i) => {
      const v = [1, 1, 1, 1].map((_, k) => 0.1 + ((t.charCodeAt(k % t.length) * (k + 3)) % 17) / 17);
      out.set(norm(v), i * 4);
    });
    return out;
  }
}

function fakeModels(opts: { installed: boolean; fail?: string }): SemanticModels & { loads: number; image: ColourImage } {
  const image = new ColourImage();
  return {
    pairId: 'fake-pair',
    image,
    loads: 0,
    async installed() {
      return opts.installed;
    },
    async load(onProgress: (p: LoadProgress) => void): Promise<ClipPair> {
      this.loads++;
      if (!opts.installed) {
        for (const loaded of [0, 400, 1000]) onProgress({ modelId: 'fake-image', stage: 'download', loaded, total: 1000 });
      } else onProgress({ modelId: 'fake-image', stage: 'cache', loaded: 1000, total: 1000 });
      onProgress({ modelId: 'fake-image', stage: 'create-session', loaded: 1000, total: 1000 });
      if (opts.fail) throw new Error(opts.fail);
      return { image, text: new HashText() };
    },
  };
}

/** Lets the core's pump run until the queue is empty (no timing involved: bounded macrotask turns). */
async function settle(core: ScanWorkerCore): Promise<void> {
  for (let i = 0; i < 10_000; i++) {
    const st = core.session.status();
    if (st.queued === 0 && !core.session.busy) return;
    await new Promise((r) => setTimeout(r, 0));
  }
  throw new Error('scan worker core did not settle');
}

function makeCore(models: SemanticModels) {
  const states: SemanticModelState[] = [];
  const updates: ScanUpdate[] = [];
  const errors: string[] = [];
  const core = new ScanWorkerCore({ type: 'init', budget: 20000, maxSplats: 20000 }, (u) => updates.push(u), (m) => errors.push(m), undefined, {
    source: models,
    onState: (s) => states.push(s),
  });
  return { core, states, updates, errors };
}

describe('ScanWorkerCore with real-model providers (fakes)', () => {
  it('uses a cached model at once: graph masks + CLIP, labels and queries on', async () => {
    const models = fakeModels({ installed: true });
    const { core, states, errors } = makeCore(models);
    await core.ready;
    expect(models.loads).toBe(1);
    expect(core.modelState.state).toBe('ready');
    expect(states.some((s) => s.state === 'downloading')).toBe(false);
    for (const f of cap.frames) core.add(f);
    await settle(core);
    expect(errors).toEqual([]);
    const st = core.session.status();
    expect(st.semantics).toBe(true);
    expect(st.reconstructed).toBe(cap.frames.length);
    expect(models.image.calls).toBeGreaterThan(0);
    expect(core.session.reconstruction.scene.bank.count).toBeGreaterThan(1);
    expect(core.missing().some((m) => /semantic/.test(m))).toBe(false);
    const a = await core.ask('lamp');
    expect(a.reason ?? '').not.toMatch(/not downloaded/);
  });

  it('stays geometry only when the model is absent, then downloads with progress and redoes the stored keyframes', async () => {
    const models = fakeModels({ installed: false });
    const { core, states, errors } = makeCore(models);
    await core.ready;
    expect(models.loads).toBe(0); // never downloads by surprise
    expect(core.modelState.state).toBe('missing');
    for (const f of cap.frames.slice(0, 2)) core.add(f);
    await settle(core);
    expect(core.session.status()).toMatchObject({ semantics: false, reconstructed: 2 });
    expect(core.missing()).toEqual([expect.stringMatching(/semantic models .* geometry only/)]);
    expect((await core.ask('lamp')).reason).toMatch(/not downloaded/);
    expect(models.image.calls).toBe(0);

    await core.downloadSemantics();
    const progress = states.filter((s) => s.state === 'downloading');
    expect(progress.map((s) => s.loaded)).toEqual([0, 400, 1000]);
    expect(progress.every((s) => s.total === 1000 && s.modelId === 'fake-image')).toBe(true);
    expect(states.at(-1)?.state).toBe('ready');

    core.add(cap.frames[2]);
    await settle(core);
    expect(errors).toEqual([]);
    const st = core.session.status();
    expect(st.semantics).toBe(true);
    expect(st.reconstructed).toBe(3); // the two earlier keyframes were rebuilt, not lost or doubled
    expect(st.keyframes).toBe(3);
    expect(models.image.calls).toBeGreaterThan(0);
    expect(core.session.reconstruction.scene.bank.count).toBeGreaterThan(1);
    expect(core.missing()).toEqual([]);
  });

  it('reports a failed load and stays geometry only', async () => {
    const models = fakeModels({ installed: false, fail: 'HTTP 404' });
    const { core, states } = makeCore(models);
    await core.ready;
    await core.downloadSemantics();
    expect(states.at(-1)).toMatchObject({ state: 'failed', message: 'HTTP 404' });
    expect(core.session.semantics).toBe(false);
    expect(core.missing()[0]).toMatch(/could not be loaded \(HTTP 404\)/);
  });

  it('without a provider says the models are missing', () => {
    const core = new ScanWorkerCore({ type: 'init', budget: 1000, maxSplats: 1000 }, () => {}, () => {});
    expect(core.modelState.state).toBe('missing');
    return expect(core.downloadSemantics()).rejects.toThrow(/no semantic model source/);
  });
});
