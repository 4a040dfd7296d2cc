/**
 * The whole fox CLI run, old vs new, in one run (issue 11): `npm run bench -- --only fox-run` (opt-in: never part
 * of the default or quick bench: the full-size baseline alone takes ~2 CPU-hours, ~158 s CPU per 1080x1920 view).
 *
 * Runs the real CLI (scripts/reconstruct.ts, the same code a user runs) as a child process on all 50 fox views
 * twice: at the photos' own 1080x1920 (`--max-size 0`, the old default) and at the default working resolution, and
 * reads the children's CPU time from /proc/self/stat (cutime + cstime: a waited-for child's CPU time is added to
 * its parent's), so the speed-up holds on a shared machine where wall time is mostly waiting. Then the held-out
 * novel-view PSNR of the default path's depth + fusion at the same working size (the docs/RESULTS.md section 1
 * protocol, `npm run eval -- novel-view --depth mvs --renderer gaussians`). The default path's scene is kept
 * at .bench/fox-run/default.glb: the display-thinning bench thins it (about 2M Gaussians).
 *
 * Environment: FOX_RUN_STEPS=default,eval,full (the default; the order they run in): e.g. FOX_RUN_STEPS=default,eval
 * re-measures the default path without the baseline (the speed-up columns then read "-"); FOX_RUN_VIEWS=N passes
 * --views N (a smoke test). Each step's result is kept as .bench/fox-run/<step>.json as soon as it ends.
 */
import { spawn, execFileSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { DEFAULT_MAX_SIZE, STAGES } from '../../lib/pipeline/reconstruction';
import type { BenchTable } from './table';

export const optIn = true;

const FOX = '../shared/data/fox/transforms.json';
const DIR = '.bench/fox-run';

/** CPU seconds of this process's waited-for children so far (user + system), from /proc/self/stat. */
function childCpuS(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  // Fields after the parenthesised command name: cutime and cstime are fields 16 and 17 (1-based).
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[13]) + Number(f[14])) / clockTicks;
}
const clockTicks = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

const load = () => os.loadavg()[0].toFixed(1);

/** Runs `node --import tsx <script> ...args`; returns its last stdout line as JSON, wall s, CPU s and the load seen. */
function runChild(script: string, args: string[], logFile: string): Promise<{ out: Record<string, unknown>; wallS: number; cpuS: number; load: string }> {
  return new Promise((resolve, reject) => {
    const loadBefore = load();
    const c0 = childCpuS();
    const t0 = performance.now();
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    const log = createWriteStream(logFile);
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.pipe(log);
    child.on('error', reject);
    child.on('close', (code) => {
      const wallS = (performance.now() - t0) / 1000;
      const cpuS = childCpuS() - c0;
      if (code !== 0) return reject(new Error(`${script} ${args.join(' ')} exited with ${code} (log: ${logFile})`));
      const last = stdout.trim().split('\n').pop() ?? '';
      try {
        resolve({ out: JSON.parse(last) as Record<string, unknown>, wallS, cpuS, load: `${loadBefore} -> ${load()}` });
      } catch {
        reject(new Error(`${script}: no JSON on the last stdout line (log: ${logFile})`));
      }
    });
  });
}

/** The docs/RESULTS.md section 1 protocol on our Gaussians (mvs depth) at the working resolution. */
async function novelViewPsnr(): Promise<BenchTable> {
  process.stderr.write(`fox-run: held-out novel-view PSNR (log ${DIR}/eval.log) ...\n`);
  const ev = await runChild('scripts/eval.ts', ['novel-view', '--data', FOX, '--depth', 'mvs', '--renderer', 'gaussians', '--png', '0', '--out', `${DIR}/eval`, '--json'], `${DIR}/eval.log`);
  const e = ev.out as { rows: { renderer: string; depth: string; psnr: number; ssim: number; perView: { psnr: number }[] }[]; width: number; height: number; targets: string[] };
  const g = e.rows.find((x) => x.depth === 'mvs' && x.renderer !== 'baseline');
  if (!g) throw new Error('novel-view eval: no mvs row in its JSON');
  return {
    title: `Fox held-out novel views at the working resolution (${e.width}x${e.height}, ${e.targets.length} targets; issue 11 target: no worse than 25.8 dB)`,
    columns: ['renderer', 'depth', 'PSNR dB', 'SSIM', 'dB vs 25.8 (issue 11)', 'wall s', 'CPU s'],
    rows: [[g.renderer, g.depth, +g.psnr.toFixed(2), +g.ssim.toFixed(3), +(g.psnr - 25.8).toFixed(2), Math.round(ev.wallS), Math.round(ev.cpuS)]],
    notes: [
      `Command: \`npm run eval -- novel-view --data ${FOX} --depth mvs --renderer gaussians --json\` (docs/RESULTS.md section 1 protocol; per target ${g.perView.map((v) => v.psnr.toFixed(2)).join(' ')}); load ${ev.load}. Stereo sweeps are cached in data/cache/eval/ between runs, so its time is not a pipeline figure.`,
    ],
  };
}

