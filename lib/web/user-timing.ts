/**
 * Names a piece of our main-thread work in the browser's timeline (User Timing), so a trace of the page
 * (tests/browser/support/main-thread-profile.ts) can tell our time inside a task from the libraries' and
 * the GPU waits. The entry is cleared at once: the trace has recorded it, and the page's buffer must not
 * grow over a long scan.
 */
export const MEASURE_PREFIX = 'segsplat:';

export function measureSpan(name: string, startMs: number): void {
  if (typeof performance === 'undefined' || typeof performance.measure !== 'function') return;
  const full = MEASURE_PREFIX + name;
  performance.measure(full, { start: startMs });
  performance.clearMeasures(full);
}
