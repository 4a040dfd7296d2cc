/**
 * Where the page's main thread spends its long tasks: a Chrome trace (CDP Tracing, devtools.timeline
 * categories) gives the renderer main thread's top-level tasks and what ran inside them; the CPU profile
 * (CDP Profiler, 1 ms samples) says which JavaScript functions took the time. Used by the live-scan
 * browser test (the top tasks go to its log) and `npm run bench -- --only scan-main-thread`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { CDPSession, Page } from 'playwright-core';
import { MEASURE_PREFIX } from '../../../lib/web/user-timing';

/** One long main-thread task and what it spent its time on. */
export interface LongTask {
  ms: number;
  /** Of which the main thread waited for the GPU process (command-buffer waits: ReadPixels, Finish, sync IPC). */
  gpuWaitMs: number;
  /** The main thread's CPU time in the task (trace `tdur`): neither waits nor time the OS gave other processes. */
  cpuMs: number;
  /** Offset from the start of the recording, ms. */
  atMs: number;
  /** Trace events inside the task by name (inclusive ms), longest first: "FireAnimationFrame 812", "GPUTask ...". */
  events: string[];
  /** JavaScript by self time inside the task (CPU profile samples), longest first: "fn url:line ms". */
  js: string[];
  /** The task's wall time split by cause (ms; CAUSES), summing to `ms`. */
  causes: Record<Cause, number>;
}

/**
 * What a main-thread task's time went to. A GPU wait is given to the GL call the CPU profile caught the
 * thread in (on this page: getBufferSubData is Spark's sort readback through three's
 * readRenderTargetPixelsAsync, getParameter iwer's frame-start clear-value reads, readPixels the emulator's
 * depth readback); "ours" is the time inside our User Timing spans (lib/web/user-timing.ts) outside waits.
 */
export const CAUSES = ['spark-readback', 'iwer-getParameter', 'readPixels', 'gl-other', 'gl-outside-script', 'ours', 'gc', 'script', 'browser'] as const;
export type Cause = (typeof CAUSES)[number];
export const CAUSE_LABEL: Record<Cause, string> = {
  'spark-readback': "GPU wait: Spark's sort readback (getBufferSubData)",
  'iwer-getParameter': "GPU wait: iwer's frame-start clear values (getParameter)",
  readPixels: "GPU wait: readPixels (the emulator's depth sensing)",
  'gl-other': 'GPU wait: other GL calls from script',
  'gl-outside-script': 'GPU wait outside script (commit, swap, texture uploads)',
  ours: 'our code (keyframe grab, test camera, delta apply, row upload)',
  gc: 'garbage collection',
  script: 'other script (three, R3F, Spark, iwer, React)',
  browser: 'browser work in the task (style, layout, paint, task overhead)',
};

export interface MainThreadReport {
  /** Wall ms recorded. */
  recordedMs: number;
  /** Top-level tasks on the main thread at least 50 ms long. */
  longTaskCount: number;
  longestMs: number;
  /** The longest task once its waits for the GPU process are taken out (the page's own work in it, wall clock). */
  longestOwnMs: number;
  /** The most main-thread CPU time in one task (trace `tdur`): the page's own work, whatever else the machine runs. */
  longestCpuMs: number;
  /** Main-thread busy ms (all top-level tasks) over the recording. */
  busyMs: number;
  /** 95th percentile of the top-level tasks of at least 1 ms. */
  p95Ms: number;
  /** Animation frames fired (FireAnimationFrame) over the recording. */
  frames: number;
  /** Over the long tasks (≥ 50 ms): ms by cause, and the most of each cause in one task. */
  causesLong: Record<Cause, number>;
  causesMaxTask: Record<Cause, number>;
  /** Our User Timing spans (lib/web/user-timing.ts) by name: count and longest ms (wall clock). */
  ours: Record<string, { count: number; maxMs: number }>;
  /** The most of our own work (spans less GPU waits) in one task, ms. */
  longestOursMs: number;
  /** The longest tasks (up to `top`), each with its attribution. */
  top: LongTask[];
  /** The tasks with the most main-thread work once GPU waits are taken out (up to `top`, ≥ 10 ms of it). */
  topOwn: LongTask[];
  /** The tasks with the most main-thread CPU time (up to `top`, ≥ 10 ms of it). */
  topCpu: LongTask[];
  /** Over all long tasks: trace event names and JS functions by ms (the profile's bottom line). */
  totals: { events: string[]; js: string[] };
}

