/**
 * The live scan's main thread in headless Chromium: walks through the emulated living room on /scan
 * (Quest 3 emulator, TEST-ONLY simulated camera), traced with CDP (tests/browser/support/main-thread-profile.ts).
 * Target: no main-thread task over 50 ms while the worker reconstructs.
 *
 * Three walks in one run, each in a fresh page, all with GPU compositing on SwiftShader (as the browser test):
 * - the scan as it runs now: 60 keyframes (12 with --quick; SCAN_BENCH_KEYFRAMES=N for another length);
 * - [baseline] the same with the emulator's per-frame GL reads kept (&emulator-readbacks=on: iwer reads the
 *   clear values back every frame, and the session asks for depth sensing, which the emulator renders and
 *   reads back per eye per frame): what the walk cost before they were left out;
 * - [baseline] the emulated session drawing no splats (max-splats=1): what the emulator alone costs.
 * (SCAN_BENCH_BASE_KEYFRAMES=N sets the baselines' length: 12, or 6 with --quick.)
 * Each long task's time is split by cause (CAUSES in main-thread-profile.ts): GPU waits by the GL call that
 * waited, our own code (User Timing spans), garbage collection, other script, the browser. On this machine
 * the GPU is SwiftShader, so a GPU wait is the CPU rasterising frames, not the page's work.
 * Opt-in (slow: minutes per keyframe-dozen here). Needs the production build (built here when stale) and
 * Debian's chromium.
 */
// @ts-expect-error plain .mjs helper without types (shared with scripts/demo.mjs and the browser tests)
import { build, buildStaleness, freePort, startServer } from '../app-server.mjs';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { BenchTable } from './table';
import { CAUSES, CAUSE_LABEL, type MainThreadReport } from '../../tests/browser/support/main-thread-profile';
import type { LiveStats } from '../../lib/web/scan/scan-controller';

const TARGET_MS = 50;

export const optIn = true;

interface Walk {
  name: string;
  short: string;
  keyframes: number;
  query?: string;
}

interface WalkResult {
  walk: Walk;
  report: MainThreadReport;
  live: LiveStats;
  shown: number;
  /** Walk wall seconds per keyframe taken while recording. */
  wallS: number;
}

export async function run(opts: { quick: boolean }): Promise<BenchTable[]> {
  const keyframes = Number(process.env.SCAN_BENCH_KEYFRAMES ?? (opts.quick ? 12 : 60));
  const baseKeyframes = Math.min(keyframes, Number(process.env.SCAN_BENCH_BASE_KEYFRAMES ?? (opts.quick ? 6 : 12)));
  const walks: Walk[] = [
    { name: 'scan (as the browser test)', short: 'scan', keyframes },
    { name: "[baseline] scan with the emulator's per-frame GL reads (emulator-readbacks=on)", short: 'with readbacks', keyframes: baseKeyframes, query: '&emulator-readbacks=on' },
    { name: '[baseline] emulator alone: no splats drawn (max-splats=1)', short: 'no splats', keyframes: baseKeyframes, query: '&max-splats=1' },
  ];
  const { formatReport, summariseFile } = await import('../../tests/browser/support/main-thread-profile');
  // Each walk's raw recording and page figures go to .bench/; SCAN_BENCH_REUSE=1 summarises those again
  // (after a change to the attribution) without walking again.
  const saved = (i: number) => `.bench/scan-main-thread/walk-${i}.json`;
  const results: WalkResult[] = [];
  if (process.env.SCAN_BENCH_REUSE === '1') {
    for (let i = 0; i < walks.length; i++) {
      const meta = JSON.parse(readFileSync(`${saved(i)}.meta.json`, 'utf8')) as Omit<WalkResult, 'report'>;
      const report = summariseFile(saved(i), 5);
      process.stderr.write(formatReport(report, `scan-main-thread (saved): ${meta.walk.name}, ${meta.walk.keyframes} keyframes`) + '\n');
      results.push({ ...meta, report });
    }
    return tables(results);
  }
  const stale = buildStaleness();
  if (stale) {
    process.stderr.write(`scan-main-thread: building the app (${stale})\n`);
    if ((await build()) !== 0) throw new Error('scan-main-thread: next build failed');
  }
  const server = (await startServer(await freePort(), { quiet: true })) as { url: string; stop(): Promise<void> };
  process.env.SEGSPLAT_BASE_URL = server.url;
  const { launchBrowser, openPage } = await import('../../tests/browser/support/browser');
  const { recordMainThread } = await import('../../tests/browser/support/main-thread-profile');
  const { enterScan, keyframeCount, walkKeyframes } = await import('../../tests/browser/support/scan-walk');
  mkdirSync('.bench/scan-main-thread', { recursive: true });
  try {
    for (const walk of walks) {
      const tb = await launchBrowser({ gpuCompositing: true });
      try {
        const { page, log } = await openPage(tb, `/scan?xr-emulate=quest3&room=living_room&test-camera=sim${walk.query ?? ''}`);
        await page.waitForSelector('[data-testid="scan"][data-scan-ready="yes"]', { timeout: 60_000 });
        await enterScan(page);
        const rec = await recordMainThread(page);
        const startKeyframes = await keyframeCount(page);
        const t0 = Date.now();
        await walkKeyframes(page, walk.keyframes, { log: (s) => process.stderr.write(`${s}\n`) });
        const wallS = (Date.now() - t0) / 1000;
        const report = await rec.stop(5, saved(results.length));
        process.stderr.write(formatReport(report, `scan-main-thread: ${walk.name}, ${walk.keyframes} keyframes`) + '\n');
        const { live, shown } = await page.evaluate(() => {
          const s = (window as unknown as { __segsplatScan: { liveStats: LiveStats; display: { count: number } } }).__segsplatScan;
          return { live: { ...s.liveStats, perUpdate: [] }, shown: s.display.count };
        });
        if (log.errors.length) throw new Error(`scan-main-thread: page errors: ${log.errors.join('; ')}`);
        await page.close();
        const meta = { walk, live, shown, wallS: wallS / Math.max(1, walk.keyframes - startKeyframes) };
        writeFileSync(`${saved(results.length)}.meta.json`, JSON.stringify(meta));
        results.push({ ...meta, report });
      } finally {
        await tb.close();
      }
    }
  } finally {
    await server.stop();
  }
  return tables(results);
}

