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
  /** Uploads processed at once; more get 503 (each holds up to maxUploadBytes in memory). */
  maxConcurrentUploads: number;
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
    maxConcurrentUploads: 4,
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
} as const;

function positiveInt(name: string, raw: string): number {
  if (!/^[0-9]{1,15}$/.test(raw.trim())) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  const v = Number(raw.trim());
  if (!Number.isSafeInteger(v) || v <= 0) throw new Error(`${name} must be a positive integer, got "${raw}"`);
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
  return cfg;
}

export function checkShareConfig(cfg: ShareConfig): void {
  if (typeof cfg.dataDir !== 'string' || !path.isAbsolute(cfg.dataDir)) throw new Error(`ShareConfig.dataDir must be an absolute path, got "${cfg.dataDir}"`);
  for (const k of ['maxUploadBytes', 'ttlMs', 'maxConcurrentUploads'] as const)
    if (!Number.isSafeInteger(cfg[k]) || cfg[k] <= 0) throw new Error(`ShareConfig.${k} must be a positive integer, got ${cfg[k]}`);
  for (const k of ['sweepIntervalMs', 'orphanGraceMs'] as const)
    if (!Number.isSafeInteger(cfg[k]) || cfg[k] < 0) throw new Error(`ShareConfig.${k} must be a non-negative integer, got ${cfg[k]}`);
}
