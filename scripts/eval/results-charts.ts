/**
 * Summary charts for docs/RESULTS.md from saved `npm run eval -- ... --json` outputs (the last stdout line):
 *
 *   npx tsx scripts/eval/results-charts.ts --dir docs/img/results
 *
 * Reads, when present in --dir: fox-novel-view.json, living_room-novel-view.json (novel-view runs),
 * semantic-main.json (both settings, both banks), semantic-entries.json (oracle, instances, --grouping entries),
 * semantic-voxels.json (oracle, instances, --grouping voxels), semantic-entries-ext.json (entries + --min-extent 0.15).
 * Writes chart-*.svg next to them.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { barChartSvg, type BarSeries } from '../../lib/eval/svg-chart';
import { parseCommandOrHelp } from '../cli/args';

interface NvRow { renderer: string; depth: string; psnr: number }
interface SemRun { room: string; setting: string; bank: string; recall: number; precision: number; vsSurface?: { recall: number; precision: number } }

const args = parseCommandOrHelp(
  {
    command: 'npx tsx scripts/eval/results-charts.ts',
    usage: ['[--dir docs/img/results]'],
    summary: 'Summary charts (chart-*.svg) from saved `npm run eval -- ... --json` outputs.',
    options: { dir: { type: 'string', value: 'folder', default: 'docs/img/results', help: 'folder with the eval JSON outputs; the charts go there too' } },
  },
  process.argv.slice(2),
);
const dir = args.values.dir;
const read = <T>(name: string): T | null => (existsSync(join(dir, name)) ? (JSON.parse(readFileSync(join(dir, name), 'utf8')) as T) : null);
const written: string[] = [];
const write = (name: string, svg: string) => {
  writeFileSync(join(dir, name), svg);
  written.push(join(dir, name));
};

for (const [file, title, ref] of [
  ['fox-novel-view.json', 'fox (real phone capture): mean PSNR, 10 held-out views, 270x480', true],
  ['living_room-novel-view.json', 'living_room sample (synthetic): mean PSNR, 6 held-out views, 320x240', false],
] as const) {
  const nv = read<{ rows: NvRow[] }>(file);
  if (!nv) continue;
  const depths = [...new Set(nv.rows.filter((r) => r.renderer !== 'baseline').map((r) => r.depth))];
  const cats = ['nearest photo', ...depths];
  const val = (rd: string, c: string) => nv.rows.find((r) => r.renderer === rd && r.depth === c)?.psnr ?? null;
  const series: BarSeries[] = [
    { name: 'nearest context photo', values: cats.map((c) => (c === 'nearest photo' ? val('baseline', c) : null)), color: '#9c9c9c' },
    { name: 'forward splat (reference protocol)', values: cats.map((c) => val('forward-splat', c)), color: '#f28e2b' },
    { name: 'our Gaussians (CPU renderer)', values: cats.map((c) => val('gaussians', c)), color: '#4e79a7' },
  ];
  if (ref) {
    const R: Record<string, number> = { 'nearest photo': 16.8, 'mvs-raw': 14.2, mvs: 21.7, fastdepth: 19.2 };
    series.push({ name: 'reference figures (shared/README)', values: cats.map((c) => R[c] ?? null), color: '#e15759' });
  }
  write(
    file.replace('.json', '-psnr.svg').replace(/^/, 'chart-'),
    barChartSvg({ title, categories: cats, series, yLabel: 'PSNR dB', yMin: 10, references: ref ? [{ value: 21.7, label: 'reference best 21.7 dB' }] : [], width: 760 }),
  );
}

const main = read<{ runs: SemRun[] }>('semantic-main.json');
const entries = read<{ runs: SemRun[] }>('semantic-entries.json');
const voxels = read<{ runs: SemRun[] }>('semantic-voxels.json');
const ext = read<{ runs: SemRun[] }>('semantic-entries-ext.json');
if (main) {
  const rooms = [...new Set(main.runs.map((r) => r.room))];
  const pick = (src: { runs: SemRun[] } | null, setting: string, bank: string, f: (r: SemRun) => number | undefined) =>
    rooms.map((room) => {
      const r = src?.runs.find((x) => x.room === room && x.setting === setting && x.bank === bank);
      return r ? (f(r) ?? null) : null;
    });
  for (const metric of ['recall', 'precision'] as const) {
    const series: BarSeries[] = [
      { name: 'instances bank, entry grouping', values: pick(entries, 'oracle', 'instances', (r) => r[metric]), color: '#4e79a7' },
      { name: 'instances bank, default grouping (both)', values: pick(main, 'oracle', 'instances', (r) => r[metric]), color: '#76b7b2' },
      { name: 'instances bank, voxel grouping', values: pick(voxels, 'oracle', 'instances', (r) => r[metric]), color: '#b07aa1' },
      { name: 'kmeans bank (paper)', values: pick(main, 'oracle', 'kmeans', (r) => r[metric]), color: '#f28e2b' },
      { name: 'entry grouping, boxes >= 0.15 m', values: pick(ext, 'oracle', 'instances', (r) => r[metric]), color: '#59a14f' },
      { name: 'entry grouping vs visible-surface boxes', values: pick(entries, 'oracle', 'instances', (r) => r.vsSurface?.[metric]), color: '#edc948' },
    ].filter((s) => s.values.some((v) => v !== null));
    write(
      `chart-semantic-oracle-${metric}.svg`,
      barChartSvg({ title: `Oracle 2D: ${metric} at 3D IoU 0.25 per room (30 views 320x240, seed 1)`, categories: rooms, series, yMin: 0, yMax: 1, yLabel: metric, references: [{ value: 0.9, label: 'target 0.9' }], width: 900, height: 380 }),
    );
  }
  const series: BarSeries[] = [
    { name: 'full, instances: recall', values: pick(main, 'full', 'instances', (r) => r.recall), color: '#4e79a7' },
    { name: 'full, instances: precision', values: pick(main, 'full', 'instances', (r) => r.precision), color: '#a0cbe8' },
    { name: 'full, kmeans: recall', values: pick(main, 'full', 'kmeans', (r) => r.recall), color: '#f28e2b' },
    { name: 'full, kmeans: precision', values: pick(main, 'full', 'kmeans', (r) => r.precision), color: '#ffbe7d' },
  ];
  write(
    'chart-semantic-full.svg',
    barChartSvg({ title: 'Full setting (graph segmentation + TEST STAND-IN colour-only CLIP) at IoU 0.25', categories: rooms, series, yMin: 0, yMax: 1, yLabel: 'recall / precision', width: 900, height: 360 }),
  );
}
console.log(JSON.stringify({ written }));
