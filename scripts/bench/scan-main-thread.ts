/**
 * The live scan's main thread in headless Chromium: walks through the emulated living room on /scan
 * (Quest 3 emulator, TEST-ONLY simulated camera), traced with CDP (tests/browser/support/main-thread-profile.ts).
 * Target: no main-thread task over 50 ms while the worker reconstructs.
 *
 * Three walks in one run, each in a fresh page:
 * - the scan as the browser test runs it (GPU compositing on SwiftShader): 60 keyframes (12 with --quick);
 * - [baseline] the old test flags (software compositing: every frame's commit reads the WebGL canvas back);
 * - [baseline] the same emulated session drawing no splats (max-splats=1): what the emulator alone costs.
 * "Own" time is a task's duration less its waits for the GPU process (command-buffer waits): on this
 * machine the GPU is SwiftShader, so a wait is the CPU rasterising the frame, not the page's work.
 * Needs the production build (built here when stale) and Debian's chromium.
 */
// @ts-expect-error plain .mjs helper without types (shared with scripts/demo.mjs and the browser tests)
import { build, buildStaleness, freePort, startServer } from '../app-server.mjs';
import type { BenchTable } from './table';
import type { MainThreadReport } from '../../tests/browser/support/main-thread-profile';
import type { LiveStats } from '../../lib/web/scan/scan-controller';

const TARGET_MS = 50;

interface Walk {
  name: string;
  keyframes: number;
  gpuCompositing: boolean;
  query?: string;
}

interface WalkResult {
  walk: Walk;
  report: MainThreadReport;
  live: LiveStats;
  shown: number;
  wallS: number;
}

