/**
 * `npm run bench [-- --quick] [--only splat,depth] [--json] [--out docs/BENCH.md]` (`-- --help`: the options)
 * Runs every scripts/bench/<area>.ts module (each returns tables whose figures carry an in-run baseline and ratio),
 * prints them as markdown, and adds the process's peak memory. --quick uses small sizes (CI), the default the full sizes.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import os from 'node:os';
import { formatTable, type BenchModule, type BenchTable } from './bench/table';
import { parseCommandOrHelp, UsageError } from './cli/args';

const args = process.argv.slice(2);
let parsed;
try {
  parsed = parseCommandOrHelp(
    {
      command: 'npm run bench --',
      usage: ['[--quick] [--only area,area] [--json] [--out docs/BENCH.md]'],
      summary: 'Runs every scripts/bench/<area>.ts module; each table carries an in-run baseline and ratio.',
      options: {
        quick: { type: 'boolean', help: 'small sizes (the CI mode; also when CI=true)' },
        only: { type: 'list', value: 'area,area', help: 'run only these areas (file names in scripts/bench/)' },
        json: { type: 'boolean', help: 'print one JSON object with every table as the last stdout line' },
        out: { type: 'string', value: 'file.md', help: 'also write the tables as markdown to this file' },
      },
    },
    args,
  );
} catch (e) {
  if (!(e instanceof UsageError)) throw e;
  console.error(`bench: ${e.message}`);
  process.exit(2);
}
const quick = parsed.values.quick || process.env.CI === 'true';
const json = parsed.values.json;
const only = parsed.values.only;
const out = parsed.values.out;

const dir = join(dirname(fileURLToPath(import.meta.url)), 'bench');
const areas = readdirSync(dir)
  .filter((f) => f.endsWith('.ts') && f !== 'table.ts')
  .map((f) => f.slice(0, -3))
  .filter((a) => !only || only.includes(a))
  .sort();
if (!areas.length) {
  console.error(`bench: no benchmark module matches ${only?.join(',') ?? '(none found)'} in ${dir}`);
  process.exit(2);
}

const machine = `${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, no GPU`;
const all: { area: string; tables: BenchTable[]; error?: string }[] = [];
// A module may export summary(): its one-line JSON result, printed last with --json (e.g. share).
const summaries: Record<string, unknown>[] = [];
const lines: string[] = [`# Benchmarks (${quick ? 'quick' : 'full'} mode)`, '', `Machine: ${machine}`, ''];
for (const area of areas) {
  process.stderr.write(`bench: ${area} ...\n`);
  try {
    const mod = (await import(pathToFileURL(join(dir, `${area}.ts`)).href)) as BenchModule;
    if (mod.optIn && !only?.includes(area)) {
      process.stderr.write(`bench: ${area} skipped (opt-in: --only ${area})\n`);
      continue;
    }
    const tables = await mod.run({ quick });
    all.push({ area, tables });
    const sum = (mod as { summary?: () => Record<string, unknown> | null }).summary?.();
    if (sum) summaries.push(sum);
    for (const t of tables) lines.push(formatTable(t), '');
  } catch (e) {
    const error = e instanceof Error ? e.message : String(e);
    all.push({ area, tables: [], error });
    lines.push(`### ${area}: FAILED`, '', error, '');
  }
  console.log(lines.splice(0).join('\n'));
}
const peakMiB = process.resourceUsage().maxRSS / 1024;
const tail = `Peak resident memory of the whole run: ${peakMiB.toFixed(0)} MiB`;
console.log(tail);
if (out) {
  const md = [`# Benchmarks (${quick ? 'quick' : 'full'} mode)`, '', `Machine: ${machine}`, `Command: npm run bench -- ${args.join(' ')}`, ''];
  for (const a of all) for (const t of a.tables) md.push(formatTable(t), '');
  md.push(tail, '');
  writeFileSync(out, md.join('\n'));
}
const rows = all.flatMap((a) => a.tables.flatMap((t) => t.json ?? []));
if (json) console.log(JSON.stringify({ quick, machine, peakMiB, areas: all, rows }));
// A module's own summary (e.g. share's) is the last line when it has one.
if (json) for (const sum of summaries) console.log(JSON.stringify(sum));
if (all.some((a) => a.error)) process.exit(1);