function tables(results: WalkResult[]): BenchTable[] {
  const rows: (string | number)[][] = [];
  const ratio = (ms: number) => ms / TARGET_MS;
  for (const r of results) {
    const w = `${r.walk.name}, ${r.walk.keyframes} keyframes, ${r.shown} splats shown`;
    const o = r.report.ours;
    rows.push(
      [w, 'longest main-thread task', r.report.longestMs, ratio(r.report.longestMs)],
      [w, 'p95 of main-thread tasks ≥ 1 ms', r.report.p95Ms, ratio(r.report.p95Ms)],
      [w, 'tasks ≥ 50 ms (count) / animation frames / walk s per keyframe', `${r.report.longTaskCount} / ${r.report.frames} / ${r.wallS.toFixed(1)}`, '-'],
      [w, 'longest task less its GPU waits (wall clock)', r.report.longestOwnMs, ratio(r.report.longestOwnMs)],
      [w, 'most main-thread CPU time in one task', r.report.longestCpuMs, ratio(r.report.longestCpuMs)],
      [w, 'most of our own code in one task (User Timing spans less GPU waits)', r.report.longestOursMs, ratio(r.report.longestOursMs)],
      [w, '  our longest keyframe grab (read, judge, store, post) / of it the TEST-ONLY camera', `${(o.keyframe?.maxMs ?? r.live.maxKeyframeMs).toFixed(1)} / ${(o['test-camera']?.maxMs ?? r.live.maxTestCameraMs).toFixed(1)}`, ratio(o.keyframe?.maxMs ?? r.live.maxKeyframeMs)],
      [w, `  our longest delta apply slice (${o.apply?.count ?? r.live.applySlices} slices) / texture row upload (${o.upload?.count ?? 0})`, `${(o.apply?.maxMs ?? r.live.maxApplyMs).toFixed(1)} / ${(o.upload?.maxMs ?? 0).toFixed(1)}`, ratio(Math.max(o.apply?.maxMs ?? r.live.maxApplyMs, o.upload?.maxMs ?? 0))],
    );
  }
  const causeRows: (string | number)[][] = [];
  for (const r of results) {
    const total = CAUSES.reduce((sum, k) => sum + r.report.causesLong[k], 0);
    for (const k of CAUSES) {
      if (r.report.causesLong[k] < 1 && r.report.causesMaxTask[k] < 1) continue;
      causeRows.push([r.walk.short, CAUSE_LABEL[k], r.report.causesLong[k] / 1000, total ? `${((100 * r.report.causesLong[k]) / total).toFixed(1)} %` : '-', r.report.causesMaxTask[k]]);
    }
  }
  const main = results[0];
  const before = results[1];
  return [
    {
      title: `Live scan main thread: walks in the emulated Quest 3 (headless Chromium, GPU compositing on SwiftShader WebGL), against the ${TARGET_MS} ms target`,
      columns: ['walk', 'what', 'ms', `x ${TARGET_MS} ms`],
      rows,
      notes: [
        `Without the emulator's readbacks against with them: longest task x${(main.report.longestMs / before.report.longestMs).toFixed(2)}, tasks ≥ 50 ms per keyframe x${(main.report.longTaskCount / main.walk.keyframes / (before.report.longTaskCount / before.walk.keyframes)).toFixed(2)}, walk time per keyframe x${(main.wallS / before.wallS).toFixed(2)} (the baseline walk is ${before.walk.keyframes} keyframes, so fewer splats are drawn at its end).`,
        `Longest tasks of the main walk: ${main.report.top.slice(0, 3).map((t) => `${t.ms.toFixed(0)} ms (${CAUSES.filter((k) => t.causes[k] >= 1).sort((a, b) => t.causes[b] - t.causes[a]).slice(0, 3).map((k) => `${k} ${t.causes[k].toFixed(0)}`).join(', ')})`).join('; ') || 'none ≥ 50 ms'}.`,
        `"Ours" is the time inside the page's User Timing spans (lib/web/user-timing.ts: keyframe, test-camera, apply, upload) outside GPU waits, wall clock: on a loaded 2-core machine it includes time the OS gave other processes.`,
      ],
      json: results.map((r, i) => ({ walk: i, keyframes: r.walk.keyframes, shown: r.shown, longestMs: r.report.longestMs, p95Ms: r.report.p95Ms, longTasks: r.report.longTaskCount, longestOwnMs: r.report.longestOwnMs, longestCpuMs: r.report.longestCpuMs, longestOursMs: r.report.longestOursMs, ...Object.fromEntries(CAUSES.map((k) => [`long_${k}_ms`, r.report.causesLong[k]])) })),
    },
    {
      title: 'Live scan main thread: where the long tasks (≥ 50 ms) went, by cause',
      columns: ['walk', 'cause', 's in long tasks', 'share', 'most in one task, ms'],
      rows: causeRows,
      notes: [
        'GPU waits are given to the GL call the CPU profile caught the main thread in while it waited (command-buffer waits in the trace); on this page getBufferSubData is only Spark\'s sort readback (three\'s readRenderTargetPixelsAsync), getParameter at frame start is iwer\'s, readPixels the emulator\'s depth sensing.',
      ],
    },
  ];
}
