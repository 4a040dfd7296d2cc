/**
 * Configuration of scene sharing: where data lives, how large an upload may be, how long a code
 * lives. Defaults suit a single Next.js server; every value can be set by environment variable
 * (see docs/SHARING.md) and bad values fail loudly at store open, never silently fall back.
 */
import path from 'node:path';

export interface ShareConfig {
  /** Directory holding scenes.sqlite and blobs/ (created on first use). */
  dataDir: string;
  /** Largest accepted upload in bytes (default 200 MiB). */
  maxUploadBytes: number;
  /** Lifetime of a share code in milliseconds (default 7 days). */
  ttlMs: number;
  /** Uploads streaming at once (each holds a file handle and one network chunk, not the file). */
  maxConcurrentUploads: number;
  /** Uploads allowed to wait for a slot; one more gets 503 + Retry-After at once. 0 = no queue. */
  maxQueuedUploads: number;
  /** Longest wait for a slot in milliseconds before a 503 + Retry-After. */
  queueWaitMs: number;
  /**
   * Bytes uploads in progress may reserve in all (each reserves its Content-Length, or
   * maxUploadBytes when it sends none): the disk they may fill with temp files at once.
   */
  maxInFlightBytes: number;
  /** Uploads are not admitted when they would leave less free disk space than this. */
  minFreeDiskBytes: number;
  /** Files up to this size are decoded whole to validate them; larger ones are checked in chunks. */
  fullParseBytes: number;
  /** Bytes of files being decoded for validation at once (a decode holds several times the file). */
  decodeBudgetBytes: number;
  /** The Retry-After of a 503, seconds. */
  retryAfterS: number;
  /** Minimum time between background sweeps (expired codes, orphan blobs), in milliseconds. */
  sweepIntervalMs: number;
  /**
   * A blob without a metadata row is only deleted once it is this old (milliseconds): another
   * process sharing the data directory may be between its blob write and its row insert.
   */
  orphanGraceMs: number;
}

export const DEFAULT_MAX_UPLOAD_BYTES = 200 * 1024 * 1024;
export const DEFAULT_TTL_MS = 7 * 24 * 3600 * 1000;

export function defaultShareConfig(projectRoot: string = process.cwd()): ShareConfig {
  return {
    dataDir: path.join(projectRoot, 'data', 'share'),
    maxUploadBytes: DEFAULT_MAX_UPLOAD_BYTES,
    ttlMs: DEFAULT_TTL_MS,
    maxConcurrentUploads: 16,
    maxQueuedUploads: 64,
    queueWaitMs: 5000,
    maxInFlightBytes: 4 * 1024 * 1024 * 1024,
    minFreeDiskBytes: 1024 * 1024 * 1024,
    fullParseBytes: 32 * 1024 * 1024,
    decodeBudgetBytes: 64 * 1024 * 1024,
    retryAfterS: 2,
    sweepIntervalMs: 10 * 60 * 1000,
    orphanGraceMs: 60 * 1000,
  };
}

/** Environment variables read by shareConfigFromEnv, with the config field each sets. */
export const SHARE_ENV = {
  SEGSPLAT_DATA_DIR: 'dataDir',
  SEGSPLAT_SHARE_MAX_BYTES: 'maxUploadBytes',
  SEGSPLAT_SHARE_TTL_SECONDS: 'ttlMs',
  SEGSPLAT_SHARE_MAX_CONCURRENT_UPLOADS: 'maxConcurrentUploads',
  SEGSPLAT_SHARE_MAX_QUEUED_UPLOADS: 'maxQueuedUploads',
  SEGSPLAT_SHARE_QUEUE_WAIT_MS: 'queueWaitMs',
  SEGSPLAT_SHARE_MAX_INFLIGHT_BYTES: 'maxInFlightBytes',
  SEGSPLAT_SHARE_MIN_FREE_DISK_BYTES: 'minFreeDiskBytes',
} as const;

function positiveInt(name: string, raw: string, allowZero = false): number {
  const what = allowZero ? 'a non-negative integer' : 'a positive integer';
  if (!/^[0-9]{1,15}$/.test(raw.trim())) throw new Error(`${name} must be ${what}, got "${raw}"`);
  const v = Number(raw.trim());
  if (!Number.isSafeInteger(v) || v < (allowZero ? 0 : 1)) throw new Error(`${name} must be ${what}, got "${raw}"`);
  return v;
}

