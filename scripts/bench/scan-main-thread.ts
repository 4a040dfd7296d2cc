/**
 * The live scan's main thread in headless Chromium: a walk of 60 keyframes (12 with --quick) through the
 * emulated living room on /scan (Quest 3 emulator, TEST-ONLY simulated camera), traced with CDP
 * (tests/browser/support/main-thread-profile.ts). Target: no main-thread task over 50 ms while the
 * worker reconstructs. Needs the production build (built here when stale) and Debian's chromium.
 */
// @ts-expect-error plain .mjs helper without types (shared with scripts/demo.mjs and the browser tests)
import { build, buildStaleness, freePort, startServer } from '../app-server.mjs';
import type { BenchTable } from './table';

const TARGET_MS = 50;

export async function run(opts: { quick: boolean }): Promise<BenchTable[]> {
  const keyframes = Number(process.env.SCAN_BENCH_KEYFRAMES ?? (opts.quick ? 12 : 60));
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
  const tb = await launchBrowser();
  try {
    const { page, log } = await openPage(tb, '/scan?xr-emulate=quest3&room=living_room&test-camera=sim');
    await page.waitForSelector('[data-testid="scan"][data-scan-ready="yes"]', { timeout: 60_000 });
    await enterScan(page);
    const rec = await recordMainThread(page);
    const t0 = Date.now();
    await walkKeyframes(page, keyframes, { log: (s) => process.stderr.write(s + '\n') });
    const wallS = (Date.now() - t0) / 1000;
    const r = await rec.stop(10);
    process.stderr.write(formatReport(r, `scan-main-thread ${keyframes} keyframes`) + '\n');
    if (log.errors.length) throw new Error(`scan-main-thread: page errors: ${log.errors.join('; ')}`);
    await page.close();
    return [
      {
        title: `Live scan main thread, ${keyframes}-keyframe walk in the emulated Quest 3 (headless Chromium, software WebGL)`,
        columns: ['what', 'ms', `x ${TARGET_MS} ms target`],
        rows: [
          ['longest main-thread task', r.longestMs, r.longestMs / TARGET_MS],
          ['main-thread tasks ≥ 50 ms (count)', r.longTaskCount, '-'],
          ['main thread busy per keyframe', r.busyMs / keyframes, '-'],
        ],
        notes: [
          `Walk ${wallS.toFixed(0)} s wall for ${keyframes} keyframes; trace ${(r.recordedMs / 1000).toFixed(0)} s, main thread busy ${(r.busyMs / 1000).toFixed(1)} s.`,
          `Longest tasks: ${r.top.slice(0, 3).map((t) => `${t.ms.toFixed(0)} ms (${t.events.slice(0, 3).join(', ')}; js ${t.js.slice(0, 2).join(', ')})`).join('; ') || 'none ≥ 50 ms'}.`,
        ],
        json: [{ keyframes, longestMs: r.longestMs, longTasks: r.longTaskCount, busyMsPerKeyframe: r.busyMs / keyframes }],
      },
    ];
  } finally {
    await tb.close();
    await server.stop();
  }
}
