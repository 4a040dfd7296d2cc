/**
 * Two `next start` processes on one data directory (docs/SHARING.md, "Deployment notes"): uploads
 * spread over both under load, each scene fetched back from the OTHER process byte-identical,
 * deleted through either, and nothing left in the directory afterwards. In the browser suite
 * because it needs the production build (which that suite builds once); no browser is used.
 * Loopback only, a bounded number of requests.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
// @ts-expect-error plain .mjs helper without types (shared with scripts/demo.mjs)
import { freePort, startServer } from '../../scripts/app-server.mjs';
import { uploadScene, downloadScene } from '../../lib/web/share-transfer';
import { sceneBytes } from '../unit/share/share-fixtures';

type Server = { url: string; stop(): Promise<void> };
let dir: string;
const servers: Server[] = [];
const saved = process.env.SEGSPLAT_DATA_DIR;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'segsplat-two-servers-'));
  process.env.SEGSPLAT_DATA_DIR = dir;
  try {
    for (let i = 0; i < 2; i++) servers.push((await startServer(await freePort(), { quiet: true, host: '127.0.0.1' })) as Server);
  } finally {
    if (saved === undefined) delete process.env.SEGSPLAT_DATA_DIR;
    else process.env.SEGSPLAT_DATA_DIR = saved;
  }
}, 120_000);
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  if (dir) await rm(dir, { recursive: true, force: true });
});

it('serves uploads made through either process from the other, byte-identical, under concurrent load', async () => {
  const N = 24;
  const CONCURRENCY = 8;
  const files = await Promise.all(Array.from({ length: 4 }, (_, i) => sceneBytes(i % 2 ? 'compact' : 'glb', 3000 + i * 100, i + 1)));
  const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
  const results: { ok: boolean; why?: string }[] = [];
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < N; i = next++) {
      const up = servers[i % 2], down = servers[(i + 1) % 2];
      const bytes = files[i % files.length];
      try {
        const r = await uploadScene(bytes, { baseUrl: up.url, fetch: (u, init) => fetch(u, init), retry: { baseDelayMs: 50 } });
        const d = await downloadScene(`${down.url}/api/scenes/${r.code}`, { headers: { authorization: `Bearer ${r.token}` }, fetch: (u, init) => fetch(u, init) });
        if (sha(d.bytes) !== sha(bytes)) throw new Error(`scene ${r.code} came back different`);
        const del = await fetch(`${servers[i % 2].url}/api/scenes/${r.code}`, { method: 'DELETE', headers: { authorization: `Bearer ${r.token}` } });
        if (del.status !== 204) throw new Error(`DELETE ${r.code}: HTTP ${del.status}`);
        const gone = await fetch(`${down.url}/api/scenes/${r.code}`, { method: 'HEAD', headers: { authorization: `Bearer ${r.token}` } });
        if (gone.status !== 404) throw new Error(`HEAD after DELETE ${r.code}: HTTP ${gone.status}`);
        results.push({ ok: true });
      } catch (e) {
        results.push({ ok: false, why: (e as Error).message });
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  expect(results.filter((r) => !r.ok)).toEqual([]);
  expect(results).toHaveLength(N);
  // Every blob deleted, no spool file left by either process.
  expect(await readdir(path.join(dir, 'blobs'))).toEqual(['tmp']);
  expect(await readdir(path.join(dir, 'blobs', 'tmp'))).toEqual([]);
});
