import { describe, expect, it } from 'vitest';
import { CAUSES, summarise } from '../../browser/support/main-thread-profile';

// A synthetic trace of one renderer main thread (µs) and a CPU profile sampled every 1 ms.
const P = 1, T = 7;
const meta = { name: 'thread_name', cat: '__metadata', ph: 'M', ts: 0, pid: P, tid: T, args: { name: 'CrRendererMain' } };
const x = (name: string, ts: number, dur: number) => ({ name, cat: 'toplevel', ph: 'X', ts, dur, tdur: dur / 2, pid: P, tid: T });
const nodes = [
  { id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: -1 } },
  { id: 2, callFrame: { functionName: 'readRenderTargetPixelsAsync', url: 'http://x/_next/static/chunks/a.js', lineNumber: 0 }, parent: 1 },
  { id: 3, callFrame: { functionName: 'getBufferSubData', url: '', lineNumber: -1 }, parent: 2 },
  { id: 4, callFrame: { functionName: 'shoot', url: 'http://x/_next/static/chunks/b.js', lineNumber: 0 }, parent: 1 },
  { id: 5, callFrame: { functionName: '(garbage collector)', url: '', lineNumber: -1 }, parent: 1 },
  { id: 6, callFrame: { functionName: 'render', url: 'http://x/_next/static/chunks/c.js', lineNumber: 0 }, parent: 1 },
];

/** Samples: node id per ms from `fromMs`. */
function profileOf(samples: [number, number][]) {
  const ids: number[] = [], deltas: number[] = [];
  // The profiler starts 1 ms before the first task (a task holding its start is the profiler's, not the page's).
  let last = -1000;
  for (const [ms, id] of samples) {
    ids.push(id);
    deltas.push(ms * 1000 - last);
    last = ms * 1000;
  }
  return { nodes, startTime: -1000, endTime: last + 1000, samples: ids, timeDeltas: deltas };
}

describe('main-thread profile: long tasks split by cause', () => {
  // Task A, 0-200 ms: 120 ms GPU wait caught in getBufferSubData, then 30 ms GC and 50 ms other script.
  // Task B, 300-380 ms: our keyframe span 300-360 ms (test camera inside it), then 20 ms other script.
  // Task C, 400-410 ms: short, not long.
  const events = [
    meta,
    x('RunTask', 0, 200_000),
    x('CommandBufferProxyImpl::WaitForGetOffset', 0, 120_000),
    x('RunTask', 300_000, 80_000),
    x('RunTask', 400_000, 10_000),
    { name: 'segsplat:keyframe', cat: 'blink.user_timing', ph: 'b', ts: 300_000, pid: P, tid: T, id2: { local: '0x1' } },
    { name: 'segsplat:keyframe', cat: 'blink.user_timing', ph: 'e', ts: 360_000, pid: P, tid: T, id2: { local: '0x1' } },
    { name: 'segsplat:test-camera', cat: 'blink.user_timing', ph: 'b', ts: 305_000, pid: P, tid: T, id2: { local: '0x2' } },
    { name: 'segsplat:test-camera', cat: 'blink.user_timing', ph: 'e', ts: 345_000, pid: P, tid: T, id2: { local: '0x2' } },
  ];
  const samples: [number, number][] = [];
  for (let ms = 0; ms < 120; ms++) samples.push([ms, 3]);
  for (let ms = 120; ms < 150; ms++) samples.push([ms, 5]);
  for (let ms = 150; ms < 200; ms++) samples.push([ms, 6]);
  for (let ms = 300; ms < 360; ms++) samples.push([ms, 4]);
  for (let ms = 360; ms < 380; ms++) samples.push([ms, 6]);
  samples.push([380, 1]);
  const r = summarise(events as never, profileOf(samples), 5);

  it('counts the long tasks and gives each cause its part, summing to the task', () => {
    expect(r.longTaskCount).toBe(2);
    expect(r.longestMs).toBe(200);
    const a = r.top[0], b = r.top[1];
    expect(a.causes['spark-readback']).toBeCloseTo(120, 0);
    expect(a.causes.gc).toBeCloseTo(30, 0);
    expect(a.causes.script).toBeCloseTo(50, 0);
    expect(a.causes.ours).toBe(0);
    expect(b.causes.ours).toBeCloseTo(60, 0);
    expect(b.causes.script).toBeCloseTo(20, 0);
    for (const t of [a, b]) expect(CAUSES.reduce((s, k) => s + t.causes[k], 0)).toBeCloseTo(t.ms, 0);
    expect(r.causesLong['spark-readback']).toBeCloseTo(120, 0);
    expect(r.causesMaxTask.ours).toBeCloseTo(60, 0);
  });

  it('reports our spans by name (nested ones too) and the most of our work in one task', () => {
    expect(r.ours.keyframe).toEqual({ count: 1, maxMs: 60 });
    expect(r.ours['test-camera']).toEqual({ count: 1, maxMs: 40 });
    expect(r.longestOursMs).toBeCloseTo(60, 0);
  });

  it('takes the p95 over tasks of at least 1 ms', () => {
    expect(r.p95Ms).toBe(200);
  });

  it("leaves out the task that holds the profiler's start", () => {
    const late = summarise(events as never, { ...profileOf(samples), startTime: 100_000 }, 5);
    expect(late.longTaskCount).toBe(1);
    expect(late.longestMs).toBe(80);
  });
});
