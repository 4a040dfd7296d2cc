/**
 * Option parsing for the CLIs: Node's util.parseArgs in strict mode, driven by ONE table per
 * command (name -> type, default, help). The table is the whole truth about a command's options:
 * parsing, validation, defaults and `--help` all come from it, so adding an option is adding a row.
 * Unknown options, missing values and bad numbers are usage errors that name the option.
 */
import { parseArgs as nodeParseArgs } from 'node:util';

export interface OptionSpec {
  /** 'number' and 'integer' are checked at parse time; 'list' is comma-separated strings. */
  type: 'string' | 'number' | 'integer' | 'boolean' | 'list';
  /** Shown in --help and applied when the option is absent. Booleans default to false. */
  default?: string | number | boolean;
  help: string;
  /** Placeholder in --help ('N', 'file', 'glb|ply|compact'); defaults to the choices or the type. */
  value?: string;
  /** Allowed values of a string option. */
  choices?: readonly string[];
  /** Inclusive bounds of a number/integer option. */
  min?: number;
  max?: number;
  short?: string;
}

export type OptionTable = Record<string, OptionSpec>;

export interface CommandSpec {
  /** How the command is run, e.g. 'npm run reconstruct --'. */
  command: string;
  /** One line per form, after `command` ('<capture> --out scene.glb [options]'). */
  usage: string[];
  /** A few lines on what it does (printed under the usage). */
  summary?: string;
  options: OptionTable;
  /** Most positionals accepted (default 0). */
  maxPositionals?: number;
}

/** Parsed arguments: positionals and the given options (plus defaults) as strings, for optString & co. */
export interface ParsedArgs {
  positionals: string[];
  options: Map<string, string | true>;
}

type ValueOf<S extends OptionSpec> = S['type'] extends 'boolean'
  ? boolean
  : S['type'] extends 'list'
    ? string[]
    : S['type'] extends 'string'
      ? S extends { choices: readonly (infer C)[] }
        ? C
        : string
      : number;
export type OptionValues<T extends OptionTable> = {
  [K in keyof T]: T[K]['type'] extends 'boolean' ? boolean : T[K] extends { default: string | number } ? ValueOf<T[K]> : ValueOf<T[K]> | undefined;
};

export interface ParsedCommand<T extends OptionTable> extends ParsedArgs {
  /** Typed values, defaults applied. */
  values: OptionValues<T>;
  /** Options the user actually gave (not defaults). */
  given: Set<string>;
  help: boolean;
}

export class UsageError extends Error {}

const HELP: OptionSpec = { type: 'boolean', help: 'print this help and exit', short: 'h' };

function placeholder(s: OptionSpec): string {
  if (s.type === 'boolean') return '';
  if (s.value) return ` <${s.value}>`;
  if (s.choices) return ` <${s.choices.join('|')}>`;
  return s.type === 'list' ? ' <a,b,...>' : s.type === 'string' ? ' <text>' : s.type === 'integer' ? ' <N>' : ' <x>';
}

/** The --help text: usage lines, summary, then every option with its default. */
export function formatHelp(spec: CommandSpec): string {
  const lines = spec.usage.map((u, i) => `${i === 0 ? 'usage: ' : '       '}${spec.command} ${u}`);
  if (spec.summary) lines.push('', ...spec.summary.split('\n'));
  lines.push('', 'options:');
  const rows = Object.entries({ ...spec.options, help: HELP }).map(([name, s]) => {
    const left = `  ${s.short ? `-${s.short}, ` : ''}--${name}${placeholder(s)}`;
    let right = s.help;
    if (s.default !== undefined && s.type !== 'boolean') right += ` (default: ${s.default})`;
    return [left, right] as const;
  });
  const width = Math.min(34, Math.max(...rows.map(([l]) => l.length)) + 2);
  for (const [l, r] of rows) lines.push(l.length + 2 > width ? `${l}\n${' '.repeat(width)}${r}` : l.padEnd(width) + r);
  return lines.join('\n') + '\n';
}

function optionList(spec: CommandSpec): string {
  return Object.keys(spec.options).map((n) => `--${n}`).join(', ') + ', --help';
}

function convert(name: string, s: OptionSpec, raw: string): string | number | string[] {
  if (s.type === 'string') {
    if (s.choices && !s.choices.includes(raw)) throw new UsageError(`--${name} must be one of ${s.choices.join(', ')} (got "${raw}")`);
    return raw;
  }
  if (s.type === 'list') return raw.split(',').map((x) => x.trim()).filter(Boolean);
  const n = raw.trim() === '' ? NaN : Number(raw);
  if (!Number.isFinite(n)) throw new UsageError(`--${name} must be a number (got "${raw}")`);
  if (s.type === 'integer' && !Number.isInteger(n)) throw new UsageError(`--${name} must be a whole number (got "${raw}")`);
  if ((s.min !== undefined && n < s.min) || (s.max !== undefined && n > s.max))
    throw new UsageError(`--${name} must be ${s.min !== undefined && s.max !== undefined ? `between ${s.min} and ${s.max}` : s.min !== undefined ? `at least ${s.min}` : `at most ${s.max}`} (got ${raw})`);
  return n;
}

