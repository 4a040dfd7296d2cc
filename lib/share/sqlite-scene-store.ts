/**
 * SceneStore with metadata in SQLite (better-sqlite3, WAL, synchronous=FULL) and bytes in a
 * BlobStore (files by default; an S3-compatible store can replace it).
 *
 * Crash safety rests on one ordering (argued in full in docs/SHARING.md):
 * - create: blob put (atomic + durable) -> row INSERT committed -> 201. A crash before the commit
 *   leaves at most a blob with no row: invisible (every read goes through a row) and removed by
 *   the next sweep; nothing acknowledged is lost because the 201 comes after both are durable.
 * - delete and expiry: row DELETE committed -> blob delete. A crash in between again leaves only
 *   an orphan blob.
 * So the one inconsistency a crash can produce is "blob without row", which the sweep at open
 * repairs. "Row without blob" can only come from outside interference (a lost file, a disk
 * restored from backup); it is reported and the row removed.
 */
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, statfs } from 'node:fs/promises';
import path from 'node:path';
import { Admission, type AdmissionStats } from './admission';
import { openFileBlobStore, type BlobStore, type ByteRange, type FileBlobStore } from './blob-store';
import { checkDeclaredLength } from './bounded-body';
import { checkShareConfig, type ShareConfig } from './share-config';
import { ShareError } from './share-error';
import { hashToken, isToken, newCode, newSceneId, newToken, normaliseCode, tokenMatches, type RandomBytes } from './share-ids';
import { isSharedSceneFormat, validateSceneFile } from './scene-validation';
import { spoolFileName, spoolUpload } from './upload-spool';
import type { SceneReceipt, SceneStore, SceneUpload, SharedSceneFile, SharedSceneInfo, SweepReport } from './scene-store';

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

/** Fault injection for tests: each hook runs at the named point and may throw or never return. */
export interface SceneStoreHooks {
  /** After the blob is durably stored, before its metadata row is inserted. */
  afterBlobPut?(id: string): void | Promise<void>;
}

export interface SqliteSceneStoreOptions {
  config: ShareConfig;
  clock?: Clock;
  random?: RandomBytes;
  hooks?: SceneStoreHooks;
  /** Where repairs and anomalies are reported (default console.warn). */
  report?: (message: string) => void;
  /** Blob storage (default: files under `<dataDir>/blobs`). */
  blobs?: BlobStore;
}

export const DB_FILE = 'scenes.sqlite';
export const BLOB_DIR = 'blobs';
const SCHEMA_VERSION = 1;
const CODE_ATTEMPTS = 16;
// Compared against when a code is unknown, so a miss costs the same hash-and-compare as a hit.
const DUMMY_HASH = hashToken('0'.repeat(43));

