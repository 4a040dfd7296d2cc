/** `npm run reconstruct` reports the world transform it applied (--json and the human report), and --keep-world skips it. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSceneFile } from '../../../lib/splat/scene-file';
import { readFileSync } from 'node:fs';

const cli = (args: string[]) => spawnSync(join('node_modules', '.bin', 'tsx'), ['scripts/reconstruct.ts', ...args], { encoding: 'utf8', timeout: 180_000, env: { ...process.env, CI: 'true' } });
const lastJson = (out: string) => JSON.parse(out.trim().split('\n').pop()!);

describe('npm run reconstruct: world frame and working size', () => {
  const dir = mkdtempSync(join(tmpdir(), 'segsplat-world-'));

  it('states where up and the floor came from, writes it and the capture cameras into the scene file', async () => {
    const out = join(dir, 'a.glb');
    const r = cli(['public/samples/living_room', '--views', '2', '--masks', 'none', '--max-size', '160', '--out', out, '--json']);
    expect(r.status, r.stderr).toBe(0);
    const j = lastJson(r.stdout);
    expect(j.working).toEqual({ width: 160, height: 120 });
    expect(j.world.upSource).toBe('capture'); // the bundle states worldUp [0, 1, 0]
    expect(j.world.floorSource).toBe('plane');
    expect(j.world.matrix).toHaveLength(16);
    expect(r.stderr).toMatch(/world {8}up from the capture's worldUp/);
    const scene = await readSceneFile(new Uint8Array(readFileSync(out)));
    expect(scene.info?.cameras).toHaveLength(2);
    expect(scene.info?.cameras[0].intrinsics.width).toBe(160);
    expect(scene.info?.world?.upSource).toBe('capture');
  }, 120_000);

  it('--keep-world keeps the capture frame; --max-size must be a number', () => {
    const r = cli(['public/samples/living_room', '--views', '2', '--masks', 'none', '--max-size', '96', '--keep-world', '--out', join(dir, 'b.glb'), '--json']);
    expect(r.status, r.stderr).toBe(0);
    const j = lastJson(r.stdout);
    expect(j.world.upSource).toBe('none');
    expect(j.world.matrix).toEqual([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
    expect(r.stderr).toMatch(/kept as captured/);
    const bad = cli(['public/samples/living_room', '--max-size', 'big', '--out', join(dir, 'c.glb')]);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/--max-size/);
  }, 120_000);
});
