import { describe, expect, it } from 'vitest';
import { GaussianScene } from '../../../lib/splat/gaussian-scene';
import { readSceneFile, writeSceneFile } from '../../../lib/splat/scene-file';

describe('bank provenance (row 0: embedder and mask source)', () => {
  for (const format of ['glb', 'ply', 'compact'] as const) {
    it(`survives a ${format} round trip, so a query uses the same CLIP and grouping`, async () => {
      const scene = new GaussianScene({ bankDim: 4 });
      scene.allocate(2);
      scene.scales.fill(0.01);
      scene.opacities.fill(0.5);
      scene.bank.add([1, 0, 0, 0], { label: 'lamp', instanceId: 1, sourceViews: [0], support: 1 });
      scene.bank.embedder = 'mobileclip-s0';
      scene.bank.maskSource = 'graph-fh';
      const back = await readSceneFile(await writeSceneFile(scene, format));
      expect(back.bank.embedder).toBe('mobileclip-s0');
      expect(back.bank.maskSource).toBe('graph-fh');
      expect(back.bank.meta[1].label).toBe('lamp');
    });
  }
});