// No 'v8' (its compile and GC events would fill the trace buffer over a long walk; GC shows in the CPU profile).
const CATEGORIES = ['toplevel', 'devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8.execute', 'blink.user_timing', 'gpu', 'blink', 'cc'];

interface TraceEvent {
  name: string;
  cat: string;
  ph: string;
  ts: number;
  id?: string;
  id2?: { local?: string; global?: string };
  dur?: number;
  tdur?: number;
  pid: number;
  tid: number;
  args?: { name?: string; data?: { functionName?: string; url?: string; lineNumber?: number; type?: string } };
}

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; parent?: number; children?: number[] }[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface MainThreadRecorder {
  stop(top?: number, saveTo?: string): Promise<MainThreadReport>;
}

/** Starts tracing and CPU profiling the page; `stop()` ends both and summarises the long tasks. */
export async function recordMainThread(page: Page): Promise<MainThreadRecorder> {
  const cdp: CDPSession = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 1000 });
  await cdp.send('Tracing.start', { traceConfig: { includedCategories: CATEGORIES, recordMode: 'recordContinuously' }, transferMode: 'ReturnAsStream' });
  await cdp.send('Profiler.start');
  return {
    async stop(top = 8, saveTo?: string) {
      const { profile } = (await cdp.send('Profiler.stop')) as unknown as { profile: CpuProfile };
      const done = new Promise<string>((resolve) => cdp.once('Tracing.tracingComplete', (e: { stream?: string }) => resolve(e.stream!)));
      await cdp.send('Tracing.end');
      const stream = await done;
      let text = '';
      for (;;) {
        const r = (await cdp.send('IO.read', { handle: stream, size: 1 << 22 })) as { data: string; eof: boolean; base64Encoded?: boolean };
        text += r.base64Encoded ? Buffer.from(r.data, 'base64').toString('utf8') : r.data;
        if (r.eof) break;
      }
      await cdp.send('IO.close', { handle: stream });
      await cdp.detach().catch(() => {});
      // The raw recording, to summarise again without walking again (`summariseFile`).
      if (saveTo) {
        writeFileSync(saveTo, text);
        writeFileSync(`${saveTo}.cpuprofile`, JSON.stringify(profile));
      }
      const parsed = JSON.parse(text) as { traceEvents: TraceEvent[] } | TraceEvent[];
      return summarise(Array.isArray(parsed) ? parsed : parsed.traceEvents, profile, top);
    },
  };
}

const LONG_US = 50_000;
/** Leaf waits of the command-buffer client: the main thread idles until the GPU process caught up. */
const GPU_WAIT = /^CommandBufferProxyImpl::WaitFor(GetOffset|Token)|^GpuChannelHost::Send|WaitForSyncToken/;

function eventLabel(e: TraceEvent): string {
  const d = e.args?.data;
  if (e.name === 'FunctionCall' && d?.functionName !== undefined) return `FunctionCall ${d.functionName || '(anonymous)'} ${shortUrl(d.url ?? '')}:${d.lineNumber ?? ''}`;
  if ((e.name === 'EventDispatch' || e.name === 'TimerFire') && d?.type) return `${e.name} ${d.type}`;
  return e.name;
}

const shortUrl = (u: string) => u.replace(/^https?:\/\/[^/]+/, '').replace(/^.*\/_next\/static\/chunks\//, 'chunks/');

function top(map: Map<string, number>, n: number): string[] {
  return [...map]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, us]) => `${k} ${(us / 1000).toFixed(0)} ms`);
}

