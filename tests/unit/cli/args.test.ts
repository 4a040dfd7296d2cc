/** The option-table parser every CLI uses (scripts/cli/args.ts, util.parseArgs in strict mode). */
import { describe, expect, it } from 'vitest';
import { formatHelp, parseCommand, UsageError, type CommandSpec } from '../../../scripts/cli/args';

const spec = {
  command: 'npm run thing --',
  usage: ['<input> [options]'],
  summary: 'Does a thing.',
  maxPositionals: 1,
  options: {
    out: { type: 'string', value: 'file', help: 'where to write' },
    budget: { type: 'integer', min: 1, default: 2_000_000, help: 'most Gaussians' },
    scale: { type: 'number', min: 0.01, max: 1, default: 1, help: 'image scale' },
    masks: { type: 'string', choices: ['auto', 'none'], default: 'auto', help: 'masks' },
    only: { type: 'list', help: 'areas' },
    json: { type: 'boolean', help: 'JSON output' },
  },
} satisfies CommandSpec;

const usage = (argv: string[]) => {
  try {
    parseCommand(spec, argv);
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error(`no error for ${argv.join(' ')}`);
};

describe('parseCommand', () => {
  it('parses values with their types and applies the table defaults', () => {
    const p = parseCommand(spec, ['cap', '--out', 'a.glb', '--scale=0.25', '--only', 'a, b', '--json']);
    expect(p.positionals).toEqual(['cap']);
    expect(p.values).toEqual({ out: 'a.glb', budget: 2_000_000, scale: 0.25, masks: 'auto', only: ['a', 'b'], json: true });
    expect([...p.given].sort()).toEqual(['json', 'only', 'out', 'scale']);
    // The string map (for optString/optNumber readers) carries given values and defaults alike.
    expect(p.options.get('budget')).toBe('2000000');
    expect(p.options.get('json')).toBe(true);
    expect(p.help).toBe(false);
    expect(parseCommand(spec, []).values.json).toBe(false);
    expect(parseCommand(spec, ['--help']).help).toBe(true);
    expect(parseCommand(spec, ['-h']).help).toBe(true);
  });

  it('refuses unknown options, listing the valid ones', () => {
    expect(usage(['cap', '--bogus-flag', '3'])).toBe('unknown option --bogus-flag; valid options: --out, --budget, --scale, --masks, --only, --json, --help');
    expect(usage(['-x'])).toMatch(/^unknown option -x; valid options: --out/);
  });

  it('names the option for missing and bad values', () => {
    expect(usage(['--out'])).toBe('--out needs a value: <file>');
    expect(usage(['--out', '--json'])).toMatch(/^--out needs a value/);
    expect(usage(['--budget', 'abc'])).toBe('--budget must be a number (got "abc")');
    expect(usage(['--budget', '2.5'])).toBe('--budget must be a whole number (got "2.5")');
    expect(usage(['--budget', '0'])).toBe('--budget must be at least 1 (got 0)');
    expect(usage(['--scale', '3'])).toBe('--scale must be between 0.01 and 1 (got 3)');
    expect(usage(['--masks', 'sam'])).toBe('--masks must be one of auto, none (got "sam")');
    expect(usage(['--json=yes'])).toBe('--json is a flag and takes no value');
    expect(usage(['a', 'b'])).toBe('too many arguments: "a" "b" (at most 1; see --help)');
  });

  it('prints every option with its default in the help', () => {
    const h = formatHelp(spec);
    expect(h.split('\n')[0]).toBe('usage: npm run thing -- <input> [options]');
    for (const name of Object.keys(spec.options)) expect(h).toContain(`--${name}`);
    expect(h).toMatch(/--budget <N>\s+most Gaussians \(default: 2000000\)/);
    expect(h).toMatch(/--masks <auto\|none>\s+masks \(default: auto\)/);
    expect(h).toMatch(/--json\s+JSON output\n/);
    expect(h).toMatch(/-h, --help\s+print this help and exit/);
  });
});