interface SceneRow {
  id: string;
  code: string;
  token_hash: Buffer;
  format: string;
  bytes: number;
  gaussians: number;
  sha256: string;
  created_at: number;
  expires_at: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS scenes (
  id         TEXT    PRIMARY KEY CHECK (length(id) = 32),
  code       TEXT    NOT NULL UNIQUE CHECK (length(code) = 6),
  token_hash BLOB    NOT NULL CHECK (length(token_hash) = 32),
  format     TEXT    NOT NULL CHECK (format IN ('glb', 'compact')),
  bytes      INTEGER NOT NULL CHECK (bytes > 0),
  gaussians  INTEGER NOT NULL CHECK (gaussians >= 0),
  sha256     TEXT    NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS scenes_by_token ON scenes (token_hash, created_at);
CREATE INDEX IF NOT EXISTS scenes_by_expiry ON scenes (expires_at);
`;

function toInfo(r: SceneRow): SharedSceneInfo {
  if (!isSharedSceneFormat(r.format)) throw new Error(`scene ${r.id}: unknown stored format "${r.format}"`);
  return { id: r.id, code: r.code, format: r.format, bytes: r.bytes, gaussians: r.gaussians, sha256: r.sha256, createdAt: r.created_at, expiresAt: r.expires_at };
}

function isCodeCollision(e: unknown): boolean {
  const err = e as { code?: string; message?: string };
  return err?.code === 'SQLITE_CONSTRAINT_UNIQUE' && typeof err.message === 'string' && err.message.includes('scenes.code');
}

export class SqliteSceneStore implements SceneStore {
  private readonly clock: Clock;
  private readonly random: RandomBytes;
  private readonly hooks: SceneStoreHooks;
  private readonly report: (message: string) => void;
  /** Ids between blob put and row insert: never orphans, whatever a concurrent sweep sees. */
  private readonly inFlight = new Set<string>();
  /** This process's spool files being written or validated: never stale, whatever their mtime. */
  private readonly liveSpools = new Set<string>();
  /** Uploads: running set + bounded queue by a byte budget (admission.ts). */
  readonly admission: Admission;
  /** Whole-file decodes for validation, by bytes. */
  private readonly decodeGate: Admission;
  private freeDisk = { bytes: Infinity, at: -Infinity, pending: null as Promise<void> | null };
  private closed = false;
  private lastSweep: number;
  private sweepChain: Promise<unknown> = Promise.resolve();
  private readonly q: {
    byCode: Database.Statement<[string, number], SceneRow>;
    byToken: Database.Statement<[Buffer, number], SceneRow>;
    exists: Database.Statement<[string], { one: number }>;
    insert: Database.Statement<[string, string, Buffer, string, number, number, string, number, number]>;
    deleteById: Database.Statement<[string]>;
    deleteExpired: Database.Statement<[number], { id: string }>;
    all: Database.Statement<[], { id: string; bytes: number }>;
  };

  /** Use openSqliteSceneStore: it also runs the recovery sweep. */
  constructor(
    readonly config: ShareConfig,
    private readonly db: Database.Database,
    readonly blobs: BlobStore,
    opts: Omit<SqliteSceneStoreOptions, 'config' | 'blobs'>,
  ) {
    this.clock = opts.clock ?? Date;
    this.random = opts.random ?? randomBytes;
    this.hooks = opts.hooks ?? {};
    this.report = opts.report ?? ((m) => console.warn(`[share] ${m}`));
    this.lastSweep = this.clock.now();
    const c = config;
    this.admission = new Admission({
      maxRunning: c.maxConcurrentUploads,
      maxBytes: c.maxInFlightBytes,
      maxQueued: c.maxQueuedUploads,
      waitMs: c.queueWaitMs,
      retryAfterS: c.retryAfterS,
      fits: (bytes, held) => this.freeDisk.bytes - held - bytes >= c.minFreeDiskBytes,
      noRoomMessage: (bytes) => `the server's disk has ${Math.max(0, this.freeDisk.bytes)} bytes free; an upload of ${bytes} bytes would leave less than the ${c.minFreeDiskBytes} kept free`,
    });
    this.decodeGate = new Admission({ maxRunning: 1 << 20, maxBytes: c.decodeBudgetBytes, maxQueued: 1 << 20, waitMs: 60_000, retryAfterS: c.retryAfterS });
    this.q = {
      byCode: db.prepare('SELECT * FROM scenes WHERE code = ? AND expires_at > ?'),
      byToken: db.prepare('SELECT * FROM scenes WHERE token_hash = ? AND expires_at > ? ORDER BY created_at DESC, id'),
      exists: db.prepare('SELECT 1 AS one FROM scenes WHERE id = ?'),
      insert: db.prepare(
        'INSERT INTO scenes (id, code, token_hash, format, bytes, gaussians, sha256, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      deleteById: db.prepare('DELETE FROM scenes WHERE id = ?'),
      deleteExpired: db.prepare('DELETE FROM scenes WHERE expires_at <= ? RETURNING id'),
      all: db.prepare('SELECT id, bytes FROM scenes'),
    };
  }

  private checkOpen(): void {
    if (this.closed) throw new Error('scene store is closed');
  }

  /** Running and queued uploads and their reserved bytes (bench, tests). */
  uploadStats(): AdmissionStats {
    return this.admission.stats();
  }

  /** Free space of the data directory's file system, re-read at most once a second. */
  private async refreshFreeDisk(): Promise<void> {
    const now = Date.now();
    if (now - this.freeDisk.at < 1000) return;
    this.freeDisk.pending ??= statfs(this.config.dataDir).then(
      (st) => {
        this.freeDisk = { bytes: st.bavail * st.bsize, at: Date.now(), pending: null };
        this.admission.pump();
      },
      () => {
        this.freeDisk = { ...this.freeDisk, at: Date.now(), pending: null };
      },
    );
    await this.freeDisk.pending;
  }

  private get spoolDir(): string {
    return path.join(this.config.dataDir, BLOB_DIR, 'tmp');
  }

  async create(upload: SceneUpload): Promise<SceneReceipt> {
    this.checkOpen();
    const max = this.config.maxUploadBytes;
    const declared = upload.declaredLength ?? null;
    checkDeclaredLength(declared, max);
    if (upload.token !== undefined && upload.token !== null && !isToken(upload.token))
      throw new ShareError('unauthorized', 'malformed bearer token (expected 43 base64url characters)');
    await this.refreshFreeDisk();
    // Reserve what this upload may write: its declared length, or the limit when it declares none.
    const reserve = upload.body instanceof Uint8Array ? upload.body.byteLength : (declared ?? max);
    const slot = await this.admission.acquire(Math.max(1, reserve), upload.signal);
    try {
      this.checkOpen();
      const file = spoolFileName(this.spoolDir);
      this.liveSpools.add(file);
      let spooled;
      try {
        spooled = await spoolUpload(upload.body, file, max, declared);
      } catch (e) {
        this.liveSpools.delete(file);
        throw e;
      }
      let adopted = false;
      try {
        const scene = await validateSceneFile(spooled.file, spooled.size, { maxBytes: max, fullParseBytes: this.config.fullParseBytes, decodeGate: this.decodeGate });
        this.checkOpen();
        const { sha256, size } = spooled;
        const token = upload.token ?? newToken(this.random);
        const id = newSceneId(this.random);
        this.inFlight.add(id);
        try {
          if (this.blobs.adopt) await this.blobs.adopt(id, spooled.file);
          else await this.blobs.put(id, new Uint8Array(await readFile(spooled.file)));
          adopted = true;
          await this.hooks.afterBlobPut?.(id);
        this.checkOpen();
        const createdAt = this.clock.now();
        const expiresAt = createdAt + this.config.ttlMs;
          const code = this.insertWithFreshCode((code) => [id, code, hashToken(token), scene.format, size, scene.gaussians, sha256, createdAt, expiresAt]);
          this.maybeSweep();
          return { id, code, token, expiresAt };
        } catch (e) {
          // An ordinary failure cleans up after itself; only a real crash leaves the orphan for the sweep.
          if (adopted) await this.blobs.delete(id).catch((de) => this.report(`could not remove blob ${id} after a failed upload: ${(de as Error).message}`));
          throw e;
        } finally {
          this.inFlight.delete(id);
        }
      } finally {
        if (!adopted) await spooled.discard();
        this.liveSpools.delete(file);
      }
    } finally {
      slot.release();
    }
  }

  private insertWithFreshCode(row: (code: string) => [string, string, Buffer, string, number, number, string, number, number]): string {
    const insert = this.db.transaction((values: ReturnType<typeof row>) => this.q.insert.run(...values));
    for (let attempt = 0; attempt < CODE_ATTEMPTS; attempt++) {
      const code = newCode(this.random);
      try {
        insert(row(code));
        return code;
      } catch (e) {
        if (!isCodeCollision(e)) throw e;
      }
    }
    throw new Error(`no free share code after ${CODE_ATTEMPTS} attempts: the code space is crowded or the random source is broken`);
  }

  /** The live row for (code, token) or null, comparing the token in constant time. */
  private findOwned(code: string, token: string): SceneRow | null {
    const c = normaliseCode(code);
    if (c === null || !isToken(token)) return null;
    const row = this.q.byCode.get(c, this.clock.now());
    if (!row) {
      tokenMatches(token, DUMMY_HASH);
      return null;
    }
    return tokenMatches(token, row.token_hash) ? row : null;
  }

  async head(code: string, token: string): Promise<SharedSceneInfo | null> {
    this.checkOpen();
    const row = this.findOwned(code, token);
    return row ? toInfo(row) : null;
  }

  async get(code: string, token: string, range: ((size: number) => ByteRange | null) | null = null): Promise<SharedSceneFile | null> {
    this.checkOpen();
    const row = this.findOwned(code, token);
    if (!row) return null;
    // The range is resolved against the row's size; the blob is checked to have exactly that size.
    const r = range?.(row.bytes) ?? null;
    const blob = await this.blobs.get(row.id, r);
    if (blob && blob.size === row.bytes) return { info: toInfo(row), size: blob.size, body: blob.body, range: r };
    if (blob) await blob.body.cancel().catch(() => {});
    await this.dropBrokenRow(row.id, blob ? `blob is ${blob.size} bytes, row says ${row.bytes}` : 'blob is missing');
    return null;
  }

  async list(token: string): Promise<SharedSceneInfo[]> {
    this.checkOpen();
    if (!isToken(token)) return [];
    const rows = this.q.byToken.all(hashToken(token), this.clock.now());
    this.maybeSweep();
    return rows.map(toInfo);
  }

  async delete(code: string, token: string): Promise<boolean> {
    this.checkOpen();
    const row = this.findOwned(code, token);
    if (!row) return false;
    // Row first: once it is gone the scene is unreachable, and a crash now leaves only an orphan blob.
    this.db.transaction(() => this.q.deleteById.run(row.id))();
    await this.blobs.delete(row.id);
    return true;
  }

  private async dropBrokenRow(id: string, why: string): Promise<void> {
    // Only if the row still exists: a concurrent delete removes the row before the blob.
    if (!this.q.exists.get(id)) return;
    this.report(`scene ${id}: ${why}; removing its metadata row`);
    this.db.transaction(() => this.q.deleteById.run(id))();
    await this.blobs.delete(id).catch(() => false);
  }

  /** Starts a background sweep when sweepIntervalMs has passed since the last one. */
  private maybeSweep(): void {
    if (this.closed || this.clock.now() - this.lastSweep < this.config.sweepIntervalMs) return;
    this.lastSweep = this.clock.now();
    this.sweep().catch((e) => this.report(`background sweep failed: ${(e as Error).message}`));
  }

  sweep(): Promise<SweepReport> {
    this.checkOpen();
    const run = this.sweepChain.then(() => this.sweepNow(0));
    this.sweepChain = run.catch(() => {});
    return run;
  }

  /** Sweep at open, which also counts temp files removed by the blob store. */
  async recover(tempFiles: number): Promise<SweepReport> {
    const run = this.sweepChain.then(() => this.sweepNow(tempFiles));
    this.sweepChain = run.catch(() => {});
    return run;
  }

  private async sweepNow(tempFiles: number): Promise<SweepReport> {
    const now = this.clock.now();
    this.lastSweep = now;
    const report: SweepReport = { expired: 0, orphanBlobs: 0, missingBlobs: [], tempFiles };
    if (this.closed) return report;

    const expired = this.db.transaction(() => this.q.deleteExpired.all(now))();
    for (const { id } of expired) await this.blobs.delete(id);
    report.expired = expired.length;

    // Rows before blobs: a row's blob is put before the row exists and deleted only after the row
    // is gone, so a row still present after the listing whose blob the listing lacks is truly missing.
    const rows = this.q.all.all();
    const blobs = await this.blobs.list();
    if (this.closed) return report;
    const blobById = new Map(blobs.map((b) => [b.id, b]));
    for (const r of rows) {
      const b = blobById.get(r.id);
      if (b && b.size === r.bytes) continue;
      if (!this.q.exists.get(r.id)) continue;
      report.missingBlobs.push(r.id);
      await this.dropBrokenRow(r.id, b ? `blob is ${b.size} bytes, row says ${r.bytes}` : 'blob is missing');
    }
    for (const b of blobs) {
      if (this.inFlight.has(b.id) || this.q.exists.get(b.id)) continue;
      if (now - b.mtimeMs < this.config.orphanGraceMs) continue;
      if (await this.blobs.delete(b.id)) report.orphanBlobs++;
    }
    // Spool files of uploads that died (crash, or another process's crash): untouched for the grace period.
    if (tempFiles === 0 && 'removeTempFiles' in this.blobs)
      report.tempFiles = await (this.blobs as FileBlobStore).removeTempFiles(Math.max(1, this.config.orphanGraceMs), Date.now(), this.liveSpools);
    if (report.orphanBlobs || report.tempFiles)
      this.report(`removed ${report.orphanBlobs} orphan blob(s) and ${report.tempFiles} temp file(s) left by interrupted uploads`);
    return report;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.admission.drain(new ShareError('busy', 'the server is shutting down; retry shortly', this.config.retryAfterS));
    await this.sweepChain;
    this.db.close();
  }
}

