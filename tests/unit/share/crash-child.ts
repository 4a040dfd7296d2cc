/**
 * Child process for crash.test.ts: opens a store in argv[2], acknowledges the upload of the file
 * argv[3] (prints its receipt), then uploads argv[4] and SIGKILLs itself right after the blob is
 * durable and before its metadata row exists: the window the crash-safety argument is about.
 */
import { readFileSync } from 'node:fs';
import { defaultShareConfig } from '../../../lib/share/share-config';
import { openSqliteSceneStore } from '../../../lib/share/sqlite-scene-store';

const [dir, ackedFile, crashFile] = process.argv.slice(2);
let armed = false;
const { store } = await openSqliteSceneStore({
  config: { ...defaultShareConfig(), dataDir: dir },
  hooks: {
    afterBlobPut(id) {
      if (!armed) return;
      // Never resolves: the process dies here, no cleanup code runs.
      return new Promise<void>(() => {
        process.stdout.write(`${JSON.stringify({ crashingAfterBlob: id })}\n`, () => process.kill(process.pid, 'SIGKILL'));
      });
    },
  },
});
const acked = await store.create({ body: new Uint8Array(readFileSync(ackedFile)) });
process.stdout.write(`${JSON.stringify({ acked })}\n`);
armed = true;
await store.create({ body: new Uint8Array(readFileSync(crashFile)) });
process.stdout.write('not reached\n');
