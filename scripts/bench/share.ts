/**
 * Sharing under load against a real `next start` on 127.0.0.1 (issue 15, docs/SHARING.md):
 * - baseline in the same run: the old admission (4 uploads at once, no queue) with a client that
 *   does not retry, the behaviour the issue measured (49 of 100 refused);
 * - N uploads x C concurrent of a ~3 MB .glb with the client's retry (lib/web/share-transfer.ts),
 *   each downloaded and compared by SHA-256; p50/p95 latency; server RSS before/after/peak;
 * - 20 concurrent 100 MB uploads: peak server RSS growth (the old code held each whole);
 * - 10,000 GET/HEAD/Range requests of stored scenes: RSS drift;
 * - bad traffic mixed into the load: truncated bodies, oversize bodies, wrong and malformed tokens,
 *   path tricks, wrong Content-Type, each expected to get its documented status, and nothing left
 *   in the data directory after all good scenes are deleted.
 * Server RSS is read from /proc/<pid>/status (VmRSS, summed over the server's process tree).
 * Needs the production build (`npm run build`); every loop is bounded.
 * With --json, bench.ts prints summary() as the last line.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
// @ts-expect-error plain .mjs helper without types (shared with scripts/demo.mjs and the browser tests)
import { freePort, root, startServer } from '../app-server.mjs';
import { syntheticScene } from '../../tests/unit/splat-files/synthetic-scene';
import { writeSceneFile } from '../../lib/splat/scene-file';
import { downloadScene, uploadScene, TransferError, type UploadReceipt } from '../../lib/web/share-transfer';
import type { BenchTable } from './table';

type Server = { url: string; child: { pid: number }; stop(): Promise<void> };

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const mib = (b: number) => b / 1048576;
const fetchFn = (u: string, i?: RequestInit) => fetch(u, i);
const t00 = performance.now();
const say = (m: string) => process.stderr.write(`bench share: ${((performance.now() - t00) / 1000).toFixed(0)} s: ${m}\n`);

function children(pid: number): number[] {
  const out: number[] = [];
  try {
    for (const t of readdirSync(`/proc/${pid}/task`)) {
      const c = readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').trim();
      if (c) for (const k of c.split(/\s+/)) out.push(Number(k), ...children(Number(k)));
    }
  } catch {
    // process gone
  }
  return out;
}

/** VmRSS of the server and its child processes, bytes. */
function serverRss(pid: number): number {
  let sum = 0;
  for (const p of [pid, ...children(pid)]) {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${p}/status`, 'utf8'));
      if (m) sum += Number(m[1]) * 1024;
    } catch {
      // exited
    }
  }
  return sum;
}

/** Samples server RSS every 50 ms; peak() since the last reset. */
function rssSampler(pid: number) {
  let peak = serverRss(pid);
  const t = setInterval(() => (peak = Math.max(peak, serverRss(pid))), 50);
  return {
    peak: () => Math.max(peak, serverRss(pid)),
    reset: () => (peak = serverRss(pid)),
    stop: () => clearInterval(t),
  };
}

function pct(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** fetch with one retry on a network error (a keep-alive socket the server closed as it was reused); counts them. */
const netErrors: string[] = [];
async function fetchOnceMore(url: string, init?: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (e) {
    netErrors.push(String((e as { cause?: { code?: string; message?: string } }).cause?.code ?? (e as Error).message));
    return fetch(url, init);
  }
}

async function pool<T>(n: number, concurrency: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, n) }, async () => {
      for (let i = next++; i < n; i = next++) out[i] = await fn(i);
    }),
  );
  return out;
}

async function startWith(env: Record<string, string>): Promise<Server> {
  const saved: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(env)) {
    saved[k] = process.env[k];
    process.env[k] = v;
  }
  try {
    return (await startServer(await freePort(), { quiet: true, host: '127.0.0.1', timeoutMs: 120_000 })) as Server;
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

/** Files under the data directory other than the SQLite database (blobs and spool files). */
async function dataFiles(dir: string): Promise<number> {
  const all = (await readdir(dir, { recursive: true, withFileTypes: true })) as { name: string; isFile(): boolean }[];
  return all.filter((e) => e.isFile() && !e.name.startsWith('scenes.sqlite')).length;
}

interface UploadRun {
  latencies: number[];
  succeeded: number;
  refused: number;
  mismatched: number;
  busyAnswers: number;
  wallMs: number;
  receipts: UploadReceipt[];
}

async function uploadRound(server: Server, files: Uint8Array[], n: number, concurrency: number, retry: boolean, verify: boolean): Promise<UploadRun> {
  const run: UploadRun = { latencies: [], succeeded: 0, refused: 0, mismatched: 0, busyAnswers: 0, wallMs: 0, receipts: [] };
  const t0 = performance.now();
  await pool(n, concurrency, async (i) => {
    const bytes = files[i % files.length];
    const s = performance.now();
    try {
      const r = await uploadScene(bytes, {
        baseUrl: server.url,
        fetch: fetchFn,
        retry: retry ? { maxAttempts: 20 } : { maxAttempts: 1 },
        onRetry: () => run.busyAnswers++,
      });
      if (verify) {
        const d = await downloadScene(`${server.url}/api/scenes/${r.code}`, { fetch: fetchFn, headers: { authorization: `Bearer ${r.token}` }, retry: { maxAttempts: 20 } });
        if (sha(d.bytes) !== sha(bytes)) run.mismatched++;
      }
      run.latencies.push(performance.now() - s);
      run.succeeded++;
      run.receipts.push(r);
    } catch (e) {
      if (e instanceof TransferError && e.status === 503) run.busyAnswers++;
      run.refused++;
    }
  });
  run.wallMs = performance.now() - t0;
  run.latencies.sort((a, b) => a - b);
  return run;
}

async function deleteAll(server: Server, receipts: UploadReceipt[]): Promise<void> {
  await pool(receipts.length, 16, async (i) => {
    const r = receipts[i];
    await fetchOnceMore(`${server.url}/api/scenes/${r.code}`, { method: 'DELETE', headers: { authorization: `Bearer ${r.token}` } });
  });
}

/** A raw HTTP/1.1 request over a socket (for bodies fetch will not send: truncated, lying). Resolves with the status or 'none'. */
function rawRequest(url: string, head: string, body: Uint8Array, endEarly: boolean): Promise<number | 'none'> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const sock = connect(Number(u.port), u.hostname);
    let data = '';
    const done = (v: number | 'none') => {
      sock.destroy();
      resolve(v);
    };
    sock.setTimeout(15_000, () => done('none'));
    sock.on('data', (d) => {
      data += d.toString('latin1');
      const m = /^HTTP\/1\.1 (\d{3})/.exec(data);
      if (m) done(Number(m[1]));
    });
    sock.on('error', () => done('none'));
    sock.on('close', () => done('none'));
    sock.on('connect', () => {
      sock.write(head);
      sock.write(body);
      if (endEarly) sock.end(); // half-close: the body stops short of its Content-Length
    });
  });
}

interface BadCase {
  name: string;
  expect: (number | 'none')[];
  run(server: Server, good: UploadReceipt): Promise<number | 'none'>;
}

function badCases(scene: Uint8Array): BadCase[] {
  const token = 'A'.repeat(43);
  const post = (h: Record<string, string>, body: BodyInit | null) => (s: Server) =>
    fetch(`${s.url}/api/scenes`, { method: 'POST', headers: h, body, ...(body instanceof ReadableStream ? { duplex: 'half' } : {}) } as RequestInit).then(async (r) => {
      await r.body?.cancel().catch(() => {});
      return r.status;
    });
  const get = (p: string, h: Record<string, string> = {}) => (s: Server) =>
    fetch(`${s.url}${p}`, { headers: h }).then(async (r) => {
      await r.body?.cancel().catch(() => {});
      return r.status;
    });
  const hugeChunked = () => {
    let sent = 0;
    const chunk = new Uint8Array(1 << 20).fill(0x41);
    return new ReadableStream<Uint8Array>({
      pull(c) {
        if (sent >= 260 * 1048576) return c.close();
        sent += chunk.byteLength;
        c.enqueue(chunk);
      },
    });
  };
  return [
    {
      name: 'truncated body (Content-Length 3 MB, 1 MB sent, then half-close)',
      expect: [400],
      run: (s) => rawRequest(s.url, `POST /api/scenes HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: model/gltf-binary\r\nContent-Length: ${scene.byteLength}\r\n\r\n`, scene.subarray(0, 1 << 20), true),
    },
    { name: 'truncated file (valid length, cut .glb)', expect: [400], run: post({ 'content-type': 'model/gltf-binary' }, scene.slice(0, scene.byteLength - 1000)) },
    { name: 'oversize by Content-Length (300 MB declared)', expect: [413], run: (s) => rawRequest(s.url, `POST /api/scenes HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: model/gltf-binary\r\nContent-Length: ${300 * 1048576}\r\n\r\n`, new Uint8Array(0), false) },
    // The server answers 413 at the limit and stops reading; fetch, still sending, often sees the close first.
    { name: 'oversize chunked (260 MB, no Content-Length)', expect: [413, 'none'], run: post({ 'content-type': 'model/gltf-binary' }, hugeChunked()) },
    { name: 'wrong Content-Type', expect: [415], run: post({ 'content-type': 'text/plain' }, scene.slice(0, 100)) },
    { name: 'malformed bearer token on POST', expect: [401], run: post({ 'content-type': 'model/gltf-binary', authorization: 'Bearer abc' }, scene.slice(0, 100)) },
    { name: 'wrong (well-formed) token', expect: [404], run: (s, g) => get(`/api/scenes/${g.code}`, { authorization: `Bearer ${token}` })(s) },
    { name: 'malformed token', expect: [401], run: (s, g) => get(`/api/scenes/${g.code}`, { authorization: 'Bearer not-a-token' })(s) },
    { name: 'no token', expect: [401], run: (s, g) => get(`/api/scenes/${g.code}`)(s) },
    { name: 'path trick ..%2F..%2Fetc%2Fpasswd', expect: [404], run: (s, g) => get('/api/scenes/..%2F..%2Fetc%2Fpasswd', { authorization: `Bearer ${g.token}` })(s) },
    { name: 'path trick %2e%2e', expect: [404], run: (s, g) => get('/api/scenes/%2e%2e', { authorization: `Bearer ${g.token}` })(s) },
    { name: 'path trick: the blob id as code', expect: [404], run: (s, g) => get(`/api/scenes/${g.id}`, { authorization: `Bearer ${g.token}` })(s) },
    { name: 'path trick: 10,000-character code', expect: [404], run: (s, g) => get(`/api/scenes/${'A'.repeat(10_000)}`, { authorization: `Bearer ${g.token}` })(s) },
    { name: 'Range outside the file', expect: [416], run: (s, g) => get(`/api/scenes/${g.code}`, { authorization: `Bearer ${g.token}`, range: 'bytes=999999999-' })(s) },
  ];
}

let lastSummary: Record<string, number> | null = null;
export function summary(): Record<string, number> | null {
  return lastSummary;
}

export async function run(opts: { quick: boolean }): Promise<BenchTable[]> {
  if (!existsSync(path.join(root, '.next/BUILD_ID'))) throw new Error('share bench needs the production build: run `npm run build` first');
  const N = opts.quick ? 40 : 200;
  const C = 20;
  const BIG = opts.quick ? 4 : 20;
  const BIG_MB = opts.quick ? 40 : 100;
  const READS = opts.quick ? 1000 : 10_000;

  // ~3 MB .glb scenes (degree 0, 512-d bank), a few variants so a mix-up between uploads would show.
  const variants = await Promise.all([0, 1, 2, 3].map((k) => writeSceneFile(syntheticScene({ count: 50_000 + 137 * k, seed: 11 + k }), 'glb')));
  const tables: BenchTable[] = [];
  const dirs: string[] = [];
  const servers: Server[] = [];
  try {
    say('baseline server (old admission) ...');
    // --- Baseline: today's admission (4 at once, no queue), client without retry. ---
    const baseDir = await mkdtemp(path.join(tmpdir(), 'segsplat-bench-share-old-'));
    dirs.push(baseDir);
    const oldServer = await startWith({ SEGSPLAT_DATA_DIR: baseDir, SEGSPLAT_SHARE_MAX_CONCURRENT_UPLOADS: '4', SEGSPLAT_SHARE_MAX_QUEUED_UPLOADS: '0' });
    servers.push(oldServer);
    await uploadRound(oldServer, variants, 4, 1, false, false); // warm-up (route compile, JIT)
    say(`baseline: ${N} uploads x ${C}`);
    const old = await uploadRound(oldServer, variants, N, C, false, true);
    say(`baseline: ${old.succeeded} succeeded, ${old.refused} refused`);
    await oldServer.stop();
    servers.pop();

    // --- This build's defaults, client with retry. ---
    const dir = await mkdtemp(path.join(tmpdir(), 'segsplat-bench-share-'));
    dirs.push(dir);
    say('server with this build\'s admission ...');
    const server = await startWith({ SEGSPLAT_DATA_DIR: dir });
    servers.push(server);
    const pid = server.child.pid;
    const warm = await uploadRound(server, variants, 4, 1, true, true);
    await deleteAll(server, warm.receipts);
    const rss = rssSampler(pid);
    const rssBefore = serverRss(pid);

    // Bad traffic mixed into the main upload load.
    const cases = badCases(variants[0]);
    const goodRef = await uploadScene(variants[1], { baseUrl: server.url, fetch: fetchFn });
    const badResults: { name: string; expect: (number | 'none')[]; got: (number | 'none')[] }[] = cases.map((c) => ({ name: c.name, expect: c.expect, got: [] }));
    const mainP = uploadRound(server, variants, N, C, true, true);
    const badP = (async () => {
      for (let round = 0; round < 3; round++) for (let k = 0; k < cases.length; k++) badResults[k].got.push(await cases[k].run(server, goodRef).catch(() => 'none' as const));
    })();
    const [main] = await Promise.all([mainP, badP]);
    say(`main: ${main.succeeded} succeeded, ${main.refused} refused, ${main.busyAnswers} 503s; reads ...`);
    const mainPeak = rss.peak();
    const rssAfterMain = serverRss(pid);

    // --- 10,000 reads: HEAD, full GET, Range GET, round-robin over the stored scenes. ---
    const stored = main.receipts;
    const readOnce = async (i: number) => {
      const r = stored[i % stored.length];
      const h = { authorization: `Bearer ${r.token}` };
      // Of every 100: 50 HEAD, 49 Range GET of 64 KiB (a headset resuming), 1 full GET (full GETs also ran once per upload above).
      const k = i % 100;
      const kind = k < 50 ? 0 : k < 99 ? 5 : 9;
      const res =
        kind < 5
          ? await fetchOnceMore(`${server.url}/api/scenes/${r.code}`, { method: 'HEAD', headers: h })
          : kind < 9
            ? await fetchOnceMore(`${server.url}/api/scenes/${r.code}`, { headers: { ...h, range: `bytes=${(i * 4099) % 1_000_000}-${((i * 4099) % 1_000_000) + 65535}` } })
            : await fetchOnceMore(`${server.url}/api/scenes/${r.code}`, { headers: h });
      const n = res.body ? (await res.arrayBuffer()).byteLength : 0;
      return res.status === (kind < 5 ? 200 : kind < 9 ? 206 : 200) && (kind !== 9 || n > 0) ? 1 : 0;
    };
    const warmReads = Math.min(500, Math.floor(READS / 10));
    await pool(warmReads, C, readOnce);
    const rssReadsStart = serverRss(pid);
    rss.reset();
    const tReads = performance.now();
    const readOk = (await pool(READS, C, readOnce)).reduce((a: number, b) => a + b, 0);
    const readsMs = performance.now() - tReads;
    const readsPeak = rss.peak();
    say(`reads: ${READS} in ${(readsMs / 1000).toFixed(1)} s; writing the ${BIG_MB} MB scene ...`);
    const rssReadsEnd = serverRss(pid);
    const driftPct = (100 * (rssReadsEnd - rssReadsStart)) / rssReadsStart;

    // --- 20 concurrent 100 MB uploads (chunked check path), each streamed back and hashed. ---
    const bigScene = await writeSceneFile(syntheticScene({ count: Math.round((BIG_MB * 1048576) / 58.3), seed: 99 }), 'glb');
    const bigSha = sha(bigScene);
    await deleteAll(server, stored);
    const rssBigStart = serverRss(pid);
    rss.reset();
    say(`${BIG} x ${mib(bigScene.byteLength).toFixed(0)} MB uploads ...`);
    const big = await uploadRound(server, [bigScene], BIG, BIG, true, false);
    say(`big: ${big.succeeded} succeeded; streaming back ...`);
    const bigPeak = rss.peak();
    // Every stored copy checked twice: HEAD's Repr-Digest (the SHA-256 the server computed while
    // spooling) and the stored file itself hashed from the data directory (blobs/<id>), which is
    // what GET streams (GET's streaming was compared byte for byte in the 3 MB phase).
    let bigMatched = 0;
    const bigB64 = Buffer.from(bigSha, 'hex').toString('base64');
    await pool(big.receipts.length, 4, async (i) => {
      const r = big.receipts[i];
      const head = await fetchOnceMore(`${server.url}/api/scenes/${r.code}`, { method: 'HEAD', headers: { authorization: `Bearer ${r.token}` } });
      const h = createHash('sha256');
      for await (const chunk of createReadStream(path.join(dir, 'blobs', r.id), { highWaterMark: 1 << 20 })) h.update(chunk as Buffer);
      if (head.headers.get('repr-digest') === `sha-256=:${bigB64}:` && h.digest('hex') === bigSha) bigMatched++;
    });
    await deleteAll(server, [...big.receipts, goodRef]);
    rss.stop();
    const leftover = await dataFiles(dir);
    const asDocumented = (b: { expect: (number | 'none')[]; got: (number | 'none')[] }) => b.got.every((g) => b.expect.includes(g));
    const badOk = badResults.filter(asDocumented).length;

    tables.push({
      title: `Sharing: ${N} uploads x ${C} concurrent of a ${mib(variants[0].byteLength).toFixed(1)} MB .glb, each downloaded and compared (next start, 127.0.0.1)`,
      columns: ['admission / client', 'succeeded', 'refused (final)', '503 answers seen', 'mismatched', 'p50 ms', 'p95 ms', 'wall s', 'succeeded vs baseline'],
      rows: [
        ['old: 4 at once, no queue; client without retry [baseline]', old.succeeded, old.refused, old.busyAnswers, old.mismatched, Math.round(pct(old.latencies, 50)), Math.round(pct(old.latencies, 95)), +(old.wallMs / 1000).toFixed(1), 1],
        ['new: byte budget + queue (16 running, 64 waiting, 5 s); client retries', main.succeeded, main.refused, main.busyAnswers, main.mismatched, Math.round(pct(main.latencies, 50)), Math.round(pct(main.latencies, 95)), +(main.wallMs / 1000).toFixed(1), +(main.succeeded / Math.max(1, old.succeeded)).toFixed(2)],
      ],
      notes: [
        'Latency = upload (with retries) + download + compare, per scene, measured by the client. The baseline runs this same build with SEGSPLAT_SHARE_MAX_CONCURRENT_UPLOADS=4 SEGSPLAT_SHARE_MAX_QUEUED_UPLOADS=0 and a client with maxAttempts 1: the admission the issue measured (100 x 10 against the old in-memory code: 49 succeeded, 51 refused with 503).',
        `Bad traffic (${cases.length} kinds x 3) ran alongside the new-admission load.`,
      ],
    });
    tables.push({
      title: 'Sharing: server memory (VmRSS of the next start process tree, /proc/<pid>/status)',
      columns: ['phase', 'RSS at start MiB', 'peak MiB', 'RSS at end MiB', 'peak growth MiB', 'note'],
      rows: [
        [`${N} x ${C} uploads of 3 MB + downloads`, +mib(rssBefore).toFixed(0), +mib(mainPeak).toFixed(0), +mib(rssAfterMain).toFixed(0), +mib(mainPeak - rssBefore).toFixed(0), ''],
        [`${BIG} concurrent ${BIG_MB} MB uploads`, +mib(rssBigStart).toFixed(0), +mib(bigPeak).toFixed(0), +mib(serverRss(pid)).toFixed(0), +mib(bigPeak - rssBigStart).toFixed(0), `${big.succeeded}/${BIG} stored, ${bigMatched} with the upload's SHA-256 (Repr-Digest and the stored file); target < 200 MB growth (the old code held each upload whole: ${BIG} x ${BIG_MB} MB)`],
        [`${READS} HEAD / Range GET / GET`, +mib(rssReadsStart).toFixed(0), +mib(readsPeak).toFixed(0), +mib(rssReadsEnd).toFixed(0), +mib(readsPeak - rssReadsStart).toFixed(0), `${readOk}/${READS} answered as expected in ${(readsMs / 1000).toFixed(1)} s; drift ${driftPct.toFixed(1)} % (target < 10 %)`],
      ],
      notes: [
        `Of every 100 reads 50 are HEAD, 49 a 64 KiB Range GET (206), 1 a full GET, ${C} at a time; RSS drift = end vs start of the measured reads, after ${warmReads} warm-up reads.`,
        `Network errors retried once by the bench's plain-fetch loops (reads, deletes): ${netErrors.length}${netErrors.length ? ` (${[...new Set(netErrors)].join(', ')})` : ''}.`,
      ],
    });
    tables.push({
      title: 'Sharing: bad traffic (3 of each, mixed into the upload load)',
      columns: ['request', 'documented status', 'statuses seen', 'as documented'],
      rows: badResults.map((b) => [b.name, b.expect.join(' or '), b.got.join(', '), asDocumented(b) ? 'yes' : 'NO']),
      notes: [`Data directory files (blobs + spool) after all good scenes were deleted: ${leftover} (expected 0).`, '"none" = the connection closed without an answer.'],
    });
    lastSummary = {
      uploads: N + BIG,
      succeeded: main.succeeded + big.succeeded,
      refused: main.refused + big.refused,
      p95ms: Math.round(pct(main.latencies, 95)),
      peakRssMb: Math.round(mib(Math.max(mainPeak, bigPeak, readsPeak))),
      rssDriftPct: +driftPct.toFixed(1),
      leftoverFiles: leftover,
      mismatched: main.mismatched + (big.succeeded - bigMatched),
      badAsDocumented: badOk,
      badKinds: cases.length,
      baselineSucceeded: old.succeeded,
      baselineRefused: old.refused,
      bigPeakGrowthMb: Math.round(mib(bigPeak - rssBigStart)),
    };
    return tables;
  } finally {
    for (const s of servers) await s.stop();
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  }
}