/** Opens (creating on first use) the data directory, database and blob store, then repairs. */
export async function openSqliteSceneStore(opts: SqliteSceneStoreOptions): Promise<{ store: SqliteSceneStore; recovery: SweepReport }> {
  const config = { ...opts.config };
  checkShareConfig(config);
  await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
  let blobs = opts.blobs;
  let tempFiles = 0;
  if (!blobs) {
    // Only stale temp files: another process on this data directory may be spooling into a young one.
    const opened = await openFileBlobStore(path.join(config.dataDir, BLOB_DIR), config.orphanGraceMs);
    blobs = opened.store;
    tempFiles = opened.removedTempFiles;
  }
  await mkdir(path.join(config.dataDir, BLOB_DIR, 'tmp'), { recursive: true, mode: 0o700 }); // the upload spool
  const db = await openDatabase(path.join(config.dataDir, DB_FILE));
  const store = new SqliteSceneStore(config, db, blobs, opts);
  const recovery = await store.recover(tempFiles);
  return { store, recovery };
}

/**
 * Opens the metadata database in WAL mode with the schema in place. Two processes opening one data
 * directory at once race for the switch to WAL and the schema write; SQLite answers the loser with
 * SQLITE_BUSY without calling the busy handler (it would deadlock), so the open is retried briefly.
 */
async function openDatabase(file: string): Promise<Database.Database> {
  for (let attempt = 1; ; attempt++) {
    const db = new Database(file, { timeout: 5000 });
    try {
      db.pragma('busy_timeout = 5000');
      db.pragma('journal_mode = WAL');
      // FULL: a commit is on disk when INSERT returns, so a 201 never outlives a power cut.
      db.pragma('synchronous = FULL');
      const version = db.pragma('user_version', { simple: true }) as number;
      if (version > SCHEMA_VERSION) throw new Error(`${DB_FILE} has schema version ${version}; this build knows ${SCHEMA_VERSION}`);
      db.exec(SCHEMA);
      db.pragma(`user_version = ${SCHEMA_VERSION}`);
      return db;
    } catch (e) {
      db.close();
      const code = (e as { code?: unknown }).code;
      const busy = typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
      if (!busy || attempt >= 40) throw e;
      await new Promise((r) => setTimeout(r, 25 + Math.random() * 75));
    }
  }
}