export async function run(): Promise<BenchTable[]> {
  if (!existsSync(FOX)) throw new Error(`${FOX} not found (../shared/data/fox is the evaluation capture)`);
  mkdirSync(DIR, { recursive: true });
  const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD']).toString().trim();
  const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no', 'lib', 'scripts']).toString().trim() ? ' + uncommitted changes' : '';
  // Order: the default path first (its scene feeds the display-thinning bench), then the PSNR, then the slow
  // full-size baseline. Each step's result is also kept as .bench/fox-run/<step>.json the moment it ends.
  const steps = (process.env.FOX_RUN_STEPS ?? 'default,eval,full').split(',');
  const bad = steps.filter((x) => !['default', 'eval', 'full'].includes(x));
  if (bad.length) throw new Error(`FOX_RUN_STEPS: unknown step(s) ${bad.join(', ')} (steps: default, eval, full)`);
  const started = new Date().toISOString().slice(11, 16);
  const runs = [
    { key: 'full', name: 'full size (old default, --max-size 0) [baseline]', maxSize: 0 },
    { key: 'default', name: `working resolution (--max-size ${DEFAULT_MAX_SIZE}, default)`, maxSize: DEFAULT_MAX_SIZE },
  ];
  type CliOut = { gaussians: number; bytes: number; stageMs: Record<string, number>; working: { width: number; height: number }; writeMs: number; semantics: boolean };
  const done = new Map<string, { out: CliOut; wallS: number; cpuS: number; load: string }>();
  let evalTable: BenchTable | null = null;
  for (const step of steps) {
    if (step === 'eval') {
      evalTable = await novelViewPsnr();
      writeFileSync(`${DIR}/eval.json`, JSON.stringify(evalTable));
      continue;
    }
    const r = runs.find((x) => x.key === step)!;
    process.stderr.write(`fox-run: ${r.name} (log ${DIR}/${r.key}.log) ...\n`);
    const views = process.env.FOX_RUN_VIEWS ? ['--views', process.env.FOX_RUN_VIEWS] : [];
    const res = await runChild('scripts/reconstruct.ts', [FOX, '--out', `${DIR}/${r.key}.glb`, '--max-size', String(r.maxSize), ...views, '--json'], `${DIR}/${r.key}.log`);
    const o = res.out as CliOut;
    done.set(r.key, { ...res, out: o });
    writeFileSync(`${DIR}/${r.key}.json`, JSON.stringify({ commit, started, wallS: res.wallS, cpuS: res.cpuS, load: res.load, cli: o }));
    if (o.semantics) process.stderr.write('fox-run: note: the CLI ran with semantics (CLIP installed): times include masks and embeddings\n');
  }
  const base = done.get('full');
  const rows: (string | number)[][] = [];
  const json: Record<string, number>[] = [];
  for (const r of runs) {
    const d = done.get(r.key);
    if (!d) continue;
    const o = d.out;
    const stage = (s: string) => +((o.stageMs[s] ?? 0) / 1000).toFixed(1);
    rows.push([
      r.name,
      `${o.working.width}x${o.working.height}`,
      stage('depth'),
      stage('gaussians'),
      stage('fusion'),
      +(o.writeMs / 1000).toFixed(1),
      +d.wallS.toFixed(1),
      +d.cpuS.toFixed(1),
      o.gaussians,
      +(o.bytes / 1e6).toFixed(1),
      base ? +(base.wallS / d.wallS).toFixed(2) : '-',
      base ? +(base.cpuS / d.cpuS).toFixed(2) : '-',
    ]);
    json.push({ maxSize: r.maxSize, wallS: d.wallS, cpuS: d.cpuS, gaussians: o.gaussians, bytes: o.bytes, ...Object.fromEntries(STAGES.map((s) => [`${s}Ms`, o.stageMs[s] ?? 0])) });
  }
  const loads = [...done].map(([k, d]) => `${k} ${d.load}`);
  const notes = [
    `Command: \`nice -n 10 npm run bench -- --only fox-run\`, commit ${commit}${dirty}, started ${started} UTC; load average (1 min) before -> after each run: ${loads.join('; ')} (2-core machine).`,
    `Each row is the real CLI (\`npm run reconstruct -- ../shared/data/fox/transforms.json --out X.glb --max-size N --json\`) as a child process, ${process.env.FOX_RUN_VIEWS ? `--views ${process.env.FOX_RUN_VIEWS}` : 'all 50 views'}, stereo depth, geometry only (CLIP is not installed). Stage columns are the CLI's own stage times (wall s); CPU s is the child's user + system time.`,
    'Speed-up (CPU) is the figure to read on a shared machine: wall time includes waiting for other people\'s processes.',
  ];
  const tables: BenchTable[] = [];
  if (rows.length)
    tables.push({
      title: 'Whole fox CLI run, 50 views: full size vs working resolution, same run (issue 11 target: at least 8x faster)',
      columns: ['path', 'working size', 'depth s', 'gaussians s', 'fusion s', 'write s', 'wall s', 'CPU s', 'Gaussians', '.glb MB', 'speed-up (wall)', 'speed-up (CPU)'],
      rows,
      notes,
      json,
    });
  if (evalTable) tables.push(evalTable);
  const size = existsSync(`${DIR}/default.glb`) ? statSync(`${DIR}/default.glb`).size : 0;
  if (size) process.stderr.write(`fox-run: default-path scene kept at ${DIR}/default.glb (${(size / 1e6).toFixed(1)} MB) for the display-thinning bench\n`);
  return tables;
}
