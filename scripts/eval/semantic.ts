/**
 * npm run eval -- semantic --room <living_room|music_room|office_large|meeting_room|office_small|all>
 *     [--setting oracle|full|both] [--bank kmeans|instances|both] [--seed 1] [--views 30]
 *     [--width 320 --height 240] [--min-pixels 100] [--iou 0.25] [--min-extent 0] [--grouping auto|entries|voxels|both] [--voxel 0.1]
 *     [--out docs/img/results | none] [--json]
 *
 * Renders the room's capture (lib/sim), reconstructs it with device depth (the rendered depth), queries
 * every labelled category present by name and scores the returned 3D instances against the ground-truth
 * boxes (lib/eval/semantic-localisation.ts). "oracle" = ground-truth instance masks + oracle encoder;
 * "full" = graph segmentation + the TEST STAND-IN CLIP (colour-only: it cannot recognise categories).
 *
 * JSON (last stdout line): { runs: [per room x setting x bank], summary: {"<setting>/<bank>": pooled},
 * recall, precision (pooled over rooms for the primary combination: oracle before full, instances before kmeans) }.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GraphSegmentationGenerator } from '../../lib/inference/masks/graph-segmentation';
import type { BankMode } from '../../lib/inference/semantics/semantic-builder';
import { evaluateLocalisation, type LocalisationResult, type LocalisationSetting } from '../../lib/eval/semantic-localisation';
import { overallScore } from '../../lib/eval/box-matching';
import { barChartSvg } from '../../lib/eval/svg-chart';
import { loadRoom } from '../../lib/sim/room';
import { renderCapture } from '../../lib/sim/render-capture';
import { optNumber, optString, UsageError, type ParsedArgs } from '../cli/args';
import { terminalProgress } from '../cli/progress-bar';
import { loadClip, modelChoice } from '../cli/node-models';
import { readSemRoom, SEM_ROOMS } from '../samples';

const r3 = (v: number) => Math.round(v * 1000) / 1000;

export async function runSemantic(args: ParsedArgs, log: (s: string) => void): Promise<Record<string, unknown>> {
  const roomArg = optString(args, 'room', 'living_room')!;
  const rooms = roomArg === 'all' ? [...SEM_ROOMS] : roomArg.split(',');
  for (const r of rooms) if (!(SEM_ROOMS as readonly string[]).includes(r)) throw new UsageError(`--room must be one of ${SEM_ROOMS.join(', ')} or all, got "${r}"`);
  const settingArg = optString(args, 'setting', 'both')!;
  if (!['oracle', 'full', 'both'].includes(settingArg)) throw new UsageError(`--setting must be oracle, full or both, got "${settingArg}"`);
  const bankArg = optString(args, 'bank', 'both')!;
  if (!['kmeans', 'instances', 'both'].includes(bankArg)) throw new UsageError(`--bank must be kmeans, instances or both, got "${bankArg}"`);
  const settings: LocalisationSetting[] = settingArg === 'both' ? ['oracle', 'full'] : [settingArg as LocalisationSetting];
  const banks: BankMode[] = bankArg === 'both' ? ['instances', 'kmeans'] : [bankArg as BankMode];
  const int = (k: string, def: number, lo: number, hi: number) => {
    const v = optNumber(args, k, def)!;
    if (!Number.isInteger(v) || v < lo || v > hi) throw new UsageError(`--${k} must be an integer ${lo}..${hi}, got ${v}`);
    return v;
  };
  const seed = int('seed', 1, 0, 2 ** 31 - 1);
  const views = int('views', 30, 2, 200);
  const width = int('width', 320, 16, 4096);
  const height = int('height', 240, 16, 4096);
  const minPixels = int('min-pixels', 100, 1, 1 << 24);
  const iou = optNumber(args, 'iou', 0.25)!;
  if (!(iou > 0 && iou <= 1)) throw new UsageError(`--iou must be in (0, 1], got ${iou}`);
  const out = optString(args, 'out', 'docs/img/results')!;
  const minExtent = optNumber(args, 'min-extent', 0)!;
  if (!(minExtent >= 0 && minExtent <= 10)) throw new UsageError(`--min-extent must be in [0, 10] metres, got ${minExtent}`);
  const grouping = optString(args, 'grouping', 'auto')!;
  if (!['auto', 'entries', 'voxels', 'both'].includes(grouping)) throw new UsageError(`--grouping must be auto, entries, voxels or both, got "${grouping}"`);
  const voxelSize = optNumber(args, 'voxel', 0.1)!;
  if (!(voxelSize > 0 && voxelSize <= 10)) throw new UsageError(`--voxel must be in (0, 10] metres, got ${voxelSize}`);
  const t0 = performance.now();

  let full: { generator: GraphSegmentationGenerator; clip: NonNullable<Awaited<ReturnType<typeof loadClip>>['clip']> } | null = null;
  if (settings.includes('full')) {
    const { clip, message } = await loadClip(await modelChoice('standin'));
    if (!clip) throw new Error(message);
    full = { generator: new GraphSegmentationGenerator(), clip };
    log(`full setting: graph segmentation + ${clip.image.id} (TEST STAND-IN: colour-only embeddings, not a real CLIP)`);
  }

  const runs: (Omit<LocalisationResult, 'objects'> & { room: string; objects: LocalisationResult['objects']; renderMs: number })[] = [];
  for (const room of rooms) {
    const tr = performance.now();
    const scene = loadRoom(readSemRoom(room));
    const cap = renderCapture(scene, { seed, views, width, height, onProgress: (d, n) => process.stderr.write(`\r${room}: rendering ${d}/${n}`) });
    process.stderr.write('\n');
    const renderMs = performance.now() - tr;
    for (const setting of settings)
      for (const bank of banks) {
        const progress = terminalProgress();
        log(`${room}: ${setting} / ${bank}`);
        const res = await evaluateLocalisation({
          frames: cap.frames,
          groundTruth: cap.groundTruth,
          setting,
          bank,
          generator: full?.generator,
          clip: full?.clip,
          minPixels,
          iou,
          minExtent,
          query: { grouping: grouping as 'auto' | 'entries' | 'voxels' | 'both', voxelSize },
          progress,
        });
        progress.finish();
        const o = res.overall;
        log(`  recall ${o.recall.toFixed(2)} (${o.matched}/${o.gt})  precision ${o.precision.toFixed(2)} (${o.matched}/${o.predicted})  count accuracy ${o.countAccuracy.toFixed(2)}  centroid error ${o.meanCentroidError?.toFixed(3) ?? '-'} m  bank ${res.reconstruction.bankEntries} entries  ${(res.reconstruction.totalMs / 1000).toFixed(1)} s`);
        for (const c of res.categories)
          log(`    ${c.category.padEnd(13)} gt ${c.gt} returned ${c.predicted} matched ${c.matched}${c.reason ? `  (${c.reason})` : ''}`);
        runs.push({ room, renderMs, ...res });
      }
  }

  // Pooled over rooms per (setting, bank).
  const summary: Record<string, ReturnType<typeof overallScore> & { vsSurface: { recall: number; precision: number } }> = {};
  for (const s of settings)
    for (const b of banks) {
      const sel = runs.filter((r) => r.setting === s && r.bank === b);
      const surf = overallScore(sel.flatMap((r) => r.categories.map((c) => c.vsSurface)));
      summary[`${s}/${b}`] = { ...overallScore(sel.flatMap((r) => r.categories)), vsSurface: { recall: surf.recall, precision: surf.precision } };
    }
  const primary = `${settings[0]}/${banks[0]}`;

  log('');
  log('| room | setting | bank | recall | precision | count acc. | centroid err m | GT | returned | recall / precision vs visible-surface boxes |');
  log('|---|---|---|---|---|---|---|---|---|---|');
  for (const r of runs)
    log(`| ${r.room} | ${r.setting} | ${r.bank} | ${r.overall.recall.toFixed(2)} | ${r.overall.precision.toFixed(2)} | ${r.overall.countAccuracy.toFixed(2)} | ${r.overall.meanCentroidError?.toFixed(3) ?? '-'} | ${r.overall.gt} | ${r.overall.predicted} | ${r.overallVsSurface.recall.toFixed(2)} / ${r.overallVsSurface.precision.toFixed(2)} |`);
  for (const [k, v] of Object.entries(summary)) log(`| all | ${k.replace('/', ' | ')} | ${v.recall.toFixed(2)} | ${v.precision.toFixed(2)} | ${v.countAccuracy.toFixed(2)} | ${v.meanCentroidError?.toFixed(3) ?? '-'} | ${v.gt} | ${v.predicted} | ${v.vsSurface.recall.toFixed(2)} / ${v.vsSurface.precision.toFixed(2)} |`);

  let chart: string | null = null;
  if (out !== 'none') {
    mkdirSync(out, { recursive: true });
    const variant = `${grouping !== 'auto' ? `-${grouping}` : ''}${minExtent > 0 ? `-ext${minExtent}` : ''}`;
    chart = join(out, `semantic-${settings.join('+')}-${rooms.length > 1 ? 'rooms' : rooms[0]}${variant}.svg`);
    const combos = settings.flatMap((s) => banks.map((b) => `${s}/${b}`));
    const series = combos.flatMap((c) => [
      { name: `${c} recall`, values: rooms.map((room) => runs.find((r) => r.room === room && `${r.setting}/${r.bank}` === c)?.overall.recall ?? null) },
      { name: `${c} precision`, values: rooms.map((room) => runs.find((r) => r.room === room && `${r.setting}/${r.bank}` === c)?.overall.precision ?? null) },
    ]);
    writeFileSync(
      chart,
      barChartSvg({
        title: `3D localisation at IoU ${iou}${minExtent > 0 ? `, boxes >= ${minExtent} m` : ''}${grouping !== 'auto' ? `, ${grouping} grouping` : ''} (${views} views ${width}x${height}, seed ${seed})`,
        categories: rooms,
        series,
        yMin: 0,
        yMax: 1,
        yLabel: 'recall / precision',
        references: [{ value: 0.9, label: 'target 0.9' }],
        width: 860,
        height: 380,
      }),
    );
  }

  return {
    task: 'semantic',
    rooms,
    seed,
    views,
    width,
    height,
    minPixels,
    iou,
    minExtent,
    grouping,
    voxelSize,
    settings,
    banks,
    primary,
    recall: summary[primary].recall,
    precision: summary[primary].precision,
    summary,
    runs: runs.map((r) => ({
      room: r.room,
      setting: r.setting,
      bank: r.bank,
      recall: r.overall.recall,
      precision: r.overall.precision,
      countAccuracy: r.overall.countAccuracy,
      meanCentroidError: r.overall.meanCentroidError,
      overall: r.overall,
      vsSurface: { recall: r.overallVsSurface.recall, precision: r.overallVsSurface.precision, matched: r.overallVsSurface.matched },
      categories: r.categories.map((c) => ({
        category: c.category,
        query: c.query,
        gt: c.gt,
        predicted: c.predicted,
        matched: c.matched,
        recall: c.recall,
        precision: c.precision,
        countCorrect: c.countCorrect,
        centroidErrors: c.centroidErrors.map(r3),
        ious: c.matches.map((m) => r3(m.iou)),
        reason: c.reason,
        surfaceCeiling: c.surfaceCeiling,
        vsSurface: { recall: c.vsSurface.recall, precision: c.vsSurface.precision, matched: c.vsSurface.matched },
        instances: c.instances,
      })),
      objects: r.objects.map((d) => ({ ...d, surfaceIoU: r3(d.surfaceIoU), bestIoU: r3(d.bestIoU) })),
      unseen: r.unseen,
      bankEntries: r.reconstruction.bankEntries,
      instances: r.reconstruction.instances,
      gaussians: r.reconstruction.gaussians,
      stageMs: r.reconstruction.stageMs,
      queryMs: r.queryMs,
      renderMs: r.renderMs,
    })),
    chart,
    totalMs: performance.now() - t0,
  };
}