export function shareConfigFromEnv(env: Record<string, string | undefined> = process.env, projectRoot: string = process.cwd()): ShareConfig {
  const cfg = defaultShareConfig(projectRoot);
  const dir = env.SEGSPLAT_DATA_DIR;
  if (dir !== undefined && dir.trim() !== '') cfg.dataDir = path.resolve(projectRoot, dir.trim());
  if (env.SEGSPLAT_SHARE_MAX_BYTES) cfg.maxUploadBytes = positiveInt('SEGSPLAT_SHARE_MAX_BYTES', env.SEGSPLAT_SHARE_MAX_BYTES);
  if (env.SEGSPLAT_SHARE_TTL_SECONDS) cfg.ttlMs = positiveInt('SEGSPLAT_SHARE_TTL_SECONDS', env.SEGSPLAT_SHARE_TTL_SECONDS) * 1000;
  if (env.SEGSPLAT_SHARE_MAX_CONCURRENT_UPLOADS)
    cfg.maxConcurrentUploads = positiveInt('SEGSPLAT_SHARE_MAX_CONCURRENT_UPLOADS', env.SEGSPLAT_SHARE_MAX_CONCURRENT_UPLOADS);
  if (env.SEGSPLAT_SHARE_MAX_QUEUED_UPLOADS) cfg.maxQueuedUploads = positiveInt('SEGSPLAT_SHARE_MAX_QUEUED_UPLOADS', env.SEGSPLAT_SHARE_MAX_QUEUED_UPLOADS, true);
  if (env.SEGSPLAT_SHARE_QUEUE_WAIT_MS) cfg.queueWaitMs = positiveInt('SEGSPLAT_SHARE_QUEUE_WAIT_MS', env.SEGSPLAT_SHARE_QUEUE_WAIT_MS, true);
  if (env.SEGSPLAT_SHARE_MAX_INFLIGHT_BYTES) cfg.maxInFlightBytes = positiveInt('SEGSPLAT_SHARE_MAX_INFLIGHT_BYTES', env.SEGSPLAT_SHARE_MAX_INFLIGHT_BYTES);
  if (env.SEGSPLAT_SHARE_MIN_FREE_DISK_BYTES) cfg.minFreeDiskBytes = positiveInt('SEGSPLAT_SHARE_MIN_FREE_DISK_BYTES', env.SEGSPLAT_SHARE_MIN_FREE_DISK_BYTES, true);
  return cfg;
}

export function checkShareConfig(cfg: ShareConfig): void {
  if (cfg.maxInFlightBytes < cfg.maxUploadBytes)
    throw new Error(`ShareConfig.maxInFlightBytes (${cfg.maxInFlightBytes}) must be at least maxUploadBytes (${cfg.maxUploadBytes}): an upload without Content-Length reserves the limit`);
  if (cfg.fullParseBytes > cfg.decodeBudgetBytes) throw new Error(`ShareConfig.fullParseBytes (${cfg.fullParseBytes}) must not exceed decodeBudgetBytes (${cfg.decodeBudgetBytes})`);
  if (typeof cfg.dataDir !== 'string' || !path.isAbsolute(cfg.dataDir)) throw new Error(`ShareConfig.dataDir must be an absolute path, got "${cfg.dataDir}"`);
  for (const k of ['maxUploadBytes', 'ttlMs', 'maxConcurrentUploads', 'maxInFlightBytes', 'decodeBudgetBytes', 'retryAfterS'] as const)
    if (!Number.isSafeInteger(cfg[k]) || cfg[k] <= 0) throw new Error(`ShareConfig.${k} must be a positive integer, got ${cfg[k]}`);
  for (const k of ['sweepIntervalMs', 'orphanGraceMs', 'maxQueuedUploads', 'queueWaitMs', 'minFreeDiskBytes', 'fullParseBytes'] as const)
    if (!Number.isSafeInteger(cfg[k]) || cfg[k] < 0) throw new Error(`ShareConfig.${k} must be a non-negative integer, got ${cfg[k]}`);
}
