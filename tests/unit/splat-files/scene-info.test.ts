/**
 * Capture cameras + world transform (lib/splat/scene-info.ts) in every scene format: round trips, files
 * without them (older writers, foreign tools), and files that lie about them.
 */
import { describe, expect, it } from 'vitest';
import { GaussianScene } from '../../../lib/splat/gaussian-scene';
import { readSceneFile, writeSceneFile } from '../../../lib/splat/scene-file';
import { MAX_STORED_CAMERAS, type SceneInfo } from '../../../lib/splat/scene-info';

function sceneWithInfo(cameras = 3): GaussianScene {
  const s = new GaussianScene({ bankDim: 4 });
  s.allocate(4);
  s.scales.fill(0.01);
  s.opacities.fill(0.5);
  const info: SceneInfo = {
    cameras: Array.from({ length: cameras }, (_, i) => ({
      id: `frame ${i} ü`,
      cameraToWorld: [1, 0, 0, 0, 0, Math.cos(i), Math.sin(i), 0, 0, -Math.sin(i), Math.cos(i), 0, 0.1 * i, 1.5, -2 + i / 3, 1],
      intrinsics: { fx: 500.25 + i, fy: 501.5, cx: 319.5, cy: 239.5, width: 640, height: 480 },
    })),
    world: { matrix: [1, 0, 0, 0, 0, 0, -1, 0, 0, 1, 0, 0, 0, 1.25, 0, 1], upSource: 'plane', floorSource: 'below-cameras' },
  };
  s.info = info;
  return s;
}

describe('scene info (capture cameras, world transform) in scene files', () => {
  for (const format of ['glb', 'ply', 'compact'] as const) {
    it(`survives a ${format} round trip`, async () => {
      const s = sceneWithInfo();
      const back = await readSceneFile(await writeSceneFile(s, format));
      expect(back.info).not.toBeNull();
      expect(back.info!.cameras).toHaveLength(3);
      back.info!.cameras.forEach((c, i) => {
        const want = s.info!.cameras[i];
        expect(c.id).toBe(want.id);
        c.cameraToWorld.forEach((v, k) => expect(v).toBeCloseTo(want.cameraToWorld[k], 6));
        expect(c.intrinsics.fx).toBeCloseTo(want.intrinsics.fx, 4);
        expect(c.intrinsics.width).toBe(640);
      });
      expect(back.info!.world).toEqual(s.info!.world);
    });

    it(`a ${format} file without scene info reads as info = null`, async () => {
      const s = sceneWithInfo();
      s.info = null;
      expect((await readSceneFile(await writeSceneFile(s, format))).info).toBeNull();
    });
  }

  it('costs little: 100 cameras add under 25 kB to a .glb', async () => {
    const a = await writeSceneFile(sceneWithInfo(100), 'glb');
    const none = sceneWithInfo(100);
    none.info = null;
    const b = await writeSceneFile(none, 'glb');
    expect(a.length - b.length).toBeLessThan(25_000);
  });

  it(`keeps an even spread of at most ${MAX_STORED_CAMERAS} cameras`, async () => {
    const back = await readSceneFile(await writeSceneFile(sceneWithInfo(MAX_STORED_CAMERAS + 500), 'compact'));
    expect(back.info!.cameras).toHaveLength(MAX_STORED_CAMERAS);
    expect(back.info!.cameras[0].id).toBe('frame 0 ü');
  });

  it('refuses files whose cameras are not cameras, naming the field', async () => {
    const s = sceneWithInfo();
    const ply = new TextDecoder('latin1').decode(await writeSceneFile(s, 'ply'));
    const badPly = ply.replace('"fx":500.25', '"fx":-1');
    await expect(readSceneFile(new Uint8Array([...badPly].map((c) => c.charCodeAt(0))))).rejects.toThrow(/camera 0 focal lengths must be positive/);
    const brokenJson = ply.replace('comment segsplat_world {', 'comment segsplat_world {{');
    await expect(readSceneFile(new Uint8Array([...brokenJson].map((c) => c.charCodeAt(0))))).rejects.toThrow(/segsplat_world comment is not valid JSON/);
    s.info!.cameras[1].cameraToWorld[3] = NaN;
    // NaN is not JSON: the writer's JSON has null there, and the reader says which camera is wrong.
    await expect(readSceneFile(await writeSceneFile(s, 'glb'))).rejects.toThrow(/camera 1 cameraToWorld is not 16 finite numbers/);
  });
});
