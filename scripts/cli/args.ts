/** Minimal argv parsing for the CLIs: positionals, `--flag`, `--key value`, `--key=value`. */
export interface ParsedArgs {
  positionals: string[];
  options: Map<string, string | true>;
}

export function parseArgs(argv: string[]): ParsedArgs {
  const positionals: string[] = [];
  const options = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      if (eq > 0) options.set(a.slice(2, eq), a.slice(eq + 1));
      else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) options.set(a.slice(2), argv[++i]);
      else options.set(a.slice(2), true);
    } else positionals.push(a);
  }
  return { positionals, options };
}

export class UsageError extends Error {}

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