export async function run(opts: { quick: boolean }): Promise<BenchTable[]> {
  const keyframes = Number(process.env.SCAN_BENCH_KEYFRAMES ?? (opts.quick ? 12 : 60));
  const baseKeyframes = Math.min(keyframes, Number(process.env.SCAN_BENCH_BASE_KEYFRAMES ?? (opts.quick ? 6 : 12)));
  const stale = buildStaleness();
  if (stale) {
    process.stderr.write(`scan-main-thread: building the app (${stale})\n`);
    if ((await build()) !== 0) throw new Error('scan-main-thread: next build failed');
  }
  const server = (await startServer(await freePort(), { quiet: true })) as { url: string; stop(): Promise<void> };
  process.env.SEGSPLAT_BASE_URL = server.url;
  const { launchBrowser, openPage } = await import('../../tests/browser/support/browser');
  const { recordMainThread, formatReport } = await import('../../tests/browser/support/main-thread-profile');
  const { enterScan, walkKeyframes } = await import('../../tests/browser/support/scan-walk');
  const walks: Walk[] = [
    { name: 'scan, GPU compositing (as the browser test)', keyframes, gpuCompositing: true },
    { name: 'scan, software compositing (old test flags) [baseline]', keyframes: baseKeyframes, gpuCompositing: false },
    { name: 'emulator alone: no splats drawn (max-splats=1) [baseline]', keyframes: baseKeyframes, gpuCompositing: true, query: '&max-splats=1' },
  ];
  const results: WalkResult[] = [];
  try {
    for (const walk of walks) {
      const tb = await launchBrowser({ gpuCompositing: walk.gpuCompositing });
      try {
        const { page, log } = await openPage(tb, `/scan?xr-emulate=quest3&room=living_room&test-camera=sim${walk.query ?? ''}`);
        await page.waitForSelector('[data-testid="scan"][data-scan-ready="yes"]', { timeout: 60_000 });
        await enterScan(page);
        const rec = await recordMainThread(page);
        const t0 = Date.now();
        await walkKeyframes(page, walk.keyframes, { log: (s) => process.stderr.write(`${s}\n`) });
        const wallS = (Date.now() - t0) / 1000;
        const report = await rec.stop(5);
        process.stderr.write(formatReport(report, `scan-main-thread: ${walk.name}, ${walk.keyframes} keyframes`) + '\n');
        const { live, shown } = await page.evaluate(() => {
          const s = (window as unknown as { __segsplatScan: { liveStats: LiveStats; display: { count: number } } }).__segsplatScan;
          return { live: { ...s.liveStats, perUpdate: [] }, shown: s.display.count };
        });
        if (log.errors.length) throw new Error(`scan-main-thread: page errors: ${log.errors.join('; ')}`);
        await page.close();
        results.push({ walk, report, live, shown, wallS });
      } finally {
        await tb.close();
      }
    }
  } finally {
    await server.stop();
  }
  const rows: (string | number)[][] = [];
  for (const r of results) {
    const w = `${r.walk.name}, ${r.walk.keyframes} keyframes, ${r.shown} splats shown`;
    rows.push(
      [w, 'longest main-thread task', r.report.longestMs, r.report.longestMs / TARGET_MS],
      [w, 'longest task less its GPU waits (own work, wall clock)', r.report.longestOwnMs, r.report.longestOwnMs / TARGET_MS],
      [w, 'most main-thread CPU time in one task (own work, whatever else runs)', r.report.longestCpuMs, r.report.longestCpuMs / TARGET_MS],
      [w, 'longest XR frame that took a keyframe (scan code: read, judge, store, post)', r.live.maxKeyframeMs, r.live.maxKeyframeMs / TARGET_MS],
      [w, '  of which the TEST-ONLY camera rasterising the room (a device reads its camera instead)', r.live.maxTestCameraMs, r.live.maxTestCameraMs / TARGET_MS],
      [w, 'longest delta apply', r.live.maxApplyMs, r.live.maxApplyMs / TARGET_MS],
      [w, `tasks ≥ 50 ms (count) / main thread busy s per keyframe`, `${r.report.longTaskCount} / ${(r.report.busyMs / 1000 / r.walk.keyframes).toFixed(1)}`, '-'],
    );
  }
  const main = results[0];
  return [
    {
      title: `Live scan main thread: walks in the emulated Quest 3 (headless Chromium, SwiftShader WebGL), against the ${TARGET_MS} ms target`,
      columns: ['walk', 'what', 'ms', `x ${TARGET_MS} ms`],
      rows,
      notes: [
        `Walk wall time: ${results.map((r) => `${r.walk.name.split(',')[0]}${r.walk.query ? ' (no splats)' : r.walk.gpuCompositing ? '' : ' (software compositing)'} ${(r.wallS / r.walk.keyframes).toFixed(1)} s per keyframe`).join('; ')}.`,
        `Longest tasks of the main walk: ${main.report.top.slice(0, 3).map((t) => `${t.ms.toFixed(0)} ms, ${t.gpuWaitMs.toFixed(0)} of it waiting for the GPU process (js: ${t.js.slice(0, 2).join(', ')})`).join('; ') || 'none ≥ 50 ms'}.`,
        `Most CPU in one task of the main walk: ${main.report.topCpu.slice(0, 2).map((t) => `${t.cpuMs.toFixed(0)} ms of a ${t.ms.toFixed(0)} ms task (js: ${t.js.filter((j) => !/^(getParameter|readPixels|getBufferSubData) </.test(j)).slice(0, 3).join(', ')})`).join('; ') || 'none ≥ 10 ms'}.`,
        `Most own work in one task of the main walk: ${main.report.topOwn.slice(0, 2).map((t) => `${(t.ms - t.gpuWaitMs).toFixed(0)} ms (js: ${t.js.filter((j) => !/^(getParameter|readPixels|getBufferSubData) </.test(j)).slice(0, 3).join(', ')})`).join('; ') || 'none ≥ 10 ms'}.`,
      ],
      json: results.map((r) => ({ keyframes: r.walk.keyframes, gpuCompositing: r.walk.gpuCompositing ? 1 : 0, shown: r.shown, longestMs: r.report.longestMs, longestOwnMs: r.report.longestOwnMs, longestCpuMs: r.report.longestCpuMs, maxKeyframeMs: r.live.maxKeyframeMs, maxApplyMs: r.live.maxApplyMs })),
    },
  ];
}