/** The page's renderer main thread: the CrRendererMain with the most animation frames (the XR loop). */
function mainThread(events: TraceEvent[]): { pid: number; tid: number } | null {
  const mains = events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  let best: { pid: number; tid: number } | null = null;
  let bestN = -1;
  for (const m of mains) {
    const n = events.filter((e) => e.pid === m.pid && e.tid === m.tid && e.ph === 'X').length;
    if (n > bestN) {
      bestN = n;
      best = { pid: m.pid, tid: m.tid };
    }
  }
  return best;
}

/** Summarises a recording saved by `stop(top, saveTo)`. */
export function summariseFile(path: string, top = 8): MainThreadReport {
  const profile = JSON.parse(readFileSync(`${path}.cpuprofile`, 'utf8')) as CpuProfile;
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as { traceEvents: TraceEvent[] } | TraceEvent[];
  return summarise(Array.isArray(parsed) ? parsed : parsed.traceEvents, profile, top);
}

export function summarise(events: TraceEvent[], profile: CpuProfile, n: number): MainThreadReport {
  const main = mainThread(events);
  if (!main) throw new Error('main-thread profile: no CrRendererMain thread in the trace');
  const on = events.filter((e) => e.pid === main.pid && e.tid === main.tid && e.ph === 'X' && e.dur !== undefined).sort((a, b) => a.ts - b.ts);
  // Top-level tasks: RunTask events not nested in another one.
  const tasks: TraceEvent[] = [];
  let end = -Infinity;
  for (const e of on) {
    if (e.name !== 'RunTask' && e.name !== 'ThreadControllerImpl::RunTask') continue;
    if (e.ts < end) continue;
    tasks.push(e);
    end = e.ts + e.dur!;
  }
  const t0 = on.length ? on[0].ts : 0;
  const t1 = maxOf(on, (e) => e.ts + e.dur!);
  // CPU profile samples on the trace clock (both are base::TimeTicks in µs).
  const sampleTs: number[] = [];
  let t = profile.startTime;
  for (const d of profile.timeDeltas) sampleTs.push((t += d));
  const nodeOf = new Map(profile.nodes.map((nd) => [nd.id, nd]));
  const parentOf = new Map<number, number>();
  for (const nd of profile.nodes) {
    for (const c of nd.children ?? []) parentOf.set(c, nd.id);
    if (nd.parent !== undefined) parentOf.set(nd.id, nd.parent);
  }
  const frameLabel = (cf: CpuProfile['nodes'][number]['callFrame']) => `${cf.functionName || '(anonymous)'} ${shortUrl(cf.url)}${cf.url ? ':' + (cf.lineNumber + 1) : ''}`;
  // A native function (gl.readPixels, postMessage...) is named with the script function that called it.
  const sampleLabel = (id: number): string => {
    const nd = nodeOf.get(id)!;
    const cf = nd.callFrame;
    if (cf.url || cf.functionName.startsWith('(')) return frameLabel(cf);
    for (let p = parentOf.get(id); p !== undefined; p = parentOf.get(p)) {
      const up = nodeOf.get(p)!.callFrame;
      if (up.url) return `${cf.functionName} < ${frameLabel(up)}`;
    }
    return frameLabel(cf);
  };
  const jsIn = (a: number, b: number, into: Map<string, number>) => {
    for (let i = lowerBound(sampleTs, a); i < sampleTs.length && sampleTs[i] < b; i++) {
      const nd = nodeOf.get(profile.samples[i]);
      if (!nd) continue;
      const dt = (sampleTs[i + 1] ?? sampleTs[i]) - sampleTs[i];
      const k = sampleLabel(nd.id);
      into.set(k, (into.get(k) ?? 0) + Math.min(dt, 5000));
    }
  };
  const waitIn = (task: TraceEvent) => {
    let w = 0;
    const b = task.ts + task.dur!;
    for (let i = lowerBoundTs(on, task.ts); i < on.length && on[i].ts < b; i++) if (GPU_WAIT.test(on[i].name)) w += on[i].dur!;
    return Math.min(w, task.dur!);
  };
  // Our User Timing spans (complete events, or nestable async begin/end pairs) on the page's process.
  const spans: { name: string; a: number; b: number }[] = [];
  const open = new Map<string, number[]>();
  for (const e of events.filter((x) => x.pid === main.pid && x.name.startsWith(MEASURE_PREFIX)).sort((x, y) => x.ts - y.ts)) {
    const name = e.name.slice(MEASURE_PREFIX.length);
    if (e.ph === 'X' && e.dur !== undefined) spans.push({ name, a: e.ts, b: e.ts + e.dur });
    const key = `${e.name}/${e.id ?? e.id2?.local ?? e.id2?.global ?? ''}`;
    if (e.ph === 'b') open.set(key, [...(open.get(key) ?? []), e.ts]);
    if (e.ph === 'e') {
      const st = open.get(key)?.pop();
      if (st !== undefined) spans.push({ name, a: st, b: e.ts });
    }
  }
  const oursByName: Record<string, { count: number; maxMs: number }> = {};
  for (const sp of spans) {
    const o = (oursByName[sp.name] ??= { count: 0, maxMs: 0 });
    o.count++;
    o.maxMs = Math.max(o.maxMs, (sp.b - sp.a) / 1000);
  }
  const spanUnion = mergeIntervals(spans.map((sp) => [sp.a, sp.b]));
  const causesOf = (task: TraceEvent): Record<Cause, number> => {
    const a = task.ts, b = task.ts + task.dur!;
    const c = Object.fromEntries(CAUSES.map((k) => [k, 0])) as Record<Cause, number>;
    const waits: [number, number][] = [];
    for (let i = lowerBoundTs(on, a); i < on.length && on[i].ts < b; i++) if (GPU_WAIT.test(on[i].name)) waits.push([on[i].ts, Math.min(b, on[i].ts + on[i].dur!)]);
    const merged = mergeIntervals(waits);
    for (const [wa, wb] of merged) {
      const counts = new Map<Cause, number>();
      for (let i = lowerBound(sampleTs, wa); i < sampleTs.length && sampleTs[i] < wb; i++) {
        const nd = nodeOf.get(profile.samples[i]);
        const leaf = nd ? nd.callFrame.functionName : '';
        const k: Cause = leaf === 'getBufferSubData' ? 'spark-readback' : leaf === 'getParameter' ? 'iwer-getParameter' : leaf === 'readPixels' ? 'readPixels' : !nd || leaf.startsWith('(') ? 'gl-outside-script' : 'gl-other';
        counts.set(k, (counts.get(k) ?? 0) + 1);
      }
      const n = [...counts.values()].reduce((x, y) => x + y, 0);
      if (!n) c['gl-outside-script'] += wb - wa;
      for (const [k, m] of counts) c[k] += ((wb - wa) * m) / n;
    }
    const inWait = (t: number) => merged.some(([wa, wb]) => t >= wa && t < wb);
    const inOurs = (t: number) => spanUnion.some(([sa, sb]) => t >= sa && t < sb);
    c.ours = overlap(spanUnion, a, b) - merged.reduce((sum, [wa, wb]) => sum + overlap(spanUnion, wa, wb), 0);
    for (let i = lowerBound(sampleTs, a); i < sampleTs.length && sampleTs[i] < b; i++) {
      const t = sampleTs[i];
      if (inWait(t) || inOurs(t)) continue;
      const nd = nodeOf.get(profile.samples[i]);
      if (!nd) continue;
      const dt = Math.min((sampleTs[i + 1] ?? t) - t, 5000, b - t);
      const f = nd.callFrame.functionName;
      if (f === '(garbage collector)') c.gc += dt;
      else if (f !== '(idle)' && f !== '(program)') c.script += dt;
    }
    const rest = task.dur! - CAUSES.filter((k) => k !== 'browser').reduce((sum, k) => sum + c[k], 0);
    c.browser = Math.max(0, rest);
    for (const k of CAUSES) c[k] /= 1000;
    return c;
  };
  // The profiler's own start-up (CpuProfiler::StartProfiling) is a task of the recording, not of the page.
  const profilerStart = (task: TraceEvent) => {
    const b = task.ts + task.dur!;
    if (task.ts <= profile.startTime && profile.startTime < b) return true;
    for (let i = lowerBoundTs(on, task.ts); i < on.length && on[i].ts < b; i++) if (on[i].name === 'CpuProfiler::StartProfiling') return true;
    return false;
  };
  const pageTasks = tasks.filter((e) => !(e.dur! >= LONG_US && profilerStart(e)));
  let longestOwnUs = 0;
  for (const e of pageTasks) if (e.dur! >= LONG_US / 5) longestOwnUs = Math.max(longestOwnUs, e.dur! - waitIn(e));
  const long = pageTasks.filter((e) => e.dur! >= LONG_US).sort((a, b) => b.dur! - a.dur!);
  const totEv = new Map<string, number>();
  const totJs = new Map<string, number>();
  const describe = (task: TraceEvent, total = true): LongTask => {
    const ev = new Map<string, number>();
    const a = task.ts, b = task.ts + task.dur!;
    for (let i = lowerBoundTs(on, a); i < on.length && on[i].ts < b; i++) {
      const e = on[i];
      if (e === task || e.name === 'RunTask' || e.name === 'ThreadControllerImpl::RunTask') continue;
      const k = eventLabel(e);
      ev.set(k, (ev.get(k) ?? 0) + e.dur!);
    }
    const js = new Map<string, number>();
    jsIn(a, b, js);
    if (total) for (const [k, v] of ev) totEv.set(k, (totEv.get(k) ?? 0) + v);
    if (total) for (const [k, v] of js) totJs.set(k, (totJs.get(k) ?? 0) + v);
    return { ms: task.dur! / 1000, gpuWaitMs: waitIn(task) / 1000, cpuMs: (task.tdur ?? 0) / 1000, atMs: (task.ts - t0) / 1000, events: top(ev, 8), js: top(js, 8), causes: causesOf(task) };
  };
  const described = long.map((e) => describe(e));
  const own = pageTasks
    .map((e) => ({ e, own: e.dur! - waitIn(e) }))
    .filter((x) => x.own >= 10_000)
    .sort((a, b) => b.own - a.own)
    .slice(0, n)
    .map((x) => describe(x.e, false));
  const cpu = pageTasks
    .filter((e) => (e.tdur ?? 0) >= 10_000)
    .sort((a, b) => b.tdur! - a.tdur!)
    .slice(0, n)
    .map((e) => describe(e, false));
  const causesLong = Object.fromEntries(CAUSES.map((k) => [k, 0])) as Record<Cause, number>;
  const causesMaxTask = Object.fromEntries(CAUSES.map((k) => [k, 0])) as Record<Cause, number>;
  for (const t of described)
    for (const k of CAUSES) {
      causesLong[k] += t.causes[k];
      causesMaxTask[k] = Math.max(causesMaxTask[k], t.causes[k]);
    }
  let longestOursUs = 0;
  for (const e of pageTasks) if (overlap(spanUnion, e.ts, e.ts + e.dur!) > 0) longestOursUs = Math.max(longestOursUs, causesOf(e).ours * 1000);
  const durs = pageTasks.map((e) => e.dur! / 1000).filter((d) => d >= 1).sort((x, y) => x - y);
  return {
    recordedMs: (t1 - t0) / 1000,
    p95Ms: durs.length ? durs[Math.min(durs.length - 1, Math.floor(0.95 * durs.length))] : 0,
    frames: on.filter((e) => e.name === 'FireAnimationFrame').length,
    causesLong,
    causesMaxTask,
    ours: oursByName,
    longestOursMs: longestOursUs / 1000,
    longTaskCount: long.length,
    longestMs: long.length ? long[0].dur! / 1000 : maxOf(pageTasks, (e) => e.dur! / 1000),
    longestOwnMs: longestOwnUs / 1000,
    longestCpuMs: maxOf(pageTasks, (e) => (e.tdur ?? 0) / 1000),
    busyMs: pageTasks.reduce((s, e) => s + e.dur!, 0) / 1000,
    top: described.slice(0, n),
    topOwn: own,
    topCpu: cpu,
    totals: { events: top(totEv, 12), js: top(totJs, 12) },
  };
}

