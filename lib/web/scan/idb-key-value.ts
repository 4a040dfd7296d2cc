/**
 * KeyValueStore (lib/capture/keyframe-store.ts) over IndexedDB: one database, one object store of
 * Uint8Array values keyed by string. QuotaExceededError (from the request or the transaction) becomes
 * StorageQuotaError so the page can say the storage is full instead of losing keyframes silently.
 */
import { StorageQuotaError, type KeyValueStore } from '../../capture/keyframe-store';

const STORE = 'kv';

function isQuota(e: unknown): boolean {
  const name = (e as { name?: string } | null)?.name;
  return name === 'QuotaExceededError' || name === 'NS_ERROR_DOM_QUOTA_REACHED';
}

function wrap(e: unknown, what: string): Error {
  if (isQuota(e)) return new StorageQuotaError(`IndexedDB quota exceeded while ${what}`);
  return e instanceof Error ? e : new Error(`IndexedDB failed while ${what}: ${String((e as { message?: string })?.message ?? e)}`);
}

export function openIdbKeyValue(dbName = 'segsplat-scan'): Promise<KeyValueStore> {
  if (typeof indexedDB === 'undefined') return Promise.reject(new Error('this browser has no IndexedDB: keyframes cannot be kept across reloads'));
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(dbName, 1);
    req.onupgradeneeded = () => {
      if (!req.result.objectStoreNames.contains(STORE)) req.result.createObjectStore(STORE);
    };
    req.onerror = () => reject(wrap(req.error, 'opening the database'));
    req.onsuccess = () => resolve(idbStore(req.result));
  });
}

function idbStore(db: IDBDatabase): KeyValueStore {
  const run = <T>(mode: IDBTransactionMode, what: string, op: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> =>
    new Promise((resolve, reject) => {
      let tx: IDBTransaction;
      try {
        tx = db.transaction(STORE, mode);
      } catch (e) {
        reject(wrap(e, what));
        return;
      }
      let result: T;
      let req: IDBRequest<T>;
      try {
        req = op(tx.objectStore(STORE));
      } catch (e) {
        reject(wrap(e, what));
        return;
      }
      req.onsuccess = () => (result = req.result);
      // Quota errors can surface on the request or only when the transaction commits.
      tx.oncomplete = () => resolve(result);
      tx.onerror = () => reject(wrap(tx.error ?? req.error, what));
      tx.onabort = () => reject(wrap(tx.error ?? req.error, what));
    });
  return {
    async get(key) {
      const v = await run('readonly', `reading ${key}`, (s) => s.get(key) as IDBRequest<Uint8Array | undefined>);
      return v instanceof Uint8Array ? v : v ? new Uint8Array(v as ArrayBuffer) : undefined;
    },
    async put(key, value) {
      await run('readwrite', `writing ${key} (${value.byteLength} bytes)`, (s) => s.put(value, key));
    },
    async delete(key) {
      await run('readwrite', `deleting ${key}`, (s) => s.delete(key));
    },
    async keys(prefix) {
      const range = IDBKeyRange.bound(prefix, prefix + '\uffff');
      const keys = await run('readonly', `listing ${prefix}`, (s) => s.getAllKeys(range));
      return keys.map(String).sort();
    },
  };
}
