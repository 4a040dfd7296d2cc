/**
 * The scene-sharing store as route handlers see it. A phone uploads a scene and gets back a code
 * (to type on the headset) and a token (the secret that grants access); the headset fetches by
 * code + token. Every "not there" answer (unknown code, wrong token, expired, deleted) is the same
 * `null`/`false`, so a caller cannot probe which codes exist.
 */
import type { ByteRange } from './blob-store';
import type { SharedSceneFormat } from './scene-validation';

export interface SceneUpload {
  /** The request body; read with a hard size limit, never buffered beyond it. */
  body: ReadableStream<Uint8Array> | Uint8Array | null;
  /** Declared length (Content-Length) for an early 413, or null when absent. */
  declaredLength?: number | null;
  /**
   * An existing bearer token to file the scene under (so one phone's uploads list together);
   * a fresh token is generated when absent.
   */
  token?: string | null;
  /** Aborts a wait in the upload queue (the client went away). */
  signal?: AbortSignal | null;
}

export interface SceneReceipt {
  id: string;
  code: string;
  token: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
}

export interface SharedSceneInfo {
  id: string;
  code: string;
  format: SharedSceneFormat;
  bytes: number;
  gaussians: number;
  /** SHA-256 of the stored bytes, hex. */
  sha256: string;
  createdAt: number;
  expiresAt: number;
}

export interface SharedSceneFile {
  info: SharedSceneInfo;
  /** The whole file's size. */
  size: number;
  /** The bytes: the whole file, or only `range` when one was asked for. */
  body: ReadableStream<Uint8Array>;
  range: ByteRange | null;
}

export interface SweepReport {
  /** Rows past their expiry removed (with their blobs). */
  expired: number;
  /** Blobs with no metadata row (a crash between blob write and row insert) removed. */
  orphanBlobs: number;
  /** Rows whose blob was missing or of the wrong size, reported and removed. */
  missingBlobs: string[];
  /** Temp files of interrupted blob writes removed (at open only). */
  tempFiles: number;
}

export interface SceneStore {
  /** Streams, validates and stores a scene; throws ShareError (413, 400, 503, 507) when refused. */
  create(upload: SceneUpload): Promise<SceneReceipt>;
  /**
   * The scene for this code and token, or null (unknown, wrong token, expired). `range` maps the
   * file's size to the byte range to send (HTTP Range), or null for the whole file.
   */
  get(code: string, token: string, range?: ((size: number) => ByteRange | null) | null): Promise<SharedSceneFile | null>;
  /** Metadata only, without opening the file (HEAD). */
  head(code: string, token: string): Promise<SharedSceneInfo | null>;
  /** This token's live scenes, newest first. */
  list(token: string): Promise<SharedSceneInfo[]>;
  /** true when the scene existed for this token and is now gone. */
  delete(code: string, token: string): Promise<boolean>;
  /** Removes expired scenes and orphan blobs; also runs at open and every sweepIntervalMs. */
  sweep(): Promise<SweepReport>;
  close(): Promise<void>;
}