/** The largest f(x), 0 for none (no spread: a long walk's trace has more events than a call may take arguments). */
function maxOf<T>(xs: T[], f: (x: T) => number): number {
  let m = 0;
  for (const x of xs) m = Math.max(m, f(x));
  return m;
}

/** Sorted, non-overlapping union of [a, b) intervals. */
function mergeIntervals(iv: [number, number][]): [number, number][] {
  const out: [number, number][] = [];
  for (const [a, b] of [...iv].sort((x, y) => x[0] - y[0])) {
    const last = out[out.length - 1];
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

/** Length of a merged interval list inside [a, b). */
function overlap(iv: [number, number][], a: number, b: number): number {
  let s = 0;
  for (const [x, y] of iv) s += Math.max(0, Math.min(y, b) - Math.max(x, a));
  return s;
}

function lowerBound(a: number[], x: number): number {
  let lo = 0, hi = a.length;
  while (lo < hi) {
    const m = (lo + hi) >> 1;
    if (a[m] < x) lo = m + 1;
    else hi = m;
  }
  return lo;
}

function lowerBoundTs(a: TraceEvent[], x: number): number {
  let lo = 0, hi = a.length;
  while (lo < hi) {
    const m = (lo + hi) >> 1;
    if (a[m].ts < x) lo = m + 1;
    else hi = m;
  }
  return lo;
}

/** The report as log lines. */
export function formatReport(r: MainThreadReport, what: string): string {
  const lines = [
    `${what}: ${r.longTaskCount} main-thread tasks ≥ 50 ms in ${(r.recordedMs / 1000).toFixed(1)} s (busy ${(r.busyMs / 1000).toFixed(1)} s, ${r.frames} animation frames), longest ${r.longestMs.toFixed(0)} ms, p95 (tasks ≥ 1 ms) ${r.p95Ms.toFixed(0)} ms, longest without GPU waits ${r.longestOwnMs.toFixed(0)} ms, most CPU in one task ${r.longestCpuMs.toFixed(0)} ms, most of our own work in one task ${r.longestOursMs.toFixed(1)} ms`,
    `  long tasks by cause (sum / most in one task, ms): ${CAUSES.map((k) => `${k} ${r.causesLong[k].toFixed(0)} / ${r.causesMaxTask[k].toFixed(0)}`).join(' | ')}`,
    `  our spans (count, longest ms): ${Object.entries(r.ours).map(([k, v]) => `${k} ${v.count}, ${v.maxMs.toFixed(1)}`).join(' | ') || 'none recorded'}`,
  ];
  const causeLine = (t: LongTask) => CAUSES.filter((k) => t.causes[k] >= 1).map((k) => `${k} ${t.causes[k].toFixed(0)}`).join(', ');
  for (const t of r.top) lines.push(`  ${t.ms.toFixed(0)} ms (GPU wait ${t.gpuWaitMs.toFixed(0)}, CPU ${t.cpuMs.toFixed(0)}) at ${(t.atMs / 1000).toFixed(1)} s: ${t.events.slice(0, 5).join(' | ')}`, `      causes: ${causeLine(t)}`, `      js: ${t.js.slice(0, 5).join(' | ')}`);
  lines.push(`  most own work (task minus GPU waits):`);
  for (const t of r.topOwn.slice(0, 5))
    lines.push(`  ${(t.ms - t.gpuWaitMs).toFixed(0)} ms own (CPU ${t.cpuMs.toFixed(0)}) of ${t.ms.toFixed(0)} at ${(t.atMs / 1000).toFixed(1)} s: ${t.events.slice(0, 6).join(' | ')}`, `      js: ${t.js.slice(0, 6).join(' | ')}`);
  lines.push(`  most CPU time in one task:`);
  for (const t of r.topCpu.slice(0, 5))
    lines.push(`  ${t.cpuMs.toFixed(0)} ms CPU of ${t.ms.toFixed(0)} at ${(t.atMs / 1000).toFixed(1)} s: ${t.events.slice(0, 6).join(' | ')}`, `      js: ${t.js.slice(0, 6).join(' | ')}`);
  lines.push(`  all long tasks, events: ${r.totals.events.join(' | ')}`, `  all long tasks, js: ${r.totals.js.join(' | ')}`);
  return lines.join('\n');
}