/**
 * Parses `argv` against the command's table. Throws UsageError naming the problem: an unknown
 * option (with the list of valid ones), a missing or bad value, a value given to a flag, too many
 * positionals. `--help` / `-h` sets `help` (see parseCommandOrHelp).
 */
export function parseCommand<T extends OptionTable>(spec: CommandSpec & { options: T }, argv: string[]): ParsedCommand<T> {
  const table: OptionTable = { ...spec.options, help: HELP };
  const config: Record<string, { type: 'string' | 'boolean'; short?: string }> = {};
  for (const [name, s] of Object.entries(table)) config[name] = { type: s.type === 'boolean' ? 'boolean' : 'string', ...(s.short ? { short: s.short } : {}) };
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    parsed = nodeParseArgs({ args: argv, options: config, strict: true, allowPositionals: true }) as typeof parsed;
  } catch (e) {
    const err = e as Error & { code?: string };
    const m = /'(-{1,2}[^' ]+)/.exec(err.message);
    const opt = m ? m[1] : '';
    if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw new UsageError(`unknown option ${opt}; valid options: ${optionList(spec)}`);
    if (err.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      const name = opt.replace(/^-+/, '');
      if (table[name]?.type === 'boolean') throw new UsageError(`${opt} is a flag and takes no value`);
      throw new UsageError(`${opt} needs a value${table[name] ? `:${placeholder(table[name])}` : ''}`);
    }
    if (err.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') throw new UsageError(`unexpected argument: ${err.message}`);
    throw new UsageError(err.message);
  }
  const help = parsed.values.help === true;
  const max = spec.maxPositionals ?? 0;
  if (!help && parsed.positionals.length > max)
    throw new UsageError(
      max === 0
        ? `unexpected argument "${parsed.positionals[0]}" (this command takes options only; see --help)`
        : `too many arguments: ${parsed.positionals.map((p) => JSON.stringify(p)).join(' ')} (at most ${max}; see --help)`,
    );
  const values: Record<string, unknown> = {};
  const options = new Map<string, string | true>();
  const given = new Set<string>();
  for (const [name, s] of Object.entries(spec.options)) {
    const raw = parsed.values[name];
    if (s.type === 'boolean') {
      values[name] = raw === true;
      if (raw === true) {
        options.set(name, true);
        given.add(name);
      }
      continue;
    }
    if (typeof raw === 'string') {
      // A flag-like value ("--out --json") is almost always a forgotten value, not a file name.
      if (raw.startsWith('--')) throw new UsageError(`--${name} needs a value${placeholder(s)} (got "${raw}")`);
      values[name] = convert(name, s, raw);
      options.set(name, raw);
      given.add(name);
    } else if (s.default !== undefined) {
      values[name] = s.type === 'list' ? convert(name, s, String(s.default)) : s.default;
      options.set(name, String(s.default));
    } else values[name] = undefined;
  }
  return { positionals: parsed.positionals, options, values: values as OptionValues<T>, given, help };
}

/** parseCommand, but `--help` prints the help to stdout and exits 0 (for the scripts' main). */
export function parseCommandOrHelp<T extends OptionTable>(spec: CommandSpec & { options: T }, argv: string[]): ParsedCommand<T> {
  const p = parseCommand(spec, argv);
  if (p.help) {
    process.stdout.write(formatHelp(spec));
    process.exit(0);
  }
  return p;
}

export function optString(p: ParsedArgs, key: string, fallback?: string): string | undefined {
  const v = p.options.get(key);
  if (v === true) throw new UsageError(`--${key} needs a value`);
  return v ?? fallback;
}

export function optNumber(p: ParsedArgs, key: string, fallback?: number): number | undefined {
  const v = optString(p, key);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new UsageError(`--${key} must be a number, got "${v}"`);
  return n;
}

export function optList(p: ParsedArgs, key: string): number[] | undefined {
  const v = optString(p, key);
  if (v === undefined) return undefined;
  return v.split(',').map((s) => {
    const n = Number(s.trim());
    if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${key} must be a comma-separated list of indices, got "${v}"`);
    return n;
  });
}

/** Runs a CLI main; usage and input errors print one clear line and exit 2/1 (no stack trace for user errors). */
export async function runCli(main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    process.stderr.write(`\nerror: ${msg}\n`);
    if (process.env.DEBUG && e instanceof Error) process.stderr.write(`${e.stack}\n`);
    process.exit(e instanceof UsageError ? 2 : 1);
  }
}
