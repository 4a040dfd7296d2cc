/**
 * Every CLI as a user runs it: `--help` prints each option of its table with the default (stdout,
 * exit 0), an unknown option is a usage error (exit 2) listing the valid ones.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const tsx = join('node_modules', '.bin', 'tsx');
const run = (script: string, args: string[]) => {
  const r = spawnSync(tsx, [script, ...args], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, CI: 'true' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

const CASES: { script: string; pre: string[]; options: string[]; defaults: RegExp }[] = [
  { script: 'scripts/eval.ts', pre: ['novel-view'], options: ['data', 'scale', 'holdout-every', 'depth', 'renderer', 'nearest', 'json'], defaults: /--scale <x>\s+.*\(default: 0\.25\)/ },
  { script: 'scripts/eval.ts', pre: ['semantic'], options: ['room', 'setting', 'bank', 'seed', 'views', 'voxel'], defaults: /--voxel <x>\s+.*\(default: 0\.1\)/ },
  { script: 'scripts/bench.ts', pre: [], options: ['quick', 'only', 'json', 'out'], defaults: /--only <area,area>/ },
  { script: 'scripts/samples.ts', pre: [], options: ['room', 'seed', 'views', 'width', 'height', 'out', 'sheet'], defaults: /--views <N>\s+frames per room \(default: 30\)/ },
  { script: 'scripts/models-fetch.ts', pre: [], options: ['only', 'dir', 'list'], defaults: /--dir <folder>\s+.*\(default: data\/models\)/ },
];

describe('CLI options', () => {
  for (const c of CASES) {
    const name = [c.script, ...c.pre].join(' ');
    it(`${name}: --help lists every option with its default; unknown options are refused`, () => {
      const h = run(c.script, [...c.pre, '--help']);
      expect(h.code, h.err).toBe(0);
      for (const o of [...c.options, 'help']) expect(h.out).toContain(`--${o}`);
      expect(h.out).toMatch(c.defaults);
      const bad = run(c.script, [...c.pre, '--bogus-flag', '3']);
      expect(bad.code).toBe(2);
      expect(bad.err).toMatch(new RegExp(`unknown option --bogus-flag; valid options: --${c.options[0]}, .*--help`));
    });
  }

  it('eval names its tasks when none or a wrong one is given, and a bad value names the option', () => {
    const none = run('scripts/eval.ts', []);
    expect(none.code).toBe(2);
    expect(none.err).toMatch(/no task given; tasks: novel-view, semantic/);
    expect(run('scripts/eval.ts', ['novel']).err).toMatch(/unknown task "novel"; tasks: novel-view, semantic/);
    const bad = run('scripts/eval.ts', ['novel-view', '--holdout-every', 'often']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--holdout-every must be a number \(got "often"\)/);
    expect(run('scripts/samples.ts', ['--views', '1']).err).toMatch(/--views must be between 2 and 200 \(got 1\)/);
  });
});
