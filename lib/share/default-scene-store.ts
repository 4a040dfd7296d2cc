/**
 * The process-wide SceneStore the route handlers use, configured from the environment
 * (SEGSPLAT_DATA_DIR and friends, see share-config.ts). Kept on globalThis so Next.js dev-mode
 * module reloading does not open a second database handle on the same file.
 */
import { shareConfigFromEnv } from './share-config';
import { openSqliteSceneStore } from './sqlite-scene-store';
import type { SceneStore } from './scene-store';

const KEY = Symbol.for('segsplat-xr.share.defaultSceneStore');

type Holder = { [KEY]?: Promise<SceneStore> };

export function getSceneStore(): Promise<SceneStore> {
  const g = globalThis as Holder;
  let p = g[KEY];
  if (!p) {
    p = openSqliteSceneStore({ config: shareConfigFromEnv(process.env) }).then((r) => r.store);
    // A failed open (bad env value, unwritable directory) is retried on the next request, not cached.
    p.catch(() => {
      if (g[KEY] === p) delete g[KEY];
    });
    g[KEY] = p;
  }
  return p;
}

/** Closes and forgets the default store (tests, graceful shutdown). */
export async function closeSceneStore(): Promise<void> {
  const g = globalThis as Holder;
  const p = g[KEY];
  delete g[KEY];
  if (p) await (await p.catch(() => null))?.close();
}
