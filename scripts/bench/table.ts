/** A benchmark table: every figure next to a baseline measured in the same run, and their ratio. */
export type BenchTable = {
  title: string;
  columns: string[];
  rows: (string | number)[][];
  notes?: string[];
  /** Machine-readable rows for --json (collected into the last line's top-level "rows"). */
  json?: Record<string, number>[];
};

/** optIn: run only when named in --only (a bench too slow for the default run, e.g. fox-run). */
export type BenchModule = { run(opts: { quick: boolean }): Promise<BenchTable[]>; optIn?: boolean };

const fmt = (v: string | number): string =>
  typeof v === 'number' ? (Number.isInteger(v) ? String(v) : Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toPrecision(3)) : v;

/** Renders a table as GitHub markdown (also readable in a terminal). */
export function formatTable(t: BenchTable): string {
  const cells = [t.columns, ...t.rows.map((r) => r.map(fmt))];
  const widths = t.columns.map((_, c) => Math.max(...cells.map((r) => String(r[c] ?? '').length)));
  const line = (r: (string | number)[]) => '| ' + r.map((v, c) => String(v ?? '').padEnd(widths[c])).join(' | ') + ' |';
  const out = [`### ${t.title}`, '', line(cells[0]), '| ' + widths.map((w) => '-'.repeat(w)).join(' | ') + ' |'];
  for (const r of cells.slice(1)) out.push(line(r));
  for (const n of t.notes ?? []) out.push('', `> ${n}`);
  return out.join('\n');
}

/** Wall and CPU milliseconds of fn, best of `repeat` runs (CPU time shows contention on a shared machine). */
export async function timeIt(fn: () => unknown | Promise<unknown>, repeat = 3): Promise<{ wallMs: number; cpuMs: number }> {
  let best = { wallMs: Infinity, cpuMs: Infinity };
  for (let i = 0; i < repeat; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await fn();
    const wallMs = performance.now() - t0;
    const c = process.cpuUsage(c0);
    const cpuMs = (c.user + c.system) / 1000;
    if (wallMs < best.wallMs) best = { wallMs, cpuMs };
  }
  return best;
}
