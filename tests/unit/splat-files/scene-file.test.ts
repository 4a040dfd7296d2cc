import { describe, expect, it } from 'vitest';
import { readSceneFile, writeSceneFile, sniffSceneFormat, type SceneFileFormat } from '../../../lib/splat/scene-file';
import { syntheticScene } from './synthetic-scene';

describe('scene-file: sniff by magic, read and write any format', () => {
  it('writes each format and reads it back by its magic bytes, whatever the name says', async () => {
    const s = syntheticScene({ count: 400, shDegree: 1, bankDim: 16 });
    for (const fmt of ['ply', 'glb', 'compact'] as SceneFileFormat[]) {
      const bytes = await writeSceneFile(s, fmt);
      expect(sniffSceneFormat(bytes)).toBe(fmt);
      const back = await readSceneFile(bytes, 'misleading-name.spz');
      expect(back.count).toBe(400);
      expect(back.shDegree).toBe(1);
      expect(Array.from(back.semantic.subarray(0, 400))).toEqual(Array.from(s.semantic.subarray(0, 400)));
      expect(back.bank.meta.map((m) => m.label)).toEqual(['background', 'floor', 'box', 'wall']);
      // the lossy one stays within a millimetre and 1/255 of colour
      let dp = 0, dc = 0;
      for (let i = 0; i < 1200; i++) {
        dp = Math.max(dp, Math.abs(back.positions[i] - s.positions[i]));
        dc = Math.max(dc, Math.abs(back.colors[i] - s.colors[i]));
      }
      expect(dp).toBeLessThan(fmt === 'compact' ? 1e-3 : 1e-6);
      expect(dc).toBeLessThan(fmt === 'compact' ? 1 / 255 : 1e-5);
    }
  });

  it('passes limits and the budget through to the reader', async () => {
    const s = syntheticScene({ count: 100, bankDim: 4 });
    for (const fmt of ['ply', 'glb', 'compact'] as SceneFileFormat[]) {
      const bytes = await writeSceneFile(s, fmt);
      await expect(readSceneFile(bytes, undefined, { maxGaussians: 50 })).rejects.toThrow(/exceeds the limit of 50/);
      await expect(readSceneFile(bytes, undefined, { budget: 60 })).rejects.toThrow(/more than the requested budget 60/);
      const ok = await readSceneFile(bytes, undefined, { budget: 150 });
      expect(ok.budget).toBe(150);
    }
    await expect(writeSceneFile(s, 'spz' as SceneFileFormat)).rejects.toThrow(/unknown format "spz"/);
  });
});

describe('loaded scenes', () => {
  it('mark Gaussians as loaded: no source view, weight 1', async () => {
    const s = syntheticScene({ count: 10, bankDim: 4 });
    for (const fmt of ['ply', 'glb', 'compact'] as SceneFileFormat[]) {
      const back = await readSceneFile(await writeSceneFile(s, fmt));
      expect(Array.from(back.sourceView.subarray(0, 10))).toEqual(new Array(10).fill(0xffff));
      expect(Array.from(back.weight.subarray(0, 10))).toEqual(new Array(10).fill(1));
    }
  });
});
