/**
 * Where scene bytes live, behind an interface small enough for an S3-compatible bucket to
 * implement (put = PutObject, get = GetObject, delete = DeleteObject, list = ListObjectsV2).
 *
 * Contract every implementation keeps, because the crash-safety argument of SqliteSceneStore
 * rests on it: `put` is atomic and durable (when it resolves the whole blob is stored and
 * survives a crash; before that, `get` and `list` see nothing of it), and ids are validated by
 * the store (SCENE_ID_RE) before they reach a file name or a key.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { isSceneId } from './share-ids';

export interface BlobInfo {
  id: string;
  size: number;
  /** Last modification, milliseconds since the epoch (filesystem clock). */
  mtimeMs: number;
}

export interface BlobReadable {
  size: number;
  /** The bytes; cancelling the stream releases the underlying file or connection. */
  body: ReadableStream<Uint8Array>;
}

/** Inclusive byte range of a blob (HTTP Range semantics, already checked against the size). */
export interface ByteRange {
  start: number;
  end: number;
}

export interface BlobStore {
  put(id: string, data: Uint8Array | ReadableStream<Uint8Array>): Promise<{ size: number }>;
  /**
   * Makes a complete, fsynced local file (an upload spooled on the same file system) the blob `id`,
   * atomically and durably, consuming the file. Optional: stores without it get `put` of the file's bytes.
   */
  adopt?(id: string, file: string): Promise<{ size: number }>;
  /** null when no such blob exists; `range` limits the body to those bytes (size stays the whole blob's). */
  get(id: string, range?: ByteRange | null): Promise<BlobReadable | null>;
  /** true when a blob was removed, false when there was none. */
  delete(id: string): Promise<boolean>;
  /** Every complete blob (for crash recovery: orphans and missing blobs). */
  list(): Promise<BlobInfo[]>;
}

function checkId(id: string): void {
  // The only gate between a string and a path: ids are generated, but check again right here.
  if (!isSceneId(id)) throw new Error(`blob store: invalid blob id ${JSON.stringify(String(id).slice(0, 80))} (expected 32 hex characters)`);
}

const READ_CHUNK = 1 << 20;

/**
 * Blobs as files `<dir>/<id>`, written through `<dir>/tmp/` with temp file + fsync + rename +
 * directory fsync. Temp files left by a crash are removed by `openFileBlobStore`.
 */
export class FileBlobStore implements BlobStore {
  readonly tmpDir: string;

  constructor(readonly dir: string) {
    if (!path.isAbsolute(dir)) throw new Error(`FileBlobStore: directory must be absolute, got "${dir}"`);
    this.tmpDir = path.join(dir, 'tmp');
  }

  private file(id: string): string {
    checkId(id);
    return path.join(this.dir, id);
  }

  async put(id: string, data: Uint8Array | ReadableStream<Uint8Array>): Promise<{ size: number }> {
    const final = this.file(id);
    const tmp = path.join(this.tmpDir, `${id}.${randomBytes(6).toString('hex')}`);
    let fh: FileHandle | null = await open(tmp, 'wx', 0o600);
    let size = 0;
    try {
      if (data instanceof Uint8Array) {
        await writeAll(fh, data);
        size = data.byteLength;
      } else {
        const reader = data.getReader();
        try {
          for (;;) {
            const { done, value } = await reader.read();
            if (done) break;
            await writeAll(fh, value);
            size += value.byteLength;
          }
        } finally {
          reader.releaseLock();
        }
      }
      await fh.sync();
      await fh.close();
      fh = null;
      // Ids are fresh 128-bit randoms, so the target cannot exist; rename is atomic on POSIX.
      await rename(tmp, final);
      await fsyncDir(this.dir);
      return { size };
    } catch (e) {
      if (fh) await fh.close().catch(() => {});
      await rm(tmp, { force: true }).catch(() => {});
      throw e;
    }
  }

  async adopt(id: string, file: string): Promise<{ size: number }> {
    const final = this.file(id);
    const { size } = await stat(file);
    // The spooled file is fsynced by its writer; the rename is atomic and the directory fsync makes it durable.
    await rename(file, final);
    await fsyncDir(this.dir);
    return { size };
  }

  async get(id: string, range: ByteRange | null = null): Promise<BlobReadable | null> {
    const file = this.file(id);
    let fh: FileHandle;
    try {
      fh = await open(file, 'r');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
    // Size from the open handle: a concurrent delete unlinks the name, not these bytes.
    let size: number;
    try {
      size = (await fh.stat()).size;
    } catch (e) {
      await fh.close().catch(() => {});
      throw e;
    }
    let pos = range ? range.start : 0;
    const stop = range ? Math.min(size, range.end + 1) : size;
    let closed = false;
    const close = async () => {
      if (!closed) {
        closed = true;
        await fh.close().catch(() => {});
      }
    };
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        try {
          const want = Math.min(READ_CHUNK, stop - pos);
          if (want <= 0) {
            await close();
            controller.close();
            return;
          }
          const buf = new Uint8Array(want);
          const { bytesRead } = await fh.read(buf, 0, want, pos);
          if (bytesRead === 0) throw new Error(`blob ${id} shrank while being read (${pos} of ${size} bytes)`);
          pos += bytesRead;
          controller.enqueue(bytesRead === want ? buf : buf.subarray(0, bytesRead));
        } catch (e) {
          await close();
          controller.error(e);
        }
      },
      cancel: close,
    });
    return { size, body };
  }

  async delete(id: string): Promise<boolean> {
    const file = this.file(id);
    try {
      await rm(file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw e;
    }
    await fsyncDir(this.dir);
    return true;
  }

  async list(): Promise<BlobInfo[]> {
    const out: BlobInfo[] = [];
    for (const name of await readdir(this.dir)) {
      if (!isSceneId(name)) continue;
      try {
        const st = await stat(path.join(this.dir, name));
        if (st.isFile()) out.push({ id: name, size: st.size, mtimeMs: st.mtimeMs });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e; // deleted meanwhile
      }
    }
    return out;
  }

  /**
   * Removes temp files of writes that never finished; returns how many. Only files untouched for
   * `olderThanMs` go (a spooling upload writes its file continuously): another process sharing the
   * data directory may be streaming into a younger one. `skip` names this process's own live files.
   */
  async removeTempFiles(olderThanMs = 0, now = Date.now(), skip: ReadonlySet<string> = new Set()): Promise<number> {
    let n = 0;
    for (const name of await readdir(this.tmpDir)) {
      const p = path.join(this.tmpDir, name);
      if (skip.has(p)) continue;
      if (olderThanMs > 0) {
        try {
          if (now - (await stat(p)).mtimeMs < olderThanMs) continue;
        } catch {
          continue; // renamed or removed meanwhile
        }
      }
      await rm(p, { force: true, recursive: true });
      n++;
    }
    return n;
  }
}

/** Creates the directories if needed and clears temp files of interrupted writes. */
export async function openFileBlobStore(dir: string, tempGraceMs = 0): Promise<{ store: FileBlobStore; removedTempFiles: number }> {
  const store = new FileBlobStore(dir);
  await mkdir(store.tmpDir, { recursive: true, mode: 0o700 });
  const removedTempFiles = await store.removeTempFiles(tempGraceMs);
  return { store, removedTempFiles };
}

async function writeAll(fh: FileHandle, data: Uint8Array): Promise<void> {
  let off = 0;
  while (off < data.byteLength) {
    const { bytesWritten } = await fh.write(data, off, data.byteLength - off);
    off += bytesWritten;
  }
}

/** Makes a rename or unlink in `dir` durable (the directory entry, not just the file data). */
async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
