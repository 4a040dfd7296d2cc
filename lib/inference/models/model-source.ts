/**
 * Where model files come from: the browser's Cache Storage + network (./model-cache), a local folder for
 * Node scripts and tests (./node-model-source), or anything else with the same interface.
 * Also the shared integrity check (size, sha256 when the manifest knows them).
 */
import type { ProgressCallback } from '../runtime/model-session';
import type { ModelEntry, ModelFile } from './manifest';

export interface ModelSource {
  /** Bytes of one file of `entry`; throws ModelUnavailableError naming what to fetch and from where. */
  getFile(entry: ModelEntry, file: ModelFile, onProgress?: ProgressCallback): Promise<Uint8Array>;
}

/** A model file that is neither cached nor downloadable now. The app keeps working without that model. */
export class ModelUnavailableError extends Error {
  constructor(
    readonly modelId: string,
    readonly fileName: string,
    readonly url: string,
    readonly reason: string,
    hint = '',
  ) {
    super(`Model "${modelId}" file "${fileName}" is not available: ${reason}. Fetch it from ${url}${hint ? `; ${hint}` : ''}`);
    this.name = 'ModelUnavailableError';
  }
}

/** A file whose bytes do not match the manifest (truncated download, wrong revision). */
export class ModelIntegrityError extends Error {
  constructor(
    readonly modelId: string,
    readonly fileName: string,
    detail: string,
  ) {
    super(`Model "${modelId}" file "${fileName}" failed verification: ${detail}`);
    this.name = 'ModelIntegrityError';
  }
}

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const subtle = (globalThis as { crypto?: { subtle?: SubtleCrypto } }).crypto?.subtle;
  if (!subtle) throw new Error('sha256: WebCrypto (crypto.subtle) is not available here');
  const digest = await subtle.digest('SHA-256', bytes as unknown as ArrayBuffer);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Check size and (when known and `checkHash`) sha256 against the manifest. */
export async function verifyModelFile(entry: ModelEntry, file: ModelFile, bytes: Uint8Array, checkHash = true): Promise<void> {
  if (file.bytes !== null && bytes.byteLength !== file.bytes) {
    throw new ModelIntegrityError(entry.id, file.name, `size ${bytes.byteLength} bytes, expected ${file.bytes}`);
  }
  if (checkHash && file.sha256 !== null) {
    const got = await sha256Hex(bytes);
    if (got !== file.sha256) throw new ModelIntegrityError(entry.id, file.name, `sha256 ${got}, expected ${file.sha256}`);
  }
}

/** A source over in-memory files (tests, stand-ins): key `${modelId}/${fileName}`. */
export class MemoryModelSource implements ModelSource {
  constructor(private readonly files: Map<string, Uint8Array>) {}

  async getFile(entry: ModelEntry, file: ModelFile, onProgress?: ProgressCallback): Promise<Uint8Array> {
    const bytes = this.files.get(`${entry.id}/${file.name}`);
    if (!bytes) throw new ModelUnavailableError(entry.id, file.name, file.url, 'not in this in-memory source');
    onProgress?.({ modelId: entry.id, stage: 'cache', loaded: bytes.byteLength, total: bytes.byteLength });
    return bytes;
  }
}
