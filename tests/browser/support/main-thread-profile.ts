/**
 * Where the page's main thread spends its long tasks: a Chrome trace (CDP Tracing, devtools.timeline
 * categories) gives the renderer main thread's top-level tasks and what ran inside them; the CPU profile
 * (CDP Profiler, 1 ms samples) says which JavaScript functions took the time. Used by the live-scan
 * browser test (the top tasks go to its log) and `npm run bench -- --only scan-main-thread`.
 */
import type { CDPSession, Page } from 'playwright-core';

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
}

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
  /** The longest tasks (up to `top`), each with its attribution. */
  top: LongTask[];
  /** The tasks with the most main-thread work once GPU waits are taken out (up to `top`, ≥ 10 ms of it). */
  topOwn: LongTask[];
  /** The tasks with the most main-thread CPU time (up to `top`, ≥ 10 ms of it). */
  topCpu: LongTask[];
  /** Over all long tasks: trace event names and JS functions by ms (the profile's bottom line). */
  totals: { events: string[]; js: string[] };
}

const CATEGORIES = ['toplevel', 'devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8', 'v8.execute', 'blink.user_timing', 'gpu', 'blink', 'cc'];

interface TraceEvent {
  name: string;
  cat: string;
  ph: string;
  ts: number;
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
  stop(top?: number): Promise<MainThreadReport>;
}

/** Starts tracing and CPU profiling the page; `stop()` ends both and summarises the long tasks. */
export async function recordMainThread(page: Page): Promise<MainThreadRecorder> {
  const cdp: CDPSession = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 1000 });
  await cdp.send('Tracing.start', { traceConfig: { includedCategories: CATEGORIES, recordMode: 'recordContinuously' }, transferMode: 'ReturnAsStream' });
  await cdp.send('Profiler.start');
  return {
    async stop(top = 8) {
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
  const t1 = on.length ? Math.max(...on.map((e) => e.ts + e.dur!)) : 0;
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
  // The profiler's own start-up (CpuProfiler::StartProfiling) is a task of the recording, not of the page.
  const profilerStart = (task: TraceEvent) => {
    const b = task.ts + task.dur!;
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
    return { ms: task.dur! / 1000, gpuWaitMs: waitIn(task) / 1000, cpuMs: (task.tdur ?? 0) / 1000, atMs: (task.ts - t0) / 1000, events: top(ev, 8), js: top(js, 8) };
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
  return {
    recordedMs: (t1 - t0) / 1000,
    longTaskCount: long.length,
    longestMs: long.length ? long[0].dur! / 1000 : Math.max(0, ...pageTasks.map((e) => e.dur! / 1000)),
    longestOwnMs: longestOwnUs / 1000,
    longestCpuMs: Math.max(0, ...pageTasks.map((e) => (e.tdur ?? 0) / 1000)),
    busyMs: pageTasks.reduce((s, e) => s + e.dur!, 0) / 1000,
    top: described.slice(0, n),
    topOwn: own,
    topCpu: cpu,
    totals: { events: top(totEv, 12), js: top(totJs, 12) },
  };
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
    `${what}: ${r.longTaskCount} main-thread tasks ≥ 50 ms in ${(r.recordedMs / 1000).toFixed(1)} s (busy ${(r.busyMs / 1000).toFixed(1)} s), longest ${r.longestMs.toFixed(0)} ms, longest without GPU waits ${r.longestOwnMs.toFixed(0)} ms, most CPU in one task ${r.longestCpuMs.toFixed(0)} ms`,
  ];
  for (const t of r.top) lines.push(`  ${t.ms.toFixed(0)} ms (GPU wait ${t.gpuWaitMs.toFixed(0)}, CPU ${t.cpuMs.toFixed(0)}) at ${(t.atMs / 1000).toFixed(1)} s: ${t.events.slice(0, 5).join(' | ')}`, `      js: ${t.js.slice(0, 5).join(' | ')}`);
  lines.push(`  most own work (task minus GPU waits):`);
  for (const t of r.topOwn.slice(0, 5))
    lines.push(`  ${(t.ms - t.gpuWaitMs).toFixed(0)} ms own (CPU ${t.cpuMs.toFixed(0)}) of ${t.ms.toFixed(0)} at ${(t.atMs / 1000).toFixed(1)} s: ${t.events.slice(0, 6).join(' | ')}`, `      js: ${t.js.slice(0, 6).join(' | ')}`);
  lines.push(`  most CPU time in one task:`);
  for (const t of r.topCpu.slice(0, 5))
    lines.push(`  ${t.cpuMs.toFixed(0)} ms CPU of ${t.ms.toFixed(0)} at ${(t.atMs / 1000).toFixed(1)} s: ${t.events.slice(0, 6).join(' | ')}`, `      js: ${t.js.slice(0, 6).join(' | ')}`);
  lines.push(`  all long tasks, events: ${r.totals.events.join(' | ')}`, `  all long tasks, js: ${r.totals.js.join(' | ')}`);
  return lines.join('\n');
}
