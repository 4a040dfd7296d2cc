/**
 * A real crash (SIGKILL) between blob write and metadata write, in a child process: afterwards
 * the orphan blob is on disk but invisible, the acknowledged scene is intact, and reopening the
 * store removes the orphan.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openSqliteSceneStore, BLOB_DIR } from '../../../lib/share/sqlite-scene-store';
import { readAll, sceneBytes, tempDir, testConfig } from './share-fixtures';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');

describe('crash between blob write and metadata write', () => {
  it('leaves no visible orphan, loses no acknowledged scene, and the next open removes the orphan', async () => {
    const t = await tempDir();
    try {
      const acked = await sceneBytes('glb', 20, 7);
      const doomed = await sceneBytes('compact', 21, 8);
      await writeFile(path.join(t.dir, 'acked.glb'), acked);
      await writeFile(path.join(t.dir, 'doomed.sgsc'), doomed);
      const dataDir = path.join(t.dir, 'data');
      const child = spawnSync(
        process.execPath,
        ['--import', 'tsx', path.join(here, 'crash-child.ts'), dataDir, path.join(t.dir, 'acked.glb'), path.join(t.dir, 'doomed.sgsc')],
        { cwd: root, encoding: 'utf8', timeout: 60_000 },
      );
      expect(child.signal, child.stderr).toBe('SIGKILL');
      const lines = child.stdout.trim().split('\n').map((l) => JSON.parse(l));
      const receipt = lines[0].acked as { id: string; code: string; token: string };
      const orphanId = lines[1].crashingAfterBlob as string;
      expect(orphanId).not.toBe(receipt.id);

      // The crash left the doomed blob on disk, complete, with no row.
      const blobDir = path.join(dataDir, BLOB_DIR);
      expect((await readdir(blobDir)).filter((n) => n !== 'tmp').sort()).toEqual([receipt.id, orphanId].sort());

      // Visible to nobody even while it is still on disk (young orphans wait out the grace period).
      const early = await openSqliteSceneStore({ config: testConfig(dataDir), report: () => {} });
      expect(early.recovery.orphanBlobs).toBe(0);
      expect((await early.store.list(receipt.token)).map((s) => s.id)).toEqual([receipt.id]);
      await early.store.close();
      expect((await readdir(blobDir)).filter((n) => n !== 'tmp')).toHaveLength(2);

      const reports: string[] = [];
      const { store, recovery } = await openSqliteSceneStore({ config: testConfig(dataDir, { orphanGraceMs: 0 }), report: (m) => reports.push(m) });
      try {
        expect(recovery.orphanBlobs).toBe(1);
        expect(recovery.missingBlobs).toEqual([]);
        expect(reports.join('\n')).toMatch(/1 orphan blob/);
        expect((await readdir(blobDir)).filter((n) => n !== 'tmp')).toEqual([receipt.id]);
        const list = await store.list(receipt.token);
        expect(list.map((s) => s.id)).toEqual([receipt.id]);
        const f = await store.get(receipt.code, receipt.token);
        expect(await readAll(f!.body)).toEqual(acked);
      } finally {
        await store.close();
      }
    } finally {
      await t.cleanup();
    }
  });
});
