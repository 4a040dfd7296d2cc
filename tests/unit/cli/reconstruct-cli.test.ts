/**
 * `npm run reconstruct` as a user runs it: a real child process on the shipped sample, on broken inputs, and in
 * query mode. Checks exit codes, the clear error lines, and the `--json` last line.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REDKITCHEN } from '../capture/rgbd-helpers';
import { writeTumFromRedkitchen } from '../capture/tum-fixture';

const tsx = join('node_modules', '.bin', 'tsx');
const cli = (args: string[]) => {
  const r = spawnSync(tsx, ['scripts/reconstruct.ts', ...args], { encoding: 'utf8', timeout: 180_000, env: { ...process.env, CI: 'true' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
};
const lastJson = (out: string) => JSON.parse(out.trim().split('\n').pop()!);

describe('npm run reconstruct', () => {
  const dir = mkdtempSync(join(tmpdir(), 'segsplat-cli-'));

  it('builds a scene from 3 sample views (geometry only) and prints the counts as JSON', () => {
    const out = join(dir, 'scene.glb');
    const r = cli(['public/samples/living_room', '--views', '3', '--masks', 'none', '--out', out, '--json']);
    expect(r.code, r.err).toBe(0);
    const j = lastJson(r.out);
    expect(j.views).toBe(3);
    expect(j.gaussians).toBeGreaterThan(10_000);
    expect(j.bankEntries).toBe(0);
    expect(j.instances).toBe(0);
    expect(existsSync(out)).toBe(true);
    expect(readFileSync(out).subarray(0, 4).toString('latin1')).toBe('glTF');
  });

  it('refuses to query a scene built without semantics, saying why', () => {
    const out = join(dir, 'plain.sgsc');
    expect(cli(['public/samples/living_room', '--views', '2', '--masks', 'none', '--out', out]).code).toBe(0);
    const r = cli(['--scene', out, '--query', 'lamp', '--models', 'standin', '--json']);
    // An empty bank cannot answer: a clear error, not a crash.
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/semantic bank is empty/);
  });

  it('with stand-in semantics: finds a colour that is there, and answers "not found" (exit 0, empty list) for one that is not', () => {
    const out = join(dir, 'sem.glb');
    const b = cli(['public/samples/living_room', '--views', '0,1,2', '--width', '160', '--height', '120', '--models', 'standin', '--masks', 'graph', '--out', out, '--json']);
    expect(b.code, b.err).toBe(0);
    expect(lastJson(b.out).bankEntries).toBeGreaterThan(0);
    const yes = cli(['--scene', out, '--query', 'green', '--models', 'standin', '--json']);
    expect(yes.code, yes.err).toBe(0);
    expect(lastJson(yes.out).instances.length).toBeGreaterThan(0);
    // Without --models standin, the stand-in build is named as such, not "no clip-image model in the manifest".
    const real = cli(['--scene', out, '--query', 'green']);
    expect(real.code).toBe(1);
    expect(real.err).toMatch(/built with the TEST STAND-IN models .* Query it with --models standin/);
    expect(yes.err).toMatch(/answering with the TEST STAND-IN models/);
    const no = cli(['--scene', out, '--query', 'pink', '--models', 'standin', '--json']);
    expect(no.code, no.err).toBe(0);
    const j = lastJson(no.out);
    expect(j.found).toBe(false);
    expect(j.instances).toEqual([]);
    expect(no.err).toMatch(/not found/); // with --json, people's lines go to stderr
  });

  it('exits non-zero with a clear message for a missing input, broken JSON and bad options', () => {
    const missing = cli([join(dir, 'nope'), '--out', join(dir, 'x.glb')]);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/input not found/);

    const broken = join(dir, 'broken');
    cpSync('public/samples/living_room', broken, { recursive: true });
    writeFileSync(join(broken, 'capture.json'), '{ "schema": "segsplat-capture", ');
    const b = cli([broken, '--out', join(dir, 'b.glb')]);
    expect(b.code).toBe(1);
    expect(b.err).toMatch(/capture\.json|JSON/);

    const usage = cli(['public/samples/living_room', '--out', join(dir, 'x.txt')]);
    expect(usage.code).toBe(2);
    expect(usage.err).toMatch(/--format/);
  });

  it('--help prints every option with its default to stdout; unknown options and bad values are usage errors', () => {
    const h = cli(['--help']);
    expect(h.code).toBe(0);
    expect(h.err).toBe('');
    for (const o of ['out', 'format', 'views', 'scale', 'width', 'height', 'depth', 'masks', 'bank', 'budget', 'models', 'clip', 'scene', 'query', 'json', 'help'])
      expect(h.out).toContain(`--${o}`);
    expect(h.out).toMatch(/--budget <N>\s+most Gaussians in the scene \(default: 2000000\)/);
    const bogus = cli(['public/samples/living_room', '--out', join(dir, 'x.glb'), '--bogus-flag', '3']);
    expect(bogus.code).toBe(2);
    expect(bogus.err).toMatch(/unknown option --bogus-flag; valid options: --out, --format, --views, .*--json, --help/);
    const bad = cli(['public/samples/living_room', '--out', join(dir, 'x.glb'), '--budget', 'lots']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--budget must be a number \(got "lots"\)/);
  });

  it('builds from a 7-Scenes RGB-D folder and from a TUM RGB-D sequence with their device depth', () => {
    const seven = cli([REDKITCHEN, '--views', '2', '--masks', 'none', '--budget', '40000', '--out', join(dir, 'k.sgsc'), '--json']);
    expect(seven.code, seven.err).toBe(0);
    expect(seven.err).toMatch(/7-scenes: redkitchen/);
    expect(seven.err).toMatch(/views\s+2 \(depth: device 2\)/);
    expect(lastJson(seven.out).gaussians).toBeGreaterThan(10_000);
    const tum = writeTumFromRedkitchen(REDKITCHEN, [150, 160], { dir: join(dir, 'rgbd_dataset_kitchen') });
    const t = cli([tum.dir, '--masks', 'none', '--budget', '40000', '--out', join(dir, 't.sgsc'), '--json']);
    expect(t.code, t.err).toBe(0);
    expect(t.err).toMatch(/tum-rgbd: rgbd_dataset_kitchen/);
    expect(t.err).toMatch(/skipped frame .*: no ground-truth pose within 20 ms/);
    expect(t.err).toMatch(/views\s+2 \(depth: device 2\)/);
  });

  it('skips and reports a frame whose pose is not rigid, and still builds from the rest', () => {
    const bad = join(dir, 'badpose');
    cpSync('public/samples/living_room', bad, { recursive: true });
    const cap = JSON.parse(readFileSync(join(bad, 'capture.json'), 'utf8'));
    cap.frames = cap.frames.slice(0, 3);
    cap.frames[1].cameraToWorld[0] = 2; // a scale in the rotation: not rigid
    writeFileSync(join(bad, 'capture.json'), JSON.stringify(cap));
    const r = cli([bad, '--masks', 'none', '--out', join(dir, 'c.ply'), '--json']);
    expect(r.code, r.err).toBe(0);
    const j = lastJson(r.out);
    expect(j.views).toBe(2);
    expect(j.skipped).toHaveLength(1);
    expect(j.skipped[0].reason).toMatch(/orthonormal/);
  });
});
